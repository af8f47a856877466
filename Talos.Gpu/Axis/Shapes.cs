using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;

namespace Talos.Gpu.Axis;

/// <summary>Axis-aligned pixel-space bounds of a shape's outline.</summary>
public readonly record struct Bounds(float MinX, float MinY, float MaxX, float MaxY)
{
    public Bounds Union(Bounds o) => new(MathF.Min(MinX, o.MinX), MathF.Min(MinY, o.MinY), MathF.Max(MaxX, o.MaxX), MathF.Max(MaxY, o.MaxY));
    public Bounds Intersect(Bounds o) => new(MathF.Max(MinX, o.MinX), MathF.Max(MinY, o.MinY), MathF.Min(MaxX, o.MaxX), MathF.Min(MaxY, o.MaxY));
}

/// <summary>
/// A 2D shape in pixel space given by its signed distance: negative inside, zero on the outline, positive outside.
/// Open curves (polylines) have no inside and are only ever stroked.
/// </summary>
public abstract class Shape
{
    public abstract Bounds Bounds { get; }
    public abstract float Distance(float x, float y);

    /// <summary>
    /// Writes <see cref="Distance"/> clamped to ±<paramref name="limit"/> at the pixel centres (x + 0.5, y + 0.5) of the
    /// frame rectangle from (<paramref name="x0"/>, <paramref name="y0"/>), <paramref name="w"/> × <paramref name="h"/>,
    /// into <paramref name="dst"/> (row-major, stride <paramref name="w"/>): the same floats as the per-pixel distance
    /// wherever it lies within the limit, and the limit with its sign elsewhere — all that ink and claims read from it.
    /// </summary>
    /// <remarks>
    /// This general way splits the rectangle as a quadtree, and a block whose centre lies farther from the outline than
    /// the limit plus its half diagonal (with a margin) is wholly inside or outside (a signed distance changes by at most
    /// the distance moved), so its pixels take the limit with the centre's sign and the shape is evaluated only near its
    /// outline. Outlines made of segments (<see cref="Polygon"/>, <see cref="Polyline"/>) visit only the pixels within
    /// the limit of each segment instead, and the combinations combine their parts' clamped samples (clamping commutes
    /// with min and max).
    /// </remarks>
    internal virtual void Sample(int x0, int y0, int w, int h, float limit, Span<float> dst)
    {
        int size = 1;
        while (size < Math.Max(w, h)) size *= 2;
        Block(0, 0, size, dst);

        void Block(int bx, int by, int n, Span<float> d)
        {
            if (bx >= w || by >= h) return;
            if (n > 2)
            {
                float bound = n * 0.7072f * 1.25f; // centre to the farthest pixel centre, (n − 1)/√2, with a margin
                float dc = Distance(x0 + bx + n * 0.5f, y0 + by + n * 0.5f);
                if (MathF.Abs(dc) > limit + bound)
                {
                    float v = dc > 0 ? limit : -limit;
                    for (int y = by; y < Math.Min(by + n, h); y++) d.Slice(y * w + bx, Math.Min(bx + n, w) - bx).Fill(v);
                    return;
                }
                int m = n / 2;
                Block(bx, by, m, d); Block(bx + m, by, m, d); Block(bx, by + m, m, d); Block(bx + m, by + m, m, d);
                return;
            }
            for (int y = by; y < Math.Min(by + n, h); y++)
                for (int x = bx; x < Math.Min(bx + n, w); x++) d[y * w + x] = Math.Clamp(Distance(x0 + x + 0.5f, y0 + y + 0.5f), -limit, limit);
        }
    }
}

