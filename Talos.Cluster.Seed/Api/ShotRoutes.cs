using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Security.Claims;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Talos.Gpu.Prism;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Events;
using Talos.Messages.Queries;
using Talos.Messages.Specs;
using Microsoft.Net.Http.Headers;
using Talos.Actors.Pipeline;
using Talos.Vault;
using Talos.Messages.Api;

namespace Talos.Cluster.Seed.Api;

public sealed record ShotAccepted(string Key, string Production, string Href);
public sealed record PriorityRequest(int Priority);

/// <summary>Shot routes: submit, list, get, history, progress (SSE), video, thumbnails; operator verbs (retry, cancel, pause, resume, priority).</summary>
public static class ShotRoutes
{
    public static RouteGroupBuilder MapShotRoutes(this RouteGroupBuilder api)
    {
        var shots = api.MapGroup("/shots").WithTags("shots").RequireScope(ApiScopes.Pipeline);

        shots.MapPost("", async (HttpRequest request, string? palette, HephaestusGateway heph, IBlobVault vault, ApiOptions options, CancellationToken ct) =>
        {
            var (json, _, problem) = await ApiBody.ReadJsonAsync(request, options.MaxJsonBytes, "the shot spec", ct);
            if (problem is not null) return problem;
            ShotSpec spec;
            try { spec = ShotSpecJson.Parse(json!); }
            catch (SpecValidationException e) { return SpecProblem(e.Errors, ""); }
            catch (PrismException e) { return Problems.BadRequest(e.Message, "$"); }
            if (palette is not null)
            {
                var (merged, paletteProblem) = ApplyPalette(spec, palette, vault);
                if (paletteProblem is not null) return paletteProblem;
                spec = merged!;
            }
            if (MissingAsset([spec], vault, "$") is { } missing) return missing;
            return await Call(heph, new SubmitShot(spec), answer => answer switch
            {
                SubmitAccepted a => TypedResults.Accepted($"{TalosApi.Prefix}/shots/{a.ShotKeys[0]}",
                    new ShotAccepted(a.ShotKeys[0], a.Production, $"{TalosApi.Prefix}/shots/{a.ShotKeys[0]}")),
                SubmitRejected r => Problems.BadRequest(r.Reason, "$"),
                _ => null,
            });
        }).WithName("SubmitShot").WithSummary("Submit one shot spec (docs/shot-spec.md); ?palette=ASSET applies an uploaded palette (the spec's own entries win)")
          .Accepts<ShotSpec>("application/json").Produces<ShotAccepted>(202).ProducesProblem(400).ProducesProblem(413);

        shots.MapGet("", async (string? production, HephaestusGateway heph) =>
        {
            if (production is not null && !Identifiers.IsSafeId(production, out var bad)) return Problems.BadRequest($"production {bad}", "production");
            return await Call(heph, new ListShots(production), answer => answer is ShotListing l
                ? TypedResults.Ok(new ShotList(l.Shots.Select(ShotResource.From).ToList())) : null);
        }).WithName("ListShots").WithSummary("List shots (optionally of one production) with per-stage progress")
          .Produces<ShotList>().ProducesProblem(400);

        shots.MapGet("/{key}", async (string key, HephaestusGateway heph) =>
            await WithShot(heph, key, v => TypedResults.Ok(ShotResource.From(v))))
          .WithName("GetShot").WithSummary("One shot with per-stage progress").Produces<ShotResource>().ProducesProblem(404);

        shots.MapGet("/{key}/history", async (string key, HephaestusGateway heph, ShotHistory history, CancellationToken ct) =>
        {
            if (!Identifiers.IsShotKey(key)) return Problems.BadRequest($"'{key}' is not a shot key (production--id)", "key");
            var events = await history.ReadAsync(key, ct);
            if (events.Count == 0) return Problems.NotFound($"no journalled events for shot '{key}'", "key");
            return TypedResults.Ok(new ShotHistoryList(key, events));
        }).WithName("GetShotHistory").WithSummary("The shot's event history from the journal, operator actions (who, when) included")
          .Produces<ShotHistoryList>().ProducesProblem(404);

        shots.MapGet("/{key}/events", async (string key, HephaestusGateway heph, ProgressWatcher watcher, CancellationToken ct) =>
        {
            var sub = watcher.Subscribe(); // before the first read: no change falls between the two
            bool streaming = false;
            var result = await WithShot(heph, key, v => { streaming = true; return TypedResults.ServerSentEvents(EventRoutes.Stream(sub, ShotResource.From(v), ct)); });
            if (!streaming) sub.Dispose();
            return result;
        }).WithName("StreamShotEvents").WithSummary("Server-sent events (event: shot, data: the shot) until the shot is completed, failed or cancelled")
          .Produces(200, contentType: "text/event-stream");

        shots.MapGet("/{key}/video", async (string key, HephaestusGateway heph, IBlobVault vault, CancellationToken ct) =>
            await WithShotAsync(heph, key, v => ShotVideo(v, key, vault, ct)))
          .WithName("GetShotVideo").WithSummary("The shot's H.264 MP4").Produces(200, contentType: "video/mp4").ProducesProblem(409);

        shots.MapGet("/{key}/frames/{frame:int}/thumbnail", async (string key, int frame, int? width, HephaestusGateway heph, IBlobVault vault) =>
        {
            int w = width ?? 160;
            if (w is < 16 or > 1920) return Problems.BadRequest($"width {w} is outside 16..1920", "width");
            return await WithShot(heph, key, v =>
            {
                if (v.FramesHash is null) return Problems.Conflict($"shot '{key}' is {v.Status}; its frames are listed once it is completed", "key");
                if (frame < 0 || frame >= v.FrameCount) return Problems.BadRequest($"frame {frame} is outside 0..{v.FrameCount - 1}", "frame");
                return TypedResults.File(Thumbnails.Png(vault, v.FramesHash, frame, w), "image/png");
            });
        }).WithName("GetFrameThumbnail").WithSummary("A final frame of a completed shot as a PNG thumbnail (?width=, default 160)")
          .Produces(200, contentType: "image/png").ProducesProblem(409);

        // Operator verbs: journalled in the shot's audit trail with the token's name.
        shots.MapPost("/{key}/retry", (string key, ClaimsPrincipal user, HephaestusGateway heph, AuditJournal audit) =>
            Operate(heph, audit, key, "retry", null, user.Who(), by => new RetryShot(key, by))).OperatorVerb("RetryShot", "Retry a failed or cancelled shot from its recorded chunks");
        shots.MapPost("/{key}/cancel", (string key, ClaimsPrincipal user, HephaestusGateway heph, AuditJournal audit) =>
            Operate(heph, audit, key, "cancel", null, user.Who(), by => new CancelShot(key, by))).OperatorVerb("CancelShot", "Cancel a shot");
        shots.MapPost("/{key}/pause", (string key, ClaimsPrincipal user, HephaestusGateway heph, AuditJournal audit) =>
            Operate(heph, audit, key, "pause", null, user.Who(), by => new PauseShot(key, by))).OperatorVerb("PauseShot", "Pause a rendering shot (in-flight chunks are cancelled, recorded ones kept)");
        shots.MapPost("/{key}/resume", (string key, ClaimsPrincipal user, HephaestusGateway heph, AuditJournal audit) =>
            Operate(heph, audit, key, "resume", null, user.Who(), by => new ResumeShot(key, by))).OperatorVerb("ResumeShot", "Resume a paused shot");
        shots.MapPost("/{key}/priority", async (string key, HttpRequest request, ClaimsPrincipal user, HephaestusGateway heph, AuditJournal audit, ApiOptions options, CancellationToken ct) =>
        {
            var (_, root, problem) = await ApiBody.ReadJsonAsync(request, options.MaxJsonBytes, "the priority request", ct);
            if (problem is not null) return problem;
            if (root.ValueKind != System.Text.Json.JsonValueKind.Object || !root.TryGetProperty("priority", out var p))
                return Problems.BadRequest("the body must be {\"priority\": N}", "$.priority");
            if (p.ValueKind != System.Text.Json.JsonValueKind.Number || !p.TryGetInt32(out var priority) || priority is < -1000 or > 1000)
                return Problems.BadRequest("priority must be a whole number in -1000..1000", "$.priority");
            return await Operate(heph, audit, key, "priority", priority.ToString(System.Globalization.CultureInfo.InvariantCulture), user.Who(),
                by => new SetShotPriority(key, priority, by), TimeSpan.FromSeconds(5));
        }).OperatorVerb("SetShotPriority", "Set a shot's scheduling priority (higher runs first)").Accepts<PriorityRequest>("application/json");

        return api;
    }

