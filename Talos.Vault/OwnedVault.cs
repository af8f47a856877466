namespace Talos.Vault;

/// <summary>
/// A vault whose every write is held by one owner from the moment it is written: <see cref="Put"/> and
/// <see cref="PutAsset"/> record the owner's reference in the same catalogue write as the blob (a write that names its
/// own owner keeps it). What a chunk of a shot's spec revision writes at a stage, what the editor stores for a film.
/// </summary>
public sealed class OwnedVault(IBlobVault inner, VaultRef owner) : IBlobVault
{
    public VaultRef Owner { get; } = owner;

    public string Put(ReadOnlySpan<byte> data, string kind = "blob", VaultRef? owner = null) => inner.Put(data, kind, owner ?? Owner);
    public string PutAsset(string name, ReadOnlySpan<byte> data, string kind, VaultRef? owner = null) => inner.PutAsset(name, data, kind, owner ?? Owner);
    public byte[] Get(string hash) => inner.Get(hash);
    public bool Contains(string hash) => inner.Contains(hash);
    public string? ResolveAsset(string name) => inner.ResolveAsset(name);
    public string PathOf(string hash) => inner.PathOf(hash);
    public void RecordChunk(string identity, string manifestHash) => inner.RecordChunk(identity, manifestHash);
    public string? ReuseChunk(string identity, VaultRef owner) => inner.ReuseChunk(identity, owner);
}
