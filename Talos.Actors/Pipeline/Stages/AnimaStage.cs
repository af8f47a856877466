using Talos.Gpu.Anima;
using Talos.Gpu.Imaging;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Specs;

namespace Talos.Actors.Pipeline.Stages;

using Stages = Talos.Messages.Stages;

/// <summary>
/// ANIMA FRAME: background, characters (in cast order, later in front) and the VFX layer composited in linear
/// light (premultiplied; over, add, multiply, screen; per-layer opacity), characters motion-blurred along FLUX's motion
/// (<see cref="MotionBlur"/>, 180° shutter), tone-mapped to 8-bit sRGB; for the hdr10, prores and png16 deliveries the
/// linear-light frame is kept too (blob "linear"). A shot with <see cref="ShotSpec.Upscale"/> 2 is composited at its
/// <see cref="ShotSpec.RenderResolution"/> and both frames are upscaled to the delivery size by Real-CUGAN
/// (<see cref="RealCuganUpscaler.UpscaleTo"/>, <see cref="RealCuganUpscaler.UpscaleLinear"/>). When the shot asks for layers, every render pass as a file of its format (blobs
/// "pass/NAME", <see cref="RenderPasses.Encode"/>). A revision applies ECHO's per-frame exposure gains. RAYGEN's cast
/// shadows, when it keeps them apart (blob "shadow"), are laid over the background before the characters.
/// </summary>
public sealed class AnimaStage : IStageRunner
{
    public string Stage => Stages.Anima;
    public IReadOnlyList<string> DependsOn => [Stages.Raygen, Stages.Stokes];
    public IReadOnlyList<ChunkPlan> Plan(ShotSpec spec, int chunkFrames) => ChunkPlans.ByFrames(Stage, spec.FrameCount, chunkFrames);

