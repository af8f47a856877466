using System.Buffers;
using System.Numerics;
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Axis;

/// <summary>
/// Anti-aliased ink rasterizer over signed-distance shapes. Ink coverage of a stroke is
/// clamp(halfWidth − |distance| + 0.5, 0, 1); only the pixels in a shape's bounding box (grown by the stroke) are
/// touched. Filled parts first erase the ink inside them, then stroke their outline, and claim their inside pixels
/// in an owner map so regions can be seeded afterwards. Pixel (x, y) is sampled at its centre (x + 0.5, y + 0.5).
/// </summary>
public sealed class StrokeRasterizer : IDisposable
{
    readonly int width, height;
    readonly float[] ink;
    int[] owner;
    readonly List<(int X0, int Y0, int X1, int Y1)> partRects = [];

    /// <summary>
    /// A rasterizer over an all-zero ink image from <see cref="FramePool"/> (a plane given back there once its drawing is
    /// encoded is faulted in already: FLUX draws every frame of a shot, and fresh 3.7 MB planes per 720p drawing cost
    /// their allocation, page faults and collections) and an all-zero owner map from <see cref="OwnerMaps"/>.
    /// </summary>
    public StrokeRasterizer(int width, int height)
    {
        Ink = FramePool.RentGray(width, height);
        this.width = width; this.height = height;
        ink = Ink.Data;
        owner = OwnerMaps.Rent(ink.Length);
        partRects.Add((0, 0, 0, 0)); // owner 0 = no part
    }

    /// <summary>Gives the owner map back (the ink stays the caller's: <see cref="FramePool.Return(float[])"/> it once used).</summary>
    public void Dispose()
    {
        if (owner.Length == 0) return;
        // parts claim pixels only inside their rectangles: clearing those leaves the map all zero for the next drawing
        for (int p = 1; p < partRects.Count; p++)
        {
            var (x0, y0, x1, y1) = partRects[p];
            for (int y = y0; y < y1; y++) owner.AsSpan(y * width + x0, x1 - x0).Clear();
        }
        OwnerMaps.Return(owner);
        owner = [];
    }

    /// <summary>
    /// Owner maps kept all zero between drawings, exactly the frame's length: a drawing's map is cleared only where its
    /// parts claimed pixels, not a whole frame's memset per drawing, and not a fresh array. At most a few are kept.
    /// </summary>
    static class OwnerMaps
    {
        const int Keep = 2; // a drawing per chunk slot at once on a two-slot node
        static readonly Stack<int[]> Kept = new();

        public static int[] Rent(int length)
        {
            lock (Kept)
                while (Kept.Count > 0)
                {
                    var map = Kept.Pop();
                    if (map.Length == length) return map;
                }
            return new int[length];
        }

        public static void Return(int[] map)
        {
            lock (Kept)
                if (Kept.Count < Keep) Kept.Push(map);
        }
    }

    public GrayImage Ink { get; }

    /// <summary>
    /// A box outside which every pixel of <see cref="Ink"/> is zero: the union of the rectangles ink was added or erased in
    /// (empty before any), so the drawing can be encoded (<see cref="FrameCodec.EncodeGray(GrayImage, FrameCodec.Box)"/>) and
    /// its plane given back (<see cref="FramePool.Return(GrayImage, FrameCodec.Box)"/>) without searching the whole frame.
    /// </summary>
    public FrameCodec.Box Written => inkX1 > inkX0 && inkY1 > inkY0 ? new FrameCodec.Box(inkX0, inkY0, inkX1 - inkX0, inkY1 - inkY0) : new FrameCodec.Box(0, 0, 0, 0);
    int inkX0 = int.MaxValue, inkY0 = int.MaxValue, inkX1, inkY1;

    void Inked(SampledShape s)
    {
        if (s.Width <= 0 || s.Height <= 0) return;
        inkX0 = Math.Min(inkX0, s.X0); inkY0 = Math.Min(inkY0, s.Y0);
        inkX1 = Math.Max(inkX1, s.X0 + s.Width); inkY1 = Math.Max(inkY1, s.Y0 + s.Height);
    }
    public int Width => width;
    public int Height => height;

    /// <summary>Which part (1..PartCount, 0 = none) each pixel shows.</summary>
    internal int[] Owners => owner;

    /// <summary>The part whose inside pixel (x, y) shows, 0 for none.</summary>
    public int OwnerAt(int x, int y) => owner[y * width + x];
    public int PartCount => partRects.Count - 1;

    /// <summary>Pixel rectangle (inclusive-exclusive) a part may own.</summary>
    public (int X0, int Y0, int X1, int Y1) PartRect(int part) => partRects[part];

    /// <summary>Strokes the outline centred on it, adding ink (max); no erasing.</summary>
    public void Stroke(Shape shape, float halfWidth)
    {
        using var s = Sample(shape, halfWidth);
        Stroke(s, halfWidth);
    }

    /// <summary>Fills the inside of a closed shape with solid ink (pupils, open mouths).</summary>
    public void FillInk(Shape shape)
    {
        using var s = Sample(shape, 0.5f);
        AddInk(s, 0.5f, signed: true);
    }

    /// <summary>
    /// Samples a shape's signed distance once over its bounding box grown by <paramref name="reach"/> + 1 pixels, so the
    /// silhouette pass and the part pass can share it: exact within <paramref name="reach"/> + 1 of the outline, that
    /// bound with the inside's sign beyond (<see cref="Shape.Sample"/>) — the same ink and claims as exact values for any
    /// stroke of half width up to <paramref name="reach"/> − 0.5. Dispose it to give its buffer back.
    /// </summary>
    public SampledShape Sample(Shape shape, float reach)
    {
        var (x0, y0, x1, y1) = Rect(shape.Bounds, reach + 1f);
        int w = Math.Max(0, x1 - x0), h = Math.Max(0, y1 - y0);
        var d = ArrayPool<float>.Shared.Rent(w * h);
        shape.Sample(x0, y0, w, h, reach + 1f, d);
        return new SampledShape(x0, y0, w, h, d);
    }

