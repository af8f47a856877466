using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;
using Talos.Cli.Render;
using Talos.Gpu.Cuttura;
using Talos.Gpu.Flux;
using Talos.Gpu.Prism;
using Talos.Gpu.Protoforge;
using Talos.Messages.Queries;
using Talos.Messages.Specs;

namespace Talos.Cli.Protoforge;

/// <summary>
/// <c>talos experiment SPEC --a KEY=VALUE --b KEY=VALUE</c>: PROTOFORGE's A/B experiment. The spec is rendered twice
/// through the ordinary render path (<see cref="RenderCommand.RenderAsync"/>), once with the key set to each arm's value,
/// each arm as its own production (chunks the arms share are rendered once: content identity). Each arm is scored by ECHO
/// (verdict, findings, revisions), its render time and its temporal smoothness (mean and largest frame-to-frame
/// difference); where both arms render a shot, their frames are compared with each other, key frames and inbetweens
/// apart. The result is journalled as <c>WORKDIR/experiments/NAME.json</c> and printed as a table.
/// </summary>
public static class ExperimentCommand
{
    /// <summary>The keys an experiment may vary: their values, and how a value is set on a spec.</summary>
    static readonly IReadOnlyDictionary<string, (IReadOnlyList<string> Values, Func<ShotSpec, string, ShotSpec> Set)> Keys =
        new Dictionary<string, (IReadOnlyList<string>, Func<ShotSpec, string, ShotSpec>)>
        {
            ["flux"] = (SpecVocabulary.FluxMethods, (s, v) => s with { Flux = v }),
        };

    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create()
    {
        var input = new Argument<string>("SPEC") { Description = "a shot-spec .json (or a .fountain screenplay, or a quoted prompt)" };
        var a = new Option<string>("--a") { Description = "arm A: KEY=VALUE, e.g. flux=classic", Required = true };
        var b = new Option<string>("--b") { Description = "arm B: the same KEY=OTHER, e.g. flux=rife", Required = true };
        var shots = new Option<string?>("--shots") { Description = "only these shot ids, comma-separated (default: every shot)" };
        var workDir = new Option<string>("--work-dir") { Description = "journal, vault and logs; the experiment journal goes to experiments/ inside it", DefaultValueFactory = _ => ".talos" };
        var farm = new Option<string?>("--farm") { Description = "render on a running farm: its directory (with farm.json) or its API URL" };
        var token = new Option<string?>("--token") { Description = "API token for --farm URL (default: TALOS_TOKEN, or farm.json's)" };
        var cmd = new Command("experiment", "Render a spec twice with one setting changed (A/B), score both arms with ECHO, compare their frames, journal the result") { input, a, b, shots, workDir, farm, token };
        cmd.SetAction((parse, ct) => CliErrors.Guard(() => RunAsync(parse.GetValue(input)!, parse.GetValue(a)!, parse.GetValue(b)!,
            parse.GetValue(shots), parse.GetValue(workDir)!, parse.GetValue(farm), parse.GetValue(token), ct)));
        return cmd;
    }

    /// <summary>One arm: its label, the value it sets, its specs and, once rendered, what it measured.</summary>
    sealed record Arm(string Label, string Value, IReadOnlyList<ShotSpec> Specs)
    {
        public double Seconds { get; set; }
        public ProductionView? View { get; set; }
        public Dictionary<string, ShotResult> Shots { get; } = new();
    }

    sealed record ShotResult(string Id, int Frames, bool? Passed, int Revisions, IReadOnlyList<string> Findings, double MeanStep, double MaxStep, IReadOnlyList<string> FrameHashes, IReadOnlyList<float[]> Levels);

    /// <summary>KEY=VALUE of <paramref name="option"/>, checked against <see cref="Keys"/>.</summary>
    static (string Key, string Value) Setting(string option, string text)
    {
        int eq = text.IndexOf('=');
        if (eq <= 0) throw new UsageException($"{option} '{text}' must be KEY=VALUE, e.g. flux=rife");
        var (key, value) = (text[..eq].Trim(), text[(eq + 1)..].Trim());
        if (!Keys.TryGetValue(key, out var k)) throw new UsageException($"{option}: unknown key '{key}'; an experiment can vary {string.Join(", ", Keys.Keys)}");
        if (!k.Values.Contains(value)) throw new UsageException($"{option}: unknown {key} '{value}'; expected one of {SpecVocabulary.OneOf(k.Values)}");
        return (key, value);
    }

