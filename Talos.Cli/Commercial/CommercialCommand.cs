using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using Spectre.Console;
using Talos.Cli.Render;
using Talos.Gpu.Prism;
using Talos.Gpu.Prism.Commercials;
using Talos.Messages.Specs;

namespace Talos.Cli.Commercial;

/// <summary>
/// <c>talos commercial BRIEF.json --out spot.mp4 [--deliverables 16x9,9x16,1x1,4x5]</c>: a brief becomes a storyboarded spot
/// (<see cref="SpotPlanner"/>) in every format asked for. Each format is planned and reframed on its own, rendered through
/// the same path as <c>talos render</c> (embedded or <c>--farm</c>) under a production of its own, then the titles — type,
/// logo, product plate, the end card's ground — are set over the film by CUTTURA's title layer, and the layout JSON is
/// written beside the file.
/// </summary>
public static class CommercialCommand
{
    public const int DefaultFps = 24;

    public static Command Create()
    {
        var brief = new Argument<string>("BRIEF") { Description = "the brief: a JSON file (docs/brief.schema.json)" };
        var output = new Option<string>("--out", "-o") { Description = "output .mp4; with several deliverables each goes to NAME.FORMAT.mp4", DefaultValueFactory = _ => "spot.mp4" };
        var deliverables = DeliverableOptions.DeliverablesOption("16x9");
        var height = new Option<int?>("--height") { Description = $"landscape height in pixels; every format's size follows it (default {Deliverable.DefaultHeight}: 1920×1080, 1080×1920, 1080×1080, 1080×1350)" };
        var fps = new Option<int?>("--fps") { Description = $"frames per second (default {DefaultFps})" };
        var workDir = new Option<string>("--work-dir") { Description = "journal, vault and logs; reuse it to resume", DefaultValueFactory = _ => ".talos" };
        var farm = new Option<string?>("--farm") { Description = "render on a running farm: its directory (with farm.json) or its API URL" };
        var token = new Option<string?>("--token") { Description = "API token for --farm URL (default: TALOS_TOKEN, or farm.json's)" };
        var subtitles = DeliverableOptions.SubtitlesOption();
        var cmd = new Command("commercial", "Make a spot from a brief, in every aspect ratio it ships in") { brief, output, deliverables, height, fps, workDir, farm, token, subtitles };
        cmd.SetAction((parse, ct) => CliErrors.Guard(() => RunAsync(new CommercialRequest(parse.GetValue(brief)!, parse.GetValue(output)!)
        {
            Deliverables = parse.GetValue(deliverables) ?? "16x9", Height = parse.GetValue(height), Fps = parse.GetValue(fps), WorkDir = parse.GetValue(workDir)!,
            Farm = parse.GetValue(farm), Token = parse.GetValue(token), Subtitles = parse.GetValue(subtitles),
        }, ct)));
        return cmd;
    }

    public sealed record CommercialRequest(string Brief, string Out)
    {
        public string Deliverables { get; init; } = "16x9";
        public int? Height { get; init; }
        public int? Fps { get; init; }
        public string WorkDir { get; init; } = ".talos";
        public string? Farm { get; init; }
        public string? Token { get; init; }
        public string? Subtitles { get; init; }
    }

    public static async Task<int> RunAsync(CommercialRequest req, CancellationToken ct)
    {
        if (!req.Out.EndsWith(".mp4", StringComparison.OrdinalIgnoreCase)) throw new UsageException($"--out must name a .mp4 file, not '{req.Out}'");
        int fps = req.Fps ?? DefaultFps;
        if (Limits.FpsProblem(fps) is { } badF) throw new UsageException($"--fps {badF}");
        var formats = DeliverableOptions.Formats(req.Deliverables, null, req.Height)!;
        var subtitles = SubtitleRequest.Parse(req.Subtitles, "sdr");
        var brief = BriefJson.Load(req.Brief);
        var briefDir = Path.GetDirectoryName(Path.GetFullPath(req.Brief))!;
        var production = ProductionName(req.Brief, brief);

        return await RenderCommand.OnTargetAsync(req.Farm, req.Token, req.WorkDir, async target =>
        {
            brief = await WithVaultImagesAsync(brief, target, ct);
            foreach (var format in formats)
            {
                var spot = SpotPlanner.Plan(brief, format, fps, $"{production}-{format.Name}", DeliverableOptions.TitleSafe(format));
                foreach (var s in spot.Shots) ShotSpecJson.Parse(ShotSpecJson.Serialize(s)); // every problem, with its JSON path
                var outPath = Path.GetFullPath(format.OutputPath(req.Out, formats.Count));
                if (await RenderCommand.RenderAsync(target, spot.Shots, briefDir, outPath, sequence: false, layersDir: null, ct) is null) return CliErrors.Failed;
                var scene = SpotTitles.ToScene(spot);
                await subtitles.FinishAsync(outPath, spot.Shots, scene, ct);
                var layout = DeliverableOptions.WriteLayout(outPath, format, spot.Shots, SpotTitles.Placed(spot, scene));
                AnsiConsole.MarkupLine($"[green]{format.Name}[/]: {Markup.Escape(outPath)} ({format.Width}x{format.Height}, {spot.FrameCount} frames; layout {Markup.Escape(Path.GetFileName(layout))})");
            }
            return CliErrors.Ok;
        }, ct);
    }

    /// <summary>
    /// Logo and product image named <c>sha256/…</c> come out of the vault (the title layer draws them here, not on a node);
    /// they are checked as the brief's files are.
    /// </summary>
    static async Task<Brief> WithVaultImagesAsync(Brief brief, IRenderTarget target, CancellationToken ct)
    {
        async Task<BriefAsset?> Fetch(BriefAsset? a, string field)
        {
            if (a is not { InVault: true }) return a;
            var bytes = await target.AssetAsync(a.Name, ct);
            if (BriefJson.ImageProblem(bytes) is { } bad) throw new SpecValidationException([new SpecError($"$.{field}", $"'{a.Name}' {bad}")], "brief");
            return a with { Bytes = bytes };
        }
        return brief with { Logo = await Fetch(brief.Logo, "logo"), ProductImage = await Fetch(brief.ProductImage, "productImage") };
    }

    /// <summary>Named after the brief's file and its path, as <c>talos render</c> names a production after its input: the same brief again revises its spot.</summary>
    static string ProductionName(string path, Brief brief)
    {
        var stem = new string(Path.GetFileNameWithoutExtension(path).Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray()).Trim('-');
        if (stem.Length == 0) stem = "spot";
        if (stem.Length > 30) stem = stem[..30];
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("brief:" + Path.GetFullPath(path))))[..10];
        return $"{stem}-{digest}";
    }
}
