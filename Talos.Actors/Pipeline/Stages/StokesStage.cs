using Talos.Gpu.Imaging;
using Talos.Gpu.Stokes;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Specs;

namespace Talos.Actors.Pipeline.Stages;

using Stages = Talos.Messages.Stages;

/// <summary>
/// STOKES: the shot's effects as a stable-fluids simulation rendered to a VFX layer per frame. A simulation runs
/// forward in time, so chunks run in order; each chunk stores the solver state it ended on, and the next chunk
/// continues from it bit-exactly (so a recovered shot resumes mid-simulation).
/// </summary>
public sealed class StokesStage : IStageRunner
{
    public string Stage => Stages.Stokes;
    public IReadOnlyList<string> DependsOn => [Stages.Flux];
    public bool Sequential => true;

    public IReadOnlyList<ChunkPlan> Plan(ShotSpec spec, int chunkFrames) =>
        spec.Effects.Count == 0 ? [] : ChunkPlans.ByFrames(Stage, spec.FrameCount, chunkFrames);

    public ChunkManifest Run(ChunkContext ctx)
    {
        var spec = ctx.Spec;
        int w = spec.Resolution.Width, h = spec.Resolution.Height;
        // the solver's worker team gets the chunk's share of the node's cores (one on a node with a chunk slot per core:
        // a second thread would only spin against the node's other chunks); the kernels give the same bits for any
        // thread count, so the state and the layers do not depend on it
        var solver = new SolverOptions { Threads = ctx.Cores };
        EffectsSimulation sim;
        if (ctx.Plan.Chunk == 0)
            sim = new EffectsSimulation(spec.Effects, spec.Fps, new StokesSettings { Aspect = (double)w / h, Solver = solver });
        else
        {
            if (!ctx.OwnCompleted.TryGetValue(ctx.Plan.Chunk - 1, out var previous))
                throw new InvalidOperationException($"STOKES chunk {ctx.Plan.Chunk} needs chunk {ctx.Plan.Chunk - 1} first");
            var state = ctx.Load(previous).State ?? throw new InvalidDataException($"STOKES chunk {ctx.Plan.Chunk - 1} recorded no state");
            sim = EffectsSimulation.LoadState(ctx.Vault.Get(state), spec.Effects, spec.Fps, new StokesSettings { Solver = solver });
        }
        var frames = new List<FrameOutputs>();
        foreach (int frame in ctx.Frames)
        {
            ctx.Cancellation.ThrowIfCancellationRequested();
            sim.AdvanceTo(frame);
            // the layer from FramePool, encoded in the box the renderer drew in (the same bytes as searching the whole frame), then given back
            var layer = sim.Render(w, h, out var drawn);
            var hash = ctx.Vault.Put(FrameCodec.EncodeRgba(layer, drawn), "stokes-layer");
            FramePool.Return(layer, drawn); // zero outside the drawn box: only that is cleared
            frames.Add(new FrameOutputs(frame, new Dictionary<string, string> { ["vfx"] = hash }));
        }
        var stateHash = ctx.Vault.Put(sim.SaveState(), "stokes-state");
        return new ChunkManifest(Stage, ctx.Plan.Chunk, ctx.Plan.FirstFrame, frames, State: stateHash);
    }
}
