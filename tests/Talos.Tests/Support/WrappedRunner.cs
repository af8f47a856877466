using Talos.Actors.Pipeline;
using Talos.Messages.Commands;
using Talos.Messages.Specs;

namespace Talos.Tests.Support;

/// <summary>
/// A test's stage runner around a real one: the same stage, dependencies, chunk order and plan; the test decides what
/// <see cref="Run"/> does (fail, hang, block, count, capture…) and calls the real runner where it renders.
/// </summary>
abstract class WrappedRunner(IStageRunner inner) : IStageRunner
{
    protected IStageRunner Inner => inner;
    public string Stage => inner.Stage;
    public IReadOnlyList<string> DependsOn => inner.DependsOn;
    public bool Sequential => inner.Sequential;
    public IReadOnlyList<ChunkPlan> Plan(ShotSpec spec, int chunkFrames) => inner.Plan(spec, chunkFrames);
    public abstract ChunkManifest Run(ChunkContext context);
}
