using Talos.Gpu.Axis;
using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Specs;

namespace Talos.Actors.Pipeline.Stages;

using Stages = Talos.Messages.Stages;

/// <summary>
/// FLUX: every frame's drawing. Rig characters are inbetweened in rig space (eased pose, position and camera)
/// and drawn; characters given as artists' keyframe images hold their latest key drawing (image-space
/// inbetweening is the next step for them).
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
        foreach (int frame in ctx.Frames)
        {
            ctx.Cancellation.ThrowIfCancellationRequested();
            var blobs = new Dictionary<string, string>();
            var metas = new List<CharacterFrameMeta>();
            var camera = CameraPath.At(spec.Camera, frame);
            for (int c = 0; c < spec.Characters.Count; c++)
            {
                var ch = spec.Characters[c];
                string name = StageIo.CharacterBlob(c);
                if (ch.Keyframes.Count == 0 && ch.KeyframeImages.Count > 0)
                {
                    var held = axis.Where(f => f.Blobs.ContainsKey(name) && StageIo.ReadMeta<CharacterFrameMeta>(f).Drawn)
                        .OrderBy(f => f.Frame).LastOrDefault(f => f.Frame <= frame)
                        ?? axis.Where(f => f.Blobs.ContainsKey(name)).OrderBy(f => f.Frame).First();
                    blobs[name] = held.Blobs[name];
                    metas.Add(StageIo.ReadMeta<CharacterFrameMeta>(held));
                    continue;
                }
                var state = MotionInterpolator.Evaluate(ch, frame, spec.Fps);
                var drawing = LineArt.Draw(Rigs.Get(ch.Rig), state.Pose, state.X, state.Facing, camera, w, h);
                blobs[name] = ctx.Vault.Put(FrameCodec.EncodeGray(drawing.Lines), "flux-lines");
                metas.Add(new CharacterFrameMeta(c, drawing.Seeds, drawing.GroundY, false));
            }
            frames.Add(new FrameOutputs(frame, blobs, StageIo.Meta(metas)));
        }
        return new ChunkManifest(Stage, ctx.Plan.Chunk, ctx.Plan.FirstFrame, frames);
    }
}
