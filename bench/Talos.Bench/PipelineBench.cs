using System.Diagnostics;
using Talos.Actors.Hosting;
using Talos.Actors.Pipeline;
using Talos.Gpu.Prism;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Queries;

namespace Talos.Bench;

/// <summary>
/// The whole pipeline on the embedded cluster, as <c>talos render</c> runs it: per-stage frames per second, and the
/// same render with one chunk slot (one chunk at a time) as the peer, so the ratio shows what chunk parallelism buys.
/// </summary>
public static class PipelineBench
{
    public static async Task<int> RunAsync(string input, int width, int height, int fps, double? maxSeconds)
    {
        var specs = InputLoader.Load(input, new RenderSettings(width, height, fps, MaxSeconds: maxSeconds));
        int frames = specs.Sum(s => s.FrameCount);
        Console.WriteLine($"# pipeline: {Path.GetFileName(input)}, {specs.Count} shots, {frames} frames at {width}x{height}, {fps} fps, {Environment.ProcessorCount} cores");
        Console.WriteLine();
        var all = await RenderOnce(specs, Environment.ProcessorCount);
        var one = await RenderOnce(specs, 1);
        Console.WriteLine($"| stage | frames | chunk time (s), {Environment.ProcessorCount} slots | frames/s per slot | chunk time (s), 1 slot |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var stage in Stages.All.Where(all.Timings.ContainsKey))
        {
            var (f, _, t) = all.Timings[stage];
            var t1 = one.Timings.TryGetValue(stage, out var o) ? o.Time.TotalSeconds : double.NaN;
            Console.WriteLine($"| {stage} | {f} | {t.TotalSeconds:F2} | {f / Math.Max(1e-9, t.TotalSeconds):F1} | {t1:F2} |");
        }
        Console.WriteLine();
        Console.WriteLine($"wall time with {Environment.ProcessorCount} chunk slots: {all.Wall.TotalSeconds:F1} s ({frames / all.Wall.TotalSeconds:F2} film frames/s, edit included)");
        Console.WriteLine($"wall time with 1 chunk slot (peer): {one.Wall.TotalSeconds:F1} s; ratio {one.Wall.TotalSeconds / all.Wall.TotalSeconds:F2}x");
        return 0;
    }

    sealed record Run(TimeSpan Wall, IReadOnlyDictionary<string, (int Frames, int Chunks, TimeSpan Time)> Timings);

    static async Task<Run> RenderOnce(IReadOnlyList<Talos.Messages.Specs.ShotSpec> specs, int slots)
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
            while (true)
            {
                var view = (ProductionView)await node.AskHephaestus<object>(new GetProduction(production));
                if (ShotStatus.IsTerminal(view.Status))
                {
                    if (view.Status != ShotStatus.Completed) throw new InvalidOperationException($"render {view.Status}: {view.Reason}");
                    break;
                }
                await Task.Delay(100);
            }
            return new Run(clock.Elapsed, node.Environment.Timings.Snapshot());
        }
        finally { try { Directory.Delete(dir, true); } catch (IOException) { } }
    }
}
