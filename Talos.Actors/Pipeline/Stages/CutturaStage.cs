using Talos.Gpu.Cuttura;
using Talos.Gpu.Imaging;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Specs;

namespace Talos.Actors.Pipeline.Stages;

using Stages = Talos.Messages.Stages;

/// <summary>CUTTURA for one shot: its final frames in order (a JSON list in the vault), the shot's own H.264 clip, and
/// (for the hdr10/prores/png16 deliveries, for layers) the lists of its linear frames and render passes.</summary>
public sealed class CutturaStage : IStageRunner
{
    public string Stage => Stages.Cuttura;
    public IReadOnlyList<string> DependsOn => [Stages.Anima];
    public IReadOnlyList<ChunkPlan> Plan(ShotSpec spec, int chunkFrames) => ChunkPlans.Single(Stage, spec.FrameCount);

    /// <summary>The vault asset listing a shot's render passes per frame (pass → blob of its EXR or PNG file), named after its 8-bit frame list.</summary>
    public static string LayersAsset(string framesHash) => Talos.Vault.DerivedAssets.LayerFrames(framesHash);

    public ChunkManifest Run(ChunkContext ctx)
    {
        var spec = ctx.Spec;
        var finals = ctx.Manifests(Stages.Anima).SelectMany(m => m.Frames).OrderBy(f => f.Frame).Select(f => f.Blobs["final"]).ToList();
        if (finals.Count != spec.FrameCount) throw new InvalidDataException($"ANIMA delivered {finals.Count} of {spec.FrameCount} frames");
        var framesHash = ctx.Vault.PutJson(finals, "frame-list");
        if (spec.Delivery != "sdr")
        {
            // The delivery's linear-light frames, filed under a name derived from the 8-bit list the shot reports.
            var linear = ctx.Manifests(Stages.Anima).SelectMany(m => m.Frames).OrderBy(f => f.Frame)
                .Select(f => f.Blobs.TryGetValue("linear", out var h) ? h : throw new InvalidDataException($"ANIMA kept no linear frame {f.Frame} for the {spec.Delivery} delivery"))
                .ToList();
            ctx.Vault.PutAsset(Talos.Actors.Hephaestus.ProductionEditor.LinearFramesAsset(framesHash),
                System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(linear, Talos.Messages.Serialization.ShotEventSerializer.Json), "linear-frame-list");
        }
        if (spec.Layers is not null)
        {
            // The render passes' files per frame (pass → blob), filed like the linear frames.
            var passes = ctx.Manifests(Stages.Anima).SelectMany(m => m.Frames).OrderBy(f => f.Frame)
                .Select(f => f.Blobs.Where(b => b.Key.StartsWith(AnimaStage.PassBlob(""), StringComparison.Ordinal))
                    .ToDictionary(b => b.Key[AnimaStage.PassBlob("").Length..], b => b.Value))
                .ToList();
            if (passes.Any(p => p.Count == 0)) throw new InvalidDataException($"ANIMA kept no render passes of some frames for layers '{spec.Layers}'");
            ctx.Vault.PutAsset(LayersAsset(framesHash),
                System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(passes, Talos.Messages.Serialization.ShotEventSerializer.Json), "layer-frame-list");
        }
        var video = EncodeShot(ctx, finals);
        return new ChunkManifest(Stage, 0, 0, [new FrameOutputs(0, new Dictionary<string, string> { ["video"] = video, ["frames"] = framesHash })],
            Note: Notes.Write(new CutOutcome(framesHash, video, finals.Count)));
    }

    /// <summary>The shot's own H.264 clip of the given 8-bit frames (vault hashes, in order), put in the vault; its hash. A review
    /// clip, not part of the film (the edit encodes the film from the frames): x264 at <see cref="VideoEncoder.ClipPreset"/>.</summary>
    public static string EncodeShot(ChunkContext ctx, IReadOnlyList<string> finals)
    {
        var spec = ctx.Spec;
        var tmp = Path.Combine(Path.GetTempPath(), $"talos-shot-{Guid.NewGuid():N}.mp4");
        try
        {
            // one buffer for the clip: the encoder writes each frame to ffmpeg before it asks for the next
            var window = new Rgb24Window(1, spec.Resolution.Width, spec.Resolution.Height, i => ctx.Vault.Get(finals[i]));
            var frames = Enumerable.Range(0, finals.Count).Select(i => window[i]);
            VideoEncoder.EncodeH264Async(frames, spec.Resolution.Width, spec.Resolution.Height, spec.Fps, tmp, ct: ctx.Cancellation,
                preset: VideoEncoder.ClipPreset)
                .GetAwaiter().GetResult();
            return ctx.Vault.Put(File.ReadAllBytes(tmp), "shot-video");
        }
        finally { File.Delete(tmp); }
    }
}
