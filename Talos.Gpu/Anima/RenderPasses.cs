using Talos.Gpu.Aether;
using Talos.Gpu.Imaging;
using Talos.Gpu.Raygen;

namespace Talos.Gpu.Anima;

/// <summary>What a pass holds: part of the composite stack (over, in draw order, gives beauty), the beauty itself, or data.</summary>
public enum PassRole { Beauty, Stack, Utility }

/// <summary>One render pass of one frame: its name, role and EXR channels.</summary>
public sealed record RenderPass(string Name, PassRole Role, IReadOnlyList<ExrChannel> Channels);

/// <summary>One character's inputs to the passes of a frame.</summary>
/// <param name="Pass">The pass name (<c>char-NAME</c>).</param>
/// <param name="Lit">RAYGEN's lit layer as composited (motion-blurred when it moves).</param>
/// <param name="Sharp">RAYGEN's lit layer before motion blur: its coverage places depth and motion.</param>
/// <param name="Flat">CHROMA's flat-filled layer (unlit).</param>
/// <param name="Lines">FLUX's line coverage.</param>
/// <param name="LightMap">RAYGEN's light map (RGB light, the layer's alpha).</param>
/// <param name="Forward">Where its region seeds go next frame: (x, y, dx, dy) in pixels, or null when still.</param>
/// <param name="GroundY">The ground line its shadow falls on.</param>
public sealed record CharacterPassInput(string Pass, RgbaImage Lit, RgbaImage Sharp, RgbaImage Flat, GrayImage Lines, RgbaImage LightMap,
    IReadOnlyList<(float X, float Y, float Dx, float Dy)>? Forward, float GroundY);

/// <summary>
/// ANIMA's render passes (AOVs) for compositors: premultiplied linear colour passes that, stacked with "over" in draw order
/// (background, characters in cast order, effects), reproduce beauty; and data passes — shadow (the cast shadows' matte,
/// already in background), line (ink coverage, black, hidden behind characters in front), colour (flat fills), light (the
/// light the paint receives), depth (Z, float: the characters' plane at 1, sky <see cref="SkyDepth"/>) and motion (forward
/// screen-space vectors in pixels to the next frame, R = x right, G = y up — Nuke's VectorBlur convention).
/// </summary>
public static class RenderPasses
{
    /// <summary>Z of the sky (parallax 0: infinitely far), finite so that compositors' depth tools keep working.</summary>
    public const float SkyDepth = 10000f;

    /// <summary>The stack passes in composite order: background, then the characters, then effects (when there are any).</summary>
    public static IReadOnlyList<string> StackOrder(IReadOnlyList<string> characterPasses, bool effects) =>
        ["background", .. characterPasses, .. effects ? ["effects"] : Array.Empty<string>()];

    /// <summary>Pass names of the cast, in cast order: <c>char-NAME</c> (lower case, other than letters and digits as '-'), numbered when names repeat.</summary>
    public static IReadOnlyList<string> CharacterPasses(IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var slugs = names.Select(n => "char-" + (new string(n.ToLowerInvariant().Select(ch => char.IsAsciiLetterOrDigit(ch) ? ch : '-').ToArray()).Trim('-') is { Length: > 0 } s ? s : "x")).ToList();
        return slugs.Select((s, i) => slugs.Count(x => x == s) > 1 ? $"{s}-{i + 1}" : s).ToList();
    }

    public static IReadOnlyList<string> DataPasses => ["shadow", "line", "colour", "light", "depth", "motion"];

    /// <summary>The channels a pass is written with (EXR names, sorted).</summary>
    public static IReadOnlyList<(string Name, ExrPixelType Type)> ChannelsOf(string pass) => pass switch
    {
        "depth" => [("Z", ExrPixelType.Float)],
        "motion" => [("G", ExrPixelType.Half), ("R", ExrPixelType.Half)],
        _ => [("A", ExrPixelType.Half), ("B", ExrPixelType.Half), ("G", ExrPixelType.Half), ("R", ExrPixelType.Half)],
    };

