using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Talos.Actors.Hosting;
using Talos.Actors.Operations;
using Talos.Messages;
using Talos.Messages.Queries;
using Talos.Messages.Specs;
using Talos.Vault;
using Talos.Messages.Api;

namespace Talos.Cluster.Seed.Api;

/// <summary>A member named in a request body: its full address (akka.tcp://talos@host:port) or host:port.</summary>
public sealed record MemberRequest(string? Address, int? TimeoutSeconds = null);
public sealed record RegionList(string TypeName, IReadOnlyList<RegionInfo> Regions);
/// <summary>A page of log lines; pass <see cref="Cursor"/> back as <c>?cursor=</c> to get only newer lines (<c>talos logs --follow</c>).</summary>
public sealed record LogsView(IReadOnlyList<NodeLogLine> Lines, string Cursor, IReadOnlyList<string> Silent);

/// <summary>
/// The operator side of the seed: the palette's routes under <c>/api/v1</c> (scope <c>operator</c>) — cluster members
/// and load, leave, down, drain, shard regions and statistics, the queue, every node's recent log lines — plus the
/// dashboard at <c>/</c>. The Akka side is <see cref="ClusterOperations"/> (plain functions over the actor system).
/// Shot verbs (retry, cancel, pause, resume, priority), history, submit and video are the pipeline API's routes
/// (ShotRoutes).
/// </summary>
public static class OperatorRoutes
{
    public static IEndpointRouteBuilder MapOperatorRoutes(this IEndpointRouteBuilder endpoints)
    {
        var ops = endpoints.MapGroup(TalosApi.Prefix).WithTags("operator").RequireScope(ApiScopes.Operator).ExcludeFromDescription();

        ops.MapGet("/cluster", async (ActorSystem system) => TypedResults.Ok(await ClusterOperations.ShowAsync(system)));

        ops.MapPost("/cluster/leave", async (HttpRequest request, ActorSystem system, ApiOptions options, CancellationToken ct) =>
            await WithMember(request, options, ct, m =>
            {
                var address = ClusterOperations.Leave(system, m.Address!);
                return TypedResults.Accepted((string?)null, new MemberActionResult(address, "leave", true, "leave requested: the member hands off its shards and exits the cluster"));
            }));

        ops.MapPost("/cluster/down", async (HttpRequest request, ActorSystem system, ApiOptions options, CancellationToken ct) =>
            await WithMember(request, options, ct, m =>
            {
                var address = ClusterOperations.Down(system, m.Address!);
                return TypedResults.Ok(new MemberActionResult(address, "down", true, "marked down: its shards start again on the other members"));
            }));

        ops.MapPost("/nodes/drain", async (HttpRequest request, ActorSystem system, ApiOptions options, CancellationToken ct) =>
        {
            var (m, problem) = await ReadMember(request, options, ct);
            if (problem is not null) return problem;
            int timeout = m!.TimeoutSeconds ?? 120;
            if (timeout is < 1 or > 3600) return Problems.BadRequest($"timeoutSeconds {timeout} is outside 1..3600", "$.timeoutSeconds");
            try { return TypedResults.Ok(await ClusterOperations.DrainAsync(system, m.Address!, TimeSpan.FromSeconds(timeout), ct)); }
            catch (OperationException e) { return Problem(e); }
        });

        ops.MapGet("/sharding/regions", async (ActorSystem system) =>
            TypedResults.Ok(new RegionList(ClusterOperations.ShotTypeName, await ClusterOperations.RegionsAsync(system))));

        ops.MapGet("/sharding/stats", async (ActorRegistry registry) =>
        {
            try { return (IResult)TypedResults.Ok(await ClusterOperations.StatsAsync(registry.Get<ShotRegionKey>())); }
            catch (AskTimeoutException) { return Problems.Unavailable("the shard coordinator did not answer in time; the cluster may still be forming"); }
        });

        ops.MapGet("/queue", async (HephaestusGateway heph) => await ShotRoutes.Call(heph, new ListShots(), answer => answer is ShotListing l
            ? TypedResults.Ok(Queue(l.Shots)) : null));

        ops.MapGet("/logs", async (string? node, string? shot, string? cursor, int? limit, ActorSystem system) =>
        {
            if (shot is not null && !Identifiers.IsShotKey(shot)) return Problems.BadRequest($"'{shot}' is not a shot key (production--id)", "shot");
            int max = limit ?? 200;
            if (max is < 1 or > 2000) return Problems.BadRequest($"limit {max} is outside 1..2000", "limit");
            if (!TryParseCursor(cursor, out var from)) return Problems.BadRequest("cursor must be what a previous answer returned (address=seq;…)", "cursor");
            try
            {
                var page = await ClusterOperations.LogsAsync(system, node, shot, from, max);
                return TypedResults.Ok(new LogsView(page.Lines, FormatCursor(page.Cursor), page.Silent));
            }
            catch (OperationException e) { return Problem(e); }
        });

        // The vault's lifecycle (talos vault gc|du --farm): the seed sweeps and measures the farm's shared vault; a sweep
        // runs beside the farm's writes (each victim in its own catalogue write transaction).
        ops.MapPost("/vault/gc", async (HttpRequest request, IBlobVault vault, ApiOptions options, CancellationToken ct) =>
        {
            var (_, root, problem) = await ApiBody.ReadJsonAsync(request, options.MaxJsonBytes, "the gc request", ct);
            if (problem is not null) return problem;
            if (root.ValueKind != JsonValueKind.Object)
                return Problems.BadRequest("the body must be a JSON object: {\"keepRevisions\", \"keep\", \"graceSeconds\", \"dryRun\"} (each may be left out)", "$");
            VaultGcOptions gc;
            try { gc = VaultGcOptions.From(root.Deserialize<VaultGcRequest>(ShotJson.Options) ?? new VaultGcRequest()); }
            catch (JsonException e) { return Problems.BadRequest($"the gc request does not fit {{keepRevisions: number, keep: string, graceSeconds: number, dryRun: bool}}: {e.Message}", e.Path ?? "$"); }
            catch (VaultException e) { return Problems.BadRequest(e.Message, "$"); }
            if (vault is not BlobVault local) return Problems.Unavailable("this seed's vault cannot be swept from here");
            return TypedResults.Ok(await Task.Run(() => local.Collect(gc), ct));
        });
        ops.MapGet("/vault/du", async (IBlobVault vault, CancellationToken ct) =>
            vault is BlobVault local ? (IResult)TypedResults.Ok(await Task.Run(local.Usage, ct)) : Problems.Unavailable("this seed's vault cannot be measured from here"));

        // The ECHO report of a shot (JSON from the vault) for the dashboard's charts; pipeline tokens may read it too.
        endpoints.MapGet(TalosApi.Prefix + "/shots/{key}/report", async (string key, HephaestusGateway heph, IBlobVault vault) =>
        {
            if (!Identifiers.IsShotKey(key)) return Problems.BadRequest($"'{key}' is not a shot key (production--id)", "key");
            return await ShotRoutes.Call(heph, new GetShot(key), answer => answer switch
            {
                ShotView { ReportHash: { } hash } => TypedResults.Bytes(vault.Get(hash), "application/json"),
                ShotView v => Problems.Conflict($"shot '{key}' is {v.Status}; ECHO has not reported yet", "key"),
                ShotNotFound => Problems.NotFound($"no shot '{key}'", "key"),
                _ => null,
            });
        }).RequireScope(ApiScopes.Pipeline).WithTags("operator").ExcludeFromDescription();

        endpoints.MapDashboard();
        return endpoints;
    }

