using System.Buffers.Binary;
using System.Security.Cryptography;
using Talos.Gpu.Imaging;
using Talos.Messages.Specs;
using Xunit;

namespace Talos.Tests.Vault;

public sealed class FrameCodecTests
{
    static RgbaImage Layer(int w, int h, int x0, int y0, int x1, int y1)
    {
        var img = new RgbaImage(w, h);
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++)
            {
                int i = y * w + x;
                img.A[i] = 0.5f + 0.5f * ((x + y) % 2);
                img.R[i] = 0.25f * img.A[i]; img.G[i] = x / (float)w * img.A[i]; img.B[i] = 3.5f; // HDR value survives
            }
        return img;
    }

    /// <summary>Every channel of every pixel decodes to the very half the encoder stored (NaN as NaN; a ±0 pixel as 0).</summary>
    static void AssertHalfEqual(RgbaImage a, RgbaImage b)
    {
        Assert.Equal((a.Width, a.Height), (b.Width, b.Height));
        foreach (var (p, q) in new[] { (a.R, b.R), (a.G, b.G), (a.B, b.B), (a.A, b.A) })
            for (int i = 0; i < p.Length; i++)
            {
                Half want = (Half)p[i];
                if (Half.IsNaN(want)) { Assert.True(float.IsNaN(q[i]), $"pixel {i}: NaN expected, got {q[i]}"); continue; }
                Assert.True(BitConverter.HalfToUInt16Bits(want) == BitConverter.HalfToUInt16Bits((Half)q[i]) && (float)want == q[i] || want == Half.Zero && q[i] == 0,
                    $"pixel {i}: {(float)want} expected, got {q[i]}");
            }
    }

    /// <summary>A smooth HDR gradient with noise in the low bits: what a lit background looks like to the codec.</summary>
    static RgbaImage Background(int w, int h, int seed)
    {
        var rnd = new Random(seed);
        var img = new RgbaImage(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                img.R[i] = 0.05f + 2.5f * y / h + 0.001f * rnd.NextSingle();
                img.G[i] = 0.3f * x / w;
                img.B[i] = rnd.NextSingle() < 0.1f ? 12f : 0.02f;
                img.A[i] = 1f;
            }
        return img;
    }

    [Fact]
    public void Threads_sharing_the_codecs_zstd_contexts_write_and_read_the_same_bytes()
    {
        // More encodes and decodes at once than the codec keeps contexts for, at two levels: contexts are shared and some
        // disposed on return, and every blob is the one a lone encode writes.
        var images = Enumerable.Range(0, 4).Select(seed => Background(96, 64, seed)).ToArray();
        var alone = images.Select(img => FrameCodec.EncodeRgba(img)).ToArray();
        var level3 = images.Select(img => FrameCodec.EncodeRgba(img, 3)).ToArray();
        var decoded = alone.Select(blob => FrameCodec.DecodeRgba(blob)).ToArray();
        var results = new byte[64][];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 16 }, i =>
        {
            var img = images[i % images.Length];
            var blob = i % 3 == 0 ? FrameCodec.EncodeRgba(img, 3) : FrameCodec.EncodeRgba(img);
            var back = FrameCodec.DecodeRgba(blob);
            Assert.Equal(decoded[i % images.Length].R, back.R);
            Assert.Equal(decoded[i % images.Length].A, back.A);
            results[i] = blob;
        });
        for (int i = 0; i < results.Length; i++)
            Assert.Equal(i % 3 == 0 ? level3[i % images.Length] : alone[i % images.Length], results[i]);
        Assert.NotEqual(alone[0], level3[0]);
    }

    /// <summary>The stored box (x, y, width, height), bytes 16..31 of the header.</summary>
    static (int X, int Y, int W, int H) StoredBox(byte[] blob) =>
        (BinaryPrimitives.ReadInt32LittleEndian(blob.AsSpan(16)), BinaryPrimitives.ReadInt32LittleEndian(blob.AsSpan(20)),
         BinaryPrimitives.ReadInt32LittleEndian(blob.AsSpan(24)), BinaryPrimitives.ReadInt32LittleEndian(blob.AsSpan(28)));

    [Fact]
    public void A_sparse_layer_is_stored_as_its_box_and_decodes_to_the_same_half_values()
    {
        var sparse = Layer(320, 180, 100, 40, 140, 170);
        var full = Layer(320, 180, 0, 0, 320, 180);
        var sparseBytes = FrameCodec.EncodeRgba(sparse);
        Assert.Equal((100, 40, 40, 130), StoredBox(sparseBytes));
        Assert.Equal((0, 0, 320, 180), StoredBox(FrameCodec.EncodeRgba(full)));
        AssertHalfEqual(sparse, FrameCodec.DecodeRgba(sparseBytes));
        AssertHalfEqual(full, FrameCodec.DecodeRgba(FrameCodec.EncodeRgba(full)));
        Assert.Equal(sparseBytes, FrameCodec.EncodeRgba(sparse)); // deterministic bytes, hence stable vault hashes
    }

    [Fact]
    public void Empty_layers_are_the_header_alone_and_an_additive_layer_with_zero_alpha_round_trips()
    {
        var empty = new RgbaImage(64, 36);
        var blob = FrameCodec.EncodeRgba(empty);
        Assert.Equal(32, blob.Length);
        AssertHalfEqual(empty, FrameCodec.DecodeRgba(blob));
        Assert.Equal(32, FrameCodec.EncodeGray(new GrayImage(64, 36)).Length);
        Assert.Equal(new byte[64 * 36 * 3], FrameCodec.DecodeRgb24(FrameCodec.EncodeRgb24(new byte[64 * 36 * 3], 64, 36)).rgb);
        var glow = new RgbaImage(64, 36);
        glow.R[36 * 64 - 1] = 2f; // light with no coverage, in the last pixel
        AssertHalfEqual(glow, FrameCodec.DecodeRgba(FrameCodec.EncodeRgba(glow)));
    }

    [Fact]
    public void Half_special_values_come_back_bit_for_bit()
    {
        var img = new RgbaImage(7, 5);
        float[] specials = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f, 65504f, 1e6f /* → +inf */, -3.25f,
            6e-8f /* smallest subnormal half */, 3e-5f, 1f / 3, 0.1f, -1e-9f /* → -0 */, 1f];
        for (int i = 0; i < img.PixelCount; i++)
        {
            img.R[i] = specials[i % specials.Length];
            img.G[i] = specials[(i * 5 + 1) % specials.Length];
            img.B[i] = specials[(i * 3 + 2) % specials.Length];
            img.A[i] = specials[(i + 7) % specials.Length];
        }
        img.A[0] = img.A[^1] = 1f; // the box is the whole frame, so -0 inside it keeps its sign
        var back = FrameCodec.DecodeRgba(FrameCodec.EncodeRgba(img));
        AssertHalfEqual(img, back);
        Assert.True(float.IsNegative(back.R[Array.IndexOf(specials, -0f)]), "-0 inside the box keeps its sign");
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 7)]
    [InlineData(17, 1)]
    [InlineData(1, 13)]
    [InlineData(321, 179)]
    [InlineData(1280, 720)]
    public void Every_kind_round_trips_at_any_size(int w, int h)
    {
        var bg = Background(w, h, w * 31 + h);
        AssertHalfEqual(bg, FrameCodec.DecodeRgba(FrameCodec.EncodeRgba(bg)));

        var rnd = new Random(w + h);
        var gray = new GrayImage(w, h);
        for (int i = 0; i < gray.Data.Length; i++) gray.Data[i] = rnd.Next(4) == 0 ? 0f : rnd.Next(256) / 255f;
        Assert.Equal(gray.Data, FrameCodec.DecodeGray(FrameCodec.EncodeGray(gray)).Data);

        var rgb = new byte[w * h * 3];
        rnd.NextBytes(rgb); // noise: no filter or compressor can shrink it; the box and residual planes must still fit
        var (back, bw, bh) = FrameCodec.DecodeRgb24(FrameCodec.EncodeRgb24(rgb, w, h));
        Assert.Equal((w, h), (bw, bh));
        Assert.Equal(rgb, back);
    }

    /// <summary>
    /// A shadow-like layer (colour planes zero but for a −0, alpha in a ragged shape with empty rows inside its box) and a
    /// character-like one (colour × alpha) decode to the very bits of their halves at every pixel (+0 outside the box),
    /// also into pooled planes that held another layer: the decoder skips the rows without a residual and the zero ends of
    /// rows, which the pooled image holds already.
    /// </summary>
    [Theory]
    [InlineData(1280, 720)]
    [InlineData(77, 41)]
    [InlineData(33, 3)]
    public void Layers_with_empty_rows_and_planes_decode_to_the_very_bits(int w, int h)
    {
        var rnd = new Random(w * 7 + h);
        RgbaImage Ragged(bool colour)
        {
            var img = new RgbaImage(w, h);
            for (int y = h / 5; y < Math.Max(h / 5 + 1, 4 * h / 5); y++)
            {
                if (y % 7 == 3) continue; // an empty row inside the box
                int x0 = rnd.Next(w / 2 + 1), x1 = Math.Min(w, x0 + 1 + rnd.Next(w / 2 + 1));
                for (int x = x0; x < x1; x++)
                {
                    int i = y * w + x;
                    img.A[i] = (rnd.Next(3) + 1) / 4f;
                    if (colour) (img.R[i], img.G[i], img.B[i]) = (rnd.NextSingle() * img.A[i], 0.5f * img.A[i], x % 5 == 0 ? 0f : 2.5f * img.A[i]);
                }
                if (y == h / 5 + 1 || h < 5) img.R[y * w + x0] = -0f; // non-zero bits inside the box
            }
            return img;
        }
        foreach (var layer in new[] { Ragged(false), Ragged(true), Ragged(false) })
        {
            var back = FrameCodec.DecodeRgba(FrameCodec.EncodeRgba(layer));
            foreach (var (p, q) in new[] { (layer.R, back.R), (layer.G, back.G), (layer.B, back.B), (layer.A, back.A) })
                for (int i = 0; i < p.Length; i++)
                    Assert.True(BitConverter.SingleToUInt32Bits((float)(Half)p[i]) == BitConverter.SingleToUInt32Bits(q[i]), $"pixel {i}: {p[i]} stored, {q[i]} decoded");
            FramePool.Return(back); // the next layer may decode into these planes
        }
    }

    [Fact]
    public void Gray_stores_8_bit_coverage_rounded_as_before()
    {
        var gray = new GrayImage(9, 4);
        for (int i = 0; i < gray.Data.Length; i++) gray.Data[i] = i * 0.037f - 0.1f; // below 0 and above 1 clamp
        var back = FrameCodec.DecodeGray(FrameCodec.EncodeGray(gray));
        for (int i = 0; i < gray.Data.Length; i++)
            Assert.Equal(Math.Clamp((int)MathF.Round(gray.Data[i] * 255f), 0, 255) / 255f, back.Data[i]);
    }

    [Theory]
    [InlineData(0, 0, 1, 1)]     // top-left pixel only
    [InlineData(49, 29, 50, 30)] // bottom-right pixel only
    [InlineData(0, 10, 50, 12)]  // full-width band
    [InlineData(20, 0, 21, 30)]  // full-height line
    public void A_box_touching_the_edges_round_trips(int x0, int y0, int x1, int y1)
    {
        var img = Layer(50, 30, x0, y0, x1, y1);
        var blob = FrameCodec.EncodeRgba(img);
        Assert.Equal((x0, y0, x1 - x0, y1 - y0), StoredBox(blob));
        AssertHalfEqual(img, FrameCodec.DecodeRgba(blob));

        var gray = new GrayImage(50, 30);
        var rgb = new byte[50 * 30 * 3];
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++) { gray.Data[y * 50 + x] = (x + y) % 3 * 120 / 255f; rgb[(y * 50 + x) * 3 + (x + y) % 3] = (byte)(x + 1); }
        Assert.Equal(gray.Data, FrameCodec.DecodeGray(FrameCodec.EncodeGray(gray)).Data);
        Assert.Equal(rgb, FrameCodec.DecodeRgb24(FrameCodec.EncodeRgb24(rgb, 50, 30)).rgb);
    }

    [Fact]
    public void A_lit_background_is_several_times_smaller_than_its_raw_halfs()
    {
        var bg = Background(640, 360, 7);
        var blob = FrameCodec.EncodeRgba(bg);
        Assert.True(blob.Length * 4 < 640 * 360 * 8, $"{blob.Length} bytes for a 640x360 gradient");
        Assert.Equal(blob, FrameCodec.EncodeRgba(Background(640, 360, 7)));
    }

    [Fact]
    public void The_bytes_are_pinned_so_every_machine_writes_the_same_blob()
    {
        // Hashes written by the scalar filters, the vectorised ones and a run with DOTNET_EnableHWIntrinsic=0 alike
        // (an odd width exercises the vector loops' tails). A change here changes every vault hash: a new format.
        // (zstd level 1 from 2026-12-03: the gray and RGB24 samples are too small for the level to matter; from 2026-12-05
        // without zstd's checksum and with raw literals — the earlier blobs: the test after this one)
        var gray = new GrayImage(37, 21);
        for (int i = 0; i < gray.Data.Length; i++) gray.Data[i] = i * 7 % 23 / 22f;
        var rgb = new byte[37 * 21 * 3];
        for (int i = 0; i < rgb.Length; i++) rgb[i] = (byte)(i * i % 251);
        Assert.Equal("F7F57DD5D6F42CBCEC91A6CCA36A62208A6DE002F57056ADD32B93DE496B146C", Convert.ToHexString(SHA256.HashData(FrameCodec.EncodeRgba(Background(37, 21, 5)))));
        Assert.Equal("66FCB50B2DB3AAE93B13AD95CBFD664C084AE19240829A24905069BC77779D38", Convert.ToHexString(SHA256.HashData(FrameCodec.EncodeGray(gray))));
        Assert.Equal("18C346A19F9274C1277908A6332C0DB40997E3320E505A2996F7FDE3DBE1EA59", Convert.ToHexString(SHA256.HashData(FrameCodec.EncodeRgb24(rgb, 37, 21))));
        Assert.Equal("B5A3F71D63325F406F9E8E31C617E21AD61C362A7E5F44F50FBAEF48D50E007D", Convert.ToHexString(SHA256.HashData(FrameCodec.EncodeRgba(Flat(37, 21)))));
        // zstd level 3, what the codec wrote before 2026-12-03: the same filters give the same bytes as then
        Assert.Equal("83310EE73C082CCE9D34BA079C661470F3335D7F0CD5C94A14F36067A89C0D68", Convert.ToHexString(SHA256.HashData(FrameCodec.EncodeRgba(Background(37, 21, 5), 3))));
        Assert.Equal("01E053157EF7CC2DB08E4CB4CD6F95E997826B84551D83C627A0C1D6583DF3C8", Convert.ToHexString(SHA256.HashData(FrameCodec.EncodeGray(gray, 3))));
        Assert.Equal("7C3298E1AFD79B9AB7DC50E22F783F9114919A013557917B2E49ABCC503781DD", Convert.ToHexString(SHA256.HashData(FrameCodec.EncodeRgb24(rgb, 37, 21, 3))));
    }

    /// <summary>
    /// What the codec wrote at its level before 2026-12-05 (zstd level 1, its hash table 2^12 entries, zstd's checksum
    /// on, Huffman-coded literals) for the blob <paramref name="blob"/>: the same header and payload, compressed so.
    /// </summary>
    static byte[] WrittenBefore20261205(byte[] blob)
    {
        if (blob.Length == 32) return blob; // an empty box: the header alone, then as now
        using var decompressor = new ZstdSharp.Decompressor();
        var payload = decompressor.Unwrap(blob.AsSpan(32)).ToArray();
        using var compressor = new ZstdSharp.Compressor(1);
        compressor.SetParameter(ZstdSharp.Unsafe.ZSTD_cParameter.ZSTD_c_checksumFlag, 1);
        compressor.SetParameter(ZstdSharp.Unsafe.ZSTD_cParameter.ZSTD_c_hashLog, 12);
        return [.. blob.AsSpan(0, 32), .. compressor.Wrap(payload)];
    }

    /// <summary>Bit 2 of the zstd frame's header descriptor (after the 32-byte Talos header and zstd's 4-byte magic).</summary>
    static bool HasZstdChecksum(byte[] blob) => (blob[32 + 4] & 4) != 0;

    [Fact]
    public void Blobs_written_before_the_checksum_was_dropped_still_decode_and_their_checksum_is_still_checked()
    {
        var bg = Background(37, 21, 5);
        var gray = new GrayImage(37, 21);
        for (int i = 0; i < gray.Data.Length; i++) gray.Data[i] = i * 7 % 23 / 22f;
        var rgb = new byte[37 * 21 * 3];
        for (int i = 0; i < rgb.Length; i++) rgb[i] = (byte)(i * i % 251);
        var oldBg = WrittenBefore20261205(FrameCodec.EncodeRgba(bg));
        var oldGray = WrittenBefore20261205(FrameCodec.EncodeGray(gray));
        var oldRgb = WrittenBefore20261205(FrameCodec.EncodeRgb24(rgb, 37, 21));
        var oldFlat = WrittenBefore20261205(FrameCodec.EncodeRgba(Flat(37, 21)));
        // byte for byte the blobs the codec wrote then (the hashes it pinned until 2026-12-05)
        Assert.Equal("2273D4A7E3468BD5FAF58850C35B3649D41A39709DF34D88F1013F279AC1026F", Convert.ToHexString(SHA256.HashData(oldBg)));
        Assert.Equal("01E053157EF7CC2DB08E4CB4CD6F95E997826B84551D83C627A0C1D6583DF3C8", Convert.ToHexString(SHA256.HashData(oldGray)));
        Assert.Equal("7C3298E1AFD79B9AB7DC50E22F783F9114919A013557917B2E49ABCC503781DD", Convert.ToHexString(SHA256.HashData(oldRgb)));
        Assert.Equal("63E1A3DA66D7FF176B95F90CFC04B05DD599919CC27794E93D05659DBFDA2937", Convert.ToHexString(SHA256.HashData(oldFlat)));
        Assert.True(HasZstdChecksum(oldBg) && HasZstdChecksum(oldGray) && HasZstdChecksum(oldRgb));
        // decode to the very pixels the new blobs hold
        AssertHalfEqual(bg, FrameCodec.DecodeRgba(oldBg));
        AssertHalfEqual(Flat(37, 21), FrameCodec.DecodeRgba(oldFlat));
        Assert.Equal(FrameCodec.DecodeGray(FrameCodec.EncodeGray(gray)).Data, FrameCodec.DecodeGray(oldGray).Data);
        Assert.Equal(rgb, FrameCodec.DecodeRgb24(oldRgb).rgb);
        var into = new byte[rgb.Length];
        FrameCodec.DecodeRgb24(oldRgb, into, default);
        Assert.Equal(rgb, into);
        // their checksum is still checked: a damaged byte is an error, never a wrong image
        var flipped = (byte[])oldBg.Clone();
        flipped[oldBg.Length / 2] ^= 0x55;
        Assert.Contains("Talos frame blob", Error(flipped));
        var lastByte = (byte[])oldBg.Clone();
        lastByte[^1] ^= 0x01; // in the checksum itself
        Assert.Contains("Talos frame blob", Error(lastByte));
    }

    [Fact]
    public void The_codec_writes_zstd_frames_without_a_checksum_of_their_own_and_other_levels_as_before()
    {
        // the vault checks every blob's SHA-256 when it reads it: zstd's XXH64 of the payload repeated that check
        var layer = FrameCodec.EncodeRgba(Layer(64, 36, 10, 10, 20, 20));
        var frame = FrameCodec.EncodeRgb24(Enumerable.Range(0, 64 * 36 * 3).Select(i => (byte)(i % 7 * 30)).ToArray(), 64, 36);
        Assert.False(HasZstdChecksum(layer));
        Assert.False(HasZstdChecksum(frame));
        // the codec benchmark's other levels write what they wrote before (an earlier vault's level-3 blobs, byte for byte)
        Assert.True(HasZstdChecksum(FrameCodec.EncodeRgba(Layer(64, 36, 10, 10, 20, 20), 3)));
    }

    [Fact]
    public void Wide_rows_are_filtered_to_the_same_bytes_as_before_the_256_bit_filter_loops()
    {
        // Hashes written by the codec before its row filters ran 256-bit vectors (main 619da10), at level 3 (whose zstd
        // settings did not change): 301 samples a row is several 256-bit vectors, a 128-bit one and a scalar tail, for
        // the 16-bit residuals of RGBA and the 8-bit ones of gray alike.
        var gray = new GrayImage(301, 40);
        for (int i = 0; i < gray.Data.Length; i++) gray.Data[i] = (i * 7 % 23 + i / 301 % 3) / 24f;
        Assert.Equal("905FFBEBE1314CC0754680F0474D4D9A87166AF53568F2564656E84B92E3E298", Convert.ToHexString(SHA256.HashData(FrameCodec.EncodeRgba(Background(301, 40, 9), 3))));
        Assert.Equal("1B4BA53675148B066B3B95274FD7993A2038F23EF482636B0F0C1C92CAF649E8", Convert.ToHexString(SHA256.HashData(FrameCodec.EncodeGray(gray, 3))));
    }

    /// <summary>A flat fill with an outline and empty rows: rows that repeat the one above (the filters' shortcut) and rows that do not.</summary>
    static RgbaImage Flat(int w, int h)
    {
        var img = new RgbaImage(w, h);
        for (int y = 3; y < h - 2; y++)
            for (int x = 4; x < w - 5; x++)
            {
                int i = y * w + x;
                bool edge = y == 3 || y == h - 3 || x == 4 || x == w - 6;
                img.R[i] = edge ? 0.02f : 0.6f; img.G[i] = edge ? 0.02f : 0.3f; img.B[i] = edge ? 0.03f : 0.1f; img.A[i] = 1f;
            }
        return img;
    }

    [Fact]
    public void A_layer_encoded_within_the_rectangle_its_producer_paints_gives_the_same_bytes_as_the_whole_image()
    {
        var layer = Layer(320, 180, 100, 40, 140, 170);
        var whole = FrameCodec.EncodeRgba(layer);
        Assert.Equal(whole, FrameCodec.EncodeRgba(layer, new FrameCodec.Box(100, 40, 40, 130)));
        Assert.Equal(whole, FrameCodec.EncodeRgba(layer, new FrameCodec.Box(90, 30, 100, 150)));
        Assert.Equal(whole, FrameCodec.EncodeRgba(layer, new FrameCodec.Box(0, 0, 320, 180)));
        Assert.Equal(FrameCodec.EncodeRgba(new RgbaImage(320, 180)), FrameCodec.EncodeRgba(layer, new FrameCodec.Box(0, 0, 50, 20))); // pixels outside are not read
        Assert.Throws<ArgumentOutOfRangeException>(() => FrameCodec.EncodeRgba(layer, new FrameCodec.Box(300, 0, 40, 10)));
        Assert.Throws<ArgumentOutOfRangeException>(() => FrameCodec.EncodeRgba(layer, new FrameCodec.Box(-1, 0, 10, 10)));
    }

    [Fact]
    public void A_flat_fill_round_trips_at_every_level()
    {
        var flat = Flat(61, 33);
        foreach (int level in new[] { 1, 3, -1 })
            AssertHalfEqual(flat, FrameCodec.DecodeRgba(FrameCodec.EncodeRgba(flat, level)));
    }

    [Fact]
    public void Gray_coverage_is_stored_as_round_v_times_255_clamped_wherever_it_lies_in_the_frame()
    {
        // values on and beside every rounding tie, out of range, negative zero and NaN, in boxes that start and end
        // anywhere (the quantiser works 32 values at a time inside the non-zero box, one at a time elsewhere)
        var rng = new Random(19);
        foreach (var (w, h) in new[] { (1, 1), (37, 21), (100, 3), (257, 9) })
            for (int trial = 0; trial < 4; trial++)
            {
                var gray = new GrayImage(w, h);
                int x0 = rng.Next(w), y0 = rng.Next(h), x1 = rng.Next(x0, w), y1 = rng.Next(y0, h);
                for (int y = y0; y <= y1; y++)
                    for (int x = x0; x <= x1; x++)
                        gray.Data[y * w + x] = rng.Next(8) switch
                        {
                            0 => (rng.Next(256) + 0.5f) / 255f,
                            1 => rng.NextSingle() * 3f - 1f,
                            2 => -0f,
                            3 => trial == 3 && rng.Next(50) == 0 ? float.NaN : 0f,
                            4 => rng.Next(256) / 255f,
                            _ => rng.NextSingle(),
                        };
                var back = FrameCodec.DecodeGray(FrameCodec.EncodeGray(gray));
                for (int i = 0; i < gray.Data.Length; i++)
                    Assert.Equal((byte)Math.Clamp((int)MathF.Round(gray.Data[i] * 255f), 0, 255) / 255f, back.Data[i]);
            }
    }

    // Blobs written by the TFR1 encoder (zlib) before TFR2, kept byte for byte: existing vaults hold such blobs.
    const string Tfr1Sparse = "VEZSMQEBAAAJAAAABwAAAAIAAAADAAAAAwAAAAMAAAB4AUvTO2uSZpRmdNYgzQzCvm0GgpMsQHC7JQgyOGNACwYbBhQMAHUJE1A=";
    const string Tfr1Full = "VEZSMQEAAAAEAAAAAwAAAHgBY2BI00ozOmvAwJCml6Z31gTBZwCDSQZQaDIJDBmccUAbBgsGEIaQNmC2DYMFAAcqEnA=";
    const string Tfr1Gray = "VEZSMQIAAAAFAAAAAwAAAHgBYxBSMfeMzm2YtGTbidtv/wMAJ+cHeg==";
    const string Tfr1Rgb = "VEZSMQMAAAADAAAAAgAAAHgBY+CT0bJwC0kqqOuZtWLbkUsP3gEANRAIXw==";

    /// <summary>The image the TFR1 fixtures were encoded from.</summary>
    static RgbaImage Tfr1Image(int w, int h, int x0, int y0, int x1, int y1)
    {
        var img = new RgbaImage(w, h);
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++)
            {
                int i = y * w + x;
                img.A[i] = (x + y) % 2 == 0 ? 1f : 0.5f; img.R[i] = 0.1f * x * img.A[i]; img.G[i] = y / 7f; img.B[i] = 3.5f;
            }
        return img;
    }

    [Fact]
    public void TFR1_blobs_from_existing_vaults_still_decode()
    {
        AssertHalfEqual(Tfr1Image(9, 7, 2, 3, 5, 6), FrameCodec.DecodeRgba(Convert.FromBase64String(Tfr1Sparse)));
        AssertHalfEqual(Tfr1Image(4, 3, 0, 0, 4, 3), FrameCodec.DecodeRgba(Convert.FromBase64String(Tfr1Full)));
        var gray = FrameCodec.DecodeGray(Convert.FromBase64String(Tfr1Gray));
        Assert.Equal(Enumerable.Range(0, 15).Select(i => Math.Clamp((int)MathF.Round(i / 14f * 255f), 0, 255) / 255f), gray.Data);
        var (rgb, w, h) = FrameCodec.DecodeRgb24(Convert.FromBase64String(Tfr1Rgb));
        Assert.Equal((3, 2), (w, h));
        Assert.Equal(Enumerable.Range(0, 18).Select(i => (byte)(i * 14)), rgb);
        // and what TFR1 held, TFR2 holds the same
        var img = FrameCodec.DecodeRgba(Convert.FromBase64String(Tfr1Sparse));
        AssertHalfEqual(img, FrameCodec.DecodeRgba(FrameCodec.EncodeRgba(img)));
    }

    static string Error(byte[] blob) => Assert.Throws<InvalidDataException>(() => FrameCodec.DecodeRgba(blob)).Message;

    static byte[] With(byte[] blob, int offset, int value)
    {
        var copy = (byte[])blob.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(copy.AsSpan(offset), value);
        return copy;
    }

    [Fact]
    public void Corrupt_or_truncated_blobs_are_clear_errors()
    {
        var bytes = FrameCodec.EncodeRgba(Layer(64, 36, 10, 10, 20, 20));
        Assert.Contains("bad magic", Error([1, 2, 3]));
        Assert.Contains("truncated Talos frame blob (header)", Error(bytes[..20]));
        Assert.Contains("box 10,10 200x10 outside 64x36", Error(With(bytes, 24, 200)));
        Assert.Contains("Talos frame blob", Error(bytes[..(bytes.Length / 2)]));
        Assert.Contains("Talos frame blob", Error(bytes[..(bytes.Length - 1)]));
        Assert.Contains("the payload declares", Error(With(bytes, 24, 9))); // a box that does not match its payload
        Assert.Contains("after the header of an empty box", Error(With(With(bytes, 24, 0), 28, 0)));
        // A damaged byte inside the zstd frame: the vault refuses a blob whose bytes are not its SHA-256 before the codec
        // sees them (BlobVaultTests), and frames written before 2026-12-05 carry zstd's checksum as well (below).
        Assert.Contains("not RGB24", Assert.Throws<InvalidDataException>(() => FrameCodec.DecodeRgb24(bytes)).Message);
        var tfr1 = Convert.FromBase64String(Tfr1Sparse);
        Assert.Contains("box 2,3 200x3 outside 9x7", Error(With(tfr1, 24, 200)));
        Assert.Contains("Talos frame blob", Error(tfr1[..(tfr1.Length - 6)]));
    }

    [Fact]
    public void A_lying_header_is_refused_before_anything_of_its_size_is_allocated()
    {
        var bytes = FrameCodec.EncodeRgba(Layer(64, 36, 10, 10, 20, 20));
        Assert.Contains($"{Limits.MaxWidth + 1}x36", Error(With(bytes, 8, Limits.MaxWidth + 1)));
        Assert.Contains("corrupt Talos frame header", Error(With(bytes, 12, -1)));
        // the largest frame the limits allow, a box of all of it, and the same small payload: refused by the size it declares
        var huge = With(With(With(With(With(With(bytes, 8, Limits.MaxWidth), 12, Limits.MaxHeight), 16, 0), 20, 0), 24, Limits.MaxWidth), 28, Limits.MaxHeight);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Contains("the payload declares", Error(huge));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "no frame-sized buffer for a blob that cannot fill it");
        var kind = (byte[])bytes.Clone();
        kind[4] = 9;
        Assert.Contains("kind 9", Error(kind));
        // the same for an 8-bit frame
        var rgb = FrameCodec.EncodeRgb24(Rgb(64, 36, 0, 0, 64, 36, 1), 64, 36);
        var hugeRgb = With(With(With(With(With(With(rgb, 8, Limits.MaxWidth), 12, Limits.MaxHeight), 16, 0), 20, 0), 24, Limits.MaxWidth), 28, Limits.MaxHeight);
        before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Contains("the payload declares", Assert.Throws<InvalidDataException>(() => FrameCodec.DecodeRgb24(hugeRgb)).Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "no frame-sized buffer for an 8-bit blob that cannot fill it");
    }

    [Fact]
    public void Frames_beyond_the_limits_are_not_encoded()
    {
        Assert.Throws<ArgumentException>(() => FrameCodec.EncodeRgb24(new byte[(Limits.MaxWidth + 2) * 3], Limits.MaxWidth + 2, 1));
    }
    /// <summary>An RGB24 frame of <paramref name="w"/>×<paramref name="h"/>, non-zero only in the box (x0, y0)–(x1, y1) (exclusive).</summary>
    static byte[] Rgb(int w, int h, int x0, int y0, int x1, int y1, int seed)
    {
        var rgb = new byte[w * h * 3];
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++)
                for (int c = 0; c < 3; c++) rgb[(y * w + x) * 3 + c] = (byte)(1 + (x * 7 + y * 13 + c * 5 + seed) % 255);
        return rgb;
    }

    [Fact]
    public void Rgb24_decoded_into_a_reused_buffer_equals_a_fresh_decode_whatever_the_buffer_held()
    {
        const int w = 37, h = 23;
        // boxes that grow, shrink, move, empty and fill the frame, in an order where each leaves bytes the next must clear
        (int, int, int, int)[] boxes = [(0, 0, w, h), (5, 4, 20, 9), (0, 0, 0, 0), (30, 2, 37, 23), (1, 1, 3, 2), (0, 10, w, 14), (10, 0, 12, h), (0, 0, w, h), (36, 22, 37, 23)];
        var buffer = new byte[w * h * 3];
        var written = default(FrameCodec.Box);
        int seed = 0;
        foreach (var (x0, y0, x1, y1) in boxes)
        {
            var frame = Rgb(w, h, x0, y0, x1, y1, seed++);
            var blob = FrameCodec.EncodeRgb24(frame, w, h);
            written = FrameCodec.DecodeRgb24(blob, buffer, written);
            Assert.Equal(frame, buffer);
            Assert.Equal(FrameCodec.DecodeRgb24(blob).rgb, buffer);
            Assert.Equal(StoredBox(blob), (written.X, written.Y, written.W, written.H));
        }
        // a TFR1 blob fills the whole frame
        var tfr1 = Convert.FromBase64String(Tfr1Rgb);
        var small = Enumerable.Repeat((byte)200, 18).ToArray();
        Assert.Equal(new FrameCodec.Box(0, 0, 3, 2), FrameCodec.DecodeRgb24(tfr1, small, new FrameCodec.Box(0, 0, 3, 2)));
        Assert.Equal(Enumerable.Range(0, 18).Select(i => (byte)(i * 14)), small);
        Assert.Throws<ArgumentException>(() => FrameCodec.DecodeRgb24(tfr1, new byte[17], default));
    }

    [Fact]
    public void Gray_decoded_into_a_reused_image_equals_a_fresh_decode_whatever_the_image_held()
    {
        const int w = 41, h = 19;
        (int, int, int, int)[] boxes = [(0, 0, w, h), (3, 5, 30, 11), (0, 0, 0, 0), (35, 0, 41, 19), (2, 2, 4, 3), (0, 8, w, 9), (0, 0, w, h)];
        var into = new GrayImage(w, h);
        var written = default(FrameCodec.Box);
        int seed = 0;
        foreach (var (x0, y0, x1, y1) in boxes)
        {
            var img = new GrayImage(w, h);
            for (int y = y0; y < y1; y++)
                for (int x = x0; x < x1; x++) img.Data[y * w + x] = ((x * 3 + y * 11 + seed) % 17 + 1) / 17f;
            seed++;
            var blob = FrameCodec.EncodeGray(img);
            written = FrameCodec.DecodeGray(blob, into, written);
            Assert.Equal(FrameCodec.DecodeGray(blob).Data, into.Data);
            Assert.Equal(StoredBox(blob), (written.X, written.Y, written.W, written.H));
        }
        Assert.Throws<ArgumentException>(() => FrameCodec.DecodeGray(FrameCodec.EncodeGray(new GrayImage(w, h)), new GrayImage(w, h + 1), default));
    }

    [Fact]
    public void A_window_decodes_each_frame_once_into_its_own_buffers()
    {
        const int w = 16, h = 8;
        var frames = Enumerable.Range(0, 9).Select(i => Rgb(w, h, i % 3, 0, w - i % 2, h - i % 4, i)).ToList();
        var blobs = frames.Select(f => FrameCodec.EncodeRgb24(f, w, h)).ToList();
        int asked = 0;
        var window = new Rgb24Window(3, w, h, i => { asked++; return blobs[i]; });
        var seen = new HashSet<byte[]>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < frames.Count; i++)
        {
            // a window of three: the frame before, this one and the next, read the way ECHO's temporal checks read them
            var next = i + 1 < frames.Count ? window[i + 1] : null;
            var cur = window[i];
            var prev = i > 0 ? window[i - 1] : null;
            Assert.Equal(frames[i], cur);
            if (prev is not null) Assert.Equal(frames[i - 1], prev);
            if (next is not null) Assert.Equal(frames[i + 1], next);
            seen.Add(cur);
        }
        Assert.Equal(frames.Count, asked);
        Assert.Equal(frames.Count, window.Decoded);
        Assert.Equal(3, seen.Count);
        var other = FrameCodec.EncodeRgb24(new byte[w * 2 * h / 2 * 3], w * 2, h / 2); // the same bytes a frame, another size
        Assert.Throws<InvalidDataException>(() => new Rgb24Window(1, w, h, _ => other)[0]);
    }

    /// <summary>
    /// Every byte value decodes to exactly <c>b / 255f</c> at every position of a row, so the vector conversion and its
    /// scalar tail agree with the scalar division bit for bit (rows of 300 and 33 samples: whole vectors and tails).
    /// </summary>
    [Fact]
    public void Gray_decodes_every_byte_to_exactly_b_over_255_in_vectors_and_tails()
    {
        foreach (int w in new[] { 300, 33 })
        {
            const int h = 9;
            var img = new GrayImage(w, h);
            for (int i = 0; i < w * h; i++) img.Data[i] = ((i * 7) % 256) / 255f;
            var into = new GrayImage(w, h);
            FrameCodec.DecodeGray(FrameCodec.EncodeGray(img), into, default);
            for (int i = 0; i < w * h; i++)
            {
                float want = (byte)((i * 7) % 256) / 255f;
                Assert.Equal(BitConverter.SingleToUInt32Bits(want), BitConverter.SingleToUInt32Bits(into.Data[i]));
            }
        }
    }

    /// <summary>
    /// The stored box finds one non-zero value wherever it lies in a row (in the four-vector blocks, the single
    /// vectors after them and the scalar tail, from either end); −0 is zero and NaN is not.
    /// </summary>
    [Fact]
    public void The_stored_box_finds_a_single_value_at_every_position_of_a_row()
    {
        const int w = 147, h = 3;
        foreach (float v in new[] { 0.5f, float.NaN, -float.Epsilon })
            for (int x = 0; x < w; x++)
            {
                var img = new RgbaImage(w, h);
                img.G[1 * w + x] = v;
                img.R[2 * w + 3] = -0f; // negative zero is zero: not in the box
                Assert.Equal((x, 1, 1, 1), StoredBox(FrameCodec.EncodeRgba(img)));
                var two = new RgbaImage(w, h);
                two.A[x] = v; two.B[2 * w + (w - 1 - x)] = v;
                int lo = Math.Min(x, w - 1 - x), hi = Math.Max(x, w - 1 - x);
                Assert.Equal((lo, 0, hi - lo + 1, 3), StoredBox(FrameCodec.EncodeRgba(two)));
            }
    }
    /// <summary>
    /// The stored box is the smallest box of the pixels whose bits are not zero in some plane (−0 is zero, NaN is not),
    /// against a brute-force search: sparse layers whose rows between the first and the last widen the box one plane at a
    /// time (on either side, in any plane), planes all zero (a shadow's colour), one-pixel and empty layers, boxes on the
    /// edges; and gray coverage and 8-bit frames, which share the search.
    /// </summary>
    [Fact]
    public void The_stored_box_is_the_brute_force_box_of_the_non_zero_bits()
    {
        var rng = new Random(19);
        for (int round = 0; round < 300; round++)
        {
            int w = 1 + rng.Next(90), h = 1 + rng.Next(40);
            var img = new RgbaImage(w, h);
            var planes = new[] { img.R, img.G, img.B, img.A };
            int count = round % 10 == 0 ? 0 : 1 + rng.Next(Math.Min(30, w * h));
            bool colourless = round % 3 == 0; // only alpha, as a cast shadow
            for (int k = 0; k < count; k++)
            {
                int p = rng.Next(w * h);
                var plane = colourless ? img.A : planes[rng.Next(4)];
                plane[p] = rng.Next(8) switch { 0 => float.NaN, 1 => -0f, 2 => -float.Epsilon, _ => (float)rng.NextDouble() + 0.01f };
            }
            int x0 = w, y0 = h, x1 = -1, y1 = -1;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    if (planes.Any(pl => (BitConverter.SingleToUInt32Bits(pl[y * w + x]) & 0x7FFFFFFFu) != 0))
                        (x0, y0, x1, y1) = (Math.Min(x0, x), Math.Min(y0, y), Math.Max(x1, x), y);
            var expected = y1 < 0 ? (0, 0, 0, 0) : (x0, y0, x1 - x0 + 1, y1 - y0 + 1);
            Assert.Equal(expected, StoredBox(FrameCodec.EncodeRgba(img)));
            FrameCodec.DecodeRgba(FrameCodec.EncodeRgba(img), out var stored);
            Assert.Equal(expected, (stored.X, stored.Y, stored.W, stored.H));
            // gray: the same search over its bytes (coverage rounded to 8 bits: 0.01 and more is a non-zero byte)
            var gray = new GrayImage(w, h);
            for (int p = 0; p < w * h; p++)
                if (planes.Any(pl => (BitConverter.SingleToUInt32Bits(pl[p]) & 0x7FFFFFFFu) != 0)) gray.Data[p] = 0.5f;
            Assert.Equal(expected, StoredBox(FrameCodec.EncodeGray(gray)));
        }
    }
}
