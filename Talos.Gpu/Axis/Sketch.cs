namespace Talos.Gpu.Axis;

/// <summary>
/// A drawing being assembled: the rig-unit → pixel transform (position, facing, camera) and the ordered list of
/// draw operations, back to front. <see cref="Render"/> rasterizes them: first a thick silhouette stroke of every body
/// part, then each part in order (erase inside, stroke outline) and the ink details.
/// </summary>
internal sealed class Sketch(float originX, float groundY, float scale, int facing, float lineUnit)
{
    enum Kind { Part, Stroke, Fill }

    readonly record struct Op(Kind Kind, Shape Shape, float HalfWidth, string? Region);

    readonly List<Op> ops = [];

    public float Scale => scale;
    /// <summary>Half widths in pixels: the outer silhouette, part outlines, inner detail lines.</summary>
    public float SilhouetteWidth => MathF.Max(1.1f, 2.3f * lineUnit);
    public float OutlineWidth => MathF.Max(0.8f, 1.15f * lineUnit);
    public float DetailWidth => MathF.Max(0.8f, 0.85f * lineUnit);

    public (float X, float Y) P(V2 p) => (originX + p.X * facing * scale, groundY - p.Y * scale);
    public float L(float units) => units * scale;

    /// <summary>Screen angle (radians, y down) of a rig-space direction.</summary>
    public float Angle(V2 dir) => MathF.Atan2(-dir.Y, dir.X * facing);

    public Ellipse Ellipse(V2 c, float rx, float ry, V2 xAxis)
    {
        var (x, y) = P(c);
        return new Ellipse(x, y, L(rx), L(ry), Angle(xAxis));
    }

    public Capsule Capsule(V2 a, V2 b, float ra, float rb)
    {
        var (ax, ay) = P(a);
        var (bx, by) = P(b);
        return new Capsule(ax, ay, bx, by, L(ra), L(rb));
    }

    public Polygon Polygon(float roundUnits, params V2[] pts) => new(pts.Select(P).ToList(), L(roundUnits));
    public Polyline Polyline(params V2[] pts) => new(pts.Select(P).ToList());

    public void Part(Shape s, string region, float? halfWidth = null) => ops.Add(new Op(Kind.Part, s, halfWidth ?? OutlineWidth, region));
    public void Stroke(Shape s, float? halfWidth = null) => ops.Add(new Op(Kind.Stroke, s, halfWidth ?? DetailWidth, null));
    public void Fill(Shape s) => ops.Add(new Op(Kind.Fill, s, 0f, null));

    /// <summary>
    /// Where <see cref="Render"/> can put ink, unclipped (it may reach past the frame): every part's and stroke's outline
    /// bounds grown by the widest stroke half-width and a pixel of anti-aliasing. Null for an empty drawing.
    /// </summary>
    public Bounds? InkBounds()
    {
        if (ops.Count == 0) return null;
        float grow = MathF.Max(SilhouetteWidth, OutlineWidth) + 1f;
        var b = ops[0].Shape.Bounds;
        foreach (var op in ops) b = b.Union(op.Shape.Bounds);
        return new Bounds(b.MinX - grow, b.MinY - grow, b.MaxX + grow, b.MaxY + grow);
    }

    /// <summary>The drawing's ink, its region seeds and a box outside which the ink is zero (<see cref="StrokeRasterizer.Written"/>).</summary>
    public (Imaging.GrayImage Lines, List<Imaging.RegionSeed> Seeds, Imaging.FrameCodec.Box Written) Render(int width, int height)
    {
        using var raster = new StrokeRasterizer(width, height);
        float reach = MathF.Max(SilhouetteWidth, OutlineWidth);
        var sampled = ops.Select(op => op.Kind == Kind.Part ? raster.Sample(op.Shape, MathF.Max(reach, op.HalfWidth)) : null).ToList();
        try
        {
            foreach (var s in sampled)
                if (s is not null) raster.Stroke(s, SilhouetteWidth);
            var regionOfPart = new List<string> { "" };
            for (int k = 0; k < ops.Count; k++)
            {
                var op = ops[k];
                switch (op.Kind)
                {
                    case Kind.Part: raster.Part(sampled[k]!, op.HalfWidth); regionOfPart.Add(op.Region!); break;
                    case Kind.Stroke: raster.Stroke(op.Shape, op.HalfWidth); break;
                    case Kind.Fill: raster.FillInk(op.Shape); break;
                }
            }
            var seeds = RegionSeeder.Seed(raster, regionOfPart);
            return (raster.Ink, seeds, raster.Written);
        }
        finally
        {
            foreach (var s in sampled) s?.Dispose();
        }
    }
}
