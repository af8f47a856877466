using System.Text;
using Microsoft.Data.Sqlite;
using Talos.Actors.Hephaestus;
using Talos.Actors.Pipeline.Stages;
using Talos.Messages;
using Talos.Messages.Api;
using Talos.Vault;
using Xunit;

namespace Talos.Tests.Vault;

/// <summary>talos vault gc: mark from kept refs and user assets, follow JSON names, sweep the rest safely.</summary>
public sealed class VaultCollectorTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), "talos-vault-gc-tests", Guid.NewGuid().ToString("N"));
    readonly BlobVault _vault;

    public VaultCollectorTests() => _vault = BlobVault.Open(_root);

    public void Dispose()
    {
        _vault.Dispose();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    static VaultRef Shot(string stage, int revision = 1, string shot = "p--s1", string production = "p") => new(production, shot, revision, stage);
    static VaultRef Film(string production = "p") => new(production, "", 0, BlobVault.FilmStage);
    static VaultGcOptions Gc(int keepRevisions = 1, string keep = VaultKeep.All, double graceSeconds = 0, bool dryRun = false) =>
        VaultGcOptions.From(new VaultGcRequest(keepRevisions, keep, graceSeconds, dryRun), _ => null);

    string Blob(string text, VaultRef? owner = null) => _vault.Put(Encoding.UTF8.GetBytes(text), "test", owner);
    /// <summary>A JSON blob naming others, like a manifest or a frame list.</summary>
    string Json(VaultRef? owner, params string[] named) => _vault.Put(Encoding.UTF8.GetBytes("{\"frames\":[" + string.Join(",", named.Select(h => $"\"{h}\"")) + "]}"), "manifest", owner);
    /// <summary>The vault stores the blob's bytes: its file, or (a small blob) its inline row.</summary>
    bool OnDisk(string hash) => File.Exists(Path.Combine(_root, "blobs", hash[..2], hash[2..4], hash)) || InlineRows(hash) > 0;

    long InlineRows(string? hash = null)
    {
        using var db = new SqliteConnection($"Data Source={Path.Combine(_root, "catalogue.db")};Pooling=False");
        db.Open();
        using var c = db.CreateCommand();
        c.CommandText = hash is null ? "SELECT COUNT(*) FROM blob_bytes" : "SELECT COUNT(*) FROM blob_bytes WHERE hash = $h";
        if (hash is not null) c.Parameters.AddWithValue("$h", hash);
        return (long)c.ExecuteScalar()!;
    }

    /// <summary>Blobs whose bytes the vault stores: files plus inline rows.</summary>
    long Stored() => Directory.GetFiles(Path.Combine(_root, "blobs"), "*", SearchOption.AllDirectories).Length + InlineRows();

    /// <summary>Unless told, a sweep keeps what delivered films are made of and drops their intermediate layers; the variable and the flag say otherwise.</summary>
    [Fact]
    public void The_default_policy_keeps_final_frames_and_the_variable_or_the_request_changes_it()
    {
        Assert.Equal(VaultKeep.Final, VaultGcOptions.From(new VaultGcRequest(null, null, null, false), _ => null).Keep);
        Assert.Equal(VaultKeep.All, VaultGcOptions.From(new VaultGcRequest(null, null, null, false), v => v == VaultKeep.Variable ? "all" : null).Keep);
        Assert.Equal(VaultKeep.None, VaultGcOptions.From(new VaultGcRequest(null, VaultKeep.None, null, false), _ => "all").Keep);
    }

    /// <summary>A chunk whose frames were swept is not reused: the index still names its manifest, but the closure has a hole.</summary>
    [Fact]
    public void A_chunk_whose_frame_was_swept_is_not_reused_and_an_intact_one_is()
    {
        var frame = Blob("a frame of an old revision", Shot(Stages.Chroma));
        var manifest = Json(Shot(Stages.Chroma), frame);
        var identity = new string('c', 64);
        _vault.RecordChunk(identity, manifest);
        Assert.Equal(manifest, _vault.ReuseChunk(identity, Shot(Stages.Chroma, revision: 2)));

        // Swept as a sweep does it: the catalogue row and the bytes (inline: the frame is small) both gone.
        Assert.False(File.Exists(Path.Combine(_root, "blobs", frame[..2], frame[2..4], frame)));
        using (var db = new SqliteConnection($"Data Source={Path.Combine(_root, "catalogue.db")}"))
        {
            db.Open();
            using var c = db.CreateCommand();
            c.CommandText = "DELETE FROM blobs WHERE hash = $h; DELETE FROM blob_bytes WHERE hash = $h;";
            c.Parameters.AddWithValue("$h", frame);
            c.ExecuteNonQuery();
        }
        Assert.Null(_vault.ReuseChunk(identity, Shot(Stages.Chroma, revision: 3)));
    }

    [Fact]
    public void A_referenced_closure_survives_and_an_unreferenced_blob_goes()
    {
        var frame1 = Blob("frame 1");
        var frame2 = Blob("frame 2");
        var list = Json(null, frame2);
        var manifest = Json(Shot(Stages.Raygen), frame1, list); // names a frame and a list that names another
        var orphan = Blob("nobody holds me");

        var report = _vault.Collect(Gc());

        Assert.All(new[] { frame1, frame2, list, manifest }, h => Assert.True(OnDisk(h), h));
        Assert.False(OnDisk(orphan));
        Assert.False(_vault.Contains(orphan));
        Assert.False(Directory.Exists(Path.Combine(_root, "blobs", orphan[..2])), "the emptied fan-out directories stay behind");
        Assert.Equal((5, 1, 4), (report.BlobsBefore, report.BlobsSwept, report.BlobsAfter));
        Assert.Equal(Encoding.UTF8.GetByteCount("nobody holds me"), report.BytesSwept);
        Assert.Equal(report.BytesBefore - report.BytesSwept, report.BytesAfter);
    }

    [Fact]
    public void An_unreferenced_blob_is_spared_for_the_grace_period_and_a_user_asset_always()
    {
        var fresh = Blob("just written, its owner not yet recorded");
        var asset = _vault.PutAsset("palette.json", Encoding.UTF8.GetBytes("{\"a\":\"#ffffff\"}"), "palette");

        var report = _vault.Collect(Gc(graceSeconds: 600));
        Assert.True(OnDisk(fresh));
        Assert.Equal(1, report.KeptRecent);

        _vault.Collect(Gc(graceSeconds: 0));
        Assert.False(OnDisk(fresh));
        Assert.True(OnDisk(asset));
        Assert.Equal(asset, _vault.ResolveAsset("palette.json"));
    }

    [Fact]
    public void Keep_revisions_keeps_each_shots_newest_revisions_and_drops_their_reuse_index()
    {
        var old = Blob("revision 1 frame");
        var oldManifest = Json(Shot(Stages.Anima, 1), old);
        var identity = BlobVault.HashOf("chunk identity"u8);
        _vault.RecordChunk(identity, oldManifest);
        var @new = Blob("revision 2 frame");
        var newManifest = Json(Shot(Stages.Anima, 2), @new);
        var otherShot = Json(Shot(Stages.Anima, 1, "p--s2"), Blob("another shot's only revision"));

        var two = _vault.Collect(Gc(keepRevisions: 2));
        Assert.Equal(0, two.BlobsSwept);

        var one = _vault.Collect(Gc(keepRevisions: 1));
        Assert.False(OnDisk(old));
        Assert.False(OnDisk(oldManifest));
        Assert.True(OnDisk(@new) && OnDisk(newManifest) && OnDisk(otherShot));
        Assert.Equal(2, one.BlobsSwept);
        Assert.Equal(1, one.ChunkIndexDropped);
        Assert.Null(_vault.ReuseChunk(identity, Shot(Stages.Anima, 3)));
    }

    /// <summary>One delivered revision (refs at RAYGEN, ANIMA, CUTTURA, ECHO, then the film) and its blobs.</summary>
    (string Raygen, string Anima, string Cuttura, string Echo, string Film) Delivered()
    {
        var raygen = Json(Shot(Stages.Raygen), Blob("lit layer"));
        var anima = Json(Shot(Stages.Anima), Blob("final frame"));
        var cuttura = Json(Shot(Stages.Cuttura), Blob("shot clip"));
        var echo = Blob("{\"verdict\":\"pass\"}", Shot(Stages.Echo));
        var film = Blob("the film", Film());
        return (raygen, anima, cuttura, echo, film);
    }

    [Fact]
    public void Policy_final_keeps_the_final_frames_clip_and_report_of_a_delivered_revision()
    {
        var d = Delivered();
        Assert.Equal(0, _vault.Collect(Gc(keep: VaultKeep.All)).BlobsSwept);

        var report = _vault.Collect(Gc(keep: VaultKeep.Final));
        Assert.False(OnDisk(d.Raygen));
        Assert.True(OnDisk(d.Anima) && OnDisk(d.Cuttura) && OnDisk(d.Echo) && OnDisk(d.Film));
        Assert.Equal(2, report.BlobsSwept); // the RAYGEN manifest and its layer
    }

    [Fact]
    public void Policy_none_keeps_only_the_film_and_undelivered_work_stays_whole()
    {
        var d = Delivered();
        // Revision 2 of another shot renders after the film: not delivered yet.
        var rendering = Json(Shot(Stages.Raygen, 2, "p--s2"), Blob("in flight"));

        _vault.Collect(Gc(keep: VaultKeep.None));
        Assert.True(OnDisk(d.Film));
        Assert.False(OnDisk(d.Anima) || OnDisk(d.Cuttura) || OnDisk(d.Echo) || OnDisk(d.Raygen));
        Assert.True(OnDisk(rendering));
    }

    [Fact]
    public void Keep_revisions_keeps_each_productions_newest_films()
    {
        var first = Blob("film 1", Film());
        var second = Blob("film 2", Film());
        _vault.Collect(Gc(keepRevisions: 2));
        Assert.True(OnDisk(first) && OnDisk(second));
        _vault.Collect(Gc(keepRevisions: 1));
        Assert.False(OnDisk(first));
        Assert.True(OnDisk(second));
    }

    [Fact]
    public void A_derived_asset_lives_while_the_blob_in_its_name_is_kept()
    {
        var frames = Json(Shot(Stages.Cuttura), Blob("8-bit frame"));
        var linearFrame = Blob("linear frame");
        var linearList = Json(null, linearFrame);
        var name = ProductionEditor.LinearFramesAsset(frames);
        Assert.Equal(frames, DerivedAssets.SourceOf(name));
        Assert.Equal(frames, DerivedAssets.SourceOf(CutturaStage.LayersAsset(frames)));
        _vault.PutAsset(name, _vault.Get(linearList), "linear-frame-list");
        // the shot's review clip, made on demand from the frame list (ShotClips)
        var clipName = DerivedAssets.ShotClip(frames, 24);
        Assert.Equal(frames, DerivedAssets.SourceOf(clipName));
        Assert.Null(DerivedAssets.SourceOf($"shot-clips/x/{frames}"));
        var clip = _vault.PutAsset(clipName, "a review clip"u8, "shot-video");
        Blob("film", Film());

        _vault.Collect(Gc(keep: VaultKeep.All));
        Assert.True(OnDisk(linearList) && OnDisk(linearFrame) && OnDisk(clip));
        Assert.Equal(linearList, _vault.ResolveAsset(name));
        Assert.Equal(clip, _vault.ResolveAsset(clipName));

        var report = _vault.Collect(Gc(keep: VaultKeep.None));
        Assert.False(OnDisk(frames) || OnDisk(linearList) || OnDisk(linearFrame) || OnDisk(clip));
        Assert.Null(_vault.ResolveAsset(name));
        Assert.Null(_vault.ResolveAsset(clipName));
        Assert.Equal(2, report.AssetsDropped);
    }

    [Fact]
    public void A_dry_run_reports_what_a_sweep_then_does_and_changes_nothing()
    {
        Delivered();
        Blob("orphan");
        var stored = Stored();

        var dry = _vault.Collect(Gc(keep: VaultKeep.None, dryRun: true));
        Assert.True(dry.DryRun);
        Assert.Equal(stored, Stored());

        var real = _vault.Collect(Gc(keep: VaultKeep.None));
        Assert.Equal((dry.BlobsSwept, dry.BytesSwept, dry.BlobsAfter), (real.BlobsSwept, real.BytesSwept, real.BlobsAfter));
        Assert.Equal(stored - real.BlobsSwept, Stored());
    }

    [Fact]
    public void What_a_farm_writes_between_the_mark_and_the_sweep_is_kept()
    {
        // Revision 1 is superseded by revision 2: its manifest and frame would go.
        var frame = Blob("frame revision 2 reuses");
        var manifest = Json(Shot(Stages.Raygen, 1), frame);
        var identity = BlobVault.HashOf("identity"u8);
        _vault.RecordChunk(identity, manifest);
        Json(Shot(Stages.Raygen, 2), Blob("revision 2's own frame"));
        var orphan = Blob("an old orphan");
        string? reused = null, rewritten = null;

        // Another process on the same vault, while gc holds its mark: revision 2 reuses the chunk (ReuseChunk refs the
        // manifest first) and writes again bytes an orphan already had.
        using var other = BlobVault.Open(_root);
        var report = _vault.Collect(Gc(keepRevisions: 1), afterMark: () =>
        {
            reused = other.ReuseChunk(identity, Shot(Stages.Raygen, 2));
            rewritten = other.Put(Encoding.UTF8.GetBytes("an old orphan"), "test");
        });

        Assert.Equal(manifest, reused);
        Assert.Equal(orphan, rewritten);
        Assert.True(OnDisk(manifest) && OnDisk(frame) && OnDisk(orphan));
        Assert.Equal(0, report.BlobsSwept);
        Assert.Equal(manifest, _vault.ReuseChunk(identity, Shot(Stages.Raygen, 2)));
    }

    [Fact]
    public void A_put_after_its_blob_was_swept_writes_the_file_again()
    {
        var hash = Blob("swept, then wanted again");
        _vault.Collect(Gc());
        Assert.False(_vault.Contains(hash));
        Assert.Equal(hash, Blob("swept, then wanted again", Shot(Stages.Anima)));
        Assert.Equal("swept, then wanted again", Encoding.UTF8.GetString(_vault.Get(hash)));
        Assert.Equal(0, _vault.Collect(Gc()).BlobsSwept);
    }

    [Fact]
    public void A_batchs_large_blob_whose_file_was_swept_between_its_put_and_the_commit_is_there_after_the_commit()
    {
        var layer = new byte[VaultBatch.SmallBlobBytes * 2];
        new Random(5).NextBytes(layer);
        var hash = _vault.Put(layer, "raygen-layer"); // already in the vault, held by nobody
        using var batch = new VaultBatch(_vault, Shot(Stages.Raygen));
        Assert.Equal(hash, batch.Put(layer, "raygen-layer")); // its file is there: the batch keeps a second name of it
        Assert.Equal(1, _vault.Collect(Gc()).BlobsSwept);    // a sweep before the commit deletes the row and the file
        Assert.False(OnDisk(hash));
        batch.Commit();                                      // the row again, then the file back from the second name
        Assert.True(OnDisk(hash));
        Assert.Equal(layer, _vault.Get(hash));
        Assert.Equal(0, _vault.Collect(Gc()).BlobsSwept);
        Assert.Empty(Directory.GetFiles(Path.Combine(_root, "tmp")));
    }

    [Fact]
    public void Blobs_from_before_the_vault_recorded_references_are_kept()
    {
        var legacy = Blob("written by an older Talos");
        _vault.Dispose();
        using (var c = new SqliteConnection($"Data Source={Path.Combine(_root, "catalogue.db")};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "DELETE FROM meta;"; // as a catalogue from before references has none
            cmd.ExecuteNonQuery();
        }
        using var reopened = BlobVault.Open(_root);
        var later = reopened.Put(Encoding.UTF8.GetBytes("written since"), "test");

        var report = reopened.Collect(Gc());
        Assert.True(OnDisk(legacy));
        Assert.False(OnDisk(later));
        Assert.Equal(1, report.KeptLegacy);
    }

    [Fact]
    public void A_catalogue_from_before_references_is_brought_up_to_date_and_its_blobs_kept()
    {
        var old = Path.Combine(_root, "old");
        Directory.CreateDirectory(old);
        var hash = BlobVault.HashOf("old blob"u8);
        using (var c = new SqliteConnection($"Data Source={Path.Combine(old, "catalogue.db")};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            // The schema Talos wrote before the vault kept references (no touched, no refs, no meta).
            cmd.CommandText = $"""
                CREATE TABLE blobs(hash TEXT PRIMARY KEY NOT NULL, size INTEGER NOT NULL, kind TEXT NOT NULL, created TEXT NOT NULL);
                CREATE TABLE assets(name TEXT PRIMARY KEY NOT NULL, hash TEXT NOT NULL, kind TEXT NOT NULL, updated TEXT NOT NULL);
                INSERT INTO blobs VALUES ('{hash}', 8, 'blob', '2026-01-01T00:00:00.0000000Z');
                """;
            cmd.ExecuteNonQuery();
        }
        var file = Path.Combine(old, "blobs", hash[..2], hash[2..4], hash);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllBytes(file, "old blob"u8.ToArray());

        using var vault = BlobVault.Open(old);
        var owned = vault.Put("new blob"u8, "test", Shot(Stages.Anima));
        var report = vault.Collect(Gc());
        Assert.Equal((2, 0, 1), (report.BlobsBefore, report.BlobsSwept, report.KeptLegacy));
        Assert.True(vault.Contains(hash) && vault.Contains(owned));
        Assert.Equal("p/ANIMA", string.Join(",", vault.Usage().Rows.Select(r => $"{r.Production}/{r.Stage}")));
    }

    [Fact]
    public void Options_refuse_bad_values_by_name()
    {
        Assert.Contains("keep-revisions", Assert.Throws<VaultException>(() => VaultGcOptions.From(new VaultGcRequest(KeepRevisions: 0))).Message);
        Assert.Contains("'most'", Assert.Throws<VaultException>(() => VaultGcOptions.From(new VaultGcRequest(Keep: "most"))).Message);
        Assert.Contains(VaultKeep.Variable, Assert.Throws<VaultException>(() => VaultGcOptions.From(new VaultGcRequest(), _ => "some")).Message);
        Assert.Contains("grace", Assert.Throws<VaultException>(() => VaultGcOptions.From(new VaultGcRequest(GraceSeconds: -1))).Message);
        Assert.Equal(VaultKeep.Final, VaultGcOptions.From(new VaultGcRequest(), _ => "final").Keep);
        Assert.Equal(VaultKeep.None, VaultGcOptions.From(new VaultGcRequest(Keep: "none"), _ => "final").Keep); // the flag wins
    }

    [Fact]
    public void Du_counts_a_shared_blob_in_each_holder_and_once_in_the_total()
    {
        var shared = Blob("0123456789"); // 10 bytes
        Json(Shot(Stages.Anima), shared);
        Blob($"{{\"other\":\"{shared}\"}}", Shot(Stages.Anima, 1, "q--s1", "q"));
        Blob("orphan!"); // 7 bytes
        _vault.PutAsset("logo.png", "png!"u8, "image"); // 4 bytes

        var du = _vault.Usage();
        Assert.Equal(new[] { "p/ANIMA", "q/ANIMA" }, du.Rows.Select(r => $"{r.Production}/{r.Stage}"));
        Assert.All(du.Rows, r => Assert.Equal(2, r.Blobs));
        Assert.Equal((1, 4L), (du.AssetBlobs, du.AssetBytes));
        Assert.Equal((1, 7L), (du.UnheldBlobs, du.UnheldBytes));
        Assert.Equal(5, du.Blobs);
        Assert.Equal(du.Rows.Sum(r => r.Bytes) - 10 + 7 + 4, du.Bytes);
    }
}
