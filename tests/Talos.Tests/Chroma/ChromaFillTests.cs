using Talos.Gpu.Chroma;
using Talos.Gpu.Imaging;
using Xunit;

namespace Talos.Tests.Chroma;

public sealed class ChromaFillTests
{
    const int W = 160, H = 100;
    static readonly Rgb Ink = Rgb.FromHex("#1b1620");
    static readonly Rgb Red = Rgb.FromHex("#d04030"), Blue = Rgb.FromHex("#3060c0"), Green = Rgb.FromHex("#40a050");
    static readonly Dictionary<string, Rgb> Palette = new() { ["red"] = Red, ["blue"] = Blue, ["green"] = Green };

    /// <summary>A ring (seeded red), a rectangle (seeded blue), a small unseeded circle, a leaky rectangle (seeded green).</summary>
    static GrayImage Drawing(bool leak = true)
    {
        var g = new GrayImage(W, H);
        LineArt.Circle(g, 30, 30, 18, 3);
        LineArt.Rectangle(g, 60, 12, 100, 50, 3);
        LineArt.Circle(g, 130, 30, 10, 2.5f);
        LineArt.Rectangle(g, 20, 62, 70, 90, 3);
        if (leak) LineArt.Erase(g, 44, 60, 50, 65); // a gap in the top edge of the last rectangle
        return g;
    }

    static readonly RegionSeed[] Seeds =
    [
        new(30, 30, "red"), new(80, 30, "blue"), new(45, 76, "green"),
    ];

    static (float R, float G, float B, float A) Px(RgbaImage img, int x, int y)
    {
        int i = y * img.Width + x;
        return (img.R[i], img.G[i], img.B[i], img.A[i]);
    }

    [Fact]
    public void Seeded_regions_get_exactly_their_palette_colour_and_full_alpha()
    {
        var img = ChromaFill.Fill(Drawing(), Seeds, Palette, Ink, out var labels);
        Assert.Equal((Red.R, Red.G, Red.B, 1f), Px(img, 30, 30));
        Assert.Equal((Red.R, Red.G, Red.B, 1f), Px(img, 22, 38));
        Assert.Equal((Blue.R, Blue.G, Blue.B, 1f), Px(img, 65, 45));
        Assert.True(labels.RegionCount >= 3);
        Assert.NotEqual(0, labels.Data[30 * W + 30]);
        Assert.NotEqual(labels.Data[30 * W + 30], labels.Data[30 * W + 80]);
    }

    [Fact]
    public void The_layer_is_zero_outside_its_layer_bounds_so_the_codec_may_read_only_those()
    {
        var lines = Drawing();
        var img = ChromaFill.Fill(lines, Seeds, Palette, Ink, out _);
        var box = ChromaFill.LayerBounds(lines);
        // the ink's box (ring 12..48, small circle to 142.5, last rectangle to 91.5) grown by a pixel
        Assert.InRange(box.X, 8, 12);
        Assert.InRange(box.Y, 8, 12);
        Assert.InRange(box.X + box.W, 142, 148);
        Assert.InRange(box.Y + box.H, 91, 96);
        int outside = 0;
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
            {
                if (x >= box.X && x < box.X + box.W && y >= box.Y && y < box.Y + box.H) continue;
                int i = y * W + x;
                if (img.R[i] != 0 || img.G[i] != 0 || img.B[i] != 0 || img.A[i] != 0) outside++;
            }
        Assert.Equal(0, outside);
        Assert.Equal(FrameCodec.EncodeRgba(img), FrameCodec.EncodeRgba(img, box));
        Assert.Equal(default, ChromaFill.LayerBounds(new GrayImage(W, H))); // no ink: nothing painted
        var odd = new GrayImage(37, 5); // ink in a vector's tail and at the edges
        odd.Data[36] = 0.5f; odd.Data[4 * 37] = 1f;
        Assert.Equal(new FrameCodec.Box(0, 0, 37, 5), ChromaFill.LayerBounds(odd));
        var one = new GrayImage(37, 5);
        one.Data[2 * 37 + 20] = float.NaN; one.Data[2 * 37 + 21] = 0.1f;
        Assert.Equal(new FrameCodec.Box(20, 1, 3, 3), ChromaFill.LayerBounds(one)); // NaN is not ink
    }

