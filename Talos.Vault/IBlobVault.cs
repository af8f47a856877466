namespace Talos.Vault;

/// <summary>
/// ICHOR VAULT: content-addressed blobs (SHA-256 of the bytes, lowercase hex) with a SQLite catalogue of
/// named assets. Thread-safe; several processes may share one vault directory.
/// </summary>
public interface IBlobVault
{
    /// <summary>
    /// Stores bytes (atomic temp+rename) and returns their hash; storing existing bytes only touches them. With an
    /// <paramref name="owner"/>, the owner holds the blob from the same catalogue write that records it (no gap a sweep
    /// could fall into).
    /// </summary>
    string Put(ReadOnlySpan<byte> data, string kind = "blob", VaultRef? owner = null);
    /// <summary>Reads a blob; throws <see cref="VaultException"/> if absent or if its bytes no longer match its hash.</summary>
    byte[] Get(string hash);
    bool Contains(string hash);
    /// <summary>Stores bytes under a validated asset name (catalogue name → hash) and returns the hash.</summary>
    string PutAsset(string name, ReadOnlySpan<byte> data, string kind, VaultRef? owner = null);
    /// <summary>Hash of a named asset, or null when unknown. Throws VaultException for an invalid name.</summary>
    string? ResolveAsset(string name);
    /// <summary>Path of the blob's file on disk (for tools such as ffmpeg that want a file).</summary>
    string PathOf(string hash);

    /// <summary>Indexes a finished chunk's manifest under its content identity (<c>ChunkIdentity</c>), for reuse.</summary>
    void RecordChunk(string identity, string manifestHash);
    /// <summary>
    /// The manifest indexed under <paramref name="identity"/> when it and every blob it names (transitively) are still in
    /// the vault; <paramref name="owner"/> then holds it. Null when there is none or any part of it is gone.
    /// </summary>
    string? ReuseChunk(string identity, VaultRef owner);
}

/// <summary>
/// Who holds blobs: a shot's spec revision at a stage (<paramref name="Shot"/> its key), or a production's edit
/// (<paramref name="Shot"/> empty, <paramref name="Stage"/> "film").
/// </summary>
public sealed record VaultRef(string Production, string Shot, int Revision, string Stage);

public sealed class VaultException(string message, Exception? inner = null) : Exception(message, inner);

public static class BlobVaultAssets
{
    /// <summary>A named asset's bytes (by name or <c>sha256/HASH</c>), or null when the vault has no such asset.</summary>
    public static byte[]? Asset(this IBlobVault vault, string name) => vault.ResolveAsset(name) is { } hash ? vault.Get(hash) : null;
}
