using Talos.Gpu.Cuttura;
using Talos.Gpu.Imaging;
using Talos.Vault;
using Xunit;
using static Talos.Tests.Cuttura.CutturaTestMedia;

namespace Talos.Tests.Cuttura;

public sealed class FilmEditorTests
{
    const int W = 32, H = 18;

    /// <summary>An in-memory frame store: hash → frame.</summary>
    sealed class Store
    {
        public readonly Dictionary<string, byte[]> Frames = new();
        public int Loads;
        public ShotClip Clip(string id, string transition, params byte[][] frames)
        {
            var hashes = new List<string>();
            for (int i = 0; i < frames.Length; i++)
            {
                var h = $"{id}-{i}";
                Frames[h] = frames[i];
                hashes.Add(h);
            }
            return new ShotClip(id, hashes, transition, 24);
        }
        public byte[] Load(string h) { Loads++; return Frames[h]; }
    }

    static byte[][] Repeat(int n, byte[] f) => Enumerable.Range(0, n).Select(_ => f).ToArray();
    static byte[][] Ramp(int n, int start, int step) => Enumerable.Range(0, n).Select(i => Solid(W, H, (byte)(start + i * step), (byte)(start + i * step), (byte)(start + i * step))).ToArray();

    static double Lin(byte c) => c / 255.0 <= 0.04045 ? c / 255.0 / 12.92 : Math.Pow((c / 255.0 + 0.055) / 1.055, 2.4);
    static byte Enc(double l) => (byte)Math.Round(255 * (l <= 0.0031308 ? l * 12.92 : 1.055 * Math.Pow(l, 1 / 2.4) - 0.055));
    static double Smooth(double t) => t * t * (3 - 2 * t);

    [Fact]
    public void Cuts_are_exact_and_keep_every_frame_in_order()
    {
        var s = new Store();
        var clips = new[] { s.Clip("a", "cut", Ramp(5, 10, 10)), s.Clip("b", "cut", Ramp(4, 100, 10)), s.Clip("c", "cut", Ramp(3, 200, 10)) };
        var film = FilmEditor.Edit(clips, s.Load, transitionFrames: 8).ToList();

        Assert.Equal(12, film.Count);
        Assert.Equal(12, FilmEditor.FrameCount(clips));
        var expected = clips.SelectMany(c => c.FrameHashes).Select(h => s.Frames[h]).ToList();
        for (int i = 0; i < 12; i++) Assert.Same(expected[i], film[i]);
        Assert.Equal(12, s.Loads);
    }

    [Fact]
    public void Dissolve_keeps_the_frame_count_and_blends_in_linear_light()
    {
        var s = new Store();
        var red = Solid(W, H, 255, 0, 0);
        var blue = Solid(W, H, 0, 0, 255);
        var film = FilmEditor.Edit([s.Clip("a", "cut", Repeat(10, red)), s.Clip("b", "dissolve", Repeat(10, blue))], s.Load, 6).ToList();
        SavePng("dissolve.png", Strip(film, W, H), W * film.Count, H);

        Assert.Equal(20, film.Count);
        for (int i = 0; i < 7; i++) Assert.Equal(red, film[i]);
        for (int i = 13; i < 20; i++) Assert.Equal(blue, film[i]);
        // window = frames 7..12 (3 each side of the cut at 10); blue weight eases up, red down
        for (int i = 7; i <= 12; i++)
        {
            double w = Smooth((i - 7 + 0.5) / 6);
            Assert.InRange(film[i][0], Enc(1 - w) - 1, Enc(1 - w) + 1);
            Assert.InRange(film[i][2], Enc(w) - 1, Enc(w) + 1);
            Assert.Equal(0, film[i][1]);
            if (i > 7) Assert.True(film[i][2] > film[i - 1][2] && film[i][0] < film[i - 1][0]);
        }
        // the middle frames sit between A and B, mirror images of each other, and are brighter than a code-value mix
        Assert.Equal(film[9][0], film[10][2]);
        Assert.Equal(film[9][2], film[10][0]);
        Assert.InRange(film[9][0], 190, 230);   // linear-light mix of 62% red: ≈207 (a gamma-space mix would give ≈159)
        Assert.InRange(film[9][2], 150, 180);
    }

