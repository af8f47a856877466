using Akka.Actor;
using Akka.Hosting;
using Talos.Actors.Hosting;
using Talos.Messages;

namespace Talos.Cluster.Seed.Api;

/// <summary>
/// The API's one door into the cluster: every message a request sends to Hephaestus goes through here, after the
/// request was authenticated, authorized, size-checked and parsed. <see cref="Sent"/> counts them (tests prove
/// that refused requests never reach an actor).
/// </summary>
public sealed class HephaestusGateway(ActorRegistry registry)
{
    long _sent;

    public long Sent => Interlocked.Read(ref _sent);

    public Task<object> Ask(ITalosMessage message, TimeSpan? timeout = null)
    {
        Interlocked.Increment(ref _sent);
        return registry.Get<HephaestusKey>().Ask<object>(message, timeout ?? TimeSpan.FromSeconds(30));
    }
}