    static RouteHandlerBuilder OperatorVerb(this RouteHandlerBuilder b, string name, string summary) =>
        b.RequireScope(ApiScopes.Operator).WithName(name).WithSummary(summary).WithTags("operator")
         .Produces<OperatorResult>().Produces<OperatorResult>(202).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

    /// <summary>
    /// Sends an operator verb, journals it in the audit trail (who, when, outcome) and answers 200, 202 (sent, not acknowledged), 404 or 409.
    /// The verb has happened by the time it is journalled, so a journal failure is logged (AuditJournal) and the answer is still the verb's.
    /// </summary>
    static async Task<IResult> Operate(HephaestusGateway heph, AuditJournal audit, string key, string action, string? detail, string by,
        Func<string, ITalosMessage> command, TimeSpan? timeout = null)
    {
        if (!Identifiers.IsShotKey(key)) return Problems.BadRequest($"'{key}' is not a shot key (production--id)", "key");
        object answer;
        try { answer = await heph.Ask(command(by), timeout); }
        catch (AskTimeoutException)
        {
            if (timeout is null) return Problems.Unavailable("Hephaestus did not answer in time; the cluster may still be forming");
            await audit.TryRecordAsync(new OperatorActionRecorded(key, action, by, detail, true, "sent; not acknowledged", DateTimeOffset.UtcNow));
            return TypedResults.Accepted((string?)null, new OperatorResult(key, action, false, "sent; Hephaestus did not acknowledge it"));
        }
        if (answer is not CommandAck ack) return Problems.Result(500, "Unexpected answer", $"Hephaestus answered {answer.GetType().Name}");
        if (ack.Message.StartsWith("unknown shot", StringComparison.Ordinal)) return Problems.NotFound(ack.Message, "key");
        await audit.TryRecordAsync(new OperatorActionRecorded(key, action, by, detail, ack.Ok, ack.Message, DateTimeOffset.UtcNow));
        return ack.Ok ? TypedResults.Ok(new OperatorResult(key, action, true, ack.Message)) : Problems.Conflict(ack.Message, "key");
    }

