using Talos.Vault;
using Talos.Gpu.Aether;
using Talos.Gpu.Axis;
using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;
using Talos.Gpu.Raygen;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Specs;

namespace Talos.Actors.Pipeline.Stages;

using Stages = Talos.Messages.Stages;

/// <summary>
/// RAYGEN: the AETHER background under the shot's light rig, characters' cast shadows (blob "shadow", laid over it), lit character layers and
/// (when the shot asks for render passes) their light maps (blob "cN-light": the light each pixel's paint receives), the background's parallax depth (blob
/// "depth", when the shot asks for render passes), and — when the camera asks for it — depth of
/// field: the background blurred by its per-pixel parallax depth, characters by theirs (the characters' plane, 1).
/// A background plate (<see cref="ShotSpec.Plate"/>, docs/plates.md) is painted by <see cref="PlatePainter"/> instead of a preset.
/// Background <c>none</c>: the "bg" layer is transparent; the cast shadows are semi-transparent black. Under depth of field
/// the shadows are cast on the background itself (both blurred together) and there is no "shadow" blob.
/// </summary>
public sealed class RaygenStage : IStageRunner
{
    public string Stage => Stages.Raygen;
    public IReadOnlyList<string> DependsOn => [Stages.Chroma];
    public IReadOnlyList<ChunkPlan> Plan(ShotSpec spec, int chunkFrames) => ChunkPlans.ByFrames(Stage, spec.FrameCount, chunkFrames);

    public ChunkManifest Run(ChunkContext ctx)
    {
        var spec = ctx.Spec;
        int w = spec.Resolution.Width, h = spec.Resolution.Height;
        var light = AetherPresets.Lighting(spec.Lighting);
        var plate = LoadPlate(ctx, out var plateKey);
        bool receives = plate?.Layers.Any(l => l.DepthMap is not null) == true; // a plate's depth map says where shadows fall
        var frames = new List<FrameOutputs>();
        foreach (int frame in ctx.Frames)
        {
            ctx.Cancellation.ThrowIfCancellationRequested();
            // The frame's full-frame images and planes come from FramePool and go back when the frame is encoded.
            using var lease = new FrameLease();
            var chroma = ctx.Input(Stages.Chroma, frame);
            var metas = StageIo.ReadMeta<List<Talos.Actors.Pipeline.CharacterFrameMeta>>(chroma);
            var camera = CameraPath.At(spec.Camera, frame);
            float groundY = metas.Count > 0 ? metas[0].GroundY : LineArt.GroundLine(camera, h);
            bool dof = DepthOfField.Active(camera);
            var depth = lease.Own(dof || spec.Layers is not null || receives ? FramePool.RentPlane(w * h) : null);
            // Painted once per shot under a still camera (BackgroundCache). Without depth of field the cast shadows go to
            // their own layer ("shadow": premultiplied black, ANIMA lays it over the background), so the background stays
            // the same pixels — the same blob, encoded once — on every frame of the shot; with depth of field they darken a
            // copy of the background, which is then blurred with it. Without it only the background's bytes are wanted, and
            // the cache keeps those instead of its float planes.
            var bgKey = new BackgroundCache.Key(plate is null ? "preset:" + spec.Background : "plate:" + plateKey, spec.Lighting, camera, w, h, groundY, depth is not null);
            Func<float[]?, RgbaImage> paint = d => plate is not null ? PlatePainter.Render(plate, camera, w, h, groundY, d, light) : Backgrounds.Render(spec.Background, light, camera, w, h, groundY, d);
            var bg = dof ? BackgroundCache.Get(bgKey, depth, paint) : null;
            var bgBytes = dof ? null : BackgroundCache.Encoded(bgKey, depth, paint); // the depth filled either way, before the shadows read it
            var shadow = dof ? lease.Own(bg) : null; // under depth of field a copy of the kept background, this frame's own
            var blobs = new Dictionary<string, string>();
            var shadowBox = default(AlphaBounds); // every pixel the cast shadows darkened
            // On the CPU every per-frame image below is written only in a box it knows (the light map in the alpha's box, the
            // lit layer in the layer's non-zero box, the shadows where they darkened): given back clearing only that box.
            bool cpu = Talos.Gpu.Kernels.ComputeDevice.Current.Accelerator is null;
            foreach (var meta in metas)
            {
                string name = StageIo.CharacterBlob(meta.Character);
                var layer = FrameCodec.DecodeRgba(ctx.Vault.Get(chroma.Blobs[name]), out var stored);
                lease.Own(layer, stored); // zero outside the box it was stored in
                // The alpha's box, found once (in the stored box alone) for the shadow, the light map and the lit layer; each works in it.
                AlphaBounds? painted = AlphaBounds.Find(layer, stored, out var tight) ? tight : null;
                if (shadow is null) lease.Own(shadow = FramePool.Rent(w, h), new FrameCodec.Box(0, 0, 0, 0)); // its box: shadowBox, below
                Lighting.CastShadow(shadow, layer, light, meta.GroundY, receives ? depth : null, painted, out var darkened);
                shadowBox = shadowBox.Union(darkened);
                // lit in the decoded layer itself (owned above, given back clearing its stored box, which holds every pixel written);
                // the light map is an image of its own only where ANIMA's light pass reads it, else each row's light is used at once
                RgbaImage? map = null;
                // Outside the box the lit layer is zero: the codec reads only that box and stores the non-zero box inside it
                // (the same bytes for any box holding every non-zero pixel). Lit from rows of light, the layer changes only
                // where it is painted, inside its stored box, which is then the box; after ApplyInPlace, its non-zero box.
                FrameCodec.Box? within = stored;
                if (spec.Layers is null) Lighting.LightInPlace(layer, light, painted);
                else
                {
                    map = Lighting.LightMap(layer, light, painted);
                    lease.Own(map, cpu ? Box(painted ?? default) : null);
                    Lighting.ApplyInPlace(layer, map, painted, stored, out var written);
                    within = written.Width <= 0 ? null : Box(written);
                }
                var lit = layer;
                if (dof) lit = lease.Own(DepthOfField.Layer(lit, CharacterDepth, camera))!;
                blobs[name] = ctx.Vault.Put(dof || within is null ? FrameCodec.EncodeRgba(lit) : FrameCodec.EncodeRgba(lit, within.Value), "raygen-layer");
                if (map is not null) // only ANIMA's light pass reads it
                    blobs[name + "-light"] = ctx.Vault.Put(FrameCodec.EncodeRgba(map), "raygen-light-map");
            }
            if (!dof && shadow is not null) lease.Own(shadow, Box(shadowBox)); // a fresh layer the shadows darkened only there
            if (dof) blobs["bg"] = ctx.Vault.Put(FrameCodec.EncodeRgba(lease.Own(DepthOfField.Layer(bg!, depth!, camera))!), "raygen-bg");
            else
            {
                blobs["bg"] = ctx.Vault.Put(bgBytes!, "raygen-bg");
                if (shadow is not null) // a fresh transparent layer: zero outside what the shadows darkened
                    blobs[ShadowBlob] = ctx.Vault.Put(shadowBox.Width <= 0 ? FrameCodec.EncodeRgba(shadow) : FrameCodec.EncodeRgba(shadow, Box(shadowBox)), "raygen-shadow");
            }
            if (spec.Layers is not null) blobs["depth"] = ctx.Vault.Put(FrameCodec.EncodeRgba(lease.Own(Depth(depth!, w, h))!), "raygen-depth"); // ANIMA's depth pass
            frames.Add(new FrameOutputs(frame, blobs, chroma.Meta));
        }
        return new ChunkManifest(Stage, ctx.Plan.Chunk, ctx.Plan.FirstFrame, frames);
    }

