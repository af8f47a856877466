// Transitions: linear-light cross-dissolve and dip-to-black with smoothstep easing (cf. Poynton, "Digital Video and HD", ch. on
// gamma: mix light, not code values); sRGB transfer per IEC 61966-2-1, done in 24-bit fixed point for bit-exact results.
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Cuttura;

/// <summary>One shot on the timeline: its frames (vault hashes of RGB24 frame blobs) in order and how it is entered.</summary>
/// <param name="Transition">How this clip is entered from the previous one: "cut", "dissolve" or "fade" (dip through black).
/// The first clip's transition is ignored.</param>
public sealed record ShotClip(string ShotId, IReadOnlyList<string> FrameHashes, string Transition /* cut|dissolve|fade */, int Fps);

/// <summary>
/// Edits shots into a film: yields its frames in cut order as RGB24 (8-bit sRGB, interleaved).
/// Transitions never change the length: the film has exactly the sum of the clips' frames.
/// Around a dissolve/fade boundary, h = min(transitionFrames/2, len(A)/2, len(B)/2) frames on each side are mixed:
/// dissolve blends A (held on its last frame past its end) with B (held on its first frame before its start), weight of
/// B easing 0→1 across the 2h frames; fade scales A down over its last h frames to black on its last frame, and B up
/// from black on its first frame over its first h (so the dip is symmetric about the cut, with one black frame each
/// side). Frames outside transitions are the loaded arrays themselves (not copied).
/// </summary>
public static class FilmEditor
{
    public static readonly IReadOnlyList<string> Transitions = ["cut", "dissolve", "fade"];

    public static IEnumerable<byte[]> Edit(IReadOnlyList<ShotClip> clips, Func<string, byte[]> loadRgb24Frame, int transitionFrames)
    {
        ArgumentNullException.ThrowIfNull(clips);
        ArgumentNullException.ThrowIfNull(loadRgb24Frame);
        if (transitionFrames < 0 || transitionFrames > 10_000)
            throw new ArgumentOutOfRangeException(nameof(transitionFrames), transitionFrames, "transition length must be 0..10000 frames");
        if (clips.Count == 0) throw new CutturaException("the film has no shots to edit");
        if (clips is ClipStream) throw new ArgumentException("a clip stream is edited by EditInto", nameof(clips));
        for (int i = 0; i < clips.Count; i++) Check(clips[i], i, clips[0]?.Fps ?? 0);
        return EditIterator(clips, loadRgb24Frame, transitionFrames);
    }

    /// <summary>The timeline's checks of clip <paramref name="i"/> in a film of <paramref name="fps"/> (the first clip's).</summary>
    static void Check(ShotClip? c, int i, int fps)
    {
        if (c is null) throw new CutturaException($"shot #{i} on the timeline is null");
        if (c.FrameHashes is null || c.FrameHashes.Count == 0) throw new CutturaException($"shot '{c.ShotId}' has no frames");
        if (c.Fps <= 0 || c.Fps > 1000) throw new CutturaException($"shot '{c.ShotId}' has an invalid frame rate {c.Fps}");
        if (i > 0 && c.Fps != fps) throw new CutturaException($"shot '{c.ShotId}' runs at {c.Fps} fps but the film runs at {fps} fps");
        if (!Transitions.Contains(c.Transition))
            throw new CutturaException($"shot '{c.ShotId}' has unknown transition '{c.Transition}' (expected cut, dissolve or fade)");
        for (int f = 0; f < c.FrameHashes.Count; f++)
            if (string.IsNullOrEmpty(c.FrameHashes[f])) throw new CutturaException($"shot '{c.ShotId}' frame {f} has no hash");
    }

    /// <summary>
    /// A timeline whose clips arrive one after another (a production's shots, each as it is final), for
    /// <see cref="EditInto"/> to start editing before the last one is known. How many clips there are and how each is
    /// entered (<paramref name="transitions"/>) are known up front; <paramref name="clipAt"/>(i) gives clip i, waiting for
    /// it as long as it must (it is asked for each clip once, in order, and not before the edit needs it: clip i+1 only
    /// when clip i has reached the last frames a transition into i+1 could mix). Each clip is checked as it arrives, as
    /// <see cref="Edit"/> checks a whole timeline, and must be entered as planned.
    /// </summary>
    public sealed class ClipStream(IReadOnlyList<string> transitions, Func<int, ShotClip> clipAt) : IReadOnlyList<ShotClip>
    {
        readonly ShotClip?[] _clips = new ShotClip?[transitions.Count];
        int _known;