    /// <summary>
    /// A shot's review clip, made on its first ask (<see cref="ShotClips"/>: one encode however many ask at once, awaited
    /// without holding a thread) and sent, whole or by range, from its complete vault file. The file is opened before the
    /// answer starts, so every byte comes from that one file even if gc removes the blob meanwhile; a clip removed between
    /// the lookup and the open is made again.
    /// </summary>
    static async Task<IResult> ShotVideo(ShotView v, string key, IBlobVault vault, CancellationToken ct)
    {
        for (int attempt = 1; ; attempt++)
        {
            string? clip;
            try { clip = await ShotClips.ResolveAsync(vault, v.VideoHash, v.FramesHash, v.Fps, ct); }
            catch (VaultException e) { return Problems.Conflict($"shot '{key}': its frames are no longer in the vault ({e.Message})", "key"); }
            if (clip is null) return Problems.Conflict($"shot '{key}' is {v.Status}; its video exists once it is completed", "key");
            FileStream file;
            try { file = new FileStream(vault.PathOf(clip), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16, FileOptions.Asynchronous); }
            catch (Exception e) when (attempt < 3 && e is VaultException or FileNotFoundException or DirectoryNotFoundException) { continue; }
            return TypedResults.File(file, "video/mp4", $"{v.ShotId}.mp4", File.GetLastWriteTimeUtc(file.SafeFileHandle),
                new EntityTagHeaderValue($"\"{clip}\""), enableRangeProcessing: true);
        }
    }

    /// <summary><see cref="WithShot"/> for an answer that is awaited.</summary>
    static async Task<IResult> WithShotAsync(HephaestusGateway heph, string key, Func<ShotView, Task<IResult>> then)
    {
        ShotView? view = null;
        var answer = await WithShot(heph, key, v => { view = v; return TypedResults.Empty; });
        return view is null ? answer : await then(view);
    }

    static async Task<IResult> WithShot(HephaestusGateway heph, string key, Func<ShotView, IResult> then)
    {
        if (!Identifiers.IsShotKey(key)) return Problems.BadRequest($"'{key}' is not a shot key (production--id)", "key");
        return await Call(heph, new GetShot(key), answer => answer switch
        {
            ShotView v => then(v),
            ShotNotFound => Problems.NotFound($"no shot '{key}'", "key"),
            _ => null,
        });
    }

