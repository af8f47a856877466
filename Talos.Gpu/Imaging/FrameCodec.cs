using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Talos.Messages.Specs;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Talos.Gpu.Imaging;

/// <summary>
/// Byte format of frames and layers stored in the vault ("TFR2"). A 32-byte header — magic, kind, width, height and
/// the box that holds every non-zero pixel (an empty layer is the header alone) — then one zstd frame of the box:
/// RGBA as four planes of IEEE half floats (linear light, premultiplied, HDR-safe), gray as a plane of 8-bit coverage,
/// final frames as interleaved 8-bit sRGB (zstd level 1 since 2026-12-03, level 3 before; level 1's hash table 2^12
/// entries since 2026-12-04: the same layout, so the same decoder). Planes are filtered row by row (every row predicted from the row above or
/// from its left neighbour, whichever leaves the smaller residuals; the residual zigzag-coded), and 16-bit planes are
/// split into a low-byte and a high-byte plane, so that smooth gradients and 8-bit-exact values compress to little.
/// Lossless: decoding gives back the stored half floats and bytes bit for bit. Deterministic: the same image always
/// gives the same bytes, hence the same vault hash. Since 2026-12-05 the zstd frame is written without zstd's own checksum
/// and with its literals stored raw (<see cref="ZstdLevel"/>): every blob is read through the vault, which checks the
/// SHA-256 its name is of the bytes it read (<c>BlobVault.Get</c>), so a damaged blob is an error there, never a wrong
/// image; frames written before carry the checksum, which zstd still checks when they are decoded. Blobs of the earlier
/// "TFR1" format (planar halves or bytes, zlib) still decode.
/// Measurements: docs/BENCHMARKS.md, "Vault: compact layers (TFR2)" and "Vault: frame codec CPU".
/// </summary>
public static class FrameCodec
{
    const uint Magic = 0x32524654;     // "TFR2"
    const uint MagicTfr1 = 0x31524654; // "TFR1": read, no longer written
    const int HeaderBytes = 32;
    /// <summary>
    /// zstd level, chosen by measurement (docs/BENCHMARKS.md, "Vault: frame codec CPU"): on the README film's layers
    /// level 1 encodes in about 0.7 of level 3's time for 1.5 % more bytes (the decoder is the same for every level).
    /// </summary>
    const int ZstdLevel = 1;
    /// <summary>
    /// At <see cref="ZstdLevel"/> the match finder's hash table holds 2^12 entries (zstd's level 1 sizes it 2^13 for a
    /// large frame): measured on the README film's blobs (docs/BENCHMARKS.md, "RAYGEN and ANIMA's encode"), final frames
    /// and lit layers encode in ~15 % less CPU for ≤ 1 % more bytes. Only the encoder's search changes: the decoder
    /// and the decoded bits are the same, and every blob written before still decodes. Other levels keep zstd's own tables.
    /// </summary>
    const int ZstdHashLog = 12;
    /// <summary>
    /// At <see cref="ZstdLevel"/> the codec writes zstd frames without zstd's checksum and with raw (not Huffman-coded)
    /// literals, measured on the README film's blobs (docs/BENCHMARKS.md, "codec8"): the checksum (XXH64 of the whole
    /// payload, once to write, once to read) repeated the vault's SHA-256 of every blob it reads, and raw literals encode
    /// and decode in 10–40 % less CPU for 4–14 % more bytes. A frame says in its header whether it has a checksum and how
    /// its literals are stored, so the decoder is the same and every blob written before still decodes (and is checked).
    /// Other levels (the codec benchmark's) keep the earlier settings, so they write earlier vaults' bytes.
    /// </summary>
    static bool Lean(int level) => level == ZstdLevel;
    const byte FilterUp = 0, FilterLeft = 1;

    /// <summary>
    /// The codec's scratch arrays (half planes, filtered payloads, zstd output) come from pools of its own, at most
    /// <see cref="ScratchPerSize"/> arrays of each power-of-two length up to <see cref="ScratchMaxLength"/> elements, instead
    /// of <see cref="ArrayPool{T}.Shared"/>: the shared pool keeps one array of each length per thread that ever rented it
    /// plus up to 32 per core, so every thread pool thread that encoded or decoded a 1280×720 layer held its own 2–8 MB
    /// arrays for a minute after (~55 MB of the README film's live heap at its peak, issue 19, docs/BENCHMARKS.md). A longer
    /// array (a 4K frame's planes) is rented new and left to the GC.
    /// </summary>
    const int ScratchMaxLength = 1 << 24, ScratchPerSize = 4;
    static readonly ArrayPool<ushort> HalfScratch = ArrayPool<ushort>.Create(ScratchMaxLength, ScratchPerSize);
    static readonly ArrayPool<byte> ByteScratch = ArrayPool<byte>.Create(ScratchMaxLength, ScratchPerSize);

    public enum Kind : byte { RgbaHalf = 1, Gray8 = 2, Rgb24 = 3 }

    /// <summary>A rectangle of pixels: left, top, width, height.</summary>
    public readonly record struct Box(int X, int Y, int W, int H)
    {
        public int Count => W * H;
    }

    /// <summary>
    /// zstd contexts kept for reuse, at most <see cref="ContextsKept"/> compressors and as many decompressors, shared by
    /// every thread: one per thread that ever encoded or decoded (as before) left a compressor's native workspace in a
    /// malloc arena of every thread pool thread (the README film's ~60 MB of malloc arenas at its peak RSS, issue 19,
    /// docs/BENCHMARKS.md). A context beyond them is disposed on return. zstd's one-shot compression resets its context, so
    /// which context compresses does not change the bytes.
    /// </summary>
    static readonly int ContextsKept = Math.Max(2, Environment.ProcessorCount);
    static readonly object ContextGate = new();
    static readonly List<(int Level, Compressor Context)> Compressors = [];
    static readonly Stack<Decompressor> Decompressors = new();

    static Compressor RentCompressor(int level)
    {
        lock (ContextGate)
            for (int i = Compressors.Count - 1; i >= 0; i--)
                if (Compressors[i].Level == level)
                {
                    var kept = Compressors[i].Context;
                    Compressors.RemoveAt(i);
                    return kept;
                }
        var made = new Compressor(level);
        if (Lean(level))
        {
            made.SetParameter(ZSTD_cParameter.ZSTD_c_hashLog, ZstdHashLog);
            made.SetParameter(ZSTD_cParameter.ZSTD_c_experimentalParam5, (int)ZSTD_paramSwitch_e.ZSTD_ps_disable); // literalCompressionMode
        }
        else made.SetParameter(ZSTD_cParameter.ZSTD_c_checksumFlag, 1);
        return made;
    }