    /// <summary>Strokes a sampled outline centred on it, adding ink (max).</summary>
    public void Stroke(SampledShape s, float halfWidth) => AddInk(s, halfWidth + 0.5f, signed: false);

    /// <summary>
    /// Ink min(1, reach − e) where e &lt; reach, raising what is there (max), e the distance (<paramref name="signed"/>:
    /// a fill's inside is ink) or its magnitude (a stroke centred on the outline). Ink is never negative, so where
    /// e ≥ reach the max keeps it: eight pixels at a time, with no branch.
    /// </summary>
    void AddInk(SampledShape s, float reach, bool signed)
    {
        Inked(s);
        int lanes = Vector<float>.Count;
        var vreach = new Vector<float>(reach);
        var distances = s.Distances;
        for (int y = 0; y < s.Height; y++)
        {
            var drow = distances.AsSpan(y * s.Width, s.Width);
            var irow = ink.AsSpan((s.Y0 + y) * width + s.X0, s.Width);
            int x = 0;
            for (; x + lanes <= drow.Length; x += lanes)
            {
                var e = new Vector<float>(drow.Slice(x, lanes));
                if (!signed) e = Vector.Abs(e);
                var slot = irow.Slice(x, lanes);
                Vector.Max(new Vector<float>(slot), Vector.Min(Vector<float>.One, vreach - e)).CopyTo(slot);
            }
            for (; x < drow.Length; x++)
            {
                float e = signed ? drow[x] : MathF.Abs(drow[x]);
                if (e >= reach) continue;
                float c = MathF.Min(1f, reach - e);
                if (c > irow[x]) irow[x] = c;
            }
        }
    }

    /// <summary>
    /// A filled body part: erases the ink inside it (occluding what is behind), strokes its outline and claims its
    /// inside pixels. Returns the part number used in <see cref="OwnerAt"/>.
    /// </summary>
    public int Part(Shape shape, float halfWidth)
    {
        using var s = Sample(shape, halfWidth);
        return Part(s, halfWidth);
    }

    /// <summary>As <see cref="Part(Shape, float)"/> for a shape already sampled (with at least this half width).</summary>
    public int Part(SampledShape s, float halfWidth)
    {
        int id = partRects.Count;
        partRects.Add((s.X0, s.Y0, s.X0 + s.Width, s.Y0 + s.Height));
        Inked(s);
        float reach = halfWidth + 0.5f;
        int lanes = Vector<float>.Count;
        var vreach = new Vector<float>(reach);
        var half = new Vector<float>(0.5f);
        var vid = new Vector<int>(id);
        var distances = s.Distances;
        for (int y = 0; y < s.Height; y++)
        {
            int row = (s.Y0 + y) * width + s.X0;
            var drow = distances.AsSpan(y * s.Width, s.Width);
            var irow = ink.AsSpan(row, s.Width);
            var orow = owner.AsSpan(row, s.Width);
            int x = 0;
            for (; x + lanes <= drow.Length; x += lanes)
            {
                // as the scalar loop below, lane by lane: erase inside, stroke the outline, claim the inside
                var d = new Vector<float>(drow.Slice(x, lanes));
                var islot = irow.Slice(x, lanes);
                var v = new Vector<float>(islot);
                v = Vector.ConditionalSelect(Vector.LessThan(d, half), v * Vector.Max(Vector<float>.Zero, d + half), v);
                var c = Vector.Min(Vector<float>.One, vreach - Vector.Abs(d));
                var painted = Vector.ConditionalSelect(Vector.GreaterThan(c, v), c, v);
                Vector.ConditionalSelect(Vector.LessThan(d, vreach), painted, new Vector<float>(islot)).CopyTo(islot);
                var oslot = orow.Slice(x, lanes);
                Vector.ConditionalSelect(Vector.LessThan(d, Vector<float>.Zero), vid, new Vector<int>(oslot)).CopyTo(oslot);
            }
            for (; x < drow.Length; x++)
            {
                float d = drow[x];
                if (d >= reach) continue;
                float v = irow[x];
                if (d < 0.5f) v *= MathF.Max(0f, d + 0.5f);
                float c = MathF.Min(1f, reach - MathF.Abs(d));
                irow[x] = c > v ? c : v;
                if (d < 0f) orow[x] = id;
            }
        }
        return id;
    }

    (int X0, int Y0, int X1, int Y1) Rect(Bounds b, float pad) => (
        Math.Clamp((int)MathF.Floor(b.MinX - pad), 0, width), Math.Clamp((int)MathF.Floor(b.MinY - pad), 0, height),
        Math.Clamp((int)MathF.Ceiling(b.MaxX + pad) + 1, 0, width), Math.Clamp((int)MathF.Ceiling(b.MaxY + pad) + 1, 0, height));
}

/// <summary>
/// A shape's signed distances sampled at the pixel centres of a frame rectangle (row-major, stride <see cref="Width"/>;
/// the array is pooled and may be longer). Dispose gives the array back.
/// </summary>
public sealed class SampledShape(int x0, int y0, int width, int height, float[] distances) : IDisposable
{
    float[]? distances = distances;
    public int X0 => x0;
    public int Y0 => y0;
    public int Width => width;
    public int Height => height;
    public float[] Distances => distances ?? throw new ObjectDisposedException(nameof(SampledShape));

    public void Dispose()
    {
        if (distances is { } d) ArrayPool<float>.Shared.Return(d);
        distances = null;
    }
}
