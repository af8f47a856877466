using System.Diagnostics;
using System.Globalization;
using Talos.Gpu.Axis;
using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;
using Talos.Gpu.Processes;
using Talos.Gpu.Protoforge;

namespace Talos.Bench;

/// <summary>
/// <c>./bench/run flux</c>: key pairs generated from the rigs with the true middle drawn at the middle pose and
/// position (and the true flow where the motion is a pure translation), line art and coloured, small and large motion,
/// self-occlusion. Scores PSNR/SSIM of the middle frame and flow endpoint error for Talos, a cross-fade, OpenCV
/// Farneback + warp (Debian python3-opencv via /usr/bin/python3, when present) and RIFE v4.6 (Talos's ONNX conversion,
/// ONNX Runtime on the CPU, when <c>talos models fetch rife</c> has run), and times one inbetween at 1280×720.
/// The cases are generated here and never used for tuning.
/// </summary>
public static class FluxBench
{
    sealed record Case(string Name, bool Colour, string Rig, string PoseA, string EmoA, double XA, string PoseB, string EmoB, double XB);

    static readonly Case[] Cases =
    [
        new("line art, small translation", false, "lanky", "walk", "calm", 0.40, "walk", "calm", 0.43),
        new("line art, large translation", false, "stocky", "run", "calm", 0.30, "run", "calm", 0.42),
        new("line art, pose change + move", false, "round", "idle", "calm", 0.45, "gesture", "joy", 0.52),
        new("line art, arm across body (occlusion)", false, "lanky", "idle", "calm", 0.5, "fight", "anger", 0.53),
        new("coloured, large translation", true, "round", "walk", "calm", 0.35, "walk", "calm", 0.47),
        new("coloured, pose change + move", true, "stocky", "idle", "calm", 0.45, "point", "anger", 0.52),
    ];

    public static int Run(int width, int height, bool paperOnly = false, bool timeOnly = false)
    {
        bool cv = File.Exists("/usr/bin/python3") && Probe();
        string script = Path.Combine(AppContext.BaseDirectory, "flux_farneback.py");
        var tmp = Directory.CreateTempSubdirectory("talos-flux-bench").FullName;
        using var rife = NpmFetcher.Cached(ModelRegistry.Rife) is not null ? OnnxInterpolator.LoadRife(threads: Environment.ProcessorCount) : null;
        Console.WriteLine($"FLUX inbetween benchmark, {width}x{height} pairs, middle frame t = 0.5{(cv ? "" : " (OpenCV not available: Farneback column skipped)")}" +
            (rife is null ? " (RIFE not fetched: run `talos models fetch rife` for its rows)" : ""));
        if (paperOnly)
        {
            Paper(cv, script, tmp, rife);
            Directory.Delete(tmp, true);
            return 0;
        }
        if (timeOnly)
        {
            Time(cv, script, tmp, rife);
            Directory.Delete(tmp, true);
            return 0;
        }
        Console.WriteLine();
        Console.WriteLine("| case | method | PSNR dB | SSIM | flow EPE px |");
        Console.WriteLine("|---|---|---:|---:|---:|");
        var sums = new Dictionary<string, (double Psnr, double Ssim, int N)>();
        foreach (var c in Cases)
        {
            if (!Selected(c.Name)) continue;
            var (a, m, b, truth) = Make(c, width, height);
            var fa = c.Colour ? FlowFeatures.FromRgba(a) : null;
            using ImageInbetweener ib = c.Colour ? ImageInbetweener.FromRgba(a, b) : ImageInbetweener.FromInk(Ink(a), Ink(b));
            var talos = c.Colour ? ib.RgbaAt(0.5) : InkToRgba(ib.InkAt(0.5));
            Hash(ib, talos.R, talos.G, talos.B, talos.A);
            var fade = CrossFade(a, b);
            Dump(c.Name, "Talos", talos, m);
            Row(c, "Talos", talos, m, truth is null ? null : ib.Forward.EndpointError(truth, Near(a, truth)), sums);
            Row(c, "cross-fade", fade, m, null, sums);
            if (cv)
            {
                string pa = Path.Combine(tmp, "a.png"), pb = Path.Combine(tmp, "b.png"), pm = Path.Combine(tmp, "m.png"), pf = Path.Combine(tmp, "f.flo");
                File.WriteAllBytes(pa, KeyImages.WriteRgba(a)); File.WriteAllBytes(pb, KeyImages.WriteRgba(b));
                Python(script, pa, pb, pm, pf);
                var mid = KeyImages.ReadRgba(File.ReadAllBytes(pm), pm);
                var flow = FlowField.FromFlo(File.ReadAllBytes(pf));
                Row(c, "Farneback + warp", mid, m, truth is null ? null : flow.EndpointError(truth, Near(a, truth)), sums);
            }
            if (rife is not null) Row(c, "RIFE v4.6 (ONNX)", rife.Interpolate(a, b, 0.5), m, null, sums);
            _ = fa;
        }
        Console.WriteLine();
        Console.WriteLine("| method | mean PSNR dB | mean SSIM |");
        Console.WriteLine("|---|---:|---:|");
        foreach (var (k, v) in sums) Console.WriteLine($"| {k} | {v.Psnr / v.N:F2} | {v.Ssim / v.N:F3} |");
        PrintDigest();

        if (Environment.GetEnvironmentVariable("TALOS_FLUX_ONLY") is not { Length: > 0 }) Time(cv, script, tmp, rife);
        Paper(cv, script, tmp, rife);
        Directory.Delete(tmp, true);
        return 0;
    }