    static async Task<int> RunAsync(string input, string aText, string bText, string? shotList, string workDir, string? farm, string? token, CancellationToken ct)
    {
        var (keyA, valueA) = Setting("--a", aText);
        var (keyB, valueB) = Setting("--b", bText);
        if (keyA != keyB) throw new UsageException($"an experiment varies one key: --a sets {keyA} but --b sets {keyB}");
        if (valueA == valueB) throw new UsageException($"--a and --b both set {keyA}={valueA}: nothing to compare");

        var specs = RenderCommand.LoadShots(new RenderCommand.RenderRequest(input, "experiment", null, null, null, null, null, workDir), null, null, null, null, out var sourceDir);
        if (shotList is not null)
        {
            var wanted = shotList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            if (wanted.Count == 0) throw new UsageException("--shots names no shot");
            if (wanted.FirstOrDefault(id => specs.All(s => s.Id != id)) is { } unknown)
                throw new UsageException($"--shots: no shot '{unknown}' in {input} (shots: {string.Join(", ", specs.Select(s => s.Id))})");
            specs = specs.Where(s => wanted.Contains(s.Id)).ToList();
        }
        var set = Keys[keyA].Set;
        Arm MakeArm(string label, string value) => new(label, value, specs.Select(s => set(s, value) with { Production = $"{s.Production}-{keyA}-{value}" }).ToList());
        var arms = new[] { MakeArm("A", valueA), MakeArm("B", valueB) };
        if (farm is null && arms.Any(arm => arm.Specs.Any(ShotDrawing.UsesRife))) OnnxInterpolator.RifeModel(); // not fetched: one clear error now

        var name = $"{specs[0].Production}-{keyA}-{valueA}-vs-{valueB}";
        var dir = Path.Combine(Path.GetFullPath(workDir), "experiments");
        var delivery = specs[0].Delivery;
        bool sequence = delivery == "png16";

        int code = await RenderCommand.OnTargetAsync(farm, token, workDir, async target =>
        {
            foreach (var arm in arms)
            {
                AnsiConsole.MarkupLine($"[bold]experiment[/] arm {arm.Label}: [aqua]{keyA}={Markup.Escape(arm.Value)}[/]");
                var outPath = Path.Combine(dir, name, sequence ? arm.Label : arm.Label + DeliveryEncoder.Extension(delivery));
                var clock = Stopwatch.StartNew();
                arm.View = await RenderCommand.RenderAsync(target, arm.Specs, sourceDir, outPath, sequence, null, ct);
                arm.Seconds = clock.Elapsed.TotalSeconds;
                if (arm.View is null) return CliErrors.Failed;
                foreach (var shot in arm.View.Shots) arm.Shots[shot.ShotId] = await Measure(target, shot, ct);
            }
            return CliErrors.Ok;
        }, ct);
        if (code != CliErrors.Ok) return code;

        var journal = Journal(name, input, keyA, arms, specs);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name + ".json");
        CliFiles.Write(path, JsonSerializer.SerializeToUtf8Bytes(journal, Indented));
        Print(keyA, arms, journal);
        AnsiConsole.MarkupLine($"[green]journal[/]: {Markup.Escape(path)}");
        return CliErrors.Ok;
    }

    static async Task<ShotResult> Measure(IRenderTarget target, ShotView shot, CancellationToken ct)
    {
        var hashes = JsonSerializer.Deserialize<List<string>>(await target.BlobAsync(shot.FramesHash!, ct))!;
        var levels = new List<float[]>();
        foreach (var h in hashes) levels.Add(FrameComparison.Levels(await target.BlobAsync(h, ct)));
        var (mean, max) = FrameComparison.Smoothness(levels);
        var findings = RenderCommand.FindingList(await target.ReportAsync(shot, ct));
        return new ShotResult(shot.ShotId, hashes.Count, shot.QualityPassed, shot.Revisions, findings, mean, max, hashes, levels);
    }

    /// <summary>The frames of a shot that are drawn keys (any character's keyframe image).</summary>
    static HashSet<int> KeyFrames(ShotSpec spec) =>
        spec.Characters.Where(ShotDrawing.FromImages).SelectMany(c => c.KeyframeImages.Select(k => k.Frame)).ToHashSet();

    static JsonObject Journal(string name, string input, string key, Arm[] arms, IReadOnlyList<ShotSpec> specs)
    {
        var comparison = new JsonArray();
        foreach (var spec in specs)
        {
            if (!arms[0].Shots.TryGetValue(spec.Id, out var a) || !arms[1].Shots.TryGetValue(spec.Id, out var b) || a.Frames != b.Frames) continue;
            var keys = KeyFrames(spec);
            var differing = Enumerable.Range(0, a.Frames).Where(f => a.FrameHashes[f] != b.FrameHashes[f]).ToList();
            var diffs = Enumerable.Range(0, a.Frames).Select(f => FrameComparison.MeanAbsDifference(a.Levels[f], b.Levels[f])).ToList();
            comparison.Add(new JsonObject
            {
                ["shot"] = spec.Id,
                ["frames"] = a.Frames,
                ["framesDiffering"] = differing.Count,
                ["keyFrames"] = new JsonArray(keys.Order().Select(k => (JsonNode)k).ToArray()),
                ["keyFramesDiffering"] = differing.Count(keys.Contains),
                ["meanDifference"] = Math.Round(diffs.Average(), 4),
                ["maxDifference"] = Math.Round(diffs.Max(), 4),
            });
        }
        return new JsonObject
        {
            ["experiment"] = name,
            ["journal"] = "PROTOFORGE",
            ["input"] = Path.GetFullPath(input) is var full && File.Exists(full) ? full : input,
            ["key"] = key,
            ["at"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            ["arms"] = new JsonArray(arms.Select(arm => (JsonNode)new JsonObject
            {
                ["arm"] = arm.Label,
                ["value"] = arm.Value,
                ["production"] = arm.View!.Production,
                ["seconds"] = Math.Round(arm.Seconds, 2),
                ["shots"] = new JsonArray(arm.Shots.Values.Select(s => (JsonNode)new JsonObject
                {
                    ["shot"] = s.Id,
                    ["frames"] = s.Frames,
                    ["echo"] = s.Passed == true ? "pass" : "flagged",
                    ["revisions"] = s.Revisions,
                    ["findings"] = new JsonArray(s.Findings.Select(f => (JsonNode)f).ToArray()),
                    ["meanFrameStep"] = Math.Round(s.MeanStep, 4),
                    ["maxFrameStep"] = Math.Round(s.MaxStep, 4),
                }).ToArray()),
            }).ToArray()),
            ["comparison"] = comparison,
        };
    }

    static void Print(string key, Arm[] arms, JsonObject journal)
    {
        var table = new Table().AddColumns("arm", key, "shot", "seconds", "ECHO", "findings", "revisions", "mean step", "max step");
        foreach (var arm in arms)
            foreach (var s in arm.Shots.Values)
                table.AddRow(arm.Label, Markup.Escape(arm.Value), Markup.Escape(s.Id), arm.Seconds.ToString("F1"),
                    s.Passed == true ? "[green]pass[/]" : "[yellow]flagged[/]", s.Findings.Count.ToString(), s.Revisions.ToString(),
                    s.MeanStep.ToString("F3"), s.MaxStep.ToString("F3"));
        AnsiConsole.Write(table);
        var diff = new Table().AddColumns("shot", "frames", "differing", "key frames differing", "mean A-B difference", "max A-B difference");
        foreach (var c in journal["comparison"]!.AsArray().OfType<JsonObject>())
            diff.AddRow(Markup.Escape((string)c["shot"]!), ((int)c["frames"]!).ToString(), ((int)c["framesDiffering"]!).ToString(),
                $"{(int)c["keyFramesDiffering"]!}/{c["keyFrames"]!.AsArray().Count}", ((double)c["meanDifference"]!).ToString("F3"), ((double)c["maxDifference"]!).ToString("F3"));
        AnsiConsole.Write(diff);
    }
}
