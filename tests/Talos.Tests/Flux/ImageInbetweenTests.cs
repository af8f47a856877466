using Talos.Gpu.Axis;
using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;
using Talos.Messages.Specs;
using Xunit;

namespace Talos.Tests.Flux;

/// <summary>
/// Image-space inbetweens on key pairs drawn from the rigs: a character moved and re-posed between two keys, and the
/// true middle drawn at the middle pose and position. Talos's middle must beat a cross-fade by 3 dB and draw each
/// line once (ink-pixel count close to the true middle's, far below the cross-fade's double image).
/// </summary>
public sealed class ImageInbetweenTests
{
    public const int W = 240, H = 135;

    public sealed record Case(string Name, GrayImage A, GrayImage Middle, GrayImage B);

    static GrayImage Draw(string rig, Pose pose, double x, int w = W, int h = H) => LineArt.Draw(Rigs.Get(rig), pose, x, 1, CameraState.Wide, w, h).Lines;

    static Case Pair(string name, string rig, string poseA, string emoA, double xa, string poseB, string emoB, double xb)
    {
        var (pa, pb) = (PoseLibrary.Resolve(poseA, emoA, 0), PoseLibrary.Resolve(poseB, emoB, 0));
        return new(name, Draw(rig, pa, xa), Draw(rig, Pose.Lerp(pa, pb, 0.5f), (xa + xb) / 2), Draw(rig, pb, xb));
    }

    public static readonly Lazy<IReadOnlyList<(Case Case, GrayImage Talos)>> Set = new(() =>
        new[]
        {
            Pair("walk-across", "stocky", "walk", "calm", 0.35, "walk", "calm", 0.47),
            Pair("idle-to-point", "lanky", "idle", "calm", 0.45, "point", "calm", 0.51),
            Pair("idle-to-gesture", "round", "idle", "calm", 0.5, "gesture", "joy", 0.56),
            Pair("sad-to-fear", "lanky", "idle", "sadness", 0.5, "idle", "fear", 0.54),
        }.Select(c => (c, ImageInbetweener.FromInk(c.A, c.B).InkAt(0.5))).ToList());

    public static GrayImage CrossFade(GrayImage a, GrayImage b, double t)
    {
        var m = new GrayImage(a.Width, a.Height);
        for (int i = 0; i < m.Data.Length; i++) m.Data[i] = (float)((1 - t) * a.Data[i] + t * b.Data[i]);
        return m;
    }

    public static double Psnr(GrayImage p, GrayImage q)
    {
        double s = 0;
        for (int i = 0; i < p.Data.Length; i++) { double d = p.Data[i] - q.Data[i]; s += d * d; }
        return 10 * Math.Log10(1 / Math.Max(s / p.Data.Length, 1e-12));
    }

    /// <summary>Pixels that read as line: ink at least a quarter dark (a cross-fade's half-strength double lines count).</summary>
    public static int LinePixels(GrayImage g) => g.Data.Count(v => v > 0.25f);

    [Fact]
    public void Middle_frames_beat_the_cross_fade_by_at_least_3_dB()
    {
        double talos = 0, fade = 0;
        foreach (var (c, mid) in Set.Value)
        {
            double pt = Psnr(mid, c.Middle), pf = Psnr(CrossFade(c.A, c.B, 0.5), c.Middle);
            Assert.True(pt > pf, $"{c.Name}: Talos {pt:F2} dB, cross-fade {pf:F2} dB");
            talos += pt; fade += pf;
        }
        int n = Set.Value.Count;
        Assert.True(talos / n >= fade / n + 3, $"mean PSNR Talos {talos / n:F2} dB vs cross-fade {fade / n:F2} dB");
    }

    [Fact]
    public void Middle_frames_draw_every_line_once()
    {
        foreach (var (c, mid) in Set.Value)
        {
            int truth = LinePixels(c.Middle), talos = LinePixels(mid), fade = LinePixels(CrossFade(c.A, c.B, 0.5));
            Assert.True(Math.Abs(talos - truth) <= 0.15 * truth, $"{c.Name}: {talos} line pixels vs {truth} in the true middle");
            Assert.True(fade >= 1.25 * truth, $"{c.Name}: the cross-fade's double image has {fade} line pixels vs {truth}");
            Assert.True(talos <= 0.85 * fade, $"{c.Name}: {talos} line pixels, cross-fade {fade}");
        }
    }

