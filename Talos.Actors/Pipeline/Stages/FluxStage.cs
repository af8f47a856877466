using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Specs;

namespace Talos.Actors.Pipeline.Stages;

using Stages = Talos.Messages.Stages;

/// <summary>
/// FLUX: every frame's drawing of each character (<see cref="ShotDrawing"/>): rigs inbetweened in rig space, keyframe
/// images in image space between AXIS's drawn keys. Image keys carry no region seeds, so CHROMA fills them from a
/// coloured first key or leaves their ink unfilled.
/// </summary>
public sealed class FluxStage : IStageRunner
{
    public string Stage => Stages.Flux;
    public IReadOnlyList<string> DependsOn => [Stages.Axis];
    public IReadOnlyList<ChunkPlan> Plan(ShotSpec spec, int chunkFrames) => ChunkPlans.ByFrames(Stage, spec.FrameCount, chunkFrames);

    public ChunkManifest Run(ChunkContext ctx)
    {
        var spec = ctx.Spec;
        int w = spec.Resolution.Width, h = spec.Resolution.Height;
        var axis = ctx.Manifests(Stages.Axis).SelectMany(m => m.Frames).ToList();
        var frames = new List<FrameOutputs>();
        var keyPixels = new Dictionary<string, GrayImage>();
        GrayImage Key(string hash) => keyPixels.TryGetValue(hash, out var img) ? img : keyPixels[hash] = Decode(ctx, hash, w, h);
        using var lips = AxisStage.LipSync(ctx);
        using var drawing = new ShotDrawing(spec, lips, ctx.Asset);
        foreach (int frame in ctx.Frames)
        {
            ctx.Cancellation.ThrowIfCancellationRequested();
            var blobs = new Dictionary<string, string>();
            var metas = new List<CharacterFrameMeta>();
            for (int c = 0; c < spec.Characters.Count; c++)
            {
                string name = StageIo.CharacterBlob(c);
                if (ShotDrawing.FromImages(spec.Characters[c]))
                {
                    var drawn = axis.Where(f => f.Blobs.ContainsKey(name) && StageIo.ReadMeta<CharacterFrameMeta>(f).Drawn)
                        .OrderBy(f => f.Frame).ToList();
                    if (drawn.Count == 0) throw new InvalidOperationException($"AXIS has no drawn key of character {c}");
                    var (from, to, t) = ShotDrawing.Span(drawn.Select(f => f.Frame).ToList(), frame);
                    var (ka, kb) = (drawn[from], drawn[to]);
                    if (from == to)
                    {
                        blobs[name] = ka.Blobs[name];
                        metas.Add(StageIo.ReadMeta<CharacterFrameMeta>(ka));
                        continue;
                    }
                    var (a, b) = (ka.Blobs[name], kb.Blobs[name]);
                    var between = drawing.Inbetween((a, b), Key(a), Key(b), t);
                    blobs[name] = ctx.Vault.Put(FrameCodec.EncodeGray(between), "flux-lines");
                    FramePool.Return(between.Data); // encoded: the next inbetween reuses its plane
                    metas.Add(new CharacterFrameMeta(c, [], StageIo.ReadMeta<CharacterFrameMeta>(ka).GroundY, true));
                    continue;
                }
                var rig = drawing.Rig(c, frame);
                // encoded in the box the rasterizer inked (the same bytes as searching the whole frame), then given back
                // with only that box cleared: the next drawing's ink plane (StrokeRasterizer rents it)
                blobs[name] = ctx.Vault.Put(FrameCodec.EncodeGray(rig.Lines, rig.Written), "flux-lines");
                FramePool.Return(rig.Lines, rig.Written);
                metas.Add(new CharacterFrameMeta(c, rig.Seeds, rig.GroundY, false));
            }
            frames.Add(new FrameOutputs(frame, blobs, StageIo.Meta(metas)));
        }
        return new ChunkManifest(Stage, ctx.Plan.Chunk, ctx.Plan.FirstFrame, frames);
    }

    static GrayImage Decode(ChunkContext ctx, string hash, int w, int h)
    {
        var img = FrameCodec.DecodeGray(ctx.Vault.Get(hash));
        if (img.Width != w || img.Height != h) throw new InvalidDataException($"key drawing {hash} is {img.Width}x{img.Height}, the shot is {w}x{h}");
        return img;
    }
}
