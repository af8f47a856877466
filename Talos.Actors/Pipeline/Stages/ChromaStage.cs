using Talos.Gpu.Chroma;
using Talos.Gpu.Imaging;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Specs;

namespace Talos.Actors.Pipeline.Stages;

using Stages = Talos.Messages.Stages;

/// <summary>
/// CHROMA: each character's FLUX line art filled into a colour layer (<see cref="ShotColouring"/>: seeds and palette for
/// rig characters, colours carried from a coloured first key image otherwise, graded by the shot's mood).
/// </summary>
public sealed class ChromaStage : IStageRunner
{
    public string Stage => Stages.Chroma;
    public IReadOnlyList<string> DependsOn => [Stages.Flux];
    public IReadOnlyList<ChunkPlan> Plan(ShotSpec spec, int chunkFrames) => ChunkPlans.ByFrames(Stage, spec.FrameCount, chunkFrames);

    public ChunkManifest Run(ChunkContext ctx)
    {
        var colouring = new ShotColouring(ctx.Spec, ctx.Asset);
        var frames = new List<FrameOutputs>();
        foreach (int frame in ctx.Frames)
        {
            ctx.Cancellation.ThrowIfCancellationRequested();
            var flux = ctx.Input(Stages.Flux, frame);
            var blobs = new Dictionary<string, string>();
            foreach (var meta in StageIo.ReadMeta<List<CharacterFrameMeta>>(flux))
            {
                string name = StageIo.CharacterBlob(meta.Character);
                var lines = Lines(ctx, flux, name);
                var layer = colouring.Layer(meta.Character, frame, lines, meta.Seeds,
                    f => Lines(ctx, ctx.Input(Stages.Flux, f), name), ctx.Cancellation);
                // the layer is zero outside the painted rectangle: the codec reads only that (same bytes, fewer pages touched)
                blobs[name] = ctx.Vault.Put(FrameCodec.EncodeRgba(layer, ChromaFill.LayerBounds(lines)), "chroma-layer");
            }
            frames.Add(new FrameOutputs(frame, blobs, flux.Meta));
        }
        return new ChunkManifest(Stage, ctx.Plan.Chunk, ctx.Plan.FirstFrame, frames);
    }

    static GrayImage Lines(ChunkContext ctx, FrameOutputs flux, string name) => FrameCodec.DecodeGray(ctx.Vault.Get(flux.Blobs[name]));
}
