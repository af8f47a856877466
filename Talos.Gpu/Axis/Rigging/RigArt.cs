using Talos.Gpu.Axis.LipSync;

namespace Talos.Gpu.Axis.Rigging;

/// <summary>A posed skeleton in character space (x forward, y up, the ground at y = 0): each bone's origin, tip and unit direction.</summary>
public sealed record PosedBones(V2[] Origin, V2[] Tip, V2[] Direction);

/// <summary>
/// Poses and draws a rig file's body. Forward kinematics: each bone's world angle is its parent's plus its rest angle
/// plus the pose's offset; its origin sits at its start in the parent's frame. The rig is lifted so the lowest contact
/// bone's tip touches the ground (plus the pose's lift). While a gait pose is weighted in, each leg (a two-bone IK
/// chain) is planted on the ground for the duty part of its stride cycle — its world position fixed while the body
/// travels — and swings to the next plant in an arc for the rest; the analytic two-bone solution (law of cosines)
/// bends the chain to reach it, so planted feet do not slide. Parts are drawn back to front through the same
/// <see cref="Sketch"/> as the built-ins, so CHROMA regions, outlines and InkBounds work the same.
/// </summary>
public static class RigArt
{
    /// <summary>
    /// The posed bones of <paramref name="rig"/>; <paramref name="travel"/> is how far (rig units, along the facing
    /// direction) the character has moved in the world, which places the planted feet.
    /// </summary>
    public static PosedBones Pose(RigBody body, Pose pose, float travel)
    {
        int n = body.Bones.Count;
        var local = new float[n];
        var start = new V2[n];
        for (int i = 0; i < n; i++)
        {
            local[i] = body.Bones[i].Angle + (pose.Bones is not null && pose.Bones.TryGetValue(body.Bones[i].Name, out var d) ? d : 0f);
            start[i] = body.Bones[i].Start;
        }
        foreach (var (name, control) in body.Controls)
        {
            float v = pose.Control(name);
            if (v == 0f) continue;
            foreach (var (bone, k) in control.Angles) local[bone] += k * v;
            foreach (var (bone, k) in control.Shifts) start[bone] += k * v;
        }
        var fk = Forward(body, local, start, default);
        float lowest = float.MaxValue;
        for (int i = 0; i < n; i++) if (body.Bones[i].Contact) lowest = MathF.Min(lowest, fk.Tip[i].Y - body.Bones[i].Sole);
        var lift = new V2(0f, (lowest == float.MaxValue ? 0f : -lowest) + pose.HipOffset);
        fk = Forward(body, local, start, lift);
        if (pose.Gait <= 0f || body.Gait is not { } gait) return fk;

        float w = Math.Clamp(pose.Gait, 0f, 1f);
        foreach (var (chainIndex, phase) in gait.Legs)
        {
            var chain = body.Ik[chainIndex];
            var rest = fk.Tip[chain.Lower];
            double s = travel / gait.Stride + phase;
            double k = Math.Floor(s);
            double u = s - k;
            // Where this leg's foot is planted during cycle k: the cycle starts when travel = stride·(k − phase), and the
            // foot lands half a planted stretch ahead of its rest position so it passes under the hip at mid-stance.
            double plant = gait.Stride * (k - phase) + rest.X + gait.Duty * gait.Stride / 2;
            // planted on the ground the contact lift found, not bobbing with the pose's own lift
            double ground = rest.Y - pose.HipOffset, worldX = plant, y = ground;
            if (u >= gait.Duty)
            {
                double q = (u - gait.Duty) / (1 - gait.Duty);
                worldX = plant + gait.Stride * (q * q * (3 - 2 * q));
                y = ground + gait.Step * Math.Sin(Math.PI * q);
            }
            var target = new V2((float)(worldX - travel), (float)y);
            var (upper, lower) = Solve(fk.Origin[chain.Upper], target, body.Bones[chain.Lower].Start.X, body.Bones[chain.Lower].Length, chain.Bend);
            int parent = body.Bones[chain.Upper].Parent;
            float parentAngle = parent < 0 ? 0f : Degrees(fk.Direction[parent]);
            local[chain.Upper] = Lerp(local[chain.Upper], Wrap(upper - parentAngle, local[chain.Upper]), w);
            local[chain.Lower] = Lerp(local[chain.Lower], Wrap(lower, local[chain.Lower]), w);
        }
        return Forward(body, local, start, lift);
    }

