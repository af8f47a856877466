using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Events;
using Talos.Messages.Specs;

namespace Talos.Actors.Shots;

/// <summary>A chunk the journal has recorded.</summary>
public sealed record RecordedChunk(string Hash, int FrameCount, string? Note);

/// <summary>
/// The shot's state, rebuilt from its journal. Pure: <see cref="Apply"/> is the only mutation and is called for
/// events being persisted and events being recovered alike.
/// </summary>
public sealed class ShotState
{
    public ShotSpec? Spec { get; private set; }
    public string Status { get; private set; } = ShotStatus.Queued;
    public string? FailReason { get; private set; }
    /// <summary>ECHO's correction round (0 until ECHO sends frames back).</summary>
    public int Revision { get; private set; }
    /// <summary>The spec revision being rendered (1 for the first spec; Hephaestus numbers the edits).</summary>
    public int SpecRevision { get; private set; } = 1;
    public Dictionary<int, float> FrameGains { get; } = new();
    public Dictionary<string, SortedDictionary<int, RecordedChunk>> Chunks { get; } = new();
    public HashSet<string> StagesDone { get; } = new();
    /// <summary>Nodes that kept failing this shot's chunks: its stages hand them no more work while others serve.</summary>
    public HashSet<string> AvoidedNodes { get; } = new();
    /// <summary>Failed chunk attempts per node (bad input not counted: it fails everywhere).</summary>
    public Dictionary<string, int> NodeFailures { get; } = new();
    public ShotRenderCompleted? Result { get; private set; }
    /// <summary>Scheduling priority (Hephaestus journals the operator's change; the shot journals what it was started with).</summary>
    public int Priority { get; private set; }

    public bool IsTerminal => ShotStatus.IsTerminal(Status);

    public SortedDictionary<int, RecordedChunk> ChunksOf(string stage)
    {
        if (!Chunks.TryGetValue(stage, out var d)) Chunks[stage] = d = new SortedDictionary<int, RecordedChunk>();
        return d;
    }

    public ShotState Apply(ITalosEvent e)
    {
        switch (e)
        {
            case ShotStarted s:
                Spec = s.Spec; SpecRevision = s.SpecRevision; Status = ShotStatus.Rendering; break;
            case ShotSpecRevised r:
                // A new spec: everything recorded belongs to the old one (what is unchanged comes back as reused chunks).
                Spec = r.Spec; SpecRevision = r.Revision; Status = ShotStatus.Rendering; FailReason = null; Result = null; Revision = 0;
                FrameGains.Clear(); Chunks.Clear(); StagesDone.Clear();
                break;
            case ChunkCompleted c:
                ChunksOf(c.Stage)[c.Chunk] = new RecordedChunk(c.Hash, c.FrameCount, c.Note); break;
            case ChunkAttemptRecorded f when f.Kind != ChunkFailureKind.BadInput:
                NodeFailures[f.Node] = NodeFailures.GetValueOrDefault(f.Node) + 1; break;
            case ShotPriorityChanged p:
                Priority = p.Priority; break;
            case ShotNodeAvoided a:
                AvoidedNodes.Add(a.Node); break;
            case StageCompleted s:
                StagesDone.Add(s.Stage); break;
            case RevisionRequested r:
                Revision = r.Round;
                foreach (var (frame, gain) in r.FrameGains) FrameGains[frame] = gain;
                foreach (var chunk in r.AnimaChunks) ChunksOf(Stages.Anima).Remove(chunk);
                ChunksOf(Stages.Cuttura).Clear();
                ChunksOf(Stages.Echo).Clear();
                StagesDone.Remove(Stages.Anima); StagesDone.Remove(Stages.Cuttura); StagesDone.Remove(Stages.Echo);
                break;
            case ShotRenderFailed f:
                Status = ShotStatus.Failed; FailReason = f.Reason; break;
            case ShotRenderRetried:
                Status = ShotStatus.Rendering; FailReason = null; break;
            case ShotRenderCancelled:
                Status = ShotStatus.Cancelled; break;
            case ShotRenderPaused:
                Status = ShotStatus.Paused; break;
            case ShotRenderResumed:
                Status = ShotStatus.Rendering; break;
            case ShotRenderCompleted done:
                Status = ShotStatus.Completed; Result = done; break;
        }
        return this;
    }

    /// <summary>Per-stage progress in frames and chunks for the given plans.</summary>
    public IReadOnlyDictionary<string, StageProgress> Progress(IReadOnlyDictionary<string, IReadOnlyList<ChunkPlan>> plans)
    {
        var result = new Dictionary<string, StageProgress>();
        foreach (var (stage, plan) in plans)
        {
            var done = ChunksOf(stage);
            int doneFrames = plan.Where(p => done.ContainsKey(p.Chunk)).Sum(p => p.FrameCount);
            result[stage] = new StageProgress(doneFrames, plan.Sum(p => p.FrameCount), plan.Count(p => done.ContainsKey(p.Chunk)), plan.Count);
        }
        return result;
    }
}
