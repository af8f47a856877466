using Talos.Gpu.Imaging;
using Talos.Messages.Specs;

namespace Talos.Gpu.Aether;

/// <summary>
/// A background plate with its images decoded (docs/plates.md): multiplane layers back to front, each a linear-light,
/// premultiplied image at a parallax depth, with an optional per-pixel depth map; and the plate's ground line, a fraction
/// of its height from the top. RAYGEN paints it through the camera (<c>Raygen.PlatePainter</c>).
/// </summary>
public sealed class Plate
{
    /// <summary>Depth a depth map's brightest sample (65535) stands for: the nearest the painted ground reaches at the frame's bottom edge.</summary>
    public const float MaxDepth = 1.5f;

    public float GroundLine { get; }
    public IReadOnlyList<PlateImageLayer> Layers { get; }
    /// <summary>The procedural layers behind the images (<see cref="PlateSpec.Procedural"/>), or null.</summary>
    public BackgroundPreset? Backdrop { get; }

    Plate(float groundLine, IReadOnlyList<PlateImageLayer> layers, BackgroundPreset? backdrop) => (GroundLine, Layers, Backdrop) = (groundLine, layers, backdrop);

    /// <summary>
    /// Every rule a plate is held to, with what is wrong where (<c>$.background.layers[1].depth</c>), without its images:
    /// ground line inside (0, 1), 1..<see cref="Limits.MaxPlateLayers"/> layers, depths in 0..<see cref="MaxDepth"/> never
    /// decreasing from back to front.
    /// </summary>
    public static IEnumerable<(string Path, string Message)> Problems(PlateSpec plate)
    {
        ArgumentNullException.ThrowIfNull(plate);
        if (!(plate.GroundLine > 0 && plate.GroundLine < 1))
            yield return ("groundLine", $"{plate.GroundLine} must be inside (0, 1): a fraction of the plate's height from its top edge");
        if (plate.Layers.Count == 0 && plate.Procedural is null) yield return ("layers", "a plate needs at least one layer");
        if (plate.Layers.Count > Limits.MaxPlateLayers) yield return ("layers", $"has {plate.Layers.Count} layers; at most {Limits.MaxPlateLayers}");
        for (int i = 0; i < plate.Layers.Count; i++)
        {
            double d = plate.Layers[i].Depth;
            if (!(d >= 0 && d <= MaxDepth)) yield return ($"layers[{i}].depth", $"{d} is outside 0..{MaxDepth} (0 = at infinity, 1 = the characters' plane)");
            else if (i > 0 && d < plate.Layers[i - 1].Depth)
                yield return ($"layers[{i}].depth", $"layers run back to front: depth {d} is nearer the back than the layer before it ({plate.Layers[i - 1].Depth})");
        }
    }

    /// <summary>
    /// Decodes the plate's images, read through <paramref name="asset"/> (null = no such asset). One
    /// <see cref="InvalidDataException"/> names the first problem: a rule of <see cref="Problems"/>, an unknown asset, an
    /// image too large (from its header, before decoding), corrupt, or a depth map that is not a 16-bit greyscale PNG of
    /// its layer's size.
    /// </summary>
    public static Plate Load(PlateSpec spec, Func<string, byte[]?> asset)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(asset);
        foreach (var (path, message) in Problems(spec)) throw new InvalidDataException($"background plate {path}: {message}");
        // Every file read once, every header checked first: a huge or broken file late in the list is refused before
        // anything is decoded.
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var l in spec.Layers)
        {
            ImageFiles.Header(files[l.Image] = Bytes(asset, l.Image, "image"), $"plate image '{l.Image}'");
            if (l.DepthMap is { } dm) ImageFiles.Header(files[dm] = Bytes(asset, dm, "depth map"), $"depth map '{dm}'");
        }
        var layers = new List<PlateImageLayer>(spec.Layers.Count);
        foreach (var l in spec.Layers) layers.Add(PlateImageLayer.Decode(l, name => files[name]));
        BackgroundPreset? backdrop = null;
        try { if (spec.Procedural is { } p) backdrop = BackgroundDocument.Parse($"{{\"layers\":{p}}}", "plate"); }
        catch (Talos.Gpu.Prism.SpecValidationException e) { throw new InvalidDataException($"background plate procedural layers: {e.Message}"); }
        return new Plate((float)spec.GroundLine, layers, backdrop);
    }

    internal static byte[] Bytes(Func<string, byte[]?> asset, string name, string what) =>
        asset(name) ?? throw new InvalidDataException($"unknown plate {what} asset '{name}': not in the vault (upload it, or put the file beside the spec)");
}

/// <summary>One decoded multiplane layer: linear-light premultiplied pixels, its parallax depth, and its depth map (or null).</summary>
public sealed class PlateImageLayer
{
    public RgbaImage Image { get; }
    public float Depth { get; }
    /// <summary>Parallax depth per pixel (0..<see cref="Plate.MaxDepth"/>), the image's size; null = the layer's <see cref="Depth"/> everywhere.</summary>
    public float[]? DepthMap { get; }

    PlateImageLayer(RgbaImage image, float depth, float[]? depthMap) => (Image, Depth, DepthMap) = (image, depth, depthMap);

    static readonly float[] SrgbLut = Enumerable.Range(0, 256).Select(i => ColorMath.SrgbToLinear(i / 255f)).ToArray();

    internal static PlateImageLayer Decode(PlateLayer layer, Func<string, byte[]?> asset)
    {
        var src = ImageFiles.DecodeRgba8(Plate.Bytes(asset, layer.Image, "image"), $"plate image '{layer.Image}'");
        var img = new RgbaImage(src.Width, src.Height);
        var data = src.Data;
        for (int i = 0; i < img.PixelCount; i++)
        {
            float a = data[4 * i + 3] / 255f;
            img.R[i] = SrgbLut[data[4 * i]] * a; img.G[i] = SrgbLut[data[4 * i + 1]] * a; img.B[i] = SrgbLut[data[4 * i + 2]] * a;
            img.A[i] = a;
        }
        float[]? depth = null;
        if (layer.DepthMap is { } name)
        {
            var (w, h, samples) = ImageFiles.DecodeGrey16(Plate.Bytes(asset, name, "depth map"), $"depth map '{name}'");
            if (w != img.Width || h != img.Height)
                throw new InvalidDataException($"depth map '{name}' is {w}x{h}; it must be the size of its layer's image '{layer.Image}', {img.Width}x{img.Height}");
            depth = new float[samples.Length];
            for (int i = 0; i < depth.Length; i++) depth[i] = samples[i] * (Plate.MaxDepth / 65535f);
        }
        return new PlateImageLayer(img, (float)layer.Depth, depth);
    }
}