    /// <summary>Shots not yet finished, in Hephaestus's order: the ones rendering (or paused) first, then those waiting, each in admission order.</summary>
    public static QueueView Queue(IReadOnlyList<ShotView> shots)
    {
        var open = shots.Where(s => !ShotStatus.IsTerminal(s.Status))
            .OrderBy(s => s.Status == ShotStatus.Queued ? 1 : 0).ToList(); // stable: keeps Hephaestus's order within each group
        return new QueueView(open.Select((s, i) => new QueueEntry(i + 1, s.ShotKey, s.Production, s.Sequence, s.Status,
            ShotResource.From(s).Progress, s.FrameCount)).ToList());
    }

    /// <summary>The {address, timeoutSeconds} body, read like every other JSON body (ApiBody: size limit, problem+json errors).</summary>
    public static async Task<(MemberRequest?, IResult?)> ReadMember(HttpRequest request, ApiOptions options, CancellationToken ct)
    {
        var (_, root, problem) = await ApiBody.ReadJsonAsync(request, options.MaxJsonBytes, "the member request", ct);
        if (problem is not null) return (null, problem);
        if (root.ValueKind != JsonValueKind.Object)
            return (null, Problems.BadRequest("the body must be a JSON object: {\"address\": \"akka.tcp://talos@host:port\"}", "$"));
        MemberRequest? m;
        try { m = root.Deserialize<MemberRequest>(ShotJson.Options); }
        catch (JsonException e) { return (null, Problems.BadRequest($"the member request does not fit {{\"address\": string, \"timeoutSeconds\": number}}: {e.Message}", e.Path ?? "$")); }
        if (m?.Address is not { Length: > 0 }) return (null, Problems.BadRequest("address is required (akka.tcp://talos@host:port or host:port)", "$.address"));
        return (m, null);
    }

    static async Task<IResult> WithMember(HttpRequest request, ApiOptions options, CancellationToken ct, Func<MemberRequest, IResult> act)
    {
        var (m, problem) = await ReadMember(request, options, ct);
        if (problem is not null) return problem;
        try { return act(m!); }
        catch (OperationException e) { return Problem(e); }
    }

    static IResult Problem(OperationException e)
    {
        var field = e.Field == "address" ? "$.address" : e.Field;
        return e.Unknown ? Problems.NotFound(e.Message, field) : Problems.Conflict(e.Message, field);
    }

    public static string FormatCursor(IReadOnlyDictionary<string, long> cursor) =>
        string.Join(";", cursor.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"));

    public static bool TryParseCursor(string? text, out Dictionary<string, long>? cursor)
    {
        cursor = null;
        if (string.IsNullOrEmpty(text)) return true;
        cursor = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var part in text.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.LastIndexOf('=');
            if (eq <= 0 || !long.TryParse(part.AsSpan(eq + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seq))
                return false;
            cursor[part[..eq]] = seq;
        }
        return true;
    }
}
