using System.CommandLine;
using System.Text.Json;
using Talos.Gpu.Cuttura;
using Talos.Gpu.Imaging;
using Talos.Gpu.Kernels;
using Talos.Gpu.Stokes;
using Talos.Messages.Specs;

namespace Talos.Cli;

/// <summary>
/// <c>talos stokes --preset fire --grid 256 --frames 96 --out fire.mp4 --stats s.json</c>: runs one STOKES effect on its
/// own, composites its VFX layer over a dark backdrop into an H.264 video, and writes per-frame solver statistics.
/// </summary>
public static class StokesCommand
{
    public static readonly IReadOnlyList<string> Presets = ["smoke", "fire", "magic", "mist", "steam", "explosion"];

    public static Command Create()
    {
        var preset = new Option<string>("--preset") { Description = "smoke, fire, magic, mist (also steam, explosion)", DefaultValueFactory = _ => "fire" };
        var grid = new Option<int>("--grid") { Description = "simulation cells on the short side (8..1024)", DefaultValueFactory = _ => 128 };
        var frames = new Option<int>("--frames") { Description = "frames to simulate (1..10000)", DefaultValueFactory = _ => 96 };
        var threads = new Option<int>("--threads") { Description = "CPU threads (0: all cores)", DefaultValueFactory = _ => 0 };
        var output = new Option<string?>("--out", "-o") { Description = "output MP4 (optional)" };
        var stats = new Option<string?>("--stats") { Description = "per-frame statistics JSON file" };
        var width = new Option<int>("--width") { Description = "video width (even, 16..3840)", DefaultValueFactory = _ => 640 };
        var height = new Option<int>("--height") { Description = "video height (even, 16..2160)", DefaultValueFactory = _ => 360 };
        var fps = new Option<int>("--fps") { Description = "frames per second (1..120)", DefaultValueFactory = _ => 24 };
        var advection = new Option<string>("--advection") { Description = "maccormack or semi-lagrangian", DefaultValueFactory = _ => "maccormack" };
        var cmd = new Command("stokes", "Simulate and render one STOKES effect preset") { preset, grid, frames, threads, output, stats, width, height, fps, advection };
        cmd.SetAction((parse, ct) => CliErrors.Guard(() => RunAsync(new Request(parse.GetValue(preset)!, parse.GetValue(grid), parse.GetValue(frames),
            parse.GetValue(threads), parse.GetValue(output), parse.GetValue(stats), parse.GetValue(width), parse.GetValue(height), parse.GetValue(fps),
            parse.GetValue(advection)!), ct)));
        return cmd;
    }

    public sealed record Request(string Preset, int Grid, int Frames, int Threads, string? Out, string? Stats, int Width, int Height, int Fps, string Advection);

