using System.CommandLine;
using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;
using Talos.Messages.Specs;

namespace Talos.Cli.Flux;

/// <summary>
/// <c>talos flow A.png B.png --out F.flo</c>: dense optical flow from A to B as a Middlebury .flo file.
/// <c>talos inbetween A.png B.png (--t 0.5 --out M.png | --count N --out DIR)</c>: image-space inbetweens of two drawn
/// keys. Grey drawings are inbetweened as ink (lines kept single and crisp); colour frames as colour. <c>--method rife</c>
/// runs the RIFE v4.6 network (<c>talos models fetch rife</c>) instead of Talos's own optical-flow inbetweener.
/// </summary>
public static class FluxCommands
{
    /// <summary><c>talos curves INPUT --out curves.json</c>: FLUX's motion curves of every shot, one sample per frame.</summary>
    public static Command Curves()
    {
        var input = new Argument<string>("INPUT") { Description = "a .fountain screenplay, a shot-spec .json, or a quoted prompt" };
        var output = new Option<string>("--out", "-o") { Description = "output JSON path", Required = true };
        var fps = new Option<int?>("--fps") { Description = "frames per second (default 24, or the spec's)" };
        var cmd = new Command("curves", "Export FLUX's motion curves (position, facing, pose channels, camera) per shot as JSON") { input, output, fps };
        cmd.SetAction((parse, ct) => CliErrors.Guard(() =>
        {
            if (parse.GetValue(fps) is { } f && Limits.FpsProblem(f) is { } badF) throw new UsageException($"--fps {badF}");
            var specs = Talos.Gpu.Prism.InputLoader.Load(parse.GetValue(input)!, new Talos.Gpu.Prism.RenderSettings(Fps: parse.GetValue(fps) ?? 24));
            var curves = specs.Select(MotionCurves.Sample).ToList();
            string outPath = parse.GetValue(output)!;
            CliFiles.Write(outPath, MotionCurves.ToJson(curves));
            Console.WriteLine($"wrote {outPath}: {curves.Count} shot(s), {curves.Sum(c => c.Frames)} frames of curves");
            return Task.FromResult(CliErrors.Ok);
        }));
        return cmd;
    }

    public static Command Flow()
    {
        var a = new Argument<string>("A") { Description = "first image (PNG/JPEG)" };
        var b = new Argument<string>("B") { Description = "second image, same size" };
        var output = new Option<string>("--out", "-o") { Description = "output .flo path", Required = true };
        var cmd = new Command("flow", "Dense optical flow from A to B, written as a Middlebury .flo file") { a, b, output };
        cmd.SetAction((parse, ct) => CliErrors.Guard(() =>
        {
            string outPath = parse.GetValue(output)!;
            if (!outPath.EndsWith(".flo", StringComparison.OrdinalIgnoreCase)) throw new UsageException($"--out must name a .flo file, not '{outPath}'");
            var (ba, bb) = (CliFiles.Read(parse.GetValue(a)!), CliFiles.Read(parse.GetValue(b)!));
            var (fa, fb) = Features(ba, parse.GetValue(a)!, bb, parse.GetValue(b)!);
            var flow = OpticalFlow.Compute(fa, fb, FlowOptions.For(fa.Width, fa.Height));
            CliFiles.Write(outPath, flow.ToFlo());
            Console.WriteLine($"wrote {outPath}: {flow.Width}x{flow.Height} flow");
            return Task.FromResult(CliErrors.Ok);
        }));
        return cmd;
    }

