using Talos.Gpu.Chroma;
using Talos.Gpu.Imaging;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Specs;

namespace Talos.Actors.Pipeline.Stages;

using Stages = Talos.Messages.Stages;

/// <summary>CHROMA: each character's line art labelled into regions and filled from its palette.</summary>
public sealed class ChromaStage : IStageRunner
{
    static readonly Rgb Ink = Rgb.FromHex("#1b1620");

    public string Stage => Stages.Chroma;
    public IReadOnlyList<string> DependsOn => [Stages.Flux];
    public IReadOnlyList<ChunkPlan> Plan(ShotSpec spec, int chunkFrames) => ChunkPlans.ByFrames(Stage, spec.FrameCount, chunkFrames);

    public ChunkManifest Run(ChunkContext ctx)
    {
        var spec = ctx.Spec;
        var palettes = spec.Characters.Select(c => StageIo.PaletteFor(spec, c)).ToList();
        var frames = new List<FrameOutputs>();
        foreach (int frame in ctx.Frames)
        {
            ctx.Cancellation.ThrowIfCancellationRequested();
            var flux = ctx.Input(Stages.Flux, frame);
            var metas = StageIo.ReadMeta<List<CharacterFrameMeta>>(flux);
            var blobs = new Dictionary<string, string>();
            foreach (var meta in metas)
            {
                string name = StageIo.CharacterBlob(meta.Character);
                var lines = FrameCodec.DecodeGray(ctx.Vault.Get(flux.Blobs[name]));
                var layer = ChromaFill.Fill(lines, meta.Seeds, palettes[meta.Character], Ink, out _);
                blobs[name] = ctx.Vault.Put(FrameCodec.EncodeRgba(layer), "chroma-layer");
            }
            frames.Add(new FrameOutputs(frame, blobs, flux.Meta));
        }
        return new ChunkManifest(Stage, ctx.Plan.Chunk, ctx.Plan.FirstFrame, frames);
    }
}
