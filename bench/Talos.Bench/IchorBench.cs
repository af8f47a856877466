using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Talos.Actors.Hosting;
using Talos.Actors.Pipeline;
using Talos.Gpu.Prism;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Queries;
using Talos.Messages.Specs;

namespace Talos.Bench;

/// <summary>
/// ICHOR's incremental re-render: a film is rendered once into a work dir, then — each on its own copy of that work dir,
/// so every edit starts from the same place — rendered again after one edit: a character's palette, a line of dialogue
/// (new words, same timing), a camera move in one shot. The peer is the first render in the same run: each edit's time is
/// reported as a fraction of it, with the chunks rendered and reused per stage.
/// </summary>
public static class IchorBench
{
    sealed record Edit(string Name, string What, Func<IReadOnlyList<ShotSpec>, IReadOnlyList<ShotSpec>> Apply);

    public static async Task<int> RunAsync(string input, int width, int height, int fps, double? maxSeconds)
    {
        var specs = InputLoader.Load(input, new RenderSettings(width, height, fps, MaxSeconds: maxSeconds))
            .Select(s => s with { Production = "ichor-bench" }).ToList();
        int frames = specs.Sum(s => s.FrameCount);
        var character = specs.SelectMany(s => s.Characters).Select(c => c.Name).GroupBy(n => n).OrderByDescending(g => g.Count()).First().Key;
        int cameraShot = specs.Count > 1 ? 1 : 0;
        int dialogueShot = specs.FindIndex(s => s.Dialogue.Count > 0);
        var edits = new List<Edit>
        {
            new("palette", $"{character}'s clothes and hair", list => list.Select(s => s with
            {
                Characters = s.Characters.Select(c => c.Name == character
                    ? c with { Palette = new Dictionary<string, string> { ["shirt"] = "#c04030", ["coat"] = "#c04030", ["dress"] = "#c04030", ["hair"] = "#2060c0" } } : c).ToList(),
            }).ToList()),
            new("dialogue", dialogueShot < 0 ? "(no dialogue)" : $"shot {specs[Math.Max(0, dialogueShot)].Id}'s first line reworded, same timing",
                list => list.Select((s, i) => i != dialogueShot ? s
                    : s with { Dialogue = [s.Dialogue[0] with { Text = "Other words for the same moment." }, .. s.Dialogue.Skip(1)] }).ToList()),
            new("camera", $"shot {specs[cameraShot].Id} pushes in", list => list.Select((s, i) => i != cameraShot ? s
                : s with { Camera = [new CameraMove { Frame = 0, Move = "wide", Zoom = 1.0 }, new CameraMove { Frame = s.FrameCount - 1, Move = "close", Zoom = 1.35, PanX = 0.05 }] }).ToList()),
        };

        Console.WriteLine($"# ichor: {Path.GetFileName(input)}, {specs.Count} shots, {frames} frames at {width}x{height}, {fps} fps, {Environment.ProcessorCount} cores");
        Console.WriteLine();
        var baseDir = Path.Combine(Path.GetTempPath(), $"talos-ichor-{Guid.NewGuid():N}");
        var results = new List<object>();
        try
        {
            var first = await Render(baseDir, specs);
            Console.WriteLine($"first render: {first.Wall.TotalSeconds:F1} s, {first.Rendered.Values.Sum()} chunks rendered");
            Console.WriteLine();
            Console.WriteLine("| edit | what | film frames in the edited shots | time (s) | fraction of the first render | chunks rendered / reused | rendered per stage |");
            Console.WriteLine("|---|---|---|---|---|---|---|");
            foreach (var edit in edits)
            {
                var dir = baseDir + "-" + edit.Name;
                CopyDirectory(baseDir, dir);
                try
                {
                    var edited = edit.Apply(specs);
                    int touched = edited.Where((s, i) => SpecChanges.Between(specs[i], s).Count > 0).Sum(s => s.FrameCount);
                    var run = await Render(dir, edited);
                    double fraction = run.Wall.TotalSeconds / first.Wall.TotalSeconds;
                    var perStage = string.Join(", ", Stages.All.Where(run.Rendered.ContainsKey).Select(s => $"{s} {run.Rendered[s]}"));
                    Console.WriteLine($"| {edit.Name} | {edit.What} | {touched} of {frames} ({(double)touched / frames:P0}) | {run.Wall.TotalSeconds:F1} | {fraction:P0} | {run.Rendered.Values.Sum()} / {run.Reused} | {perStage} |");
                    results.Add(new { edit = edit.Name, what = edit.What, framesTouched = touched, seconds = run.Wall.TotalSeconds, fraction, rendered = run.Rendered, reused = run.Reused });
                }
                finally { TryDelete(dir); }
            }
            Directory.CreateDirectory("bench-results");
            File.WriteAllText(Path.Combine("bench-results", "ichor.json"), JsonSerializer.Serialize(new
            {
                input = Path.GetFileName(input), width, height, fps, frames, firstSeconds = first.Wall.TotalSeconds, edits = results,
            }, new JsonSerializerOptions { WriteIndented = true }));
            Console.WriteLine();
            Console.WriteLine("goal: each edit's render within 30 % of the first (bench-results/ichor.json)");
        }
        finally { TryDelete(baseDir); }
        return 0;
    }

    sealed record Run(TimeSpan Wall, IReadOnlyDictionary<string, int> Rendered, int Reused);

    /// <summary>Submits the production on an embedded node over <paramref name="dir"/> and waits for its film.</summary>
    static async Task<Run> Render(string dir, IReadOnlyList<ShotSpec> specs)
    {
        var rendered = new ConcurrentDictionary<string, int>();
        await using var node = await TalosNode.StartAsync(new TalosNodeOptions { WorkDir = dir });
        node.Environment.ChunkRendered += (_, stage, _) => rendered.AddOrUpdate(stage, 1, (_, n) => n + 1);
        var production = specs[0].Production;
        var clock = Stopwatch.StartNew();
        if (await node.AskHephaestus<object>(new SubmitProduction(production, specs)) is SubmitRejected r) throw new InvalidOperationException(r.Reason);
        ProductionView view;
        while (true)
        {
            view = (ProductionView)await node.AskHephaestus<object>(new GetProduction(production));
            if (ShotStatus.IsTerminal(view.Status)) break;
            await Task.Delay(50);
        }
        if (view.Status != ShotStatus.Completed) throw new InvalidOperationException($"render {view.Status}: {view.Reason}");
        var wall = clock.Elapsed;
        int total = view.Shots.Sum(s => s.Stages.Values.Sum(p => p.TotalChunks));
        return new Run(wall, rendered, Math.Max(0, total - rendered.Values.Sum()));
    }

    static void CopyDirectory(string from, string to)
    {
        foreach (var d in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories)) Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, d)));
        Directory.CreateDirectory(to);
        foreach (var f in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories)) File.Copy(f, Path.Combine(to, Path.GetRelativePath(from, f)));
    }

    static void TryDelete(string dir)
    {
        try { Directory.Delete(dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
