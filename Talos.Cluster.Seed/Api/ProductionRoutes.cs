using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Talos.Gpu.Prism;
using Talos.Messages.Commands;
using Talos.Messages.Queries;
using Talos.Messages.Specs;
using Talos.Vault;
using Talos.Messages.Api;
using Talos.Gpu.Cuttura;
using Talos.Actors.Hephaestus;

namespace Talos.Cluster.Seed.Api;

/// <summary>
/// A film as <c>GET /productions/{p}/film</c> hands it over, by the production's delivery: sdr and hdr10 are MP4,
/// prores a QuickTime MOV, png16 a zip of the 16-bit PNG sequence (the vault keeps it zipped; served as stored, streamed
/// from disk). The name is <c>&lt;production&gt;.&lt;ext&gt;</c>; clients (<c>talos render --farm</c>) rely on this contract.
/// </summary>
public static class FilmDownload
{
    /// <summary>Media type per film extension (<see cref="DeliveryEncoder.Extension"/>; png16's sequence is served zipped).</summary>
    static readonly Dictionary<string, string> Types = new() { [".mp4"] = "video/mp4", [".mov"] = "video/quicktime", [".zip"] = "application/zip" };

    public static readonly string[] ContentTypes = [.. Types.Values];

    public static (string ContentType, string Extension) Of(string delivery)
    {
        if (!DeliveryEncoder.Deliveries.Contains(delivery))
            throw new ArgumentException($"unknown delivery '{delivery}' (expected {string.Join(", ", DeliveryEncoder.Deliveries)})", nameof(delivery));
        var ext = DeliveryEncoder.Extension(delivery) is { Length: > 0 } e ? e : ".zip";
        return (Types[ext], ext);
    }

    /// <summary>The edited film of <paramref name="v"/> (its FilmHash must be set) as a ranged file download.</summary>
    public static IResult For(ProductionView v, IBlobVault vault)
    {
        var (type, ext) = Of(v.Delivery);
        return TypedResults.PhysicalFile(vault.PathOf(v.FilmHash!), type, v.Production + ext, enableRangeProcessing: true);
    }
}

public sealed record WebhookRequest(string Url, string? Secret);

public static class ProductionRoutes
{
    static readonly string[] Known = ["production", "fountain", "prompt", "shots", "width", "height", "fps", "scenes", "maxSeconds",
        "audioAsset", "audioOffsetSeconds", "transitionFrames", "cast"];

    public static RouteGroupBuilder MapProductionRoutes(this RouteGroupBuilder api)
    {
        var productions = api.MapGroup("/productions").WithTags("productions").RequireScope(ApiScopes.Pipeline);

        productions.MapPost("", async (HttpRequest request, HephaestusGateway heph, IBlobVault vault, ApiOptions options, CancellationToken ct) =>
        {
            var (_, root, problem) = await ApiBody.ReadJsonAsync(request, options.MaxJsonBytes, "the production request", ct);
            if (problem is not null) return problem;
            var (submit, bad) = Plan(root, vault);
            if (bad is not null) return bad;
            if (ShotRoutes.MissingAsset(submit!.Shots, vault, "$.shots") is { } missing) return missing;
            if (submit.AudioAsset is { } audio && vault.ResolveAsset(audio) is null) return Problems.BadRequest($"unknown asset '{audio}'", "$.audioAsset");
            return await ShotRoutes.Call(heph, submit, answer => answer switch
            {
                SubmitAccepted a => TypedResults.Accepted($"{TalosApi.Prefix}/productions/{a.Production}",
                    new ProductionAccepted(a.Production, a.ShotKeys, $"{TalosApi.Prefix}/productions/{a.Production}")),
                SubmitRejected r => Problems.BadRequest(r.Reason, "$"),
                _ => null,
            });
        }).WithName("SubmitProduction").WithSummary("Submit a production: a Fountain screenplay, a prompt, or shot specs; edited into one film when done")
          .Accepts<ProductionRequest>("application/json").Produces<ProductionAccepted>(202).ProducesProblem(400).ProducesProblem(413);

        productions.MapGet("/{production}", async (string production, HephaestusGateway heph) =>
        {
            if (!Identifiers.IsSafeId(production, out var bad)) return Problems.BadRequest($"production {bad}", "production");
            return await ShotRoutes.Call(heph, new GetProduction(production), answer => answer switch
            {
                ProductionView v => TypedResults.Ok(ProductionResource.From(v)),
                ProductionNotFound => Problems.NotFound($"no production '{production}'", "production"),
                _ => null,
            });
        }).WithName("GetProduction").WithSummary("A production's status, its shots with progress, and its film once edited")
          .Produces<ProductionResource>().ProducesProblem(404);

        productions.MapGet("/{production}/film", async (string production, HephaestusGateway heph, IBlobVault vault) =>
        {
            if (!Identifiers.IsSafeId(production, out var bad)) return Problems.BadRequest($"production {bad}", "production");
            return await ShotRoutes.Call(heph, new GetProduction(production), answer => answer switch
            {
                ProductionView { FilmHash: not null } v => FilmDownload.For(v, vault),
                ProductionView v => Problems.Conflict($"production '{production}' is {v.Status}; its film exists once it is edited", "production"),
                ProductionNotFound => Problems.NotFound($"no production '{production}'", "production"),
                _ => null,
            });
        }).WithName("GetProductionFilm").WithSummary("The production's edited film, by its delivery: MP4 (sdr, hdr10), MOV (prores) or a zip of 16-bit PNGs (png16)")
          .Produces<Stream>(200, FilmDownload.ContentTypes[0], FilmDownload.ContentTypes[1..]).ProducesProblem(409);

        productions.MapGet("/{production}/timeline.otio", (string production, string? rate, HttpRequest request, HephaestusGateway heph, IBlobVault vault) =>
            Timeline(production, rate, request, heph, vault, TimelineWriter.Otio, "application/json"))
          .WithName("GetProductionTimelineOtio").WithSummary("The production's cut as an OpenTimelineIO timeline (JSON), media at the shots' video URLs; ?rate=23.976|24|25|29.97|30")
          .Produces<Stream>(200, "application/json").ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);

