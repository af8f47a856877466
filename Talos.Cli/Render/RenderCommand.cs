using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Spectre.Console;
using Talos.Gpu.Cuttura;
using Talos.Actors.Hosting;
using Talos.Gpu.Prism;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Queries;
using Talos.Messages.Specs;

namespace Talos.Cli.Render;

/// <summary>
/// <c>talos render INPUT --out FILE.mp4</c>: a screenplay, shot spec or prompt in, a film out, on an embedded
/// single-node cluster (roles core+gpu, SQLite journal and vault under the work dir). The same work dir resumes.
/// </summary>
public static class RenderCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("INPUT") { Description = "a .fountain screenplay, a shot-spec .json, or a quoted prompt" };
        var output = new Option<string>("--out", "-o") { Description = "output path: .mp4 (sdr, hdr10), .mov (prores), a directory (png16)", DefaultValueFactory = _ => "film.mp4" };
        var delivery = new Option<string?>("--delivery")
        {
            Description = "sdr (H.264 BT.709, default), hdr10 (HEVC Main10 BT.2020 PQ), prores (ProRes 4444 with alpha), png16 (16-bit PNG sequence)",
        };
        delivery.AcceptOnlyFromAmong([.. DeliveryEncoder.Deliveries]);
        var width = new Option<int?>("--width") { Description = "frame width in pixels (default 1280, or the spec's)" };
        var height = new Option<int?>("--height") { Description = "frame height in pixels (default 720, or the spec's)" };
        var fps = new Option<int?>("--fps") { Description = "frames per second (default 24, or the spec's)" };
        var scenes = new Option<string?>("--scenes") { Description = "scene range of a screenplay, e.g. 1-2 or 3" };
        var maxSeconds = new Option<double?>("--max-seconds") { Description = "cap the film's length in seconds" };
        var workDir = new Option<string>("--work-dir") { Description = "journal, vault and logs; reuse it to resume", DefaultValueFactory = _ => ".talos" };
        var farm = new Option<string?>("--farm") { Description = "render on a running farm: its directory (with farm.json from `talos farm up`) or its API URL" };
        var token = new Option<string?>("--token") { Description = "API token for --farm URL (default: TALOS_TOKEN, or farm.json's)" };

        var cmd = new Command("render", "Render a screenplay, shot spec or prompt into a film (MP4, MOV or a PNG sequence)") { input, output, width, height, fps, scenes, maxSeconds, workDir, delivery, farm, token };
        var llm = Talos.Cli.Prism.LlmOptions.Create();
        llm.AddTo(cmd);
        cmd.SetAction((parse, ct) => CliErrors.Guard(() => RunAsync(new RenderRequest(
            parse.GetValue(input)!, parse.GetValue(output)!, parse.GetValue(width), parse.GetValue(height), parse.GetValue(fps),
            parse.GetValue(scenes), parse.GetValue(maxSeconds), parse.GetValue(workDir)!) { Llm = llm.Read(parse), Delivery = parse.GetValue(delivery), Farm = parse.GetValue(farm), Token = parse.GetValue(token) }, ct)));
        return cmd;
    }

    public sealed record RenderRequest(string Input, string Out, int? Width, int? Height, int? Fps, string? Scenes, double? MaxSeconds, string WorkDir)
    {
        /// <summary>An LLM endpoint for prompts (files are read by PRISM's own parsers).</summary>
        public LlmSettings? Llm { get; init; }
        /// <summary>A running farm (directory with farm.json, or API URL) to submit to instead of the embedded cluster.</summary>
        public string? Farm { get; init; }
        public string? Token { get; init; }
        /// <summary>sdr, hdr10, prores or png16; null = the specs' own (sdr unless a spec says otherwise).</summary>
        public string? Delivery { get; init; }
    }

    public static async Task<int> RunAsync(RenderRequest req, CancellationToken ct)
    {
        if (req.Delivery is { } d && !DeliveryEncoder.Deliveries.Contains(d))
            throw new UsageException($"--delivery '{d}' is unknown; expected one of {string.Join(", ", DeliveryEncoder.Deliveries)}");
        if (req.Delivery is "sdr" or "hdr10") CheckOut(req.Out, ".mp4");
        if (req.Width is { } w && Limits.WidthProblem(w) is { } badW) throw new UsageException($"--width {badW}");
        if (req.Height is { } h && Limits.HeightProblem(h) is { } badH) throw new UsageException($"--height {badH}");
        if (req.Fps is { } f && Limits.FpsProblem(f) is { } badF) throw new UsageException($"--fps {badF}");
        if (req.MaxSeconds is { } m && Limits.MaxSecondsProblem(m) is { } badM) throw new UsageException($"--max-seconds {badM}");
        var (first, last) = Talos.Cli.Prism.PrismCommands.ParseScenes(req.Scenes);

        SceneGraph? llmGraph = null;
        if (req.Llm is not null && !File.Exists(req.Input) && !InputLoader.LooksLikePath(req.Input))
            llmGraph = await LlmPrompt.BuildAsync(req.Input, req.Llm, w => AnsiConsole.MarkupLine($"[yellow]warning:[/] {Markup.Escape(w)}"), ct);
        var specs = LoadShots(req, first, last, llmGraph, out var sourceDir);
        var deliveryName = specs[0].Delivery;
        if (specs.Any(s => s.Delivery != deliveryName))
            throw new UsageException($"the shots ask for different deliveries ({string.Join(", ", specs.Select(s => s.Delivery).Distinct())}); choose one with --delivery");
        if (deliveryName == "png16")
        {
            if (Path.HasExtension(req.Out) || File.Exists(req.Out)) throw new UsageException($"--out for png16 must name a directory for the PNG sequence, not '{req.Out}'");
        }
        else CheckOut(req.Out, DeliveryEncoder.Extension(deliveryName));
        if (req.Farm is not null)
        {
            if (deliveryName == "png16") throw new UsageException("--farm renders deliver sdr, hdr10 or prores; render png16 on the embedded cluster");
            return await RenderOnFarmAsync(req, specs, sourceDir, ct);
        }
        FfmpegTools.EnsureAvailable(line => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(line)}[/]"));

        var workDir = Path.GetFullPath(req.WorkDir);
        await using var node = await TalosNode.StartAsync(new TalosNodeOptions
        {
            WorkDir = workDir,
            LogLevel = Environment.GetEnvironmentVariable("TALOS_LOGLEVEL") ?? "WARNING",
        }, ct: ct);
        ImportAssets(node, specs, sourceDir);

        var production = specs[0].Production;
        var audio = specs.Select((s, i) => (s, i)).FirstOrDefault(x => x.s.Audio is not null);
        double audioOffset = audio.s is null ? 0 : specs.Take(audio.i).Sum(s => (double)s.FrameCount / s.Fps) + audio.s.Audio!.OffsetSeconds;
        var answer = await node.AskHephaestus<object>(new SubmitProduction(production, specs, audio.s?.Audio?.Asset, audioOffset));
        if (answer is SubmitRejected rejected) throw new UsageException(rejected.Reason);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var view = await RenderAndFollowAsync(production, "", specs, () => Poll(node, production), ct);
        if (view is null) return CliErrors.Failed;

        var outPath = Path.GetFullPath(req.Out);
        Directory.CreateDirectory(Path.GetDirectoryName(outPath)!);
        var tmp = outPath + ".part";
        if (deliveryName == "png16")
        {
            // The PNG sequence travels as one zip in the vault; unpack it next to the target and swap it in.
            if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
            System.IO.Compression.ZipFile.ExtractToDirectory(new MemoryStream(node.Vault.Get(view.FilmHash!)), tmp);
            if (Directory.Exists(outPath)) Directory.Delete(outPath, recursive: true);
            Directory.Move(tmp, outPath);
        }
        else
        {
            await File.WriteAllBytesAsync(tmp, node.Vault.Get(view.FilmHash!), ct);
            File.Move(tmp, outPath, overwrite: true);
        }
        PrintEcho(node, view);
        PrintTimings(node, clock.Elapsed);
        AnsiConsole.MarkupLine($"[green]done[/]: {Markup.Escape(outPath)} ({view.FilmFrames} frames)");
        return CliErrors.Ok;
    }

    static void CheckOut(string path, string extension)
    {
        if (!path.EndsWith(extension, StringComparison.OrdinalIgnoreCase)) throw new UsageException($"--out must name a {extension} file, not '{path}'");
    }

    /// <summary>PRISM before admission: the input becomes validated shot specs under a production named after the input and its content.</summary>
    static IReadOnlyList<ShotSpec> LoadShots(RenderRequest req, int? first, int? last, SceneGraph? llmGraph, out string sourceDir)
    {
        var settings = new RenderSettings(req.Width ?? 1280, req.Height ?? 720, req.Fps ?? 24, first, last, req.MaxSeconds);
        var specs = (llmGraph is not null ? ShotPlanner.ToShotSpecs(llmGraph, settings) : InputLoader.Load(req.Input, settings)).ToList();
        if (specs.Count == 0) throw new PrismException("the input gave no shots");
        sourceDir = File.Exists(req.Input) ? Path.GetDirectoryName(Path.GetFullPath(req.Input))! : Environment.CurrentDirectory;

        // Explicit command-line sizes win over a spec's own.
        specs = specs.Select(s => s with
        {
            Resolution = new Resolution(req.Width ?? s.Resolution.Width, req.Height ?? s.Resolution.Height),
            Fps = req.Fps ?? s.Fps,
            Delivery = req.Delivery ?? s.Delivery,
        }).ToList();
        foreach (var s in specs) ShotSpecJson.Parse(ShotSpecJson.Serialize(s)); // every problem, with its JSON path

        var stem = File.Exists(req.Input) ? Path.GetFileNameWithoutExtension(req.Input) : "prompt";
        stem = new string(stem.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray()).Trim('-');
        if (stem.Length == 0) stem = "film";
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", specs.Select(ShotSpecJson.Serialize)))))[..10];
        var production = $"{stem}-{digest}";
        return specs.Select(s => s with { Production = production }).ToList();
    }

    /// <summary>Assets a spec names (keyframe images, audio) are files beside it; they go into the vault under their names.</summary>
    static void ImportAssets(TalosNode node, IReadOnlyList<ShotSpec> specs, string sourceDir)
    {
        var names = specs.SelectMany(s => s.Characters.SelectMany(c => c.KeyframeImages.Select(k => (k.Asset, "keyframe-image")))
            .Concat(s.Audio is null ? [] : [(s.Audio.Asset, "audio")])).Distinct();
        foreach (var (name, kind) in names)
        {
            if (!Identifiers.IsSafeAssetName(name, out var reason)) throw new UsageException($"asset name {reason}");
            var path = Path.Combine(sourceDir, name);
            if (File.Exists(path)) node.Vault.PutAsset(name, File.ReadAllBytes(path), kind);
            else if (node.Vault.ResolveAsset(name) is null) throw new UsageException($"unknown asset '{name}': no file {path} and not in the vault");
        }
    }

    /// <summary>
    /// <c>--farm</c>: the same specs go to a running farm through its API — the assets they name are uploaded, the
    /// production submitted, its progress polled into the same progress bars, and the film downloaded.
    /// </summary>
    static async Task<int> RenderOnFarmAsync(RenderRequest req, IReadOnlyList<ShotSpec> specs, string sourceDir, CancellationToken ct)
    {
        using var farm = Talos.Cli.Farm.FarmClient.Open(req.Farm!, req.Token);
        var names = specs.SelectMany(s => s.Characters.SelectMany(c => c.KeyframeImages.Select(k => k.Asset)).Concat(s.Audio is null ? [] : [s.Audio.Asset])).Distinct();
        foreach (var name in names)
        {
            if (!Identifiers.IsSafeAssetName(name, out var reason)) throw new UsageException($"asset name {reason}");
            var path = Path.Combine(sourceDir, name);
            if (File.Exists(path)) await farm.UploadAssetAsync(name, await File.ReadAllBytesAsync(path, ct), ct); // else the farm must have it already
        }
        var production = specs[0].Production;
        var audio = specs.Select((s, i) => (s, i)).FirstOrDefault(x => x.s.Audio is not null);
        double audioOffset = audio.s is null ? 0 : specs.Take(audio.i).Sum(s => (double)s.FrameCount / s.Fps) + audio.s.Audio!.OffsetSeconds;
        await farm.SubmitProductionAsync(production, specs, audio.s?.Audio?.Asset, audioOffset, ct);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var view = await RenderAndFollowAsync(production, " on the farm", specs, () => farm.GetProductionAsync(production, ct), ct);
        if (view is null) return CliErrors.Failed;
        var outPath = Path.GetFullPath(req.Out);
        Directory.CreateDirectory(Path.GetDirectoryName(outPath)!);
        var tmp = outPath + ".part";
        await farm.DownloadFilmAsync(production, tmp, ct);
        File.Move(tmp, outPath, overwrite: true);
        var table = new Table().AddColumns("shot", "frames", "ECHO", "revisions");
        foreach (var s in view.Shots)
            table.AddRow(Markup.Escape(s.ShotId), s.FrameCount.ToString(), s.QualityPassed == true ? "[green]pass[/]" : "[yellow]flagged[/]", s.Revisions.ToString());
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"[green]done[/]: {Markup.Escape(outPath)} ({view.FilmFrames} frames, {clock.Elapsed.TotalSeconds:F1} s on the farm)");
        return CliErrors.Ok;
    }

    /// <summary>Says what renders where, follows its progress, and returns the finished production (null, said, when it did not finish).</summary>
    static async Task<ProductionView?> RenderAndFollowAsync(string production, string where, IReadOnlyList<ShotSpec> specs,
        Func<Task<ProductionView>> poll, CancellationToken ct)
    {
        AnsiConsole.MarkupLine($"[bold]talos[/] rendering [aqua]{Markup.Escape(production)}[/]{where}: {specs.Count} shot(s), " +
                               $"{specs.Sum(s => s.FrameCount)} frames at {specs[0].Resolution.Width}x{specs[0].Resolution.Height}, {specs[0].Fps} fps");
        var view = await FollowAsync(poll, ct);
        if (view.Status == ShotStatus.Completed) return view;
        CliErrors.Error($"render {view.Status}: {view.Reason}");
        return null;
    }

    static async Task<ProductionView> FollowAsync(Func<Task<ProductionView>> poll, CancellationToken ct)
    {
        ProductionView view = await poll();
        await AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var tasks = Stages.All.ToDictionary(s => s, s => ctx.AddTask(s, maxValue: 1));
                var edit = ctx.AddTask("EDIT", maxValue: 1);
                while (true)
                {
                    foreach (var stage in Stages.All)
                    {
                        var progress = view.Shots.Select(s => s.Stages.GetValueOrDefault(stage)).Where(p => p is not null).ToList();
                        int total = progress.Sum(p => p!.TotalFrames), done = progress.Sum(p => p!.DoneFrames);
                        var t = tasks[stage];
                        t.MaxValue = Math.Max(1, total);
                        t.Value = total == 0 && progress.Count == view.Shots.Count && view.Shots.All(s => s.Status == ShotStatus.Completed) ? 1 : done;
                        t.Description = $"{stage,-8} {done,6}/{total,-6}";
                    }
                    edit.Value = view.FilmHash is null ? 0 : 1;
                    edit.Description = view.FilmHash is null ? (view.Status == "editing" ? "EDIT     cutting" : "EDIT     waiting") : $"EDIT     {view.FilmFrames} frames";
                    if (ShotStatus.IsTerminal(view.Status)) break;
                    await Task.Delay(250, ct);
                    view = await poll();
                }
            });
        return view;
    }

    static async Task<ProductionView> Poll(TalosNode node, string production) =>
        await node.AskHephaestus<object>(new GetProduction(production)) switch
        {
            ProductionView v => v,
            var other => throw new InvalidOperationException($"Hephaestus does not know production {production}: {other}"),
        };

    /// <summary>Where the time went on this run: frames and chunk time per stage (chunks run side by side, so times overlap).</summary>
    static void PrintTimings(TalosNode node, TimeSpan wall)
    {
        var timings = node.Environment.Timings.Snapshot();
        if (timings.Count == 0) { AnsiConsole.MarkupLine($"[grey]nothing to render: resumed a finished film ({wall.TotalSeconds:F1} s)[/]"); return; }
        var table = new Table().AddColumns("stage", "frames", "chunks", "chunk time (s)", "frames/s per chunk slot");
        foreach (var stage in Stages.All.Where(timings.ContainsKey))
        {
            var (frames, chunks, time) = timings[stage];
            table.AddRow(stage, frames.ToString(), chunks.ToString(), time.TotalSeconds.ToString("F2"),
                time.TotalSeconds > 0 ? (frames / time.TotalSeconds).ToString("F1") : "-");
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"[grey]wall time {wall.TotalSeconds:F1} s on {Environment.ProcessorCount} core(s)[/]");
    }

    static void PrintEcho(TalosNode node, ProductionView view)
    {
        var table = new Table().AddColumns("shot", "frames", "ECHO", "revisions", "findings");
        foreach (var s in view.Shots)
        {
            string findings = "";
            if (s.ReportHash is not null)
            {
                using var doc = JsonDocument.Parse(node.Vault.Get(s.ReportHash));
                if (doc.RootElement.TryGetProperty("report", out var r) && r.TryGetProperty("findings", out var f))
                    findings = string.Join("; ", f.EnumerateArray().Select(x => x.GetString()));
            }
            table.AddRow(Markup.Escape(s.ShotId), s.FrameCount.ToString(), s.QualityPassed == true ? "[green]pass[/]" : "[yellow]flagged[/]",
                s.Revisions.ToString(), Markup.Escape(findings));
        }
        AnsiConsole.Write(table);
    }
}
