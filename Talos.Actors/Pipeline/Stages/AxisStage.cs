using Talos.Gpu.Axis;
using Talos.Gpu.Axis.LipSync;
using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Specs;

namespace Talos.Actors.Pipeline.Stages;

using Stages = Talos.Messages.Stages;

/// <summary>
/// AXIS: one line-art keyframe drawing per key of every character — the rig posed and drawn, or the artist's own
/// keyframe image imported as ink coverage. Chunked over keys. A key on a frame where its character speaks shows the
/// lip-sync mouth heard on that frame (<see cref="ShotLipSync"/>), as FLUX's frames do.
/// </summary>
public sealed class AxisStage : IStageRunner
{
    public string Stage => Stages.Axis;
    public IReadOnlyList<string> DependsOn => [Stages.Prism];

    /// <summary>Keys in a stable order: (character, key index, frame, drawn?).</summary>
    internal static List<(int Character, int Key, int Frame, bool Drawn)> Keys(ShotSpec spec)
    {
        var keys = new List<(int, int, int, bool)>();
        for (int c = 0; c < spec.Characters.Count; c++)
        {
            var ch = spec.Characters[c];
            for (int k = 0; k < ch.Keyframes.Count; k++) keys.Add((c, k, ch.Keyframes[k].Frame, false));
            for (int k = 0; k < ch.KeyframeImages.Count; k++) keys.Add((c, k, ch.KeyframeImages[k].Frame, true));
        }
        return keys;
    }

    public IReadOnlyList<ChunkPlan> Plan(ShotSpec spec, int chunkFrames) => ChunkPlans.ByFrames(Stage, Keys(spec).Count, chunkFrames);

    public ChunkManifest Run(ChunkContext ctx)
    {
        var spec = ctx.Spec;
        int w = spec.Resolution.Width, h = spec.Resolution.Height;
        var keys = Keys(spec);
        var frames = new List<FrameOutputs>();
        using var lips = LipSync(ctx);
        foreach (int i in ctx.Frames)
        {
            ctx.Cancellation.ThrowIfCancellationRequested();
            var (c, k, frame, drawn) = keys[i];
            var ch = spec.Characters[c];
            GrayImage lines;
            IReadOnlyList<RegionSeed> seeds;
            float groundY;
            FrameCodec.Box written; // every pixel outside it is zero
            if (drawn)
            {
                lines = ImportDrawing(ctx, ch.KeyframeImages[k].Asset, w, h);
                seeds = [];
                groundY = h * 0.82f;
                written = new FrameCodec.Box(0, 0, w, h);
            }
            else
            {
                var key = ch.Keyframes[k];
                var pose = PoseLibrary.Resolve(key.Pose, key.Emotion, 0);
                var drawing = LineArt.Draw(RigAssets.Resolve(ch.Rig, ctx.Asset), pose, key.X, key.Facing, CameraPath.At(spec.Camera, frame), w, h, lips?.MouthAt(c, frame));
                (lines, seeds, groundY, written) = (drawing.Lines, drawing.Seeds, drawing.GroundY, drawing.Written);
            }
            var hash = ctx.Vault.Put(FrameCodec.EncodeGray(lines, written), "axis-key");
            FramePool.Return(lines, written); // encoded: the next key's drawing (or FLUX's) draws into this plane
            frames.Add(new FrameOutputs(frame, new Dictionary<string, string> { [StageIo.CharacterBlob(c)] = hash },
                StageIo.Meta(new CharacterFrameMeta(c, seeds, groundY, drawn))));
        }
        return new ChunkManifest(Stage, ctx.Plan.Chunk, ctx.Plan.FirstFrame, frames);
    }

    /// <summary>The shot's lip-sync over the vault's assets (dialogue voices), or null when nobody speaks.</summary>
    internal static ShotLipSync? LipSync(ChunkContext ctx) =>
        ShotLipSync.Speaks(ctx.Spec) ? new ShotLipSync(ctx.Spec, ctx.Asset) : null;

    /// <summary>An artist's PNG keyframe as ink coverage (dark, opaque strokes are ink), scaled to the frame (nearest) when its size differs.</summary>
    static GrayImage ImportDrawing(ChunkContext ctx, string asset, int w, int h)
    {
        var hash = ctx.Vault.ResolveAsset(asset) ?? throw new InvalidDataException($"unknown keyframe image asset '{asset}'");
        return KeyImages.ReadInk(ctx.Vault.Get(hash), $"keyframe image {asset}", w, h);
    }
}
