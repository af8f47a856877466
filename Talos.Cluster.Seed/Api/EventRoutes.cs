using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Talos.Messages;
using Talos.Messages.Queries;
using Talos.Messages.Api;
using Talos.Messages.Specs;

namespace Talos.Cluster.Seed.Api;

/// <summary>
/// Progress as server-sent events: <c>event: shot</c>, <c>data:</c> the shot (as GET /shots/{key} shows it). A stream
/// opens with the current state of its shots and then sends each change. The per-shot stream ends after the shot's
/// terminal state, so <c>curl -N</c> returns when the shot is done.
/// </summary>
public static class EventRoutes
{
    public static RouteGroupBuilder MapEventRoutes(this RouteGroupBuilder api)
    {
        api.MapGet("/events", (string? production, HephaestusGateway heph, ProgressWatcher watcher, CancellationToken ct) =>
        {
            if (production is not null && !Identifiers.IsSafeId(production, out var bad)) return Problems.BadRequest($"production {bad}", "production");
            return TypedResults.ServerSentEvents(StreamAll(heph, watcher, production, ct));
        }).RequireScope(ApiScopes.Pipeline).WithTags("events").WithName("StreamEvents")
          .WithSummary("Server-sent events of every shot's progress (optionally of one production)").Produces(200, contentType: "text/event-stream");
        return api;
    }

    static async IAsyncEnumerable<SseItem<ShotResource>> StreamAll(HephaestusGateway heph, ProgressWatcher watcher, string? production,
        [EnumeratorCancellation] CancellationToken ct)
    {
        using var sub = watcher.Subscribe(); // before the snapshot: nothing falls between the two
        if (await heph.Ask(new ListShots(production)) is ShotListing l)
            foreach (var v in l.Shots) yield return Item(ShotResource.From(v));
        while (true)
        {
            ShotResource shot;
            try { shot = await sub.Reader.ReadAsync(ct); }
            catch (OperationCanceledException) { yield break; }
            if (production is null || shot.Production == production) yield return Item(shot);
        }
    }

    /// <summary>The per-shot stream: <paramref name="sub"/> was opened before <paramref name="first"/> was read, so no change falls between.</summary>
    public static async IAsyncEnumerable<SseItem<ShotResource>> Stream(ProgressWatcher.Subscription sub, ShotResource first,
        [EnumeratorCancellation] CancellationToken ct)
    {
        using var _ = sub;
        yield return Item(first);
        if (ShotStatus.IsTerminal(first.Status)) yield break;
        while (true)
        {
            ShotResource next;
            try { next = await sub.Reader.ReadAsync(ct); }
            catch (OperationCanceledException) { yield break; }
            if (next.Key != first.Key) continue;
            yield return Item(next);
            if (ShotStatus.IsTerminal(next.Status)) yield break;
        }
    }

    static SseItem<ShotResource> Item(ShotResource shot) => new(shot, "shot");
}
