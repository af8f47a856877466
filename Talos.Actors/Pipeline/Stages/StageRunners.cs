using System.Text.Json;
using Talos.Messages;
using Talos.Messages.Serialization;
using Talos.Messages.Specs;
using Talos.Gpu.Axis;
using Talos.Gpu.Imaging;

namespace Talos.Actors.Pipeline;

/// <summary>The default pipeline: one runner per stage, each a thin adapter from vault hashes to a Talos.Gpu stage function.</summary>
public static class StageRunners
{
    public static IReadOnlyDictionary<string, IStageRunner> Create() => new IStageRunner[]
    {
        new Stages.PrismStage(), new Stages.AxisStage(), new Stages.FluxStage(), new Stages.ChromaStage(),
        new Stages.RaygenStage(), new Stages.StokesStage(), new Stages.AnimaStage(), new Stages.CutturaStage(), new Stages.EchoStage(),
    }.ToDictionary(r => r.Stage);
}

/// <summary>What FLUX records per character per frame, for CHROMA and RAYGEN.</summary>
public sealed record CharacterFrameMeta(int Character, IReadOnlyList<RegionSeed> Seeds, float GroundY, bool Drawn);

internal static class StageIo
{
    public static string PutJson<T>(this Talos.Vault.IBlobVault vault, T value, string kind) =>
        vault.Put(JsonSerializer.SerializeToUtf8Bytes(value, ShotEventSerializer.Json), kind);

    public static T GetJson<T>(this Talos.Vault.IBlobVault vault, string hash) =>
        JsonSerializer.Deserialize<T>(vault.Get(hash), ShotEventSerializer.Json) ?? throw new InvalidDataException($"blob {hash} holds no JSON");

    public static string Meta<T>(T value) => JsonSerializer.Serialize(value, ShotEventSerializer.Json);

    public static T ReadMeta<T>(FrameOutputs f) =>
        JsonSerializer.Deserialize<T>(f.Meta ?? throw new InvalidDataException($"frame {f.Frame} has no metadata"), ShotEventSerializer.Json)!;

    public static string CharacterBlob(int index) => $"c{index}";
}
