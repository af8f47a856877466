namespace Talos.Vault;

/// <summary>
/// The writes of one unit of work (a chunk's outputs and manifest, an attempt's log and its chunk-index row) made as one:
/// a small blob put here is hashed at once and its bytes kept until <see cref="Commit"/>, which records every pending
/// blob and the owner's refs in ONE catalogue transaction, then writes their files (each to a temp file, flushed to disk,
/// renamed onto its hash — as <see cref="BlobVault.Put"/>), then indexes chunks whose manifest was among them (a second
/// transaction: the index never names a manifest before its bytes are durable). A chunk-index row whose manifest is
/// already durable goes into the first transaction. Before, each blob was a transaction of its own and the index row
/// one more (about five per trivial chunk).
/// <para>
/// A hash this returns before <see cref="Commit"/> names bytes that are not yet durable: the caller commits before it
/// tells anyone. Blobs over <see cref="SmallBlobBytes"/>, writes for another owner and named assets are written at once
/// (pending blobs first); reading a pending blob (<see cref="Get"/>, <see cref="Contains"/>, <see cref="PathOf"/>)
/// commits first. Without a commit (the work failed) the pending blobs are dropped: nothing named them. On a vault that
/// is not a <see cref="BlobVault"/> every write goes through at once. Thread-safe (a stage may write frames in parallel).
/// </para>
/// </summary>
public sealed class VaultBatch(IBlobVault inner, VaultRef owner) : IBlobVault
{
    /// <summary>Blobs up to this size wait for the commit; larger ones are written at once (their bytes dominate their cost).</summary>
    public const int SmallBlobBytes = 64 * 1024;
    /// <summary>Pending bytes or blobs past these commit what is pending (a chunk of many small frames stays bounded).</summary>
    const int MaxPendingBytes = 4 << 20, MaxPendingBlobs = 256;

    readonly BlobVault? _vault = inner as BlobVault;
    readonly object _lock = new();
    readonly List<BlobVault.PendingBlob> _blobs = [];
    readonly HashSet<string> _pending = [];
    readonly List<(string Identity, string Manifest)> _chunks = [];
    long _pendingBytes;

    public VaultRef Owner { get; } = owner;

    public string Put(ReadOnlySpan<byte> data, string kind = "blob", VaultRef? owner = null)
    {
        if (_vault is null || data.Length > SmallBlobBytes || (owner is not null && owner != Owner))
        {
            if (_vault is not null) Flush(chunks: false); // what was put before is durable first, as if written in turn
            return inner.Put(data, kind, owner ?? Owner);
        }
        BlobVault.ValidateBlobKind(kind);
        string hash = BlobVault.HashOf(data);
        bool full;
        lock (_lock)
        {
            if (_pending.Add(hash))
            {
                _blobs.Add(new BlobVault.PendingBlob(hash, data.ToArray(), kind));
                _pendingBytes += data.Length;
            }
            full = _pendingBytes > MaxPendingBytes || _blobs.Count >= MaxPendingBlobs;
        }
        if (full) Flush(chunks: false);
        return hash;
    }

    public string PutAsset(string name, ReadOnlySpan<byte> data, string kind, VaultRef? owner = null)
    {
        if (_vault is not null) Flush(chunks: false);
        return inner.PutAsset(name, data, kind, owner ?? Owner);
    }

    public void RecordChunk(string identity, string manifestHash)
    {
        if (_vault is null) { inner.RecordChunk(identity, manifestHash); return; }
        lock (_lock) _chunks.Add((identity, manifestHash));
    }

    public byte[] Get(string hash) { CommitIfPending(hash); return inner.Get(hash); }
    public bool Contains(string hash) { CommitIfPending(hash); return inner.Contains(hash); }
    public string PathOf(string hash) { CommitIfPending(hash); return inner.PathOf(hash); }
    public string? ResolveAsset(string name) => inner.ResolveAsset(name);
    public string? ReuseChunk(string identity, VaultRef owner) => inner.ReuseChunk(identity, owner);

    /// <summary>Makes every pending blob durable and records the pending chunk-index rows (see the class).</summary>
    public void Commit() => Flush(chunks: true);

    void CommitIfPending(string hash)
    {
        bool pending;
        lock (_lock) pending = _pending.Contains(hash);
        if (pending) Flush(chunks: false);
    }

    void Flush(bool chunks)
    {
        if (_vault is null) return;
        // One flush at a time: a reader that finds its blob pending returns only once it is durable.
        lock (_lock)
        {
            if (_blobs.Count == 0 && (!chunks || _chunks.Count == 0)) return;
            var blobs = _blobs.ToList();
            var index = chunks ? _chunks.ToList() : [];
            _vault.PutMany(blobs, Owner, index);
            _blobs.Clear();
            _pending.Clear();
            _pendingBytes = 0;
            if (chunks) _chunks.Clear();
        }
    }
}