/// <summary>
/// Squared distances to line segments over the pixels near them: the per-pixel sums <see cref="Polygon"/> and
/// <see cref="Polyline"/> take, in the same operations (so the same floats), each segment visiting only the pixels of
/// the rows and columns within a band around it, eight pixels at a time.
/// </summary>
internal static class SegmentBand
{
    /// <summary>floor and ceiling as ints, far coordinates held to ±1e9 (a frame is far smaller).</summary>
    public static int Floor(float v) => (int)MathF.Floor(Math.Clamp(v, -1e9f, 1e9f));
    public static int Ceiling(float v) => (int)MathF.Ceiling(Math.Clamp(v, -1e9f, 1e9f));

    /// <summary>
    /// For each segment of the outline through (<paramref name="xs"/>, <paramref name="ys"/>) — a closed one's edge k from
    /// point k back to point k − 1 (k = 0 from the last), as <see cref="Polygon"/> measures it; an open one's from point
    /// k − 1 to point k, as <see cref="Polyline"/> does — lowers <paramref name="best"/> (row-major over the rectangle,
    /// stride <paramref name="w"/>) to the squared distance from each pixel centre to the segment, at least at every
    /// pixel closer to it than <paramref name="band"/>.
    /// </summary>
    public static void MinSquared(ReadOnlySpan<float> xs, ReadOnlySpan<float> ys, bool closed, int x0, int y0, int w, int h, float band, Span<float> best)
    {
        int lanes = Vector<float>.Count, n = xs.Length;
        Span<int> steps = stackalloc int[lanes];
        for (int i = 0; i < lanes; i++) steps[i] = i;
        var step = new Vector<int>(steps);
        var zero = Vector<float>.Zero;
        var one = Vector<float>.One;
        var half = new Vector<float>(0.5f);
        for (int k = closed ? 0 : 1; k < n; k++)
        {
            int from = closed ? k : k - 1, to = closed ? (k == 0 ? n - 1 : k - 1) : k;
            float sx = xs[from], sy = ys[from], dx = xs[to] - sx, dy = ys[to] - sy;
            float len2 = MathF.Max(1e-9f, dx * dx + dy * dy);
            float bx = sx + dx, by = sy + dy;
            // rows whose centre y + 0.5 lies within the band of the segment's y range (a pixel of margin for rounding)
            int r0 = Math.Max(0, SegmentBand.Floor(MathF.Min(sy, by) - band) - y0 - 1);
            int r1 = Math.Min(h - 1, SegmentBand.Ceiling(MathF.Max(sy, by) + band) - y0 + 1);
            var vsx = new Vector<float>(sx);
            var vsy = new Vector<float>(sy);
            var vdx = new Vector<float>(dx);
            var vdy = new Vector<float>(dy);
            var vlen2 = new Vector<float>(len2);
            for (int r = r0; r <= r1; r++)
            {
                int yy = y0 + r;
                float py = yy + 0.5f;
                // the x extent of the part of the segment within the band's rows, grown by the band: every pixel nearer than the band
                float lo = 0f, hi = 1f;
                if (dy != 0f)
                {
                    float t1 = (py - band - sy) / dy, t2 = (py + band - sy) / dy;
                    lo = MathF.Max(0f, MathF.Min(t1, t2));
                    hi = MathF.Min(1f, MathF.Max(t1, t2));
                    if (lo > hi) continue;
                }
                float xa = sx + dx * lo, xb = sx + dx * hi;
                int c0 = Math.Max(0, SegmentBand.Floor(MathF.Min(xa, xb) - band) - x0 - 1);
                int c1 = Math.Min(w - 1, SegmentBand.Ceiling(MathF.Max(xa, xb) + band) - x0 + 1);
                if (c0 > c1) continue;
                float wy = py - sy;
                var vwy = new Vector<float>(wy);
                var row = best.Slice(r * w, w);
                int c = c0;
                while (c <= c1)
                {
                    // the row's last pixels as a whole vector ending at c1, over pixels already lowered: the min with the
                    // same value again changes nothing (each lane does the scalar loop's operations)
                    bool last = c + lanes - 1 > c1;
                    if (last)
                    {
                        if (c1 - c0 + 1 < lanes) break;
                        c = c1 - lanes + 1;
                    }
                    var px = Vector.ConvertToSingle(new Vector<int>(x0 + c) + step) + half;
                    var wx = px - vsx;
                    var t = Vector.Min(Vector.Max((wx * vdx + vwy * vdy) / vlen2, zero), one);
                    var qx = wx - vdx * t;
                    var qy = vwy - vdy * t;
                    var slot = row.Slice(c, lanes);
                    Vector.Min(new Vector<float>(slot), qx * qx + qy * qy).CopyTo(slot);
                    c = last ? c1 + 1 : c + lanes;
                }
                for (; c <= c1; c++)
                {
                    float wx = x0 + c + 0.5f - sx;
                    float t = Math.Clamp((wx * dx + wy * dy) / len2, 0f, 1f);
                    float qx = wx - dx * t, qy = wy - dy * t;
                    row[c] = MathF.Min(row[c], qx * qx + qy * qy);
                }
            }
        }
    }
}

