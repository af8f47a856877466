using Microsoft.Data.Sqlite;
using Talos.Messages;
using Talos.Messages.Api;

namespace Talos.Vault;

/// <summary>The vault's lifecycle: mark and sweep (<c>talos vault gc</c>) and usage (<c>talos vault du</c>).</summary>
public sealed partial class BlobVault
{
    /// <summary>A shot's or production's claim on a blob, as the catalogue holds it.</summary>
    sealed record RefRow(string Production, string Shot, int Revision, string Stage, string Hash, long Seq);

    sealed record BlobRow(string Hash, long Size, string Created, string Touched);

    /// <summary>One consistent read of the catalogue (a read transaction under WAL).</summary>
    sealed record Snapshot(IReadOnlyDictionary<string, BlobRow> Blobs, IReadOnlyList<RefRow> Refs,
        IReadOnlyList<(string Name, string Hash)> Assets, long Watermark, string RefsSince);

    /// <summary>
    /// Sweeps every blob no kept root reaches. Roots: the refs <paramref name="options"/> keep (per shot its newest
    /// revisions, thinned by the policy once delivered; per production its newest films) and every asset a user named;
    /// a derived asset (<see cref="DerivedAssets"/>) is kept while the blob in its name is marked, and then its target is
    /// marked. JSON blobs name blobs (<see cref="VaultReferences"/>): marking follows them. A blob whose refs were all left
    /// out goes at once; one nobody ever referenced only when untouched for the grace period (unless it predates
    /// references). Each victim is deleted in its own write transaction: refs numbered since the mark are marked first,
    /// and the row goes only when still untouched since its cutoff, then its file. Chunk index rows whose manifest is
    /// not marked go too.
    /// </summary>
    /// <param name="afterMark">Runs between the mark and the sweep (a test writes there what a farm could write then).</param>
    public VaultGcReport Collect(VaultGcOptions options, Action? afterMark = null)
    {
        ThrowIfDisposed();
        var began = DateTime.UtcNow;
        string markStart = Stamp(began), graceCutoff = Stamp(began - options.Grace);
        var snap = ReadSnapshot();
        var marker = new Marker(this, snap.Blobs);
        foreach (var r in KeptRefs(snap.Refs, options)) marker.Mark(r.Hash);
        foreach (var (name, hash) in snap.Assets)
            if (DerivedAssets.SourceOf(name) is null) marker.Mark(hash);
        MarkDerived(marker, snap.Assets);
        afterMark?.Invoke();

        long bytesBefore = snap.Blobs.Values.Sum(b => b.Size);
        var referenced = snap.Refs.Select(r => r.Hash).ToHashSet();
        long swept = 0, sweptBytes = 0, keptRecent = 0, keptLegacy = 0;
        long watermark = snap.Watermark;
        foreach (var blob in snap.Blobs.Values.OrderBy(b => b.Hash, StringComparer.Ordinal))
        {
            if (marker.Marked.Contains(blob.Hash)) continue;
            string cutoff;
            if (referenced.Contains(blob.Hash)) cutoff = markStart;
            else if (string.CompareOrdinal(blob.Created, snap.RefsSince) < 0) { keptLegacy++; continue; }
            else cutoff = graceCutoff;
            bool gone = options.DryRun
                ? string.CompareOrdinal(blob.Touched, cutoff) < 0
                : SweepOne(blob.Hash, cutoff, marker, snap.Assets, ref watermark);
            if (gone) { swept++; sweptBytes += blob.Size; }
            else if (!marker.Marked.Contains(blob.Hash)) keptRecent++;
        }
        var (chunks, assets) = options.DryRun ? CountIndexDrops(marker, snap.Assets) : DropIndex(marker, snap.Assets, markStart, ref watermark);
        return new VaultGcReport(options.DryRun, options.KeepRevisions, options.Keep, options.Grace.TotalSeconds,
            snap.Blobs.Count, bytesBefore, swept, sweptBytes, snap.Blobs.Count - swept, bytesBefore - sweptBytes,
            keptRecent, keptLegacy, chunks, assets);
    }