    [Fact]
    public void Flow_of_a_known_translation_is_accurate_near_the_lines()
    {
        var pose = PoseLibrary.Resolve("idle", "calm", 0);
        double shift = 7.5; // pixels to the right
        var a = Draw("lanky", pose, 0.45);
        var b = Draw("lanky", pose, 0.45 + shift / W);
        var flow = OpticalFlow.Compute(FlowFeatures.FromInk(a), FlowFeatures.FromInk(b));
        var near = DistanceTransform.Compute(a.Data.Select(v => v > 0.35f).ToArray(), W, H, 100);
        var truth = new FlowField(W, H);
        Array.Fill(truth.U, (float)shift);
        double epe = flow.EndpointError(truth, i => near[i] <= 6);
        Assert.True(epe < 0.35, $"endpoint error near the lines {epe:F3} px");
    }

    /// <summary>
    /// A filled rig figure moved 24 px over faintly textured paper (±4 grey levels, a slight gradient; 480×270): the
    /// paper holds still (issue 19: the flow used to carry the figure's motion over the whole background), the figure
    /// keeps its motion, and the middle frame stays close to the true one.
    /// </summary>
    [Fact]
    public void A_figure_moving_over_textured_paper_leaves_the_paper_still()
    {
        const int w = 480, h = 270;
        var rig = Rigs.Get("stocky");
        var d = LineArt.Draw(rig, PoseLibrary.Resolve("walk", "calm", 0), 0.45, 1, CameraState.Wide, w, h);
        var p = PaperPairs.Make(PaperPairs.FigureLayer(d, rig.DefaultPalette), PaperPairs.Paper(w, h, seed: 5), 24, 3, 0);
        var ib = ImageInbetweener.FromRgba(p.A, p.B);
        double paper = ib.Forward.EndpointError(p.Truth, i => !p.FigureA[i]);
        double figure = ib.Forward.EndpointError(p.Truth, i => p.FigureA[i]);
        double all = ib.Forward.EndpointError(p.Truth);
        Assert.True(paper < 0.5, $"mean endpoint error on the paper {paper:F2} px (figure {figure:F2} px)");
        Assert.True(figure < 1.0, $"mean endpoint error on the figure {figure:F2} px");
        Assert.True(all < 0.5, $"mean endpoint error over the frame {all:F2} px");
        var mid = ib.RgbaAt(0.5);
        double sq = 0;
        for (int i = 0; i < mid.PixelCount; i++)
        {
            double dr = ColorMath.LinearToSrgb(mid.R[i]) - ColorMath.LinearToSrgb(p.Middle.R[i]);
            sq += dr * dr;
        }
        double psnr = 10 * Math.Log10(1 / Math.Max(sq / mid.PixelCount, 1e-12));
        Assert.True(psnr > 30, $"middle frame {psnr:F2} dB against the true middle (red channel, sRGB)");
    }

    /// <summary>
    /// An ink-only figure moved far over textured paper (640×360, (−23, 5) px): between the keys the paper holds still
    /// and the lines move. Where the moving lines' splats barely reach, the middle frame used to take a blend of their
    /// motion and the paper's zero — a fraction of the motion, whose samples land on the figure's ink in both keys (dark
    /// flecks beside the lines) — and where the two keys' outlines cover the same paper, zero motion drew ink there.
    /// </summary>
    [Fact]
    public void An_ink_figure_moving_far_over_paper_leaves_no_ink_flecks_in_the_middle_frame()
    {
        const int w = 640, h = 360;
        var rig = Rigs.Get("lanky");
        var d = LineArt.Draw(rig, PoseLibrary.Resolve("idle", "calm", 0), 0.42, 1, CameraState.Wide, w, h);
        var p = PaperPairs.Make(PaperPairs.FigureLayer(d, null), PaperPairs.Paper(w, h, seed: 13), -23, 5, 0);
        var ib = ImageInbetweener.FromRgba(p.A, p.B);
        var mid = ib.RgbaAt(0.5);
        double sq = 0;
        int flecks = 0;
        for (int i = 0; i < mid.PixelCount; i++)
        {
            double dr = ColorMath.LinearToSrgb(mid.R[i]) - ColorMath.LinearToSrgb(p.Middle.R[i]);
            sq += dr * dr;
            if (Math.Abs(dr) > 0.25) flecks++;
        }
        double psnr = 10 * Math.Log10(1 / Math.Max(sq / mid.PixelCount, 1e-12));
        Assert.True(psnr > 45, $"middle frame {psnr:F2} dB against the true middle (red channel, sRGB), {flecks} pixels off by over 64 levels");
        Assert.True(flecks < 20, $"{flecks} pixels off by over 64 levels ({psnr:F2} dB)");
    }