/// <summary>An ellipse with centre, radii and rotation (radians, screen space).</summary>
public sealed class Ellipse(float cx, float cy, float rx, float ry, float angle = 0f) : Shape
{
    readonly float cos = MathF.Cos(angle), sin = MathF.Sin(angle);

    public override Bounds Bounds
    {
        get
        {
            float ex = MathF.Sqrt(rx * rx * cos * cos + ry * ry * sin * sin), ey = MathF.Sqrt(rx * rx * sin * sin + ry * ry * cos * cos);
            return new(cx - ex, cy - ey, cx + ex, cy + ey);
        }
    }

    public override float Distance(float x, float y)
    {
        float dx = x - cx, dy = y - cy;
        float u = dx * cos + dy * sin, v = -dx * sin + dy * cos;
        // First-order distance to an ellipse: (k0 - 1) scaled by the gradient length; exact on circles.
        float ax = u / rx, ay = v / ry;
        float k0 = MathF.Sqrt(ax * ax + ay * ay);
        float bx = u / (rx * rx), by = v / (ry * ry);
        float k1 = MathF.Sqrt(bx * bx + by * by);
        return k1 < 1e-6f ? -MathF.Min(rx, ry) : k0 * (k0 - 1f) / k1;
    }
}

/// <summary>A segment with a radius at each end (a tapered capsule: limbs).</summary>
public sealed class Capsule(float ax, float ay, float bx, float by, float ra, float rb) : Shape
{
    readonly float dx = bx - ax, dy = by - ay;
    readonly float invLen2 = 1f / MathF.Max(1e-6f, (bx - ax) * (bx - ax) + (by - ay) * (by - ay));

    public override Bounds Bounds => new(MathF.Min(ax - ra, bx - rb), MathF.Min(ay - ra, by - rb), MathF.Max(ax + ra, bx + rb), MathF.Max(ay + ra, by + rb));

    public override float Distance(float x, float y)
    {
        float px = x - ax, py = y - ay;
        float h = Math.Clamp((px * dx + py * dy) * invLen2, 0f, 1f);
        float qx = px - dx * h, qy = py - dy * h;
        return MathF.Sqrt(qx * qx + qy * qy) - (ra + (rb - ra) * h);
    }
}

/// <summary>
/// A closed polygon with its outline pushed out by <c>round</c> pixels (rounded corners). Its edges are kept in runs of
/// <see cref="Run"/> with their bounding boxes, so a distance skips the runs that cannot hold the nearest edge or cross
/// the point's row (a flattened ellipse has 64 edges).
/// </summary>
public sealed class Polygon : Shape
{
    const int Run = 8;
    readonly float[] xs, ys;
    readonly float[] runs; // per run of edges: min x, min y, max x, max y of its end points
    readonly float round;

