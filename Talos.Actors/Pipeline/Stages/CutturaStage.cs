using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Specs;

namespace Talos.Actors.Pipeline.Stages;

using Stages = Talos.Messages.Stages;

/// <summary>CUTTURA for one shot: its final frames in order (a JSON list in the vault) and (for the hdr10/prores/png16
/// deliveries, for layers) the lists of its linear frames and render passes. The shot's own H.264 review clip is not
/// made here: <see cref="ShotClips"/> encodes it from the frame list the first time something asks for it.</summary>
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
        // no clip: a shot's review clip is made the first time something asks for it (ShotClips), not on every render
        return new ChunkManifest(Stage, 0, 0, [new FrameOutputs(0, new Dictionary<string, string> { ["frames"] = framesHash })],
            Note: Notes.Write(new CutOutcome(framesHash, null, finals.Count)));
    }
}
