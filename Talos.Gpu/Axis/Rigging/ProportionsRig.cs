using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Talos.Gpu.Axis.Rigging;

/// <summary>How a proportions rig dresses its body: which outfit shapes it gets.</summary>
public enum Outfit
{
    /// <summary>Shirt over trousers, sleeves in the shirt colour.</summary>
    Shirt,
    /// <summary>A long coat reaching mid-thigh, sleeves in the coat colour, buttons.</summary>
    Coat,
    /// <summary>A round bodice and flared skirt; bare arms and legs.</summary>
    Dress,
}

/// <summary>Hair silhouette of a proportions rig.</summary>
public enum HairStyle { Spiky, Crew, Bob }

/// <summary>
/// A biped given by proportions (rig units), an outfit, a hair style, the region of each body part and a palette (sRGB
/// hex): the format the built-in rigs were first written in (<c>{ "rigs": [ … ] }</c>, still read by <see cref="Rigs.Load"/>).
/// </summary>
public sealed record Proportions(
    string Name, float Height, float HeadRx, float HeadRy, float Neck, float NeckRadius, float TorsoLength, float ShoulderHalfWidth,
    float HipHalfWidth, float UpperArm, float LowerArm, float ArmRadius, float HandRadius, float UpperLeg, float LowerLeg, float LegRadius,
    float ShoeLength, float ShoeHeight, Outfit Outfit, HairStyle Hair, string ArmRegion, string BodyRegion, string LegRegion, string FootRegion,
    IReadOnlyList<(string Region, string Hex)> Palette);

/// <summary>
/// Builds the rig file of a proportions rig: the geometry the C# drawing templates drew, as data. Bones whose controls
/// reproduce the templates' kinematics (a thigh's offset is the upper leg plus the lean, the foot −0.4·(upper + lower
/// leg), the arms torso-relative), capsules and ellipses as SVG arcs, rounded polygons, the hair's cut and clip, the arm
/// and leg each one outline over two bones, and the face as drawing swaps: each emotion's brows and rest mouth, the
/// speaking mouths A–H drawn at the calm smile. The built-in rig files (<c>Talos.Gpu/Axis/Rigs</c>) were written by it;
/// a studio's proportions file is converted by it on load, so every rig draws through <see cref="RigArt"/>.
/// </summary>
public static class ProportionsRig
{
    // Each emotion's face (brow angle, brow raise, mouth curve, mouth open): the pose library's values, calm first.
    static readonly (string Name, float BrowAngle, float BrowRaise, float Curve, float Open)[] Faces = PoseLibrary.Emotions
        .Select(e => PoseLibrary.Resolve("idle", e, 0)).Zip(PoseLibrary.Emotions, (p, e) => (e, p.BrowAngle, p.BrowRaise, p.MouthCurve, p.MouthOpen)).ToArray();

    static string F(float v) => MathF.Round(v, 6).ToString("0.######", CultureInfo.InvariantCulture);
    static string Pt(V2 p) => $"{F(p.X)} {F(p.Y)}";

    /// <summary>An ellipse centred at <paramref name="c"/> with semi-axes <paramref name="a"/> along the bone and <paramref name="b"/> across it: two half arcs.</summary>
    static string Ellipse(V2 c, float a, float b) =>
        $"M {Pt(c + new V2(a, 0))} A {F(a)} {F(b)} 0 1 1 {Pt(c - new V2(a, 0))} A {F(a)} {F(b)} 0 1 1 {Pt(c + new V2(a, 0))} Z";

    /// <summary>A tapered capsule from <paramref name="a"/> (radius <paramref name="ra"/>) to <paramref name="b"/> (radius <paramref name="rb"/>): straight sides and a half circle round each end.</summary>
    static string Capsule(V2 a, V2 b, float ra, float rb)
    {
        var d = b - a;
        float len = MathF.Sqrt(d.X * d.X + d.Y * d.Y);
        var u = d * (1f / len);
        var n = new V2(-u.Y, u.X);
        return $"M {Pt(a + n * ra)} L {Pt(b + n * rb)} A {F(rb)} {F(rb)} 0 0 0 {Pt(b - n * rb)} L {Pt(a - n * ra)} A {F(ra)} {F(ra)} 0 0 0 {Pt(a + n * ra)} Z";
    }

    static string Poly(params V2[] pts) => "M " + string.Join(" L ", pts.Select(Pt)) + " Z";
    static string Line(params V2[] pts) => "M " + string.Join(" L ", pts.Select(Pt));