        public int Count => transitions.Count;
        /// <summary>How clip <paramref name="i"/> is entered, without waiting for it.</summary>
        public string TransitionAt(int i) => transitions[i];

        public ShotClip this[int i]
        {
            get
            {
                ArgumentOutOfRangeException.ThrowIfNegative(i);
                ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(i, Count);
                while (_known <= i)
                {
                    var c = clipAt(_known);
                    Check(c, _known, _known == 0 ? 0 : _clips[0]!.Fps);
                    if (c.Transition != transitions[_known])
                        throw new CutturaException($"shot '{c.ShotId}' is entered by '{c.Transition}', not the '{transitions[_known]}' the film was planned with");
                    _clips[_known++] = c;
                }
                return _clips[i]!;
            }
        }

        public IEnumerator<ShotClip> GetEnumerator()
        {
            for (int i = 0; i < Count; i++) yield return this[i];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    static string TransitionAt(IReadOnlyList<ShotClip> clips, int i) => clips is ClipStream s ? s.TransitionAt(i) : clips[i].Transition;

    /// <summary>Total frames of the edited film (equal to the sum of the clips).</summary>
    public static int FrameCount(IReadOnlyList<ShotClip> clips) => clips.Sum(c => c.FrameHashes.Count);

    /// <summary>Half-length of the transition into clip <paramref name="i"/> (0 for a cut or the first clip).</summary>
    static int HalfWindow(IReadOnlyList<ShotClip> clips, int i, int transitionFrames) =>
        i <= 0 || i >= clips.Count ? 0 : TransitionHalf(clips[i].Transition, clips[i - 1].FrameHashes.Count, clips[i].FrameHashes.Count, transitionFrames);

    /// <summary>Frames mixed on each side of the cut into a clip of <paramref name="after"/> frames entered by
    /// <paramref name="transition"/> from one of <paramref name="before"/> frames: h = min(transitionFrames/2, before/2, after/2), 0 for a cut.</summary>
    public static int TransitionHalf(string transition, int before, int after, int transitionFrames) =>
        transition == "cut" ? 0 : Math.Min(transitionFrames / 2, Math.Min(before / 2, after / 2));

    static IEnumerable<byte[]> EditIterator(IReadOnlyList<ShotClip> clips, Func<string, byte[]> load, int transitionFrames)
    {
        int frameBytes = -1;
        byte[] Load(ShotClip clip, int index)
        {
            var hash = clip.FrameHashes[index];
            byte[] data;
            try { data = load(hash); }
            catch (Exception e) when (e is not (CutturaException or OperationCanceledException))
            {
                throw new CutturaException($"frame {index} ({hash}) of shot '{clip.ShotId}' cannot be loaded: {e.Message}", e);
            }
            if (data is null || data.Length == 0 || data.Length % 3 != 0)
                throw new CutturaException($"frame {index} ({hash}) of shot '{clip.ShotId}' is not an RGB24 frame ({data?.Length ?? 0} bytes)");
            if (frameBytes < 0) frameBytes = data.Length;
            else if (data.Length != frameBytes)
                throw new CutturaException($"frame {index} ({hash}) of shot '{clip.ShotId}' has {data.Length / 3} pixels but the film's frames have {frameBytes / 3}");
            return data;
        }
        return Cut(clips, (clip, index, _) => Load(clip, index), Blend, Scale, transitionFrames);
    }

    /// <summary>
    /// The same edit as <see cref="Edit"/>, the same bytes, without a fresh frame per film frame: each frame is decoded by
    /// <paramref name="decodeInto"/> into one of two buffers of <paramref name="frameBytes"/> the editor keeps (the
    /// frame, and the held last or first frame of a dissolve's other shot), and a transition's mix is written into a third.
    /// <paramref name="decodeInto"/>(hash, buffer, written) must leave the buffer holding exactly the frame, given that every
    /// byte outside <c>written</c> is zero (the box its previous call on that buffer returned; empty for a new buffer), and
    /// return the box it wrote (every byte outside it zero): <see cref="FrameCodec.DecodeRgb24(byte[], Span{byte}, FrameCodec.Box)"/>.
    /// A yielded array is the editor's and holds its frame only until the next one is asked for: the consumer (an encoder
    /// that writes each frame before taking the next) must not keep it. <paramref name="clips"/> may be a
    /// <see cref="ClipStream"/>: the frames are the same, each clip asked for only when the edit reaches it.
    /// </summary>
    public static IEnumerable<byte[]> EditInto(IReadOnlyList<ShotClip> clips, int frameBytes, Func<string, byte[], FrameCodec.Box, FrameCodec.Box> decodeInto,
        int transitionFrames)
    {
        ArgumentNullException.ThrowIfNull(decodeInto);
        if (frameBytes <= 0 || frameBytes % 3 != 0)
            throw new ArgumentOutOfRangeException(nameof(frameBytes), frameBytes, "an RGB24 frame is a positive multiple of 3 bytes");
        if (clips is ClipStream stream)
        {
            // each clip is checked as it arrives
            if (transitionFrames < 0 || transitionFrames > 10_000)
                throw new ArgumentOutOfRangeException(nameof(transitionFrames), transitionFrames, "transition length must be 0..10000 frames");
            if (stream.Count == 0) throw new CutturaException("the film has no shots to edit");
            for (int i = 0; i < stream.Count; i++)
                if (!Transitions.Contains(stream.TransitionAt(i)))
                    throw new CutturaException($"shot #{i} has unknown transition '{stream.TransitionAt(i)}' (expected cut, dissolve or fade)");
        }
        else Edit(clips, _ => [], transitionFrames); // the same checks of the timeline (lazy: loads nothing)
        return EditIntoIterator(clips, frameBytes, decodeInto, transitionFrames);
    }

    static IEnumerable<byte[]> EditIntoIterator(IReadOnlyList<ShotClip> clips, int frameBytes, Func<string, byte[], FrameCodec.Box, FrameCodec.Box> decodeInto,
        int transitionFrames)
    {
        // slot 0: the frame; slot 1: the held frame of a dissolve (the previous shot's last or the next shot's first: a
        // clip's entering and leaving windows never overlap, h ≤ n/2 each side); the mix: the third
        var buffers = new[] { new byte[frameBytes], new byte[frameBytes] };
        var written = new FrameCodec.Box[2];
        var mix = new byte[frameBytes];
        byte[] Load(ShotClip clip, int index, bool held)
        {
            int slot = held ? 1 : 0;
            var hash = clip.FrameHashes[index];
            try { written[slot] = decodeInto(hash, buffers[slot], written[slot]); }
            catch (Exception e) when (e is not (CutturaException or OperationCanceledException))
            {
                // what the buffer holds now is unknown: cleared, as a new one
                Array.Clear(buffers[slot]);
                written[slot] = default;
                throw new CutturaException($"frame {index} ({hash}) of shot '{clip.ShotId}' cannot be loaded: {e.Message}", e);
            }
            return buffers[slot];
        }
        return Cut(clips, Load, (a, b, w) => BlendInto(a, b, w, mix), (a, s) => ScaleInto(a, s, mix), transitionFrames);
    }

    /// <summary>
    /// The same edit as <see cref="Edit"/> on linear-light frames (premultiplied float RGBA, for the HDR, ProRes and PNG
    /// deliveries): the same windows and easing weights, mixing in float. With <paramref name="release"/>, every image
    /// the editor loaded (each load must give a new image) or mixed is handed to it once nothing reads it any more —
    /// after the consumer has asked for the next frame, a dissolve's held frame when its window ends — so the images can
    /// go back to <see cref="FramePool"/> (a mix is rented from it then): the consumer must be done with a frame when it
    /// asks for the next one.
    /// </summary>
    public static IEnumerable<RgbaImage> EditLinear(IReadOnlyList<ShotClip> clips, Func<string, RgbaImage> loadFrame, int transitionFrames,
        Action<RgbaImage>? release = null)
    {
        ArgumentNullException.ThrowIfNull(loadFrame);
        Edit(clips, _ => [], transitionFrames); // the same checks of the timeline (lazy: loads nothing)
        int w = -1, h = -1;
        RgbaImage Load(ShotClip clip, int index)
        {
            var hash = clip.FrameHashes[index];
            RgbaImage img;
            try { img = loadFrame(hash); }
            catch (Exception e) when (e is not (CutturaException or OperationCanceledException))
            {
                throw new CutturaException($"frame {index} ({hash}) of shot '{clip.ShotId}' cannot be loaded: {e.Message}", e);
            }
            if (w < 0) (w, h) = (img.Width, img.Height);
            else if (img.Width != w || img.Height != h)
                throw new CutturaException($"frame {index} ({hash}) of shot '{clip.ShotId}' is {img.Width}x{img.Height} but the film's frames are {w}x{h}");
            return img;
        }
        bool pooled = release is not null;
        return Cut(clips, (clip, index, _) => Load(clip, index), (a, b, wt) => BlendLinear(a, b, wt, pooled), (a, s) => ScaleLinear(a, s, pooled),
            transitionFrames, release);
    }

    static RgbaImage BlendLinear(RgbaImage a, RgbaImage b, int w, bool pooled)
    {
        float wb = w / (float)One, wa = 1f - wb;
        var o = pooled ? FramePool.Rent(a.Width, a.Height) : new RgbaImage(a.Width, a.Height); // every value written below
        var (sa, sb, so) = (new[] { a.R, a.G, a.B, a.A }, new[] { b.R, b.G, b.B, b.A }, new[] { o.R, o.G, o.B, o.A });
        for (int p = 0; p < 4; p++)
            for (int i = 0; i < so[p].Length; i++) so[p][i] = sa[p][i] * wa + sb[p][i] * wb;
        return o;
    }

    static RgbaImage ScaleLinear(RgbaImage a, int s, bool pooled)
    {
        float k = s / (float)One;
        var o = pooled ? FramePool.Rent(a.Width, a.Height) : new RgbaImage(a.Width, a.Height);
        for (int i = 0; i < o.R.Length; i++) { o.R[i] = a.R[i] * k; o.G[i] = a.G[i] * k; o.B[i] = a.B[i] * k; o.A[i] = a.A[i]; }
        return o;
    }

    /// <summary>The edit's frames in order; <c>Load(clip, index, held)</c> loads a frame, <c>held</c> for the frame a dissolve
    /// holds across its window (the previous shot's last, the next shot's first) while the others are loaded.
    /// <paramref name="done"/> (null: none) gets each frame loaded or mixed here once, when nothing here reads it any more and
    /// the consumer has asked for the frame after it.</summary>
    static IEnumerable<T> Cut<T>(IReadOnlyList<ShotClip> clips, Func<ShotClip, int, bool, T> Load, Func<T, T, int, T> Blend, Func<T, int, T> Scale,
        int transitionFrames, Action<T>? done = null) where T : class
    {
        for (int ci = 0; ci < clips.Count; ci++)
        {
            var clip = clips[ci];
            int n = clip.FrameHashes.Count;
            int hIn = HalfWindow(clips, ci, transitionFrames);
            // The window out of this clip depends on the next clip's length: that clip is asked for only when this one
            // reaches the longest window it could have (a clip stream's next shot may not be final yet), -1 until then.
            bool mixesOut = ci + 1 < clips.Count && TransitionAt(clips, ci + 1) != "cut";
            int hOutMost = mixesOut ? Math.Min(transitionFrames / 2, n / 2) : 0, hOut = -1;
            T? heldPrevLast = null, heldNextFirst = null;
            for (int j = 0; j < n; j++)
            {
                if (hOut < 0 && j >= n - hOutMost && j >= hIn) hOut = HalfWindow(clips, ci + 1, transitionFrames);
                if (j < hIn)
                {
                    var cur = Load(clip, j, false);
                    T mixed;
                    if (clip.Transition == "dissolve")
                    {
                        var prev = clips[ci - 1];
                        heldPrevLast ??= Load(prev, prev.FrameHashes.Count - 1, true);
                        mixed = Blend(heldPrevLast, cur, Ease(hIn + j, 2 * hIn));
                    }
                    else mixed = Scale(cur, Smooth(j, hIn));
                    yield return mixed;
                    Done(cur, mixed);
                }
                else if (hOut > 0 && j >= n - hOut)
                {
                    int m = j - (n - hOut);
                    var cur = Load(clip, j, false);
                    var next = clips[ci + 1];
                    T mixed;
                    if (next.Transition == "dissolve")
                    {
                        heldNextFirst ??= Load(next, 0, true);
                        mixed = Blend(cur, heldNextFirst, Ease(m, 2 * hOut));
                    }
                    else mixed = Scale(cur, One - Smooth(m + 1, hOut));
                    yield return mixed;
                    Done(cur, mixed);
                }
                else
                {
                    var frame = Load(clip, j, false);
                    yield return frame;
                    Done(frame, null);
                }
            }
            // the held frames' windows end within the clip (h ≤ n/2 on each side)
            if (heldPrevLast is not null) Done(heldPrevLast, null);
            if (heldNextFirst is not null) Done(heldNextFirst, null);
        }

        void Done(T frame, T? mixed)
        {
            if (done is null) return;
            done(frame);
            if (mixed is not null && !ReferenceEquals(mixed, frame)) done(mixed);
        }
    }

    // ---------------------------------------------------------------- linear-light pixel maths (fixed point)

    const int One = 1 << 16;            // weights: 16-bit fixed point
    const int LinearScale = 1 << 24;    // linear light: 24-bit fixed point
    const int ChunkBytes = 1 << 16;     // parallel chunks of independent bytes: the result does not depend on scheduling

    /// <summary>Smoothstep weight of frame k (0-based) of an n-frame window, sampled at frame centres, in 1/65536 units.</summary>
    internal static int Ease(int k, int n) => SmoothFixed((k + 0.5) / n);

    /// <summary>Smoothstep of k/n in 1/65536 units (0 at k = 0, 1 at k = n).</summary>
    internal static int Smooth(int k, int n) => SmoothFixed((double)k / n);

    static int SmoothFixed(double t)
    {
        double s = t * t * (3 - 2 * t); // only + − × ÷: identical on every IEEE machine
        return (int)Math.Round(s * One, MidpointRounding.AwayFromZero);
    }

    /// <summary>sRGB code → linear light (24-bit fixed point).</summary>
    internal static readonly int[] ToLinear = BuildToLinear();
    /// <summary>Linear value at the midpoint between sRGB codes k and k+1 (k = 0..254): the rounding thresholds of the encoder.</summary>
    internal static readonly int[] Thresholds = BuildThresholds();
    /// <summary>Coarse encoder start: sRGB code of linear value (i &lt;&lt; 8), refined by at most a few threshold steps.</summary>
    static readonly byte[] EncodeStart = BuildEncodeStart();

    internal static double SrgbToLinearExact(double c) => c <= 0.04045 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);