    public Polygon(IReadOnlyList<(float X, float Y)> points, float round = 0f)
    {
        if (points.Count < 3) throw new ArgumentException("a polygon needs at least three points", nameof(points));
        xs = points.Select(p => p.X).ToArray();
        ys = points.Select(p => p.Y).ToArray();
        this.round = round;
        int n = xs.Length, count = (n + Run - 1) / Run;
        runs = new float[4 * count];
        for (int r = 0; r < count; r++)
        {
            float x0 = float.MaxValue, y0 = float.MaxValue, x1 = float.MinValue, y1 = float.MinValue;
            for (int i = r * Run; i < Math.Min(n, (r + 1) * Run); i++)
                foreach (int k in new[] { i, i == 0 ? n - 1 : i - 1 })
                {
                    x0 = MathF.Min(x0, xs[k]); y0 = MathF.Min(y0, ys[k]); x1 = MathF.Max(x1, xs[k]); y1 = MathF.Max(y1, ys[k]);
                }
            (runs[4 * r], runs[4 * r + 1], runs[4 * r + 2], runs[4 * r + 3]) = (x0, y0, x1, y1);
        }
    }

    public override Bounds Bounds => new(xs.Min() - round, ys.Min() - round, xs.Max() + round, ys.Max() + round);

    public override float Distance(float x, float y)
    {
        int n = xs.Length;
        float best = float.MaxValue;
        bool inside = false;
        for (int r = 0; r * Run < n; r++)
        {
            float rx0 = runs[4 * r], ry0 = runs[4 * r + 1], rx1 = runs[4 * r + 2], ry1 = runs[4 * r + 3];
            // an edge crosses the point's row only if the run's y range holds it; the nearest edge only if its box is nearer than the best so far
            bool row = y >= ry0 && y < ry1;
            float bx = MathF.Max(MathF.Max(rx0 - x, x - rx1), 0f), by = MathF.Max(MathF.Max(ry0 - y, y - ry1), 0f);
            bool near = (bx * bx + by * by) * 0.999f <= best;
            if (!row && !near) continue;
            for (int i = r * Run; i < Math.Min(n, (r + 1) * Run); i++)
            {
                int j = i == 0 ? n - 1 : i - 1;
                float ex = xs[j] - xs[i], ey = ys[j] - ys[i];
                if (near)
                {
                    float wx = x - xs[i], wy = y - ys[i];
                    float h = Math.Clamp((wx * ex + wy * ey) / MathF.Max(1e-9f, ex * ex + ey * ey), 0f, 1f);
                    float qx = wx - ex * h, qy = wy - ey * h;
                    best = MathF.Min(best, qx * qx + qy * qy);
                }
                if (row && (ys[i] > y) != (ys[j] > y) && x < xs[i] + (y - ys[i]) * ex / ey) inside = !inside;
            }
        }
        float d = MathF.Sqrt(best);
        return (inside ? -d : d) - round;
    }

