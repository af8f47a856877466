using Talos.Gpu.Imaging;

namespace Talos.Gpu.Axis;

/// <summary>
/// Anti-aliased ink rasterizer over signed-distance shapes. Ink coverage of a stroke is
/// clamp(halfWidth − |distance| + 0.5, 0, 1); only the pixels in a shape's bounding box (grown by the stroke) are
/// touched. Filled parts first erase the ink inside them, then stroke their outline, and claim their inside pixels
/// in an owner map so regions can be seeded afterwards. Pixel (x, y) is sampled at its centre (x + 0.5, y + 0.5).
/// </summary>
public sealed class StrokeRasterizer
{
    readonly int width, height;
    readonly float[] ink;
    readonly int[] owner;
    readonly List<(int X0, int Y0, int X1, int Y1)> partRects = [];

    public StrokeRasterizer(int width, int height)
    {
        Ink = new GrayImage(width, height);
        this.width = width; this.height = height;
        ink = Ink.Data;
        owner = new int[ink.Length];
        partRects.Add((0, 0, 0, 0)); // owner 0 = no part
    }

    public GrayImage Ink { get; }
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
        var (x0, y0, x1, y1) = Rect(shape.Bounds, halfWidth + 1f);
        float reach = halfWidth + 0.5f;
        for (int y = y0; y < y1; y++)
        {
            float py = y + 0.5f;
            int row = y * width;
            for (int x = x0; x < x1; x++)
            {
                float d = MathF.Abs(shape.Distance(x + 0.5f, py));
                if (d >= reach) continue;
                float c = MathF.Min(1f, reach - d);
                if (c > ink[row + x]) ink[row + x] = c;
            }
        }
    }

    /// <summary>Fills the inside of a closed shape with solid ink (pupils, open mouths).</summary>
    public void FillInk(Shape shape)
    {
        var (x0, y0, x1, y1) = Rect(shape.Bounds, 1f);
        for (int y = y0; y < y1; y++)
        {
            float py = y + 0.5f;
            int row = y * width;
            for (int x = x0; x < x1; x++)
            {
                float d = shape.Distance(x + 0.5f, py);
                if (d >= 0.5f) continue;
                float c = MathF.Min(1f, 0.5f - d);
                if (c > ink[row + x]) ink[row + x] = c;
            }
        }
    }

    /// <summary>
    /// Samples a shape's signed distance once over its bounding box grown by <paramref name="reach"/> pixels, so the
    /// silhouette pass and the part pass can share it.
    /// </summary>
    /// <remarks>
    /// Exact only where it matters: the box is split as a quadtree, and a block whose centre lies farther from the outline
    /// than <paramref name="reach"/> + 1 plus its half diagonal (with a margin) is wholly inside or outside beyond any
    /// stroke's reach (a signed distance changes by at most the distance moved), so its pixels take that bound with the
    /// centre's sign — the same ink and claims as their exact values — and the shape is evaluated only near its outline.
    /// </remarks>
    public SampledShape Sample(Shape shape, float reach)
    {
        var (x0, y0, x1, y1) = Rect(shape.Bounds, reach + 1f);
        int w = Math.Max(0, x1 - x0), h = Math.Max(0, y1 - y0);
        var d = new float[w * h];
        int size = 1;
        while (size < Math.Max(w, h)) size *= 2;
        Block(0, 0, size);
        return new SampledShape(x0, y0, w, h, d);

        void Block(int bx, int by, int n)
        {
            if (bx >= w || by >= h) return;
            if (n > 2)
            {
                float bound = n * 0.7072f * 1.25f; // centre to the farthest pixel centre, (n − 1)/√2, with a margin
                float dc = shape.Distance(x0 + bx + n * 0.5f, y0 + by + n * 0.5f);
                if (MathF.Abs(dc) > reach + 1f + bound)
                {
                    float v = dc > 0 ? dc - bound : dc + bound;
                    for (int y = by; y < Math.Min(by + n, h); y++) Array.Fill(d, v, y * w + bx, Math.Min(bx + n, w) - bx);
                    return;
                }
                int m = n / 2;
                Block(bx, by, m); Block(bx + m, by, m); Block(bx, by + m, m); Block(bx + m, by + m, m);
                return;
            }
            for (int y = by; y < Math.Min(by + n, h); y++)
                for (int x = bx; x < Math.Min(bx + n, w); x++) d[y * w + x] = shape.Distance(x0 + x + 0.5f, y0 + y + 0.5f);
        }
    }

    /// <summary>Strokes a sampled outline centred on it, adding ink (max).</summary>
    public void Stroke(SampledShape s, float halfWidth)
    {
        float reach = halfWidth + 0.5f;
        for (int y = 0; y < s.Height; y++)
        {
            int row = (s.Y0 + y) * width + s.X0, srow = y * s.Width;
            for (int x = 0; x < s.Width; x++)
            {
                float d = MathF.Abs(s.Distances[srow + x]);
                if (d >= reach) continue;
                float c = MathF.Min(1f, reach - d);
                if (c > ink[row + x]) ink[row + x] = c;
            }
        }
    }

    /// <summary>
    /// A filled body part: erases the ink inside it (occluding what is behind), strokes its outline and claims its
    /// inside pixels. Returns the part number used in <see cref="OwnerAt"/>.
    /// </summary>
    public int Part(Shape shape, float halfWidth) => Part(Sample(shape, halfWidth), halfWidth);

    /// <summary>As <see cref="Part(Shape, float)"/> for a shape already sampled (with at least this half width).</summary>
    public int Part(SampledShape s, float halfWidth)
    {
        int id = partRects.Count;
        partRects.Add((s.X0, s.Y0, s.X0 + s.Width, s.Y0 + s.Height));
        float reach = halfWidth + 0.5f;
        for (int y = 0; y < s.Height; y++)
        {
            int row = (s.Y0 + y) * width + s.X0, srow = y * s.Width;
            for (int x = 0; x < s.Width; x++)
            {
                float d = s.Distances[srow + x];
                if (d >= reach) continue;
                int i = row + x;
                float v = ink[i];
                if (d < 0.5f) v *= MathF.Max(0f, d + 0.5f);
                float c = MathF.Min(1f, reach - MathF.Abs(d));
                ink[i] = c > v ? c : v;
                if (d < 0f) owner[i] = id;
            }
        }
        return id;
    }

    (int X0, int Y0, int X1, int Y1) Rect(Bounds b, float pad) => (
        Math.Clamp((int)MathF.Floor(b.MinX - pad), 0, width), Math.Clamp((int)MathF.Floor(b.MinY - pad), 0, height),
        Math.Clamp((int)MathF.Ceiling(b.MaxX + pad) + 1, 0, width), Math.Clamp((int)MathF.Ceiling(b.MaxY + pad) + 1, 0, height));
}

/// <summary>A shape's signed distances sampled at the pixel centres of a frame rectangle.</summary>
public sealed record SampledShape(int X0, int Y0, int Width, int Height, float[] Distances);
