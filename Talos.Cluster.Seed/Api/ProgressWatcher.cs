using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Talos.Actors.Hosting;
using Talos.Messages;
using Talos.Messages.Queries;
using Talos.Messages.Api;

namespace Talos.Cluster.Seed.Api;

/// <summary>
/// Watches Hephaestus's registry for the SSE streams and the webhooks. While anyone listens (an SSE client or a
/// registered webhook) it asks for the shot list every <see cref="ApiOptions.WatchInterval"/>, publishes every shot
/// whose state changed to each subscriber, and fires <c>shot.finished</c> / <c>shot.failed</c> webhooks on the
/// transition. Polling one registry query is cheap and needs no change to the actors; the first poll after an idle
/// spell is a baseline (no webhook fires for shots that ended before anyone listened).
/// </summary>
public sealed class ProgressWatcher(ActorRegistry registry, ApiOptions options, WebhookStore hooks, WebhookDispatcher dispatcher,
    ILogger<ProgressWatcher> log) : BackgroundService
{
    readonly ConcurrentDictionary<Guid, Channel<ShotResource>> _subscribers = new();
    readonly Dictionary<string, (string Json, string Status)> _last = new();
    bool _baseline = true;

    public sealed class Subscription(ProgressWatcher owner, Guid id, ChannelReader<ShotResource> reader) : IDisposable
    {
        public ChannelReader<ShotResource> Reader { get; } = reader;
        public void Dispose() => owner._subscribers.TryRemove(id, out _);
    }

    public Subscription Subscribe()
    {
        var ch = Channel.CreateBounded<ShotResource>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest });
        var id = Guid.NewGuid();
        _subscribers[id] = ch;
        return new Subscription(this, id, ch.Reader);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            if (_subscribers.IsEmpty && !hooks.Any) _baseline = true;
            else
            {
                try { await PollAsync(); }
                catch (Exception e) when (e is AskTimeoutException or InvalidOperationException or MissingActorRegistryEntryException)
                { log.LogDebug("progress poll: {Reason}", e.Message); }
            }
            try { await Task.Delay(options.WatchInterval, stoppingToken); } catch (OperationCanceledException) { break; }
        }
    }

    async Task PollAsync()
    {
        var listing = await registry.Get<HephaestusKey>().Ask<object>(new ListShots(), TimeSpan.FromSeconds(10));
        if (listing is not ShotListing l) return;
        bool baseline = _baseline;
        _baseline = false;
        foreach (var view in l.Shots)
        {
            var shot = ShotResource.From(view);
            var json = JsonSerializer.Serialize(shot, ShotJson.Options);
            var had = _last.TryGetValue(shot.Key, out var before);
            if (had && before.Json == json) continue;
            _last[shot.Key] = (json, shot.Status);
            foreach (var ch in _subscribers.Values) ch.Writer.TryWrite(shot);
            if (baseline || (had && before.Status == shot.Status)) continue;
            if (shot.Status == ShotStatus.Completed) dispatcher.Fire("shot.finished", shot);
            else if (shot.Status == ShotStatus.Failed) dispatcher.Fire("shot.failed", shot);
        }
    }
}