    /// <summary>Time per 1280×720 inbetween (both flows + warp), line art, against Farneback + warp and RIFE in the same run.</summary>
    static void Time(bool cv, string script, string tmp, OnnxInterpolator? rife)
    {
        var big = Cases[1];
        var (ba, _, bb, _) = Make(big, 1280, 720);
        var (ia, ibk) = (Ink(ba), Ink(bb));
        using (var warm = ImageInbetweener.FromInk(ia, ibk)) // warm-up
        {
            var wm = warm.InkAt(0.5);
            Hash(warm, wm.Data);
            FramePool.Return(wm.Data);
        }
        // the best of three, as Farneback's below (the machine is shared: the best run is the one least disturbed)
        // TALOS_FLUX_REPS: more Talos repetitions (e.g. to profile one inbetween with perf); Farneback and RIFE keep three
        int reps = Reps();
        double talosMs = Enumerable.Range(0, reps).Select(_ =>
        {
            var sw = Stopwatch.StartNew();
            double ms;
            // the inbetweener's planes and the frame go back to FramePool, as a stage's do between frames
            using (var ib = ImageInbetweener.FromInk(ia, ibk))
            {
                var m = ib.InkAt(0.5);
                ms = sw.Elapsed.TotalMilliseconds;
                FramePool.Return(m.Data);
            }
            return ms;
        }).Min();
        Console.WriteLine();
        Console.WriteLine($"| method | ms per 1280x720 inbetween (best of {reps}; Farneback, RIFE: 3) |");
        Console.WriteLine("|---|---:|");
        Console.WriteLine($"| Talos (two flows at ≤640 wide, splat, warp, blend) | {talosMs:F0} |");
        if (cv)
        {
            string pa = Path.Combine(tmp, "a.png"), pb = Path.Combine(tmp, "b.png");
            File.WriteAllBytes(pa, KeyImages.WriteRgba(ba)); File.WriteAllBytes(pb, KeyImages.WriteRgba(bb));
            double s = Enumerable.Range(0, 3).Select(_ => Python(script, pa, pb, Path.Combine(tmp, "m.png"), Path.Combine(tmp, "f.flo"))).Min();
            Console.WriteLine($"| Farneback + warp (OpenCV 4.6, one flow, full res) | {s * 1000:F0} |");
        }
        if (rife is not null)
        {
            rife.Interpolate(ba, bb, 0.5); // warm-up
            var sw = Stopwatch.StartNew();
            for (int k = 0; k < 3; k++) rife.Interpolate(ba, bb, 0.5);
            Console.WriteLine($"| RIFE v4.6 (ONNX Runtime, CPU, {Environment.ProcessorCount} threads; padded to 1280x736) | {sw.Elapsed.TotalMilliseconds / 3:F0} |");
        }
        PrintDigest();
        Console.WriteLine($"load average after: {MachineLoad.Averages()}");
    }