    /// <summary>As <see cref="Distance"/> at every pixel of the rectangle: squared distances from each edge's band, the inside from each row's crossings.</summary>
    internal override void Sample(int x0, int y0, int w, int h, float limit, Span<float> dst)
    {
        int n = xs.Length;
        var best = dst[..(w * h)];
        best.Fill(float.PositiveInfinity);
        // beyond limit + |round| (and a pixel of margin) from every edge the value is ±limit whatever the nearest edge
        SegmentBand.MinSquared(xs, ys, closed: true, x0, y0, w, h, limit + MathF.Abs(round) + 1f, best);
        // each row's crossings (the edges that straddle its centre line, where Distance's even-odd test counts them), binned edge by edge
        var starts = ArrayPool<int>.Shared.Rent(h + 1);
        float[]? crossings = null;
        try
        {
            var start = starts.AsSpan(0, h + 1);
            start.Clear();
            for (int pass = 0; pass < 2; pass++)
            {
                for (int i = 0; i < n; i++)
                {
                    int j = i == 0 ? n - 1 : i - 1;
                    float lo = MathF.Min(ys[i], ys[j]), hi = MathF.Max(ys[i], ys[j]);
                    int r0 = Math.Max(0, SegmentBand.Floor(lo) - y0 - 1), r1 = Math.Min(h - 1, SegmentBand.Ceiling(hi) - y0 + 1);
                    for (int r = r0; r <= r1; r++)
                    {
                        float y = y0 + r + 0.5f;
                        if ((ys[i] > y) == (ys[j] > y)) continue;
                        if (pass == 0) start[r + 1]++;
                        else crossings![start[r]++] = xs[i] + (y - ys[i]) * (xs[j] - xs[i]) / (ys[j] - ys[i]);
                    }
                }
                if (pass == 0)
                {
                    for (int r = 0; r < h; r++) start[r + 1] += start[r];
                    crossings = ArrayPool<float>.Shared.Rent(Math.Max(1, start[h]));
                }
                else
                {
                    for (int r = h; r > 0; r--) start[r] = start[r - 1]; // the fill moved each start to its row's end
                    start[0] = 0;
                }
            }
            for (int r = 0; r < h; r++)
            {
                var cross = crossings.AsSpan(start[r], start[r + 1] - start[r]);
                cross.Sort();
                // a pixel is inside when an odd number of crossings lie to its right (x < crossing), as in Distance:
                // between consecutive crossings the answer is the same, so each run of pixels is finished at once
                var row = best.Slice(r * w, w);
                int c = 0;
                for (int k = 0; k <= cross.Length; k++)
                {
                    int end = w;
                    if (k < cross.Length)
                    {
                        // the first pixel whose centre is not left of the crossing
                        end = Math.Clamp(SegmentBand.Floor(cross[k] - 0.5f) - x0, c, w);
                        while (end > c && !(x0 + end - 1 + 0.5f < cross[k])) end--;
                        while (end < w && x0 + end + 0.5f < cross[k]) end++;
                    }
                    Finish(row[c..end], ((cross.Length - k) & 1) == 1, round, limit);
                    c = end;
                }
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(starts);
            if (crossings is not null) ArrayPool<float>.Shared.Return(crossings);
        }
    }

    /// <summary>Squared distances → the signed, rounded distance clamped to ±limit, for a run of pixels all inside or all outside.</summary>
    static void Finish(Span<float> run, bool inside, float round, float limit)
    {
        int lanes = Vector<float>.Count, c = 0;
        var vround = new Vector<float>(round);
        var lo = new Vector<float>(-limit);
        var hi = new Vector<float>(limit);
        for (; c + lanes <= run.Length; c += lanes)
        {
            var slot = run.Slice(c, lanes);
            var d = Vector.SquareRoot(new Vector<float>(slot));
            Vector.Min(Vector.Max((inside ? -d : d) - vround, lo), hi).CopyTo(slot);
        }
        for (; c < run.Length; c++)
        {
            float d = MathF.Sqrt(run[c]);
            run[c] = Math.Clamp((inside ? -d : d) - round, -limit, limit);
        }
    }
}

/// <summary>An open polyline (mouths, brows, lapels): distance to the nearest segment, never negative.</summary>
public sealed class Polyline : Shape
{
    readonly (float X, float Y)[] pts;
    readonly float[] xs, ys;

    public Polyline(IReadOnlyList<(float X, float Y)> points)
    {
        if (points.Count < 2) throw new ArgumentException("a polyline needs at least two points", nameof(points));
        pts = points.ToArray();
        xs = pts.Select(p => p.X).ToArray();
        ys = pts.Select(p => p.Y).ToArray();
    }

    public override Bounds Bounds => new(pts.Min(p => p.X), pts.Min(p => p.Y), pts.Max(p => p.X), pts.Max(p => p.Y));

