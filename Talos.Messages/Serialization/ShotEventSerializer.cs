using System.Text;
using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;
using SerializationException = System.Runtime.Serialization.SerializationException;
using Talos.Messages.Events;

namespace Talos.Messages.Serialization;

/// <summary>
/// Journal serializer for <see cref="ITalosEvent"/>s: camelCase JSON under explicit, versioned manifests.
/// Renaming or moving a CLR type never strands an old journal; only the manifest table below matters.
/// </summary>
public sealed class ShotEventSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    static readonly (string Manifest, Type Type)[] Table =
    [
        ("talos.hephaestus.shot-admitted.v1", typeof(ShotAdmitted)),
        ("talos.hephaestus.production-admitted.v1", typeof(ProductionAdmitted)),
        ("talos.hephaestus.shot-outcome.v1", typeof(ShotOutcomeRecorded)),
        ("talos.hephaestus.shot-retry.v1", typeof(ShotRetryRequested)),
        ("talos.hephaestus.shot-priority.v1", typeof(ShotPriorityChanged)),
        ("talos.hephaestus.production-edited.v1", typeof(ProductionEdited)),
        ("talos.hephaestus.production-edit-failed.v1", typeof(ProductionEditFailed)),
        ("talos.hephaestus.shot-revised.v1", typeof(ShotRevised)),
        ("talos.hephaestus.production-revised.v1", typeof(ProductionRevised)),
        ("talos.hephaestus.snapshot.v2", typeof(HephaestusSnapshot)),
        ("talos.shot.started.v1", typeof(ShotStarted)),
        ("talos.shot.spec-revised.v1", typeof(ShotSpecRevised)),
        ("talos.shot.chunk-completed.v1", typeof(ChunkCompleted)),
        ("talos.shot.stage-completed.v1", typeof(StageCompleted)),
        ("talos.shot.revision-requested.v1", typeof(RevisionRequested)),
        ("talos.shot.failed.v1", typeof(ShotRenderFailed)),
        ("talos.shot.retried.v1", typeof(ShotRenderRetried)),
        ("talos.shot.cancelled.v1", typeof(ShotRenderCancelled)),
        ("talos.shot.paused.v1", typeof(ShotRenderPaused)),
        ("talos.shot.resumed.v1", typeof(ShotRenderResumed)),
        ("talos.shot.completed.v1", typeof(ShotRenderCompleted)),
        ("talos.shot.frames-repaired.v1", typeof(ShotFramesRepaired)),
        ("talos.shot.chunk-failed.v1", typeof(ChunkAttemptRecorded)),
        ("talos.shot.node-avoided.v1", typeof(ShotNodeAvoided)),
        ("talos.api.operator-action.v1", typeof(OperatorActionRecorded)),
        ("talos.shot.snapshot.v1", typeof(SnapshotDocument)),
    ];

    /// <summary>Manifests no longer written that still read (as JSON): Hephaestus's snapshot before its binary layout.</summary>
    static readonly (string Manifest, Type Type)[] Older =
    [
        ("talos.hephaestus.snapshot.v1", typeof(HephaestusSnapshot)),
    ];

    /// <summary>The manifest whose records are <see cref="HephaestusSnapshotCodec"/>'s binary layout, not JSON.</summary>
    public const string HephaestusSnapshotManifest = "talos.hephaestus.snapshot.v2";

    static readonly Dictionary<Type, string> ByType = Table.ToDictionary(t => t.Type, t => t.Manifest);
    static readonly Dictionary<string, Type> ByManifest = Table.Concat(Older).ToDictionary(t => t.Manifest, t => t.Type);

    public static IReadOnlyCollection<Type> EventTypes => ByType.Keys;

    public override int Identifier => 4712;

    public override string Manifest(object o) =>
        ByType.TryGetValue(o.GetType(), out var m) ? m : throw new ArgumentException($"no journal manifest for {o.GetType().FullName}");

    public override byte[] ToBinary(object obj) => obj is HephaestusSnapshot snapshot
        ? HephaestusSnapshotCodec.Write(snapshot)
        : JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Json);

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!ByManifest.TryGetValue(manifest, out var type))
            throw new SerializationException($"unknown journal event manifest '{manifest}'");
        if (manifest == HephaestusSnapshotManifest) return HephaestusSnapshotCodec.Read(bytes);
        return JsonSerializer.Deserialize(bytes, type, Json)
               ?? throw new SerializationException($"journal event '{manifest}' decoded to null: {Encoding.UTF8.GetString(bytes)}");
    }
}