    /// <summary>
    /// The refs that are roots: per shot those of its newest <c>KeepRevisions</c> spec revisions — of a delivered one
    /// (its production has a film referenced after every ref of the revision) only ANIMA, CUTTURA and ECHO under
    /// <c>final</c>, none under <c>none</c> —, per production those of its newest <c>KeepRevisions</c> films, and any
    /// other production-level ref.
    /// </summary>
    static IEnumerable<RefRow> KeptRefs(IReadOnlyList<RefRow> refs, VaultGcOptions options)
    {
        var films = refs.Where(IsFilm).GroupBy(r => r.Production).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var (_, productionFilms) in films)
        {
            var newest = productionFilms.GroupBy(r => r.Hash).OrderByDescending(g => g.Max(r => r.Seq)).ThenBy(g => g.Key, StringComparer.Ordinal)
                .Take(options.KeepRevisions).Select(g => g.Key).ToHashSet();
            foreach (var r in productionFilms.Where(r => newest.Contains(r.Hash))) yield return r;
        }
        foreach (var r in refs.Where(r => r.Shot.Length == 0 && !IsFilm(r))) yield return r;
        foreach (var shot in refs.Where(r => r.Shot.Length > 0).GroupBy(r => (r.Production, r.Shot)))
        {
            foreach (var revision in shot.GroupBy(r => r.Revision).OrderByDescending(g => g.Key).Take(options.KeepRevisions))
            {
                bool delivered = films.TryGetValue(shot.Key.Production, out var f) && revision.Max(r => r.Seq) < f.Max(r => r.Seq);
                foreach (var r in revision)
                {
                    if (!delivered || options.Keep == VaultKeep.All) yield return r;
                    else if (options.Keep == VaultKeep.Final && r.Stage is Stages.Anima or Stages.Cuttura or Stages.Echo) yield return r;
                }
            }
        }
    }

    static bool IsFilm(RefRow r) => r.Shot.Length == 0 && r.Stage == FilmStage;

    /// <summary>The stage name of a production's film refs (<see cref="VaultRef"/> with an empty shot).</summary>
    public const string FilmStage = "film";

    /// <summary>Marks the target of every derived asset whose source is marked, until nothing changes.</summary>
    static void MarkDerived(Marker marker, IReadOnlyList<(string Name, string Hash)> assets)
    {
        bool changed = true;
        while (changed)
        {
            changed = false;
            foreach (var (name, hash) in assets)
                if (DerivedAssets.SourceOf(name) is { } source && marker.Marked.Contains(source) && !marker.Marked.Contains(hash))
                {
                    marker.Mark(hash);
                    changed = true;
                }
        }
    }

    /// <summary>
    /// Deletes one victim under the catalogue's write lock: refs numbered past <paramref name="watermark"/> (written since
    /// the mark) are marked first; then the row goes only when untouched since <paramref name="cutoff"/>, its refs and
    /// its inline bytes with it (one transaction), and only then its file, if it has one. True when it went.
    /// </summary>
    bool SweepOne(string hash, string cutoff, Marker marker, IReadOnlyList<(string Name, string Hash)> assets, ref long watermark)
    {
        long w = watermark;
        bool gone;
        lock (_dbLock)
        {
            gone = Catalogue(() =>
            {
                using var tx = _db.BeginTransaction(); // BEGIN IMMEDIATE: no write slips in until the commit
                w = CatchUp(tx, marker, assets, w);
                if (marker.Marked.Contains(hash)) { tx.Commit(); return false; }
                using var c = _db.CreateCommand();
                c.Transaction = tx;
                c.CommandText = "DELETE FROM blobs WHERE hash = $h AND COALESCE(touched, created) < $cut;";
                c.Parameters.AddWithValue("$h", hash);
                c.Parameters.AddWithValue("$cut", cutoff);
                if (c.ExecuteNonQuery() == 0) { tx.Commit(); return false; }
                c.CommandText = "DELETE FROM refs WHERE hash = $h;";
                c.ExecuteNonQuery();
                c.CommandText = "DELETE FROM blob_bytes WHERE hash = $h;";
                c.ExecuteNonQuery();
                var path = BlobPath(hash);
                if (!File.Exists(path)) { tx.Commit(); return true; } // inline only (or its file already gone)
                try { File.Delete(path); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; } // rolled back: the row stays with its file
                tx.Commit();
                RemoveIfEmpty(Path.GetDirectoryName(path)!); // the fan-out directories (blobs/ab/cd) a sweep emptied
                RemoveIfEmpty(Path.GetDirectoryName(Path.GetDirectoryName(path))!);
                return true;
            });
        }
        watermark = w;
        return gone;
    }

    /// <summary>Removes a directory when it is empty (a write that makes it again at the same time retries: <see cref="Publish"/>).</summary>
    static void RemoveIfEmpty(string dir)
    {
        try { if (!Directory.EnumerateFileSystemEntries(dir).Any()) Directory.Delete(dir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>Marks what refs numbered past <paramref name="watermark"/> hold (and derived assets they bring in); the new watermark.</summary>
    long CatchUp(SqliteTransaction tx, Marker marker, IReadOnlyList<(string Name, string Hash)> assets, long watermark)
    {
        using var c = _db.CreateCommand();
        c.Transaction = tx;
        c.CommandText = "SELECT COALESCE((SELECT value FROM counters WHERE name = 'refs'), 0);";
        long now = (long)c.ExecuteScalar()!;
        if (now == watermark) return now;
        c.CommandText = "SELECT hash FROM refs WHERE seq > $w;";
        c.Parameters.AddWithValue("$w", watermark);
        var fresh = new List<string>();
        using (var r = c.ExecuteReader()) while (r.Read()) fresh.Add(r.GetString(0));
        foreach (var h in fresh) marker.Mark(h);
        MarkDerived(marker, assets);
        return now;
    }

    /// <summary>Deletes chunk index rows whose manifest is not marked and derived assets whose source is not (recorded before the mark).</summary>
    (int Chunks, int Assets) DropIndex(Marker marker, IReadOnlyList<(string Name, string Hash)> assets, string markStart, ref long watermark)
    {
        long w = watermark;
        (int, int) dropped;
        lock (_dbLock)
        {
            dropped = Catalogue(() =>
            {
                using var tx = _db.BeginTransaction();
                w = CatchUp(tx, marker, assets, w);
                using var c = _db.CreateCommand();
                c.Transaction = tx;
                var chunks = new List<(string Identity, string Manifest)>();
                c.CommandText = "SELECT identity, manifest FROM chunks;";
                using (var r = c.ExecuteReader()) while (r.Read()) chunks.Add((r.GetString(0), r.GetString(1)));
                int chunkRows = 0, assetRows = 0;
                c.CommandText = "DELETE FROM chunks WHERE identity = $i AND manifest = $m;";
                var i = c.Parameters.Add("$i", SqliteType.Text);
                var m = c.Parameters.Add("$m", SqliteType.Text);
                foreach (var (identity, manifest) in chunks.Where(x => !marker.Marked.Contains(x.Manifest)))
                {
                    (i.Value, m.Value) = (identity, manifest);
                    chunkRows += c.ExecuteNonQuery();
                }
                c.Parameters.Clear();
                c.CommandText = "DELETE FROM assets WHERE name = $n AND updated < $t;";
                var n = c.Parameters.Add("$n", SqliteType.Text);
                c.Parameters.AddWithValue("$t", markStart);
                foreach (var (name, _) in assets)
                    if (DerivedAssets.SourceOf(name) is { } source && !marker.Marked.Contains(source))
                    {
                        n.Value = name;
                        assetRows += c.ExecuteNonQuery();
                    }
                tx.Commit();
                return (chunkRows, assetRows);
            });
        }
        watermark = w;
        return dropped;
    }

    (int Chunks, int Assets) CountIndexDrops(Marker marker, IReadOnlyList<(string Name, string Hash)> assets)
    {
        int chunks = ReadRows("SELECT manifest FROM chunks;", r => r.GetString(0)).Count(m => !marker.Marked.Contains(m));
        int derived = assets.Count(a => DerivedAssets.SourceOf(a.Name) is { } source && !marker.Marked.Contains(source));
        return (chunks, derived);
    }

    // ---------------------------------------------------------------- usage

    /// <summary>
    /// Bytes per production and stage: what each one's refs hold, directly or through the JSON of those (a blob held by
    /// several is counted in each); then named assets no production holds, blobs nothing holds, and the totals (each blob once).
    /// </summary>
    public VaultUsage Usage()
    {
        ThrowIfDisposed();
        var snap = ReadSnapshot();
        var children = new Dictionary<string, IReadOnlyCollection<string>>();
        var held = new HashSet<string>();
        var rows = new List<VaultUsageRow>();
        foreach (var g in snap.Refs.GroupBy(r => (r.Production, r.Stage))
                     .OrderBy(g => g.Key.Production, StringComparer.Ordinal).ThenBy(g => StageOrder(g.Key.Stage)).ThenBy(g => g.Key.Stage, StringComparer.Ordinal))
        {
            var marker = new Marker(this, snap.Blobs, children);
            foreach (var r in g) marker.Mark(r.Hash);
            var blobs = marker.Marked.Where(snap.Blobs.ContainsKey).ToList();
            held.UnionWith(blobs);
            rows.Add(new VaultUsageRow(g.Key.Production, g.Key.Stage, blobs.Count, blobs.Sum(h => snap.Blobs[h].Size)));
        }
        var assetMarker = new Marker(this, snap.Blobs, children);
        foreach (var (_, hash) in snap.Assets) assetMarker.Mark(hash);
        var assetOnly = assetMarker.Marked.Where(h => snap.Blobs.ContainsKey(h) && !held.Contains(h)).ToList();
        held.UnionWith(assetOnly);
        var unheld = snap.Blobs.Keys.Where(h => !held.Contains(h)).ToList();
        return new VaultUsage(rows, assetOnly.Count, assetOnly.Sum(h => snap.Blobs[h].Size), unheld.Count, unheld.Sum(h => snap.Blobs[h].Size),
            snap.Blobs.Count, snap.Blobs.Values.Sum(b => b.Size));
    }

    static int StageOrder(string stage)
    {
        int i = Stages.All.ToList().IndexOf(stage);
        return i < 0 ? Stages.All.Count : i;
    }

    // ---------------------------------------------------------------- reading the catalogue

    Snapshot ReadSnapshot()
    {
        lock (_dbLock)
        {
            return Catalogue(() =>
            {
                using var tx = _db.BeginTransaction(deferred: true); // one read snapshot of every table
                using var c = _db.CreateCommand();
                c.Transaction = tx;
                var blobs = new Dictionary<string, BlobRow>();
                c.CommandText = "SELECT hash, size, created, COALESCE(touched, created) FROM blobs;";
                using (var r = c.ExecuteReader())
                    while (r.Read()) blobs[r.GetString(0)] = new BlobRow(r.GetString(0), r.GetInt64(1), r.GetString(2), r.GetString(3));
                var refs = new List<RefRow>();
                c.CommandText = "SELECT production, shot, revision, stage, hash, seq FROM refs;";
                using (var r = c.ExecuteReader())
                    while (r.Read()) refs.Add(new RefRow(r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetString(3), r.GetString(4), r.GetInt64(5)));
                var assets = new List<(string, string)>();
                c.CommandText = "SELECT name, hash FROM assets ORDER BY name;";
                using (var r = c.ExecuteReader()) while (r.Read()) assets.Add((r.GetString(0), r.GetString(1)));
                c.CommandText = "SELECT COALESCE((SELECT value FROM counters WHERE name = 'refs'), 0);";
                long watermark = (long)c.ExecuteScalar()!;
                c.CommandText = "SELECT COALESCE((SELECT value FROM meta WHERE name = 'refs-since'), '');";
                string since = (string)c.ExecuteScalar()!;
                tx.Commit();
                return new Snapshot(blobs, refs, assets, watermark, since);
            });
        }
    }

    List<T> ReadRows<T>(string sql, Func<SqliteDataReader, T> row)
    {
        lock (_dbLock)
        {
            return Catalogue(() =>
            {
                using var c = _db.CreateCommand();
                c.CommandText = sql;
                var list = new List<T>();
                using var r = c.ExecuteReader();
                while (r.Read()) list.Add(row(r));
                return list;
            });
        }
    }

    /// <summary>
    /// Marks blobs and, transitively, every blob a marked JSON blob names (a 64-hex name is followed when it is a blob:
    /// catalogued when the mark began, or stored since — a file or inline). What a blob names (its inline bytes, else its file) is read once and may be shared between
    /// markers.
    /// </summary>
    sealed class Marker(BlobVault vault, IReadOnlyDictionary<string, BlobRow> blobs, Dictionary<string, IReadOnlyCollection<string>>? children = null)
    {
        readonly Dictionary<string, IReadOnlyCollection<string>> _children = children ?? new();
        public HashSet<string> Marked { get; } = new();

        public void Mark(string root)
        {
            var stack = new Stack<string>();
            stack.Push(root);
            while (stack.Count > 0)
            {
                var h = stack.Pop();
                if (!Marked.Add(h)) continue;
                foreach (var named in Named(h))
                    if (!Marked.Contains(named) && (blobs.ContainsKey(named) || vault.Contains(named))) stack.Push(named);
            }
        }

        IReadOnlyCollection<string> Named(string hash)
        {
            if (_children.TryGetValue(hash, out var known)) return known;
            IReadOnlyCollection<string> found = [];
            if (vault.ReadInline(hash) is { } inline)
                return _children[hash] = VaultReferences.MayHoldReferences(inline) ? VaultReferences.HashesIn(inline) : found;
            var path = vault.BlobPath(hash);
            if (VaultReferences.MayHoldReferences(path))
            {
                try { found = VaultReferences.HashesIn(File.ReadAllBytes(path)); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            }
            return _children[hash] = found;
        }
    }
}
