using Talos.Gpu.Imaging;

namespace Talos.Gpu.Axis;

/// <summary>A character's line art: ink coverage, a seed inside every closed region, and the ground line's pixel row.</summary>
public sealed record LineDrawing(GrayImage Lines, IReadOnlyList<RegionSeed> Seeds, float GroundY);

/// <summary>
/// Draws a posed rig as clean cartoon line art. Framing: at zoom 1 the feet stand on y = 0.82·height and the
/// nominal character is 0.55·height tall; <c>x</c> in [0, 1] of the frame width is the character's centre. The camera
/// zooms about the frame centre and pans by PanX frame widths: screen = centre + (world − centre − pan)·zoom.
/// Facing −1 mirrors the character. Parts are drawn back to front (far arm, legs, neck, body, head, hair, face,
/// near arm), each erasing what it covers before its outline is stroked, so every region stays closed. A rig read from
/// a rig file is drawn from its data instead (<see cref="Rigging.RigArt"/>), in the same framing.
/// </summary>
public static class LineArt
{
    public const float GroundFraction = 0.82f, HeightFraction = 0.55f;

    /// <summary>The ground line with no character drawn: 0.82 of the height at zoom 1, scaled about the centre.</summary>
    public static float GroundLine(CameraState camera, int height) => (float)(height * 0.5 + (0.82 - 0.5) * height * camera.Zoom);

    /// <param name="mouth">a lip-sync cue's mouth drawing (swapped in for the pose's own mouth), or null for the pose's mouth</param>
    public static LineDrawing Draw(Rig rig, Pose pose, double x, int facing, CameraState camera, int width, int height, LipSync.MouthShape? mouth = null)
    {
        var (sketch, groundY) = Compose(rig, pose, x, facing, camera, width, height, mouth);
        var (lines, seeds) = sketch.Render(width, height);
        return new LineDrawing(lines, seeds, groundY);
    }

    /// <summary>
    /// The box in frame pixels that <see cref="Draw"/>'s ink of the same character stays inside, worked out from the
    /// drawing's shapes without rasterizing them and not clipped to the frame (so a character partly outside shows it):
    /// how PRISM's reframing keeps characters inside a format's safe area.
    /// </summary>
    public static Bounds InkBounds(Rig rig, Pose pose, double x, int facing, CameraState camera, int width, int height) =>
        Compose(rig, pose, x, facing, camera, width, height).Sketch.InkBounds()!.Value;

    static (Sketch Sketch, float GroundY) Compose(Rig rig, Pose pose, double x, int facing, CameraState camera, int width, int height, LipSync.MouthShape? mouth = null)
    {
        ArgumentNullException.ThrowIfNull(rig);
        ArgumentNullException.ThrowIfNull(pose);
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"frame size {width}x{height} must be positive");
        double zoom = camera.Zoom;
        float originX = (float)(width * 0.5 + (x * width - width * 0.5 - camera.PanX * width) * zoom);
        float groundY = (float)(height * 0.5 + (GroundFraction - 0.5) * height * zoom);
        float scale = (float)(HeightFraction * height * rig.Height * zoom);
        float lineUnit = (float)(height * zoom / 720.0);
        var sketch = new Sketch(originX, groundY, scale, facing < 0 ? -1 : 1, lineUnit);
        if (rig.Body is { } body)
        {
            // How far the character has travelled along its facing, in rig units (camera-independent): places planted feet.
            float travel = (float)(x * width / (HeightFraction * height * rig.Height)) * (facing < 0 ? -1 : 1);
            Rigging.RigArt.Compose(sketch, body, pose, mouth, travel);
            return (sketch, groundY);
        }
        var sk = new Skeleton(rig, pose);