    public override float Distance(float x, float y)
    {
        float best = float.MaxValue;
        for (int i = 1; i < pts.Length; i++)
        {
            var (ax, ay) = pts[i - 1];
            float ex = pts[i].X - ax, ey = pts[i].Y - ay, wx = x - ax, wy = y - ay;
            float h = Math.Clamp((wx * ex + wy * ey) / MathF.Max(1e-9f, ex * ex + ey * ey), 0f, 1f);
            float qx = wx - ex * h, qy = wy - ey * h;
            best = MathF.Min(best, qx * qx + qy * qy);
        }
        return MathF.Sqrt(best);
    }

    internal override void Sample(int x0, int y0, int w, int h, float limit, Span<float> dst)
    {
        var best = dst[..(w * h)];
        best.Fill(float.PositiveInfinity);
        SegmentBand.MinSquared(xs, ys, closed: false, x0, y0, w, h, limit + 1f, best);
        for (int i = 0; i < best.Length; i++) best[i] = MathF.Min(MathF.Sqrt(best[i]), limit);
    }
}

/// <summary>The union of several shapes (one outline around all of them).</summary>
public sealed class Union(params Shape[] parts) : Shape
{
    public override Bounds Bounds => parts.Skip(1).Aggregate(parts[0].Bounds, (b, s) => b.Union(s.Bounds));

    public override float Distance(float x, float y)
    {
        float d = parts[0].Distance(x, y);
        for (int i = 1; i < parts.Length; i++) d = MathF.Min(d, parts[i].Distance(x, y));
        return d;
    }

    internal override void Sample(int x0, int y0, int w, int h, float limit, Span<float> dst)
    {
        parts[0].Sample(x0, y0, w, h, limit, dst);
        for (int i = 1; i < parts.Length; i++) Combine.Sampled(parts[i], x0, y0, w, h, limit, dst, Combine.Op.Min);
    }
}

/// <summary><c>a</c> with <c>b</c> cut away.</summary>
public sealed class Subtract(Shape a, Shape b) : Shape
{
    public override Bounds Bounds => a.Bounds;
    public override float Distance(float x, float y) => MathF.Max(a.Distance(x, y), -b.Distance(x, y));

    internal override void Sample(int x0, int y0, int w, int h, float limit, Span<float> dst)
    {
        a.Sample(x0, y0, w, h, limit, dst);
        Combine.Sampled(b, x0, y0, w, h, limit, dst, Combine.Op.MaxNegated);
    }
}

/// <summary>The part of <c>a</c> inside <c>b</c>.</summary>
public sealed class Intersect(Shape a, Shape b) : Shape
{
    public override Bounds Bounds => a.Bounds.Intersect(b.Bounds);
    public override float Distance(float x, float y) => MathF.Max(a.Distance(x, y), b.Distance(x, y));

    internal override void Sample(int x0, int y0, int w, int h, float limit, Span<float> dst)
    {
        a.Sample(x0, y0, w, h, limit, dst);
        Combine.Sampled(b, x0, y0, w, h, limit, dst, Combine.Op.Max);
    }
}

/// <summary>Folds a shape's clamped samples into others' (a union's min, an intersection's max, a cut's max with the negation).</summary>
file static class Combine
{
    public enum Op { Min, Max, MaxNegated }

    public static void Sampled(Shape shape, int x0, int y0, int w, int h, float limit, Span<float> dst, Op op)
    {
        var buffer = ArrayPool<float>.Shared.Rent(w * h);
        try
        {
            var other = buffer.AsSpan(0, w * h);
            shape.Sample(x0, y0, w, h, limit, other);
            var d = dst[..(w * h)];
            // (TensorPrimitives.Min and Max are MathF.Min and Max, element by element)
            if (op == Op.MaxNegated) TensorPrimitives.Negate(other, other);
            if (op == Op.Min) TensorPrimitives.Min(d, other, d);
            else TensorPrimitives.Max(d, other, d);
        }
        finally { ArrayPool<float>.Shared.Return(buffer); }
    }
}
