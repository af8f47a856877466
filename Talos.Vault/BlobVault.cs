using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Microsoft.Win32.SafeHandles;
using Talos.Messages.Specs;

namespace Talos.Vault;

/// <summary>
/// ICHOR VAULT on a local (or shared) directory:
/// <code>
/// root/blobs/ab/cd/&lt;sha256&gt;   immutable blobs, named by the SHA-256 of their bytes (lowercase hex)
/// root/tmp/                      temp files of writes in flight (a crash leaves them here, never under a hash)
/// root/catalogue.db              SQLite catalogue (WAL): blobs(hash, size, kind, created, touched), blob_bytes(hash → bytes: the
///                                small blobs stored inline), assets(name → hash, kind, updated), refs(owner → hash, seq),
///                                chunks(identity → manifest), counters, meta
/// </code>
/// A write first records (touches) the blob's catalogue row — with its owner's reference, in the same transaction — and
/// only then checks its bytes. A small blob (up to <see cref="InlineBlobBytes"/>: manifests, logs, frame lists, reports)
/// missing from the vault gets its bytes in that same transaction (<c>blob_bytes</c>), and the write returns only once
/// the WAL holding that commit is flushed to disk (<see cref="SyncWal"/>: its one flush, after the commit, outside the
/// catalogue's write lock, so that other writers need not wait for it); a
/// larger one's missing file goes to a unique temp file, is flushed to disk and renamed onto its hash. A blob is a file,
/// inline, or (a small one that was imported, written before inline bytes, or asked for by <see cref="PathOf"/>) both;
/// a write of a blob the vault holds in either form only touches it. So a sweep (<see cref="Collect"/>), which deletes
/// a row with its inline bytes and then its file under the catalogue's write lock, either sees the write's touch and
/// keeps the blob, or deleted it first and the write puts the bytes back. Reads verify the hash of what they read.
/// Thread-safe; several processes may share one root.
/// </summary>
public sealed partial class BlobVault : IBlobVault, IDisposable
{
    const int MaxKindLength = 64;
    /// <summary>
    /// Blobs up to this size are stored in the catalogue (<c>blob_bytes</c>), not as files: a chunk's manifest, log and
    /// small outputs then cost one catalogue transaction and one flush (the WAL's) instead of a file each (created,
    /// written, fsync'd, renamed into a fan-out folder). 16 KiB: a file costs an inode, a 4 KiB block and a directory
    /// entry whatever its size, while a row's bytes cost their own pages written twice (WAL, then checkpoint) — four
    /// pages at most here. In the README render 1,183 of 3,116 blobs are this small (logs, most manifests and frame
    /// lists, sparse line-art and shadow layers) and hold 3 % of its bytes: the catalogue grows by 8 MB, not by frames
    /// (docs/SCALE.md, eleventh pass).
    /// </summary>
    public const int InlineBlobBytes = 16 * 1024;
    /// <summary>Temp files older than this are leftovers of crashed writers and are removed on open.</summary>
    static readonly TimeSpan StaleTempAge = TimeSpan.FromHours(1);

    readonly string _root;
    readonly string _blobDir;
    readonly string _tmpDir;
    readonly object _dbLock = new();
    readonly SqliteConnection _db;
    readonly SqliteCommand _upsertAsset;
    readonly SqliteCommand _resolveAsset;
    readonly SqliteCommand _listAssets;
    // Prepared once: a chunk writes several blobs, each a catalogue transaction (parsing the SQL cost as much as running it).
    readonly SqliteCommand _touchBlob;
    readonly SqliteCommand _nextRefSeq;
    readonly SqliteCommand _upsertRef;
    readonly SqliteCommand _inlineLength;
    readonly SqliteCommand _upsertInline;
    readonly SqliteCommand _insertChunk;
    /// <summary>A second connection for reads of inline bytes: they do not wait behind a commit's WAL flush (WAL readers
    /// do not block on the writer).</summary>
    readonly SqliteConnection _reader;
    readonly object _readLock = new();
    readonly SqliteCommand _readInline;
    readonly SqliteCommand _hasInline;
    readonly string _walPath;
    /// <summary>Whether the catalogue runs in WAL mode (a file system without shared memory, e.g. some network mounts,
    /// leaves SQLite in its rollback journal, whose commits sync themselves at <c>synchronous=NORMAL</c>).</summary>
    bool _walMode;
    readonly object _walLock = new();
    /// <summary>The catalogue's WAL, opened at the first <see cref="SyncWal"/>: fsync'd after each commit of inline bytes.</summary>
    SafeFileHandle? _wal;
    bool _disposed;

    /// <summary>Root directory of this vault (absolute).</summary>
    public string RootDirectory => _root;

