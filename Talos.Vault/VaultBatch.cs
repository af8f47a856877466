namespace Talos.Vault;

/// <summary>
/// The writes of one unit of work (a chunk's outputs and manifest, an attempt's log and its chunk-index row) made as one:
/// a blob put here is hashed at once and waits for <see cref="Commit"/> — a small one's bytes in memory, a large one's
/// (over <see cref="SmallBlobBytes"/>: a frame layer) in a temp file of its own, written but not flushed. The commit
/// records every pending blob and the owner's refs in ONE catalogue transaction — with the bytes of those up to
/// <see cref="BlobVault.InlineBlobBytes"/> (manifests, logs: inline, that transaction committed with the WAL synced) —,
/// then flushes every file (their writeback started together, then one fsync each), renames each onto its hash (as
/// <see cref="BlobVault.Put"/> does, blob by blob), then indexes chunks whose manifest was among them (a second
/// transaction: the index never names a manifest before its bytes are durable). A chunk-index row whose manifest is
/// already durable goes into the first transaction, and so does every index row of a batch with no file to write (a
/// trivial chunk: one transaction, one flush). Before, each blob was a transaction of its own and the index row one
/// more (about five per trivial chunk), and every large blob its own transaction and fsync.
/// <para>
/// A hash this returns before <see cref="Commit"/> names bytes that are not yet durable: the caller commits before it
/// tells anyone. Writes for another owner and named assets are written at once (pending blobs first); reading a pending
/// blob (<see cref="Get"/>, <see cref="Contains"/>, <see cref="PathOf"/>) commits first. Without a commit (the work
/// failed) the pending blobs are dropped — <see cref="Dispose"/> deletes the large ones' temp files (after a crash the
/// vault's stale-temp sweep does): nothing named them. A commit whose files failed loses its large blobs (their temp
/// files are deleted: an fsync that failed cannot be trusted again), and the batch refuses to go on: the work is done
/// again. On a vault that is not a <see cref="BlobVault"/> every write goes through at once. Thread-safe (a stage may
/// write frames in parallel).
/// </para>
/// </summary>
public sealed class VaultBatch(IBlobVault inner, VaultRef owner) : IBlobVault, IDisposable
{
    /// <summary>Blobs up to this size wait in memory for the commit; larger ones wait in temp files.</summary>
    public const int SmallBlobBytes = 64 * 1024;
    /// <summary>Pending bytes or blobs past these commit what is pending (a chunk of many small frames stays bounded).</summary>
    const int MaxPendingBytes = 4 << 20, MaxPendingBlobs = 256;
    /// <summary>Large blobs waiting in temp files past these commit (open files, and unflushed bytes in the page cache).</summary>
    const int MaxStagedFiles = 64;
    const long MaxStagedBytes = 256L << 20;

    readonly BlobVault? _vault = inner as BlobVault;
    readonly object _lock = new();
    readonly List<BlobVault.PendingBlob> _blobs = [];
    readonly List<BlobVault.StagedBlob> _staged = [];
    readonly HashSet<string> _pending = [];
    readonly List<(string Identity, string Manifest)> _chunks = [];
    long _pendingBytes, _stagedBytes;
    string? _broken;

    public VaultRef Owner { get; } = owner;

    public string Put(ReadOnlySpan<byte> data, string kind = "blob", VaultRef? owner = null)
    {
        if (_vault is null || (owner is not null && owner != Owner))
        {
            if (_vault is not null) Flush(chunks: false); // what was put before is durable first, as if written in turn
            return inner.Put(data, kind, owner ?? Owner);
        }
        BlobVault.ValidateBlobKind(kind);
        string hash = BlobVault.HashOf(data);
        bool full;
        if (data.Length > SmallBlobBytes)
        {
            lock (_lock)
            {
                ThrowIfBroken();
                if (_pending.Contains(hash)) return hash;
            }
            var staged = _vault.Stage(data, hash, kind); // outside the lock: other threads write their frames meanwhile
            lock (_lock)
            {
                if (_broken is not null || !_pending.Add(hash))
                {
                    staged.Discard(); // another thread staged the same bytes first (or the batch broke meanwhile)
                    ThrowIfBroken();
                    return hash;
                }
                _staged.Add(staged);
                _stagedBytes += data.Length;
                full = _staged.Count >= MaxStagedFiles || _stagedBytes > MaxStagedBytes;
            }
        }
        else
        {
            lock (_lock)
            {
                ThrowIfBroken();
                if (_pending.Add(hash))
                {
                    _blobs.Add(new BlobVault.PendingBlob(hash, data.ToArray(), kind));
                    _pendingBytes += data.Length;
                }
                full = _pendingBytes > MaxPendingBytes || _blobs.Count >= MaxPendingBlobs;
            }
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

    /// <summary>Drops what is still pending (the work failed or was cancelled): the large blobs' temp files are deleted.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var s in _staged) s.Discard();
            _staged.Clear();
            _blobs.Clear();
            _pending.Clear();
            _chunks.Clear();
            _pendingBytes = _stagedBytes = 0;
            _broken ??= "the batch was disposed";
        }
    }

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
            ThrowIfBroken();
            if (_blobs.Count == 0 && _staged.Count == 0 && (!chunks || _chunks.Count == 0)) return;
            var blobs = _blobs.ToList();
            var staged = _staged.ToList();
            var index = chunks ? _chunks.ToList() : [];
            try
            {
                _vault.PutMany(blobs, staged, Owner, index);
            }
            catch (VaultException e) when (staged.Any(s => s.Discarded))
            {
                // The files failed and the large blobs' temp files went with them: nothing can bring those bytes back.
                _broken = $"a commit failed and lost this batch's large blobs ({e.Message})";
                throw;
            }
            _blobs.Clear();
            _staged.Clear();
            _pending.Clear();
            _pendingBytes = _stagedBytes = 0;
            if (chunks) _chunks.Clear();
        }
    }

    void ThrowIfBroken()
    {
        if (_broken is not null) throw new VaultException($"vault batch of {Owner.Shot} {Owner.Stage} cannot go on: {_broken}");
    }
}