    /// <summary>The blob of a frame's cast shadows (premultiplied black over the background), absent when nothing casts one
    /// or when depth of field blurs them into "bg".</summary>
    public const string ShadowBlob = "shadow";

    static readonly object PlateLock = new();
    static (string Key, Plate Plate)? lastPlate;

    /// <summary>
    /// The shot's background plate decoded from the vault, or null when a preset paints the background. The last plate
    /// decoded in this process is kept, keyed by its layers' vault hashes, depths, ground line and procedural layers, so PRISM's check and
    /// every RAYGEN chunk of the shot decode it once (a plate may be tens of megapixels); a different plate replaces it.
    /// </summary>
    internal static Plate? LoadPlate(ChunkContext ctx) => LoadPlate(ctx, out _);

    /// <summary>As <see cref="LoadPlate(ChunkContext)"/>, with the key that names the plate's content (null without a plate).</summary>
    internal static Plate? LoadPlate(ChunkContext ctx, out string? key)
    {
        key = null;
        if (ctx.Spec.Plate is not { } p) return null;
        var hashes = p.Layers.SelectMany(l => new[] { l.Image, l.DepthMap }).Select(n => n is null ? "-" : ctx.Vault.ResolveAsset(n)).ToList();
        key = hashes.Contains(null) ? null // an unknown asset: Plate.Load names it
            : FormattableString.Invariant($"{p.GroundLine}|{string.Join(",", p.Layers.Select(l => l.Depth))}|{string.Join(",", hashes)}|{p.Procedural}");
        lock (PlateLock)
            if (key is not null && lastPlate is { } kept && kept.Key == key) return kept.Plate;
        var plate = Plate.Load(p, ctx.Vault.Asset);
        if (key is not null) lock (PlateLock) lastPlate = (key, plate);
        return plate;
    }

    static FrameCodec.Box Box(AlphaBounds b) => new(b.X0, b.Y0, b.Width, b.Height);

    /// <summary>The parallax depth in R of a half-float frame (the 8-bit gray codec would clamp the ground's 1..1.5 to 1).</summary>
    static RgbaImage Depth(float[] data, int w, int h)
    {
        var img = FramePool.Rent(w, h);
        data.CopyTo(img.R, 0);
        return img;
    }

    /// <summary>Parallax depth of the characters' plane (backgrounds' scenery depths are measured against it).</summary>
    public const float CharacterDepth = 1f;
}