    public static Command Inbetween()
    {
        var a = new Argument<string>("A") { Description = "first key (PNG/JPEG)" };
        var b = new Argument<string>("B") { Description = "second key, same size" };
        var t = new Option<double?>("--t") { Description = "time between the keys, in (0, 1); with --out naming a PNG" };
        var count = new Option<int?>("--count", "-n") { Description = "number of evenly spaced inbetweens; with --out naming a directory" };
        var output = new Option<string>("--out", "-o") { Description = "output PNG (with --t) or directory (with --count)", Required = true };
        var method = new Option<string>("--method") { Description = "classic (optical flow both ways, occlusion-aware warping) or rife (the RIFE v4.6 network: talos models fetch rife)", DefaultValueFactory = _ => "classic" };
        method.AcceptOnlyFromAmong("classic", "rife");
        var cmd = new Command("inbetween", "Inbetween two drawn keys (optical flow both ways, occlusion-aware warping; or RIFE with --method rife)") { a, b, t, count, output, method };
        cmd.SetAction((parse, ct) => CliErrors.Guard(() =>
        {
            double? time = parse.GetValue(t);
            int? n = parse.GetValue(count);
            string outPath = parse.GetValue(output)!;
            if (time is null == n is null) throw new UsageException("give exactly one of --t (one inbetween) or --count (several)");
            if (time is { } tv && (double.IsNaN(tv) || tv <= 0 || tv >= 1)) throw new UsageException($"--t {tv} must be strictly between 0 and 1");
            if (n is < 1 or > 240) throw new UsageException($"--count {n} is outside 1..240");
            if (time is not null && !outPath.EndsWith(".png", StringComparison.OrdinalIgnoreCase)) throw new UsageException($"--out must name a .png file with --t, not '{outPath}'");

            string pa = parse.GetValue(a)!, pb = parse.GetValue(b)!;
            var (ba, bb) = (CliFiles.Read(pa), CliFiles.Read(pb));
            using var rife = parse.GetValue(method) == "rife" ? OnnxInterpolator.LoadRife(threads: Environment.ProcessorCount) : null;
            bool colour = KeyImages.IsColour(ba, pa) || KeyImages.IsColour(bb, pb);
            Func<double, byte[]> at;
            ImageInbetweener? between = null; // disposed below: its flows and masks go back to FramePool
            try
            {
                if (colour)
                {
                    var (ia, ib) = (KeyImages.ReadRgba(ba, pa), KeyImages.ReadRgba(bb, pb));
                    SameSize(ia.Width, ia.Height, ib.Width, ib.Height, pa, pb);
                    if (rife is not null) at = x => KeyImages.WriteRgba(rife.Interpolate(ia, ib, x));
                    else
                    {
                        var classic = between = ImageInbetweener.FromRgba(ia, ib);
                        at = x =>
                        {
                            var frame = classic.RgbaAt(x);
                            try { return KeyImages.WriteRgba(frame); }
                            finally { FramePool.Return(frame); }
                        };
                    }
                }
                else
                {
                    var (ia, ib) = (KeyImages.ReadInk(ba, pa), KeyImages.ReadInk(bb, pb));
                    SameSize(ia.Width, ia.Height, ib.Width, ib.Height, pa, pb);
                    if (rife is not null) at = x => KeyImages.WriteInk(rife.Interpolate(ia, ib, x));
                    else
                    {
                        var classic = between = ImageInbetweener.FromInk(ia, ib);
                        at = x =>
                        {
                            var frame = classic.InkAt(x);
                            try { return KeyImages.WriteInk(frame); }
                            finally { FramePool.Return(frame.Data); }
                        };
                    }
                }
                if (time is { } one)
                {
                    CliFiles.Write(outPath, at(one));
                    Console.WriteLine($"wrote {outPath} (t = {one})");
                }
                else
                {
                    Directory.CreateDirectory(outPath);
                    for (int k = 1; k <= n!.Value; k++)
                    {
                        ct.ThrowIfCancellationRequested();
                        CliFiles.Write(Path.Combine(outPath, $"inbetween_{k:D3}.png"), at((double)k / (n.Value + 1)));
                    }
                    Console.WriteLine($"wrote {n} inbetweens to {outPath}");
                }
            }
            finally { between?.Dispose(); }
            return Task.FromResult(CliErrors.Ok);
        }));
        return cmd;
    }

    static (FlowFeatures, FlowFeatures) Features(byte[] ba, string pa, byte[] bb, string pb)
    {
        if (KeyImages.IsColour(ba, pa) || KeyImages.IsColour(bb, pb))
        {
            var (ia, ib) = (KeyImages.ReadRgba(ba, pa), KeyImages.ReadRgba(bb, pb));
            SameSize(ia.Width, ia.Height, ib.Width, ib.Height, pa, pb);
            return (FlowFeatures.FromRgba(ia), FlowFeatures.FromRgba(ib));
        }
        var (ka, kb) = (KeyImages.ReadInk(ba, pa), KeyImages.ReadInk(bb, pb));
        SameSize(ka.Width, ka.Height, kb.Width, kb.Height, pa, pb);
        return (FlowFeatures.FromInk(ka), FlowFeatures.FromInk(kb));
    }

    static void SameSize(int wa, int ha, int wb, int hb, string pa, string pb)
    {
        if (wa != wb || ha != hb) throw new UsageException($"'{pa}' is {wa}x{ha} but '{pb}' is {wb}x{hb}: the images must have the same size");
    }
}
