using System.Text;
using Microsoft.Data.Sqlite;
using Talos.Messages;
using Talos.Messages.Api;
using Talos.Vault;
using Xunit;

namespace Talos.Tests.Vault;

/// <summary>
/// Small blobs (up to <see cref="BlobVault.InlineBlobBytes"/>) live in the catalogue (<c>blob_bytes</c>), not in files:
/// written in the transaction that records them, read and verified like files, swept and counted like files, and a vault
/// whose small blobs are files (written before, imported, or asked for by PathOf) keeps working beside them.
/// </summary>
public sealed class InlineBlobTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), "talos-vault-inline-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    static VaultRef Shot(string stage, int revision = 1) => new("p", "p--s1", revision, stage);
    static VaultGcOptions Gc() => VaultGcOptions.From(new VaultGcRequest(1, VaultKeep.All, 0, false), _ => null);

    static byte[] Bytes(int seed, int length)
    {
        var b = new byte[length];
        new Random(seed).NextBytes(b);
        return b;
    }

    string FilePath(string hash) => Path.Combine(_root, "blobs", hash[..2], hash[2..4], hash);
    string[] BlobFiles() => Directory.Exists(Path.Combine(_root, "blobs")) ? Directory.GetFiles(Path.Combine(_root, "blobs"), "*", SearchOption.AllDirectories) : [];

    long Sql(string sql, params (string Name, object Value)[] args)
    {
        using var c = new SqliteConnection($"Data Source={Path.Combine(_root, "catalogue.db")};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in args) cmd.Parameters.AddWithValue(name, value);
        var r = cmd.ExecuteScalar();
        return r is long n ? n : 0;
    }

    long InlineRows(string hash) => Sql("SELECT COUNT(*) FROM blob_bytes WHERE hash = $h", ("$h", hash));

    string Json(BlobVault v, VaultRef? owner, params string[] named) =>
        v.Put(Encoding.UTF8.GetBytes("{\"frames\":[" + string.Join(",", named.Select(h => $"\"{h}\"")) + "]}"), "manifest", owner);

    /// <summary>An older vault's small blob: a file under its hash and a row, no inline bytes.</summary>
    string FileBlob(byte[] data)
    {
        var hash = BlobVault.HashOf(data);
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath(hash))!);
        File.WriteAllBytes(FilePath(hash), data);
        Sql("INSERT INTO blobs(hash, size, kind, created, touched) VALUES ($h, $s, 'test', $t, $t)",
            ("$h", hash), ("$s", data.Length), ("$t", DateTime.UtcNow.AddMinutes(-5).ToString("O")));
        return hash;
    }

    [Fact]
    public void Small_blobs_are_stored_inline_up_to_the_threshold_and_larger_ones_as_files()
    {
        using var v = BlobVault.Open(_root);
        var small = Bytes(1, 300);
        var edge = Bytes(2, BlobVault.InlineBlobBytes);
        var large = Bytes(3, BlobVault.InlineBlobBytes + 1);
        var (hs, he, hl) = (v.Put(small, "manifest"), v.Put(edge, "chunk-log"), v.Put(large, "frame"));

        Assert.Equal((1L, 1L, 0L), (InlineRows(hs), InlineRows(he), InlineRows(hl)));
        Assert.Equal([FilePath(hl)], BlobFiles());
        Assert.Equal(small, v.Get(hs));
        Assert.Equal(edge, v.Get(he));
        Assert.Equal(large, v.Get(hl));
        Assert.True(v.Contains(hs) && v.Contains(he) && v.Contains(hl));
        Assert.Equal(300, Sql("SELECT size FROM blobs WHERE hash = $h", ("$h", hs)));
        Assert.Empty(Directory.GetFiles(Path.Combine(_root, "tmp")));

        // The same bytes again: a touch, not a second copy.
        Assert.Equal(hs, v.Put(small.ToArray(), "manifest"));
        Assert.Equal(2, Sql("SELECT COUNT(*) FROM blob_bytes"));

        // Another handle on the same root (another process) reads them.
        using var other = BlobVault.Open(_root);
        Assert.Equal(small, other.Get(hs));
        Assert.Equal(BlobVault.HashOf(ReadOnlySpan<byte>.Empty), v.Put(ReadOnlySpan<byte>.Empty));
        Assert.Empty(other.Get(BlobVault.HashOf(ReadOnlySpan<byte>.Empty)));
    }

    [Fact]
    public void A_corrupted_inline_blob_is_refused_like_a_corrupted_file_and_a_put_repairs_a_truncated_one()
    {
        using var v = BlobVault.Open(_root);
        var data = Bytes(4, 4096);
        var hash = v.Put(data, "manifest");
        var flipped = data.ToArray();
        flipped[1234] ^= 0x01; // one flipped bit, same size
        Sql("UPDATE blob_bytes SET bytes = $b WHERE hash = $h", ("$b", flipped), ("$h", hash));

        Assert.Equal($"blob {hash} is corrupt", Assert.Throws<VaultException>(() => v.Get(hash)).Message);
        Assert.Equal($"blob {hash} is corrupt", Assert.Throws<VaultException>(() => v.PathOf(hash)).Message);
        Assert.Empty(BlobFiles()); // never written out under its hash

        Sql("UPDATE blob_bytes SET bytes = $b WHERE hash = $h", ("$b", data.AsSpan(0, 100).ToArray()), ("$h", hash)); // truncated
        Assert.Contains("is corrupt", Assert.Throws<VaultException>(() => v.Get(hash)).Message);
        Assert.Equal(hash, v.Put(data, "manifest")); // putting the bytes again repairs a wrong-size copy, as for a file
        Assert.Equal(data, v.Get(hash));
    }

    [Fact]
    public void A_batch_of_small_blobs_and_its_index_row_is_one_transaction_and_a_failure_before_its_commit_leaves_no_inline_row()
    {
        using var v = BlobVault.Open(_root);
        var owner = Shot(Stages.Raygen);
        // The catalogue transaction fails after the bytes went in (a crash before the commit): the index row's insert aborts.
        Sql("CREATE TRIGGER crash BEFORE INSERT ON chunks BEGIN SELECT RAISE(ABORT, 'crash before the commit'); END;");
        using var batch = new VaultBatch(v, owner);
        var frame = batch.Put(Bytes(5, 16), "raygen-layer");
        var manifest = Json(v, null); // (a manifest of no frames, put outside the batch: already durable)
        var log = batch.Put("a log"u8, "chunk-log");
        var chunkManifest = batch.Put(Encoding.UTF8.GetBytes($"{{\"frames\":[\"{frame}\"]}}"), "manifest");
        var identity = BlobVault.HashOf("raygen chunk 0"u8);
        batch.RecordChunk(identity, chunkManifest);

        Assert.Contains("crash before the commit", Assert.Throws<VaultException>(batch.Commit).Message);
        Assert.All([frame, log, chunkManifest], h => Assert.False(v.Contains(h)));
        Assert.Equal(1, Sql("SELECT COUNT(*) FROM blob_bytes")); // only the manifest put outside
        Assert.Equal(1, Sql("SELECT COUNT(*) FROM blobs"));
        Assert.True(v.Contains(manifest));

        Sql("DROP TRIGGER crash;");
        long before = v.BatchesWritten;
        batch.Commit(); // still pending: the retry writes it all, and the index row with it
        Assert.Equal(1, v.BatchesWritten - before);
        Assert.Equal(4, Sql("SELECT COUNT(*) FROM blob_bytes"));
        Assert.Equal(1, Sql("SELECT COUNT(DISTINCT seq) FROM refs WHERE shot = 'p--s1'"));
        Assert.Equal(chunkManifest, v.ReuseChunk(identity, owner));
        Assert.Empty(BlobFiles());
    }

    [Fact]
    public void Gc_sweeps_an_unreachable_inline_blob_with_its_bytes_and_keeps_a_reachable_one_named_by_an_inline_manifest()
    {
        using var v = BlobVault.Open(_root);
        var frame = v.Put("a frame only the manifest names"u8, "raygen-layer");
        var manifest = Json(v, Shot(Stages.Raygen), frame);
        var orphan = v.Put("nobody holds me"u8, "test");
        var materialised = v.Put("asked for as a file"u8, "test");
        var path = v.PathOf(materialised); // written out: now a file and inline
        Assert.Equal("asked for as a file"u8.ToArray(), File.ReadAllBytes(path));
        Assert.Equal(1, InlineRows(materialised));

        var report = v.Collect(Gc());

        Assert.Equal((4, 2, 2), (report.BlobsBefore, report.BlobsSwept, report.BlobsAfter));
        Assert.Equal(Encoding.UTF8.GetByteCount("nobody holds me") + Encoding.UTF8.GetByteCount("asked for as a file"), report.BytesSwept);
        Assert.Equal((0L, 0L), (InlineRows(orphan), Sql("SELECT COUNT(*) FROM blobs WHERE hash = $h", ("$h", orphan))));
        Assert.False(v.Contains(orphan));
        Assert.False(File.Exists(path) || v.Contains(materialised)); // both forms went
        Assert.False(Directory.Exists(Path.GetDirectoryName(path)), "the emptied fan-out directory stays behind");
        Assert.Equal("a frame only the manifest names"u8.ToArray(), v.Get(frame));
        Assert.True(v.Contains(manifest));
        Assert.Equal(0, v.Collect(Gc()).BlobsSwept);
    }

    [Fact]
    public void Du_counts_inline_blobs_and_what_inline_manifests_name()
    {
        using var v = BlobVault.Open(_root);
        var frame = v.Put(Bytes(6, 1000), "raygen-layer");
        var large = v.Put(Bytes(7, BlobVault.InlineBlobBytes * 2), "raygen-layer");
        Json(v, Shot(Stages.Raygen), frame, large);
        v.Put(Bytes(8, 10), "test");

        var usage = v.Usage();
        var row = Assert.Single(usage.Rows);
        var manifestBytes = Encoding.UTF8.GetByteCount("{\"frames\":[\"" + frame + "\",\"" + large + "\"]}");
        Assert.Equal(("p", Stages.Raygen, 3L, 1000L + BlobVault.InlineBlobBytes * 2 + manifestBytes), (row.Production, row.Stage, row.Blobs, row.Bytes));
        Assert.Equal((1, 10L), (usage.UnheldBlobs, usage.UnheldBytes));
        Assert.Equal(4, usage.Blobs);
    }

    [Fact]
    public void A_vault_with_small_blobs_as_files_keeps_working_beside_inline_ones()
    {
        string old, oldManifest, oldOrphan;
        using (BlobVault.Open(_root)) { } // the schema
        old = FileBlob("an older vault's frame"u8.ToArray());
        oldOrphan = FileBlob("an older vault's orphan"u8.ToArray());
        using var v = BlobVault.Open(_root);
        var fresh = v.Put("a new frame"u8, "raygen-layer");
        // A file manifest naming an inline frame and a file one; an inline manifest naming the file frame.
        oldManifest = FileBlob(Encoding.UTF8.GetBytes($"{{\"frames\":[\"{old}\",\"{fresh}\"]}}"));
        v.AddRefs(Shot(Stages.Raygen), [oldManifest]);
        var newManifest = Json(v, Shot(Stages.Anima), old);

        Assert.Equal("an older vault's frame"u8.ToArray(), v.Get(old));
        Assert.Equal(FilePath(old), v.PathOf(old));
        Assert.True(v.Contains(old) && v.Contains(fresh));
        // A put of a small blob the vault holds as a file is a touch: no inline copy.
        Assert.Equal(old, v.Put("an older vault's frame"u8, "raygen-layer"));
        Assert.Equal(0, InlineRows(old));
        // Reuse follows names across both forms.
        var identity = BlobVault.HashOf("identity"u8);
        v.RecordChunk(identity, oldManifest);
        Assert.Equal(oldManifest, v.ReuseChunk(identity, Shot(Stages.Raygen, 2)));
        v.RecordChunk(identity, newManifest);
        Assert.Equal(newManifest, v.ReuseChunk(identity, Shot(Stages.Anima, 2)));

        var report = v.Collect(Gc());
        Assert.Equal(1, report.BlobsSwept);
        Assert.False(File.Exists(FilePath(oldOrphan)));
        Assert.True(v.Contains(old) && v.Contains(fresh) && v.Contains(oldManifest) && v.Contains(newManifest));
        var usage = v.Usage();
        Assert.Equal([(Stages.Raygen, 3L), (Stages.Anima, 2L)], usage.Rows.Select(r => (r.Stage, r.Blobs)));
    }
}