    [Fact]
    public void Dissolve_holds_the_last_frame_of_A_and_first_of_B()
    {
        var s = new Store();
        var a = Ramp(8, 0, 20);    // grays 0..140
        var b = Ramp(8, 200, 5);   // grays 200..235
        var film = FilmEditor.Edit([s.Clip("a", "cut", a), s.Clip("b", "dissolve", b)], s.Load, 4).ToList();
        Assert.Equal(16, film.Count);
        // frame 6 (A side): A[6] with B[0];  frame 9 (B side): A[7] (held) with B[1]
        double w6 = Smooth(0.5 / 4), w9 = Smooth(3.5 / 4);
        Assert.InRange(film[6][0], Enc((1 - w6) * Lin(a[6][0]) + w6 * Lin(b[0][0])) - 1, Enc((1 - w6) * Lin(a[6][0]) + w6 * Lin(b[0][0])) + 1);
        Assert.InRange(film[9][0], Enc((1 - w9) * Lin(a[7][0]) + w9 * Lin(b[1][0])) - 1, Enc((1 - w9) * Lin(a[7][0]) + w9 * Lin(b[1][0])) + 1);
        Assert.Equal(a[5], film[5]);
        Assert.Equal(b[2], film[10]);
    }

    [Fact]
    public void Fade_dips_to_near_black_at_the_cut()
    {
        var s = new Store();
        var warm = Solid(W, H, 240, 180, 120);
        var cool = Solid(W, H, 120, 200, 250);
        var film = FilmEditor.Edit([s.Clip("a", "cut", Repeat(10, warm)), s.Clip("b", "fade", Repeat(10, cool))], s.Load, 8).ToList();
        SavePng("fade.png", Strip(film, W, H), W * film.Count, H);

        Assert.Equal(20, film.Count);
        for (int i = 0; i < 6; i++) Assert.Equal(warm, film[i]);
        for (int i = 14; i < 20; i++) Assert.Equal(cool, film[i]);
        Assert.Equal(0, film[9].Max());   // A fades out to black on its last frame
        Assert.Equal(0, film[10].Max());  // B fades in from black on its first
        Assert.True(film[8].Max() < film[7].Max() && film[7].Max() < film[6].Max() && film[6].Max() < 240);
        for (int i = 11; i <= 14; i++) Assert.True(film[i][2] > film[i - 1][2]);
        // linear light: frame 7 keeps s(1/2) = 50% of the light, i.e. sRGB ≈ 0.735 of the code values
        Assert.InRange(film[7][0], Enc(0.5 * Lin(240)) - 1, Enc(0.5 * Lin(240)) + 1);
        Assert.Equal(film[7], FilmEditor.Edit([s.Clip("x", "cut", Repeat(10, cool)), s.Clip("y", "fade", Repeat(10, warm))], s.Load, 8).ElementAt(12));
        // hue is kept while dimming: channel order of the warm colour survives
        Assert.True(film[7][0] > film[7][1] && film[7][1] > film[7][2]);
    }

    [Fact]
    public void Short_clips_shrink_the_transition_and_the_film_keeps_its_length()
    {
        var s = new Store();
        var clips = new[]
        {
            s.Clip("a", "fade", Ramp(3, 50, 10)),      // first clip: its transition is ignored
            s.Clip("b", "dissolve", Ramp(2, 150, 10)),
            s.Clip("c", "fade", Ramp(1, 250, 1)),     // a 1-frame clip: no room for a fade
        };
        var film = FilmEditor.Edit(clips, s.Load, 12).ToList();
        Assert.Equal(6, film.Count);
        Assert.Equal(s.Frames["a-0"], film[0]);
        Assert.Equal(s.Frames["a-1"], film[1]);
        Assert.NotEqual(s.Frames["a-2"], film[2]);  // h = 1: A's last and B's first are mixed
        Assert.NotEqual(s.Frames["b-0"], film[3]);
        Assert.Equal(s.Frames["b-1"], film[4]);
        Assert.Equal(s.Frames["c-0"], film[5]);
    }

    [Fact]
    public void Blending_a_frame_with_itself_is_lossless_for_every_code_value()
    {
        var all = new byte[256 * 3];
        for (int i = 0; i < all.Length; i++) all[i] = (byte)(i / 3);
        var s = new Store();
        var film = FilmEditor.Edit([s.Clip("a", "cut", Repeat(6, all)), s.Clip("b", "dissolve", Repeat(6, all))], s.Load, 6).ToList();
        foreach (var f in film) Assert.Equal(all, f);
        // and the fixed-point transfer curves are monotonic with fade-to-black reaching 0
        var again = FilmEditor.Edit([s.Clip("a", "cut", Repeat(6, all)), s.Clip("b", "fade", Repeat(6, all))], s.Load, 6).ToList();
        var again2 = FilmEditor.Edit([s.Clip("a", "cut", Repeat(6, all)), s.Clip("b", "fade", Repeat(6, all))], s.Load, 6).ToList();
        for (int k = 0; k < again.Count; k++)
        {
            Assert.Equal(again[k], again2[k]); // deterministic
            for (int i = 3; i < all.Length; i++) Assert.True(again[k][i] >= again[k][i - 3]);
        }
    }