    static void ReturnCompressor(int level, Compressor context)
    {
        lock (ContextGate)
            if (Compressors.Count < ContextsKept) { Compressors.Add((level, context)); return; }
        context.Dispose();
    }

    static Decompressor RentDecompressor()
    {
        lock (ContextGate)
            if (Decompressors.TryPop(out var kept)) return kept;
        return new Decompressor();
    }

    static void ReturnDecompressor(Decompressor context)
    {
        lock (ContextGate)
            if (Decompressors.Count < ContextsKept) { Decompressors.Push(context); return; }
        context.Dispose();
    }

    public static byte[] EncodeRgba(RgbaImage img) => EncodeRgba(img, ZstdLevel);

    /// <summary><see cref="EncodeRgba(RgbaImage)"/> at another zstd level (the codec benchmark compares levels on real layers).</summary>
    public static byte[] EncodeRgba(RgbaImage img, int level) => EncodeRgba(img, new Box(0, 0, img.Width, img.Height), level);

    /// <summary>
    /// <see cref="EncodeRgba(RgbaImage)"/> of an image whose producer knows that every pixel outside <paramref name="within"/>
    /// is zero (CHROMA paints only around the ink): only that rectangle is read — the same bytes as reading the whole
    /// image, without touching (and so faulting in) the rest of a freshly allocated frame.
    /// </summary>
    public static byte[] EncodeRgba(RgbaImage img, Box within) => EncodeRgba(img, within, ZstdLevel);

