using Talos.Gpu.Anima;
using Talos.Gpu.Imaging;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Specs;

namespace Talos.Actors.Pipeline.Stages;

using Stages = Talos.Messages.Stages;

/// <summary>
/// ANIMA FRAME: background, characters (in cast order, later in front) and the VFX layer composited in linear
/// light, tone-mapped to 8-bit sRGB. A revision applies ECHO's per-frame exposure gains.
/// </summary>
public sealed class AnimaStage : IStageRunner
{
    public string Stage => Stages.Anima;
    public IReadOnlyList<string> DependsOn => [Stages.Raygen, Stages.Stokes];
    public IReadOnlyList<ChunkPlan> Plan(ShotSpec spec, int chunkFrames) => ChunkPlans.ByFrames(Stage, spec.FrameCount, chunkFrames);

    public ChunkManifest Run(ChunkContext ctx)
    {
        var spec = ctx.Spec;
        int w = spec.Resolution.Width, h = spec.Resolution.Height;
        bool vfx = spec.Effects.Count > 0;
        var frames = new List<FrameOutputs>();
        foreach (int frame in ctx.Frames)
        {
            ctx.Cancellation.ThrowIfCancellationRequested();
            var lit = ctx.Input(Stages.Raygen, frame);
            var layers = new List<Layer> { new(FrameCodec.DecodeRgba(ctx.Vault.Get(lit.Blobs["bg"]))) };
            for (int c = 0; c < spec.Characters.Count; c++)
                if (lit.Blobs.TryGetValue(StageIo.CharacterBlob(c), out var hash))
                    layers.Add(new Layer(FrameCodec.DecodeRgba(ctx.Vault.Get(hash))));
            if (vfx)
                layers.Add(new Layer(FrameCodec.DecodeRgba(ctx.Vault.Get(ctx.Input(Stages.Stokes, frame).Blobs["vfx"]))));
            var composite = Compositor.Composite(w, h, layers);
            float exposure = ctx.FrameGains.TryGetValue(frame, out var gain) ? gain : 1f;
            var rgb = Compositor.ToSrgb8(composite, exposure);
            var final = ctx.Vault.Put(FrameCodec.EncodeRgb24(rgb, w, h), "final-frame");
            var outputs = new Dictionary<string, string> { ["final"] = final };
            // HDR10, ProRes and PNG16 are made from the linear-light frame (highlights above SDR white intact), not the 8-bit one.
            if (spec.Delivery != "sdr") outputs["linear"] = ctx.Vault.Put(FrameCodec.EncodeRgba(Compositor.Expose(composite, exposure)), "linear-frame");
            frames.Add(new FrameOutputs(frame, outputs));
        }
        return new ChunkManifest(Stage, ctx.Plan.Chunk, ctx.Plan.FirstFrame, frames);
    }
}
