using Talos.Gpu.Chroma;
using Talos.Gpu.Imaging;
using Xunit;

namespace Talos.Tests.Chroma;

public sealed class GapClosingTests
{
    static readonly Rgb Ink = Rgb.FromHex("#1b1620");
    static readonly Dictionary<string, Rgb> Palette = new() { ["red"] = Rgb.FromHex("#d04030") };

    /// <summary>A closed rectangle with a gap of <paramref name="gap"/> pixels cut through its top edge, and a seed inside.</summary>
    static GrayImage Leaky(int gap)
    {
        var g = new GrayImage(120, 80);
        LineArt.Rectangle(g, 30, 20, 90, 60, 1.5f);
        if (gap > 0) LineArt.Erase(g, 60, 16, 60 + gap, 24);
        return g;
    }

    static int Painted(RgbaImage img, int x0, int y0, int x1, int y1, bool inside)
    {
        int n = 0;
        for (int y = 0; y < img.Height; y++)
            for (int x = 0; x < img.Width; x++)
            {
                bool isInside = x > x0 && x < x1 && y > y0 && y < y1;
                if (isInside == inside && img.A[y * img.Width + x] == 1f) n++;
            }
        return n;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_closed_shape_with_a_small_gap_fills_only_that_shape(int gap)
    {
        var lines = Leaky(gap);
        // the gap really is open: plain connected components leak the inside into the outside
        Assert.Equal(0, ChromaFill.Regions(lines, gapRadius: 0).RegionCount);
        var img = ChromaFill.Fill(lines, [new RegionSeed(45, 40, "red")], Palette, Ink, out var labels);
        Assert.Equal(1, labels.RegionCount);
        Assert.Equal(0, Painted(img, 28, 18, 92, 62, inside: false)); // nothing outside the shape is painted
        int interior = Painted(img, 32, 22, 88, 58, inside: true);
        Assert.True(interior == 55 * 35, $"only {interior} interior pixels painted");
        File.WriteAllBytes($"/tmp/chroma-gap{gap}.png", Talos.Gpu.Flux.KeyImages.WriteRgba(img));
    }

    [Fact]
    public void A_wide_opening_is_not_a_gap_and_the_shape_stays_open()
    {
        var lines = Leaky(12);
        var img = ChromaFill.Fill(lines, [new RegionSeed(45, 40, "red")], Palette, Ink, out var labels);
        Assert.Equal(0, labels.RegionCount);
        Assert.Equal(0f, img.A[40 * 120 + 45]);
    }

    [Fact]
    public void A_narrow_neck_inside_a_closed_shape_does_not_split_its_paint()
    {
        // Two boxes joined by a 2-pixel corridor, one of them leaky: the ball closes the gap and splits the corridor,
    // and the fill still paints both boxes from one seed.
        var g = new GrayImage(120, 60);
        LineArt.Rectangle(g, 10, 10, 50, 50, 1.5f);
        LineArt.Rectangle(g, 70, 10, 110, 50, 1.5f);
        LineArt.Erase(g, 48, 29, 53, 32);
        LineArt.Erase(g, 67, 29, 72, 32);
        foreach (float wall in new[] { 28f, 32f })
            LineArt.Stroke(g, 1.2f, (x, y) => x < 50 || x > 70 ? 99f : y - wall);
        LineArt.Erase(g, 6, 20, 14, 21); // a one-pixel gap in the left box's outer wall, so the ball runs
        Assert.Equal(0, ChromaFill.Regions(g, gapRadius: 0).Data[30 * 120 + 30]); // plain components: the seeded box leaks
        var img = ChromaFill.Fill(g, [new RegionSeed(30, 30, "red")], Palette, Ink, out var labels);
        Assert.True(labels.RegionCount >= 2, $"{labels.RegionCount} regions: the ball split the corridor");
        Assert.Equal(0f, img.A[5 * 120 + 5]);
        Assert.Equal(1f, img.A[30 * 120 + 30]);
        Assert.Equal(1f, img.A[30 * 120 + 90]);
    }

    [Fact]
    public void Region_labels_are_deterministic_and_numbered_in_scan_order()
    {
        var lines = Leaky(1);
        var a = ChromaFill.Regions(lines);
        var b = ChromaFill.Regions(lines);
        Assert.Equal(a.Data, b.Data);
        int seen = 0;
        foreach (int l in a.Data) if (l > seen) { Assert.Equal(seen + 1, l); seen = l; }
    }
}