    /// <summary>Timed Talos inbetweens per pair, the best taken: TALOS_FLUX_REPS, else 3 (Farneback and RIFE keep three).</summary>
    static int Reps() => int.TryParse(Environment.GetEnvironmentVariable("TALOS_FLUX_REPS"), out var r) && r > 0 ? r : 3;

    sealed record PaperCase(string Name, string Rig, string Pose, bool Filled, float Dx, float Dy, float Degrees, int Seed);

    /// <summary>Rig figures moved rigidly over faintly textured paper (<see cref="PaperPairs"/>), always 1280×720.</summary>
    static readonly PaperCase[] PaperCases =
    [
        new("paper, filled figure, small move", "round", "walk", true, 5, 2, 0, 11),
        new("paper, filled figure, large move", "stocky", "run", true, 72, 0, 0, 12),
        new("paper, ink-only figure, large move", "lanky", "idle", false, -46, 9, 0, 13),
        new("paper, filled figure, turn 8° + move", "round", "gesture", true, 24, -6, 8, 14),
    ];

    /// <summary>
    /// The paper pairs: mean endpoint error of the flow A→B over all pixels, over A's figure and over the paper (true
    /// flow zero there, also where B's figure hides it), PSNR of the middle frame, and milliseconds per inbetween
    /// (both keys to the middle frame, best of three; Farneback's own clock, without reading and writing files).
    /// </summary>
    static void Paper(bool cv, string script, string tmp, OnnxInterpolator? rife)
    {
        const int w = 1280, h = 720;
        int reps = Reps();
        Console.WriteLine();
        Console.WriteLine($"Figures over faintly textured paper, {w}x{h}, middle frame t = 0.5; EPE px over all pixels / A's figure / the paper");
        Console.WriteLine();
        Console.WriteLine("| case | method | EPE all | EPE figure | EPE paper | PSNR dB | ms per inbetween |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");
        var sums = new Dictionary<string, (double Epe, double Psnr, double Ms, int N)>();
        PaperPair Pair(PaperCase c)
        {
            var rig = Rigs.Get(c.Rig);
            var d = LineArt.Draw(rig, PoseLibrary.Resolve(c.Pose, "calm", 0), 0.42, 1, CameraState.Wide, w, h);
            return PaperPairs.Make(PaperPairs.FigureLayer(d, c.Filled ? rig.DefaultPalette : null), PaperPairs.Paper(w, h, c.Seed), c.Dx, c.Dy, c.Degrees);
        }
        // warm-up, untimed, as the timing pair's and RIFE's: the colour path's first call would otherwise time the JIT
        if (PaperCases.FirstOrDefault(c => Selected(c.Name)) is { } first)
        {
            var wp = Pair(first);
            using var warm = ImageInbetweener.FromRgba(wp.A, wp.B);
            FramePool.Return(warm.RgbaAt(0.5));
        }
        foreach (var c in PaperCases)
        {
            if (!Selected(c.Name)) continue;
            var p = Pair(c);
            // the best of three (TALOS_FLUX_REPS: of that many), as the timing pair's and Farneback's below: the machine is shared
            ImageInbetweener ib = null!;
            RgbaImage mid = null!;
            double best = double.MaxValue;
            for (int k = 0; k < reps; k++)
            {
                // the previous repetition's planes go back to FramePool, as a stage's do between frames
                if (k > 0) { ib.Dispose(); FramePool.Return(mid); }
                var sw = Stopwatch.StartNew();
                ib = ImageInbetweener.FromRgba(p.A, p.B);
                mid = ib.RgbaAt(0.5);
                best = Math.Min(best, sw.Elapsed.TotalMilliseconds);
            }
            Hash(ib, mid.R, mid.G, mid.B, mid.A);
            PaperRow(c.Name, "Talos", ib.Forward, p, mid, best, sums);
            PaperRow(c.Name, "cross-fade", null, p, CrossFade(p.A, p.B), null, sums);
            if (cv)
            {
                string pa = Path.Combine(tmp, "a.png"), pb = Path.Combine(tmp, "b.png"), pm = Path.Combine(tmp, "m.png"), pf = Path.Combine(tmp, "f.flo");
                File.WriteAllBytes(pa, KeyImages.WriteRgba(p.A)); File.WriteAllBytes(pb, KeyImages.WriteRgba(p.B));
                double s = Enumerable.Range(0, 3).Select(_ => Python(script, pa, pb, pm, pf)).Min();
                PaperRow(c.Name, "Farneback + warp", FlowField.FromFlo(File.ReadAllBytes(pf)), p, KeyImages.ReadRgba(File.ReadAllBytes(pm), pm), s * 1000, sums);
            }
            if (rife is not null)
            {
                var sw = Stopwatch.StartNew();
                var r = rife.Interpolate(p.A, p.B, 0.5);
                PaperRow(c.Name, "RIFE v4.6 (ONNX)", null, p, r, sw.Elapsed.TotalMilliseconds, sums);
            }
            ib.Dispose(); FramePool.Return(mid);
        }
        Console.WriteLine();
        Console.WriteLine("| method | mean EPE all px | mean PSNR dB | mean ms per 1280x720 inbetween |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var (k, v) in sums)
            Console.WriteLine($"| {k} | {(double.IsNaN(v.Epe) ? "–" : (v.Epe / v.N).ToString("F2", CultureInfo.InvariantCulture))} | {v.Psnr / v.N:F2} | " +
                              $"{(double.IsNaN(v.Ms) ? "–" : (v.Ms / v.N).ToString("F0", CultureInfo.InvariantCulture))} |");
        PrintDigest();
        Console.WriteLine($"load average after: {MachineLoad.Averages()}");
    }

    static void PaperRow(string name, string method, FlowField? flow, PaperPair p, RgbaImage mid, double? ms, Dictionary<string, (double, double, double, int)> sums)
    {
        string F(double? v, string f) => v is { } x ? x.ToString(f, CultureInfo.InvariantCulture) : "–";
        double? all = flow?.EndpointError(p.Truth), fig = flow?.EndpointError(p.Truth, i => p.FigureA[i]), paper = flow?.EndpointError(p.Truth, i => !p.FigureA[i]);
        double psnr = Psnr(mid, p.Middle);
        if (Environment.GetEnvironmentVariable("TALOS_FLUX_PNG") is { Length: > 0 } dir)
        {
            // endpoint error map (white = 8 px or more) and the middle frame, to look at
            string stem = Path.Combine(dir, $"{new string(name.Where(char.IsLetterOrDigit).ToArray())}-{new string(method.Where(char.IsLetterOrDigit).ToArray())}");
            if (flow is not null)
            {
                var err = new GrayImage(flow.Width, flow.Height);
                for (int i = 0; i < err.Data.Length; i++)
                    err.Data[i] = Math.Min(1f, MathF.Sqrt(MathF.Pow(flow.U[i] - p.Truth.U[i], 2) + MathF.Pow(flow.V[i] - p.Truth.V[i], 2)) / 8f);
                File.WriteAllBytes(stem + "-epe.png", KeyImages.WriteInk(err));
            }
        }
        Dump(name, method, mid, p.Middle);
        var (e, ps, t, n) = sums.GetValueOrDefault(method);
        sums[method] = (e + (all ?? double.NaN), ps + psnr, t + (ms ?? double.NaN), n + 1);
        Console.WriteLine($"| {name} | {method} | {F(all, "F2")} | {F(fig, "F2")} | {F(paper, "F2")} | {psnr:F2} | {F(ms, "F0")} |");
    }

    /// <summary>TALOS_FLUX_ONLY (a comma-separated list of case-name substrings) runs only those cases; unset, all.</summary>
    static bool Selected(string name) =>
        Environment.GetEnvironmentVariable("TALOS_FLUX_ONLY") is not { Length: > 0 } only ||
        only.Split(',').Any(s => name.Contains(s.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>With TALOS_FLUX_PNG set, the middle frame, the true one and the error (white = 32 levels or more, per channel) as PNGs, to look at.</summary>
    static void Dump(string name, string method, RgbaImage mid, RgbaImage truth)
    {
        if (Environment.GetEnvironmentVariable("TALOS_FLUX_PNG") is not { Length: > 0 } dir) return;
        string stem = Path.Combine(dir, $"{new string(name.Where(char.IsLetterOrDigit).ToArray())}-{new string(method.Where(char.IsLetterOrDigit).ToArray())}");
        File.WriteAllBytes(stem + "-mid.png", KeyImages.WriteRgba(mid));
        File.WriteAllBytes(stem + "-truth.png", KeyImages.WriteRgba(truth));
        float[] got = Levels(mid), want = Levels(truth);
        var err = new RgbaImage(mid.Width, mid.Height);
        float[][] ch = [err.R, err.G, err.B];
        for (int i = 0; i < err.PixelCount; i++)
        {
            for (int c = 0; c < 3; c++) ch[c][i] = ColorMath.SrgbToLinear(Math.Min(1f, MathF.Abs(got[3 * i + c] - want[3 * i + c]) / 32f));
            err.A[i] = 1;
        }
        File.WriteAllBytes(stem + "-err.png", KeyImages.WriteRgba(err));
    }

    /// <summary>SHA-256 over every Talos middle frame and both flows of the run (float bits), printed at the end: two builds that print the same digest made the same inbetweens.</summary>
    static readonly System.Security.Cryptography.IncrementalHash Digest = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);

    static void Hash(ImageInbetweener ib, params float[][] planes)
    {
        foreach (var p in planes.Concat([ib.Forward.U, ib.Forward.V, ib.Backward.U, ib.Backward.V]))
            Digest.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(p.AsSpan()));
    }

    static void PrintDigest() => Console.WriteLine($"Talos digest (middle frames and flows, SHA-256): {Convert.ToHexString(Digest.GetHashAndReset())[..16]}");

    static bool Probe()
    {
        try { return ProcessRunner.Run("/usr/bin/python3", ["-c", "import cv2"], check: false).ExitCode == 0; }
        catch (ProcessException) { return false; }
    }

    static double Python(string script, params string[] args) =>
        double.Parse(ProcessRunner.Run("/usr/bin/python3", [script, .. args]).Output.Trim(), CultureInfo.InvariantCulture);

    static void Row(Case c, string method, RgbaImage got, RgbaImage truth, double? epe, Dictionary<string, (double, double, int)> sums)
    {
        double p = Psnr(got, truth), s = Ssim(got, truth);
        var (ps, ss, n) = sums.GetValueOrDefault(method);
        sums[method] = (ps + p, ss + s, n + 1);
        Console.WriteLine($"| {c.Name} | {method} | {p:F2} | {s:F3} | {(epe is { } e ? e.ToString("F2", CultureInfo.InvariantCulture) : "–")} |");
    }

    /// <summary>A, true middle, B, and the true flow A→B when the motion is a pure translation (same pose).</summary>
    static (RgbaImage A, RgbaImage M, RgbaImage B, FlowField? Flow) Make(Case c, int w, int h)
    {
        var rig = Rigs.Get(c.Rig);
        var (pa, pb) = (PoseLibrary.Resolve(c.PoseA, c.EmoA, 0), PoseLibrary.Resolve(c.PoseB, c.EmoB, 0));
        RgbaImage Draw(Pose p, double x)
        {
            var d = LineArt.Draw(rig, p, x, 1, CameraState.Wide, w, h);
            return c.Colour ? Colour(d, rig) : InkToRgba(d.Lines);
        }
        FlowField? flow = null;
        if (c.PoseA == c.PoseB && c.EmoA == c.EmoB)
        {
            flow = new FlowField(w, h);
            Array.Fill(flow.U, (float)((c.XB - c.XA) * w));
        }
        return (Draw(pa, c.XA), Draw(Pose.Lerp(pa, pb, 0.5f), (c.XA + c.XB) / 2), Draw(pb, c.XB), flow);
    }

    /// <summary>Pixels of A within a few pixels of its lines (where the true translation is the character's).</summary>
    static Func<int, bool> Near(RgbaImage a, FlowField truth)
    {
        var ink = Ink(a);
        var d = DistanceTransform.Compute(ink.Data.Select(v => v > 0.35f).ToArray(), a.Width, a.Height, 1000);
        return i => d[i] <= 3;
    }

    /// <summary>The drawing's regions filled from its seeds with the rig's palette over a soft sky gradient, lines on top.</summary>
    static RgbaImage Colour(LineDrawing d, Rig rig)
    {
        float h = d.Lines.Height;
        return PaperPairs.Over(PaperPairs.FigureLayer(d, rig.DefaultPalette), (_, y) => new Rgb(0.35f + 0.3f * y / h, 0.45f + 0.2f * y / h, 0.7f - 0.2f * y / h));
    }

    static RgbaImage InkToRgba(GrayImage g) => Talos.Gpu.Flux.OnnxInterpolator.InkToRgba(g);

    static GrayImage Ink(RgbaImage img)
    {
        var g = new GrayImage(img.Width, img.Height);
        for (int i = 0; i < g.Data.Length; i++) g.Data[i] = 1 - ColorMath.LinearToSrgb(Math.Clamp(ColorMath.Luma(img.R[i], img.G[i], img.B[i]), 0f, 1f));
        return g;
    }

    static RgbaImage CrossFade(RgbaImage a, RgbaImage b)
    {
        var m = new RgbaImage(a.Width, a.Height);
        for (int i = 0; i < m.PixelCount; i++)
        {
            // blend the 8-bit sRGB values, as a video editor's dissolve would
            m.R[i] = ColorMath.SrgbToLinear(0.5f * (ColorMath.LinearToSrgb(a.R[i]) + ColorMath.LinearToSrgb(b.R[i])));
            m.G[i] = ColorMath.SrgbToLinear(0.5f * (ColorMath.LinearToSrgb(a.G[i]) + ColorMath.LinearToSrgb(b.G[i])));
            m.B[i] = ColorMath.SrgbToLinear(0.5f * (ColorMath.LinearToSrgb(a.B[i]) + ColorMath.LinearToSrgb(b.B[i])));
            m.A[i] = 1;
        }
        return m;
    }

    /// <summary>Interleaved sRGB levels 0..255 of a linear frame, unrounded (scored like an 8-bit frame).</summary>
    static float[] Levels(RgbaImage img)
    {
        var levels = new float[3 * img.PixelCount];
        float[][] channels = [img.R, img.G, img.B];
        for (int i = 0; i < img.PixelCount; i++)
            for (int c = 0; c < 3; c++) levels[3 * i + c] = 255f * ColorMath.LinearToSrgb(Math.Clamp(channels[c][i], 0f, 1f));
        return levels;
    }

    static double Psnr(RgbaImage p, RgbaImage q) => FrameComparison.Psnr(Levels(q), Levels(p));

    /// <summary>Mean SSIM over 8×8 windows (stride 4) of the sRGB luma (<see cref="FrameComparison.Ssim"/>).</summary>
    static double Ssim(RgbaImage p, RgbaImage q) => FrameComparison.Ssim(Levels(q), Levels(p), p.Width);
}
