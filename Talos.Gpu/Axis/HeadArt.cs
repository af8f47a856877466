using Talos.Gpu.Axis.LipSync;

namespace Talos.Gpu.Axis;

/// <summary>
/// The head in three-quarter view: skull, hair (by style), ear, eyes, brows, nose and mouth, all placed in the
/// head's own frame (u forward, v up, in head radii) so they follow the head's tilt.
/// </summary>
internal static class HeadArt
{
    public static void Draw(Sketch s, Rig rig, Skeleton sk, Pose pose, MouthShape? mouth = null)
    {
        float rx = rig.HeadRx, ry = rig.HeadRy;
        V2 c = sk.HeadCentre, hu = sk.HeadUp, hf = sk.HeadForward;
        V2 At(float u, float v) => c + hf * (u * rx) + hu * (v * ry);

        s.Part(s.Ellipse(c, rx, ry, hf), "skin");
        Hair(s, rig, At, rx, ry, hf);
        if (rig.Hair != HairStyle.Bob)
            s.Part(s.Ellipse(At(-0.3f, -0.02f), rx * 0.16f, ry * 0.24f, hf), "skin");
        Face(s, rig, pose, mouth, At, rx, ry, hf);
    }

    static void Hair(Sketch s, Rig rig, Func<float, float, V2> at, float rx, float ry, V2 hf)
    {
        switch (rig.Hair)
        {
            case HairStyle.Spiky:
            {
                var cap = new Subtract(s.Ellipse(at(-0.04f, 0.08f), rx * 1.07f, ry * 1.02f, hf), s.Ellipse(at(0.3f, -0.3f), rx * 1.02f, ry * 0.95f, hf));
                var spikes = s.Polygon(0.006f, at(-0.9f, 0.45f), at(-0.75f, 1.22f), at(-0.45f, 0.85f), at(-0.2f, 1.38f), at(0.1f, 0.95f),
                    at(0.45f, 1.3f), at(0.6f, 0.75f), at(0.2f, 0.55f), at(-0.5f, 0.4f));
                s.Part(new Union(cap, spikes), "hair");
                break;
            }
            case HairStyle.Crew:
            {
                var cap = new Subtract(s.Ellipse(at(-0.03f, 0.1f), rx * 1.05f, ry * 0.98f, hf), s.Ellipse(at(0.26f, -0.22f), rx * 1.0f, ry * 0.92f, hf));
                s.Part(new Union(cap, s.Polygon(0.01f, at(-0.6f, 0.7f), at(0.55f, 0.82f), at(0.65f, 1.02f), at(-0.4f, 1.02f))), "hair");
                break;
            }
            case HairStyle.Bob:
            {
                var outer = s.Ellipse(at(-0.06f, 0.05f), rx * 1.2f, ry * 1.17f, hf);
                var jaw = s.Polygon(0f, at(-2f, -0.62f), at(2f, -0.62f), at(2f, 2f), at(-2f, 2f));
                var face = s.Ellipse(at(0.34f, -0.36f), rx * 0.98f, ry * 0.93f, hf);
                var bun = s.Ellipse(at(-0.45f, 1.12f), rx * 0.38f, ry * 0.34f, hf);
                s.Part(bun, "hair");
                s.Part(new Subtract(new Intersect(outer, jaw), face), "hair");
                break;
            }
        }
    }

