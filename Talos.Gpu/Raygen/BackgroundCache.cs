using Talos.Gpu.Imaging;

namespace Talos.Gpu.Raygen;

/// <summary>
/// A shot's painted background, kept between its frames: the background depends only on what it is (a preset's name or
/// a plate), the light rig, the camera, the frame size and the ground line, so under a still camera every frame of the
/// shot paints the same pixels and it is painted once. A moving camera changes the key every frame and each frame is
/// painted afresh: the layers move by their own parallax (<see cref="SceneFrame.Scale"/>), so a reprojected plate
/// would not be exact. The last few backgrounds (one per shot a node renders side by side) are kept; callers that
/// change the pixels (cast shadows darkening it in place) ask for a copy, the others share the kept image read-only.
/// </summary>
public static class BackgroundCache
{
    /// <summary>What a background's pixels depend on. <paramref name="What"/>: the preset's name, or what names a plate's content.</summary>
    public readonly record struct Key(string What, string Lighting, CameraState Camera, int Width, int Height, float GroundY, bool Depth);

    static int _kept = 4;

    /// <summary>
    /// The most backgrounds kept (4 unless a host sets it): a render sets one per chunk slot (<c>RenderMemory</c>), the
    /// shots its slots paint side by side — each kept 1280×720 background is 14 MB of float planes (56 MB of the README
    /// film's live heap at its peak with four, issue 19, docs/BENCHMARKS.md), a 3840×2160 one 133 MB. Lowering it drops
    /// the oldest at the next miss.
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

    /// <summary>A kept background, its depth, and its frame-codec bytes once a caller asked for them (<see cref="Encoded"/>).</summary>
    sealed class Entry(Key key, RgbaImage image, float[]? depth)
    {
        public Key Key { get; } = key;
        public RgbaImage Image { get; } = image;
        public float[]? Depth { get; } = depth;
        public byte[]? Bytes { get; set; }
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
        Entry? hit = null;
        lock (Gate)
            for (var node = Entries.First; node is not null; node = node.Next)
                if (node.Value.Key.Equals(key))
                {
                    hit = node.Value;
                    Entries.Remove(node);
                    Entries.AddFirst(node);
                    break;
                }
        if (hit is null)
        {
            var kept = depth is null ? null : new float[depth.Length];
            hit = new Entry(key, paint(kept), kept);
            lock (Gate)
            {
                Entries.AddFirst(hit);
                while (Entries.Count > Kept) Entries.RemoveLast();
            }
        }
        hit.Depth?.CopyTo(depth!, 0);
        return copy ? hit.Image.Clone() : hit.Image;
    }

    /// <summary>
    /// The frame codec's bytes (<see cref="FrameCodec.EncodeRgba"/>) of <paramref name="image"/>, the kept background of
    /// <paramref name="key"/> as <see cref="Get"/> handed it out without a copy: a still shot's frames share it, so it is
    /// encoded once and every frame puts the same blob. An image no longer kept is encoded afresh.
    /// </summary>
    public static byte[] Encoded(Key key, RgbaImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        Entry? entry;
        lock (Gate) entry = Entries.FirstOrDefault(e => e.Key.Equals(key) && ReferenceEquals(e.Image, image));
        if (entry is null) return FrameCodec.EncodeRgba(image);
        lock (Gate) if (entry.Bytes is { } kept) return kept;
        var bytes = FrameCodec.EncodeRgba(image);
        lock (Gate) return entry.Bytes ??= bytes; // encoded side by side: the first one kept, the same bytes
    }

    /// <summary>Drops every kept background (a node about to edit a film, which paints none: at 3840×2160 each is 133 MB
    /// of planes); a caller still using one keeps it, and the next <see cref="Get"/> paints afresh.</summary>
    public static void Clear()
    {
        lock (Gate) Entries.Clear();
    }
}