    /// <summary>Every problem of a spec at once; <c>field</c> is the first one's JSON path.</summary>
    public static IResult SpecProblem(IReadOnlyList<SpecError> errors, string prefix)
    {
        string Path(SpecError e) => prefix.Length == 0 ? e.Path : prefix + e.Path.TrimStart('$');
        var first = errors.Count > 0 ? Path(errors[0]) : "$";
        return Problems.BadRequest(string.Join("; ", errors.Take(20).Select(e => $"{Path(e)}: {e.Message}")), first,
            new Dictionary<string, object?> { ["errors"] = errors.Select(e => new { path = Path(e), message = e.Message }).ToList() });
    }

    /// <summary>A rig file, keyframe image or audio asset the specs name must already be in the vault (uploaded through /assets).</summary>
    public static IResult? MissingAsset(IReadOnlyList<ShotSpec> specs, IBlobVault vault, string root)
    {
        for (int s = 0; s < specs.Count; s++)
        {
            var at = specs.Count == 1 && root == "$" ? "$" : $"{root}[{s}]";
            for (int c = 0; c < specs[s].Characters.Count; c++)
                if (Identifiers.IsHashName(specs[s].Characters[c].Rig) && vault.ResolveAsset(specs[s].Characters[c].Rig) is null)
                    return Problems.BadRequest($"unknown rig asset '{specs[s].Characters[c].Rig}': upload the rig file first (POST {TalosApi.Prefix}/assets)", $"{at}.characters[{c}].rig");
            for (int c = 0; c < specs[s].Characters.Count; c++)
                for (int k = 0; k < specs[s].Characters[c].KeyframeImages.Count; k++)
                {
                    var name = specs[s].Characters[c].KeyframeImages[k].Asset;
                    if (vault.ResolveAsset(name) is null)
                        return Problems.BadRequest($"unknown asset '{name}': upload it first (POST {TalosApi.Prefix}/assets)", $"{at}.characters[{c}].keyframeImages[{k}].asset");
                }
            if (specs[s].Audio is { } a && vault.ResolveAsset(a.Asset) is null)
                return Problems.BadRequest($"unknown asset '{a.Asset}': upload it first (POST {TalosApi.Prefix}/assets)", $"{at}.audio.asset");
        }
        return null;
    }

    /// <summary>An uploaded palette (asset name or content hash) becomes the shot palette; entries the spec sets itself win.</summary>
    public static (ShotSpec? Spec, IResult? Problem) ApplyPalette(ShotSpec spec, string palette, IBlobVault vault)
    {
        var name = AssetRoutes.NameFor(palette);
        string? hash;
        try { hash = vault.ResolveAsset(name); }
        catch (VaultException e) { return (null, Problems.BadRequest(e.Message, "palette")); }
        if (hash is null) return (null, Problems.BadRequest($"unknown palette asset '{palette}'", "palette"));
        var bytes = vault.Get(hash);
        if (!AssetSniffer.TrySniff(bytes, out var kind, out var why) || kind != AssetSniffer.Palette)
            return (null, Problems.BadRequest($"asset '{palette}' is not a palette ({(why.Length > 0 ? why : kind)})", "palette"));
        var map = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(bytes)!;
        foreach (var (region, colour) in spec.Palette ?? new Dictionary<string, string>()) map[region] = colour;
        var merged = spec with { Palette = map };
        try { ShotSpecJson.Parse(ShotSpecJson.Serialize(merged)); }
        catch (SpecValidationException e) { return (null, SpecProblem(e.Errors, "")); }
        return (merged, null);
    }

    /// <summary>Asks Hephaestus and maps the answer; a timeout (no singleton reachable yet) is a 503.</summary>
    public static async Task<IResult> Call(HephaestusGateway heph, ITalosMessage message, Func<object, IResult?> map)
    {
        object answer;
        try { answer = await heph.Ask(message); }
        catch (AskTimeoutException) { return Problems.Unavailable("Hephaestus did not answer in time; the cluster may still be forming"); }
        return map(answer) ?? Problems.Result(500, "Unexpected answer", $"Hephaestus answered {answer.GetType().Name}");
    }

}
