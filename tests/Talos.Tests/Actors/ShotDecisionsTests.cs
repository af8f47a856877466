using System.Text.Json;
using CsCheck;
using Talos.Actors.Pipeline;
using Talos.Actors.Shots;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Events;
using Talos.Messages.Serialization;
using Talos.Messages.Specs;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Actors;

/// <summary>
/// The shot's decisions without an actor system: random sequences of commands (starts of any revision, chunk results of
/// any stage, failures, pauses, cancels, retries) through <see cref="ShotDecisions"/> and <see cref="ShotState.Apply"/>
/// keep the shot's invariants, and replaying the journalled events — from nothing or from a snapshot — gives the same state.
/// </summary>
public sealed class ShotDecisionsTests
{
    static readonly ShotSpec SpecA = Samples.Shot(seconds: 2);
    static readonly ShotSpec SpecB = SpecA with { Mood = "fear" };
    static readonly IReadOnlyDictionary<string, IReadOnlyList<ChunkPlan>> Plans =
        StageRunners.Create().ToDictionary(r => r.Key, r => r.Value.Plan(SpecA, 12));
    static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> DependsOn =
        StageRunners.Create().ToDictionary(r => r.Key, r => r.Value.DependsOn);
    static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A command to the shot, as a generator makes it.</summary>
    abstract record Cmd;
    sealed record Start(int Revision, int Priority) : Cmd;
    sealed record Done(string Stage, int Chunk, bool EchoPasses) : Cmd;
    sealed record Failed(string Stage, string Node, bool BadInput) : Cmd;
    sealed record Other(int Which) : Cmd; // give up, retry, pause, resume, cancel, advance

    static readonly Gen<Cmd> Command = Gen.Frequency(
        (2, Gen.Select(Gen.Int[1, 3], Gen.Int[0, 2], (r, p) => (Cmd)new Start(r, p))),
        (8, Gen.Select(Gen.Int[0, Stages.All.Count - 1], Gen.Int[0, 3], Gen.Bool, (s, c, pass) => (Cmd)new Done(Stages.All[s], c, pass))),
        (1, Gen.Select(Gen.Int[0, Stages.All.Count - 1], Gen.Int[0, 2], Gen.Bool, (s, n, bad) => (Cmd)new Failed(Stages.All[s], $"node-{n}", bad))),
        (2, Gen.Int[0, 5].Select(w => (Cmd)new Other(w))));

    static IReadOnlyList<ITalosEvent> Decide(ShotState s, Cmd cmd) => cmd switch
    {
        Start st => ShotDecisions.Start(s, new StartShot("test--sh01", st.Revision == 2 ? SpecB : SpecA, st.Priority, st.Revision), Now),
        Done d => ShotDecisions.Record(s, [Result(s, d)], Plans, maxRevisions: 2, Now),
        Failed f => ShotDecisions.AttemptFailed(s, new ChunkAttemptFailed(f.Stage, 0, 1, "boom", f.Node, f.BadInput ? ChunkFailureKind.BadInput : ChunkFailureKind.NodeFault), 3, Now),
        Other { Which: 0 } => ShotDecisions.GaveUp(s, new ChunkGaveUp(Stages.Raygen, 0, 4, "boom"), Now),
        Other { Which: 1 } => ShotDecisions.Retry(s, Now),
        Other { Which: 2 } => ShotDecisions.Pause(s, Now),
        Other { Which: 3 } => ShotDecisions.Resume(s, Now),
        Other { Which: 4 } => ShotDecisions.Cancel(s, Now),
        _ => ShotDecisions.Advance(s, Plans, DependsOn, new HashSet<string>()).Completed,
    };

    /// <summary>A chunk result as an agent would report it: only for a stage the shot would run now (its inputs complete).</summary>
    static ChunkDone Result(ShotState s, Done d)
    {
        var note = d.Stage switch
        {
            Stages.Cuttura => Notes.Write(new CutOutcome(new string('f', 64), new string('v', 64), 24)),
            Stages.Echo => Notes.Write(new EchoOutcome(d.EchoPasses, true, d.EchoPasses ? [] : [3], new Dictionary<int, float> { [3] = 1.1f }, "flicker", new string('r', 64))),
            _ => null,
        };
        return new ChunkDone(d.Stage, d.Chunk % Plans[d.Stage].Count, new string('a', 64), 12, note, "node-0", 1, null, Reused: d.Chunk == 3);
    }

