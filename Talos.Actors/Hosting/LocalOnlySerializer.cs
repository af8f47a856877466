using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Serialization;

namespace Talos.Actors.Hosting;

/// <summary>
/// For <c>serialize-messages = on</c> (tests) only: Akka.Persistence.Sql's journal sends itself a message holding a
/// running Task (<c>WriteFinished</c>), which never leaves the process and no serializer can write. This binding
/// hands the same object back, so the test switch verifies every Talos message and skips only that one.
/// </summary>
public sealed class LocalOnlySerializer(ExtendedActorSystem system) : Serializer(system)
{
    static readonly ConcurrentDictionary<long, object> Parked = new();
    static long _next;

    public override int Identifier => 7711;
    public override bool IncludeManifest => false;

    public override byte[] ToBinary(object obj)
    {
        long id = Interlocked.Increment(ref _next);
        Parked[id] = obj;
        return BitConverter.GetBytes(id);
    }

    public override object FromBinary(byte[] bytes, Type type) =>
        Parked.TryRemove(BitConverter.ToInt64(bytes), out var obj) ? obj : throw new InvalidOperationException("local-only message was not parked");
}
