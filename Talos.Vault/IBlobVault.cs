namespace Talos.Vault;

/// <summary>
/// ICHOR VAULT: content-addressed blobs (SHA-256 of the bytes, lowercase hex) with a SQLite catalogue of
/// named assets. Thread-safe; several processes may share one vault directory.
/// </summary>
public interface IBlobVault
{
    /// <summary>Stores bytes (atomic temp+rename) and returns their hash; storing existing bytes is a no-op.</summary>
    string Put(ReadOnlySpan<byte> data, string kind = "blob");
    /// <summary>Reads a blob; throws <see cref="VaultException"/> if absent or if its bytes no longer match its hash.</summary>
    byte[] Get(string hash);
    bool Contains(string hash);
    /// <summary>Stores bytes under a validated asset name (catalogue name → hash) and returns the hash.</summary>
    string PutAsset(string name, ReadOnlySpan<byte> data, string kind);
    /// <summary>Hash of a named asset, or null when unknown. Throws VaultException for an invalid name.</summary>
    string? ResolveAsset(string name);
    /// <summary>Path of the blob's file on disk (for tools such as ffmpeg that want a file).</summary>
    string PathOf(string hash);
}

public sealed class VaultException(string message, Exception? inner = null) : Exception(message, inner);
