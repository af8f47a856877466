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
/// and drawn; characters given as artists' keyframe images are inbetweened in image space between the two drawn
/// keys around the frame (optical flow both ways, occlusion-aware warping; <see cref="ImageInbetweener"/>), and the
/// first key holds before it, the last after it. With a model configured (TALOS_FLUX_MODEL) the ONNX interpolator
/// draws the inbetweens instead. Image keys carry no region seeds, so CHROMA leaves their ink unfilled.
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
        var pairs = new Dictionary<(string, string), ImageInbetweener>();
        var keyPixels = new Dictionary<string, GrayImage>();
        using var model = spec.Characters.Any(ch => ch.Keyframes.Count == 0 && ch.KeyframeImages.Count > 0) ? OnnxInterpolator.FromEnvironment() : null;
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
                    var drawn = axis.Where(f => f.Blobs.ContainsKey(name) && StageIo.ReadMeta<CharacterFrameMeta>(f).Drawn)
                        .OrderBy(f => f.Frame).ToList();
                    if (drawn.Count == 0) throw new InvalidOperationException($"AXIS has no drawn key of character {c}");
                    int after = drawn.FindIndex(f => f.Frame > frame);
                    FrameOutputs? exact = drawn.LastOrDefault(f => f.Frame == frame);
                    if (exact is not null || after <= 0)
                    {
                        var held = exact ?? (after == 0 ? drawn[0] : drawn[^1]);
                        blobs[name] = held.Blobs[name];
                        metas.Add(StageIo.ReadMeta<CharacterFrameMeta>(held));
                        continue;
                    }
                    var (ka, kb) = (drawn[after - 1], drawn[after]);
                    var key = (ka.Blobs[name], kb.Blobs[name]);
                    double t = (double)(frame - ka.Frame) / (kb.Frame - ka.Frame);
                    GrayImage Key(string hash) => keyPixels.TryGetValue(hash, out var img) ? img : keyPixels[hash] = Decode(ctx, hash, w, h);
                    GrayImage inbetween;
                    if (model is not null) inbetween = model.Interpolate(Key(key.Item1), Key(key.Item2), t);
                    else
                    {
                        if (!pairs.TryGetValue(key, out var between)) pairs[key] = between = ImageInbetweener.FromInk(Key(key.Item1), Key(key.Item2));
                        inbetween = between.InkAt(t);
                    }
                    blobs[name] = ctx.Vault.Put(FrameCodec.EncodeGray(inbetween), "flux-lines");
                    var meta = StageIo.ReadMeta<CharacterFrameMeta>(ka);
                    metas.Add(new CharacterFrameMeta(c, [], meta.GroundY, true));
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

    static GrayImage Decode(ChunkContext ctx, string hash, int w, int h)
    {
        var img = FrameCodec.DecodeGray(ctx.Vault.Get(hash));
        if (img.Width != w || img.Height != h) throw new InvalidDataException($"key drawing {hash} is {img.Width}x{img.Height}, the shot is {w}x{h}");
        return img;
    }
}