    public ChunkManifest Run(ChunkContext ctx)
    {
        var spec = ctx.Spec;
        // Composited at the size the stages before drew (half the delivery size when the shot is upscaled), then enlarged.
        int w = spec.RenderResolution.Width, h = spec.RenderResolution.Height;
        var (dw, dh) = (spec.Resolution.Width, spec.Resolution.Height);
        var upscaler = spec.Upscale is null ? null : RealCuganUpscaler.Shared();
        bool vfx = spec.Effects.Count > 0;
        var frames = new List<FrameOutputs>();
        // an SDR frame's bytes, kept from frame to frame: only the columns the frame before wrote over its background are mended
        using var canvas = new Compositor.SrgbCanvas();
        foreach (int frame in ctx.Frames)
        {
            ctx.Cancellation.ThrowIfCancellationRequested();
            // The frame's full-frame images come from FramePool and go back once its blobs are in the vault (never the
            // background: LayerCache shares it between frames).
            using var lease = new FrameLease();
            var lit = ctx.Input(Stages.Raygen, frame);
            // A still shot's background is one blob for all its frames: decoded once (LayerCache); the cast shadows over it.
            var layers = new List<Layer> { new(LayerCache.Rgba(ctx.Vault, lit.Blobs["bg"])) };
            // A decoded layer is zero outside the box it was stored in: the compositor and the motion blur read that box alone.
            if (lit.Blobs.TryGetValue(RaygenStage.ShadowBlob, out var shadow))
            {
                var shadowLayer = FrameCodec.DecodeRgba(ctx.Vault.Get(shadow), out var shadowBox, out var shadowSpans);
                layers.Add(new Layer(lease.Own(shadowLayer, shadowBox)!) { Within = shadowBox, RowSpans = shadowSpans });
            }
            int below = layers.Count; // the background and its shadows
            var motion = frame > 0 ? Motion(ctx, frame) : null;
            var drawn = new List<(int Character, RgbaImage Sharp, RgbaImage Blurred)>();
            for (int c = 0; c < spec.Characters.Count; c++)
                if (lit.Blobs.TryGetValue(StageIo.CharacterBlob(c), out var hash))
                {
                    var sharp = FrameCodec.DecodeRgba(ctx.Vault.Get(hash), out var stored, out var sharpSpans);
                    var layer = sharp;
                    FrameCodec.Box? within = stored;
                    int[]? spans = sharpSpans; // the decoded rows' spans (not the blurred layer's)
                    if (motion is not null && motion.TryGetValue(c, out var points) && MotionBlur.FlowFromSeeds(layer, points, stored, out var flowBox) is { } flow)
                    {
                        // Without render passes nothing reads the sharp layer once it is blurred: blurred in place (no
                        // second frame's planes, no copy of the stored box), with the blurred rows' spans; otherwise a copy.
                        if (spec.Layers is null)
                        {
                            MotionBlur.ApplyInPlace(sharp, flow.Fx, flow.Fy, flowBox, stored, sharpSpans, out var blurred, out spans);
                            within = blurred;
                        }
                        else
                        {
                            layer = lease.Own(MotionBlur.Apply(layer, flow.Fx, flow.Fy, flowBox, stored, out within), within)!;
                            spans = null;
                        }
                        var flowWritten = new FrameCodec.Box(flowBox.X0, flowBox.Y0, flowBox.Width, flowBox.Height);
                        FramePool.Return(flow.Fx, w, flowWritten);
                        FramePool.Return(flow.Fy, w, flowWritten);
                    }
                    // the sharp layer (blurred in place: zero outside the blurred box) goes back with the frame's
                    lease.Own(sharp, layer == sharp ? within : stored);
                    layers.Add(new Layer(layer) { Within = within, RowSpans = spans });
                    if (spec.Layers is not null) drawn.Add((c, sharp, layer));
                }
            if (vfx)
            {
                var effects = FrameCodec.DecodeRgba(ctx.Vault.Get(ctx.Input(Stages.Stokes, frame).Blobs["vfx"]), out var vfxBox, out var vfxSpans);
                layers.Add(new Layer(lease.Own(effects, vfxBox)!) { Within = vfxBox, RowSpans = vfxSpans });
            }
            float exposure = ctx.FrameGains.TryGetValue(frame, out var gain) ? gain : 1f;
            // An SDR frame without render passes needs only the sRGB bytes: composited and tone-mapped row by row, no
            // full-frame linear composite (the same bytes).
            bool linearNeeded = spec.Delivery != "sdr" || spec.Layers is not null;
            var composite = linearNeeded ? lease.Own(Compositor.Composite(w, h, layers))! : null;
            byte[] rgb;
            if (composite is not null) rgb = lease.Own(Compositor.ToSrgb8(composite, exposure))!;
            else
            {
                // The background alone is tone-mapped once per blob and exposure (a still shot: every frame); each frame
                // blends and tone-maps only the columns its shadows, characters and effects touch (the same bytes).
                var background = layers[0];
                var belowSrgb = LayerCache.Srgb(lit.Blobs["bg"], exposure, () => Compositor.CompositeToSrgb8(w, h, [background], exposure));
                rgb = Compositor.CompositeToSrgb8(w, h, layers, exposure, 1, belowSrgb, canvas); // the canvas's: encoded before the next frame
            }
            if (upscaler is not null) rgb = upscaler.UpscaleTo(rgb, w, h, dw, dh);
            var final = ctx.Vault.Put(FrameCodec.EncodeRgb24(rgb, dw, dh), "final-frame");
            var outputs = new Dictionary<string, string> { ["final"] = final };
            // HDR10, ProRes and PNG16 are made from the linear-light frame (highlights above SDR white intact), not the 8-bit one.
            if (spec.Delivery != "sdr")
            {
                var linear = lease.Own(Compositor.Expose(composite!, exposure))!;
                if (upscaler is not null) linear = upscaler.UpscaleLinear(linear, dw, dh);
                outputs["linear"] = ctx.Vault.Put(FrameCodec.EncodeRgba(linear), "linear-frame");
            }
            if (spec.Layers is not null)
                foreach (var pass in Passes(ctx, frame, below == 1 ? layers[0].Image : Compositor.Composite(w, h, layers.GetRange(0, below)), drawn, vfx ? layers[^1].Image : null, exposure, composite!))
                    outputs[PassBlob(pass.Name)] = ctx.Vault.Put(RenderPasses.Encode(spec.Layers, pass, w, h), "render-pass");
            frames.Add(new FrameOutputs(frame, outputs));
        }
        return new ChunkManifest(Stage, ctx.Plan.Chunk, ctx.Plan.FirstFrame, frames);
    }