    /// <summary>
    /// Every pass of a frame. <paramref name="background"/> is RAYGEN's (shadows cast), <paramref name="parallax"/> its
    /// per-pixel parallax depth (0 sky, 1 the characters' plane), <paramref name="exposure"/> the gain ECHO asked for
    /// (applied to the colour stack and beauty alike, so they still add up). <paramref name="composite"/>: the stack as
    /// ANIMA already composited it (its frame before exposure), or null to composite it here.
    /// </summary>
    public static IReadOnlyList<RenderPass> Frame(RgbaImage background, float[] parallax, IReadOnlyList<CharacterPassInput> characters,
        RgbaImage? effects, LightRig light, float exposure, RgbaImage? composite = null)
    {
        ArgumentNullException.ThrowIfNull(background);
        ArgumentNullException.ThrowIfNull(parallax);
        ArgumentNullException.ThrowIfNull(characters);
        ArgumentNullException.ThrowIfNull(light);
        int w = background.Width, h = background.Height, n = w * h;
        if (parallax.Length != n) throw new ArgumentException($"depth holds {parallax.Length} pixels, the frame {n}", nameof(parallax));

        var stack = new List<(string Name, RgbaImage Image)> { ("background", background) };
        stack.AddRange(characters.Select(c => (c.Pass, c.Lit)));
        if (effects is not null) stack.Add(("effects", effects));
        var beauty = composite ?? Compositor.Composite(w, h, stack.Select(s => new Layer(s.Image)).ToList());
        var passes = new List<RenderPass> { Colour("beauty", PassRole.Beauty, Compositor.Expose(beauty, exposure)) };
        passes.AddRange(stack.Select(s => Colour(s.Name, PassRole.Stack, Compositor.Expose(s.Image, exposure))));

        // shadow: RAYGEN's cast shadows again, on nothing: black whose alpha is what they take away (the matte).
        var shadow = new RgbaImage(w, h);
        foreach (var c in characters) Lighting.CastShadow(shadow, c.Flat, light, c.GroundY);
        passes.Add(Colour("shadow", PassRole.Utility, shadow));

        var line = new RgbaImage(w, h);
        var colour = new RgbaImage(w, h);
        var lightPass = new RgbaImage(w, h);
        var z = new float[n];
        var mx = new float[n];
        var my = new float[n];
        for (int p = 0; p < n; p++) z[p] = parallax[p] > 0f ? 1f / parallax[p] : SkyDepth;
        foreach (var c in characters)
        {
            var flow = c.Forward is { } f ? MotionBlur.FlowFromSeeds(c.Sharp, f) : null;
            for (int p = 0; p < n; p++)
            {
                float a = c.Sharp.A[p], ink = Math.Clamp(c.Lines.Data[p], 0f, 1f);
                line.A[p] = ink + line.A[p] * (1f - a) * (1f - ink); // behind this character, then its own ink over
                Over(colour, p, c.Flat.R[p], c.Flat.G[p], c.Flat.B[p], c.Flat.A[p]);
                float la = c.LightMap.A[p];
                Over(lightPass, p, c.LightMap.R[p] * la, c.LightMap.G[p] * la, c.LightMap.B[p] * la, la);
                if (a < 0.5f) continue; // the nearer half-covered layer owns the pixel's depth and motion
                z[p] = RaygenStageDepth;
                (mx[p], my[p]) = flow is { } fl ? (fl.Fx[p], -fl.Fy[p]) : (0f, 0f);
            }
        }
        passes.Add(Colour("line", PassRole.Utility, line));
        passes.Add(Colour("colour", PassRole.Utility, colour));
        passes.Add(Colour("light", PassRole.Utility, lightPass));
        passes.Add(new RenderPass("depth", PassRole.Utility, [new("Z", ExrPixelType.Float, z)]));
        passes.Add(new RenderPass("motion", PassRole.Utility, [new("R", ExrPixelType.Half, mx), new("G", ExrPixelType.Half, my)]));
        return passes;
    }

    /// <summary>Z of the characters' plane (RAYGEN draws every character at parallax 1).</summary>
    const float RaygenStageDepth = 1f;

    /// <summary>ANIMA's premultiplied "over" (<see cref="BlendPixel.Over"/>) of one pixel onto <paramref name="d"/>.</summary>
    static void Over(RgbaImage d, int p, float r, float g, float b, float a)
    {
        var o = BlendPixel.Over(new Px(d.R[p], d.G[p], d.B[p], d.A[p]), new Px(r, g, b, a), 1f);
        (d.R[p], d.G[p], d.B[p], d.A[p]) = (o.R, o.G, o.B, o.A);
    }

    static RenderPass Colour(string name, PassRole role, RgbaImage img) => new(name, role,
        [new("R", ExrPixelType.Half, img.R), new("G", ExrPixelType.Half, img.G), new("B", ExrPixelType.Half, img.B), new("A", ExrPixelType.Half, img.A)]);

    /// <summary>Depth and motion: float data, which a PNG cannot hold (they stay EXR in the png16 format).</summary>
    public static bool IsData(string pass) => ChannelsOf(pass).Count != 4;

    /// <summary>The file extension of a pass in a layers format (exr, png16).</summary>
    public static string Extension(string format, string pass) => format == "png16" && !IsData(pass) ? ".png" : ".exr";

    /// <summary>
    /// A pass as a file of the layers format: exr (OpenEXR as described), or png16 — RGBA passes as 16-bit PNGs of the same
    /// linear light (gAMA 1.0), straight alpha as PNG defines it, clipped to [0, 1]; depth and motion as EXR.
    /// </summary>
    public static byte[] Encode(string format, RenderPass pass, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(pass);
        if (Extension(format, pass.Name) == ".exr") return ExrWriter.Write(width, height, pass.Channels);
        float[] C(string name) => pass.Channels.Single(c => c.Name == name).Data;
        var (r, g, b, a) = (C("R"), C("G"), C("B"), C("A"));
        var samples = new ushort[4 * width * height];
        static ushort Q(float v) => (ushort)MathF.Round(Math.Clamp(float.IsFinite(v) ? v : 0f, 0f, 1f) * 65535f);
        for (int p = 0; p < r.Length; p++)
        {
            float k = a[p] > 0f ? 1f / a[p] : 0f;
            samples[4 * p] = Q(r[p] * k); samples[4 * p + 1] = Q(g[p] * k); samples[4 * p + 2] = Q(b[p] * k); samples[4 * p + 3] = Q(a[p]);
        }
        return Png16Writer.Write(width, height, samples, 1.0);
    }

    /// <summary>
    /// Where a character's region seeds go from this frame to the next, as (x, y, dx, dy) at this frame's positions; at
    /// the last frame (no next) the motion into it continues. Null when there is neither.
    /// </summary>
    public static List<(float X, float Y, float Dx, float Dy)>? ForwardMotion(IReadOnlyList<RegionSeed> now, IReadOnlyList<RegionSeed>? next, IReadOnlyList<RegionSeed>? before)
    {
        if (next is not null) return MotionBlur.SeedMotion(now, next).Select(m => (m.X, m.Y, -m.Dx, -m.Dy)).ToList();
        return before is null ? null : MotionBlur.SeedMotion(now, before);
    }
}