    static void Face(Sketch s, Rig rig, Pose pose, MouthShape? mouth, Func<float, float, V2> at, float rx, float ry, V2 hf)
    {
        float eyeRx = 0.15f, eyeRy = 0.2f, eyeV = 0.02f;
        bool drawWhites = s.L(ry * eyeRy) >= 3.2f;
        float[] eyeU = [0.7f, 0.12f];
        for (int e = 0; e < 2; e++)
        {
            float narrow = e == 0 ? 0.8f : 1f;
            var centre = at(eyeU[e], eyeV);
            if (drawWhites)
            {
                s.Part(s.Ellipse(centre, rx * eyeRx * narrow, ry * eyeRy, hf), "eyes");
                s.Fill(s.Ellipse(at(eyeU[e] + 0.05f, eyeV - 0.02f), rx * 0.075f * narrow, ry * 0.11f, hf));
            }
            else
                s.Fill(s.Ellipse(centre, rx * 0.08f, ry * 0.12f, hf));

            // Brow: the inner end (toward the face's middle, u ≈ 0.4) drops with a positive brow angle.
            float b = eyeV + eyeRy + 0.14f + pose.BrowRaise * eyeRy;
            float inner = e == 0 ? eyeU[e] - 0.14f : eyeU[e] + 0.14f, outer = e == 0 ? eyeU[e] + 0.13f : eyeU[e] - 0.16f;
            float slope = MathF.Tan(Math.Clamp(pose.BrowAngle, -40f, 40f) * MathF.PI / 180f) * 0.14f;
            s.Stroke(s.Polyline(at(outer, b + slope * 0.5f), at((inner + outer) * 0.5f, b + 0.03f), at(inner, b - slope)), s.OutlineWidth);
        }

        s.Stroke(s.Polyline(at(0.8f, -0.08f), at(0.96f, -0.3f), at(0.8f, -0.34f)));

        if (mouth is { } speaking && speaking != MouthShape.X)
        {
            SpeakingMouth(s, speaking, pose.MouthCurve, at, rx, ry, hf);
            return;
        }
        // Mouth: a curve (smile > 0 lowers the middle), opened into a filled shape by MouthOpen.
        float mu = 0.42f, mv = -0.58f, half = 0.24f + 0.06f * Math.Max(0f, pose.MouthCurve);
        float curve = pose.MouthCurve * 0.12f, open = pose.MouthOpen * 0.26f;
        const int n = 7;
        var upper = new V2[n];
        for (int i = 0; i < n; i++)
        {
            float t = i / (n - 1f) * 2f - 1f;
            upper[i] = at(mu + t * half, mv - curve * (1f - t * t) + curve * 0.35f);
        }
        if (open < 0.02f)
        {
            s.Stroke(s.Polyline(upper), s.OutlineWidth);
            return;
        }
        var shape = new List<V2>(upper);
        for (int i = n - 2; i >= 1; i--)
        {
            float t = i / (n - 1f) * 2f - 1f;
            shape.Add(at(mu + t * half, mv - curve * (1f - t * t) + curve * 0.35f - open * MathF.Sqrt(1f - t * t)));
        }
        s.Fill(s.Polygon(0.003f, [.. shape]));
    }

