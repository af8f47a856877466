using Talos.Gpu.Imaging;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Anima;

/// <summary>
/// <see cref="ExrWriter"/> read back by other people's readers: OpenEXR's exrheader (header, channels, types, compression)
/// and ffmpeg's EXR decoder (the pixel values), over two 16-line ZIP blocks, the second one short.
/// </summary>
public sealed class ExrWriterTests : IDisposable
{
    readonly string _dir = Repo.TempDir("exr-writer");
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    const int W = 7, H = 21;

    /// <summary>Values half represents exactly: smooth ramps (blocks that deflate) and hashed noise in B (that barely do).</summary>
    static float[] Plane(int seed) => Enumerable.Range(0, W * H).Select(p => seed == 2
        ? (float)((p * 2654435761u >> 20) % 1024) / 64f - 8f
        : (p % W) / 8f + (p / W) / 32f * (seed + 1)).ToArray();

    static string Header(string path) => ExrProbe.Header(path);

    [Theory]
    [InlineData(ExrPixelType.Half, "16-bit floating-point")]
    [InlineData(ExrPixelType.Float, "32-bit floating-point")]
    public void Rgba_is_read_back_exactly_by_exrheader_and_ffmpeg(ExrPixelType type, string typeName)
    {
        var rgba = Enumerable.Range(0, 4).Select(Plane).ToArray();
        var path = Path.Combine(_dir, $"rgba-{type}.exr");
        // Given out of order: the file sorts them by name.
        File.WriteAllBytes(path, ExrWriter.Write(W, H, [new("R", type, rgba[0]), new("G", type, rgba[1]), new("B", type, rgba[2]), new("A", type, rgba[3])]));

        var header = Header(path);
        Assert.Contains("zip, multi-scanline blocks", header);
        Assert.Contains("(0 0) - (6 20)", header);
        Assert.Equal(new[] { "A", "B", "G", "R" }.Select(c => $"{c}, {typeName}"), ExrProbe.Channels(header));

        var back = ExrProbe.Rgba(path, W, H);
        for (int c = 0; c < 4; c++) Assert.Equal(rgba[c], back[c]);
    }

    [Fact]
    public void Half_rounds_to_nearest_and_a_float_depth_channel_keeps_its_bits()
    {
        var z = Enumerable.Range(0, W * H).Select(p => 1f + p * 1e-4f).ToArray();
        var path = Path.Combine(_dir, "z.exr");
        File.WriteAllBytes(path, ExrWriter.Write(W, H, [new("Z", ExrPixelType.Float, z)]));
        Assert.Contains("Z, 32-bit floating-point", Header(path));
        // ZIP's predictor and interleave undone by hand: the stored floats are the given ones, bit for bit.
        var file = File.ReadAllBytes(path);
        Assert.Equal(z, ExrProbe.Samples(file, W, H, 4).Select(b => BitConverter.ToSingle(b)));

        var half = ExrWriter.Write(W, H, [new("Y", ExrPixelType.Half, Enumerable.Repeat(1f / 3f, W * H).ToArray())]);
        Assert.All(ExrProbe.Samples(half, W, H, 2), b => Assert.Equal((Half)(1f / 3f), BitConverter.ToHalf(b)));
    }

    [Fact]
    public void Bad_channels_are_refused()
    {
        Assert.Throws<ArgumentException>(() => ExrWriter.Write(W, H, []));
        Assert.Throws<ArgumentException>(() => ExrWriter.Write(W, H, [new("R", ExrPixelType.Half, new float[3])]));
        Assert.Throws<ArgumentException>(() => ExrWriter.Write(W, H, [new("R", ExrPixelType.Half, new float[W * H]), new("R", ExrPixelType.Half, new float[W * H])]));
    }
}