    static bool Runnable(ShotState s, Done d) => DependsOn[d.Stage].All(s.StagesDone.Contains) && !s.StagesDone.Contains(d.Stage);

    static string Json(ShotState s) => JsonSerializer.Serialize(s, ShotEventSerializer.Json);

    [Fact]
    public void Any_sequence_of_commands_keeps_the_invariants_and_replaying_its_events_gives_the_same_state()
    {
        Command.Array[1, 80].Sample(commands =>
        {
            var state = new ShotState();
            var journal = new List<ITalosEvent>();
            foreach (var cmd in commands)
            {
                if (cmd is Done d && !Runnable(state, d)) continue; // agents run only stages whose inputs are complete
                var before = state;
                var events = Decide(state, cmd);
                foreach (var e in events) state = state.Apply(e);
                journal.AddRange(events);

                // A spec revision only grows; a stale start changes nothing.
                Assert.True(state.SpecRevision >= before.SpecRevision);
                if (cmd is Start { Revision: var r } && before.Spec is not null && r < before.SpecRevision) Assert.Empty(events);
                // Nothing is journalled twice for a chunk of one revision.
                Assert.Equal(events.OfType<ChunkCompleted>().Count(), events.OfType<ChunkCompleted>().Select(c => (c.Stage, c.Chunk)).Distinct().Count());
                foreach (var c in events.OfType<ChunkCompleted>()) Assert.False(before.ChunksOf(c.Stage).ContainsKey(c.Chunk), $"{c.Stage} chunk {c.Chunk} journalled twice");
                // A stage is done only when every chunk of its plan is recorded, and only after the stages it depends on.
                foreach (var stage in state.StagesDone)
                {
                    Assert.True(Plans[stage].All(p => state.ChunksOf(stage).ContainsKey(p.Chunk)), $"{stage} done with chunks missing");
                    Assert.True(DependsOn[stage].All(state.StagesDone.Contains), $"{stage} done before its inputs");
                }
                // Completed means every stage done and a result; ECHO's rounds are bounded.
                if (state.Status == ShotStatus.Completed) Assert.True(state.Result is not null && Stages.All.All(state.StagesDone.Contains));
                Assert.InRange(state.Revision, 0, 2);
                // Only a rendering shot records chunks.
                if (events.OfType<ChunkCompleted>().Any()) Assert.Equal(ShotStatus.Rendering, before.Status);
            }

            var replayed = journal.Aggregate(new ShotState(), (s, e) => s.Apply(e));
            Assert.Equal(Json(state), Json(replayed));
            var restored = ShotSnapshots.FromDocument(ShotSnapshots.ToDocument(state));
            Assert.Equal(Json(state), Json(restored));
            // Events after a snapshot replay onto it as onto the state it was taken from.
            var tail = journal.TakeLast(5).ToList();
            var fromMiddle = journal.Take(journal.Count - tail.Count).Aggregate(new ShotState(), (s, e) => s.Apply(e));
            var viaSnapshot = tail.Aggregate(ShotSnapshots.FromDocument(ShotSnapshots.ToDocument(fromMiddle)), (s, e) => s.Apply(e));
            Assert.Equal(Json(state), Json(viaSnapshot));
        }, iter: 300);
    }

