using Talos.Actors.Pipeline;
using System.CommandLine;
using Talos.Actors.Hephaestus;
using Talos.Actors.Hosting;
using Talos.Cli.Farm;
using Talos.Gpu.Cuttura;
using Talos.Messages.Api;
using Talos.Messages.Queries;

namespace Talos.Cli.Render;

/// <summary>
/// <c>talos export [PRODUCTION] --otio FILE.otio --edl FILE.edl</c>: a production's cut as an OpenTimelineIO timeline
/// and a CMX 3600 EDL, from a work dir (shot videos and audio written beside the .otio, referenced relatively) or from a
/// farm (the API writes both; media at its URLs).
/// </summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var production = new Argument<string?>("PRODUCTION") { Description = "the production (may be left out when there is exactly one)", Arity = ArgumentArity.ZeroOrOne };
        var workDir = new Option<string>("--work-dir") { Description = "the work dir of `talos render`", DefaultValueFactory = _ => ".talos" };
        var farm = new Option<string?>("--farm") { Description = "a running farm: its directory (with farm.json) or its API URL" };
        var token = new Option<string?>("--token") { Description = "API token for --farm URL (default: TALOS_TOKEN, or farm.json's)" };
        var otio = new Option<string?>("--otio") { Description = "write an OpenTimelineIO timeline (.otio)" };
        var edl = new Option<string?>("--edl") { Description = "write a CMX 3600 EDL (.edl)" };
        var rate = new Option<string?>("--rate") { Description = "timecode rate: 23.976, 24, 25, 29.97 (drop-frame) or 30 (default: the film's fps)" };
        rate.AcceptOnlyFromAmong([.. TimecodeRate.Names]);
        var cmd = new Command("export", "Write a production's cut as an OpenTimelineIO timeline and/or a CMX 3600 EDL") { production, workDir, farm, token, otio, edl, rate };
        cmd.SetAction((parse, ct) => CliErrors.Guard(() => RunAsync(new ExportRequest(parse.GetValue(production), parse.GetValue(workDir)!,
            parse.GetValue(otio), parse.GetValue(edl), parse.GetValue(rate)) { Farm = parse.GetValue(farm), Token = parse.GetValue(token) }, ct)));
        return cmd;
    }

    public sealed record ExportRequest(string? Production, string WorkDir, string? Otio, string? Edl, string? Rate)
    {
        public string? Farm { get; init; }
        public string? Token { get; init; }
    }

    public static async Task<int> RunAsync(ExportRequest req, CancellationToken ct)
    {
        if (req.Otio is null && req.Edl is null) throw new UsageException("say what to write: --otio FILE.otio and/or --edl FILE.edl");
        if (req.Otio is { } o && !o.EndsWith(".otio", StringComparison.OrdinalIgnoreCase)) throw new UsageException($"--otio must name a .otio file, not '{o}'");
        if (req.Edl is { } e && !e.EndsWith(".edl", StringComparison.OrdinalIgnoreCase)) throw new UsageException($"--edl must name a .edl file, not '{e}'");
        if (req.Rate is { } r && !TimecodeRate.Names.Contains(r)) throw new UsageException($"--rate '{r}' is unknown; expected one of {string.Join(", ", TimecodeRate.Names)}");
        if (req.Farm is not null) return await FromFarmAsync(req, ct);

        var work = Path.GetFullPath(req.WorkDir);
        if (!Directory.Exists(work)) throw new UsageException($"no work dir {work}: render there first, or name it with --work-dir");
        await using var node = await TalosNode.StartAsync(new TalosNodeOptions
        {
            WorkDir = work,
            LogLevel = Environment.GetEnvironmentVariable("TALOS_LOGLEVEL") ?? "WARNING",
            Solo = true,
        }, ct: ct);
        var productions = await node.AskHephaestus<object>(new ListShots()) is ShotListing l ? l.Shots.Select(s => s.Production).Distinct().ToList() : [];
        var name = Choose(req.Production, productions, $"the work dir {work}");
        var view = await node.AskHephaestus<object>(new GetProduction(name)) as ProductionView
            ?? throw new UsageException($"no production '{name}' in {work}");
        if (view.Shots.Count == 0) throw new UsageException($"production '{name}' has no shots");
        var rate = Rate(view.Shots[0].Fps, req.Rate);

        // Media beside the .otio: FILE.media/SHOT.mp4 (and audio.wav), referenced relatively.
        var media = req.Otio is null ? null : Path.ChangeExtension(Path.GetFullPath(req.Otio), ".media");
        string Relative(string file) => $"{Path.GetFileName(media)}/{file}";
        var timeline = ProductionTimeline.Build(view, node.Vault, s => Relative(s.ShotId + ".mp4"), _ => Relative("audio.wav"));
        if (media is not null)
        {
            Directory.CreateDirectory(media);
            // each cut shot's review clip: made now (and kept in the vault) when nothing asked for it before
            foreach (var s in view.Shots)
                if (await ShotClips.ResolveAsync(node.Vault, s.VideoHash, s.FramesHash, s.Fps, ct) is { } clip)
                    CliFiles.Write(Path.Combine(media, s.ShotId + ".mp4"), node.Vault.Get(clip));
            if (view.AudioAsset is { } audio) CliFiles.Write(Path.Combine(media, "audio.wav"), node.Vault.Get(node.Vault.ResolveAsset(audio)!));
        }
        Write(req, TimelineWriter.Otio(timeline, rate), TimelineWriter.Edl(timeline, rate), view.Shots.Count);
        return CliErrors.Ok;
    }

    static async Task<int> FromFarmAsync(ExportRequest req, CancellationToken ct)
    {
        using var client = new FarmClient(FarmTarget.Resolve(null, req.Token, req.Farm));
        var name = req.Production;
        if (name is null)
        {
            var shots = await client.GetAsync<ShotList>("shots", ct);
            name = Choose(null, shots.Shots.Select(s => s.Production).Distinct().ToList(), $"the farm at {client.Target.Url}");
        }
        var path = "productions/" + Uri.EscapeDataString(name) + "/timeline";
        var query = req.Rate is null ? "" : "?rate=" + Uri.EscapeDataString(req.Rate);
        string? otio = req.Otio is null ? null : await client.GetTextAsync(path + ".otio" + query, ct);
        string? edl = req.Edl is null ? null : await client.GetTextAsync(path + ".edl" + query, ct);
        Write(req, otio, edl, null);
        return CliErrors.Ok;
    }

    static string Choose(string? asked, IReadOnlyList<string> productions, string where) => asked ?? productions.Count switch
    {
        1 => productions[0],
        0 => throw new UsageException($"{where} holds no production"),
        _ => throw new UsageException($"{where} holds {productions.Count} productions ({string.Join(", ", productions)}); name one"),
    };

    static TimecodeRate Rate(int fps, string? name)
    {
        try { return TimecodeRate.For(fps, name); }
        catch (ArgumentException e) { throw new UsageException("--rate: " + e.Message.Split(" (Parameter")[0]); }
    }

    static void Write(ExportRequest req, string? otio, string? edl, int? shots)
    {
        if (req.Otio is not null && otio is not null) { CliFiles.Write(Path.GetFullPath(req.Otio), otio); Console.WriteLine($"wrote {req.Otio}"); }
        if (req.Edl is not null && edl is not null) { CliFiles.Write(Path.GetFullPath(req.Edl), edl); Console.WriteLine($"wrote {req.Edl}"); }
        if (shots is { } n && req.Otio is not null) Console.WriteLine($"  with {n} shot(s)' media in {Path.ChangeExtension(req.Otio, ".media")}");
    }
}
