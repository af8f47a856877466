using Talos.Gpu.Imaging;

namespace Talos.Gpu.Raygen;

/// <summary>
/// A shot's painted background, kept between its frames: the background depends only on what it is (a preset's name or
/// a plate), the light rig, the camera, the frame size and the ground line, so under a still camera every frame of the
/// shot paints the same pixels and it is painted once. A moving camera changes the key every frame and each frame is
/// painted afresh: the layers move by their own parallax (<see cref="SceneFrame.Scale"/>), so a reprojected plate
/// would not be exact. The last few backgrounds (one per shot a node renders side by side) are kept; callers that
/// change the pixels (cast shadows darkening it in place) ask for a copy, the others share the kept image read-only. A
/// caller that wants only the frame codec's bytes (<see cref="Encoded"/>: RAYGEN without depth of field, every frame the
/// same blob) gets them without the pixels being kept: the entry then holds its bytes and depth, not its float planes.
/// </summary>
public static class BackgroundCache
{
    /// <summary>What a background's pixels depend on. <paramref name="What"/>: the preset's name, or what names a plate's content.</summary>
    public readonly record struct Key(string What, string Lighting, CameraState Camera, int Width, int Height, float GroundY, bool Depth);

    static int _kept = 4;

    /// <summary>
    /// The most backgrounds kept (4 unless a host sets it): a render sets one per chunk slot (<c>RenderMemory</c>), the
    /// shots its slots paint side by side — each kept 1280×720 background was 14 MB of float planes (56 MB of the README
    /// film's live heap at its peak with four, issue 19, docs/BENCHMARKS.md), a 3840×2160 one 133 MB; one kept as its
    /// bytes alone (<see cref="Encoded"/>) is its compressed blob and depth. Lowering it drops the oldest at the next miss.
    /// </summary>
    public static int Kept
    {
        get => Volatile.Read(ref _kept);
        set { ArgumentOutOfRangeException.ThrowIfLessThan(value, 1); Volatile.Write(ref _kept, value); }
    }

    /// <summary>How many backgrounds are kept now (tests and measurements).</summary>
    public static int Count { get { lock (Gate) return Entries.Count; } }
    static readonly object Gate = new();
    static readonly LinkedList<Entry> Entries = new();

    /// <summary>A kept background, its depth, and its frame-codec bytes once a caller asked for them (<see cref="Encoded"/>);
    /// its pixels (<see cref="Image"/>) only until then, or while <see cref="Get"/>'s callers want them.</summary>
    sealed class Entry(Key key, RgbaImage? image, float[]? depth)
    {
        public Key Key { get; } = key;
        public RgbaImage? Image { get; set; } = image;
        public float[]? Depth { get; } = depth;
        public byte[]? Bytes { get; set; }
    }

    /// <summary>How many kept backgrounds hold their float planes (tests and measurements; the rest hold their bytes alone).</summary>
    public static int ImagesKept { get { lock (Gate) return Entries.Count(e => e.Image is not null); } }

    /// <summary>The entry for <paramref name="key"/>, moved to the front (most recently used), or null.</summary>
    static Entry? Find(Key key)
    {
        lock (Gate)
            for (var node = Entries.First; node is not null; node = node.Next)
                if (node.Value.Key.Equals(key))
                {
                    Entries.Remove(node);
                    Entries.AddFirst(node);
                    return node.Value;
                }
        return null;
    }

    /// <summary>A new entry for <paramref name="key"/>, painted by <paramref name="paint"/> into a fresh depth array when
    /// <paramref name="length"/> is not null; the oldest beyond <see cref="Kept"/> are dropped.</summary>
    static Entry Add(Key key, int? length, Func<float[]?, RgbaImage> paint)
    {
        var kept = length is { } n ? new float[n] : null;
        return Keep(new Entry(key, paint(kept), kept));
    }

    /// <summary><paramref name="entry"/> kept as the newest; the oldest beyond <see cref="Kept"/> are dropped.</summary>
    static Entry Keep(Entry entry)
    {
        lock (Gate)
        {
            Entries.AddFirst(entry);
            while (Entries.Count > Kept) Entries.RemoveLast();
        }
        return entry;
    }

    /// <summary>
    /// The background for <paramref name="key"/> (a copy when <paramref name="copy"/>, else the kept image, not to be
    /// changed) and its parallax depth copied into <paramref name="depth"/> (when the key asks for depth): painted by
    /// <paramref name="paint"/> into a fresh depth array on a miss, else copied.
    /// </summary>
    public static RgbaImage Get(Key key, float[]? depth, Func<float[]?, RgbaImage> paint, bool copy = true)
    {
        ArgumentNullException.ThrowIfNull(paint);
        if (key.Depth != depth is not null) throw new ArgumentException("the key's depth flag and the depth array disagree", nameof(depth));
        var hit = Find(key) ?? Add(key, depth?.Length, paint);
        RgbaImage? image;
        lock (Gate) image = hit.Image;
        if (image is null) // kept as its bytes alone (Encoded): painted again, the same pixels (and depth), and kept again
        {
            var painted = paint(depth);
            lock (Gate) image = hit.Image ??= painted;
        }
        hit.Depth?.CopyTo(depth!, 0);
        return copy ? image.Clone() : image;
    }

    /// <summary>
    /// The frame codec's bytes (<see cref="FrameCodec.EncodeRgba"/>) of the background for <paramref name="key"/> and its
    /// parallax depth copied into <paramref name="depth"/> (when the key asks for depth): painted by <paramref
    /// name="paint"/> (which hands over a fresh image: on a miss its planes go back to <see cref="FramePool"/>) and encoded
    /// on a miss, else the kept bytes — a still shot's frames put the same blob. Once encoded
    /// the entry keeps its bytes and depth, not its float planes (14 MB at 1280×720, 133 MB at 3840×2160: the README
    /// film's four kept backgrounds were 56 MB of its live heap at its peak, issue 19, docs/BENCHMARKS.md).
    /// </summary>
    public static byte[] Encoded(Key key, float[]? depth, Func<float[]?, RgbaImage> paint)
    {
        ArgumentNullException.ThrowIfNull(paint);
        if (key.Depth != depth is not null) throw new ArgumentException("the key's depth flag and the depth array disagree", nameof(depth));
        var entry = Find(key);
        if (entry is null)
        {
            // A miss: painted, encoded and kept as its bytes alone. Nothing else ever saw these planes (the entry never
            // held them), so they go back to the frame pool at once instead of waiting for the GC (14 MB at 1280×720).
            var kept = depth is null ? null : new float[depth.Length];
            var painted = paint(kept);
            var made = FrameCodec.EncodeRgba(painted);
            FramePool.Return(painted);
            entry = Keep(new Entry(key, null, kept) { Bytes = made });
        }
        byte[]? bytes;
        RgbaImage? image;
        lock (Gate) (bytes, image) = (entry.Bytes, entry.Image);
        if (bytes is null)
        {
            var made = FrameCodec.EncodeRgba(image ?? paint(depth is null ? null : new float[depth.Length]));
            lock (Gate)
            {
                bytes = entry.Bytes ??= made; // encoded side by side: the first one kept, the same bytes
                entry.Image = null;
            }
        }
        entry.Depth?.CopyTo(depth!, 0);
        return bytes;
    }

    /// <summary>Drops every kept background (a node about to edit a film, which paints none: at 3840×2160 each is 133 MB
    /// of planes); a caller still using one keeps it, and the next <see cref="Get"/> paints afresh.</summary>
    public static void Clear()
    {
        lock (Gate) Entries.Clear();
    }
}