    [Fact]
    public void A_new_revision_drops_the_old_chunks_and_says_what_changed()
    {
        var s = new ShotState();
        foreach (var e in ShotDecisions.Start(s, new StartShot("k", SpecA), Now)) s = s.Apply(e);
        foreach (var e in ShotDecisions.Record(s, [new ChunkDone(Stages.Prism, 0, new string('a', 64), 24)], Plans, 2, Now)) s = s.Apply(e);
        Assert.Contains(Stages.Prism, s.StagesDone);
        var revised = ShotDecisions.Start(s, new StartShot("k", SpecB, 0, 2), Now);
        var r = Assert.IsType<ShotSpecRevised>(Assert.Single(revised));
        Assert.Equal(["$.mood"], r.Changes);
        s = s.Apply(r);
        Assert.Equal(2, s.SpecRevision);
        Assert.Empty(s.StagesDone);
        Assert.Empty(s.ChunksOf(Stages.Prism));
        Assert.Empty(ShotDecisions.Start(s, new StartShot("k", SpecA, 0, 1), Now)); // revision 1 again is stale
    }

    static IReadOnlyDictionary<string, IReadOnlyList<ChunkPlan>> Plan(ShotSpec spec) =>
        StageRunners.Create().ToDictionary(r => r.Key, r => r.Value.Plan(spec, 12));

    /// <summary>
    /// The defect seen in a 100,000-shot bench run (docs/SCALE.md): a shot got its StartShot several times (Hephaestus's
    /// kick while the region proxy buffered them). The entity planned its stages in the first start's after-write callback,
    /// and only when the state it started from had no spec; the second StartShot, handled after the first one's
    /// ShotStarted was applied but before that callback ran, found a spec (so planned nothing), had nothing to journal and
    /// asked to advance: ShotDecisions.Advance with the spec of revision 1 and no plans threw KeyNotFoundException 'PRISM'.
    /// </summary>
    [Fact]
    public void A_repeated_start_advances_on_the_plans_of_the_state_it_sees()
    {
        var start = new StartShot("scale--s000015", SpecA);
        var s = new ShotState();
        var heldPlans = (IReadOnlyDictionary<string, IReadOnlyList<ChunkPlan>>)new Dictionary<string, IReadOnlyList<ChunkPlan>>();
        // The first start: ShotStarted applied (the write's handler); the old entity planned only in the later callback.
        foreach (var e in ShotDecisions.Start(s, start, Now)) s = s.Apply(e);
        // The second start in between: nothing to journal (the same spec and revision), and the shot advances.
        Assert.Empty(ShotDecisions.Start(s, start, Now));
        var old = Assert.Throws<InvalidOperationException>(() => ShotDecisions.Advance(s, heldPlans, DependsOn, new HashSet<string>()));
        Assert.Contains(Stages.Prism, old.Message);

        // The fix: the entity's plans follow the state (updated where each event is applied), so any command sees plans
        // of the spec it sees.
        var plans = StagePlans.None.For(s, Plan);
        var (completed, toStart) = ShotDecisions.Advance(s, plans.Plans, DependsOn, new HashSet<string>());
        Assert.Empty(completed);
        Assert.Equal([Stages.Prism], toStart.Select(t => t.Stage));
        Assert.Equal(Plans[Stages.Prism], toStart[0].Todo);

        // Plans are kept while the spec is (a priority change: the same instance, not planned again) ...
        int planned = 0;
        IReadOnlyDictionary<string, IReadOnlyList<ChunkPlan>> Counting(ShotSpec spec) { planned++; return Plan(spec); }
        foreach (var e in ShotDecisions.Start(s, start with { Priority = 5 }, Now)) s = s.Apply(e);
        Assert.Equal(5, s.Priority);
        Assert.Same(plans, plans.For(s, Counting));
        Assert.Equal(0, planned);
        // ... and planned again for a new revision (four seconds: more frames to plan).
        foreach (var e in ShotDecisions.Start(s, new StartShot(start.ShotKey, SpecB with { DurationSeconds = 4 }, 5, 2), Now)) s = s.Apply(e);
        var revised = plans.For(s, Counting);
        Assert.Equal(1, planned);
        Assert.Equal(2, revised.SpecRevision);
        Assert.Same(s.Spec, revised.Spec);
        Assert.True(revised.Plans[Stages.Raygen].Sum(p => p.FrameCount) > Plans[Stages.Raygen].Sum(p => p.FrameCount));
        Assert.Same(StagePlans.None, revised.For(new ShotState(), Counting));
    }
}