    /// <summary>
    /// Lines decoded from a blob are zero outside its stored box: searching only that box (the stage's path) gives the
    /// same layer bounds, the same layer and the same codec bytes as searching the whole frame.
    /// </summary>
    [Fact]
    public void Ink_searched_only_in_the_decoded_box_gives_the_same_bounds_layer_and_bytes()
    {
        var blob = FrameCodec.EncodeGray(Drawing());
        var lines = new GrayImage(W, H);
        var stored = FrameCodec.DecodeGray(blob, lines, default);
        Assert.True(stored.Count < W * H);
        Assert.Equal(ChromaFill.LayerBounds(lines), ChromaFill.LayerBounds(lines, stored));
        var whole = ChromaFill.Fill(lines, Seeds, Palette, Ink, null, out _, out var paintedWhole);
        using var buffers = new FillBuffers();
        var boxed = ChromaFill.Fill(lines, stored, Seeds, Palette, Ink, buffers, out _, out var paintedBoxed);
        Assert.Equal(paintedWhole, paintedBoxed);
        Assert.Equal(FrameCodec.EncodeRgba(whole), FrameCodec.EncodeRgba(boxed, paintedBoxed));
        // edges: ink in the box's first and last columns and rows, a box at the frame's corner, an empty box
        var edge = new GrayImage(37, 5);
        edge.Data[1 * 37 + 30] = 0.5f; edge.Data[3 * 37 + 36] = 1f;
        Assert.Equal(ChromaFill.LayerBounds(edge), ChromaFill.LayerBounds(edge, new FrameCodec.Box(30, 1, 7, 3)));
        Assert.Equal(default, ChromaFill.LayerBounds(new GrayImage(37, 5), default));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChromaFill.LayerBounds(edge, new FrameCodec.Box(30, 1, 8, 3)));
    }

    [Fact]
    public void Outside_and_unseeded_regions_stay_transparent()
    {
        var img = ChromaFill.Fill(Drawing(), Seeds, Palette, Ink, out var labels);
        Assert.Equal((0f, 0f, 0f, 0f), Px(img, 2, 2));
        Assert.Equal((0f, 0f, 0f, 0f), Px(img, 110, 80));
        Assert.Equal((0f, 0f, 0f, 0f), Px(img, 130, 30)); // inside the unseeded circle
        Assert.NotEqual(0, labels.Data[30 * W + 130]);      // ... which is still a labelled region
        Assert.Equal(0, labels.Data[2 * W + 2]);           // the outside has no label
    }

    [Fact]
    public void A_region_whose_outline_has_a_gap_leaks_to_the_outside_and_stays_transparent()
    {
        var leaky = ChromaFill.Fill(Drawing(leak: true), Seeds, Palette, Ink, out _);
        Assert.Equal(0f, Px(leaky, 45, 76).A);
        var closed = ChromaFill.Fill(Drawing(leak: false), Seeds, Palette, Ink, out _);
        Assert.Equal((Green.R, Green.G, Green.B, 1f), Px(closed, 45, 76));
    }

    [Fact]
    public void No_transparent_halo_between_line_and_fill()
    {
        var img = ChromaFill.Fill(Drawing(), Seeds, Palette, Ink, out _);
        int checkedPixels = 0;
        for (int y = 1; y < H - 1; y++)
            for (int x = 1; x < W - 1; x++)
            {
                if (Px(img, x, y).A < 1f) continue;
                if (!IsFill(img, x, y)) continue;
                foreach (var (nx, ny) in new[] { (x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1) })
                {
                    var a = Px(img, nx, ny).A;
                    // Neighbours of a filled pixel are opaque (fill or line over fill).
                    Assert.True(a == 1f, $"pixel ({nx},{ny}) next to fill at ({x},{y}) has alpha {a}");
                    checkedPixels++;
                }
            }
        Assert.True(checkedPixels > 1000);
    }

    static bool IsFill(RgbaImage img, int x, int y)
    {
        var p = Px(img, x, y);
        return (p.R, p.G, p.B) == (Red.R, Red.G, Red.B) || (p.R, p.G, p.B) == (Blue.R, Blue.G, Blue.B);
    }

    [Fact]
    public void Line_pixels_are_ink_over_fill_inside_and_ink_with_coverage_alpha_outside()
    {
        var lines = Drawing();
        var img = ChromaFill.Fill(lines, Seeds, Palette, Ink, out _);
        // Along the ring's horizontal radius: inner edge is composited over red, outer edge fades out.
        int inside = 0, outside = 0;
        for (int x = 0; x < 30; x++)
        {
            float c = lines[x, 30];
            if (c <= 0f) continue;
            var p = Px(img, x, 30);
            if (p.A == 1f && c < 1f)
            {
                Assert.Equal(Ink.R * c + Red.R * (1 - c), p.R, 5);
                inside++;
            }
            else if (p.A < 1f)
            {
                Assert.Equal(c, p.A);
                Assert.Equal(Ink.R * c, p.R, 6); // premultiplied
                outside++;
            }
        }
        Assert.True(inside > 0 && outside > 0);
    }

    [Fact]
    public void Seeds_on_ink_or_outside_the_image_are_ignored_and_missing_paint_is_grey()
    {
        var lines = Drawing();
        RegionSeed[] seeds = [new(12, 30, "red"), new(-5, 400, "blue"), new(float.NaN, 3, "blue"), new(80, 30, "nope")];
        Assert.True(lines[12, 30] >= 0.5f); // the first seed sits on the ring's line
        var img = ChromaFill.Fill(lines, seeds, Palette, Ink, out _);
        Assert.Equal(0f, Px(img, 30, 30).A);
        var grey = ChromaFill.MissingPaint;
        Assert.Equal((grey.R, grey.G, grey.B, 1f), Px(img, 80, 30));
    }

    [Fact]
    public void Empty_drawing_gives_an_empty_layer()
    {
        var img = ChromaFill.Fill(new GrayImage(8, 8), Seeds, Palette, Ink, out var labels);
        Assert.All(img.A, a => Assert.Equal(0f, a));
        Assert.Equal(0, labels.RegionCount);
    }

    [Fact]
    public void Fill_is_bit_identical_across_runs()
    {
        var (lines, seeds) = LineArt.Figure(640, 360, 320, 330, 280);
        var palette = new Dictionary<string, Rgb> { ["skin"] = Red, ["shirt"] = Blue, ["trousers"] = Green };
        var a = ChromaFill.Fill(lines, seeds, palette, Ink, out var la);
        var b = ChromaFill.Fill(lines, seeds, palette, Ink, out var lb);
        Assert.Equal(FrameCodec.EncodeRgba(a), FrameCodec.EncodeRgba(b));
        Assert.Equal(la.Data, lb.Data);
        Assert.Equal(a.R, b.R);
        Assert.Equal(a.A, b.A);
    }

    [Fact]
    public void Figure_regions_are_all_filled()
    {
        var (lines, seeds) = LineArt.Figure(640, 360, 320, 330, 280);
        var palette = new Dictionary<string, Rgb> { ["skin"] = Red, ["shirt"] = Blue, ["trousers"] = Green };
        var img = ChromaFill.Fill(lines, seeds, palette, Ink, out _);
        foreach (var s in seeds)
            Assert.Equal(1f, Px(img, (int)s.X, (int)s.Y).A);
    }

    [Fact]
    public void Reused_fill_buffers_give_the_same_bits_as_fresh_planes_frame_after_frame()
    {
        var palette = new Dictionary<string, Rgb> { ["skin"] = Red, ["shirt"] = Blue, ["trousers"] = Green, ["red"] = Red };
        var big = LineArt.Figure(640, 360, 320, 330, 280);
        var moved = LineArt.Figure(640, 360, 420, 300, 180); // smaller, overlapping the first one's box in part
        var leaky = new GrayImage(640, 360); // a gap the ball closes: the closed label plane is used too
        LineArt.Rectangle(leaky, 40, 40, 200, 160, 3);
        LineArt.Erase(leaky, 100, 36, 103, 45);
        var leakySeeds = new List<RegionSeed> { new(120, 100, "red") };
        var nan = LineArt.Figure(640, 360, 200, 340, 220);
        nan.Lines.Data[200 * 640 + 200] = float.NaN; nan.Lines.Data[201 * 640 + 200] = 3f; // NaN is paper, coverage clamps at 1
        var frames = new (GrayImage Lines, IReadOnlyList<RegionSeed> Seeds)[]
        {
            (big.Lines, big.Seeds), (moved.Lines, moved.Seeds), (leaky, leakySeeds), (new GrayImage(640, 360), big.Seeds),
            (nan.Lines, nan.Seeds), (big.Lines, big.Seeds),
        };
        var buffers = new FillBuffers();
        foreach (var (lines, seeds) in frames)
        {
            var fresh = ChromaFill.Fill(lines, seeds, palette, Ink, out var freshLabels);
            var reused = ChromaFill.Fill(lines, seeds, palette, Ink, buffers, out var labels, out var painted);
            Assert.Equal(ChromaFill.LayerBounds(lines), painted);
            if (lines == leaky) Assert.NotEqual(0, labels.Data[100 * 640 + 120]); // closed by the ball, not the outside
            Assert.Equal(freshLabels.RegionCount, labels.RegionCount);
            Assert.Equal(freshLabels.Data, labels.Data);
            foreach (var (a, b) in new[] { (fresh.R, reused.R), (fresh.G, reused.G), (fresh.B, reused.B), (fresh.A, reused.A) })
                Assert.Equal(Bits(a), Bits(b)); // bit for bit: a −0 where a fresh plane holds +0 would fail
            Assert.Equal(FrameCodec.EncodeRgba(fresh), FrameCodec.EncodeRgba(reused, painted));
        }

        static int[] Bits(float[] plane) => System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(plane).ToArray();
    }

    /// <summary>Random strokes of random coverage (some NaN, some above 1) over a frame, touching its edges.</summary>
    static GrayImage Scribbles(int w, int h, int seed)
    {
        var rng = new Random(seed);
        var g = new GrayImage(w, h);
        for (int k = 0; k < 14; k++)
        {
            int x0 = rng.Next(-8, w + 8), y0 = rng.Next(-8, h + 8), x1 = rng.Next(-8, w + 8), y1 = rng.Next(-8, h + 8);
            float width = 0.8f + 3f * (float)rng.NextDouble();
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    float dx = x1 - x0, dy = y1 - y0, t = Math.Clamp(((x - x0) * dx + (y - y0) * dy) / MathF.Max(1f, dx * dx + dy * dy), 0f, 1f);
                    float ex = x0 + t * dx - x, ey = y0 + t * dy - y, d = MathF.Sqrt(ex * ex + ey * ey);
                    float c = Math.Clamp(width - d, 0f, 1f);
                    if (c > g.Data[y * w + x]) g.Data[y * w + x] = c;
                }
        }
        for (int k = 0; k < 20; k++) g.Data[rng.Next(w * h)] = k % 2 == 0 ? float.NaN : 1.5f;
        return g;
    }

    /// <summary>
    /// Plain regions (no gap closing) of random drawings are the 4-connected paper components not touching the window's
    /// border, numbered in scan order, 0 on ink and outside (a flood fill, pixel by pixel), over the whole frame and over
    /// windows, into a label plane that held another drawing's labels.
    /// </summary>
    [Fact]
    public void Plain_regions_are_the_flood_filled_paper_components_in_scan_order()
    {
        const int w = 97, h = 61;
        var labels = new LabelImage(w, h);
        for (int seed = 0; seed < 6; seed++)
        {
            var lines = Scribbles(w, h, seed);
            var (x0, y0, x1, y1) = seed % 2 == 0 ? (0, 0, w, h) : (3 + seed, 2, w - 5, h - seed);
            Array.Fill(labels.Data, 0);
            RegionLabeller.Label(lines, x0, y0, x1, y1, labels, 0);
            var expected = new int[w * h];
            int next = 0;
            var seen = new bool[w * h];
            var members = new List<int>();
            for (int y = y0; y < y1; y++)
                for (int x = x0; x < x1; x++)
                {
                    int s0 = y * w + x;
                    if (seen[s0] || !Paper(s0)) continue;
                    members.Clear();
                    bool border = false;
                    var stack = new Stack<int>([s0]);
                    seen[s0] = true;
                    while (stack.Count > 0)
                    {
                        int i = stack.Pop(), px = i % w, py = i / w;
                        members.Add(i);
                        border |= px == x0 || px == x1 - 1 || py == y0 || py == y1 - 1;
                        foreach (var (nx, ny) in new[] { (px - 1, py), (px + 1, py), (px, py - 1), (px, py + 1) })
                            if (nx >= x0 && nx < x1 && ny >= y0 && ny < y1 && !seen[ny * w + nx] && Paper(ny * w + nx)) { seen[ny * w + nx] = true; stack.Push(ny * w + nx); }
                    }
                    if (border) continue;
                    next++;
                    foreach (int i in members) expected[i] = next;
                }
            Assert.True(next > 2, "the drawing encloses regions");
            Assert.Equal(next, labels.RegionCount);
            Assert.Equal(expected, labels.Data);

            bool Paper(int i) => !(lines.Data[i] >= RegionLabeller.InkThreshold);
        }
    }

    /// <summary>
    /// The paint of random drawings and regions (some left without paint) is the per-pixel rule, pixel by pixel: paint
    /// with the ink over it, a line pixel on the nearest painted region within two pixels (ring by ring, in scan order;
    /// beyond the first ring only without a transparent 4-neighbour), bare ink at alpha = coverage, zero elsewhere; at
    /// the frame's edges too.
    /// </summary>
    [Fact]
    public void Paint_is_the_per_pixel_rule_with_lines_on_the_nearest_fill()
    {
        const int w = 97, h = 61;
        for (int seed = 0; seed < 6; seed++)
        {
            var lines = Scribbles(w, h, 100 + seed);
            var labels = new LabelImage(w, h);
            RegionLabeller.Label(lines, 0, 0, w, h, labels, 0);
            var rng = new Random(seed);
            var paints = new Rgb?[labels.RegionCount + 1];
            for (int l = 1; l <= labels.RegionCount; l++)
                paints[l] = rng.Next(4) == 0 ? null : new Rgb((float)rng.NextDouble(), (float)rng.NextDouble(), (float)rng.NextDouble());
            var img = ChromaFill.Paint(lines, labels, paints, Ink);
            var cov = lines.Data;
            var lab = labels.Data;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    int i = y * w + x;
                    float c = cov[i] > 0f ? MathF.Min(cov[i], 1f) : 0f;
                    Rgb? fill = paints[lab[i]] ?? (c >= RegionLabeller.InkThreshold ? Nearby(x, y) : null);
                    var want = fill is Rgb f ? (Ink.R * c + f.R * (1f - c), Ink.G * c + f.G * (1f - c), Ink.B * c + f.B * (1f - c), 1f)
                        : c > 0f ? (Ink.R * c, Ink.G * c, Ink.B * c, c) : (0f, 0f, 0f, 0f);
                    Assert.Equal(want, Px(img, x, y));
                }

            Rgb? Nearby(int x, int y)
            {
                for (int r = 1; r <= 2; r++)
                {
                    if (r > 1 && (Open(x - 1, y) || Open(x + 1, y) || Open(x, y - 1) || Open(x, y + 1))) return null;
                    for (int dy = -r; dy <= r; dy++)
                        for (int dx = -r; dx <= r; dx++)
                        {
                            if (Math.Max(Math.Abs(dx), Math.Abs(dy)) != r || x + dx < 0 || y + dy < 0 || x + dx >= w || y + dy >= h) continue;
                            if (paints[lab[(y + dy) * w + x + dx]] is Rgb p) return p;
                        }
                }
                return null;
            }

            bool Open(int x, int y) => x < 0 || y < 0 || x >= w || y >= h || (cov[y * w + x] < RegionLabeller.InkThreshold && paints[lab[y * w + x]] is null);
        }
    }
}