    [Fact]
    public void Inbetweens_hit_the_keys_at_0_and_1_and_are_deterministic()
    {
        var c = Set.Value[0].Case;
        var one = ImageInbetweener.FromInk(c.A, c.B);
        var two = ImageInbetweener.FromInk(c.A, c.B);
        Assert.Equal(c.A.Data, one.InkAt(0).Data);
        Assert.Equal(c.B.Data, one.InkAt(1).Data);
        Assert.Equal(one.Forward.U, two.Forward.U);
        Assert.Equal(one.InkAt(0.3).Data, two.InkAt(0.3).Data);
    }

    [Fact]
    public void Disposed_inbetweeners_give_their_planes_back_and_the_next_ones_make_the_same_bits()
    {
        var c = Set.Value[1].Case;
        var (ca, cb) = (OnnxInterpolator.InkToRgba(c.A), OnnxInterpolator.InkToRgba(c.B));
        var ink = ImageInbetweener.FromInk(c.A, c.B);
        var colour = ImageInbetweener.FromRgba(ca, cb);
        var (inkMid, colourMid) = (ink.InkAt(0.4), colour.RgbaAt(0.4));
        float[] u = ink.Forward.U.ToArray(), v = ink.Backward.V.ToArray(), m = inkMid.Data.ToArray();
        float[] cu = colour.Forward.U.ToArray(), cr = colourMid.R.ToArray(), ca2 = colourMid.A.ToArray();
        ink.Dispose(); colour.Dispose();
        ink.Dispose(); // a second Dispose does nothing
        Assert.Throws<ObjectDisposedException>(() => ink.InkAt(0.5));
        Assert.Throws<ObjectDisposedException>(() => colour.RgbaAt(0.5));
        FramePool.Return(inkMid.Data); FramePool.Return(colourMid);
        // the next inbetweeners of this size may work in the planes given back (cleared): the same flows and frames
        using var ink2 = ImageInbetweener.FromInk(c.A, c.B);
        using var colour2 = ImageInbetweener.FromRgba(ca, cb);
        Assert.Equal(u, ink2.Forward.U);
        Assert.Equal(v, ink2.Backward.V);
        Assert.Equal(m, ink2.InkAt(0.4).Data);
        Assert.Equal(cu, colour2.Forward.U);
        var mid2 = colour2.RgbaAt(0.4);
        Assert.Equal(cr, mid2.R);
        Assert.Equal(ca2, mid2.A);
    }

    [Fact]
    public void Flo_files_round_trip_and_bad_ones_are_refused()
    {
        var f = new FlowField(3, 2);
        for (int i = 0; i < 6; i++) { f.U[i] = i * 0.5f - 1; f.V[i] = -i * 0.25f; }
        var bytes = f.ToFlo();
        Assert.Equal("PIEH", System.Text.Encoding.ASCII.GetString(bytes, 0, 4));
        Assert.Equal(12 + 6 * 8, bytes.Length);
        var g = FlowField.FromFlo(bytes);
        Assert.Equal((3, 2), (g.Width, g.Height));
        Assert.Equal(f.U, g.U);
        Assert.Equal(f.V, g.V);
        Assert.Throws<InvalidDataException>(() => FlowField.FromFlo(bytes.AsSpan(0, 20)));
        var wrongTag = (byte[])bytes.Clone(); wrongTag[0] = (byte)'X';
        Assert.Throws<InvalidDataException>(() => FlowField.FromFlo(wrongTag));
    }

    [Fact]
    public void A_keyed_rig_move_starts_and_ends_slow()
    {
        var c = new CharacterSpec
        {
            Name = "A", Rig = "lanky",
            Keyframes = [new PoseKey { Frame = 0, Pose = "idle", X = 0.2 }, new PoseKey { Frame = 48, Pose = "idle", X = 0.8 }],
        };
        var x = Enumerable.Range(0, 49).Select(f => MotionInterpolator.Evaluate(c, f, 24).X).ToArray();
        var v = Enumerable.Range(1, 48).Select(f => x[f] - x[f - 1]).ToArray();
        double peak = v.Max();
        Assert.True(v[0] < 0.15 * peak, $"first-frame speed {v[0]:F4} vs peak {peak:F4}");
        Assert.True(v[^1] < 0.15 * peak, $"last-frame speed {v[^1]:F4} vs peak {peak:F4}");
        Assert.True(v[24] > 0.9 * peak || v[23] > 0.9 * peak, "fastest in the middle");
        for (int f = 1; f < 24; f++) Assert.True(v[f] >= v[f - 1], "speeds up through the first half");
    }
}