    /// <summary>
    /// The eight speaking mouths (Rhubarb's A–H; X is the pose's own rest mouth above), each its own drawing, swapped per
    /// cue, never morphed: A pressed lips, B a slit of clenched teeth, C open, D wide open, E a rounded O, F puckered,
    /// G upper teeth on the lower lip, H open with the tongue raised. The emotion's smile tilts the corners of each.
    /// </summary>
    static void SpeakingMouth(Sketch s, MouthShape shape, float smile, Func<float, float, V2> at, float rx, float ry, V2 hf)
    {
        const float mu = 0.42f, mv = -0.58f;
        float corner = Math.Clamp(smile, -1f, 1f) * 0.05f;
        // (half width, opening, roundness 0 = lens .. 1 = ellipse) per shape, in head radii
        var (half, open, round) = shape switch
        {
            MouthShape.A => (0.2f, 0f, 0f),
            MouthShape.B => (0.23f, 0.11f, 0f),
            MouthShape.C => (0.22f, 0.24f, 0.3f),
            MouthShape.D => (0.25f, 0.34f, 0.45f),
            MouthShape.E => (0.15f, 0.27f, 1f),
            MouthShape.F => (0.085f, 0.13f, 1f),
            MouthShape.G => (0.2f, 0.14f, 0f),
            MouthShape.H => (0.21f, 0.28f, 0.4f),
            _ => throw new ArgumentOutOfRangeException(nameof(shape)),
        };
        const int n = 9;
        V2 Upper(float t) => at(mu + t * half, mv + corner * t * t + open * 0.2f * (1f - t * t));
        V2 Lower(float t)
        {
            float lens = MathF.Sqrt(Math.Max(0f, 1f - t * t)), ell = lens, depth = open * (round * ell + (1f - round) * (1f - t * t));
            return at(mu + t * half, mv + corner * t * t - depth * 0.8f);
        }
        if (shape == MouthShape.A)
        {
            // lips pressed: a straight, slightly shortened line with the lower lip's crease under it
            s.Stroke(s.Polyline(Enumerable.Range(0, n).Select(i => Upper(i / (n - 1f) * 2f - 1f)).ToArray()), s.OutlineWidth * 1.15f);
            s.Stroke(s.Polyline(at(mu - half * 0.4f, mv - 0.09f), at(mu, mv - 0.11f), at(mu + half * 0.4f, mv - 0.09f)));
            return;
        }
        var outline = new List<V2>();
        for (int i = 0; i < n; i++) outline.Add(Upper(i / (n - 1f) * 2f - 1f));
        for (int i = n - 2; i >= 1; i--) outline.Add(Lower(i / (n - 1f) * 2f - 1f));
        switch (shape)
        {
            case MouthShape.B:
                // clenched teeth: the slit is all teeth, the lips outline it
                s.Part(s.Polygon(0.004f, [.. outline]), "eyes");
                s.Stroke(s.Polyline(at(mu - half * 0.85f, mv - open * 0.35f), at(mu + half * 0.85f, mv - open * 0.35f)));
                break;
            case MouthShape.C or MouthShape.D or MouthShape.H:
            {
                s.Fill(s.Polygon(0.004f, [.. outline]));
                // upper teeth: a band under the upper lip
                float band = shape == MouthShape.D ? 0.07f : 0.06f;
                var teeth = new List<V2>();
                for (int i = 1; i < n - 1; i++) teeth.Add(Upper(i / (n - 1f) * 1.7f - 0.85f));
                for (int i = n - 2; i >= 1; i--) { float t = i / (n - 1f) * 1.7f - 0.85f; teeth.Add(Upper(t) + at(0, -band) - at(0, 0)); }
                s.Part(s.Polygon(0.003f, [.. teeth]), "eyes");
                if (shape == MouthShape.H)
                    s.Part(s.Ellipse(at(mu + 0.02f, mv - band - 0.05f), rx * half * 0.45f, ry * 0.06f, hf), "skin"); // the tongue raised behind the teeth
                break;
            }
            case MouthShape.E or MouthShape.F:
            {
                var c = at(mu, mv - open * 0.3f);
                s.Fill(s.Ellipse(c, rx * half, ry * open * 0.55f, hf));
                if (shape == MouthShape.F) s.Stroke(s.Ellipse(c, rx * (half + 0.05f), ry * (open * 0.55f + 0.05f), hf)); // pursed lips
                break;
            }
            case MouthShape.G:
            {
                // upper teeth resting on the lower lip: the lip line, the teeth below it, the lower lip tucked under
                s.Stroke(s.Polyline(Enumerable.Range(0, n).Select(i => Upper(i / (n - 1f) * 2f - 1f)).ToArray()), s.OutlineWidth);
                var teeth = new List<V2> { at(mu - half * 0.6f, mv + 0.005f), at(mu + half * 0.6f, mv + 0.005f), at(mu + half * 0.55f, mv - 0.08f), at(mu - half * 0.55f, mv - 0.08f) };
                s.Part(s.Polygon(0.002f, [.. teeth]), "eyes");
                s.Stroke(s.Polyline(at(mu - half * 0.8f, mv - 0.1f), at(mu, mv - 0.14f), at(mu + half * 0.8f, mv - 0.1f)), s.OutlineWidth);
                break;
            }
        }
    }
}