    public static async Task<int> RunAsync(Request req, CancellationToken ct)
    {
        var name = req.Preset.Trim().ToLowerInvariant();
        if (!Presets.Contains(name)) throw new UsageException($"--preset '{req.Preset}' is not one of {string.Join(", ", Presets)}");
        if (req.Grid is < 8 or > 1024) throw new UsageException($"--grid {req.Grid} is outside 8..1024");
        if (req.Frames is < 1 or > 10_000) throw new UsageException($"--frames {req.Frames} is outside 1..10000");
        if (req.Threads is < 0 or > 1024) throw new UsageException($"--threads {req.Threads} is outside 0..1024");
        if (req.Width is < 16 or > 3840 || req.Height is < 16 or > 2160 || req.Width % 2 != 0 || req.Height % 2 != 0)
            throw new UsageException($"video size {req.Width}x{req.Height} must be even and within 16..3840 x 16..2160");
        if (Limits.FpsProblem(req.Fps) is { } badF) throw new UsageException($"--fps {badF}");
        if (req.Out is { } o && !o.EndsWith(".mp4", StringComparison.OrdinalIgnoreCase)) throw new UsageException($"--out must name an .mp4 file, not '{o}'");
        if (req.Out is null && req.Stats is null) throw new UsageException("nothing to write: give --out x.mp4 and/or --stats stats.json");
        var scheme = req.Advection.Trim().ToLowerInvariant() switch
        {
            "maccormack" or "bfecc" => AdvectionScheme.MacCormack,
            "semi-lagrangian" or "semilagrangian" => AdvectionScheme.SemiLagrangian,
            _ => throw new UsageException($"--advection '{req.Advection}' is not maccormack or semi-lagrangian"),
        };
        if (req.Out is not null) FfmpegTools.EnsureAvailable();

        var (x, y) = name switch { "magic" => (0.5, 0.55), "mist" or "steam" => (0.5, 0.9), _ => (0.5, 0.85) };
        var effect = new EffectSpec { Type = name, X = x, Y = y, StartFrame = 0 };
        var device = ComputeDevice.Current;
        using var sim = new EffectsSimulation([effect], req.Fps, new StokesSettings
        {
            Aspect = (double)req.Width / req.Height,
            GridShortSide = req.Grid,
            Solver = new SolverOptions { Advection = scheme, Threads = req.Threads, Device = device },
        });
        Console.Error.WriteLine($"stokes {name}: grid {sim.Grid.Nx}x{sim.Grid.Ny}, {req.Frames} frames, {sim.Solver.Ops.Describe}");

        var perFrame = new List<StepStats>(req.Frames);
        var videoFrames = new List<byte[]>(req.Out is null ? 0 : req.Frames);
        for (int f = 0; f < req.Frames; f++)
        {
            ct.ThrowIfCancellationRequested();
            sim.AdvanceTo(f);
            perFrame.Add(sim.Stats());
            if (req.Out is not null) videoFrames.Add(OverBackdrop(sim.Render(req.Width, req.Height)));
            if ((f + 1) % 24 == 0 || f + 1 == req.Frames) Console.Error.WriteLine($"  frame {f + 1}/{req.Frames}");
        }
        if (req.Stats is { } statsPath) WriteStats(statsPath, name, sim, device, perFrame);
        if (req.Out is { } outPath)
        {
            var full = Path.GetFullPath(outPath);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            await VideoEncoder.EncodeH264Async(videoFrames, req.Width, req.Height, req.Fps, full, ct: ct);
            Console.Error.WriteLine($"done: {full}");
        }
        return CliErrors.Ok;
    }

    /// <summary>The premultiplied HDR layer over a dark blue-grey backdrop, Reinhard-style shoulder, then sRGB bytes.</summary>
    public static byte[] OverBackdrop(RgbaImage img)
    {
        var rgb = new byte[img.PixelCount * 3];
        for (int k = 0; k < img.PixelCount; k++)
        {
            float bgR = 0.012f, bgG = 0.014f, bgB = 0.02f, a = 1f - Math.Clamp(img.A[k], 0f, 1f);
            rgb[3 * k] = Encode(img.R[k] + bgR * a);
            rgb[3 * k + 1] = Encode(img.G[k] + bgG * a);
            rgb[3 * k + 2] = Encode(img.B[k] + bgB * a);
        }
        return rgb;

        static byte Encode(float v) => EffectColours.DisplayByte(v); // soft shoulder: HDR highlights roll off instead of clipping flat
    }

    static void WriteStats(string path, string preset, EffectsSimulation sim, ComputeDevice device, List<StepStats> frames)
    {
        var doc = new
        {
            preset,
            grid = new { nx = sim.Grid.Nx, ny = sim.Grid.Ny },
            device = device.Kind.ToString().ToLowerInvariant(),
            solver = sim.Solver.Ops.Describe,
            advection = sim.Solver.Options.Advection.ToString(),
            pressureTolerance = sim.Solver.Options.PressureTolerance,
            substepsPerFrame = EffectsSimulation.SubstepsPerFrame,
            divergenceUnits = "relative to RMS speed / grid spacing",
            frames = frames.Select(s => new
            {
                frame = s.Frame,
                rmsDivergence = s.RmsDivergence,
                maxDivergence = s.MaxDivergence,
                totalDensity = s.TotalDensity,
                pressureIterations = s.PressureIterations,
                secondsPerStep = s.SecondsPerStep,
                particles = s.Particles,
            }),
        };
        CliFiles.Write(path, JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true }));
    }
}