    /// <summary>
    /// Two-bone analytic IK: the world angle (degrees) of the upper bone from <paramref name="root"/> and the lower bone's
    /// angle relative to it so the chain's tip reaches <paramref name="target"/> (or points at it, fully stretched or
    /// folded, when it is out of reach).
    /// </summary>
    public static (float Upper, float Lower) Solve(V2 root, V2 target, float upperLength, float lowerLength, int bend)
    {
        var t = target - root;
        float d = MathF.Sqrt(t.X * t.X + t.Y * t.Y);
        const float eps = 1e-5f;
        d = Math.Clamp(d, MathF.Abs(upperLength - lowerLength) + eps, upperLength + lowerLength - eps);
        float cosK = Math.Clamp((d * d - upperLength * upperLength - lowerLength * lowerLength) / (2 * upperLength * lowerLength), -1f, 1f);
        float knee = bend * MathF.Acos(cosK);
        float hip = MathF.Atan2(t.Y, t.X) - MathF.Atan2(lowerLength * MathF.Sin(knee), upperLength + lowerLength * MathF.Cos(knee));
        return (hip * 180f / MathF.PI, knee * 180f / MathF.PI);
    }

    static PosedBones Forward(RigBody body, float[] local, V2[] start, V2 lift)
    {
        int n = body.Bones.Count;
        var origin = new V2[n];
        var tip = new V2[n];
        var dir = new V2[n];
        var world = new float[n];
        for (int i = 0; i < n; i++)
        {
            var b = body.Bones[i];
            if (b.Parent < 0)
            {
                world[i] = local[i];
                origin[i] = start[i] + lift;
            }
            else
            {
                world[i] = world[b.Parent] + local[i];
                var pd = dir[b.Parent];
                origin[i] = origin[b.Parent] + pd * start[i].X + new V2(-pd.Y, pd.X) * start[i].Y;
            }
            float r = world[i] * MathF.PI / 180f;
            dir[i] = new V2(MathF.Cos(r), MathF.Sin(r));
            tip[i] = origin[i] + dir[i] * b.Length;
        }
        return new PosedBones(origin, tip, dir);
    }

    static float Degrees(V2 dir) => MathF.Atan2(dir.Y, dir.X) * 180f / MathF.PI;
    static float Lerp(float a, float b, float t) => a + (b - a) * t;

    /// <summary>The angle equal to <paramref name="deg"/> modulo 360 that lies nearest <paramref name="near"/> (so blending takes the short way).</summary>
    static float Wrap(float deg, float near) => deg - 360f * MathF.Round((deg - near) / 360f);

    /// <summary>The drawing a part shows: the lip-sync cue's shape for the mouth slot, else the pose's choice for its slot, else its default.</summary>
    public static string DrawingOf(RigPart part, Pose pose, MouthShape? mouth)
    {
        if (part.Slot == "mouth" && mouth is { } m && m != MouthShape.X) return m.ToString();
        if (part.Slot is not null && pose.Drawings is not null && pose.Drawings.TryGetValue(part.Slot, out var chosen) && part.Drawings.ContainsKey(chosen)) return chosen;
        if (part.Slot == "mouth") return "X";
        return part.Default;
    }

    internal static void Compose(Sketch s, RigBody body, Pose pose, MouthShape? mouth, float travel)
    {
        var posed = Pose(body, pose, travel);
        // bone-local units → screen pixels on bone b
        (float X, float Y) Screen(int b, V2 p)
        {
            V2 o = posed.Origin[b], d = posed.Direction[b];
            return s.P(o + d * p.X + new V2(d.Y, -d.X) * p.Y);
        }
        Shape Area(int b, IReadOnlyList<SubPath> paths, float round) =>
            Join(paths.Select(sp => (Shape)new Polygon(sp.Points.Select(p => Screen(b, p)).ToList(), s.L(round))));
        foreach (var part in body.Parts)
        {
            var drawing = part.Drawings[part.Far is { } far && s.Scale < far.Scale ? far.Drawing : DrawingOf(part, pose, mouth)];
            if (drawing.Paths is { Count: 0 }) continue;
            V2 o = posed.Origin[part.Bone], d = posed.Direction[part.Bone], right = new V2(d.Y, -d.X);
            V2 At(V2 p) => o + d * p.X + right * p.Y;
            if (drawing.Image is { } image)
            {
                // image pixel (u, v) → bone-local R(angle)·(u − pivot)·scale → character space → screen: one affine map.
                float turn = image.Angle * MathF.PI / 180f, cos = MathF.Cos(turn), sin = MathF.Sin(turn);
                V2 Local(V2 q)
                {
                    var r = (q - image.Pivot) * image.UnitsPerPixel;
                    // y runs down in the image and to the bone's right in bone-local units, so a turn counter-clockwise on the page is clockwise in (x, y)
                    return new V2(r.X * cos + r.Y * sin, -r.X * sin + r.Y * cos);
                }
                var p0 = s.P(At(Local(default)));
                var px = s.P(At(Local(new V2(1, 0))));
                var py = s.P(At(Local(new V2(0, 1))));
                var map = new ImageMap(p0.X, p0.Y, px.X - p0.X, px.Y - p0.Y, py.X - p0.X, py.Y - p0.Y);
                if (drawing.Ink == InkKind.Region) s.Part(new CutOutShape(image, map), drawing.Region!, s.OutlineWidth * drawing.Line);
                s.Fill(new CutOutInk(image, map));
                continue;
            }
            if (drawing.Ink == InkKind.Line)
            {
                var lines = drawing.Paths!.Select(sp => sp.Points.Select(p => Screen(part.Bone, p)).ToList())
                    .Select((pts, k) => (Shape)new Polyline(drawing.Paths![k].Closed ? [.. pts, pts[0]] : pts));
                s.Stroke(Join(lines), (drawing.OutlinePen ? s.OutlineWidth : s.DetailWidth) * drawing.Line);
                continue;
            }
            var area = Area(part.Bone, drawing.Paths!, drawing.Round);
            if (drawing.Clip is { } clip) area = new Intersect(area, Area(part.Bone, clip, 0f));
            if (drawing.Cut is { } cut) area = new Subtract(area, Area(part.Bone, cut, 0f));
            if (drawing.Pieces.Count > 0) area = new Union([area, .. drawing.Pieces.Select(pc => Area(pc.Bone, pc.Paths, pc.Round))]);
            if (drawing.Ink == InkKind.Region) s.Part(area, drawing.Region!, s.OutlineWidth * drawing.Line);
            else s.Fill(area);
        }
    }