    static JsonObject Area(string region, string path, float round = 0f)
    {
        var o = new JsonObject { ["region"] = region, ["path"] = path };
        if (round > 0) o["round"] = JsonValue.Create(Num(round));
        return o;
    }

    static JsonObject FillInk(string path, float round = 0f)
    {
        var o = new JsonObject { ["ink"] = "fill", ["path"] = path };
        if (round > 0) o["round"] = JsonValue.Create(round);
        return o;
    }

    static JsonObject LineInk(string path, bool outline = false, float line = 1f)
    {
        var o = new JsonObject { ["ink"] = "line", ["path"] = path };
        if (outline) o["pen"] = "outline";
        if (line != 1f) o["line"] = JsonValue.Create(line);
        return o;
    }

    static JsonObject Bone(string name, string? parent, float angle, float length, V2? at = null, object? contact = null)
    {
        var o = new JsonObject { ["name"] = name };
        if (parent is not null) o["parent"] = parent;
        if (at is { } p) { o["x"] = JsonValue.Create(Num(p.X)); o["y"] = JsonValue.Create(Num(p.Y)); }
        o["angle"] = JsonValue.Create(angle);
        o["length"] = JsonValue.Create(Num(length));
        if (contact is bool b) o["contact"] = b;
        else if (contact is float r) o["contact"] = JsonValue.Create(Num(r));
        return o;
    }

    static float Num(float v) => float.Parse(F(v), CultureInfo.InvariantCulture);

