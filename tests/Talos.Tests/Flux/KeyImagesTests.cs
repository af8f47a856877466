using Talos.Gpu.Chroma;
using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;
using Talos.Tests.Chroma;
using Xunit;

namespace Talos.Tests.Flux;

/// <summary>Drawn keys read as ink: grey drawings as they are, coloured cels without their fills.</summary>
public sealed class KeyImagesTests
{
    const int W = 480, H = 270;

    /// <summary>A figure painted as an artist's coloured key: pale skin, a red shirt, dark trousers, ink lines, on white paper.</summary>
    static (GrayImage Lines, byte[] Png) ColouredKey()
    {
        var (lines, seeds) = LineArt.Figure(W, H, W * 0.5f, H * 0.82f, 190);
        var palette = new Dictionary<string, Rgb> { ["skin"] = Rgb.FromHex("#f2d4b8"), ["shirt"] = Rgb.FromHex("#b03030"), ["trousers"] = Rgb.FromHex("#26305a") };
        var cel = ChromaFill.Fill(lines, seeds, palette, Rgb.FromHex("#1b1620"), out _);
        var rgba = new byte[W * H * 4];
        for (int i = 0; i < W * H; i++)
        {
            float paper = 1f - cel.A[i]; // premultiplied colour over white paper
            rgba[4 * i] = (byte)MathF.Round(255f * ColorMath.LinearToSrgb(cel.R[i] + paper));
            rgba[4 * i + 1] = (byte)MathF.Round(255f * ColorMath.LinearToSrgb(cel.G[i] + paper));
            rgba[4 * i + 2] = (byte)MathF.Round(255f * ColorMath.LinearToSrgb(cel.B[i] + paper));
            rgba[4 * i + 3] = 255;
        }
        using var png = new MemoryStream();
        new StbImageWriteSharp.ImageWriter().WritePng(rgba, W, H, StbImageWriteSharp.ColorComponents.RedGreenBlueAlpha, png);
        return (lines, png.ToArray());
    }

    /// <summary>Pixels at least two pixels from any stroke (fills and paper), and the stroke cores.</summary>
    static (List<int> Clear, List<int> Cores) Split(GrayImage lines)
    {
        var clear = new List<int>();
        var cores = new List<int>();
        for (int y = 2; y < H - 2; y++)
            for (int x = 2; x < W - 2; x++)
            {
                if (lines[x, y] > 0.95f) { cores.Add(y * W + x); continue; }
                bool near = false;
                for (int dy = -2; dy <= 2 && !near; dy++)
                    for (int dx = -2; dx <= 2 && !near; dx++) near = lines[x + dx, y + dy] > 0f;
                if (!near) clear.Add(y * W + x);
            }
        return (clear, cores);
    }

    [Fact]
    public void A_coloured_key_reads_as_its_strokes_without_its_fills()
    {
        var (lines, png) = ColouredKey();
        Assert.True(KeyImages.IsColour(png, "key.png"));
        var (clear, cores) = Split(lines);
        var grey = KeyImages.ReadRgba(png, "key.png");
        // The fills are far from white (the dark trousers especially): reading darkness as ink would keep them.
        var fills = clear.Where(i => grey.R[i] < 0.9f).ToList();
        Assert.True(fills.Count > 2000, $"only {fills.Count} fill pixels");
        Assert.True(fills.Average(i => 1f - ColorMath.LinearToSrgb(ColorMath.Luma(grey.R[i], grey.G[i], grey.B[i]))) > 0.3f);

        var ink = KeyImages.ReadInk(png, "key.png");
        Assert.True(clear.Max(i => ink.Data[i]) < 0.02f, $"a fill or paper pixel reads as ink {clear.Max(i => ink.Data[i]):F3}");
        Assert.True(cores.Average(i => ink.Data[i]) > 0.6f, $"stroke cores read as ink {cores.Average(i => ink.Data[i]):F3} on average");
        Assert.True(cores.Count(i => ink.Data[i] > 0.5f) > cores.Count * 0.9, "strokes lost");

        // Resampled to another size, the same reading (nearest).
        var half = KeyImages.ReadInk(png, "key.png", W / 2, H / 2);
        Assert.Equal(ink[1, 1], half[0, 0]);
    }

    [Fact]
    public void A_grey_drawing_reads_as_its_ink_coverage()
    {
        var (lines, _) = LineArt.Figure(W, H, W * 0.5f, H * 0.82f, 190);
        var png = KeyImages.WriteInk(lines);
        Assert.False(KeyImages.IsColour(png, "key.png"));
        var ink = KeyImages.ReadInk(png, "key.png");
        for (int i = 0; i < lines.Data.Length; i++) Assert.True(MathF.Abs(ink.Data[i] - lines.Data[i]) <= 1f / 255f + 1e-4f, $"pixel {i}");
    }
}
