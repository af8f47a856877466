using System.Text.Json;
using Talos.Messages.Serialization;
using Talos.Vault;

namespace Talos.Actors.Pipeline;

/// <summary>What one frame of a stage produced: named vault blobs (layers) and optional small metadata JSON.</summary>
public sealed record FrameOutputs(int Frame, IReadOnlyDictionary<string, string> Blobs, string? Meta = null);

/// <summary>
/// The record of a finished chunk, stored in the vault as JSON; its hash is what the shot journals in
/// ChunkCompleted. Every frame hash it lists is already in the vault (invariant 1).
/// </summary>
public sealed record ChunkManifest(string Stage, int Chunk, int FirstFrame, IReadOnlyList<FrameOutputs> Frames,
    string? State = null, string? Note = null)
{
    public static ChunkManifest Load(IBlobVault vault, string hash) =>
        JsonSerializer.Deserialize<ChunkManifest>(vault.Get(hash), ShotEventSerializer.Json)
        ?? throw new InvalidDataException($"chunk manifest {hash} is empty");

    public string Store(IBlobVault vault) => vault.Put(JsonSerializer.SerializeToUtf8Bytes(this, ShotEventSerializer.Json), "manifest");
}