    /// <summary>The rig file (talos-rig/1 JSON) of a rig given by proportions.</summary>
    public static string ToRigFile(Proportions r)
    {
        float hw = r.HipHalfWidth, sw = r.ShoulderHalfWidth, T = r.TorsoLength, sh = r.ShoeHeight * 0.5f, SL = r.ShoeLength;
        float ar = r.ArmRadius, lr = r.LegRadius, rx = r.HeadRx, ry = r.HeadRy, headLength = r.Neck + ry * 0.92f;
        const float rnd = 0.022f;

        // ---- bones: the hip (the seat's contact) is the root; the torso turns about it; legs hang from the torso's base,
        // arms from shoulder pivots near its top (which shoulderLift slides along it); each foot is an ankle pivot, the
        // shoe's sole (heel to toe) and the heel, both ends contacts with the sole's rounding.
        var bones = new JsonArray
        {
            Bone("hip", null, -90, hw * 0.9f, new V2(0, 0), true),
            Bone("torso", "hip", 180, T, new V2(0, 0)),
            Bone("head", "torso", 0, headLength),
        };
        foreach (var (side, sign) in new[] { ("L", 1f), ("R", -1f) })
        {
            bones.Add(Bone($"thigh{side}", "torso", -180, r.UpperLeg, new V2(0, -hw * 0.45f * sign)));
            bones.Add(Bone($"shin{side}", $"thigh{side}", 0, r.LowerLeg));
            bones.Add(Bone($"foot{side}", $"shin{side}", 90, 0));
            bones.Add(Bone($"sole{side}", $"foot{side}", 0, SL * 0.84f, new V2(-SL * 0.12f, -sh * 0.55f), sh * 1.05f));
            bones.Add(Bone($"heel{side}", $"sole{side}", 0, 0, new V2(0, 0), sh * 0.95f));
            bones.Add(Bone($"shoulder{side}", "torso", 0, 0, new V2(T - 0.03f, -(sw - ar * 0.9f) * sign)));
            bones.Add(Bone($"arm{side}", $"shoulder{side}", -180, r.UpperArm));
            bones.Add(Bone($"forearm{side}", $"arm{side}", 0, r.LowerArm));
        }

        // ---- controls: the pose's named fields, linear in the bones (see the class summary)
        var controls = new JsonObject
        {
            ["torsoLean"] = new JsonObject { ["torso"] = -1, ["thighL"] = 1, ["thighR"] = 1 },
            ["headTilt"] = new JsonObject { ["head"] = -1 },
            ["shoulderLift"] = new JsonObject { ["shift"] = new JsonObject { ["shoulderL"] = new JsonArray(1, 0), ["shoulderR"] = new JsonArray(1, 0) } },
        };
        foreach (var side in new[] { "L", "R" })
        {
            controls[$"upperArm{side}"] = new JsonObject { [$"arm{side}"] = 1 };
            controls[$"lowerArm{side}"] = new JsonObject { [$"forearm{side}"] = 1 };
            controls[$"upperLeg{side}"] = new JsonObject { [$"thigh{side}"] = 1, [$"foot{side}"] = -0.4 };
            controls[$"lowerLeg{side}"] = new JsonObject { [$"shin{side}"] = 1, [$"foot{side}"] = -0.4 };
        }

        var parts = new JsonArray();
        JsonObject Part(string name, string bone, JsonObject drawing)
        {
            var o = new JsonObject { ["name"] = name, ["bone"] = bone };
            foreach (var (k, v) in drawing.ToList()) { drawing.Remove(k); o[k] = v; }
            parts.Add(o);
            return o;
        }

        void Arm(string side)
        {
            var arm = Area(r.ArmRegion, Capsule(new V2(0, 0), new V2(r.UpperArm, 0), ar, ar * 0.94f));
            arm["pieces"] = new JsonArray(new JsonObject { ["bone"] = $"forearm{side}", ["path"] = Capsule(new V2(0, 0), new V2(r.LowerArm, 0), ar * 0.94f, ar * 0.84f) });
            Part($"arm{side}", $"arm{side}", arm);
            Part($"hand{side}", $"forearm{side}", Area("skin", Ellipse(new V2(r.LowerArm + r.HandRadius * 0.55f, 0), r.HandRadius, r.HandRadius * 0.9f)));
            if (r.Outfit == Outfit.Dress) Part($"sleeve{side}", $"shoulder{side}", Area(r.BodyRegion, Ellipse(new V2(ar * 0.2f, 0), ar * 1.45f, ar * 1.75f)));
        }

        void Leg(string side)
        {
            var leg = Area(r.LegRegion, Capsule(new V2(0, 0), new V2(r.UpperLeg, 0), lr, lr * 0.92f));
            leg["pieces"] = new JsonArray(new JsonObject { ["bone"] = $"shin{side}", ["path"] = Capsule(new V2(0, 0), new V2(r.LowerLeg, 0), lr * 0.92f, lr * 0.8f) });
            Part($"leg{side}", $"thigh{side}", leg);
            var foot = Area(r.FootRegion, Capsule(new V2(0, 0), new V2(SL * 0.84f, 0), sh * 0.95f, sh * 1.05f));
            if (r.Outfit == Outfit.Coat)
                // the boot's shaft, from 0.65 down the shin to a fifth along the sole (placed at the foot's rest angle)
                foot["pieces"] = new JsonArray(new JsonObject { ["bone"] = $"shin{side}", ["path"] = Capsule(new V2(r.LowerLeg * 0.65f, 0), new V2(r.LowerLeg + sh * 0.55f, -SL * 0.048f), lr * 0.95f, sh) });
            Part($"foot{side}", $"sole{side}", foot);
        }

        Arm("L");
        Leg("L");
        Leg("R");
        Part("neck", "head", Area("skin", Capsule(new V2(-0.03f, 0), new V2(headLength - ry * 0.4f, 0), r.NeckRadius, r.NeckRadius)));

        // ---- body, in the torso's frame: x up the torso from the hip, y forward
        float top = T - 0.012f;
        V2 Tp(float up, float fwd) => new(up, fwd);
        switch (r.Outfit)
        {
            case Outfit.Shirt:
                Part("body", "torso", Area(r.BodyRegion, Poly(Tp(top, sw * 0.3f), Tp(top, sw - rnd), Tp(-0.035f, hw + 0.004f - rnd), Tp(-0.035f, -(hw + 0.004f - rnd)),
                    Tp(top, -(sw - rnd)), Tp(top, -sw * 0.3f)), rnd));
                Part("collar", "torso", LineInk(Line(Tp(top - 0.012f, sw * 0.32f), Tp(top - 0.057f, sw * 0.12f), Tp(top - 0.012f, -sw * 0.1f))));
                break;
            case Outfit.Coat:
            {
                float hem = -r.UpperLeg * 0.55f, hemW = hw * 1.2f - rnd;
                Part("body", "torso", Area(r.BodyRegion, Poly(Tp(top, sw * 0.3f), Tp(top, sw - rnd), Tp(0, hw * 1.05f), Tp(hem, hemW), Tp(hem, -hemW), Tp(0, -hw * 1.05f),
                    Tp(top, -(sw - rnd)), Tp(top, -sw * 0.3f)), rnd));
                Part("lapel", "torso", LineInk(Line(Tp(top - 0.01f, sw * 0.05f), Tp(top - 0.085f, sw * 0.4f), Tp(hem + 0.01f, sw * 0.4f))));
                Part("collar", "torso", LineInk(Line(Tp(top - 0.01f, sw * 0.7f), Tp(top - 0.07f, sw * 0.52f))));
                Part("buttons", "torso", FillInk(string.Join(" ", Enumerable.Range(0, 3).Select(b => Ellipse(Tp(top - 0.11f - b * 0.07f, sw * 0.38f + 0.045f), 0.0095f, 0.0095f)))));
                break;
            }
            case Outfit.Dress:
            {
                float hem = -r.UpperLeg * 0.78f - 0.06f, drop = r.UpperLeg * 0.78f + 0.1f;
                var skirt = Area(r.BodyRegion, Poly(Tp(0.02f, hw * 0.95f), Tp(hem, hw * 1.8f - rnd), Tp(hem, -(hw * 1.8f - rnd)), Tp(0.02f, -hw * 0.95f)), rnd);
                skirt["clip"] = Ellipse(Tp(0.12f, 0), drop + 0.02f, hw * 2.6f); // rounds the hem off
                skirt["pieces"] = new JsonArray(new JsonObject { ["bone"] = "torso", ["path"] = Ellipse(Tp(T * 0.42f, 0), T * 0.52f, hw * 1.05f) }); // the bodice
                Part("body", "torso", skirt);
                Part("belt", "torso", LineInk(Line(Tp(0.032f, -hw * 0.98f), Tp(0.02f, 0), Tp(0.032f, hw * 0.98f))));
                break;
            }
        }

        // ---- head, in the head's frame: (u, v) head radii forward and up of the head's centre, the end of the head bone
        V2 At(float u, float v) => new(headLength + v * ry, u * rx);
        string HeadEllipse(float u, float v, float a, float b) => Ellipse(At(u, v), b * ry, a * rx); // a: forward radius, b: up radius (head radii)
        Part("skull", "head", Area("skin", HeadEllipse(0, 0, 1, 1)));
        switch (r.Hair)
        {
            case HairStyle.Spiky:
            {
                var hair = Area("hair", HeadEllipse(-0.04f, 0.08f, 1.07f, 1.02f));
                hair["cut"] = HeadEllipse(0.3f, -0.3f, 1.02f, 0.95f);
                hair["pieces"] = new JsonArray(new JsonObject
                {
                    ["bone"] = "head", ["round"] = 0.006,
                    ["path"] = Poly(At(-0.9f, 0.45f), At(-0.75f, 1.22f), At(-0.45f, 0.85f), At(-0.2f, 1.38f), At(0.1f, 0.95f), At(0.45f, 1.3f), At(0.6f, 0.75f), At(0.2f, 0.55f), At(-0.5f, 0.4f)),
                });
                Part("hair", "head", hair);
                break;
            }
            case HairStyle.Crew:
            {
                var hair = Area("hair", HeadEllipse(-0.03f, 0.1f, 1.05f, 0.98f));
                hair["cut"] = HeadEllipse(0.26f, -0.22f, 1.0f, 0.92f);
                hair["pieces"] = new JsonArray(new JsonObject { ["bone"] = "head", ["round"] = 0.01, ["path"] = Poly(At(-0.6f, 0.7f), At(0.55f, 0.82f), At(0.65f, 1.02f), At(-0.4f, 1.02f)) });
                Part("hair", "head", hair);
                break;
            }
            case HairStyle.Bob:
            {
                Part("bun", "head", Area("hair", HeadEllipse(-0.45f, 1.12f, 0.38f, 0.34f)));
                var hair = Area("hair", HeadEllipse(-0.06f, 0.05f, 1.2f, 1.17f));
                hair["clip"] = Poly(At(-2f, -0.62f), At(2f, -0.62f), At(2f, 2f), At(-2f, 2f)); // cut straight at the jaw
                hair["cut"] = HeadEllipse(0.34f, -0.36f, 0.98f, 0.93f); // the face
                Part("hair", "head", hair);
                break;
            }
        }
        if (r.Hair != HairStyle.Bob) Part("ear", "head", Area("skin", HeadEllipse(-0.3f, -0.02f, 0.16f, 0.24f)));

        // eyes: whites and pupils; drawn smaller than 3.2 px of eye height, a dot instead
        const float eyeRy = 0.2f, eyeV = 0.02f;
        float[] eyeU = [0.7f, 0.12f];
        float farScale = Num(3.2f / (ry * eyeRy));
        for (int e = 0; e < 2; e++)
        {
            float narrow = e == 0 ? 0.8f : 1f;
            string side = e == 0 ? "Far" : "Near";
            var white = Part($"eye{side}", "head", new JsonObject
            {
                ["drawings"] = new JsonObject { ["open"] = Area("eyes", HeadEllipse(eyeU[e], eyeV, 0.15f * narrow, eyeRy)), ["far"] = null },
            });
            white["far"] = new JsonObject { ["scale"] = farScale, ["drawing"] = "far" };
            var pupil = Part($"pupil{side}", "head", new JsonObject
            {
                ["drawings"] = new JsonObject
                {
                    ["open"] = FillInk(HeadEllipse(eyeU[e] + 0.05f, eyeV - 0.02f, 0.075f * narrow, 0.11f)),
                    ["dot"] = FillInk(HeadEllipse(eyeU[e], eyeV, 0.08f, 0.12f)),
                },
            });
            pupil["far"] = new JsonObject { ["scale"] = farScale, ["drawing"] = "dot" };
        }

        // brows per emotion: the inner end (toward the face's middle) drops with a positive brow angle
        var brows = new JsonObject();
        foreach (var f in Faces)
        {
            var lines = new List<string>();
            for (int e = 0; e < 2; e++)
            {
                float b = eyeV + eyeRy + 0.14f + f.BrowRaise * eyeRy;
                float inner = e == 0 ? eyeU[e] - 0.14f : eyeU[e] + 0.14f, outer = e == 0 ? eyeU[e] + 0.13f : eyeU[e] - 0.16f;
                float slope = MathF.Tan(Math.Clamp(f.BrowAngle, -40f, 40f) * MathF.PI / 180f) * 0.14f;
                lines.Add(Line(At(outer, b + slope * 0.5f), At((inner + outer) * 0.5f, b + 0.03f), At(inner, b - slope)));
            }
            brows[f.Name] = LineInk(string.Join(" ", lines), outline: true);
        }
        Part("brows", "head", new JsonObject { ["slot"] = "brows", ["default"] = "calm", ["drawings"] = brows });
        Part("nose", "head", LineInk(Line(At(0.8f, -0.08f), At(0.96f, -0.3f), At(0.8f, -0.34f))));

        // mouths: three layers (back to front) swapped together; each emotion's rest mouth, X (calm) and A–H
        const float mu = 0.42f, mv = -0.58f;
        JsonObject RestMouth(float curveIn, float openIn)
        {
            float half = 0.24f + 0.06f * Math.Max(0f, curveIn), curve = curveIn * 0.12f, open = openIn * 0.26f;
            const int n = 7;
            var upper = Enumerable.Range(0, n).Select(i => { float t = i / (n - 1f) * 2f - 1f; return At(mu + t * half, mv - curve * (1f - t * t) + curve * 0.35f); }).ToList();
            if (open < 0.02f) return LineInk(Line([.. upper]), outline: true);
            var shape = new List<V2>(upper);
            for (int i = n - 2; i >= 1; i--)
            {
                float t = i / (n - 1f) * 2f - 1f;
                shape.Add(At(mu + t * half, mv - curve * (1f - t * t) + curve * 0.35f - open * MathF.Sqrt(1f - t * t)));
            }
            return FillInk(Poly([.. shape]), 0.003f);
        }
        var layers = new[] { new JsonObject(), new JsonObject(), new JsonObject() };
        var calm = Faces[0];
        foreach (var f in Faces.Where(f => f.Name != "calm"))
        {
            layers[0][f.Name] = RestMouth(f.Curve, f.Open);
            layers[1][f.Name] = null;
            layers[2][f.Name] = null;
        }
        layers[0]["X"] = RestMouth(calm.Curve, calm.Open);
        layers[1]["X"] = null;
        layers[2]["X"] = null;
        float corner = Math.Clamp(calm.Curve, -1f, 1f) * 0.05f; // the speaking mouths are drawn at the calm smile
        foreach (var shape in "ABCDEFGH")
        {
            var (half, open, round) = shape switch
            {
                'A' => (0.2f, 0f, 0f), 'B' => (0.23f, 0.11f, 0f), 'C' => (0.22f, 0.24f, 0.3f), 'D' => (0.25f, 0.34f, 0.45f),
                'E' => (0.15f, 0.27f, 1f), 'F' => (0.085f, 0.13f, 1f), 'G' => (0.2f, 0.14f, 0f), _ => (0.21f, 0.28f, 0.4f),
            };
            const int n = 9;
            V2 Upper(float t) => At(mu + t * half, mv + corner * t * t + open * 0.2f * (1f - t * t));
            V2 Lower(float t)
            {
                float ell = MathF.Sqrt(Math.Max(0f, 1f - t * t)), depth = open * (round * ell + (1f - round) * (1f - t * t));
                return At(mu + t * half, mv + corner * t * t - depth * 0.8f);
            }
            var upperLine = Enumerable.Range(0, n).Select(i => Upper(i / (n - 1f) * 2f - 1f)).ToArray();
            var outline = new List<V2>(upperLine);
            for (int i = n - 2; i >= 1; i--) outline.Add(Lower(i / (n - 1f) * 2f - 1f));
            JsonObject? l0, l1 = null, l2 = null;
            string key = shape.ToString();
            switch (shape)
            {
                case 'A': // lips pressed, the lower lip's crease under them
                    l0 = LineInk(Line(upperLine), outline: true, line: 1.15f);
                    l1 = LineInk(Line(At(mu - half * 0.4f, mv - 0.09f), At(mu, mv - 0.11f), At(mu + half * 0.4f, mv - 0.09f)));
                    break;
                case 'B': // clenched teeth: the slit is all teeth
                    l0 = Area("eyes", Poly([.. outline]), 0.004f);
                    l1 = LineInk(Line(At(mu - half * 0.85f, mv - open * 0.35f), At(mu + half * 0.85f, mv - open * 0.35f)));
                    break;
                case 'C' or 'D' or 'H':
                {
                    l0 = FillInk(Poly([.. outline]), 0.004f);
                    float band = shape == 'D' ? 0.07f : 0.06f;
                    var teeth = new List<V2>();
                    for (int i = 1; i < n - 1; i++) teeth.Add(Upper(i / (n - 1f) * 1.7f - 0.85f));
                    for (int i = n - 2; i >= 1; i--) { float t = i / (n - 1f) * 1.7f - 0.85f; teeth.Add(Upper(t) + new V2(-band * ry, 0)); }
                    l1 = Area("eyes", Poly([.. teeth]), 0.003f);
                    if (shape == 'H') l2 = Area("skin", HeadEllipse(mu + 0.02f, mv - band - 0.05f, half * 0.45f, 0.06f)); // the tongue raised behind the teeth
                    break;
                }
                case 'E' or 'F':
                {
                    float cu = mu, cv = mv - open * 0.3f;
                    l0 = FillInk(HeadEllipse(cu, cv, half, open * 0.55f));
                    if (shape == 'F') l1 = LineInk(HeadEllipse(cu, cv, half + 0.05f, open * 0.55f + 0.05f)); // pursed lips
                    break;
                }
                default: // G: upper teeth resting on the lower lip
                    l0 = LineInk(Line(upperLine), outline: true);
                    l1 = Area("eyes", Poly(At(mu - half * 0.6f, mv + 0.005f), At(mu + half * 0.6f, mv + 0.005f), At(mu + half * 0.55f, mv - 0.08f), At(mu - half * 0.55f, mv - 0.08f)), 0.002f);
                    l2 = LineInk(Line(At(mu - half * 0.8f, mv - 0.1f), At(mu, mv - 0.14f), At(mu + half * 0.8f, mv - 0.1f)), outline: true);
                    break;
            }
            layers[0][key] = l0;
            layers[1][key] = l1;
            layers[2][key] = l2;
        }
        for (int k = 0; k < 3; k++) Part($"mouth{k + 1}", "head", new JsonObject { ["slot"] = "mouth", ["default"] = "X", ["drawings"] = layers[k] });

        Arm("R");

        var poses = new JsonObject();
        foreach (var p in PoseLibrary.Poses) poses[p] = new JsonObject();
        var emotions = new JsonObject();
        foreach (var f in Faces)
        {
            var drawings = new JsonObject { ["brows"] = f.Name };
            if (f.Name != "calm") drawings["mouth"] = f.Name;
            emotions[f.Name] = new JsonObject { ["drawings"] = drawings };
        }
        var palette = new JsonObject();
        foreach (var (region, hex) in r.Palette) palette[region] = hex;
        var rig = new JsonObject
        {
            ["format"] = "talos-rig/1", ["name"] = r.Name, ["height"] = JsonValue.Create(r.Height), ["palette"] = palette,
            ["bones"] = bones, ["controls"] = controls, ["parts"] = parts, ["poses"] = poses, ["emotions"] = emotions,
        };
        return rig.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }
}
