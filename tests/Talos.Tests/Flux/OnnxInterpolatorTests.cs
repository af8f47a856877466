using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;
using Xunit;

namespace Talos.Tests.Flux;

/// <summary>The FLUX model slot, run by ONNX Runtime on a graph the test builds itself (out = A + t·(B − A)).</summary>
public sealed class OnnxInterpolatorTests
{
    [Fact]
    public void A_rife_shaped_model_interpolates_two_frames_at_t()
    {
        using var model = OnnxInterpolator.Load(OnnxModels.LinearBlend(), "linear-blend.onnx");
        var (a, b) = (new RgbaImage(8, 6), new RgbaImage(8, 6));
        for (int i = 0; i < a.PixelCount; i++)
        {
            a.R[i] = 0.2f; a.G[i] = 0.5f; a.B[i] = 0.9f; a.A[i] = 1;
            b.R[i] = 0.8f; b.G[i] = 0.1f; b.B[i] = (i % 8) / 8f; b.A[i] = 1;
        }
        var m = model.Interpolate(a, b, 0.25);
        for (int i = 0; i < m.PixelCount; i++)
        {
            float Expect(float p, float q) => ColorMath.SrgbToLinear(0.75f * ColorMath.LinearToSrgb(p) + 0.25f * ColorMath.LinearToSrgb(q));
            Assert.Equal(Expect(a.R[i], b.R[i]), m.R[i], 4);
            Assert.Equal(Expect(a.G[i], b.G[i]), m.G[i], 4);
            Assert.Equal(Expect(a.B[i], b.B[i]), m.B[i], 4);
        }
        var (ia, ib) = (new GrayImage(8, 6), new GrayImage(8, 6));
        ia.Data[3] = 1; ib.Data[5] = 1;
        var ink = model.Interpolate(ia, ib, 0.5);
        Assert.Equal(0.5f, ink.Data[3], 3);
        Assert.Equal(0.5f, ink.Data[5], 3);
        Assert.Equal(0f, ink.Data[0], 3);
    }

    [Fact]
    public void A_corrupt_or_missing_model_file_is_a_clear_error()
    {
        var bytes = OnnxModels.LinearBlend();
        var e = Assert.Throws<InvalidDataException>(() => OnnxInterpolator.Load(bytes[..(bytes.Length / 2)], "broken.onnx"));
        Assert.Contains("broken.onnx", e.Message);
        Assert.Contains("not a loadable ONNX model", e.Message);
        e = Assert.Throws<InvalidDataException>(() => OnnxInterpolator.Load("/nonexistent/model.onnx"));
        Assert.Contains("does not exist", e.Message);
    }
}
