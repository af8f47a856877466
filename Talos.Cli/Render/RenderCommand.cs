using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Spectre.Console;
using Talos.Gpu.Cuttura;
using Talos.Gpu.Cuttura.Audio;
using Talos.Actors.Hosting;
using Talos.Cli.Farm;
using Talos.Gpu.Prism;
using Talos.Gpu.Raygen;
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
        var background = new Option<string?>("--background")
        {
            Description = "background of every shot: an AETHER preset, or none (transparent: alpha in prores/png16, over black in sdr/hdr10)",
        };
        background.AcceptOnlyFromAmong([.. SpecVocabulary.Backgrounds]);
        var layers = new Option<string?>("--layers") { Description = "also write the render passes (AOVs) per shot: exr (OpenEXR sequences) or png16 (16-bit PNGs; depth and motion EXR), with layers.json" };
        layers.AcceptOnlyFromAmong([.. SpecVocabulary.LayerFormats]);
        var flux = new Option<string?>("--flux") { Description = "how FLUX inbetweens keyframe-drawing characters: classic (optical flow, default) or rife (the RIFE v4.6 network: talos models fetch rife)" };
        flux.AcceptOnlyFromAmong([.. SpecVocabulary.FluxMethods]);
        var upscale = new Option<int?>("--upscale") { Description = "1 (default) or 2: render every stage up to ANIMA's compositing at half the size and upscale the frames 2x with Real-CUGAN (talos models fetch realcugan)" };
        var layersDir = new Option<string?>("--layers-dir") { Description = "where the render passes go (default: --out without its extension, plus .layers)" };
        var width = new Option<int?>("--width") { Description = "frame width in pixels (default 1280, or the spec's)" };
        var height = new Option<int?>("--height") { Description = "frame height in pixels (default 720, or the spec's)" };
        var fps = new Option<int?>("--fps") { Description = "frames per second (default 24, or the spec's)" };
        var scenes = new Option<string?>("--scenes") { Description = "scene range of a screenplay, e.g. 1-2 or 3" };
        var maxSeconds = new Option<double?>("--max-seconds") { Description = "cap the film's length in seconds" };
        var workDir = new Option<string>("--work-dir") { Description = "journal, vault and logs; reuse it to resume", DefaultValueFactory = _ => ".talos" };
        var farm = new Option<string?>("--farm") { Description = "render on a running farm: its directory (with farm.json from `talos farm up`) or its API URL" };
        var token = new Option<string?>("--token") { Description = "API token for --farm URL (default: TALOS_TOKEN, or farm.json's)" };
        var cast = new Option<string?>("--cast") { Description = "a cast file: screenplay characters → rig, palette, voice (docs/cast.md; default: cast.json beside the screenplay)" };
        var music = new Option<string?>("--music") { Description = "a music track laid under the film: cuts snap to its beats, the camera pulses and effects burst on them" };
        var loudness = new Option<double?>("--loudness") { Description = "integrated loudness of the film's mix in LUFS (default -23, EBU R128 broadcast; -14 for the web)" };
        var deliverables = DeliverableOptions.DeliverablesOption();
        var subtitles = DeliverableOptions.SubtitlesOption();

        var echoBudget = new Option<double?>("--echo-budget") { Description = "ECHO's repair budget in percent of each shot's render time (default 10; 0 repairs nothing, ECHO still reports)" };
        var cmd = new Command("render", "Render a screenplay, shot spec or prompt into a film (MP4, MOV or a PNG sequence)") { input, output, width, height, fps, scenes, maxSeconds, workDir, cast, delivery, background, flux, upscale, layers, layersDir, farm, token, deliverables, subtitles, loudness, music, echoBudget };
        var llm = Talos.Cli.Prism.LlmOptions.Create();
        llm.AddTo(cmd);
        cmd.SetAction((parse, ct) => CliErrors.Guard(() => RunAsync(new RenderRequest(
            parse.GetValue(input)!, parse.GetValue(output)!, parse.GetValue(width), parse.GetValue(height), parse.GetValue(fps),
            parse.GetValue(scenes), parse.GetValue(maxSeconds), parse.GetValue(workDir)!) { Llm = llm.Read(parse), Delivery = parse.GetValue(delivery), Background = parse.GetValue(background), Flux = parse.GetValue(flux), Upscale = parse.GetValue(upscale), Layers = parse.GetValue(layers), LayersDir = parse.GetValue(layersDir), Farm = parse.GetValue(farm), Token = parse.GetValue(token), Deliverables = parse.GetValue(deliverables), Subtitles = parse.GetValue(subtitles), Loudness = parse.GetValue(loudness), Music = parse.GetValue(music), Cast = parse.GetValue(cast), EchoBudget = parse.GetValue(echoBudget) }, ct)));
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
        /// <summary>Every shot's background (an AETHER preset or "none"); null = the specs' own.</summary>
        public string? Background { get; init; }
        /// <summary>classic or rife: FLUX's inbetweener of keyframe drawings in every shot; null = the specs' own (classic unless a spec says otherwise).</summary>
        public string? Flux { get; init; }
        /// <summary>1 or 2: ANIMA's upscale of every shot (<see cref="ShotSpec.Upscale"/>); null = the specs' own (1 unless a spec says otherwise).</summary>
        public int? Upscale { get; init; }
        /// <summary>exr or png16: render passes beside the film; null = the specs' own (none unless a spec asks).</summary>
        public string? Layers { get; init; }
        /// <summary>Where the render passes go (default <see cref="LayersOutput.DefaultDir"/> of --out).</summary>
        public string? LayersDir { get; init; }
        /// <summary>The mix's loudness target in LUFS; null = the specs' own (-23 unless a spec says otherwise).</summary>
        public double? Loudness { get; init; }
        /// <summary>ECHO's repair budget in percent of each shot's render time; null = the specs' own (10 unless a spec says otherwise).</summary>
        public double? EchoBudget { get; init; }
        /// <summary>Aspect ratios to deliver, reframed (<c>16x9,9x16,1x1,4x5</c>); sizes from --height; null = one film at the spec's size.</summary>
        public string? Deliverables { get; init; }
        /// <summary>burn and/or srt, vtt (comma-separated): the dialogue as subtitles; null = none.</summary>
        public string? Subtitles { get; init; }
        /// <summary>A cast file (docs/cast.md); null = <c>cast.json</c> beside a screenplay input when there is one.</summary>
        public string? Cast { get; init; }
        /// <summary>A music track: the production's audio, its beats snapping the cuts and driving camera and effects (<see cref="MusicCut"/>).</summary>
        public string? Music { get; init; }
    }

    public static async Task<int> RunAsync(RenderRequest req, CancellationToken ct)
    {
        if (req.Delivery is { } d && !DeliveryEncoder.Deliveries.Contains(d))
            throw new UsageException($"--delivery '{d}' is unknown; expected one of {string.Join(", ", DeliveryEncoder.Deliveries)}");
        if (req.Delivery is "sdr" or "hdr10") CheckOut(req.Out, ".mp4");
        if (req.Background is { } b && !SpecVocabulary.Backgrounds.Contains(b))
            throw new UsageException($"--background '{b}' is unknown; expected one of {string.Join(", ", SpecVocabulary.Backgrounds)}");
        if (req.Flux is { } fm && !SpecVocabulary.FluxMethods.Contains(fm))
            throw new UsageException($"--flux '{fm}' is unknown; expected one of {SpecVocabulary.OneOf(SpecVocabulary.FluxMethods)}");
        if (req.Upscale is { } up && !ShotSpec.UpscaleFactors.Contains(up))
            throw new UsageException($"--upscale {up} is unknown; expected one of {string.Join(", ", ShotSpec.UpscaleFactors)}");
        if (req.Layers is { } l && !SpecVocabulary.LayerFormats.Contains(l))
            throw new UsageException($"--layers '{l}' is unknown; expected one of {string.Join(", ", SpecVocabulary.LayerFormats)}");
        if (req.Width is { } w && Limits.WidthProblem(w) is { } badW) throw new UsageException($"--width {badW}");
        if (req.Height is { } h && Limits.HeightProblem(h) is { } badH) throw new UsageException($"--height {badH}");
        if (req.Fps is { } f && Limits.FpsProblem(f) is { } badF) throw new UsageException($"--fps {badF}");
        if (req.MaxSeconds is { } m && Limits.MaxSecondsProblem(m) is { } badM) throw new UsageException($"--max-seconds {badM}");
        if (req.Loudness is { } lu && Limits.LoudnessProblem(lu) is { } badL) throw new UsageException($"--loudness {badL}");
        if (req.EchoBudget is { } eb && Limits.EchoBudgetProblem(eb) is { } badE) throw new UsageException($"--echo-budget {badE}");
        var (first, last) = Talos.Cli.Prism.PrismCommands.ParseScenes(req.Scenes);

        SceneGraph? llmGraph = null;
        if (req.Llm is not null && !File.Exists(req.Input) && !InputLoader.LooksLikePath(req.Input))
            llmGraph = await LlmPrompt.BuildAsync(req.Input, req.Llm, w => AnsiConsole.MarkupLine($"[yellow]warning:[/] {Markup.Escape(w)}"), ct);
        var cast = ReadCast(req);
        var specs = LoadShots(req, first, last, llmGraph, cast, out var sourceDir);
        string? musicPath = null;
        if (req.Music is { } track)
        {
            musicPath = Path.GetFullPath(track);
            specs = WithMusic(specs, musicPath);
        }
        var deliveryName = specs[0].Delivery;
        if (specs.Any(s => s.Delivery != deliveryName))
            throw new UsageException($"the shots ask for different deliveries ({string.Join(", ", specs.Select(s => s.Delivery).Distinct())}); choose one with --delivery");
        if (deliveryName is "sdr" or "hdr10" && specs.Any(s => s.Background == Backgrounds.None))
            AnsiConsole.MarkupLine($"[yellow]warning:[/] background none: the {deliveryName} delivery has no alpha, so the characters are shown over black; prores or png16 carry the alpha");
        bool sequence = deliveryName == "png16";
        if (sequence)
        {
            if (Path.HasExtension(req.Out) || File.Exists(req.Out)) throw new UsageException($"--out for png16 must name a directory for the PNG sequence, not '{req.Out}'");
        }
        else CheckOut(req.Out, DeliveryEncoder.Extension(deliveryName));
        bool layers = specs.Any(s => s.Layers is not null);
        if (req.LayersDir is not null && !layers) throw new UsageException("--layers-dir needs --layers (or layers in the shot spec)");
        if (layers && req.Farm is not null) throw new UsageException("render passes (--layers) are written by an embedded render only; the farm API does not serve them yet");
        CheckAudioAssets(specs, sourceDir);
        CheckPlates(specs, sourceDir);
        CheckModels(req.Farm, specs);
        var subtitles = SubtitleRequest.Parse(req.Subtitles, deliveryName);
        var formats = DeliverableOptions.Formats(req.Deliverables, req.Width, req.Height);
        if (formats is not null && layers) throw new UsageException("--deliverables and --layers together are not supported: render the passes of one format at a time");

        if (req.Farm is null && RenderMemory.Apply([.. specs, .. (formats ?? []).SelectMany(f => DeliverableOptions.Reframe(specs, f))],
                new Talos.Actors.Pipeline.RenderSettingsOptions().ChunkSlots) is { } heapLimit)
            AnsiConsole.MarkupLine($"[grey]managed heap limited to {heapLimit >> 20} MB for this render (docs/BENCHMARKS.md, issue 19)[/]");
        return await OnTargetAsync(req.Farm, req.Token, req.WorkDir, async target =>
        {
            // The cast's rig files and drawings, by content, once the whole cast has loaded (nothing half-written before).
            foreach (var asset in cast?.Assets ?? []) await target.PutAssetAsync(asset.Name, asset.Kind, asset.Bytes, asset.Name, ct);
            if (formats is null)
            {
                var outPath = Path.GetFullPath(req.Out);
                var layersDir = layers ? Path.GetFullPath(req.LayersDir ?? LayersOutput.DefaultDir(outPath)) : null;
                if (await RenderAsync(target, specs, sourceDir, outPath, sequence, layersDir, ct, musicPath) is null) return CliErrors.Failed;
                await subtitles.FinishAsync(outPath, specs, titles: null, ct);
                return CliErrors.Ok;
            }
            foreach (var format in formats)
            {
                var framed = DeliverableOptions.Reframe(specs, format);
                var outPath = Path.GetFullPath(format.OutputPath(req.Out, formats.Count));
                if (await RenderAsync(target, framed, sourceDir, outPath, sequence, null, ct, musicPath) is null) return CliErrors.Failed;
                await subtitles.FinishAsync(outPath, framed, titles: null, ct);
                DeliverableOptions.WriteLayout(outPath, format, framed, titles: []);
            }
            return CliErrors.Ok;
        }, ct);
    }

    /// <summary>
    /// Runs <paramref name="body"/> against where the render happens: the farm named by <paramref name="farm"/> (directory
    /// or URL, with <paramref name="token"/>) through its API, else an embedded single-node cluster on <paramref name="workDir"/>.
    /// </summary>
    internal static async Task<int> OnTargetAsync(string? farm, string? token, string workDir, Func<IRenderTarget, Task<int>> body, CancellationToken ct)
    {
        if (farm is not null)
        {
            using var client = new FarmClient(FarmTarget.Resolve(null, token, farm));
            return await body(new FarmRender(client));
        }
        FfmpegTools.EnsureAvailable(line => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(line)}[/]"));
        await using var node = await TalosNode.StartAsync(new TalosNodeOptions
        {
            WorkDir = Path.GetFullPath(workDir),
            LogLevel = Environment.GetEnvironmentVariable("TALOS_LOGLEVEL") ?? "WARNING",
            Solo = true,
        }, ct: ct);
        return await body(new EmbeddedRender(node));
    }

    /// <summary>
    /// The render itself, wherever it runs: the assets the specs name go in (files beside the input), the production is
    /// submitted, its progress followed, the film written to <paramref name="outPath"/> (png16: its zipped PNG sequence
    /// unpacked into the directory), render passes to <paramref name="layersDir"/> when given, and ECHO's verdicts shown.
    /// Null when the production did not complete (the reason is printed). <c>talos render</c> and <c>talos commercial</c>
    /// both render through here.
    /// </summary>
    internal static async Task<ProductionView?> RenderAsync(IRenderTarget target, IReadOnlyList<ShotSpec> specs, string sourceDir, string outPath, bool sequence, string? layersDir, CancellationToken ct, string? musicPath = null)
    {
        string? musicAsset = musicPath is null ? null : specs[0].Audio!.Asset;
        if (musicPath is not null) await target.PutAssetAsync(musicAsset!, "audio", CliFiles.Read(musicPath), musicPath, ct);
        var names = AssetNames(specs).Where(n => n.Name != musicAsset);
        foreach (var (name, kind) in names)
        {
            if (!Identifiers.IsSafeAssetName(name, out var reason)) throw new UsageException($"asset name {reason}");
            var path = Path.Combine(sourceDir, name);
            await target.PutAssetAsync(name, kind, File.Exists(path) ? CliFiles.Read(path) : null, path, ct);
        }

        var production = specs[0].Production;
        var audio = specs.Select((s, i) => (s, i)).FirstOrDefault(x => x.s.Audio is not null);
        double audioOffset = audio.s is null ? 0 : specs.Take(audio.i).Sum(s => (double)s.FrameCount / s.Fps) + audio.s.Audio!.OffsetSeconds;
        await target.SubmitAsync(new SubmitProduction(production, specs, audio.s?.Audio?.Asset, audioOffset), ct);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        AnsiConsole.MarkupLine($"[bold]talos[/] rendering [aqua]{Markup.Escape(production)}[/]{target.Where}: {specs.Count} shot(s), " +
                               $"{specs.Sum(s => s.FrameCount)} frames at {specs[0].Resolution.Width}x{specs[0].Resolution.Height}, {specs[0].Fps} fps");
        var view = await FollowAsync(() => target.PollAsync(production, ct), ct);
        if (view.Status != ShotStatus.Completed)
        {
            CliErrors.Error($"render {view.Status}: {view.Reason}");
            return null;
        }

        await using (var film = await target.FilmAsync(view, sequence, ct))
        {
            if (sequence) await CliFiles.ExtractZipAsync(film, outPath, ct);
            else await CliFiles.WriteAsync(outPath, film, ct);
        }
        if (layersDir is not null)
            await LayersOutput.WriteAsync(layersDir, specs, view, s => target.LayerFramesAsync(s, ct), h => target.BlobAsync(h, ct));
        var table = new Table().AddColumns("shot", "frames", "ECHO", "revisions", "findings");
        foreach (var s in view.Shots)
            table.AddRow(Markup.Escape(s.ShotId), s.FrameCount.ToString(), s.QualityPassed == true ? "[green]pass[/]" : "[yellow]flagged[/]",
                s.Revisions.ToString(), Markup.Escape(Findings(await target.ReportAsync(s, ct))));
        AnsiConsole.Write(table);
        target.PrintTimings(clock.Elapsed);
        AnsiConsole.MarkupLine($"[green]done[/]: {Markup.Escape(outPath)} ({view.FilmFrames} frames, {clock.Elapsed.TotalSeconds:F1} s{target.Where})");
        if (layersDir is not null) AnsiConsole.MarkupLine($"[green]render passes[/]: {Markup.Escape(layersDir)} (layers.json)");
        return view;
    }

    /// <summary>Every asset the specs name, with its kind: keyframe drawings, music, recorded dialogue, sound effects.</summary>
    static IEnumerable<(string Name, string Kind)> AssetNames(IReadOnlyList<ShotSpec> specs) => specs.SelectMany(SpecAssets.Of).Distinct();

    /// <summary>
    /// Sound files beside the input are checked before anything starts (empty, truncated, too long, wrong rate, not audio: one
    /// clear error now, not a failed edit at the end), by decoding them at a low rate: only their validity counts here.
    /// </summary>
    static void CheckAudioAssets(IReadOnlyList<ShotSpec> specs, string sourceDir)
    {
        foreach (var (name, kind) in AssetNames(specs))
        {
            if (kind != SpecAssets.Audio || !Identifiers.IsSafeAssetName(name, out _)) continue;
            var path = Path.Combine(sourceDir, name);
            if (File.Exists(path)) AudioDecoder.DecodeMono(path, 8000, $"'{name}'");
        }
    }

    /// <summary>
    /// Background plates whose images all lie beside the input are decoded before anything starts (too large, corrupt, a depth
    /// map of the wrong kind or size: one clear error now, and nothing put in the vault); plates naming vault assets
    /// (<c>sha256/…</c>) are checked by the node that renders them.
    /// </summary>
    static void CheckPlates(IReadOnlyList<ShotSpec> specs, string sourceDir)
    {
        foreach (var plate in specs.Select(s => s.Plate).OfType<PlateSpec>().Distinct())
        {
            var files = plate.Layers.SelectMany(l => l.DepthMap is { } d ? new[] { l.Image, d } : [l.Image]).Select(n => Path.Combine(sourceDir, n)).ToList();
            if (files.All(File.Exists))
                try { Talos.Gpu.Aether.Plate.Load(plate, name => CliFiles.Read(Path.Combine(sourceDir, name))); }
                catch (InvalidDataException e) { throw new UsageException(e.Message); }
        }
    }

    /// <summary>
    /// --music: the track is read through AudioDecoder (any bad file is one clear error), its beats tracked at the film's
    /// rate; the cuts snap to them and they drive the camera and effects (<see cref="MusicCut.Apply"/>); the track becomes
    /// the production's audio asset, named music-FILE, from the film's first frame.
    /// </summary>
    static IReadOnlyList<ShotSpec> WithMusic(IReadOnlyList<ShotSpec> specs, string path)
    {
        var music = MusicFeatures.Analyse(path, specs[0].Fps, Path.GetFileName(path));
        if (specs.FirstOrDefault(s => s.Audio is not null) is { } had)
            AnsiConsole.MarkupLine($"[yellow]warning:[/] --music replaces the audio '{Markup.Escape(had.Audio!.Asset)}' that shot {Markup.Escape(had.Id)} names");
        var stem = new string(Path.GetFileName(path).Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '-').ToArray()).Trim('-', '.');
        var name = "music-" + (stem.Length == 0 ? "track" : stem[..Math.Min(stem.Length, 100)]);
        if (!Identifiers.IsSafeAssetName(name, out var reason)) throw new UsageException($"--music: asset name {reason}");
        var driven = MusicCut.Apply(specs.Select(s => s with { Audio = null }).ToList(), music);
        var moved = driven.Where((s, i) => s.FrameCount != specs[i].FrameCount).Count();
        AnsiConsole.MarkupLine($"[grey]music: {music.Beats.Tempo:0.0} BPM, {music.BeatFrames.Length} beats; {moved} cut(s) moved onto a beat[/]");
        var result = driven.Select((s, i) => i == 0 ? s with { Audio = new AudioSpec(name) } : s).ToList();
        foreach (var s in result) ShotSpecJson.Parse(ShotSpecJson.Serialize(s)); // still a valid spec, every problem with its JSON path
        return result;
    }

    /// <summary>An ECHO report's findings, one line.</summary>
    internal static string Findings(JsonElement? report) => string.Join("; ", FindingList(report));

    /// <summary>An ECHO report's findings.</summary>
    internal static IReadOnlyList<string> FindingList(JsonElement? report) =>
        report is { } doc && doc.TryGetProperty("report", out var r) && r.TryGetProperty("findings", out var f)
            ? f.EnumerateArray().Select(x => x.GetString() ?? "").ToList() : [];

    static void CheckOut(string path, string extension)
    {
        if (!path.EndsWith(extension, StringComparison.OrdinalIgnoreCase)) throw new UsageException($"--out must name a {extension} file, not '{path}'");
    }

    /// <summary>
    /// The cast: --cast FILE, else <c>cast.json</c> beside a screenplay input (said on the console), else none. Read whole — every
    /// rig file and drawing loaded, every palette and voice checked — before anything renders or is stored.
    /// </summary>
    public static Cast? ReadCast(RenderRequest req) => ReadCast(req.Cast, req.Input);

    /// <summary>The cast file <paramref name="path"/> (--cast), else <c>cast.json</c> beside a screenplay <paramref name="input"/>, read
    /// and checked whole; null when there is none. <c>talos render</c>, <c>storyboard</c> and <c>animatic</c> read it so.</summary>
    public static Cast? ReadCast(string? path, string input)
    {
        if (path is null && File.Exists(input) && Path.GetExtension(input).ToLowerInvariant() is ".fountain" or ".spmd" or ".txt"
            && Path.Combine(Path.GetDirectoryName(Path.GetFullPath(input))!, Cast.FileName) is var beside && File.Exists(beside))
            path = beside;
        if (path is null) return null;
        var cast = Cast.Load(path);
        AnsiConsole.MarkupLine($"[grey]cast: {Markup.Escape(path)} ({string.Join(", ", cast.Characters.Select(c => $"{c.Key} → {c.Value.Rig}"))})[/]");
        return cast;
    }

    /// <summary>An embedded render whose shots need a fetched model (RIFE for <c>flux: rife</c>, Real-CUGAN for <c>upscale: 2</c>)
    /// checks it before anything renders: not fetched, one clear error naming <c>talos models fetch NAME</c>. A farm's nodes
    /// check their own.</summary>
    internal static void CheckModels(string? farm, IEnumerable<ShotSpec> specs)
    {
        if (farm is not null) return;
        var list = specs.ToList();
        if (list.Any(Talos.Gpu.Flux.ShotDrawing.UsesRife)) Talos.Gpu.Flux.OnnxInterpolator.RifeModel();
        if (list.Any(s => s.Upscale is not null)) Talos.Gpu.Anima.RealCuganUpscaler.Model();
    }

    /// <summary>PRISM before admission: the input becomes validated shot specs under a production named after the input (its path, or a
    /// prompt's text), its characters dressed by <paramref name="cast"/>.</summary>
    internal static IReadOnlyList<ShotSpec> LoadShots(RenderRequest req, int? first, int? last, SceneGraph? llmGraph, Cast? cast, out string sourceDir)
    {
        var settings = new RenderSettings(req.Width ?? 1280, req.Height ?? 720, req.Fps ?? 24, first, last, req.MaxSeconds, Cast: cast);
        var specs = (llmGraph is not null ? ShotPlanner.ToShotSpecs(llmGraph, settings) : InputLoader.Load(req.Input, settings)).ToList();
        if (specs.Count == 0) throw new PrismException("the input gave no shots");
        sourceDir = File.Exists(req.Input) ? Path.GetDirectoryName(Path.GetFullPath(req.Input))! : Environment.CurrentDirectory;

        // Explicit command-line sizes, delivery and background win over a spec's own.
        specs = specs.Select(s => s with
        {
            Resolution = new Resolution(req.Width ?? s.Resolution.Width, req.Height ?? s.Resolution.Height),
            Fps = req.Fps ?? s.Fps,
            Delivery = req.Delivery ?? s.Delivery,
            Background = req.Background ?? s.Background,
            Plate = req.Background is null ? s.Plate : null,
            Flux = req.Flux ?? s.Flux,
            Upscale = req.Upscale ?? s.Upscale,
            Layers = req.Layers ?? s.Layers,
            Loudness = req.Loudness ?? s.Loudness,
            EchoBudget = req.EchoBudget ?? s.EchoBudget,
        }).ToList();
        foreach (var s in specs) ShotSpecJson.Parse(ShotSpecJson.Serialize(s)); // every problem, with its JSON path

        var stem = File.Exists(req.Input) ? Path.GetFileNameWithoutExtension(req.Input) : "prompt";
        stem = new string(stem.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray()).Trim('-');
        if (stem.Length == 0) stem = "film";
        // Named per input, not per content: rendering the same file again after an edit revises that production (only what
        // changed renders; the film is re-edited), where a content name would start a new production from nothing.
        var source = File.Exists(req.Input) ? "file:" + Path.GetFullPath(req.Input) : "prompt:" + req.Input;
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(source)))[..10];
        var production = $"{stem}-{digest}";
        return specs.Select(s => s with { Production = production }).ToList();
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
                    // A revised production keeps showing its previous film until the re-cut: the cut is done when the production is.
                    bool cut = view.FilmHash is not null && view.Status == ShotStatus.Completed;
                    edit.Value = cut ? 1 : 0;
                    edit.Description = cut ? $"EDIT     {view.FilmFrames} frames" : view.Status == "editing" ? "EDIT     cutting" : "EDIT     waiting";
                    if (ShotStatus.IsTerminal(view.Status)) break;
                    await Task.Delay(250, ct);
                    view = await poll();
                }
            });
        return view;
    }
}