    BlobVault(string root)
    {
        _root = root;
        _blobDir = Path.Combine(root, "blobs");
        _tmpDir = Path.Combine(root, "tmp");
        Directory.CreateDirectory(_blobDir);
        Directory.CreateDirectory(_tmpDir);
        SweepStaleTemps();

        var dbPath = Path.Combine(root, "catalogue.db");
        _walPath = dbPath + "-wal";
        var cs = new SqliteConnectionStringBuilder
        {
            DataSource = dbPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            // Every node of a farm writes this catalogue (one writer at a time): under load a write may wait seconds for
            // the lock (20 node processes opening one vault at once on 2 busy cores waited past 5 s).
            DefaultTimeout = 30,
            Pooling = false,
        }.ToString();
        _db = new SqliteConnection(cs);
        _reader = new SqliteConnection(cs);
        try
        {
            _db.Open();
            Exec("PRAGMA busy_timeout=30000;");
            using (var c = _db.CreateCommand())
            {
                c.CommandText = "PRAGMA journal_mode=WAL;";
                _walMode = string.Equals(c.ExecuteScalar() as string, "wal", StringComparison.OrdinalIgnoreCase);
            }
            Exec("PRAGMA synchronous=NORMAL;");
            Exec("""
                CREATE TABLE IF NOT EXISTS blobs(
                    hash    TEXT PRIMARY KEY NOT NULL,
                    size    INTEGER NOT NULL,
                    kind    TEXT NOT NULL,
                    created TEXT NOT NULL,
                    touched TEXT);
                CREATE TABLE IF NOT EXISTS blob_bytes(
                    hash    TEXT PRIMARY KEY NOT NULL,
                    bytes   BLOB NOT NULL);
                CREATE TABLE IF NOT EXISTS assets(
                    name    TEXT PRIMARY KEY NOT NULL,
                    hash    TEXT NOT NULL,
                    kind    TEXT NOT NULL,
                    updated TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS refs(
                    production TEXT NOT NULL,
                    shot       TEXT NOT NULL,
                    revision   INTEGER NOT NULL,
                    stage      TEXT NOT NULL,
                    hash       TEXT NOT NULL,
                    created    TEXT NOT NULL,
                    seq        INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY(production, shot, revision, stage, hash));
                CREATE INDEX IF NOT EXISTS refs_hash ON refs(hash);
                CREATE TABLE IF NOT EXISTS chunks(
                    identity TEXT PRIMARY KEY NOT NULL,
                    manifest TEXT NOT NULL,
                    created  TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS counters(
                    name  TEXT PRIMARY KEY NOT NULL,
                    value INTEGER NOT NULL);
                CREATE TABLE IF NOT EXISTS meta(
                    name  TEXT PRIMARY KEY NOT NULL,
                    value TEXT NOT NULL);
                """);
            Migrate();
            _upsertAsset = Prepare("""
                INSERT INTO assets(name, hash, kind, updated) VALUES ($n, $h, $k, $t)
                ON CONFLICT(name) DO UPDATE SET hash = excluded.hash, kind = excluded.kind, updated = excluded.updated;
                """, "$n", "$h", "$k", "$t");
            _resolveAsset = Prepare("SELECT hash FROM assets WHERE name = $n;", "$n");
            _listAssets = Prepare("SELECT name, hash, kind FROM assets ORDER BY name;");
            _touchBlob = Prepare("INSERT INTO blobs(hash, size, kind, created, touched) VALUES ($h, $s, $k, $t, $t) " +
                                 "ON CONFLICT(hash) DO UPDATE SET touched = excluded.touched, size = excluded.size RETURNING created;", "$h", "$s", "$k", "$t");
            _nextRefSeq = Prepare("INSERT INTO counters(name, value) VALUES ('refs', 1) ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value;");
            _upsertRef = Prepare("INSERT INTO refs(production, shot, revision, stage, hash, created, seq) VALUES ($p, $s, $r, $st, $h, $t, $q) " +
                                 "ON CONFLICT(production, shot, revision, stage, hash) DO UPDATE SET seq = excluded.seq;", "$p", "$s", "$r", "$st", "$h", "$t", "$q");
            _inlineLength = Prepare("SELECT length(bytes) FROM blob_bytes WHERE hash = $h;", "$h");
            _insertChunk = Prepare(RecordChunkSql, "$i", "$m", "$t");
            _upsertInline = Prepare("INSERT INTO blob_bytes(hash, bytes) VALUES ($h, $b) ON CONFLICT(hash) DO UPDATE SET bytes = excluded.bytes;", "$h", "$b");
            _reader.Open();
            using (var c = _reader.CreateCommand())
            {
                c.CommandText = "PRAGMA busy_timeout=30000;";
                c.ExecuteNonQuery();
            }
            _readInline = _reader.CreateCommand();
            _readInline.CommandText = "SELECT bytes FROM blob_bytes WHERE hash = $h;";
            _readInline.Parameters.Add(new SqliteParameter { ParameterName = "$h" });
            _readInline.Prepare();
            _hasInline = _reader.CreateCommand();
            _hasInline.CommandText = "SELECT 1 FROM blob_bytes WHERE hash = $h;";
            _hasInline.Parameters.Add(new SqliteParameter { ParameterName = "$h" });
            _hasInline.Prepare();
        }
        catch (SqliteException e)
        {
            _reader.Dispose();
            _db.Dispose();
            throw new VaultException($"vault catalogue {dbPath} cannot be opened: {e.Message}", e);
        }
    }

    /// <summary>Opens (creating if needed) the vault rooted at <paramref name="rootDirectory"/>.</summary>
    public static BlobVault Open(string rootDirectory)
    {
        if (string.IsNullOrWhiteSpace(rootDirectory)) throw new ArgumentException("vault root directory must not be empty", nameof(rootDirectory));
        if (rootDirectory.Contains('\0')) throw new ArgumentException("vault root directory contains a NUL character", nameof(rootDirectory));
        var root = Path.GetFullPath(rootDirectory);
        if (File.Exists(root)) throw new VaultException($"vault root {root} is a file, not a directory");
        try { Directory.CreateDirectory(root); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VaultException($"vault root {root} cannot be created: {e.Message}", e);
        }
        return new BlobVault(root);
    }