        Arm(sketch, rig, sk, 0);
        Leg(sketch, rig, sk, 0);
        Leg(sketch, rig, sk, 1);
        sketch.Part(sketch.Capsule(sk.Neck - sk.Up * 0.03f, sk.HeadCentre - sk.HeadUp * (rig.HeadRy * 0.4f), rig.NeckRadius, rig.NeckRadius), "skin");
        Body(sketch, rig, sk);
        HeadArt.Draw(sketch, rig, sk, pose, mouth);
        Arm(sketch, rig, sk, 1);
        return (sketch, groundY);
    }

    static void Arm(Sketch s, Rig rig, Skeleton sk, int side)
    {
        float r = rig.ArmRadius;
        s.Part(new Union(s.Capsule(sk.Shoulder[side], sk.Elbow[side], r, r * 0.94f), s.Capsule(sk.Elbow[side], sk.Wrist[side], r * 0.94f, r * 0.84f)), rig.ArmRegion);
        var dir = sk.Wrist[side] - sk.Elbow[side];
        float len = MathF.Max(1e-6f, MathF.Sqrt(dir.X * dir.X + dir.Y * dir.Y));
        var hand = sk.Wrist[side] + dir * (rig.HandRadius * 0.55f / len);
        s.Part(s.Ellipse(hand, rig.HandRadius, rig.HandRadius * 0.9f, dir), "skin");
        if (rig.Outfit == Outfit.Dress)
            s.Part(s.Ellipse(sk.Shoulder[side] + sk.Up * (r * 0.2f), r * 1.75f, r * 1.45f, sk.Forward), rig.BodyRegion);
    }

    static void Leg(Sketch s, Rig rig, Skeleton sk, int side)
    {
        float r = rig.LegRadius;
        s.Part(new Union(s.Capsule(sk.HipJoint[side], sk.Knee[side], r, r * 0.92f), s.Capsule(sk.Knee[side], sk.Ankle[side], r * 0.92f, r * 0.8f)), rig.LegRegion);
        float h = rig.ShoeHeight * 0.5f;
        var foot = rig.Outfit == Outfit.Coat
            ? new Union(s.Capsule(sk.Heel[side], sk.Toe[side], h * 0.95f, h * 1.05f), s.Capsule(sk.Ankle[side] + (sk.Ankle[side] - sk.Knee[side]) * -0.35f, sk.Heel[side] + (sk.Toe[side] - sk.Heel[side]) * 0.2f, r * 0.95f, h))
            : (Shape)s.Capsule(sk.Heel[side], sk.Toe[side], h * 0.95f, h * 1.05f);
        s.Part(foot, rig.FootRegion);
    }

    static void Body(Sketch s, Rig rig, Skeleton sk)
    {
        V2 up = sk.Up, f = sk.Forward, hip = sk.Hip, top = sk.Neck - up * 0.012f;
        float sw = rig.ShoulderHalfWidth, hw = rig.HipHalfWidth, rnd = 0.022f;
        float shoulderY = (sk.Shoulder[0] - sk.Neck).X * up.X + (sk.Shoulder[0] - sk.Neck).Y * up.Y; // ≤ 0: droop
        var sL = top + up * (shoulderY + 0.03f) + f * (sw - rnd);
        var sR = top + up * (shoulderY + 0.03f) - f * (sw - rnd);
        switch (rig.Outfit)
        {
            case Outfit.Shirt:
            {
                var bottom = hip - up * 0.035f;
                s.Part(s.Polygon(rnd, top + f * (sw * 0.3f), sL, bottom + f * (hw + 0.004f - rnd), bottom - f * (hw + 0.004f - rnd), sR, top - f * (sw * 0.3f)), rig.BodyRegion);
                var collar = top - up * 0.012f;
                s.Stroke(s.Polyline(collar + f * (sw * 0.32f), collar - up * 0.045f + f * (sw * 0.12f), collar - f * (sw * 0.1f)));
                break;
            }
            case Outfit.Coat:
            {
                var hem = hip - up * (rig.UpperLeg * 0.55f);
                float hemW = hw * 1.2f - rnd;
                s.Part(s.Polygon(rnd, top + f * (sw * 0.3f), sL, hip + f * (hw * 1.05f), hem + f * hemW, hem - f * hemW, hip - f * (hw * 1.05f), sR, top - f * (sw * 0.3f)), rig.BodyRegion);
                var open = top + f * (sw * 0.38f);
                s.Stroke(s.Polyline(top - up * 0.01f + f * (sw * 0.05f), top - up * 0.085f + f * (sw * 0.4f), hem + f * (sw * 0.4f) + up * 0.01f));
                s.Stroke(s.Polyline(top - up * 0.01f + f * (sw * 0.7f), top - up * 0.07f + f * (sw * 0.52f)));
                for (int b = 0; b < 3; b++)
                {
                    var at = open - up * (0.11f + b * 0.07f) + f * 0.045f;
                    s.Fill(s.Ellipse(at, 0.0095f, 0.0095f, f));
                }
                break;
            }
            case Outfit.Dress:
            {
                var belly = hip + up * (rig.TorsoLength * 0.42f);
                var waist = hip + up * 0.02f;
                var hem = hip - up * (rig.UpperLeg * 0.78f);
                // Skirt: a flared trapezoid whose hem is rounded off by a wide ellipse centred above the waist.
                float drop = rig.UpperLeg * 0.78f + 0.1f;
                var skirt = new Intersect(
                    s.Polygon(rnd, waist + f * (hw * 0.95f), hem - up * 0.06f + f * (hw * 1.8f - rnd), hem - up * 0.06f - f * (hw * 1.8f - rnd), waist - f * (hw * 0.95f)),
                    s.Ellipse(waist + up * 0.1f, hw * 2.6f, drop + 0.02f, f));
                s.Part(new Union(s.Ellipse(belly, hw * 1.05f, rig.TorsoLength * 0.52f, f), skirt), rig.BodyRegion);
                var belt = waist + up * 0.012f;
                s.Stroke(s.Polyline(belt - f * (hw * 0.98f), belt - up * 0.012f, belt + f * (hw * 0.98f)));
                break;
            }
        }
    }
}