        productions.MapGet("/{production}/timeline.edl", (string production, string? rate, HttpRequest request, HephaestusGateway heph, IBlobVault vault) =>
            Timeline(production, rate, request, heph, vault, TimelineWriter.Edl, "text/plain"))
          .WithName("GetProductionTimelineEdl").WithSummary("The production's cut as a CMX 3600 EDL (29.97: drop-frame); ?rate=23.976|24|25|29.97|30")
          .Produces<Stream>(200, "text/plain").ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);

        productions.MapPost("/{production}/webhooks", async (string production, HttpRequest request, ClaimsPrincipal user, WebhookStore store,
            ApiOptions options, CancellationToken ct) =>
        {
            if (!Identifiers.IsSafeId(production, out var bad)) return Problems.BadRequest($"production {bad}", "production");
            var (_, root, problem) = await ApiBody.ReadJsonAsync(request, options.MaxJsonBytes, "the webhook", ct);
            if (problem is not null) return problem;
            if (root.ValueKind != JsonValueKind.Object) return Problems.BadRequest("the body must be {\"url\": \"http…\", \"secret\": \"…\"}", "$");
            if (!root.TryGetProperty("url", out var u) || u.ValueKind != JsonValueKind.String
                || !Uri.TryCreate(u.GetString(), UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                return Problems.BadRequest("url must be an absolute http:// or https:// URL", "$.url");
            if (await WebhookTargets.RefusalAsync(url, options.WebhookAllowPrivate, ct) is { } refused) return Problems.BadRequest("url " + refused, "$.url");
            string? secret = null;
            if (root.TryGetProperty("secret", out var s) && s.ValueKind != JsonValueKind.Null)
            {
                if (s.ValueKind != JsonValueKind.String || s.GetString()!.Length is < 16 or > 256)
                    return Problems.BadRequest("secret must be a string of 16..256 characters (or leave it out and one is made)", "$.secret");
                secret = s.GetString();
            }
            bool made = secret is null;
            secret ??= Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            var hook = new WebhookRegistration(Guid.NewGuid().ToString("N")[..12], production, url.ToString(), secret, user.Who(), DateTimeOffset.UtcNow);
            store.Add(hook);
            return TypedResults.Created($"{TalosApi.Prefix}/productions/{production}/webhooks/{hook.Id}",
                new WebhookView(hook.Id, production, hook.Url, hook.Created, made ? secret : null));
        }).WithName("RegisterWebhook").WithSummary("Register a webhook for the production's shots (shot.finished, shot.failed), signed X-Talos-Signature: sha256=HMAC; loopback and private addresses are refused unless the seed allows them")
          .Accepts<WebhookRequest>("application/json").Produces<WebhookView>(201).ProducesProblem(400);

        productions.MapGet("/{production}/webhooks", (string production, WebhookStore store) =>
            TypedResults.Ok(store.For(production).Select(h => new WebhookView(h.Id, h.Production, h.Url, h.Created)).ToList()))
          .WithName("ListWebhooks").WithSummary("The production's webhooks (without secrets)").Produces<List<WebhookView>>();

        productions.MapDelete("/{production}/webhooks/{id}", (string production, string id, WebhookStore store) =>
            store.Remove(production, id) ? Results.NoContent() : Problems.NotFound($"no webhook '{id}' on production '{production}'", "id"))
          .WithName("DeleteWebhook").WithSummary("Remove a webhook").Produces(204).ProducesProblem(404);

        return api;
    }

    /// <summary>The request → a SubmitProduction with validated specs, or the problem (naming its field).</summary>
    static (SubmitProduction?, IResult?) Plan(JsonElement root, IBlobVault vault)
    {
        if (root.ValueKind != JsonValueKind.Object) return (null, Problems.BadRequest("the body must be a JSON object", "$"));
        foreach (var p in root.EnumerateObject())
            if (!Known.Contains(p.Name)) return (null, Problems.BadRequest($"unknown property '{p.Name}' (known: {string.Join(", ", Known)})", "$." + p.Name));
        string? Str(string name) => root.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        IResult? Type(string name, JsonValueKind kind) => root.TryGetProperty(name, out var e) && e.ValueKind != kind && e.ValueKind != JsonValueKind.Null
            ? Problems.BadRequest($"{name} must be a {kind.ToString().ToLowerInvariant()}", "$." + name) : null;
        foreach (var n in new[] { "production", "fountain", "prompt", "scenes", "audioAsset" }) if (Type(n, JsonValueKind.String) is { } t) return (null, t);
        foreach (var n in new[] { "width", "height", "fps", "maxSeconds", "audioOffsetSeconds", "transitionFrames" }) if (Type(n, JsonValueKind.Number) is { } t) return (null, t);
        if (Type("shots", JsonValueKind.Array) is { } ts) return (null, ts);

        int? Int(string name) => root.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var v) ? v : null;
        double? Num(string name) => root.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.Number ? e.GetDouble() : null;
        var (width, height, fps, transition) = (Int("width"), Int("height"), Int("fps"), Int("transitionFrames"));
        var (maxSeconds, audioOffset) = (Num("maxSeconds"), Num("audioOffsetSeconds"));
        if (width is { } w && Limits.WidthProblem(w) is { } badW) return (null, Problems.BadRequest($"width {badW}", "$.width"));
        if (height is { } h && Limits.HeightProblem(h) is { } badH) return (null, Problems.BadRequest($"height {badH}", "$.height"));
        if (fps is { } f && Limits.FpsProblem(f) is { } badF) return (null, Problems.BadRequest($"fps {badF}", "$.fps"));
        if (maxSeconds is { } m && Limits.MaxSecondsProblem(m) is { } badM) return (null, Problems.BadRequest($"maxSeconds {badM}", "$.maxSeconds"));
        if (transition is < 0 or > 240) return (null, Problems.BadRequest("transitionFrames must be in 0..240", "$.transitionFrames"));
        if (audioOffset is { } a && Limits.AudioOffsetProblem(a) is { } badA) return (null, Problems.BadRequest($"audioOffsetSeconds {badA}", "$.audioOffsetSeconds"));
        var production = Str("production");
        if (production is not null && !Identifiers.IsSafeId(production, out var badP)) return (null, Problems.BadRequest($"production {badP}", "$.production"));
        var audio = Str("audioAsset");
        if (audio is not null && !Identifiers.IsSafeAssetName(AssetRoutes.NameFor(audio), out var why)) return (null, Problems.BadRequest($"audioAsset {why}", "$.audioAsset"));
        if (audio is not null) audio = AssetRoutes.NameFor(audio);

        var (fountain, prompt) = (Str("fountain"), Str("prompt"));
        bool hasShots = root.TryGetProperty("shots", out var shotsEl) && shotsEl.ValueKind == JsonValueKind.Array;
        if ((fountain is not null ? 1 : 0) + (prompt is not null ? 1 : 0) + (hasShots ? 1 : 0) != 1)
            return (null, Problems.BadRequest("give exactly one of fountain (screenplay text), prompt or shots", "$"));
        int? first = null, last = null;
        if (Str("scenes") is { } scenes)
        {
            if (hasShots) return (null, Problems.BadRequest("scenes applies to screenplays; shot specs have no scenes", "$.scenes"));
            if (!SceneRange.TryParse(scenes, out var range, out var badRange)) return (null, Problems.BadRequest($"scenes {badRange}", "$.scenes"));
            (first, last) = (range.First, range.Last);
        }

        Cast? cast = null;
        if (root.TryGetProperty("cast", out var castEl) && castEl.ValueKind != JsonValueKind.Null)
        {
            try { cast = Cast.Parse(castEl.GetRawText(), "cast", VaultCast(vault)); }
            catch (PrismException e) { return (null, Problems.BadRequest(e.Message, "$.cast")); }
        }

        List<ShotSpec> specs;
        try
        {
            if (hasShots)
            {
                specs = ShotSpecJson.ParseMany(shotsEl.GetRawText()).OrderBy(s => s.Sequence).ToList();
                if (cast is not null) specs = cast.ApplyTo(specs, "the shots").ToList();
                if (production is not null) specs = specs.Select(s => s with { Production = production }).ToList();
                production ??= specs[0].Production;
                if (specs.Any(s => s.Production != production))
                    return (null, Problems.BadRequest("every shot of a production must name the same production (or give production)", "$.shots"));
            }
            else
            {
                var settings = new RenderSettings(width ?? 1280, height ?? 720, fps ?? 24, first, last, maxSeconds, Cast: cast);
                var graph = fountain is not null ? SceneGraphBuilder.Build(FountainParser.Parse(fountain, "api")) : PromptParser.Build(prompt!);
                specs = ShotPlanner.ToShotSpecs(graph, settings).ToList();
                if (specs.Count == 0) return (null, Problems.BadRequest("the input gave no shots", fountain is not null ? "$.fountain" : "$.prompt"));
                var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", specs.Select(ShotSpecJson.Serialize)))))[..10];
                production ??= (fountain is not null ? "screenplay-" : "prompt-") + digest;
                specs = specs.Select(s => s with { Production = production }).ToList();
                foreach (var s in specs) ShotSpecJson.Parse(ShotSpecJson.Serialize(s));
            }
        }
        catch (SpecValidationException e) { return (null, ShotRoutes.SpecProblem(e.Errors, "$.shots")); }
        catch (CastException e) { return (null, Problems.BadRequest(e.Message, "$.cast")); }
        catch (PrismException e) { return (null, Problems.BadRequest(e.Message, fountain is not null ? "$.fountain" : prompt is not null ? "$.prompt" : "$.shots")); }
        return (new SubmitProduction(production!, specs, audio, audioOffset ?? 0, transition ?? 8), null);
    }

    /// <summary>A cast sent through the API names uploaded assets: a rig file (or a palette file) by its upload name or content hash;
    /// the rig is loaded from the vault, drawings and all, and named by its content in the specs.</summary>
    static CastSources VaultCast(IBlobVault vault) => new(
        reference =>
        {
            var name = AssetRoutes.NameFor(reference);
            if (!Identifiers.IsSafeAssetName(name, out var why)) throw new InvalidDataException($"rig asset name {why}");
            var hash = vault.ResolveAsset(name) ?? throw new InvalidDataException($"unknown rig asset '{Identifiers.Printable(reference)}': upload the rig file first (POST {TalosApi.Prefix}/assets)");
            var content = AssetRoutes.HashPrefix + hash;
            return (content, Talos.Gpu.Axis.RigAssets.Resolve(content, vault.Asset), []);
        },
        reference =>
        {
            var name = AssetRoutes.NameFor(reference);
            if (!Identifiers.IsSafeAssetName(name, out var why)) throw new InvalidDataException($"palette asset name {why}");
            return vault.Asset(name) ?? throw new InvalidDataException($"unknown palette asset '{Identifiers.Printable(reference)}': upload it first (POST {TalosApi.Prefix}/assets)");
        });

    /// <summary>A hand-off timeline of the production, its media as absolute URLs of this API (shot videos, the audio asset).</summary>
    static async Task<IResult> Timeline(string production, string? rate, HttpRequest request, HephaestusGateway heph, IBlobVault vault,
        Func<FilmTimeline, TimecodeRate, string> write, string contentType)
    {
        if (!Identifiers.IsSafeId(production, out var bad)) return Problems.BadRequest($"production {bad}", "production");
        var api = $"{request.Scheme}://{request.Host}{request.PathBase}{TalosApi.Prefix}";
        return await ShotRoutes.Call(heph, new GetProduction(production), answer =>
        {
            if (answer is ProductionNotFound) return Problems.NotFound($"no production '{production}'", "production");
            if (answer is not ProductionView v) return null;
            if (v.Shots.Count == 0) return Problems.Conflict($"production '{production}' has no shots", "production");
            TimecodeRate tc;
            try { tc = TimecodeRate.For(v.Shots[0].Fps, rate); }
            catch (ArgumentException e) { return Problems.BadRequest(e.Message, "rate"); }
            var t = ProductionTimeline.Build(v, vault, s => $"{api}/shots/{Uri.EscapeDataString(s.ShotKey)}/video", hash => $"{api}/assets/{hash}");
            return TypedResults.Text(write(t, tc), contentType, Encoding.UTF8);
        });
    }
}
