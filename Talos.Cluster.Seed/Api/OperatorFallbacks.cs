using System.Security.Claims;
using System.Text.Json;
using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Talos.Actors.Prism;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Events;
using Talos.Messages.Queries;
using Talos.Messages.Serialization;
using Talos.Vault;

namespace Talos.Cluster.Seed.Api;

/// <summary>Answer of a shot verb (retry, cancel, pause, resume, priority): the same shape as the pipeline API's.</summary>
public sealed record ShotVerbResult(string Key, string Action, bool Acknowledged, string Message);
public sealed record FallbackHistoryEntry(string Source, long SequenceNr, string Event, DateTimeOffset At, JsonElement Data);
public sealed record FallbackHistory(string Key, IReadOnlyList<FallbackHistoryEntry> Events);

/// <summary>
/// The operator palette and the dashboard need a few shot routes that belong to the pipeline API (ShotRoutes:
/// submit, history, video, retry/cancel/pause/resume/priority). Each is mapped here only when no route of the same
/// method and pattern exists yet, in the same shape (paths, bodies, answers), so a build with the full pipeline API
/// uses its routes (with their audit trail) and these stay unused. They are kept minimal on purpose.
/// </summary>
public static partial class OperatorFallbacks
{
    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Parameter();

    static string Shape(string? pattern) => Parameter().Replace((pattern ?? "").TrimEnd('/'), "{}");

    static bool Has(IEndpointRouteBuilder endpoints, string method, string pattern) =>
        endpoints.DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>().Any(r =>
            Shape(r.RoutePattern.RawText) == Shape(pattern) &&
            (r.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains(method, StringComparer.OrdinalIgnoreCase) ?? false));