    // ---------------------------------------------------------------- blobs

    public string Put(ReadOnlySpan<byte> data, string kind = "blob", VaultRef? owner = null)
    {
        ThrowIfDisposed();
        ValidateKind(kind);
        if (owner is not null) ValidateOwner(owner);
        string hash = HashOf(data);
        if (data.Length <= InlineBlobBytes)
        {
            PutInline(hash, data, kind, owner);
            return hash;
        }
        Touch(hash, data.Length, kind, owner); // the row (and the owner's ref) first: a sweep from now on keeps the blob
        string final = BlobPath(hash);
        if (!BlobFileIsIntact(final, data.Length))
        {
            string tmp = NewTempPath(hash);
            try
            {
                using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None))
                {
                    fs.Write(data);
                    fs.Flush(flushToDisk: true);
                }
                Publish(tmp, final);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                TryDelete(tmp);
                throw new VaultException($"blob {hash} cannot be written: {e.Message}", e);
            }
        }
        return hash;
    }

    /// <summary>A small blob stored inline: its row, the owner's ref and (unless the vault holds it) its bytes in one
    /// transaction; then the WAL flushed.</summary>
    void PutInline(string hash, ReadOnlySpan<byte> data, string kind, VaultRef? owner)
    {
        var bytes = data.ToArray();
        lock (_dbLock)
        {
            Catalogue(() =>
            {
                using var tx = _db.BeginTransaction();
                bool fresh = TouchRow(tx, hash, bytes.Length, kind, Now());
                if (owner is not null) InsertRefs(tx, owner, [hash]);
                StoreInline(tx, hash, bytes, fresh);
                tx.Commit();
                return 0;
            });
        }
        SyncWal();
    }

    /// <summary>
    /// Inside the caller's transaction (after whose commit the caller calls <see cref="SyncWal"/>): the blob's bytes into <c>blob_bytes</c>
    /// unless the vault holds them already, inline or as an intact file — then the caller's touch of the row is all.
    /// A row the touch just created (<paramref name="freshRow"/>) has no bytes: nothing to look up. True when the bytes
    /// were written.
    /// </summary>
    bool StoreInline(SqliteTransaction tx, string hash, byte[] data, bool freshRow)
    {
        if (!freshRow)
        {
            _inlineLength.Transaction = tx;
            _inlineLength.Parameters["$h"].Value = hash;
            if (_inlineLength.ExecuteScalar() is long n && n == data.Length) return false;
            if (BlobFileIsIntact(BlobPath(hash), data.Length)) return false;
        }
        _upsertInline.Transaction = tx;
        _upsertInline.Parameters["$h"].Value = hash;
        _upsertInline.Parameters["$b"].Value = data;
        _upsertInline.ExecuteNonQuery();
        return true;
    }

    /// <summary>
    /// Makes every commit in the catalogue's WAL so far durable: an fsync of the WAL file (the catalogue runs at
    /// <c>synchronous=NORMAL</c>, which syncs the WAL only at checkpoints). Called after each commit that stored or
    /// touched inline bytes, before the write returns: nobody is told a hash before its bytes are on disk. The commit is
    /// visible to other connections a moment before this returns; one that writes the same bytes meanwhile syncs the WAL
    /// again after its own commit (later in the same file), and <see cref="ReuseChunk"/>, which hands out what another
    /// writer indexed, syncs it too. Outside <see cref="_dbLock"/> and SQLite's write lock: concurrent writers' flushes
    /// overlap (the file's pages are written once, by whichever flush comes first) instead of queueing behind a lock.
    /// </summary>
    void SyncWal()
    {
        if (!_walMode) return; // a rollback-journal commit is synced by SQLite itself
        SafeFileHandle wal;
        lock (_walLock)
        {
            ThrowIfDisposed();
            try
            {
                // Our connection is open, so SQLite keeps this file (it deletes it only when the last connection closes);
                // a checkpoint rewrites it from its start in place. No lock is taken on it (SQLite's locks are on the shm).
                _wal ??= File.OpenHandle(_walPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new VaultException($"vault catalogue {_walPath} cannot be opened to flush it: {e.Message}", e);
            }
            wal = _wal;
        }
        try { RandomAccess.FlushToDisk(wal); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VaultException($"vault catalogue {_walPath} cannot be flushed: {e.Message}", e);
        }
    }

    /// <summary>A blob of a <see cref="VaultBatch"/>: its hash (of <paramref name="Data"/>), bytes and kind.</summary>
    internal readonly record struct PendingBlob(string Hash, byte[] Data, string Kind);

    /// <summary>
    /// A large blob of a <see cref="VaultBatch"/> whose bytes wait on disk, not in memory: written to a temp file of its
    /// own (not yet flushed; <see cref="Handle"/> stays open for the commit's fsync) — or, when its file was already in
    /// the vault, a second name (hard link) of that file in the temp directory, which keeps the bytes should a sweep
    /// delete the blob before the commit records it again. Nothing names a temp file: a crash leaves it to the stale-temp
    /// sweep, never under a hash.
    /// </summary>
    internal sealed class StagedBlob(string hash, long size, string kind, string tmp, SafeFileHandle? handle)
    {
        public string Hash { get; } = hash;
        public long Size { get; } = size;
        public string Kind { get; } = kind;
        public string Tmp { get; } = tmp;
        /// <summary>The written temp file, open; null for a link to a blob file that is already durable.</summary>
        public SafeFileHandle? Handle { get; private set; } = handle;

        public void Close()
        {
            Handle?.Dispose();
            Handle = null;
        }

        /// <summary>Drops it: closes the file and deletes the temp name (the blob file a link names is untouched).</summary>
        public void Discard()
        {
            Close();
            TryDelete(Tmp);
            Discarded = true;
        }

        /// <summary>Dropped: what remains of it is a blob file that was already durable, or nothing.</summary>
        public bool Discarded { get; private set; }
    }

    internal static void ValidateBlobKind(string kind) => ValidateKind(kind);

    /// <summary>
    /// A <see cref="VaultBatch"/>'s large blob, put aside until the batch commits (<see cref="StagedBlob"/>): a link when
    /// its file is already here, else its bytes written to a new temp file, unflushed. No catalogue write.
    /// </summary>
    internal StagedBlob Stage(ReadOnlySpan<byte> data, string hash, string kind)
    {
        ThrowIfDisposed();
        string final = BlobPath(hash);
        string tmp = NewTempPath(hash);
        if (BlobFileIsIntact(final, data.Length) && Posix.TryLink(final, tmp)) return new StagedBlob(hash, data.Length, kind, tmp, null);
        try { return WriteTemp(data, hash, kind, tmp); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VaultException($"blob {hash} cannot be written: {e.Message}", e);
        }
    }

    /// <summary>
    /// <paramref name="data"/> written to the new temp file <paramref name="tmp"/>, unflushed and left open for the commit's
    /// fsync; on a failure the file is closed and deleted before the error goes on.
    /// </summary>
    static StagedBlob WriteTemp(ReadOnlySpan<byte> data, string hash, string kind, string tmp)
    {
        SafeFileHandle? file = null;
        try
        {
            // FileShare.ReadWrite: no advisory lock to take and drop (nobody else opens a temp file by its unique name).
            file = File.OpenHandle(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite);
            RandomAccess.Write(file, data, 0);
            return new StagedBlob(hash, data.Length, kind, tmp, file);
        }
        catch
        {
            file?.Dispose();
            TryDelete(tmp);
            throw;
        }
    }

    long _batches;

    /// <summary>How many <see cref="VaultBatch"/> commits (or flushes) this handle has written: each is one catalogue
    /// transaction for its blobs, one flush of their files and, when it indexes chunks, one more transaction.</summary>
    public long BatchesWritten => Interlocked.Read(ref _batches);

    /// <summary>
    /// A <see cref="VaultBatch"/>'s commit: every blob's row (small ones in <paramref name="blobs"/>, large ones already
    /// in temp files in <paramref name="staged"/>) and the owner's refs in one catalogue transaction (with the chunk-index
    /// rows whose manifest is not among the blobs: it is durable already); then each missing small file written to a temp
    /// file, every temp file flushed to disk (their writeback started together, then one fsync each), each renamed onto its
    /// hash; then the index rows whose manifest was among the blobs, in a second transaction. The same order as
    /// <see cref="Put"/> then <see cref="RecordChunk"/>, per blob: its row before its file, its file durable before an index
    /// row names it, and under a hash only whole, flushed files. When the catalogue transaction fails nothing changed and
    /// the batch may commit again; when the files fail, <paramref name="staged"/> is discarded (an fsync that failed may
    /// not be retried: its pages may be lost) and the caller's work must be done again.
    /// </summary>
    internal void PutMany(IReadOnlyList<PendingBlob> blobs, IReadOnlyList<StagedBlob> staged, VaultRef owner,
        IReadOnlyList<(string Identity, string Manifest)> chunks)
    {
        ThrowIfDisposed();
        Interlocked.Increment(ref _batches);
        ValidateOwner(owner);
        foreach (var (identity, manifest) in chunks) { ValidateHash(identity); ValidateHash(manifest); }
        var inline = blobs.Where(b => b.Data.Length <= InlineBlobBytes).ToList();
        var files = blobs.Where(b => b.Data.Length > InlineBlobBytes).ToList();
        var inBatch = blobs.Select(b => b.Hash).Concat(staged.Select(s => s.Hash)).ToHashSet();
        // With no file to write the batch is its one transaction: the index rows go with the bytes their manifests are.
        bool onlyInline = files.Count == 0 && staged.Count == 0;
        var early = onlyInline ? chunks.ToList() : chunks.Where(c => !inBatch.Contains(c.Manifest)).ToList();
        var late = onlyInline ? [] : chunks.Where(c => inBatch.Contains(c.Manifest)).ToList();
        if (inBatch.Count > 0 || early.Count > 0)
        {
            lock (_dbLock)
            {
                Catalogue(() =>
                {
                    using var tx = _db.BeginTransaction();
                    string now = Now();
                    if (inBatch.Count > 0)
                    {
                        var fresh = new HashSet<string>();
                        foreach (var b in blobs)
                            if (TouchRow(tx, b.Hash, b.Data.Length, b.Kind, now)) fresh.Add(b.Hash);
                        foreach (var s in staged) TouchRow(tx, s.Hash, s.Size, s.Kind, now);
                        InsertRefs(tx, owner, inBatch.ToList());
                        foreach (var b in inline) StoreInline(tx, b.Hash, b.Data, fresh.Contains(b.Hash));
                    }
                    InsertChunks(tx, early, now);
                    tx.Commit();
                    return 0;
                });
            }
        }
        if (inline.Count > 0) SyncWal(); // the inline bytes (and index rows naming them) durable before anything names them
        if (!onlyInline) WriteFiles(files, staged);
        if (late.Count > 0)
        {
            lock (_dbLock)
            {
                Catalogue(() =>
                {
                    using var tx = _db.BeginTransaction();
                    InsertChunks(tx, late, Now());
                    tx.Commit();
                    return 0;
                });
            }
        }
    }

    /// <summary>
    /// The files of a batch, once their rows are committed: each missing small blob to its own temp file; every temp file
    /// flushed to disk (writeback started for all, then each fsync'd); then each renamed onto its hash. A staged link
    /// whose blob file is still there is only dropped; one whose file a sweep removed in between is renamed back.
    /// </summary>
    void WriteFiles(IReadOnlyList<PendingBlob> blobs, IReadOnlyList<StagedBlob> staged)
    {
        var open = new List<StagedBlob>();
        var links = new List<StagedBlob>();
        string failing = "?";
        try
        {
            foreach (var s in staged)
            {
                failing = s.Hash;
                if (s.Handle is null) links.Add(s);
                else if (BlobFileIsIntact(BlobPath(s.Hash), s.Size)) s.Discard(); // another writer published it meanwhile
                else open.Add(s);
            }
            foreach (var b in blobs)
            {
                failing = b.Hash;
                if (BlobFileIsIntact(BlobPath(b.Hash), b.Data.Length)) continue;
                open.Add(WriteTemp(b.Data, b.Hash, b.Kind, NewTempPath(b.Hash)));
            }
            foreach (var s in open) Posix.StartWriteback(s.Handle!);
            foreach (var s in open)
            {
                failing = s.Hash;
                RandomAccess.FlushToDisk(s.Handle!);
            }
            foreach (var s in open) s.Close();
            foreach (var s in open)
            {
                failing = s.Hash;
                Publish(s.Tmp, BlobPath(s.Hash));
            }
            foreach (var s in links)
            {
                failing = s.Hash;
                if (BlobFileIsIntact(BlobPath(s.Hash), s.Size)) s.Discard();
                else Publish(s.Tmp, BlobPath(s.Hash));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            foreach (var s in open) s.Discard();
            foreach (var s in links) s.Discard();
            foreach (var s in staged) s.Discard();
            throw new VaultException($"blob {failing} cannot be written: {e.Message}", e);
        }
    }

    void InsertChunks(SqliteTransaction tx, IReadOnlyList<(string Identity, string Manifest)> chunks, string now)
    {
        if (chunks.Count == 0) return;
        var c = _insertChunk;
        c.Transaction = tx;
        var (i, m) = (c.Parameters["$i"], c.Parameters["$m"]);
        c.Parameters["$t"].Value = now;
        foreach (var (identity, manifest) in chunks)
        {
            (i.Value, m.Value) = (identity, manifest);
            c.ExecuteNonQuery();
        }
    }

    const string RecordChunkSql = "INSERT INTO chunks(identity, manifest, created) VALUES ($i, $m, $t) " +
                                  "ON CONFLICT(identity) DO UPDATE SET manifest = excluded.manifest, created = excluded.created;";

    public byte[] Get(string hash)
    {
        ThrowIfDisposed();
        ValidateHash(hash);
        if (ReadInline(hash) is { } inline)
        {
            if (HashOf(inline) != hash) throw new VaultException($"blob {hash} is corrupt");
            return inline;
        }
        byte[] bytes;
        try { bytes = File.ReadAllBytes(BlobPath(hash)); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new VaultException($"blob {hash} not found", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VaultException($"blob {hash} cannot be read: {e.Message}", e);
        }
        if (HashOf(bytes) != hash) throw new VaultException($"blob {hash} is corrupt");
        return bytes;
    }

    public bool Contains(string hash)
    {
        ThrowIfDisposed();
        ValidateHash(hash);
        return File.Exists(BlobPath(hash)) || HasInline(hash);
    }

    /// <summary>The blob's file; an inline blob is first written out as one (verified, flushed, renamed onto its hash, as
    /// <see cref="Put"/> writes a file) and is from then on in both forms: a sweep deletes both.</summary>
    public string PathOf(string hash)
    {
        ThrowIfDisposed();
        ValidateHash(hash);
        var p = BlobPath(hash);
        if (File.Exists(p)) return p;
        if (ReadInline(hash) is not { } inline) throw new VaultException($"blob {hash} not found");
        if (HashOf(inline) != hash) throw new VaultException($"blob {hash} is corrupt");
        lock (_dbLock)
        {
            Catalogue(() =>
            {
                // Under the catalogue's write lock, the row still there: a sweep either went before (then: not found) or
                // waits, and then deletes the file with the row.
                using var tx = _db.BeginTransaction();
                _inlineLength.Transaction = tx;
                _inlineLength.Parameters["$h"].Value = hash;
                if (_inlineLength.ExecuteScalar() is not long) throw new VaultException($"blob {hash} not found");
                if (!BlobFileIsIntact(p, inline.Length))
                {
                    string tmp = NewTempPath(hash);
                    try
                    {
                        var staged = WriteTemp(inline, hash, "inline", tmp);
                        RandomAccess.FlushToDisk(staged.Handle!);
                        staged.Close();
                        Publish(tmp, p);
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        TryDelete(tmp);
                        throw new VaultException($"blob {hash} cannot be written out: {e.Message}", e);
                    }
                }
                tx.Rollback(); // nothing in the catalogue changed
                return 0;
            });
        }
        return p;
    }

    /// <summary>The blob's inline bytes (unverified), or null when it has none. On the reader connection: a read does not
    /// wait behind a commit's flush.</summary>
    byte[]? ReadInline(string hash)
    {
        lock (_readLock)
        {
            ThrowIfDisposed();
            return Catalogue(() =>
            {
                _readInline.Parameters["$h"].Value = hash;
                using var r = _readInline.ExecuteReader();
                if (!r.Read()) return null;
                return r.IsDBNull(0) ? [] : r.GetFieldValue<byte[]>(0);
            });
        }
    }

    /// <summary>Whether the blob has inline bytes (without reading them), on the reader connection as <see cref="ReadInline"/>.</summary>
    bool HasInline(string hash)
    {
        lock (_readLock)
        {
            ThrowIfDisposed();
            return Catalogue(() =>
            {
                _hasInline.Parameters["$h"].Value = hash;
                return _hasInline.ExecuteScalar() is not null;
            });
        }
    }

    // ---------------------------------------------------------------- assets

    public string PutAsset(string name, ReadOnlySpan<byte> data, string kind, VaultRef? owner = null)
    {
        ThrowIfDisposed();
        ValidateAssetName(name);
        ValidateKind(kind);
        string hash = Put(data, kind, owner); // durable before the catalogue names it
        RecordAsset(name, hash, kind);
        return hash;
    }

    public string? ResolveAsset(string name)
    {
        ThrowIfDisposed();
        ValidateAssetName(name);
        lock (_dbLock)
        {
            return Catalogue(() =>
            {
                _resolveAsset.Parameters["$n"].Value = name;
                return _resolveAsset.ExecuteScalar() as string;
            });
        }
    }

    /// <summary>Imports a file from disk as a named asset (streamed: the file is hashed while it is copied).</summary>
    public string ImportFile(string assetName, string path, string kind)
    {
        ThrowIfDisposed();
        ValidateAssetName(assetName);
        ValidateKind(kind);
        if (string.IsNullOrEmpty(path) || path.Contains('\0')) throw new VaultException("import path must be a non-empty file path");
        if (!File.Exists(path)) throw new VaultException($"file {path} to import as '{assetName}' not found");

        string tmp = NewTempPath("import");
        string hash;
        long size;
        try
        {
            using (var src = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
            using (var dst = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None))
            using (var ih = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                var buf = ArrayPool<byte>.Shared.Rent(1 << 20);
                try
                {
                    int n;
                    while ((n = src.Read(buf, 0, buf.Length)) > 0)
                    {
                        ih.AppendData(buf, 0, n);
                        dst.Write(buf, 0, n);
                    }
                }
                finally { ArrayPool<byte>.Shared.Return(buf); }
                dst.Flush(flushToDisk: true);
                size = dst.Length;
                hash = Convert.ToHexStringLower(ih.GetHashAndReset());
            }
            Touch(hash, size, kind, null); // before the file is published, as Put does
            string final = BlobPath(hash);
            if (BlobFileIsIntact(final, size)) TryDelete(tmp);
            else Publish(tmp, final);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(tmp);
            throw new VaultException($"file {path} cannot be imported as '{assetName}': {e.Message}", e);
        }
        RecordAsset(assetName, hash, kind);
        return hash;
    }

    // ---------------------------------------------------------------- references and the chunk index

    /// <summary>Records that <paramref name="owner"/> holds these blobs (and, through them, every blob their JSON names):
    /// what <c>talos vault gc</c> keeps and <c>talos vault du</c> counts. Writes record their owner themselves (Put's owner).</summary>
    public void AddRefs(VaultRef owner, IEnumerable<string> hashes)
    {
        ThrowIfDisposed();
        ValidateOwner(owner);
        var list = hashes.Distinct().ToList();
        foreach (var h in list) ValidateHash(h);
        if (list.Count == 0) return;
        lock (_dbLock)
        {
            Catalogue(() =>
            {
                using var tx = _db.BeginTransaction();
                InsertRefs(tx, owner, list);
                tx.Commit();
                return 0;
            });
        }
    }

    /// <summary>
    /// Inserts (or renews) the owner's refs under the next number of the <c>refs</c> counter: a sweep that began before
    /// sees every ref numbered past its watermark and keeps those blobs too. Inside the caller's transaction.
    /// </summary>
    void InsertRefs(SqliteTransaction tx, VaultRef owner, IReadOnlyList<string> hashes)
    {
        _nextRefSeq.Transaction = tx;
        long seq = (long)_nextRefSeq.ExecuteScalar()!;
        var c = _upsertRef;
        c.Transaction = tx;
        var p = c.Parameters;
        p["$p"].Value = owner.Production;
        p["$s"].Value = owner.Shot;
        p["$r"].Value = owner.Revision;
        p["$st"].Value = owner.Stage;
        p["$t"].Value = Now();
        p["$q"].Value = seq;
        foreach (var hash in hashes) { p["$h"].Value = hash; c.ExecuteNonQuery(); }
    }

    public void RecordChunk(string identity, string manifestHash)
    {
        ThrowIfDisposed();
        ValidateHash(identity);
        ValidateHash(manifestHash);
        lock (_dbLock)
        {
            Catalogue(() =>
            {
                using var c = _db.CreateCommand();
                c.CommandText = RecordChunkSql;
                c.Parameters.AddWithValue("$i", identity);
                c.Parameters.AddWithValue("$m", manifestHash);
                c.Parameters.AddWithValue("$t", Now());
                return c.ExecuteNonQuery();
            });
        }
    }

    public string? ReuseChunk(string identity, VaultRef owner)
    {
        ThrowIfDisposed();
        ValidateHash(identity);
        string? manifest;
        lock (_dbLock)
        {
            manifest = Catalogue(() =>
            {
                using var c = _db.CreateCommand();
                c.CommandText = "SELECT manifest FROM chunks WHERE identity = $i;";
                c.Parameters.AddWithValue("$i", identity);
                return c.ExecuteScalar() as string;
            });
        }
        if (manifest is null) return null;
        // The owner holds it first, then every part is checked: a sweep that runs in between sees the reference.
        AddRefs(owner, [manifest]);
        if (!ClosureIntact(manifest)) return null;
        // Another writer's index row and inline bytes are visible a moment before its flush returns: durable before the
        // caller names them.
        SyncWal();
        return manifest;
    }

    /// <summary>True when the blob and every blob its JSON names (transitively) are in the vault with their bytes.</summary>
    bool ClosureIntact(string root)
    {
        var seen = new HashSet<string>();
        var stack = new Stack<string>([root]);
        while (stack.Count > 0)
        {
            var h = stack.Pop();
            if (!seen.Add(h)) continue;
            if (ReadInline(h) is { } inline)
            {
                if (VaultReferences.MayHoldReferences(inline)) foreach (var named in VaultReferences.HashesIn(inline)) stack.Push(named);
                continue;
            }
            var path = BlobPath(h);
            if (!File.Exists(path)) return false;
            if (!VaultReferences.MayHoldReferences(path)) continue;
            // Every hash a manifest, frame list or note names is a blob it needs: one that is gone (swept) breaks the
            // closure, so the chunk renders again rather than being reused with a hole in it.
            foreach (var named in VaultReferences.HashesIn(File.ReadAllBytes(path))) stack.Push(named);
        }
        return true;
    }

    /// <summary>All named assets, ordered by name (a snapshot).</summary>
    public IEnumerable<(string Name, string Hash, string Kind)> ListAssets()
    {
        ThrowIfDisposed();
        lock (_dbLock)
        {
            return Catalogue(() =>
            {
                var list = new List<(string, string, string)>();
                using var r = _listAssets.ExecuteReader();
                while (r.Read()) list.Add((r.GetString(0), r.GetString(1), r.GetString(2)));
                return list;
            });
        }
    }

    // ---------------------------------------------------------------- validation

    static void ValidateAssetName(string name)
    {
        if (!Identifiers.IsSafeAssetName(name, out var reason)) throw new VaultException($"invalid asset name: {reason}");
    }

    static void ValidateHash(string hash)
    {
        bool ok = hash is { Length: 64 };
        if (ok)
            foreach (char c in hash)
                if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f'))) { ok = false; break; }
        if (!ok) throw new VaultException($"invalid blob hash '{Identifiers.Printable(hash)}' (expected 64 lowercase hex characters)");
    }

    static void ValidateOwner(VaultRef owner)
    {
        if (string.IsNullOrEmpty(owner.Production) || string.IsNullOrEmpty(owner.Stage))
            throw new VaultException($"a blob's owner needs a production and a stage (got '{Identifiers.Printable(owner.Production)}', '{Identifiers.Printable(owner.Stage)}')");
    }

    static void ValidateKind(string kind)
    {
        if (string.IsNullOrEmpty(kind) || kind.Length > MaxKindLength || kind.Any(c => c < 32 || c == 127))
            throw new VaultException($"invalid blob kind '{Identifiers.Printable(kind)}' (1–{MaxKindLength} printable characters)");
    }

    // ---------------------------------------------------------------- internals

    public static string HashOf(ReadOnlySpan<byte> data)
    {
        Span<byte> h = stackalloc byte[32];
        SHA256.HashData(data, h);
        return Convert.ToHexStringLower(h);
    }

    string BlobPath(string hash) => Path.Combine(_blobDir, hash.Substring(0, 2), hash.Substring(2, 2), hash);

    string NewTempPath(string tag) => Path.Combine(_tmpDir, $"{tag}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");

    /// <summary>True when the blob file exists with the expected size (a damaged copy of a different size gets replaced).</summary>
    static bool BlobFileIsIntact(string path, long size)
    {
        var fi = new FileInfo(path);
        return fi.Exists && fi.Length == size;
    }

    /// <summary>Renames a finished temp file onto its hash path. Another writer of the same bytes winning the race is fine.</summary>
    static void Publish(string tmp, string final)
    {
        for (int attempt = 1; ; attempt++)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(final)!);
            try
            {
                File.Move(tmp, final, overwrite: false);
                return;
            }
            catch (DirectoryNotFoundException) when (attempt < 5 && File.Exists(tmp))
            {
                // a sweep removed the emptied fan-out directory between the two calls: make it again
            }
            catch (IOException) when (File.Exists(final))
            {
                break;
            }
        }
        // The target exists: same hash, so same content unless the existing file is damaged (wrong size) — then replace it.
        var existing = new FileInfo(final);
        var fresh = new FileInfo(tmp);
        if (existing.Exists && existing.Length != fresh.Length) File.Move(tmp, final, overwrite: true);
        else TryDelete(tmp);
    }

    /// <summary>Records the blob (or renews its <c>touched</c> time) and, with an owner, the owner's ref, in one transaction.</summary>
    void Touch(string hash, long size, string kind, VaultRef? owner)
    {
        lock (_dbLock)
        {
            Catalogue(() =>
            {
                using var tx = _db.BeginTransaction();
                TouchRow(tx, hash, size, kind, Now());
                if (owner is not null) InsertRefs(tx, owner, [hash]);
                tx.Commit();
                return 0;
            });
        }
    }

    /// <summary>Records the blob's row or renews its <c>touched</c> time; true when the row is new (created at
    /// <paramref name="now"/>): the vault held no bytes of it (a sweep deletes the inline bytes with the row).</summary>
    bool TouchRow(SqliteTransaction tx, string hash, long size, string kind, string now)
    {
        var p = _touchBlob.Parameters;
        _touchBlob.Transaction = tx;
        p["$h"].Value = hash;
        p["$s"].Value = size;
        p["$k"].Value = kind;
        p["$t"].Value = now;
        return _touchBlob.ExecuteScalar() is string created && created == now;
    }

    /// <summary>
    /// Brings a catalogue from before references up to this schema (<c>blobs.touched</c>) and fixes, once, when this
    /// vault began recording references: unreferenced blobs older than that are kept by gc (nobody said who holds them).
    /// </summary>
    void Migrate()
    {
        using var tx = _db.BeginTransaction();
        bool HasColumn(string table, string column)
        {
            using var c = _db.CreateCommand();
            c.Transaction = tx;
            c.CommandText = $"SELECT 1 FROM pragma_table_info('{table}') WHERE name = $c;";
            c.Parameters.AddWithValue("$c", column);
            return c.ExecuteScalar() is not null;
        }
        void Run(string sql)
        {
            using var c = _db.CreateCommand();
            c.Transaction = tx;
            c.CommandText = sql;
            c.ExecuteNonQuery();
        }
        if (!HasColumn("blobs", "touched")) Run("ALTER TABLE blobs ADD COLUMN touched TEXT;");
        Run("CREATE INDEX IF NOT EXISTS refs_seq ON refs(seq);");
        // A fresh vault references from its first blob on; an older one only from now.
        Run("INSERT OR IGNORE INTO meta(name, value) SELECT 'refs-since', CASE WHEN EXISTS(SELECT 1 FROM blobs) THEN '" + Now() + "' ELSE '' END;");
        tx.Commit();
    }

    void RecordAsset(string name, string hash, string kind)
    {
        lock (_dbLock)
        {
            Catalogue(() =>
            {
                var p = _upsertAsset.Parameters;
                p["$n"].Value = name;
                p["$h"].Value = hash;
                p["$k"].Value = kind;
                p["$t"].Value = Now();
                return _upsertAsset.ExecuteNonQuery();
            });
        }
    }

    static string Now() => Stamp(DateTime.UtcNow);

    /// <summary>Catalogue times: round-trip UTC, so that they order as text.</summary>
    static string Stamp(DateTime utc) => utc.ToString("O", CultureInfo.InvariantCulture);

    T Catalogue<T>(Func<T> op)
    {
        try { return op(); }
        catch (SqliteException e)
        {
            throw new VaultException($"vault catalogue error in {_root}: {e.Message}", e);
        }
    }

    void Exec(string sql)
    {
        using var c = _db.CreateCommand();
        c.CommandText = sql;
        c.ExecuteNonQuery();
    }

    SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var c = _db.CreateCommand();
        c.CommandText = sql;
        foreach (var p in parameters) c.Parameters.Add(new SqliteParameter { ParameterName = p });
        c.Prepare();
        return c;
    }

    void SweepStaleTemps()
    {
        var cutoff = DateTime.UtcNow - StaleTempAge;
        try
        {
            foreach (var f in Directory.EnumerateFiles(_tmpDir, "*.tmp"))
                if (File.GetLastWriteTimeUtc(f) < cutoff) TryDelete(f);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    public void Dispose()
    {
        lock (_dbLock)
        {
            if (_disposed) return;
            _disposed = true;
            _upsertAsset.Dispose();
            _resolveAsset.Dispose();
            _listAssets.Dispose();
            _touchBlob.Dispose();
            _nextRefSeq.Dispose();
            _upsertRef.Dispose();
            _inlineLength.Dispose();
            _upsertInline.Dispose();
            _insertChunk.Dispose();
            _db.Dispose();
            lock (_walLock) _wal?.Dispose();
            lock (_readLock)
            {
                _readInline.Dispose();
                _hasInline.Dispose();
                _reader.Dispose();
            }
        }
    }
}