    [Fact]
    public void Fixed_point_transfer_tables_do_not_depend_on_the_last_bits_of_pow()
    {
        // The editor rounds sRGB→linear (and its rounding thresholds) to 24-bit integers computed with Math.Pow. A libm
        // that differs by a few ulps could only change a table entry if a value sat within ~1e-9 of a rounding tie.
        const double S = (1 << 24) - 1;
        for (int i = 0; i < 256; i++)
        {
            Assert.True(Math.Abs((Lin((byte)i) * S) % 1 - 0.5) > 1e-4);
            if (i < 255)
            {
                double c = (i + 0.5) / 255.0;
                double t = c <= 0.04045 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
                Assert.True(Math.Abs((t * S) % 1 - 0.5) > 1e-4);
            }
        }
    }

    [Fact]
    public void Editing_into_kept_buffers_gives_the_same_frames_with_three_arrays()
    {
        // cuts, a dissolve and a fade, frames decoded from blobs into the editor's buffers: the same bytes as Edit
        var s = new Store();
        var clips = new[]
        {
            s.Clip("a", "cut", Ramp(9, 10, 7)), s.Clip("b", "dissolve", Ramp(8, 120, 9)), s.Clip("c", "fade", Ramp(7, 30, 20)),
            s.Clip("d", "cut", Ramp(3, 200, 5)), s.Clip("e", "dissolve", Ramp(5, 60, 30)),
        };
        // frames with a border of zeros (a stored box smaller than the frame) next to whole ones
        foreach (var h in s.Frames.Keys.Where(k => k.EndsWith("-1", StringComparison.Ordinal)).ToList())
        {
            var f = (byte[])s.Frames[h].Clone();
            for (int x = 0; x < W; x++) { f[x * 3] = f[x * 3 + 1] = f[x * 3 + 2] = 0; }
            s.Frames[h] = f;
        }
        var blobs = s.Frames.ToDictionary(kv => kv.Key, kv => FrameCodec.EncodeRgb24(kv.Value, W, H));
        var expected = FilmEditor.Edit(clips, s.Load, 6).Select(f => (byte[])f.Clone()).ToList();
        var arrays = new HashSet<byte[]>(ReferenceEqualityComparer.Instance);
        var got = new List<byte[]>();
        int decodes = 0;
        foreach (var f in FilmEditor.EditInto(clips, W * H * 3, (h, into, written) => { decodes++; return FrameCodec.DecodeRgb24(blobs[h], into, written); }, 6))
        {
            arrays.Add(f);
            got.Add((byte[])f.Clone());
        }
        Assert.Equal(expected.Count, got.Count);
        for (int i = 0; i < got.Count; i++) Assert.Equal(expected[i], got[i]);
        Assert.InRange(arrays.Count, 2, 3);
        Assert.Equal(s.Loads, decodes);
        // a frame that cannot be decoded names its shot and hash; a bad size is refused before anything is read
        var e = Assert.Throws<CutturaException>(() => FilmEditor.EditInto(clips, W * H * 3, (_, _, _) => throw new InvalidDataException("bad blob"), 6).ToList());
        Assert.Contains("shot 'a'", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => FilmEditor.EditInto(clips, 10, (_, _, w) => w, 6));
    }

