using Talos.Messages.Commands;
using Talos.Messages.Specs;
using Talos.Vault;

namespace Talos.Actors.Pipeline;

using S = Talos.Messages.Stages;

/// <summary>
/// Everything a chunk needs: the shot, its frames, the vault, and the manifests of the stages it depends on.
/// Runners are plain functions of this context: they read inputs by hash and write outputs to the vault.
/// </summary>
public sealed class ChunkContext(ShotSpec spec, ChunkPlan plan, IBlobVault vault,
    IReadOnlyDictionary<string, IReadOnlyList<string>> inputs, IReadOnlyDictionary<int, string> ownCompleted,
    int revision, IReadOnlyDictionary<int, float> frameGains, CancellationToken cancellation)
{
    readonly Dictionary<string, ChunkManifest> _cache = new();

    /// <summary>The shot as this chunk's stage sees it (<see cref="StageSpec"/>).</summary>
    public ShotSpec Spec { get; } = StageSpec(plan.Stage, spec);
    public ChunkPlan Plan { get; } = plan;
    public IBlobVault Vault { get; } = vault;
    public int Revision { get; } = revision;
    public IReadOnlyDictionary<int, float> FrameGains { get; } = frameGains;
    public CancellationToken Cancellation { get; } = cancellation;
    /// <summary>Manifest hashes of chunks of this same stage already recorded (sequential stages read the previous one).</summary>
    public IReadOnlyDictionary<int, string> OwnCompleted { get; } = ownCompleted;
    /// <summary>
    /// Cores a chunk's own parallel loops may use: the node's cores over its chunk slots, at least 1 (the pool runs a
    /// chunk per slot, so a stage's worker team beyond that only spins against the node's other chunks); 0 = all cores
    /// (a context made outside a worker pool: tests, tools).
    /// </summary>
    public int Cores { get; init; }

    /// <summary>The stages that draw at <see cref="ShotSpec.RenderResolution"/>: everything ANIMA composites.</summary>
    static readonly IReadOnlySet<string> RenderSized = new HashSet<string> { S.Axis, S.Flux, S.Chroma, S.Raygen, S.Stokes };

    /// <summary>
    /// <paramref name="spec"/> as <paramref name="stage"/> sees it: for a shot that is upscaled (<see cref="ShotSpec.Upscale"/>),
    /// AXIS, FLUX, CHROMA, RAYGEN and STOKES get the shot at its <see cref="ShotSpec.RenderResolution"/> (and no upscale), so
    /// they draw the smaller frame with no code of their own; PRISM (which validates the whole spec), ANIMA (which composites
    /// at the rendering size and upscales to the delivery size), CUTTURA and ECHO get the spec as given. A chunk's identity is
    /// always made from the spec as given (<see cref="ChunkIdentity"/>).
    /// </summary>
    public static ShotSpec StageSpec(string stage, ShotSpec spec) =>
        spec.Upscale is null || !RenderSized.Contains(stage) ? spec : spec with { Resolution = spec.RenderResolution, Upscale = null };

    public IEnumerable<int> Frames => Enumerable.Range(Plan.FirstFrame, Plan.FrameCount);

    /// <summary>A vault asset's bytes by name or <c>sha256/HASH</c> (rig files and drawings, dialogue voices, keyframe colours), null when absent.</summary>
    public byte[]? Asset(string name) => Vault.Asset(name);

    /// <summary>All chunk manifests of an upstream stage, in chunk order.</summary>
    public IReadOnlyList<ChunkManifest> Manifests(string stage)
    {
        if (!inputs.TryGetValue(stage, out var hashes)) throw new InvalidOperationException($"{Plan.Stage} has no input from {stage}");
        return hashes.Select(Load).ToList();
    }

    public ChunkManifest Load(string hash)
    {
        lock (_cache)
        {
            if (!_cache.TryGetValue(hash, out var m)) _cache[hash] = m = ChunkManifest.Load(Vault, hash);
            return m;
        }
    }

    /// <summary>The outputs of an upstream stage for one frame (upstream stages chunked by frame).</summary>
    public FrameOutputs Input(string stage, int frame)
    {
        foreach (var m in Manifests(stage))
            foreach (var f in m.Frames)
                if (f.Frame == frame) return f;
        throw new InvalidDataException($"{stage} has no output for frame {frame}");
    }
}

/// <summary>One pipeline stage: how it splits a shot into chunks and how it renders one chunk.</summary>
public interface IStageRunner
{
    string Stage { get; }
    IReadOnlyList<string> DependsOn { get; }
    /// <summary>Sequential stages (STOKES: a simulation in time) run their chunks one after another.</summary>
    bool Sequential => false;
    IReadOnlyList<ChunkPlan> Plan(ShotSpec spec, int chunkFrames);
    ChunkManifest Run(ChunkContext context);
}

public static class ChunkPlans
{
    /// <summary>Frames [0, n) in chunks of chunkFrames.</summary>
    public static IReadOnlyList<ChunkPlan> ByFrames(string stage, int frameCount, int chunkFrames)
    {
        var list = new List<ChunkPlan>();
        for (int c = 0, f = 0; f < frameCount; c++, f += chunkFrames)
            list.Add(new ChunkPlan(stage, c, f, Math.Min(chunkFrames, frameCount - f)));
        return list;
    }

    public static IReadOnlyList<ChunkPlan> Single(string stage, int frameCount) => [new ChunkPlan(stage, 0, 0, frameCount)];
}
