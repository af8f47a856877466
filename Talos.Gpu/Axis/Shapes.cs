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
}

/// <summary>An open polyline (mouths, brows, lapels): distance to the nearest segment, never negative.</summary>
public sealed class Polyline : Shape
{
    readonly (float X, float Y)[] pts;

    public Polyline(IReadOnlyList<(float X, float Y)> points)
    {
        if (points.Count < 2) throw new ArgumentException("a polyline needs at least two points", nameof(points));
        pts = points.ToArray();
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
}

/// <summary><c>a</c> with <c>b</c> cut away.</summary>
public sealed class Subtract(Shape a, Shape b) : Shape
{
    public override Bounds Bounds => a.Bounds;
    public override float Distance(float x, float y) => MathF.Max(a.Distance(x, y), -b.Distance(x, y));
}

/// <summary>The part of <c>a</c> inside <c>b</c>.</summary>
public sealed class Intersect(Shape a, Shape b) : Shape
{
    public override Bounds Bounds => a.Bounds.Intersect(b.Bounds);
    public override float Distance(float x, float y) => MathF.Max(a.Distance(x, y), b.Distance(x, y));
}