    static int[] BuildToLinear()
    {
        var t = new int[256];
        for (int i = 0; i < 256; i++) t[i] = (int)Math.Round(SrgbToLinearExact(i / 255.0) * (LinearScale - 1), MidpointRounding.AwayFromZero);
        return t;
    }

    static int[] BuildThresholds()
    {
        var t = new int[255];
        for (int k = 0; k < 255; k++) t[k] = (int)Math.Round(SrgbToLinearExact((k + 0.5) / 255.0) * (LinearScale - 1), MidpointRounding.AwayFromZero);
        return t;
    }

    static byte[] BuildEncodeStart()
    {
        var table = new byte[LinearScale >> 8];
        int code = 0;
        for (int i = 0; i < table.Length; i++)
        {
            int v = i << 8;
            while (code < 255 && v >= Thresholds[code]) code++;
            table[i] = (byte)code;
        }
        return table;
    }

    /// <summary>Linear light (24-bit fixed point, clamped) → nearest sRGB code.</summary>
    internal static byte Encode(int v)
    {
        if (v <= 0) return 0;
        if (v >= LinearScale - 1) return 255;
        int code = EncodeStart[v >> 8];
        while (code < 255 && v >= Thresholds[code]) code++;
        return (byte)code;
    }

    /// <summary>(1−w)·a + w·b in linear light, w in 1/65536. One 256×256 table per frame (the blend depends only on the two
    /// code values), then a lookup per byte.</summary>
    internal static byte[] Blend(byte[] a, byte[] b, int w) => BlendInto(a, b, w, new byte[a.Length]);

