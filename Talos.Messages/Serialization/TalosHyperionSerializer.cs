using Akka.Actor;
using Hyperion;

namespace Talos.Messages.Serialization;

/// <summary>
/// The wire serializer for every <see cref="ITalosMessage"/>: Hyperion with version tolerance and an IActorRef
/// surrogate. (Akka.Serialization.Hyperion is not available here, so Talos carries this small binding; every
/// process registers it the same way through <c>AddTalosSerialization</c>.)
/// </summary>
public sealed class TalosHyperionSerializer : Akka.Serialization.Serializer
{
    readonly Serializer _hyperion;

    public TalosHyperionSerializer(ExtendedActorSystem system) : base(system)
    {
        var refSurrogate = Surrogate.Create<IActorRef, ActorRefSurrogate>(
            r => new ActorRefSurrogate(Akka.Serialization.Serialization.SerializedActorPath(r)),
            s => system.Provider.ResolveActorRef(s.Path));
        _hyperion = new Serializer(SerializerOptions.Default
            .WithVersionTolerance(true)
            .WithPreserveObjectReferences(true)
            .WithSurrogates([refSurrogate]));
    }

    public override int Identifier => 4711;
    public override bool IncludeManifest => false;

    public override byte[] ToBinary(object obj)
    {
        using var ms = new MemoryStream();
        _hyperion.Serialize(obj, ms);
        return ms.ToArray();
    }

    public override object FromBinary(byte[] bytes, Type type)
    {
        using var ms = new MemoryStream(bytes);
        return _hyperion.Deserialize<object>(ms);
    }

    public sealed record ActorRefSurrogate(string Path);
}