    /// <summary>The blob a frame's render pass is kept under (an EXR or PNG file).</summary>
    public static string PassBlob(string pass) => "pass/" + pass;

    /// <summary>The render passes of a frame (<see cref="RenderPasses"/>) from what RAYGEN, CHROMA and FLUX kept of it.</summary>
    static IReadOnlyList<RenderPass> Passes(ChunkContext ctx, int frame, RgbaImage background, List<(int Character, RgbaImage Sharp, RgbaImage Blurred)> drawn,
        RgbaImage? effects, float exposure, RgbaImage composite)
    {
        var spec = ctx.Spec;
        var lit = ctx.Input(Stages.Raygen, frame);
        var chroma = ctx.Input(Stages.Chroma, frame);
        var flux = ctx.Input(Stages.Flux, frame);
        var names = RenderPasses.CharacterPasses(spec.Characters.Select(c => c.Name).ToList());
        List<CharacterFrameMeta>? Seeds(int f) => f >= 0 && f < spec.FrameCount ? StageIo.ReadMeta<List<CharacterFrameMeta>>(ctx.Input(Stages.Raygen, f)) : null;
        var (now, next, before) = (Seeds(frame)!.ToDictionary(m => m.Character), Seeds(frame + 1)?.ToDictionary(m => m.Character), Seeds(frame - 1)?.ToDictionary(m => m.Character));
        int w = spec.Resolution.Width, h = spec.Resolution.Height;
        // Every character has its pass on every frame (empty where it is not drawn), so each sequence is whole.
        var characters = Enumerable.Range(0, spec.Characters.Count).Select(c =>
        {
            var d = drawn.FirstOrDefault(x => x.Character == c);
            if (d.Sharp is null || !now.TryGetValue(c, out var meta))
                return new CharacterPassInput(names[c], new RgbaImage(w, h), new RgbaImage(w, h), new RgbaImage(w, h), new GrayImage(w, h), new RgbaImage(w, h), null, float.NaN);
            string blob = StageIo.CharacterBlob(c);
            var forward = RenderPasses.ForwardMotion(meta.Seeds, next?.GetValueOrDefault(c)?.Seeds, before?.GetValueOrDefault(c)?.Seeds);
            return new CharacterPassInput(names[c], d.Blurred, d.Sharp, FrameCodec.DecodeRgba(ctx.Vault.Get(chroma.Blobs[blob])),
                FrameCodec.DecodeGray(ctx.Vault.Get(flux.Blobs[blob])), FrameCodec.DecodeRgba(ctx.Vault.Get(lit.Blobs[blob + "-light"])), forward, meta.GroundY);
        }).ToList();
        var parallax = FrameCodec.DecodeRgba(ctx.Vault.Get(lit.Blobs["depth"])).R; // RAYGEN keeps it in R, half float
        return RenderPasses.Frame(background, parallax, characters, effects, Talos.Gpu.Aether.AetherPresets.Lighting(spec.Lighting), exposure, composite);
    }

    /// <summary>FLUX's motion of each character into this frame (<see cref="MotionBlur.SeedMotion"/>), from the seeds passed on.</summary>
    static Dictionary<int, List<(float X, float Y, float Dx, float Dy)>> Motion(ChunkContext ctx, int frame)
    {
        var before = StageIo.ReadMeta<List<CharacterFrameMeta>>(ctx.Input(Stages.Raygen, frame - 1)).ToDictionary(m => m.Character);
        return StageIo.ReadMeta<List<CharacterFrameMeta>>(ctx.Input(Stages.Raygen, frame))
            .Where(m => before.ContainsKey(m.Character))
            .ToDictionary(m => m.Character, m => MotionBlur.SeedMotion(m.Seeds, before[m.Character].Seeds));
    }
}
