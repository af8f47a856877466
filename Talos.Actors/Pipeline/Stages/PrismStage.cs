using Talos.Gpu.Prism;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Specs;

namespace Talos.Actors.Pipeline.Stages;

using Stages = Talos.Messages.Stages;

/// <summary>
/// PRISM inside a shot: re-validates the spec against the stage libraries (rigs, poses, presets, effects, assets
/// in the vault) and records the shot plan the later stages follow. Screenplays and prompts are turned into shot
/// specs before admission (Talos.Gpu/Prism).
/// </summary>
public sealed class PrismStage : IStageRunner
{
    public string Stage => Stages.Prism;
    public IReadOnlyList<string> DependsOn => [];
    public IReadOnlyList<ChunkPlan> Plan(ShotSpec spec, int chunkFrames) => ChunkPlans.Single(Stage, spec.FrameCount);

    public ChunkManifest Run(ChunkContext ctx)
    {
        var spec = ctx.Spec;
        var json = ShotSpecJson.Serialize(spec);
        ShotSpecJson.Parse(json); // every rule of the spec, once more, on the node that renders it
        foreach (var c in spec.Characters)
            Talos.Gpu.Axis.RigAssets.Resolve(c.Rig, ctx.Asset); // a rig file by content: in the vault, and it loads (drawings and all)
        foreach (var c in spec.Characters)
            foreach (var k in c.KeyframeImages)
                if (ctx.Vault.ResolveAsset(k.Asset) is null) throw new InvalidDataException($"unknown keyframe image asset '{k.Asset}'");
        RaygenStage.LoadPlate(ctx); // every plate image and depth map there and sound: one clear error now, not in a RAYGEN chunk
        if (spec.Audio is { } a && ctx.Vault.ResolveAsset(a.Asset) is null) throw new InvalidDataException($"unknown audio asset '{a.Asset}'");
        for (int i = 0; i < spec.Dialogue.Count; i++)
            if (spec.Dialogue[i].Audio is { } voice && ctx.Vault.ResolveAsset(voice) is null)
                throw new InvalidDataException($"unknown audio asset '{voice}' (dialogue line {i + 1})");
        for (int i = 0; i < spec.Sounds.Count; i++)
            if (spec.Sounds[i].Asset is { } sound && ctx.Vault.ResolveAsset(sound) is null)
                throw new InvalidDataException($"unknown audio asset '{sound}' (sound cue {i + 1}, '{spec.Sounds[i].Name}')");
        var plan = ctx.Vault.Put(System.Text.Encoding.UTF8.GetBytes(json), "shot-plan");
        return new ChunkManifest(Stage, 0, 0, [new FrameOutputs(0, new Dictionary<string, string> { ["plan"] = plan })]);
    }
}