    static Shape Join(IEnumerable<Shape> shapes)
    {
        var list = shapes.ToList();
        return list.Count == 1 ? list[0] : new Union([.. list]);
    }
}

/// <summary>Screen = origin + u·(ux, uy) + v·(vx, vy) for image pixel (u, v); and back.</summary>
internal readonly record struct ImageMap(float X0, float Y0, float Ux, float Uy, float Vx, float Vy)
{
    float Det => Ux * Vy - Uy * Vx;
    /// <summary>Screen pixels per image pixel.</summary>
    public float PixelSize => MathF.Sqrt(MathF.Abs(Det));

    public (float U, float V) ToImage(float x, float y)
    {
        float dx = x - X0, dy = y - Y0, det = Det;
        return ((dx * Vy - dy * Vx) / det, (Ux * dy - Uy * dx) / det);
    }

    public Bounds ScreenBounds(int width, int height)
    {
        float[] xs = [X0, X0 + Ux * width, X0 + Vx * height, X0 + Ux * width + Vx * height];
        float[] ys = [Y0, Y0 + Uy * width, Y0 + Vy * height, Y0 + Uy * width + Vy * height];
        return new Bounds(xs.Min(), ys.Min(), xs.Max(), ys.Max());
    }
}

/// <summary>A cut-out's silhouette as a signed distance: its image-space distance field, bilinear, scaled to screen pixels.</summary>
internal sealed class CutOutShape(CutOut image, ImageMap map) : Shape
{
    public override Bounds Bounds => map.ScreenBounds(image.Width, image.Height);

    public override float Distance(float x, float y)
    {
        var (u, v) = map.ToImage(x, y);
        // outside the image: the distance to its rectangle plus the field at the nearest edge pixel
        float cu = Math.Clamp(u, 0.5f, image.Width - 0.5f), cv = Math.Clamp(v, 0.5f, image.Height - 0.5f);
        float outside = MathF.Sqrt((u - cu) * (u - cu) + (v - cv) * (v - cv));
        return (Bilinear(image.Field, image.Width, image.Height, cu, cv) + outside) * map.PixelSize;
    }

    internal static float Bilinear(float[] data, int w, int h, float u, float v)
    {
        float fx = u - 0.5f, fy = v - 0.5f;
        int x0 = Math.Clamp((int)MathF.Floor(fx), 0, w - 1), y0 = Math.Clamp((int)MathF.Floor(fy), 0, h - 1);
        int x1 = Math.Min(x0 + 1, w - 1), y1 = Math.Min(y0 + 1, h - 1);
        float tx = Math.Clamp(fx - x0, 0f, 1f), ty = Math.Clamp(fy - y0, 0f, 1f);
        float a = data[y0 * w + x0] + (data[y0 * w + x1] - data[y0 * w + x0]) * tx;
        float b = data[y1 * w + x0] + (data[y1 * w + x1] - data[y1 * w + x0]) * tx;
        return a + (b - a) * ty;
    }
}

/// <summary>A cut-out's drawn lines as ink: coverage = its ink value (the rasterizer's fill covers 0.5 − distance).</summary>
internal sealed class CutOutInk(CutOut image, ImageMap map) : Shape
{
    public override Bounds Bounds => map.ScreenBounds(image.Width, image.Height);

    public override float Distance(float x, float y)
    {
        var (u, v) = map.ToImage(x, y);
        if (u < 0 || v < 0 || u > image.Width || v > image.Height) return 1f;
        return 0.5f - CutOutShape.Bilinear(image.Ink, image.Width, image.Height, u, v);
    }
}