    [Fact]
    public void A_clip_stream_gives_the_same_frames_and_asks_for_each_shot_only_when_the_edit_reaches_it()
    {
        // a production's shots arriving as each is final: the same bytes as the whole timeline, and shot i+1 is asked for
        // no earlier than the first frame of shot i that a transition into i+1 could mix (at its start for a cut)
        var s = new Store();
        var clips = new[]
        {
            s.Clip("a", "cut", Ramp(9, 10, 7)), s.Clip("b", "dissolve", Ramp(8, 120, 9)), s.Clip("c", "fade", Ramp(7, 30, 20)),
            s.Clip("d", "cut", Ramp(3, 200, 5)), s.Clip("e", "dissolve", Ramp(5, 60, 30)),
        };
        var blobs = s.Frames.ToDictionary(kv => kv.Key, kv => FrameCodec.EncodeRgb24(kv.Value, W, H));
        var expected = FilmEditor.Edit(clips, s.Load, 6).Select(f => (byte[])f.Clone()).ToList();
        var got = new List<byte[]>();
        var asked = new List<(int Clip, int AfterFrames)>();
        var stream = new FilmEditor.ClipStream(clips.Select(c => c.Transition).ToList(), i => { asked.Add((i, got.Count)); return clips[i]; });
        foreach (var f in FilmEditor.EditInto(stream, W * H * 3, (h, into, written) => FrameCodec.DecodeRgb24(blobs[h], into, written), 6))
            got.Add((byte[])f.Clone());
        Assert.Equal(expected.Count, got.Count);
        for (int i = 0; i < got.Count; i++) Assert.Equal(expected[i], got[i]);
        // b: a's last min(3, 9/2) = 3 frames may dissolve (after 6); c: b's last 3 may fade (after 9 + 5); d: a cut, at its
        // start (after 9 + 8 + 7); e: d's last min(3, 3/2) = 1 may dissolve (after 24 + 2)
        Assert.Equal([(0, 0), (1, 6), (2, 14), (3, 24), (4, 26)], asked);

        // a shot entered otherwise than planned is refused when it arrives
        var wrong = new FilmEditor.ClipStream(["cut", "cut"], i => clips[i]);
        Assert.Contains("planned", Assert.Throws<CutturaException>(() =>
            FilmEditor.EditInto(wrong, W * H * 3, (h, into, written) => FrameCodec.DecodeRgb24(blobs[h], into, written), 6).ToList()).Message);
    }

    [Fact]
    public void Mismatched_frame_sizes_are_rejected()
    {
        var s = new Store();
        var clips = new[] { s.Clip("a", "cut", Solid(W, H, 1, 2, 3)), s.Clip("b", "cut", Solid(W, H + 2, 1, 2, 3)) };
        var e = Assert.Throws<CutturaException>(() => FilmEditor.Edit(clips, s.Load, 0).ToList());
        Assert.Contains("shot 'b'", e.Message);
        Assert.Throws<CutturaException>(() => FilmEditor.Edit([s.Clip("c", "cut", new byte[10])], s.Load, 0).ToList());
    }

    [Fact]
    public void Bad_timelines_are_rejected_before_any_frame_is_loaded()
    {
        var s = new Store();
        var ok = s.Clip("a", "cut", Solid(W, H, 1, 2, 3));
        Assert.Contains("wipe", Assert.Throws<CutturaException>(() => FilmEditor.Edit([ok, s.Clip("b", "wipe", Solid(W, H, 1, 2, 3))], s.Load, 4)).Message);
        Assert.Contains("fps", Assert.Throws<CutturaException>(() => FilmEditor.Edit([ok, s.Clip("b", "cut", Solid(W, H, 1, 2, 3)) with { Fps = 25 }], s.Load, 4)).Message);
        Assert.Contains("no frames", Assert.Throws<CutturaException>(() => FilmEditor.Edit([ok with { FrameHashes = [] }], s.Load, 4)).Message);
        Assert.Throws<CutturaException>(() => FilmEditor.Edit([], s.Load, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => FilmEditor.Edit([ok], s.Load, -1));
        Assert.Equal(0, s.Loads);
    }

    [Fact]
    public void Missing_frame_hash_in_the_vault_is_an_error_naming_shot_and_hash()
    {
        var root = Path.Combine(Path.GetTempPath(), "talos-cuttura-tests", Guid.NewGuid().ToString("N"));
        try
        {
            using var vault = BlobVault.Open(root);
            var hashes = Enumerable.Range(0, 4).Select(i => vault.Put(FrameCodec.EncodeRgb24(Solid(W, H, (byte)(i * 40), 0, 0), W, H), "frame")).ToList();
            var missing = BlobVault.HashOf("never stored"u8);
            byte[] Load(string h) => FrameCodec.DecodeRgb24(vault.Get(h)).rgb;

            var film = FilmEditor.Edit([new ShotClip("s1", hashes, "cut", 24)], Load, 0).ToList();
            Assert.Equal(4, film.Count);
            Assert.Equal(120, film[3][0]);

            var broken = new ShotClip("s2", [hashes[0], missing, hashes[2]], "cut", 24);
            var e = Assert.Throws<CutturaException>(() => FilmEditor.Edit([broken], Load, 0).ToList());
            Assert.Contains(missing, e.Message);
            Assert.Contains("s2", e.Message);
            Assert.IsType<VaultException>(e.InnerException);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(root, true); } catch (IOException) { }
        }
    }
}