    public static IEndpointRouteBuilder MapOperatorFallbacks(this IEndpointRouteBuilder endpoints)
    {
        string shots = TalosApi.Prefix + "/shots";
        // Decide first (enumerating endpoints builds them), then map into a group of their own.
        bool submit = !Has(endpoints, "POST", shots), video = !Has(endpoints, "GET", shots + "/{key}/video"),
             history = !Has(endpoints, "GET", shots + "/{key}/history");
        var verbs = new[] { "retry", "cancel", "pause", "resume", "priority" }.Where(v => !Has(endpoints, "POST", $"{shots}/{{key}}/{v}")).ToList();
        var group = endpoints.MapGroup(shots).WithTags("operator").ExcludeFromDescription();

        if (submit)
            group.MapPost("", async (HttpRequest request, HephaestusGateway heph, ApiOptions options, CancellationToken ct) =>
            {
                if (request.ContentLength is { } n && n > options.MaxJsonBytes) return Problems.TooLarge($"the shot spec is over {options.MaxJsonBytes} bytes");
                string json;
                using (var reader = new StreamReader(request.Body)) json = await reader.ReadToEndAsync(ct);
                Talos.Messages.Specs.ShotSpec spec;
                try { spec = ShotSpecJson.Parse(json); }
                catch (SpecValidationException e) { return Problems.BadRequest(e.Message, e.Errors.Count > 0 ? e.Errors[0].Path : "$"); }
                catch (PrismException e) { return Problems.BadRequest(e.Message, "$"); }
                return await ShotRoutes.Call(heph, new SubmitShot(spec), answer => answer switch
                {
                    SubmitAccepted a => TypedResults.Accepted($"{shots}/{a.ShotKeys[0]}", new { key = a.ShotKeys[0], production = a.Production, href = $"{shots}/{a.ShotKeys[0]}" }),
                    SubmitRejected r => Problems.BadRequest(r.Reason, "$"),
                    _ => null,
                });
            }).RequireScope(ApiScopes.Pipeline);

        if (video)
            group.MapGet("/{key}/video", async (string key, HephaestusGateway heph, IBlobVault vault) =>
            {
                if (!ShotRoutes.IsValidKey(key)) return Problems.BadRequest($"'{key}' is not a shot key (production--id)", "key");
                return await ShotRoutes.Call(heph, new GetShot(key), answer => answer switch
                {
                    ShotView { VideoHash: { } hash } v => TypedResults.PhysicalFile(vault.PathOf(hash), "video/mp4", $"{v.ShotId}.mp4", enableRangeProcessing: true),
                    ShotView v => Problems.Conflict($"shot '{key}' is {v.Status}; its video exists once it is completed", "key"),
                    ShotNotFound => Problems.NotFound($"no shot '{key}'", "key"),
                    _ => null,
                });
            }).RequireScope(ApiScopes.Pipeline);

        if (history)
            group.MapGet("/{key}/history", async (string key, ActorSystem system, CancellationToken ct) =>
            {
                if (!ShotRoutes.IsValidKey(key)) return Problems.BadRequest($"'{key}' is not a shot key (production--id)", "key");
                var events = await HistoryAsync(system, key, ct);
                return events.Count == 0 ? Problems.NotFound($"no journalled events for shot '{key}'", "key") : TypedResults.Ok(new FallbackHistory(key, events));
            }).RequireScope(ApiScopes.Pipeline);

        foreach (var verb in verbs)
        {
            group.MapPost($"/{{key}}/{verb}", async (string key, HttpRequest request, ClaimsPrincipal user, HephaestusGateway heph, CancellationToken ct) =>
            {
                if (!ShotRoutes.IsValidKey(key)) return Problems.BadRequest($"'{key}' is not a shot key (production--id)", "key");
                var by = user.Who();
                ITalosMessage command;
                if (verb == "priority")
                {
                    JsonElement body;
                    try { body = await request.ReadFromJsonAsync<JsonElement>(ct); }
                    catch (Exception e) when (e is JsonException or InvalidOperationException) { return Problems.BadRequest("the body must be {\"priority\": N}", "$.priority"); }
                    if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("priority", out var p) || p.ValueKind != JsonValueKind.Number
                        || !p.TryGetInt32(out var priority) || priority is < -1000 or > 1000)
                        return Problems.BadRequest("priority must be a whole number in -1000..1000", "$.priority");
                    command = new SetShotPriority(key, priority, by);
                }
                else command = verb switch
                {
                    "retry" => new RetryShot(key, by),
                    "cancel" => new CancelShot(key, by),
                    "pause" => new PauseShot(key, by),
                    _ => new ResumeShot(key, by),
                };
                object answer;
                try { answer = await heph.Ask(command, verb == "priority" ? TimeSpan.FromSeconds(5) : null); }
                catch (AskTimeoutException)
                {
                    return verb == "priority"
                        ? TypedResults.Accepted((string?)null, new ShotVerbResult(key, verb, false, "sent; Hephaestus did not acknowledge it"))
                        : Problems.Unavailable("Hephaestus did not answer in time; the cluster may still be forming");
                }
                if (answer is not CommandAck ack) return Problems.Result(500, "Unexpected answer", $"Hephaestus answered {answer.GetType().Name}");
                if (ack.Message.StartsWith("unknown shot", StringComparison.Ordinal)) return Problems.NotFound(ack.Message, "key");
                return ack.Ok ? TypedResults.Ok(new ShotVerbResult(key, verb, true, ack.Message)) : Problems.Conflict(ack.Message, "key");
            }).RequireScope(ApiScopes.Operator);
        }
        return endpoints;
    }

    /// <summary>Hephaestus's events about the shot and the shot entity's own, from the journal, in time order.</summary>
    static async Task<IReadOnlyList<FallbackHistoryEntry>> HistoryAsync(ActorSystem system, string key, CancellationToken ct)
    {
        var journal = PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>("akka.persistence.query.journal.sql");
        var serializer = new ShotEventSerializer((ExtendedActorSystem)system);
        var found = new List<FallbackHistoryEntry>();
        foreach (var (id, source) in new[] { ("hephaestus", "hephaestus"), ("shot-" + key, "shot") })
        {
            var envelopes = await journal.CurrentEventsByPersistenceId(id, 0, long.MaxValue)
                .RunWith(Sink.Seq<EventEnvelope>(), system.Materializer()).WaitAsync(TimeSpan.FromSeconds(30), ct);
            foreach (var env in envelopes)
            {
                if (env.Event is not ITalosEvent e) continue;
                if (source == "hephaestus" && !About(e, key)) continue;
                found.Add(new FallbackHistoryEntry(source, env.SequenceNr, serializer.Manifest(e), At(env.Timestamp),
                    JsonSerializer.SerializeToElement(e, e.GetType(), ShotEventSerializer.Json)));
            }
        }
        return found.OrderBy(e => e.At).ToList();
    }

    static bool About(ITalosEvent e, string key) => e switch
    {
        ShotAdmitted a => a.ShotKey == key,
        ProductionAdmitted p => p.ShotKeys.Contains(key),
        ShotOutcomeRecorded o => o.ShotKey == key,
        ShotRetryRequested r => r.ShotKey == key,
        _ => false,
    };

    static DateTimeOffset At(long timestamp) =>
        timestamp > 100_000_000_000_000L && timestamp < DateTime.MaxValue.Ticks ? new DateTimeOffset(timestamp, TimeSpan.Zero)
        : timestamp > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(timestamp) : DateTimeOffset.UnixEpoch;
}