    static byte[] EncodeRgba(RgbaImage img, Box within, int level)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("the Talos frame codec is little-endian");
        CheckEncodable(img.Width, img.Height);
        if (within.X < 0 || within.Y < 0 || within.W < 0 || within.H < 0 || within.X > img.Width - within.W || within.Y > img.Height - within.H)
            throw new ArgumentOutOfRangeException(nameof(within), $"box {within} is not inside the {img.Width}x{img.Height} image");
        // A character or effect layer is mostly empty: only the box holding non-zero pixels is stored.
        var box = NonZeroBox(img.Width, within, img.A, img.R, img.G, img.B);
        int n = box.Count;
        var halves = HalfScratch.Rent(Math.Max(1, n * 4));
        try
        {
            // plane order R, G, B, A; each plane the box's rows of halfs (vectorised float → half)
            var dst = MemoryMarshal.Cast<ushort, Half>(halves.AsSpan(0, n * 4));
            var planes = new[] { img.R, img.G, img.B, img.A };
            for (int p = 0; p < 4; p++)
                for (int y = 0; y < box.H; y++)
                    TensorPrimitives.ConvertToHalf(planes[p].AsSpan((box.Y + y) * img.Width + box.X, box.W), dst.Slice(p * n + y * box.W, box.W));
            return Pack(Kind.RgbaHalf, img.Width, img.Height, box, halves.AsSpan(0, n * 4), 4, level);
        }
        finally { HalfScratch.Return(halves); }
    }

    public static byte[] EncodeGray(GrayImage img) => EncodeGray(img, ZstdLevel);

    /// <summary><see cref="EncodeGray(GrayImage)"/> at another zstd level.</summary>
    public static byte[] EncodeGray(GrayImage img, int level) => EncodeGray(img, new Box(0, 0, img.Width, img.Height), level);

    /// <summary>
    /// <see cref="EncodeGray(GrayImage)"/> of an image whose producer knows that every pixel outside <paramref name="within"/>
    /// is zero (the line art's rasterizer inks only its shapes' rectangles): only that rectangle is searched — the same
    /// bytes as searching the whole image.
    /// </summary>
    public static byte[] EncodeGray(GrayImage img, Box within) => EncodeGray(img, within, ZstdLevel);

    static byte[] EncodeGray(GrayImage img, Box within, int level)
    {
        CheckEncodable(img.Width, img.Height);
        if (within.X < 0 || within.Y < 0 || within.W < 0 || within.H < 0 || within.X > img.Width - within.W || within.Y > img.Height - within.H)
            throw new ArgumentOutOfRangeException(nameof(within), $"box {within} is not inside the {img.Width}x{img.Height} image");
        // only the box of non-zero coverage can hold non-zero bytes: quantise that, then find the bytes' own box in it
        int w = img.Width;
        var outer = NonZeroBox(w, within, img.Data);
        var bytes = ByteScratch.Rent(Math.Max(1, outer.Count));
        try
        {
            for (int y = 0; y < outer.H; y++) Quantize(img.Data.AsSpan((outer.Y + y) * w + outer.X, outer.W), bytes.AsSpan(y * outer.W, outer.W));
            var inner = NonZeroBox(outer.W, new Box(0, 0, outer.W, outer.H), bytes);
            var box = inner.Count == 0 ? inner : new Box(outer.X + inner.X, outer.Y + inner.Y, inner.W, inner.H);
            var samples = ByteScratch.Rent(Math.Max(1, box.Count));
            try
            {
                for (int y = 0; y < box.H; y++) bytes.AsSpan((inner.Y + y) * outer.W + inner.X, box.W).CopyTo(samples.AsSpan(y * box.W));
                return Pack(Kind.Gray8, w, img.Height, box, samples.AsSpan(0, box.Count), level);
            }
            finally { ByteScratch.Return(samples); }
        }
        finally { ByteScratch.Return(bytes); }
    }

    /// <summary>Coverage 0..1 → bytes: round(v · 255) (half to even), clamped to 0..255; 32 at a time where no value is NaN.</summary>
    static void Quantize(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int i = 0, lanes = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            var scale = new Vector<float>(255f);
            for (; i + 4 * lanes <= src.Length; i += 4 * lanes)
            {
                var a = new Vector<float>(src.Slice(i)) * scale;
                var b = new Vector<float>(src.Slice(i + lanes)) * scale;
                var c = new Vector<float>(src.Slice(i + 2 * lanes)) * scale;
                var d = new Vector<float>(src.Slice(i + 3 * lanes)) * scale;
                if (!(Vector.EqualsAll(a, a) && Vector.EqualsAll(b, b) && Vector.EqualsAll(c, c) && Vector.EqualsAll(d, d))) break;
                var lo = Vector.Narrow(Level(a), Level(b));
                var hi = Vector.Narrow(Level(c), Level(d));
                Vector.Narrow(Vector.AsVectorUInt16(lo), Vector.AsVectorUInt16(hi)).CopyTo(dst.Slice(i));
            }
        }
        for (; i < src.Length; i++) dst[i] = (byte)Math.Clamp((int)MathF.Round(src[i] * 255f), 0, 255);

        // clamping before rounding to the nearest integer gives the same level as after (0 and 255 are integers)
        static Vector<int> Level(Vector<float> v) => Vector.ConvertToInt32(Vector.Round(Vector.Min(Vector.Max(v, Vector<float>.Zero), new Vector<float>(255f))));
    }

    /// <summary>
    /// Stores an 8-bit sRGB frame as the box's interleaved RGB bytes, unfiltered: measured on the README film's final
    /// frames, zstd finds more in them raw (184 KiB a frame) than after the row filters (200 KiB, planar).
    /// </summary>
    public static byte[] EncodeRgb24(byte[] rgb, int width, int height) => EncodeRgb24(rgb, width, height, ZstdLevel);

    /// <summary><see cref="EncodeRgb24(byte[], int, int)"/> at another zstd level.</summary>
    public static byte[] EncodeRgb24(byte[] rgb, int width, int height, int level)
    {
        CheckEncodable(width, height);
        if (rgb.Length != checked(width * height * 3)) throw new ArgumentException("rgb24 buffer size does not match dimensions");
        var bytes = NonZeroBox(width * 3, new Box(0, 0, width * 3, height), rgb); // in bytes; widened to whole pixels
        var box = bytes.Count == 0 ? bytes : new Box(bytes.X / 3, bytes.Y, (bytes.X + bytes.W - 1) / 3 - bytes.X / 3 + 1, bytes.H);
        if (box == new Box(0, 0, width, height)) return Compress(Kind.Rgb24, width, height, box, rgb, level);
        var payload = new byte[box.Count * 3];
        for (int y = 0; y < box.H; y++)
            rgb.AsSpan(((box.Y + y) * width + box.X) * 3, box.W * 3).CopyTo(payload.AsSpan(y * box.W * 3));
        return Compress(Kind.Rgb24, width, height, box, payload, level);
    }

    /// <summary>
    /// The smallest box holding every pixel of <paramref name="window"/> with a non-zero value in any plane (planes of
    /// rows <paramref name="stride"/> samples long; an empty window gives a 0×0 box).
    /// </summary>
    static Box NonZeroBox<T>(int stride, Box window, params T[][] planes) where T : unmanaged, IEquatable<T>
    {
        int w = window.W, h = window.H;
        // the first row with a non-zero value from the top, then the last from the bottom, each searched whole; every row
        // between them can only widen the box, so only its columns left and right of the box so far are searched
        int y0 = 0;
        int x0 = w, x1 = -1;
        for (; y0 < h; y0++)
            if (RowSpan(y0, 0, w, ref x0, ref x1)) break;
        if (y0 == h) return new Box(0, 0, 0, 0);
        int y1 = h - 1;
        for (; y1 > y0; y1--)
            if (RowSpan(y1, 0, w, ref x0, ref x1)) break;
        for (int y = y0 + 1; y < y1; y++)
        {
            if (x0 > 0) RowSpan(y, 0, x0, ref x0, ref x1);
            if (x1 < w - 1) RowSpan(y, x1 + 1, w, ref x0, ref x1);
        }
        return new Box(window.X + x0, window.Y + y0, x1 - x0 + 1, y1 - y0 + 1);

        // row y's non-zero values in the columns [c0, c1) of the window: the box widened to them; false when there are none
        bool RowSpan(int y, int c0, int c1, ref int left, ref int right)
        {
            bool any = false;
            foreach (var plane in planes)
            {
                var span = plane.AsSpan((window.Y + y) * stride + window.X + c0, c1 - c0);
                int f = FirstNonZero<T>(span);
                if (f < 0) continue;
                any = true;
                left = Math.Min(left, c0 + f);
                right = Math.Max(right, c0 + LastNonZero<T>(span));
            }
            return any;
        }
    }

    // Floats: IndexOfAnyExcept(0f) compares with float.Equals one value at a time (float is not bitwise-equatable); the
    // same test — zero is +0 or −0, NaN is not zero — on the bits, a vector at a time.
    // Four vectors are OR-ed before one test (an all-zero run — most of a character's frame — costs a load and an OR
    // per vector); the block holding the first non-zero value is then searched a vector at a time.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static int FirstNonZero<T>(ReadOnlySpan<T> span) where T : unmanaged, IEquatable<T>
    {
        if (typeof(T) != typeof(float)) return span.IndexOfAnyExcept(default(T));
        var bits = MemoryMarshal.Cast<T, uint>(span);
        int x = 0, n = Vector<uint>.Count;
        var mask = new Vector<uint>(0x7FFFFFFFu);
        for (; x + 4 * n <= bits.Length; x += 4 * n)
        {
            var any = new Vector<uint>(bits.Slice(x, n)) | new Vector<uint>(bits.Slice(x + n, n))
                | new Vector<uint>(bits.Slice(x + 2 * n, n)) | new Vector<uint>(bits.Slice(x + 3 * n, n));
            if (!Vector.EqualsAll(any & mask, Vector<uint>.Zero)) break;
        }
        for (; x + n <= bits.Length; x += n)
            if (!Vector.EqualsAll(new Vector<uint>(bits.Slice(x, n)) & new Vector<uint>(0x7FFFFFFFu), Vector<uint>.Zero)) break;
        for (; x < bits.Length; x++) if ((bits[x] & 0x7FFFFFFFu) != 0) return x;
        return -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static int LastNonZero<T>(ReadOnlySpan<T> span) where T : unmanaged, IEquatable<T>
    {
        if (typeof(T) != typeof(float)) return span.LastIndexOfAnyExcept(default(T));
        var bits = MemoryMarshal.Cast<T, uint>(span);
        int x = bits.Length, n = Vector<uint>.Count;
        var mask = new Vector<uint>(0x7FFFFFFFu);
        for (; x - 4 * n >= 0; x -= 4 * n)
        {
            var any = new Vector<uint>(bits.Slice(x - n, n)) | new Vector<uint>(bits.Slice(x - 2 * n, n))
                | new Vector<uint>(bits.Slice(x - 3 * n, n)) | new Vector<uint>(bits.Slice(x - 4 * n, n));
            if (!Vector.EqualsAll(any & mask, Vector<uint>.Zero)) break;
        }
        for (; x - n >= 0; x -= n)
            if (!Vector.EqualsAll(new Vector<uint>(bits.Slice(x - n, n)) & new Vector<uint>(0x7FFFFFFFu), Vector<uint>.Zero)) break;
        for (x--; x >= 0; x--) if ((bits[x] & 0x7FFFFFFFu) != 0) return x;
        return -1;
    }

    static void CheckEncodable(int w, int h)
    {
        if (w > Limits.MaxWidth || h > Limits.MaxHeight)
            throw new ArgumentException($"frame {w}x{h} is larger than {Limits.MaxWidth}x{Limits.MaxHeight}");
    }

    public static (Kind kind, int width, int height) ReadHeader(ReadOnlySpan<byte> data)
    {
        uint magic = data.Length < 16 ? 0 : BinaryPrimitives.ReadUInt32LittleEndian(data);
        if (magic is not (Magic or MagicTfr1)) throw new InvalidDataException("not a Talos frame blob (bad magic)");
        var kind = (Kind)data[4];
        int w = BinaryPrimitives.ReadInt32LittleEndian(data[8..]);
        int h = BinaryPrimitives.ReadInt32LittleEndian(data[12..]);
        if (kind is not (Kind.RgbaHalf or Kind.Gray8 or Kind.Rgb24) || w <= 0 || h <= 0 || w > Limits.MaxWidth || h > Limits.MaxHeight)
            throw new InvalidDataException($"corrupt Talos frame header (kind {(int)kind}, {w}x{h})");
        return (kind, w, h);
    }

    public static RgbaImage DecodeRgba(byte[] data) => DecodeRgba(data, out _);

    /// <summary>
    /// <see cref="DecodeRgba(byte[])"/>, also giving the stored box: every pixel outside it is zero (an 8-bit frame: the
    /// whole frame), so a reader can skip the rest without searching it.
    /// </summary>
    public static RgbaImage DecodeRgba(byte[] data, out Box stored) => DecodeRgba(data, out stored, out _);

    /// <summary>
    /// <see cref="DecodeRgba(byte[], out Box)"/>, also giving each stored row's span: the columns
    /// [<c>rowSpans[2k]</c>, <c>rowSpans[2k + 1]</c>) of row <c>stored.Y + k</c> run from its first to its last pixel whose
    /// bits are not zero in some plane (equal: the row is all zero bits), as the decoder finds them in the stored halves
    /// (a half of zero bits is a float of zero bits), so a reader need not search the rows again.
    /// </summary>
    public static RgbaImage DecodeRgba(byte[] data, out Box stored, out int[] rowSpans)
    {
        var (kind, w, h) = ReadHeader(data);
        stored = new Box(0, 0, w, h);
        if (kind == Kind.Rgb24)
        {
            rowSpans = new int[2 * h];
            for (int y = 0; y < h; y++) rowSpans[2 * y + 1] = w; // opaque: every pixel
            var (rgb, _, _) = DecodeRgb24(data);
            var img = new RgbaImage(w, h);
            for (int i = 0; i < w * h; i++)
            {
                img.R[i] = ColorMath.SrgbToLinear(rgb[i * 3] / 255f);
                img.G[i] = ColorMath.SrgbToLinear(rgb[i * 3 + 1] / 255f);
                img.B[i] = ColorMath.SrgbToLinear(rgb[i * 3 + 2] / 255f);
                img.A[i] = 1f;
            }
            return img;
        }
        if (kind != Kind.RgbaHalf) throw new InvalidDataException($"frame blob holds {kind}, not RGBA");
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("the Talos frame codec is little-endian");
        var (box, samples) = ReadHalfPlanes(data, w, h);
        stored = box;
        var spans = rowSpans = new int[2 * box.H];
        try
        {
            int n = box.Count;
            for (int y = 0; y < box.H; y++) spans[2 * y] = box.W; // (W, 0): none yet
            var halves = MemoryMarshal.Cast<ushort, Half>(samples.AsSpan(0, n * 4));
            var res = FramePool.Rent(w, h); // all zero bits, as a new image
            var planes = new[] { res.R, res.G, res.B, res.A };
            for (int p = 0; p < 4; p++)
                for (int y = 0; y < box.H; y++)
                {
                    // a half of zero bits is a float of zero bits, which the image holds already: only the row's span
                    // between its first and last non-zero half is converted (a layer's box is mostly transparent, a
                    // shadow's colour planes all zero)
                    var row = samples.AsSpan(p * n + y * box.W, box.W);
                    int first = row.IndexOfAnyExcept((ushort)0);
                    if (first < 0) continue;
                    int last = row.LastIndexOfAnyExcept((ushort)0);
                    TensorPrimitives.ConvertToSingle(halves.Slice(p * n + y * box.W + first, last - first + 1),
                        planes[p].AsSpan((box.Y + y) * w + box.X + first, last - first + 1));
                    (spans[2 * y], spans[2 * y + 1]) = (Math.Min(spans[2 * y], first), Math.Max(spans[2 * y + 1], last + 1));
                }
            for (int y = 0; y < box.H; y++)
                (spans[2 * y], spans[2 * y + 1]) = spans[2 * y + 1] == 0 ? (0, 0) : (box.X + spans[2 * y], box.X + spans[2 * y + 1]);
            return res;
        }
        finally { HalfScratch.Return(samples); }
    }

    public static GrayImage DecodeGray(byte[] data)
    {
        var (kind, w, h) = ReadHeader(data);
        if (kind != Kind.Gray8) throw new InvalidDataException($"frame blob holds {kind}, not gray");
        var img = new GrayImage(w, h);
        DecodeGray(data, img, default);
        return img;
    }

    /// <summary>
    /// <see cref="DecodeGray(byte[])"/> into a caller's image of the blob's size, which a consumer keeps and decodes into
    /// frame after frame (no fresh 4-byte-a-pixel plane, no page faults): the same values as a fresh decode, provided
    /// every pixel of <paramref name="into"/> outside <paramref name="written"/> is zero — <paramref name="written"/> is the
    /// box the previous decode into it returned (an empty box for a new image); only it is cleared. Returns the box this
    /// decode wrote (every pixel outside it is zero afterwards), for the next call.
    /// </summary>
    public static Box DecodeGray(byte[] data, GrayImage into, Box written)
    {
        ArgumentNullException.ThrowIfNull(into);
        var (kind, w, h) = ReadHeader(data);
        if (kind != Kind.Gray8) throw new InvalidDataException($"frame blob holds {kind}, not gray");
        if (into.Width != w || into.Height != h) throw new ArgumentException($"the image is {into.Width}x{into.Height}, the blob {w}x{h}", nameof(into));
        var (box, samples, pooled) = ReadGrayPlane(data, w, h);
        try
        {
            Clear(into.Data, w, written, box);
            for (int y = 0; y < box.H; y++)
                Coverage(samples.AsSpan(y * box.W, box.W), into.Data.AsSpan((box.Y + y) * w + box.X, box.W));
            return box;
        }
        finally { if (pooled) ByteScratch.Return(samples); }
    }

    /// <summary>Bytes → coverage: <c>b / 255f</c>, a vector at a time (the same IEEE division per lane, so the same bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Coverage(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int x = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var scale = Vector256.Create(255f);
            for (; x <= src.Length - Vector256<byte>.Count; x += Vector256<byte>.Count)
            {
                var (s0, s1) = Vector256.Widen(Vector256.Create(src[x..]));
                var (i0, i1) = Vector256.Widen(s0);
                var (i2, i3) = Vector256.Widen(s1);
                int n = Vector256<float>.Count;
                (Vector256.ConvertToSingle(i0.AsInt32()) / scale).CopyTo(dst[x..]);
                (Vector256.ConvertToSingle(i1.AsInt32()) / scale).CopyTo(dst[(x + n)..]);
                (Vector256.ConvertToSingle(i2.AsInt32()) / scale).CopyTo(dst[(x + 2 * n)..]);
                (Vector256.ConvertToSingle(i3.AsInt32()) / scale).CopyTo(dst[(x + 3 * n)..]);
            }
        }
        for (; x < src.Length; x++) dst[x] = src[x] / 255f;
    }

    /// <summary>Zeroes the samples of <paramref name="written"/> (rows <paramref name="stride"/> samples long) that
    /// <paramref name="next"/> will not overwrite.</summary>
    static void Clear<T>(Span<T> plane, int stride, Box written, Box next)
    {
        for (int y = written.Y; y < written.Y + written.H; y++)
        {
            var row = plane.Slice(y * stride + written.X, written.W);
            if (y < next.Y || y >= next.Y + next.H || next.W == 0) { row.Clear(); continue; }
            // the part of the row left and right of next's columns
            int l = Math.Clamp(next.X - written.X, 0, written.W), r = Math.Clamp(next.X + next.W - written.X, 0, written.W);
            row[..l].Clear();
            row[r..].Clear();
        }
    }

    /// <summary>Decodes an 8-bit sRGB frame (interleaved RGB24).</summary>
    public static (byte[] rgb, int width, int height) DecodeRgb24(byte[] data)
    {
        var (kind, w, h) = ReadHeader(data);
        if (kind != Kind.Rgb24) throw new InvalidDataException($"frame blob holds {kind}, not RGB24");
        if (BinaryPrimitives.ReadUInt32LittleEndian(data) == Magic && ReadBox(data, w, h) is { Count: > 0 } box)
            CheckDeclared(data, box, box.Count * 3); // a lying header: refused before a frame of its size is allocated
        var rgb = new byte[checked(w * h * 3)];
        DecodeRgb24(data, rgb, default);
        return (rgb, w, h);
    }

    /// <summary>
    /// <see cref="DecodeRgb24(byte[])"/> into a caller's buffer of the frame's <c>width · height · 3</c> bytes, which a
    /// consumer keeps and decodes into frame after frame (no fresh 2.7 MB array and its page faults per 720p frame; a frame
    /// stored whole is decompressed straight into it, without the copy): the same bytes as a fresh decode, provided every
    /// byte of <paramref name="into"/> outside <paramref name="written"/> is zero — <paramref name="written"/> is the box the
    /// previous decode into it returned (an empty box for a new buffer); only it is cleared. Returns the box this decode
    /// wrote (every byte outside it is zero afterwards), for the next call.
    /// </summary>
    public static Box DecodeRgb24(byte[] data, Span<byte> into, Box written)
    {
        var (kind, w, h) = ReadHeader(data);
        if (kind != Kind.Rgb24) throw new InvalidDataException($"frame blob holds {kind}, not RGB24");
        if (into.Length != w * h * 3) throw new ArgumentException($"the buffer has {into.Length} bytes, a {w}x{h} RGB24 frame {w * h * 3}", nameof(into));
        var whole = new Box(0, 0, w, h);
        if (BinaryPrimitives.ReadUInt32LittleEndian(data) == MagicTfr1) { UnpackTfr1(data, into); return whole; }
        var box = ReadBox(data, w, h);
        // in bytes: the pixel boxes times three across
        Clear(into, w * 3, new Box(written.X * 3, written.Y, written.W * 3, written.H), new Box(box.X * 3, box.Y, box.W * 3, box.H));
        if (box.W == w)
        {
            // whole rows: the payload is one run of the frame's bytes
            ReadPayload(data, box, into.Slice(box.Y * w * 3, box.Count * 3));
            return box;
        }
        var payload = ReadPayload(data, box, box.Count * 3);
        try
        {
            for (int y = 0; y < box.H; y++)
                payload.AsSpan(y * box.W * 3, box.W * 3).CopyTo(into.Slice(((box.Y + y) * w + box.X) * 3));
            return box;
        }
        finally { ByteScratch.Return(payload); }
    }

    // ---- TFR2 writing ----------------------------------------------------------------------------------------------

    static byte[] Pack(Kind kind, int w, int h, Box box, ReadOnlySpan<ushort> halves, int planes, int level)
    {
        int n = box.Count, bytes = planes * box.H + planes * n * 2;
        var payload = ByteScratch.Rent(Math.Max(1, bytes));
        try
        {
            for (int p = 0; p < planes; p++)
            {
                var data = payload.AsSpan(planes * box.H + p * 2 * n, 2 * n);
                Filter16(halves.Slice(p * n, n), box.W, box.H, payload.AsSpan(p * box.H, box.H), data[..n], data[n..]);
            }
            return Compress(kind, w, h, box, payload.AsSpan(0, bytes), level);
        }
        finally { ByteScratch.Return(payload); }
    }

    static byte[] Pack(Kind kind, int w, int h, Box box, ReadOnlySpan<byte> samples, int level)
    {
        int bytes = box.H + box.Count;
        var payload = ByteScratch.Rent(Math.Max(1, bytes));
        try
        {
            Filter8(samples, box.W, box.H, payload.AsSpan(0, box.H), payload.AsSpan(box.H, box.Count));
            return Compress(kind, w, h, box, payload.AsSpan(0, bytes), level);
        }
        finally { ByteScratch.Return(payload); }
    }

    /// <summary>The header, then (for a non-empty box) the payload as one zstd frame.</summary>
    static byte[] Compress(Kind kind, int w, int h, Box box, ReadOnlySpan<byte> payload, int level)
    {
        Span<byte> header = stackalloc byte[HeaderBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        header[4] = (byte)kind;
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], w);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], h);
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], box.X);
        BinaryPrimitives.WriteInt32LittleEndian(header[20..], box.Y);
        BinaryPrimitives.WriteInt32LittleEndian(header[24..], box.W);
        BinaryPrimitives.WriteInt32LittleEndian(header[28..], box.H);
        if (box.Count == 0) return header.ToArray();
        var output = ByteScratch.Rent(HeaderBytes + Compressor.GetCompressBound(payload.Length));
        try
        {
            header.CopyTo(output);
            var compressor = RentCompressor(level);
            int written;
            try { written = compressor.Wrap(payload, output.AsSpan(HeaderBytes)); }
            catch { compressor.Dispose(); throw; }
            ReturnCompressor(level, compressor);
            return output.AsSpan(0, HeaderBytes + written).ToArray();
        }
        finally { ByteScratch.Return(output); }
    }

    /// <summary>
    /// Filters a plane of 16-bit samples row by row: each row is predicted from the row above (zeros above the first)
    /// or from its left neighbour (zero before the first), whichever gives the smaller sum of zigzag-coded residuals;
    /// the row's choice goes to <paramref name="filters"/>, the residuals' low and high bytes to two planes.
    /// </summary>
    // vector loops: compiled optimised at once (tier-0 code runs Vector128 as calls, several times slower)
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Filter16(ReadOnlySpan<ushort> plane, int bw, int bh, Span<byte> filters, Span<byte> lo, Span<byte> hi)
    {
        var up = new ushort[bw];
        var left = new ushort[bw];
        var zeros = new ushort[bw];
        for (int y = 0; y < bh; y++)
        {
            var row = plane.Slice(y * bw, bw);
            var above = y > 0 ? plane.Slice((y - 1) * bw, bw) : zeros;
            if (row.SequenceEqual(above))
            {
                // the row repeats the one above (an empty row, a flat fill): its up residuals are all zero, which no
                // left residuals can beat (left wins only when strictly smaller), so it is written without computing either
                filters[y] = FilterUp;
                lo.Slice(y * bw, bw).Clear();
                hi.Slice(y * bw, bw).Clear();
                continue;
            }
            long costUp = Residuals(row, above, up);
            left[0] = Zigzag(row[0]);
            long costLeft = left[0] + Residuals(row[1..], row[..^1], left.AsSpan(1));
            bool useLeft = costLeft < costUp;
            filters[y] = useLeft ? FilterLeft : FilterUp;
            Split(useLeft ? left : up, lo.Slice(y * bw, bw), hi.Slice(y * bw, bw));
        }
    }

    /// <summary>The same row filter as <see cref="Filter16"/> over 8-bit samples.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Filter8(ReadOnlySpan<byte> plane, int bw, int bh, Span<byte> filters, Span<byte> residuals)
    {
        var up = new byte[bw];
        var zeros = new byte[bw];
        for (int y = 0; y < bh; y++)
        {
            var row = plane.Slice(y * bw, bw);
            var dst = residuals.Slice(y * bw, bw);
            var above = y > 0 ? plane.Slice((y - 1) * bw, bw) : zeros;
            if (row.SequenceEqual(above)) { filters[y] = FilterUp; dst.Clear(); continue; } // as in Filter16
            long costUp = Residuals(row, above, up);
            dst[0] = Zigzag(row[0]);
            long costLeft = dst[0] + Residuals(row[1..], row[..^1], dst[1..]);
            if (costLeft < costUp) filters[y] = FilterLeft;
            else { filters[y] = FilterUp; up.CopyTo(dst); }
        }
    }

    /// <summary>
    /// <c>zig[x] = zigzag(row[x] − pred[x])</c> in the samples' wrap-around arithmetic (8 or 16 bits: a small residual of
    /// either sign becomes a small number); returns the sum of <c>zig</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static long Residuals<T>(ReadOnlySpan<T> row, ReadOnlySpan<T> pred, Span<T> zig) where T : unmanaged, IBinaryInteger<T>, IUnsignedNumber<T>
    {
        long sum = 0;
        int x = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // twice the lanes of the loop below, the same operations per lane (integers: the same residuals and sum)
            var acc = Vector256<uint>.Zero; // a row of at most MaxWidth samples cannot overflow it
            for (; x <= row.Length - Vector256<T>.Count; x += Vector256<T>.Count)
            {
                var d = Vector256.Create(row[x..]) - Vector256.Create(pred[x..]);
                var z = (d << 1) ^ (Vector256<T>.Zero - (d >>> (Unsafe.SizeOf<T>() * 8 - 1)));
                z.CopyTo(zig[x..]);
                acc += WidenedSum(z);
            }
            sum = Vector256.Sum(acc);
        }
        if (Vector128.IsHardwareAccelerated)
        {
            var acc = Vector128<uint>.Zero; // a row of at most MaxWidth samples cannot overflow it
            for (; x <= row.Length - Vector128<T>.Count; x += Vector128<T>.Count)
            {
                var d = Vector128.Create(row[x..]) - Vector128.Create(pred[x..]);
                var z = (d << 1) ^ (Vector128<T>.Zero - (d >>> (Unsafe.SizeOf<T>() * 8 - 1)));
                z.CopyTo(zig[x..]);
                acc += WidenedSum(z);
            }
            sum += Vector128.Sum(acc);
        }
        for (; x < row.Length; x++) { zig[x] = Zigzag(row[x] - pred[x]); sum += long.CreateTruncating(zig[x]); }
        return sum;
    }

    /// <summary>The lanes of <paramref name="z"/> added pairwise into 32-bit lanes (8-bit lanes twice).</summary>
    static Vector256<uint> WidenedSum<T>(Vector256<T> z) where T : unmanaged
    {
        if (typeof(T) == typeof(byte))
        {
            var (a, b) = Vector256.Widen(z.AsByte());
            var (c, d) = Vector256.Widen(a + b);
            return c + d;
        }
        var (lo, hi) = Vector256.Widen(z.AsUInt16());
        return lo + hi;
    }

    /// <summary>The lanes of <paramref name="z"/> added pairwise into 32-bit lanes (8-bit lanes twice).</summary>
    static Vector128<uint> WidenedSum<T>(Vector128<T> z) where T : unmanaged
    {
        if (typeof(T) == typeof(byte))
        {
            var (a, b) = Vector128.Widen(z.AsByte());
            var (c, d) = Vector128.Widen(a + b);
            return c + d;
        }
        var (lo, hi) = Vector128.Widen(z.AsUInt16());
        return lo + hi;
    }

    /// <summary>Low bytes of the 16-bit values to one plane, high bytes to the other.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Split(ReadOnlySpan<ushort> zig, Span<byte> lo, Span<byte> hi)
    {
        int x = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; x <= zig.Length - 2 * Vector256<ushort>.Count; x += 2 * Vector256<ushort>.Count)
            {
                var a = Vector256.Create(zig[x..]);
                var b = Vector256.Create(zig[(x + Vector256<ushort>.Count)..]);
                Vector256.Narrow(a & Vector256.Create((ushort)0xFF), b & Vector256.Create((ushort)0xFF)).CopyTo(lo[x..]);
                Vector256.Narrow(a >>> 8, b >>> 8).CopyTo(hi[x..]);
            }
        if (Vector128.IsHardwareAccelerated)
            for (; x <= zig.Length - 2 * Vector128<ushort>.Count; x += 2 * Vector128<ushort>.Count)
            {
                var a = Vector128.Create(zig[x..]);
                var b = Vector128.Create(zig[(x + Vector128<ushort>.Count)..]);
                Vector128.Narrow(a & Vector128.Create((ushort)0xFF), b & Vector128.Create((ushort)0xFF)).CopyTo(lo[x..]);
                Vector128.Narrow(a >>> 8, b >>> 8).CopyTo(hi[x..]);
            }
        for (; x < zig.Length; x++) { lo[x] = (byte)zig[x]; hi[x] = (byte)(zig[x] >> 8); }
    }

    static T Zigzag<T>(T d) where T : unmanaged, IBinaryInteger<T>, IUnsignedNumber<T> =>
        (d << 1) ^ (T.Zero - (d >>> (Unsafe.SizeOf<T>() * 8 - 1)));
    static int Unzigzag(int z) => (z >> 1) ^ -(z & 1);

    // ---- reading -----------------------------------------------------------------------------------------------------

    /// <summary>The stored box and its four half planes (R, G, B, A), in a pooled array the caller returns.</summary>
    static (Box box, ushort[] samples) ReadHalfPlanes(byte[] data, int w, int h)
    {
        if (BinaryPrimitives.ReadUInt32LittleEndian(data) == MagicTfr1)
        {
            var box1 = ReadBoxTfr1(data, w, h);
            var raw = HalfScratch.Rent(Math.Max(1, box1.Count * 4));
            UnpackTfr1(data, MemoryMarshal.AsBytes(raw.AsSpan(0, box1.Count * 4)));
            return (box1, raw);
        }
        var box = ReadBox(data, w, h);
        int n = box.Count;
        var payload = ReadPayload(data, box, 4 * box.H + 4 * n * 2);
        try
        {
            var samples = HalfScratch.Rent(Math.Max(1, n * 4));
            for (int p = 0; p < 4; p++)
            {
                var planeBytes = payload.AsSpan(4 * box.H + p * 2 * n, 2 * n);
                Unfilter16(payload.AsSpan(p * box.H, box.H), planeBytes[..n], planeBytes[n..], box.W, samples.AsSpan(p * n, n));
            }
            return (box, samples);
        }
        finally { ByteScratch.Return(payload); }
    }

    /// <summary>The stored box and its 8-bit coverage (<paramref name="pooled"/>: from <see cref="ByteScratch"/>, for the caller to return).</summary>
    static (Box box, byte[] samples, bool pooled) ReadGrayPlane(byte[] data, int w, int h)
    {
        if (BinaryPrimitives.ReadUInt32LittleEndian(data) == MagicTfr1)
            return (new Box(0, 0, w, h), UnpackTfr1(data, checked(w * h)), false); // TFR1 gray: the whole frame
        var box = ReadBox(data, w, h);
        var payload = ReadPayload(data, box, box.H + box.Count);
        try
        {
            var samples = ByteScratch.Rent(Math.Max(1, box.Count));
            Unfilter8(payload.AsSpan(0, box.H), payload.AsSpan(box.H, box.Count), box.W, samples.AsSpan(0, box.Count));
            return (box, samples, true);
        }
        finally { ByteScratch.Return(payload); }
    }

    static Box ReadBox(byte[] data, int w, int h)
    {
        if (data.Length < HeaderBytes) throw new InvalidDataException("truncated Talos frame blob (header)");
        int x = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(16)), y = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(20));
        int bw = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(24)), bh = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(28));
        if (x < 0 || y < 0 || bw < 0 || bh < 0 || x > w - bw || y > h - bh)
            throw new InvalidDataException($"corrupt Talos frame blob: box {x},{y} {bw}x{bh} outside {w}x{h}");
        return new Box(x, y, bw, bh);
    }

    /// <summary>
    /// Decompresses the payload after the header into a pooled array the caller returns. The zstd frame must declare
    /// exactly <paramref name="expected"/> bytes (what the box needs) before anything of that size is allocated.
    /// </summary>
    static byte[] ReadPayload(byte[] data, Box box, int expected)
    {
        if (box.Count == 0)
        {
            ReadPayload(data, box, Span<byte>.Empty);
            return ByteScratch.Rent(1);
        }
        CheckDeclared(data, box, expected); // before anything of that size is allocated
        var payload = ByteScratch.Rent(expected);
        try
        {
            ReadPayload(data, box, payload.AsSpan(0, expected));
            return payload;
        }
        catch
        {
            ByteScratch.Return(payload);
            throw;
        }
    }

    /// <summary>
    /// Decompresses the payload after the header into <paramref name="into"/>, whose length is what the box needs: the
    /// zstd frame must declare exactly that many bytes (an empty box: no payload at all).
    /// </summary>
    static void ReadPayload(byte[] data, Box box, Span<byte> into)
    {
        var compressed = data.AsSpan(HeaderBytes);
        int expected = into.Length;
        if (box.Count == 0)
        {
            if (compressed.Length != 0) throw new InvalidDataException($"corrupt Talos frame blob: {compressed.Length} bytes after the header of an empty box");
            return;
        }
        CheckDeclared(data, box, expected);
        try
        {
            var decompressor = RentDecompressor();
            int got;
            try { got = decompressor.Unwrap(compressed, into); }
            catch { decompressor.Dispose(); throw; }
            ReturnDecompressor(decompressor);
            if (got != expected) throw new InvalidDataException($"truncated Talos frame blob ({got} of {expected} bytes)");
        }
        catch (ZstdException e) { throw new InvalidDataException("corrupt or truncated Talos frame blob: " + e.Message, e); }
    }

    /// <summary>The zstd frame after the header must declare exactly <paramref name="expected"/> bytes.</summary>
    static void CheckDeclared(byte[] data, Box box, int expected)
    {
        ulong declared;
        try { declared = Decompressor.GetDecompressedSize(data.AsSpan(HeaderBytes)); }
        catch (ZstdException e) { throw new InvalidDataException("corrupt Talos frame blob: " + e.Message, e); }
        if (declared != (ulong)expected)
            throw new InvalidDataException($"corrupt Talos frame blob: the payload declares {declared} bytes, the {box.W}x{box.H} box needs {expected}");
    }

    static byte CheckFilter(byte filter) =>
        filter is FilterUp or FilterLeft ? filter : throw new InvalidDataException($"corrupt Talos frame blob: unknown row filter {filter}");

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Unfilter16(ReadOnlySpan<byte> filters, ReadOnlySpan<byte> lo, ReadOnlySpan<byte> hi, int bw, Span<ushort> plane)
    {
        var zeros = new ushort[bw];
        for (int y = 0; y < filters.Length; y++)
        {
            var row = plane.Slice(y * bw, bw);
            var l = lo.Slice(y * bw, bw);
            var h = hi.Slice(y * bw, bw);
            if (CheckFilter(filters[y]) == FilterLeft)
            {
                int left = 0;
                for (int x = 0; x < bw; x++) row[x] = (ushort)(left += Unzigzag(l[x] | h[x] << 8));
                continue;
            }
            ReadOnlySpan<ushort> above = y > 0 ? plane.Slice((y - 1) * bw, bw) : zeros;
            // no residual: the row above again (most rows of a shadow's colour planes, a layer's empty rows)
            if (l.IndexOfAnyExcept((byte)0) < 0 && h.IndexOfAnyExcept((byte)0) < 0) { above.CopyTo(row); continue; }
            int i = 0;
            if (Vector256.IsHardwareAccelerated)
                for (; i <= bw - Vector256<byte>.Count; i += Vector256<byte>.Count)
                {
                    // the loop below a vector of twice the lanes at a time (integers: the same samples)
                    var (l0, l1) = Vector256.Widen(Vector256.Create(l[i..]));
                    var (h0, h1) = Vector256.Widen(Vector256.Create(h[i..]));
                    (Vector256.Create(above[i..]) + Unzigzag(l0 | h0 << 8)).CopyTo(row[i..]);
                    (Vector256.Create(above[(i + Vector256<ushort>.Count)..]) + Unzigzag(l1 | h1 << 8)).CopyTo(row[(i + Vector256<ushort>.Count)..]);
                }
            if (Vector128.IsHardwareAccelerated)
                for (; i <= bw - Vector128<byte>.Count; i += Vector128<byte>.Count)
                {
                    var (l0, l1) = Vector128.Widen(Vector128.Create(l[i..]));
                    var (h0, h1) = Vector128.Widen(Vector128.Create(h[i..]));
                    (Vector128.Create(above[i..]) + Unzigzag(l0 | h0 << 8)).CopyTo(row[i..]);
                    (Vector128.Create(above[(i + Vector128<ushort>.Count)..]) + Unzigzag(l1 | h1 << 8)).CopyTo(row[(i + Vector128<ushort>.Count)..]);
                }
            for (; i < bw; i++) row[i] = (ushort)(above[i] + Unzigzag(l[i] | h[i] << 8));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Unfilter8(ReadOnlySpan<byte> filters, ReadOnlySpan<byte> residuals, int bw, Span<byte> plane)
    {
        var zeros = new byte[bw];
        for (int y = 0; y < filters.Length; y++)
        {
            var row = plane.Slice(y * bw, bw);
            var res = residuals.Slice(y * bw, bw);
            if (CheckFilter(filters[y]) == FilterLeft)
            {
                int left = 0;
                for (int x = 0; x < bw; x++) row[x] = (byte)(left += Unzigzag(res[x]));
                continue;
            }
            ReadOnlySpan<byte> above = y > 0 ? plane.Slice((y - 1) * bw, bw) : zeros;
            int i = 0;
            if (Vector128.IsHardwareAccelerated)
                for (; i <= bw - Vector128<byte>.Count; i += Vector128<byte>.Count)
                    (Vector128.Create(above[i..]) + Unzigzag(Vector128.Create(res[i..]))).CopyTo(row[i..]);
            for (; i < bw; i++) row[i] = (byte)(above[i] + Unzigzag(res[i]));
        }
    }

    static Vector128<T> Unzigzag<T>(Vector128<T> z) where T : unmanaged, IBinaryInteger<T> =>
        (z >>> 1) ^ (Vector128<T>.Zero - (z & Vector128<T>.One));

    static Vector256<T> Unzigzag<T>(Vector256<T> z) where T : unmanaged, IBinaryInteger<T> =>
        (z >>> 1) ^ (Vector256<T>.Zero - (z & Vector256<T>.One));

    // ---- TFR1 (read only): a 16-byte header, a crop box after it when byte 5 is 1 (RGBA only), a zlib stream of
    // planar little-endian halfs (RGBA), 8-bit coverage (gray) or interleaved RGB24 -----------------------------------

    static Box ReadBoxTfr1(byte[] data, int w, int h)
    {
        if (data[5] == 0) return new Box(0, 0, w, h);
        return ReadBox(data, w, h);
    }

    static byte[] UnpackTfr1(byte[] data, int expected)
    {
        var raw = new byte[expected];
        UnpackTfr1(data, raw);
        return raw;
    }

    static void UnpackTfr1(byte[] data, Span<byte> raw)
    {
        int expected = raw.Length;
        int offset = data[5] == 0 ? 16 : 32;
        if (data.Length < offset) throw new InvalidDataException("truncated Talos frame blob (header)");
        using var z = new ZLibStream(new MemoryStream(data, offset, data.Length - offset), CompressionMode.Decompress);
        int read = 0;
        try
        {
            while (read < expected)
            {
                int r = z.Read(raw[read..]);
                if (r == 0) break;
                read += r;
            }
        }
        catch (InvalidDataException e) { throw new InvalidDataException("corrupt Talos frame blob: " + e.Message, e); }
        if (read != expected) throw new InvalidDataException($"truncated Talos frame blob ({read} of {expected} bytes)");
    }
}
