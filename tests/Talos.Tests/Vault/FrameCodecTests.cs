using Talos.Gpu.Imaging;
using Xunit;

namespace Talos.Tests.Vault;

public sealed class FrameCodecTests
{
    static RgbaImage Layer(int w, int h, int x0, int y0, int x1, int y1)
    {
        var img = new RgbaImage(w, h);
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++)
            {
                int i = y * w + x;
                img.A[i] = 0.5f + 0.5f * ((x + y) % 2);
                img.R[i] = 0.25f * img.A[i]; img.G[i] = x / (float)w * img.A[i]; img.B[i] = 3.5f; // HDR value survives
            }
        return img;
    }

    static void AssertHalfEqual(RgbaImage a, RgbaImage b)
    {
        foreach (var (p, q) in new[] { (a.R, b.R), (a.G, b.G), (a.B, b.B), (a.A, b.A) })
            for (int i = 0; i < p.Length; i++)
                Assert.Equal((float)(Half)p[i], q[i]);
    }

    [Fact]
    public void A_sparse_layer_is_stored_as_its_box_and_decodes_to_the_same_half_values()
    {
        var sparse = Layer(320, 180, 100, 40, 140, 170);
        var full = Layer(320, 180, 0, 0, 320, 180);
        var sparseBytes = FrameCodec.EncodeRgba(sparse);
        Assert.True(sparseBytes.Length * 3 < FrameCodec.EncodeRgba(full).Length, "the box should be much smaller than the frame");
        AssertHalfEqual(sparse, FrameCodec.DecodeRgba(sparseBytes));
        AssertHalfEqual(full, FrameCodec.DecodeRgba(FrameCodec.EncodeRgba(full)));
        Assert.Equal(sparseBytes, FrameCodec.EncodeRgba(sparse)); // deterministic bytes, hence stable vault hashes
    }

    [Fact]
    public void An_empty_layer_and_an_additive_layer_with_zero_alpha_round_trip()
    {
        var empty = new RgbaImage(64, 36);
        AssertHalfEqual(empty, FrameCodec.DecodeRgba(FrameCodec.EncodeRgba(empty)));
        var glow = new RgbaImage(64, 36);
        glow.R[36 * 64 - 1] = 2f; // light with no coverage, in the last pixel
        AssertHalfEqual(glow, FrameCodec.DecodeRgba(FrameCodec.EncodeRgba(glow)));
    }

    [Fact]
    public void Corrupt_or_truncated_blobs_are_clear_errors()
    {
        var bytes = FrameCodec.EncodeRgba(Layer(64, 36, 10, 10, 20, 20));
        Assert.Contains("bad magic", Assert.Throws<InvalidDataException>(() => FrameCodec.DecodeRgba([1, 2, 3])).Message);
        var badBox = (byte[])bytes.Clone();
        badBox[24] = 200; // box wider than the frame
        Assert.Contains("crop box", Assert.Throws<InvalidDataException>(() => FrameCodec.DecodeRgba(badBox)).Message);
        Assert.Contains("Talos frame blob", Assert.Throws<InvalidDataException>(() => FrameCodec.DecodeRgba(bytes[..(bytes.Length / 2)])).Message);
    }
}
