using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Talos.Actors.Hosting;
using Talos.Actors.Pipeline;
using Talos.Gpu.Cuttura;
using Talos.Gpu.Imaging;
using Talos.Gpu.Prism;
using Talos.Gpu.Processes;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Queries;

namespace Talos.Bench;

/// <summary>
/// The whole pipeline on the embedded cluster, as <c>talos render</c> runs it (in this process), against x264 in the
/// same run: the shots' final frames are dumped from the vault as raw rgb24, converted once to raw yuv420p (BT.709,
/// limited range, as CUTTURA encodes; not timed), and then the timed peer is ffmpeg's libx264 (preset medium, CRF 18)
/// encoding that yuv420p file, so it measures x264 alone (no colour conversion, no decoding of Talos's frames). Prints
/// the per-stage chunk times, the ratio render/encode (issue 19's goal: within 5×), the peak RSS of this process during
/// the render (VmHWM, reset before it), and whether every shot passed ECHO; writes bench-results/pipeline.json. With
/// <c>--one-slot</c> the render is repeated with one chunk slot, the peer for chunk parallelism.
/// </summary>
public static class PipelineBench
{
    public static async Task<int> RunAsync(string input, int width, int height, int fps, double? maxSeconds, bool oneSlot = false)
    {
        var specs = InputLoader.Load(input, new RenderSettings(width, height, fps, MaxSeconds: maxSeconds));
        int frames = specs.Sum(s => s.FrameCount);
        string build = HowBuilt();
        Console.WriteLine($"# pipeline: {Path.GetFileName(input)}, {specs.Count} shots, {frames} frames at {width}x{height}, {fps} fps, {Environment.ProcessorCount} cores, load {MachineLoad.Averages()}");
        Console.WriteLine($"# render built: {build}");
        Console.WriteLine();
        var raw = Path.Combine(Path.GetTempPath(), $"talos-bench-{Guid.NewGuid():N}.rgb");
        var yuv = Path.ChangeExtension(raw, ".yuv");
        var mp4 = Path.ChangeExtension(raw, ".mp4");
        try
        {
            ResetPeakRss();
            var all = await RenderOnce(specs, Environment.ProcessorCount, raw);
            long peak = PeakRssBytes();
            var one = oneSlot ? await RenderOnce(specs, 1, null) : null;
            var x264 = TimeX264(raw, yuv, mp4, width, height, fps);
            string digest;
            using (var f = File.OpenRead(raw)) digest = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(f));

            Console.WriteLine($"| stage | frames | chunks | chunk time (s), {Environment.ProcessorCount} slots | frames/s per slot |{(one is null ? "" : " chunk time (s), 1 slot |")}");
            Console.WriteLine($"|---|---|---|---|---|{(one is null ? "" : "---|")}");
            foreach (var stage in Stages.All.Where(all.Timings.ContainsKey))
            {
                var (f, c, t) = all.Timings[stage];
                var t1 = one is null ? "" : $" {(one.Timings.TryGetValue(stage, out var o) ? o.Time.TotalSeconds : double.NaN):F2} |";
                Console.WriteLine($"| {stage} | {f} | {c} | {t.TotalSeconds:F2} | {f / Math.Max(1e-9, t.TotalSeconds):F1} |{t1}");
            }
            Console.WriteLine();
            Console.WriteLine($"render wall time ({Environment.ProcessorCount} chunk slots, edit and final encode included): {all.Wall.TotalSeconds:F1} s ({frames / all.Wall.TotalSeconds:F2} film frames/s)");
            Console.WriteLine($"x264 peer (preset medium, CRF 18, {x264.Frames} frames from raw yuv420p): {x264.Seconds:F2} s; render/encode {all.Wall.TotalSeconds / x264.Seconds:F1}x (goal ≤ 5x)");
            Console.WriteLine($"peak RSS of this process (the render runs in it, beside the bench's own code): {peak / 1e9:F2} GB (issue 19's 720p goal, ≤ 0.75 GB, is judged on `/usr/bin/time -v ./talos render`)");
            Console.WriteLine($"SHA-256 of the film's {frames} final frames (raw rgb24, shot after shot): {digest}");
            Console.WriteLine($"ECHO: {all.Passed} of {all.Shots} shots passed{(all.Revisions > 0 ? $", {all.Revisions} revisions" : ", no revision")}");
            if (one is not null)
                Console.WriteLine($"wall time with 1 chunk slot (peer): {one.Wall.TotalSeconds:F1} s; ratio {one.Wall.TotalSeconds / all.Wall.TotalSeconds:F2}x");

            Directory.CreateDirectory("bench-results");
            File.WriteAllText(Path.Combine("bench-results", "pipeline.json"), JsonSerializer.Serialize(new
            {
                date = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
                input = Path.GetFileName(input), width, height, fps, shots = specs.Count, frames, cores = Environment.ProcessorCount, build,
                loadAfter = MachineLoad.Averages(),
                renderSeconds = all.Wall.TotalSeconds, x264Seconds = x264.Seconds, ratio = all.Wall.TotalSeconds / x264.Seconds,
                peakRssBytes = peak, framesSha256 = digest, shotsPassedEcho = all.Passed, revisions = all.Revisions,
                stages = Stages.All.Where(all.Timings.ContainsKey).ToDictionary(s => s, s => new
                {
                    frames = all.Timings[s].Frames, chunks = all.Timings[s].Chunks, seconds = all.Timings[s].Time.TotalSeconds,
                }),
                oneSlotSeconds = one?.Wall.TotalSeconds,
            }, new JsonSerializerOptions { WriteIndented = true }));
            return all.Passed == all.Shots ? 0 : 1;
        }
        finally
        {
            foreach (var f in new[] { raw, yuv, mp4 }) File.Delete(f);
        }
    }

    sealed record Run(TimeSpan Wall, IReadOnlyDictionary<string, (int Frames, int Chunks, TimeSpan Time)> Timings, int Shots, int Passed, int Revisions);

    /// <summary>Renders the production on a fresh embedded node; with <paramref name="rawOut"/>, then writes every shot's final frames there (raw rgb24, in order).</summary>
    static async Task<Run> RenderOnce(IReadOnlyList<Talos.Messages.Specs.ShotSpec> specs, int slots, string? rawOut)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"talos-bench-{Guid.NewGuid():N}");
        try
        {
            await using var node = await TalosNode.StartAsync(new TalosNodeOptions
            {
                WorkDir = dir,
                Render = new RenderSettingsOptions { ChunkSlots = slots },
            });
            var production = specs[0].Production;
            var clock = Stopwatch.StartNew();
            var accepted = await node.AskHephaestus<object>(new SubmitProduction(production, specs));
            if (accepted is SubmitRejected r) throw new InvalidOperationException(r.Reason);
            ProductionView view;
            while (true)
            {
                view = (ProductionView)await node.AskHephaestus<object>(new GetProduction(production));
                if (ShotStatus.IsTerminal(view.Status))
                {
                    if (view.Status != ShotStatus.Completed) throw new InvalidOperationException($"render {view.Status}: {view.Reason}");
                    break;
                }
                await Task.Delay(100);
            }
            var wall = clock.Elapsed;
            if (rawOut is not null)
            {
                using var file = File.Create(rawOut);
                foreach (var shot in view.Shots.OrderBy(s => s.Sequence))
                    foreach (var hash in JsonSerializer.Deserialize<List<string>>(node.Environment.Vault.Get(shot.FramesHash!))!)
                        file.Write(FrameCodec.DecodeRgb24(node.Environment.Vault.Get(hash)).rgb);
            }
            return new Run(wall, node.Environment.Timings.Snapshot(), view.Shots.Count, view.Shots.Count(s => s.QualityPassed == true), view.Shots.Sum(s => s.Revisions));
        }
        finally { try { Directory.Delete(dir, true); } catch (IOException) { } }
    }

    /// <summary>Converts the raw rgb24 frames to raw yuv420p (not timed), then times libx264 medium CRF 18 encoding them.</summary>
    static (double Seconds, long Frames) TimeX264(string raw, string yuv, string mp4, int width, int height, int fps)
    {
        var ffmpeg = FfmpegTools.EnsureAvailable();
        string size = $"{width}x{height}", rate = fps.ToString(CultureInfo.InvariantCulture);
        ProcessRunner.Run(ffmpeg, ["-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", size, "-r", rate, "-i", raw,
            "-vf", "scale=out_color_matrix=bt709:out_range=tv,format=yuv420p", "-f", "rawvideo", "-pix_fmt", "yuv420p", yuv], timeout: TimeSpan.FromMinutes(10));
        var clock = Stopwatch.StartNew();
        ProcessRunner.Run(ffmpeg, ["-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", size, "-r", rate, "-i", yuv,
            "-c:v", "libx264", "-preset", "medium", "-crf", "18", mp4], timeout: TimeSpan.FromMinutes(10));
        return (clock.Elapsed.TotalSeconds, new FileInfo(raw).Length / (3L * width * height));
    }

    /// <summary>
    /// How the render's code runs here: "ReadyToRun" when the stages' assembly (Talos.Gpu) is precompiled, as `./talos`
    /// publishes it (bench/run pipeline's default), else "JIT" (TALOS_R2R=0, a plain build); with the GC's ConserveMemory.
    /// </summary>
    static string HowBuilt()
    {
        bool r2r;
        try
        {
            using var pe = new System.Reflection.PortableExecutable.PEReader(File.OpenRead(typeof(FrameCodec).Assembly.Location));
            r2r = pe.PEHeaders.CorHeader?.ManagedNativeHeaderDirectory.Size > 0;
        }
        catch (IOException) { r2r = false; }
        var conserve = AppContext.GetData("System.GC.ConserveMemory") ?? Environment.GetEnvironmentVariable("DOTNET_GCConserveMemory") ?? "0";
        return $"{(r2r ? "ReadyToRun" : "JIT")}, GC ConserveMemory {conserve}";
    }

    /// <summary>Resets this process's peak RSS (Linux: writing 5 to clear_refs), so VmHWM then covers what follows.</summary>
    static void ResetPeakRss()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>This process's peak resident set (VmHWM), in bytes; 0 where /proc is not there.</summary>
    static long PeakRssBytes()
    {
        if (!File.Exists("/proc/self/status")) return 0;
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

}