    /// <summary><see cref="Blend"/> written into <paramref name="dst"/> (of a's length), which is returned.</summary>
    internal static byte[] BlendInto(byte[] a, byte[] b, int w, byte[] dst)
    {
        var lut = new byte[256 * 256];
        long wa = One - w, wb = w;
        for (int x = 0; x < 256; x++)
        {
            long la = ToLinear[x] * wa;
            for (int y = 0; y < 256; y++) lut[(x << 8) | y] = Encode((int)((la + ToLinear[y] * wb + (One >> 1)) >> 16));
        }
        int chunks = (a.Length + ChunkBytes - 1) / ChunkBytes;
        Parallel.For(0, chunks, ch =>
        {
            int start = ch * ChunkBytes, end = Math.Min(a.Length, start + ChunkBytes);
            for (int i = start; i < end; i++) dst[i] = lut[(a[i] << 8) | b[i]];
        });
        return dst;
    }

    /// <summary>s·a in linear light, s in 1/65536 (dip to black).</summary>
    internal static byte[] Scale(byte[] a, int s) => ScaleInto(a, s, new byte[a.Length]);

    /// <summary><see cref="Scale"/> written into <paramref name="dst"/> (of a's length), which is returned.</summary>
    internal static byte[] ScaleInto(byte[] a, int s, byte[] dst)
    {
        var lut = new byte[256];
        for (int x = 0; x < 256; x++) lut[x] = Encode((int)(((long)ToLinear[x] * s + (One >> 1)) >> 16));
        for (int i = 0; i < a.Length; i++) dst[i] = lut[a[i]];
        return dst;
    }
}
