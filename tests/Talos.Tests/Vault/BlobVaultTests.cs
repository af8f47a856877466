using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Talos.Messages.Specs;
using Talos.Vault;
using Xunit;

namespace Talos.Tests.Vault;

public sealed class BlobVaultTests : IDisposable
{
    // Each test gets  <tmp>/talos-vault-tests/<guid>/root  so that "nothing outside the root" can be checked on <guid>/.
    readonly string _sandbox = Path.Combine(Path.GetTempPath(), "talos-vault-tests", Guid.NewGuid().ToString("N"));
    string Root => Path.Combine(_sandbox, "root");

    public BlobVaultTests() => Directory.CreateDirectory(_sandbox);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_sandbox, recursive: true); } catch (IOException) { }
    }

    static byte[] Bytes(int seed, int length)
    {
        // SplitMix64: deterministic test content
        var b = new byte[length];
        ulong s = (ulong)seed * 0x9E3779B97F4A7C15UL + 1;
        for (int i = 0; i < length; i++)
        {
            s += 0x9E3779B97F4A7C15UL;
            ulong z = s;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            b[i] = (byte)(z ^ (z >> 31));
        }
        return b;
    }

    string[] BlobFiles() => Directory.GetFiles(Path.Combine(Root, "blobs"), "*", SearchOption.AllDirectories);

    static long CatalogueCount(string root, string sql)
    {
        using var c = new SqliteConnection($"Data Source={Path.Combine(root, "catalogue.db")};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return (long)cmd.ExecuteScalar()!;
    }

    [Fact]
    public void Put_then_Get_round_trips_bytes_under_their_sha256()
    {
        using var v = BlobVault.Open(Root);
        var data = Bytes(1, 100_000);
        var hash = v.Put(data, "frame");

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(data)), hash);
        Assert.Equal(data, v.Get(hash));
        Assert.True(v.Contains(hash));
        var path = v.PathOf(hash);
        Assert.Equal(Path.Combine(Root, "blobs", hash[..2], hash[2..4], hash), path);
        Assert.Equal(data, File.ReadAllBytes(path));
        Assert.Empty(Directory.GetFiles(Path.Combine(Root, "tmp")));
        Assert.Equal(1, CatalogueCount(Root, $"SELECT COUNT(*) FROM blobs WHERE hash = '{hash}' AND size = 100000 AND kind = 'frame'"));
    }

    [Fact]
    public void Empty_blob_round_trips()
    {
        using var v = BlobVault.Open(Root);
        var hash = v.Put(ReadOnlySpan<byte>.Empty);
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", hash);
        Assert.Empty(v.Get(hash));
    }

    [Fact]
    public void Identical_bytes_give_the_same_hash_and_one_file()
    {
        using var v = BlobVault.Open(Root);
        var data = Bytes(2, 20_000); // over BlobVault.InlineBlobBytes: files (InlineBlobTests has the inline ones)
        var h1 = v.Put(data);
        var h2 = v.Put(data.ToArray());
        var h3 = v.Put(Bytes(3, 20_000));

        Assert.Equal(h1, h2);
        Assert.NotEqual(h1, h3);
        Assert.Equal(2, BlobFiles().Length);
        Assert.Equal(2, CatalogueCount(Root, "SELECT COUNT(*) FROM blobs"));
    }

    [Fact]
    public void Concurrent_puts_from_many_threads_store_every_blob_once()
    {
        using var v = BlobVault.Open(Root);
        const int Threads = 12, PerThread = 40, Distinct = 60;
        var hashes = new string[Threads * PerThread];
        var expected = Enumerable.Range(0, Distinct).Select(i => Convert.ToHexStringLower(SHA256.HashData(Bytes(i, 20_000 + i)))).ToArray();
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t =>
        {
            for (int k = 0; k < PerThread; k++)
            {
                int id = (t * 7 + k) % Distinct; // threads collide on the same content
                hashes[t * PerThread + k] = v.Put(Bytes(id, 20_000 + id), "frame");
            }
        });

        for (int t = 0; t < Threads; t++)
            for (int k = 0; k < PerThread; k++)
                Assert.Equal(expected[(t * 7 + k) % Distinct], hashes[t * PerThread + k]);
        Assert.Equal(Distinct, BlobFiles().Length);
        Assert.Empty(Directory.GetFiles(Path.Combine(Root, "tmp")));
        Assert.Equal(Distinct, CatalogueCount(Root, "SELECT COUNT(*) FROM blobs"));
        for (int i = 0; i < Distinct; i++) Assert.Equal(Bytes(i, 20_000 + i), v.Get(expected[i]));
    }

    [Fact]
    public void Two_vault_instances_on_one_root_share_the_catalogue_concurrently()
    {
        // Stands in for two processes: separate connections on the same WAL database.
        using var a = BlobVault.Open(Root);
        using var b = BlobVault.Open(Root);
        Parallel.Invoke(
            () => { for (int i = 0; i < 60; i++) a.PutAsset($"shots/a/f{i:D3}", Bytes(i, 3000), "frame"); },
            () => { for (int i = 0; i < 60; i++) b.PutAsset($"shots/b/f{i:D3}", Bytes(1000 + i, 3000), "frame"); });

        Assert.Equal(120, a.ListAssets().Count());
        Assert.Equal(b.ResolveAsset("shots/a/f007"), a.ResolveAsset("shots/a/f007"));
        Assert.Equal(Bytes(1059, 3000), a.Get(a.ResolveAsset("shots/b/f059")!));
    }

    [Fact]
    public void Corrupted_blob_is_detected_on_Get()
    {
        using var v = BlobVault.Open(Root);
        var hash = v.Put(Bytes(4, 20_000)); // a file (InlineBlobTests corrupts an inline one)
        var path = v.PathOf(hash);
        var bytes = File.ReadAllBytes(path);
        bytes[1234] ^= 0x01; // one flipped bit, same size
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<VaultException>(() => v.Get(hash));
        Assert.Equal($"blob {hash} is corrupt", e.Message);

        File.WriteAllBytes(path, bytes.AsSpan(0, 100).ToArray()); // truncated
        Assert.Contains("is corrupt", Assert.Throws<VaultException>(() => v.Get(hash)).Message);

        // Putting the bytes again repairs a truncated (wrong-size) copy.
        Assert.Equal(hash, v.Put(Bytes(4, 20_000)));
        Assert.Equal(Bytes(4, 20_000), v.Get(hash));
    }

    [Fact]
    public void Missing_blob_is_reported_by_hash()
    {
        using var v = BlobVault.Open(Root);
        var hash = new string('a', 64);
        Assert.False(v.Contains(hash));
        Assert.Equal($"blob {hash} not found", Assert.Throws<VaultException>(() => v.Get(hash)).Message);
        Assert.Equal($"blob {hash} not found", Assert.Throws<VaultException>(() => v.PathOf(hash)).Message);
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("a/../b")]
    [InlineData("a\\b")]
    [InlineData("")]
    [InlineData("a\0b")]
    [InlineData("a//b")]
    [InlineData("a/")]
    [InlineData("./a")]
    [InlineData("..")]
    [InlineData("C:x")]
    [InlineData("name with space")]
    [InlineData("ünïcode")]
    public void Bad_asset_names_are_rejected_and_nothing_is_written(string name)
    {
        using (var v = BlobVault.Open(Root))
        {
            Assert.False(Identifiers.IsSafeAssetName(name, out var reason));
            Assert.False(string.IsNullOrEmpty(reason));

            var e = Assert.Throws<VaultException>(() => v.PutAsset(name, Bytes(5, 100), "palette"));
            Assert.Contains("invalid asset name", e.Message);
            if (name.Length > 0 && !name.Contains('\0')) Assert.Contains(name, e.Message);
            Assert.Throws<VaultException>(() => v.ResolveAsset(name));

            var file = Path.Combine(_sandbox, "outside.bin");
            File.WriteAllBytes(file, Bytes(6, 10));
            Assert.Throws<VaultException>(() => v.ImportFile(name, file, "palette"));
            File.Delete(file);

            Assert.Empty(BlobFiles());
            Assert.Empty(v.ListAssets());
        }
        // The sandbox holds nothing but the vault root.
        Assert.Equal(new[] { Root }, Directory.GetFileSystemEntries(_sandbox));
        Assert.Empty(Directory.GetFiles(Path.Combine(Root, "tmp")));
    }

    [Fact]
    public void Asset_name_rules_accept_ordinary_names_and_limit_length()
    {
        Assert.True(Identifiers.IsSafeAssetName("palettes/hero-v2.json", out _));
        Assert.True(Identifiers.IsSafeAssetName("shots/S01_010/audio.wav", out _));
        Assert.True(Identifiers.IsSafeAssetName(".hidden/a..b", out _));
        Assert.True(Identifiers.IsSafeAssetName(new string('a', 200), out _));
        Assert.False(Identifiers.IsSafeAssetName(new string('a', 201), out var why));
        Assert.Contains("200", why);
        Assert.False(Identifiers.IsSafeAssetName(null!, out _));
    }

    [Theory]
    [InlineData("../../../../etc/passwd")]
    [InlineData("ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789")]
    [InlineData("abc")]
    [InlineData("zz3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("")]
    public void Bad_hashes_are_rejected_before_touching_the_disk(string hash)
    {
        using var v = BlobVault.Open(Root);
        Assert.Contains("invalid blob hash", Assert.Throws<VaultException>(() => v.Get(hash)).Message);
        Assert.Throws<VaultException>(() => v.Contains(hash));
        Assert.Throws<VaultException>(() => v.PathOf(hash));
    }

    [Fact]
    public void Catalogue_survives_reopen()
    {
        string h1, h2;
        using (var v = BlobVault.Open(Root))
        {
            h1 = v.PutAsset("palettes/hero.json", "{\"skin\":\"#f0c8a0\"}"u8, "palette");
            h2 = v.PutAsset("audio/theme.wav", Bytes(7, 8000), "audio");
            v.PutAsset("palettes/hero.json", "{\"skin\":\"#e0b890\"}"u8, "palette"); // re-pointed
        }
        using (var v = BlobVault.Open(Root))
        {
            var hero = v.ResolveAsset("palettes/hero.json");
            Assert.NotNull(hero);
            Assert.NotEqual(h1, hero);
            Assert.Equal("{\"skin\":\"#e0b890\"}"u8.ToArray(), v.Get(hero!));
            Assert.Equal(h2, v.ResolveAsset("audio/theme.wav"));
            Assert.Null(v.ResolveAsset("palettes/villain.json"));
            Assert.Equal(h1, BlobVault.HashOf("{\"skin\":\"#f0c8a0\"}"u8));
            Assert.True(v.Contains(h1)); // the old version stays addressable by hash
            var list = v.ListAssets().ToList();
            Assert.Equal([("audio/theme.wav", h2, "audio"), ("palettes/hero.json", hero!, "palette")], list);
        }
    }

    [Fact]
    public void ImportFile_streams_a_file_into_a_named_asset()
    {
        var src = Path.Combine(_sandbox, "theme.wav");
        var data = Bytes(8, 3_000_000);
        File.WriteAllBytes(src, data);
        using var v = BlobVault.Open(Root);
        var hash = v.ImportFile("audio/theme.wav", src, "audio");
        File.Delete(src);

        Assert.Equal(BlobVault.HashOf(data), hash);
        Assert.Equal(hash, v.ResolveAsset("audio/theme.wav"));
        Assert.Equal(data, v.Get(hash));
        Assert.Equal(3_000_000, CatalogueCount(Root, $"SELECT size FROM blobs WHERE hash = '{hash}'"));
        Assert.Contains("not found", Assert.Throws<VaultException>(() => v.ImportFile("audio/x.wav", src, "audio")).Message);
        Assert.Empty(Directory.GetFiles(Path.Combine(Root, "tmp")));
    }

    [Fact]
    public void A_crash_mid_write_leaves_no_blob_under_the_hash()
    {
        var data = Bytes(9, 50_000);
        var hash = BlobVault.HashOf(data);
        using (var v = BlobVault.Open(Root)) { }
        // Simulate a writer killed half way: its partial temp file is all that reached the disk.
        var tmpDir = Path.Combine(Root, "tmp");
        var partial = Path.Combine(tmpDir, $"{hash}.4242.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(partial, data.AsSpan(0, 20_000).ToArray());
        var stale = Path.Combine(tmpDir, $"{hash}.4241.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(stale, data.AsSpan(0, 10_000).ToArray());
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddHours(-3));

        using (var v = BlobVault.Open(Root))
        {
            Assert.False(v.Contains(hash));
            Assert.Equal($"blob {hash} not found", Assert.Throws<VaultException>(() => v.Get(hash)).Message);
            Assert.Empty(BlobFiles());
            Assert.Equal(0, CatalogueCount(Root, "SELECT COUNT(*) FROM blobs"));
            Assert.False(File.Exists(stale));   // stale leftovers are swept on open
            Assert.True(File.Exists(partial));  // a recent one may belong to a live writer in another process

            Assert.Equal(hash, v.Put(data));
            Assert.Equal(data, v.Get(hash));
        }
    }

    [Fact]
    public void Invalid_kind_and_disposed_vault_are_rejected()
    {
        var v = BlobVault.Open(Root);
        Assert.Contains("invalid blob kind", Assert.Throws<VaultException>(() => v.Put(Bytes(1, 10), "")).Message);
        Assert.Throws<VaultException>(() => v.Put(Bytes(1, 10), "bad\nkind"));
        v.Dispose();
        Assert.Throws<ObjectDisposedException>(() => v.Put(Bytes(1, 10)));
        Assert.Throws<ArgumentException>(() => BlobVault.Open(" "));
        var file = Path.Combine(_sandbox, "afile");
        File.WriteAllText(file, "x");
        Assert.Contains("is a file", Assert.Throws<VaultException>(() => BlobVault.Open(file)).Message);
    }
    // ---------------------------------------------------------------- VaultBatch: a chunk's writes as one

    [Fact]
    public void A_batch_writes_its_small_blobs_with_their_owner_only_on_commit_and_indexes_the_chunk_after()
    {
        using var v = BlobVault.Open(Root);
        var owner = new VaultRef("prod", "prod--sh01", 2, "flux");
        var batch = new VaultBatch(v, owner);
        var frames = Enumerable.Range(0, 5).Select(i => Bytes(100 + i, 40)).ToList();
        var hashes = frames.Select(f => batch.Put(f, "flux-lines")).ToList();
        var manifest = batch.Put("{\"frames\":1}"u8, "manifest");
        var identity = BlobVault.HashOf("flux chunk 0"u8);
        batch.RecordChunk(identity, manifest);
        Assert.Equal(frames.Select(f => BlobVault.HashOf(f)), hashes);
        // Nothing is in the vault yet: no file, no row, no index entry.
        Assert.All(hashes, h => Assert.False(v.Contains(h)));
        Assert.Equal(0, CatalogueCount(Root, "SELECT COUNT(*) FROM blobs"));
        Assert.Null(v.ReuseChunk(identity, owner));

        batch.Commit();
        Assert.All(frames, f => Assert.Equal(f, v.Get(BlobVault.HashOf(f))));
        Assert.Equal(6, CatalogueCount(Root, "SELECT COUNT(*) FROM blobs"));
        // Every blob is held by the owner, under one ref number (one catalogue transaction).
        Assert.Equal(6, CatalogueCount(Root, "SELECT COUNT(*) FROM refs WHERE production = 'prod' AND shot = 'prod--sh01' AND revision = 2 AND stage = 'flux'"));
        Assert.Equal(1, CatalogueCount(Root, "SELECT COUNT(DISTINCT seq) FROM refs"));
        Assert.Equal(manifest, v.ReuseChunk(identity, owner));
        Assert.Empty(Directory.GetFiles(Path.Combine(Root, "tmp")));
        batch.Commit(); // nothing pending: a no-op
        Assert.Equal(6, CatalogueCount(Root, "SELECT COUNT(*) FROM blobs"));
    }

    [Fact]
    public void A_batch_reads_its_pending_blobs_by_committing_them_and_keeps_large_ones_pending_too()
    {
        using var v = BlobVault.Open(Root);
        using var batch = new VaultBatch(v, new VaultRef("prod", "prod--sh01", 1, "anima"));
        var small = Bytes(1, 100);
        var h = batch.Put(small, "frame");
        Assert.False(v.Contains(h));
        Assert.Equal(small, batch.Get(h)); // read through the batch: committed first
        Assert.True(v.Contains(h));

        var pending = batch.Put(Bytes(2, 100), "frame");
        var large = Bytes(3, VaultBatch.SmallBlobBytes + 1);
        var lh = batch.Put(large, "frame");
        Assert.False(v.Contains(lh));      // large: waits in a temp file, not under its hash
        Assert.False(v.Contains(pending));
        Assert.Equal(0, CatalogueCount(Root, $"SELECT COUNT(*) FROM blobs WHERE hash = '{lh}'"));
        Assert.True(File.Exists(batch.PathOf(lh))); // asked for its file: committed first, with what was pending
        Assert.True(v.Contains(pending));
        Assert.Equal(large, v.Get(lh));
        // Another owner's write is not deferred either.
        var other = batch.Put(Bytes(4, 10), "frame", new VaultRef("prod", "prod--sh02", 1, "anima"));
        Assert.True(v.Contains(other));
        Assert.Equal(1, CatalogueCount(Root, $"SELECT COUNT(*) FROM refs WHERE hash = '{other}' AND shot = 'prod--sh02'"));
        Assert.Equal(0, CatalogueCount(Root, $"SELECT COUNT(*) FROM refs WHERE hash = '{other}' AND shot = 'prod--sh01'"));
    }

    [Fact]
    public void A_batchs_large_blobs_commit_in_one_transaction_and_a_crash_before_the_commit_leaves_no_blob_and_no_index_row()
    {
        var owner = new VaultRef("prod", "prod--sh01", 3, "raygen");
        var layers = Enumerable.Range(0, 4).Select(i => Bytes(200 + i, VaultBatch.SmallBlobBytes + 1 + 1000 * i)).ToList();
        var identity = BlobVault.HashOf("raygen chunk 0"u8);
        string manifest;
        string[] hashes;
        using (var v = BlobVault.Open(Root))
        {
            var crashed = new VaultBatch(v, owner);
            hashes = layers.Select(l => crashed.Put(l, "raygen-layer")).ToArray();
            manifest = crashed.Put(System.Text.Encoding.UTF8.GetBytes("{\"frames\":[\"" + string.Join("\",\"", hashes) + "\"]}"), "manifest");
            crashed.RecordChunk(identity, manifest);
            // The process dies here, before the commit: the bytes are in temp files, nothing names them.
            Assert.Equal(4, Directory.GetFiles(Path.Combine(Root, "tmp")).Length);
        }
        using (var v = BlobVault.Open(Root))
        {
            Assert.All(hashes.Append(manifest), h => Assert.False(v.Contains(h)));
            Assert.Empty(BlobFiles());
            Assert.Equal(0, CatalogueCount(Root, "SELECT COUNT(*) FROM blobs"));
            Assert.Null(v.ReuseChunk(identity, owner));
            // The crashed writer's temp files are swept once stale (see A_crash_mid_write_leaves_no_blob_under_the_hash).
            foreach (var f in Directory.GetFiles(Path.Combine(Root, "tmp"))) File.SetLastWriteTimeUtc(f, DateTime.UtcNow.AddHours(-2));
        }
        using (var v = BlobVault.Open(Root))
        {
            Assert.Empty(Directory.GetFiles(Path.Combine(Root, "tmp")));
            // The same work done again and committed: every layer, the manifest and the index row, the rows in one transaction.
            using var batch = new VaultBatch(v, owner);
            long before = v.BatchesWritten;
            Assert.Equal(hashes, layers.Select(l => batch.Put(l, "raygen-layer")).ToArray());
            batch.Put(System.Text.Encoding.UTF8.GetBytes("{\"frames\":[\"" + string.Join("\",\"", hashes) + "\"]}"), "manifest");
            batch.RecordChunk(identity, manifest);
            Assert.Null(v.ReuseChunk(identity, owner));
            batch.Commit();
            Assert.Equal(1, v.BatchesWritten - before);
            for (int i = 0; i < layers.Count; i++) Assert.Equal(layers[i], v.Get(hashes[i]));
            Assert.Equal(5, CatalogueCount(Root, "SELECT COUNT(*) FROM refs WHERE shot = 'prod--sh01' AND revision = 3 AND stage = 'raygen'"));
            Assert.Equal(1, CatalogueCount(Root, "SELECT COUNT(DISTINCT seq) FROM refs"));
            Assert.Equal(manifest, v.ReuseChunk(identity, owner));
            Assert.Empty(Directory.GetFiles(Path.Combine(Root, "tmp")));
        }
    }

    [Fact]
    public void A_disposed_batch_deletes_its_large_blobs_temp_files_and_takes_no_more_writes()
    {
        using var v = BlobVault.Open(Root);
        var batch = new VaultBatch(v, new VaultRef("prod", "prod--sh01", 1, "stokes"));
        var h = batch.Put(Bytes(11, VaultBatch.SmallBlobBytes * 3), "stokes-layer");
        Assert.Single(Directory.GetFiles(Path.Combine(Root, "tmp")));
        batch.Dispose(); // the chunk failed or was cancelled
        Assert.Empty(Directory.GetFiles(Path.Combine(Root, "tmp")));
        Assert.False(v.Contains(h));
        Assert.Equal(0, CatalogueCount(Root, "SELECT COUNT(*) FROM blobs"));
        Assert.Throws<VaultException>(() => batch.Put(Bytes(12, 10), "stokes-layer"));
    }

    [Fact]
    public void When_a_commits_files_fail_its_rows_are_there_but_no_file_under_a_hash_no_index_row_and_the_batch_stops()
    {
        using var v = BlobVault.Open(Root);
        var owner = new VaultRef("prod", "prod--sh01", 1, "raygen");
        using var batch = new VaultBatch(v, owner);
        var layer = Bytes(21, VaultBatch.SmallBlobBytes * 2);
        var lh = batch.Put(layer, "raygen-layer");
        var manifest = batch.Put(System.Text.Encoding.UTF8.GetBytes($"{{\"frames\":[\"{lh}\"]}}"), "manifest");
        var identity = BlobVault.HashOf("raygen chunk 7"u8);
        batch.RecordChunk(identity, manifest);
        // The layer's fan-out directory cannot be made (a file stands in its place): the rename onto its hash fails.
        File.WriteAllText(Path.Combine(Root, "blobs", lh[..2]), "in the way");
        Assert.Throws<VaultException>(batch.Commit);
        // Rows first: the catalogue transaction was committed before any file was published ...
        Assert.Equal(2, CatalogueCount(Root, $"SELECT COUNT(*) FROM blobs WHERE hash IN ('{lh}', '{manifest}')"));
        // ... but no file under the layer's hash (the manifest is small: its bytes went in with its row, inline), no
        // index row naming the manifest, no temp file left.
        Assert.False(v.Contains(lh));
        Assert.True(v.Contains(manifest));
        Assert.Equal(0, CatalogueCount(Root, $"SELECT COUNT(*) FROM blob_bytes WHERE hash = '{lh}'"));
        Assert.Equal(0, CatalogueCount(Root, "SELECT COUNT(*) FROM chunks"));
        Assert.Null(v.ReuseChunk(identity, owner));
        Assert.Empty(Directory.GetFiles(Path.Combine(Root, "tmp")));
        // The layer's bytes are gone with its temp file: the batch refuses to go on (the chunk is rendered again).
        Assert.Contains("cannot go on", Assert.Throws<VaultException>(batch.Commit).Message);
        Assert.Throws<VaultException>(() => batch.Put(Bytes(22, 10), "raygen-layer"));
    }

    [Fact]
    public void An_uncommitted_batch_leaves_nothing_and_a_failed_commit_leaves_no_blob_under_a_hash()
    {
        using (var v = BlobVault.Open(Root))
        {
            var dropped = new VaultBatch(v, new VaultRef("prod", "prod--sh01", 1, "flux"));
            var h = dropped.Put(Bytes(5, 64), "flux-lines");
            Assert.False(v.Contains(h)); // the work failed before its commit: nothing named it, nothing written
            Assert.Empty(BlobFiles());
        }
        // The temp directory cannot be written: the commit fails as a VaultException, with no file under any hash.
        using (var v = BlobVault.Open(Root))
        {
            var tmp = Path.Combine(Root, "tmp");
            Directory.Delete(tmp);
            File.WriteAllText(tmp, "not a directory");
            var batch = new VaultBatch(v, new VaultRef("prod", "prod--sh01", 1, "flux"));
            // Over BlobVault.InlineBlobBytes (small blobs are written with their rows, no temp file), under SmallBlobBytes.
            var a = batch.Put(Bytes(6, 20_000), "flux-lines");
            var b = batch.Put(Bytes(7, 20_000), "flux-lines");
            batch.RecordChunk(BlobVault.HashOf("chunk"u8), b);
            Assert.Throws<VaultException>(batch.Commit);
            Assert.False(v.Contains(a));
            Assert.False(v.Contains(b));
            Assert.Equal(0, CatalogueCount(Root, "SELECT COUNT(*) FROM chunks")); // never indexed without its manifest
            File.Delete(tmp);
            Directory.CreateDirectory(tmp);
            batch.Commit(); // what was pending is still pending: the retry writes it
            Assert.True(v.Contains(a) && v.Contains(b));
            Assert.Equal(b, v.ReuseChunk(BlobVault.HashOf("chunk"u8), new VaultRef("prod", "prod--sh01", 1, "flux")));
        }
    }

    [Fact]
    public void Batches_from_many_threads_store_every_blob_once()
    {
        using var v = BlobVault.Open(Root);
        Parallel.For(0, 16, t =>
        {
            var batch = new VaultBatch(v, new VaultRef("prod", $"prod--sh{t:00}", 1, "flux"));
            for (int i = 0; i < 20; i++) batch.Put(Bytes(i, 32), "flux-lines"); // the same 20 blobs from every thread
            batch.Put(Bytes(1000 + t, 32), "flux-lines");
            batch.Commit();
        });
        Assert.Empty(BlobFiles()); // small: inline
        Assert.Equal(36, CatalogueCount(Root, "SELECT COUNT(*) FROM blob_bytes"));
        Assert.Equal(36, CatalogueCount(Root, "SELECT COUNT(*) FROM blobs"));
        Assert.Equal(16 * 21, CatalogueCount(Root, "SELECT COUNT(*) FROM refs"));
        for (int i = 0; i < 20; i++) Assert.Equal(Bytes(i, 32), v.Get(BlobVault.HashOf(Bytes(i, 32))));
    }
}
