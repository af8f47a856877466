using System.Text.Json;
using CsCheck;
using Talos.Actors.Hephaestus;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Events;
using Talos.Messages.Serialization;
using Talos.Messages.Specs;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Actors;

/// <summary>
/// Hephaestus's registry without an actor system: <see cref="HephaestusState.Decide"/> turns commands into events,
/// <see cref="HephaestusState.Apply"/> folds them. Spec revisions at admission, stale notices, the film re-cut from the
/// latest revisions; and property tests over random command sequences (CsCheck).
/// </summary>
public sealed class HephaestusStateTests
{
    static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-12-02T10:00:00Z");

    static ShotSpec Spec(string production, string id, int variant = 0, int sequence = 1) =>
        Samples.Shot(id, production, seconds: 1) with { Sequence = sequence, Title = $"TAKE {variant}" };

    /// <summary>Decides and applies: the next state, the events and the reply.</summary>
    static (HephaestusState State, IReadOnlyList<ITalosEvent> Events, object? Reply) Run(HephaestusState state, object command)
    {
        var d = HephaestusState.Decide(state, command, Now);
        return (d.Events.Aggregate(state, (s, e) => s.Apply(e)), d.Events, d.Reply);
    }

    static string Json(HephaestusState s) => JsonSerializer.Serialize(s.ToSnapshot(), ShotEventSerializer.Json);

    static ShotFinished Finished(string key, int revision) => new(key, $"frames-{key}-{revision}", $"video-{key}-{revision}", "report", true, 0, revision);

    [Fact]
    public void An_edited_resubmission_is_the_next_revision_and_an_identical_one_changes_nothing()
    {
        var (s, events, reply) = Run(HephaestusState.Empty, new SubmitShot(Spec("p", "a")));
        Assert.IsType<ShotAdmitted>(Assert.Single(events));
        Assert.Equal(["p--a"], Assert.IsType<SubmitAccepted>(reply).ShotKeys);

        (s, events, _) = Run(s, new SubmitShot(Spec("p", "a")));
        Assert.Empty(events);

        (s, _, _) = Run(s, Finished("p--a", 1));
        Assert.Equal(ShotStatus.Completed, s.Shots["p--a"].Status);

        (s, events, reply) = Run(s, new SubmitShot(Spec("p", "a", variant: 1)));
        var revised = Assert.IsType<ShotRevised>(Assert.Single(events));
        Assert.Equal(2, revised.Revision);
        Assert.Equal(["$.title"], revised.Changes);
        Assert.IsType<SubmitAccepted>(reply);
        var shot = s.Shots["p--a"];
        Assert.Equal((2, ShotStatus.Queued, "TAKE 1"), (shot.Revision, shot.Status, shot.Spec.Title));
        Assert.Equal("frames-p--a-1", shot.FramesHash); // the latest finished revision's frames, until revision 2 finishes
        Assert.Equal(2, HephaestusState.View(shot, shot.Status, null).Revision);

        // A late finish of revision 1 does not complete revision 2; revision 2's does.
        (s, events, _) = Run(s, Finished("p--a", 1));
        Assert.Empty(events);
        Assert.Empty(Run(s, new ShotFailedNotice("p--a", "late", 1)).Events);
        (s, events, _) = Run(s, Finished("p--a", 2));
        Assert.Equal(2, Assert.IsType<ShotOutcomeRecorded>(Assert.Single(events)).SpecRevision);
        Assert.Equal(("frames-p--a-2", 2), (s.Shots["p--a"].FramesHash, s.Shots["p--a"].OutcomeRevision));
        Assert.Empty(Run(s, Finished("p--a", 2)).Events); // once
    }

    [Fact]
    public void The_planned_edit_fills_in_as_shots_are_final_becomes_the_pending_edit_and_changes_with_a_revision_or_a_failure()
    {
        var (s, _, _) = Run(HephaestusState.Empty, new SubmitProduction("p", [Spec("p", "a"), Spec("p", "b", sequence: 2)]));
        var plan0 = s.PlannedEdit(s.Productions["p"])!;
        Assert.Equal(["", ""], plan0.Clips.Select(c => c.FramesHash));
        (s, _, _) = Run(s, Finished("p--a", 1));
        var plan1 = s.PlannedEdit(s.Productions["p"])!;
        Assert.Equal(["frames-p--a-1", ""], plan1.Clips.Select(c => c.FramesHash));
        Assert.True(plan0.SamePlan(plan1)); // the editor of plan 0 is told a is final, not stopped
        Assert.False(plan1.SamePlan(plan0));
        (s, _, _) = Run(s, Finished("p--b", 1));
        var plan2 = s.PlannedEdit(s.Productions["p"])!;
        Assert.True(plan2.SameCut(s.PendingEdit(s.Productions["p"])!) && plan1.SamePlan(plan2));

        // a revised after its frames were streamed: another cut (the editor is stopped); its revision failing: no edit at all
        var (revised, _, _) = Run(s, new SubmitProduction("p", [Spec("p", "a", variant: 1), Spec("p", "b", sequence: 2)]));
        var plan3 = revised.PlannedEdit(revised.Productions["p"])!;
        Assert.Equal([(2, ""), (1, "frames-p--b-1")], plan3.Clips.Select(c => (c.SpecRevision, c.FramesHash)));
        Assert.False(plan2.SamePlan(plan3));
        var (failed, _, _) = Run(revised, new ShotFailedNotice("p--a", "boom", 2));
        Assert.Null(failed.PlannedEdit(failed.Productions["p"]));

        // edited: nothing more to plan
        (s, _, _) = Run(s, new FilmEdited("p", "film-1", 24, plan2));
        Assert.Null(s.PlannedEdit(s.Productions["p"]));
    }

    [Fact]
    public void A_production_resubmitted_with_an_edited_shot_is_recut_from_the_latest_revisions()
    {
        var first = new SubmitProduction("p", [Spec("p", "a"), Spec("p", "b", sequence: 2)]);
        var (s, events, _) = Run(HephaestusState.Empty, first);
        Assert.Equal([typeof(ShotAdmitted), typeof(ShotAdmitted), typeof(ProductionAdmitted)], events.Select(e => e.GetType()));
        (s, _, _) = Run(s, Finished("p--a", 1));
        Assert.Null(s.PendingEdit(s.Productions["p"]));
        (s, _, _) = Run(s, Finished("p--b", 1));
        var job1 = s.PendingEdit(s.Productions["p"])!;
        Assert.Equal([1, 1], job1.Clips.Select(c => c.SpecRevision));
        (s, events, _) = Run(s, new FilmEdited("p", "film-1", 24, job1));
        Assert.Single(events);
        Assert.Equal(ShotStatus.Completed, s.StatusOf(s.Productions["p"], out _));
        Assert.Null(s.PendingEdit(s.Productions["p"]));

        // Unchanged: nothing journalled (the production is resumed as before).
        Assert.Empty(Run(s, first).Events);

        // b edited: only b is revised (no ProductionRevised: the shot list and sound are the same).
        (s, events, _) = Run(s, new SubmitProduction("p", [Spec("p", "a"), Spec("p", "b", variant: 1, sequence: 2)]));
        Assert.Equal(("p--b", 2), (Assert.IsType<ShotRevised>(Assert.Single(events)).ShotKey, ((ShotRevised)events[0]).Revision));
        var p = s.Productions["p"];
        Assert.Equal(("film-1", ShotStatus.Rendering), (p.FilmHash, s.StatusOf(p, out _))); // the old film shows, the production is not completed
        Assert.Equal(1, s.Shots["p--a"].Revision);

        // A film cut meanwhile from revision 1 is not recorded; the finish of revision 2 makes the edit from it.
        Assert.Empty(Run(s, new FilmEdited("p", "film-stale", 24, job1)).Events);
        (s, _, _) = Run(s, Finished("p--b", 2));
        Assert.Equal("editing", s.StatusOf(s.Productions["p"], out _));
        var job2 = s.PendingEdit(s.Productions["p"])!;
        Assert.Equal([("p--a", 1, "frames-p--a-1"), ("p--b", 2, "frames-p--b-2")], job2.Clips.Select(c => (c.ShotKey, c.SpecRevision, c.FramesHash)));
        Assert.Empty(Run(s, new FilmEditFailed("p", "stale edit failed", job1)).Events);
        (s, events, _) = Run(s, new FilmEdited("p", "film-2", 24, job2));
        Assert.Equal(new Dictionary<string, int> { ["p--a"] = 1, ["p--b"] = 2 }, Assert.IsType<ProductionEdited>(Assert.Single(events)).ShotRevisions);
        Assert.Equal(("film-2", ShotStatus.Completed), (s.Productions["p"].FilmHash, s.StatusOf(s.Productions["p"], out _)));

        // Another transition length: the production is revised and cut again from the same shots.
        (s, events, _) = Run(s, new SubmitProduction("p", [Spec("p", "a"), Spec("p", "b", variant: 1, sequence: 2)], TransitionFrames: 4));
        Assert.Equal(4, Assert.IsType<ProductionRevised>(Assert.Single(events)).TransitionFrames);
        Assert.Equal(4, s.PendingEdit(s.Productions["p"])!.TransitionFrames);
    }

    [Fact]
    public void A_revision_that_would_give_a_production_two_deliveries_is_refused_by_name()
    {
        var (s, _, _) = Run(HephaestusState.Empty, new SubmitProduction("p", [Spec("p", "a"), Spec("p", "b", sequence: 2)]));
        var (_, events, reply) = Run(s, new SubmitShot(Spec("p", "b", sequence: 2) with { Delivery = "hdr10" }));
        Assert.Empty(events);
        Assert.Contains("delivery hdr10", Assert.IsType<SubmitRejected>(reply).Reason);
    }

    [Fact]
    public void A_journal_written_before_revisions_reads_as_revision_1_with_its_film_current()
    {
        var serializer = new ShotEventSerializer(null!);
        var edited = Assert.IsType<ProductionEdited>(serializer.FromBinary(
            "{\"production\":\"p\",\"filmHash\":\"f\",\"frames\":12,\"at\":\"2026-11-01T00:00:00+00:00\"}"u8.ToArray(), "talos.hephaestus.production-edited.v1"));
        var outcome = Assert.IsType<ShotOutcomeRecorded>(serializer.FromBinary(
            "{\"shotKey\":\"p--a\",\"status\":\"completed\",\"framesHash\":\"x\",\"revisions\":0,\"at\":\"2026-11-01T00:00:00+00:00\"}"u8.ToArray(), "talos.hephaestus.shot-outcome.v1"));
        var s = HephaestusState.Replay([new ShotAdmitted("p--a", Spec("p", "a"), Now), new ProductionAdmitted("p", ["p--a"], null, 0, 8, Now), outcome, edited]);
        Assert.Equal((1, ShotStatus.Completed), (s.Shots["p--a"].Revision, s.Shots["p--a"].Status));
        Assert.Equal(ShotStatus.Completed, s.StatusOf(s.Productions["p"], out _));
    }

    [Fact]
    public void The_snapshot_interval_comes_from_TALOS_HEPHAESTUS_SNAPSHOT_EVERY_and_a_bad_one_is_refused_by_name()
    {
        Talos.Actors.Pipeline.RenderSettingsOptions Read(string? value) =>
            Talos.Actors.Hosting.NodeConfiguration.FromEnvironment(["core"], k => k == "TALOS_HEPHAESTUS_SNAPSHOT_EVERY" ? value : null).Render;
        Assert.Equal(500, Read(null).HephaestusSnapshotEvery);
        Assert.Equal(0, Read("0").HephaestusSnapshotEvery);
        Assert.Equal(2000, Read("2000").HephaestusSnapshotEvery);
        foreach (var bad in new[] { "-1", "often" })
            Assert.Contains("TALOS_HEPHAESTUS_SNAPSHOT_EVERY '" + bad + "'", Assert.Throws<ArgumentException>(() => Read(bad)).Message);
    }

    [Fact]
    public void The_writes_in_flight_come_from_TALOS_HEPHAESTUS_WRITES_IN_FLIGHT_and_a_bad_count_is_refused_by_name()
    {
        Talos.Actors.Pipeline.RenderSettingsOptions Read(string? value) =>
            Talos.Actors.Hosting.NodeConfiguration.FromEnvironment(["core"], k => k == "TALOS_HEPHAESTUS_WRITES_IN_FLIGHT" ? value : null).Render;
        Assert.Equal(1, Read(null).HephaestusWritesInFlight);
        Assert.Equal(2, Read("2").HephaestusWritesInFlight);
        Assert.Equal(16, Read("16").HephaestusWritesInFlight);
        foreach (var bad in new[] { "0", "17", "many" })
            Assert.Contains("TALOS_HEPHAESTUS_WRITES_IN_FLIGHT '" + bad + "'", Assert.Throws<ArgumentException>(() => Read(bad)).Message);
    }

    [Fact]
    public void Snapshots_wait_for_as_many_events_as_the_last_held_shots_so_admitting_many_writes_each_shot_about_twice()
    {
        // Admit 20,000 shots, one event each, snapshotting as the actor does (every 500 events at least).
        var spec = Spec("p", "a");
        var state = HephaestusState.Empty;
        int since = 0, snapshotShots = 0, maxReplay = 0;
        var taken = new List<int>();
        for (int i = 0; i < 20_000; i++)
        {
            state = state.Apply(new ShotAdmitted($"p--{i}", spec with { Id = $"{i}" }, Now));
            if (HephaestusState.SnapshotDue(++since, snapshotShots, 500)) { taken.Add(state.Shots.Count); snapshotShots = state.Shots.Count; since = 0; }
            maxReplay = Math.Max(maxReplay, since); // what a recovery now would replay after the last snapshot
        }
        // Every 500 events would have been 40 snapshots holding 410,000 shots in all; doubling: 6 holding 31,500.
        Assert.Equal([500, 1_000, 2_000, 4_000, 8_000, 16_000], taken);
        Assert.True(taken.Sum() < 2 * 20_000);
        // A recovery never replays more events after its snapshot than the snapshot holds shots (or 500).
        Assert.Equal(7_999, maxReplay);

        // A registry that stops growing (outcomes, revisions) snapshots every max(500, shots) events; 0 never does.
        Assert.False(HephaestusState.SnapshotDue(499, 10, 500));
        Assert.True(HephaestusState.SnapshotDue(500, 10, 500));
        Assert.False(HephaestusState.SnapshotDue(7_999, 8_000, 500));
        Assert.True(HephaestusState.SnapshotDue(8_000, 8_000, 500));
        Assert.False(HephaestusState.SnapshotDue(1_000_000, 0, 0));
    }

    [Fact]
    public void The_shot_status_gauge_counts_each_status()
    {
        var statuses = Enumerable.Repeat(ShotStatus.Queued, 100_000).Concat(Enumerable.Repeat(ShotStatus.Rendering, 16)).Append(ShotStatus.Failed);
        var counts = Talos.Actors.Hosting.TalosMetrics.CountStatuses(statuses);
        Assert.Equal(3, counts.Count);
        Assert.Equal((100_000, 16, 1), (counts[ShotStatus.Queued], counts[ShotStatus.Rendering], counts[ShotStatus.Failed]));
        Assert.Empty(Talos.Actors.Hosting.TalosMetrics.CountStatuses([]));
    }

    // ---- properties ----

    static readonly string[] Productions = ["p", "q"];
    static readonly string[] Ids = ["a", "b", "c"];

    /// <summary>One abstract command: what (0..10), which shot, a variant, a spec revision, which production.</summary>
    static readonly Gen<(int Kind, int Shot, int Variant, int Revision, int Production)> Op =
        Gen.Select(Gen.Int[0, 10], Gen.Int[0, Ids.Length - 1], Gen.Int[0, 2], Gen.Int[1, 4], Gen.Int[0, Productions.Length - 1]);

    /// <summary>The concrete command of an abstract one against the current state (films are cut from the edit the state asks for, or from a stale one).</summary>
    static object Command(HephaestusState s, (int Kind, int Shot, int Variant, int Revision, int Production) op)
    {
        var production = Productions[op.Production];
        var key = Identifiers.ShotKey(production, Ids[op.Shot]);
        int current = s.Shots.TryGetValue(key, out var shot) ? shot.Revision : 1;
        EditJob? Job()
        {
            if (!s.Productions.TryGetValue(production, out var p)) return null;
            var job = s.PendingEdit(p) ?? new EditJob(production, p.ShotKeys.Select(k => new EditClip(k, "f", "cut", 12, k, 1)).ToList(), null, 0, 8);
            return op.Variant == 0 ? job : job with { Clips = job.Clips.Select(c => c with { SpecRevision = Math.Max(1, c.SpecRevision - 1) }).ToList() };
        }
        return op.Kind switch
        {
            0 => new SubmitShot(Spec(production, Ids[op.Shot], op.Variant, op.Shot + 1)),
            1 => new SubmitProduction(production, Ids.Take(op.Shot + 1).Select((id, i) => Spec(production, id, i == op.Shot ? op.Variant : 0, i + 1)).ToList(),
                null, 0, op.Revision % 2 == 0 ? 8 : 12),
            2 => Finished(key, op.Revision),
            3 => Finished(key, current),
            4 => new ShotFailedNotice(key, "boom", op.Revision),
            5 => new ShotCancelledNotice(key, op.Revision),
            6 => new RetryShot(key, "ops"),
            7 => new SetShotPriority(key, op.Variant, "ops"),
            8 or 9 when Job() is { } job => new FilmEdited(production, $"film-{op.Revision}", 12, job),
            10 when Job() is { } job => new FilmEditFailed(production, "encoder", job),
            _ => new SubmitShot(Spec(production, Ids[op.Shot], 0, op.Shot + 1)),
        };
    }

    [Fact]
    public void Any_sequence_of_commands_keeps_the_invariants_and_replaying_its_events_gives_the_same_state()
    {
        Op.Array[1, 60].Sample(ops =>
        {
            var s = HephaestusState.Empty;
            var journal = new List<ITalosEvent>();
            foreach (var op in ops)
            {
                var command = Command(s, op);
                var decision = HephaestusState.Decide(s, command, Now);
                Assert.Equal(Json(s), Json(s)); // deciding changed nothing
                foreach (var e in decision.Events)
                {
                    switch (e)
                    {
                        case ShotRevised r:
                            Assert.Equal(s.Shots[r.ShotKey].Revision + 1, r.Revision); // revisions grow by one
                            Assert.NotEmpty(r.Changes);
                            break;
                        case ShotOutcomeRecorded o:
                            Assert.Equal(s.Shots[o.ShotKey].Revision, o.SpecRevision); // never the outcome of an older revision
                            break;
                        case ProductionEdited d:
                            var p = s.Productions[d.Production];
                            Assert.All(s.ShotsOf(p), x => Assert.True(x.Status == ShotStatus.Completed && x.OutcomeRevision == x.Revision));
                            Assert.Equal(s.CurrentCut(p), d.ShotRevisions); // cut from the completed latest revisions
                            break;
                    }
                    s = s.Apply(e);
                    journal.Add(e);
                }
                foreach (var p in s.Productions.Values)
                {
                    Assert.All(p.ShotKeys, k => Assert.True(s.Shots.ContainsKey(k), $"production {p.Production} lists {k}, which was never admitted"));
                    if (s.StatusOf(p, out _) == ShotStatus.Completed) Assert.True(s.FilmIsCurrent(p));
                    if (s.FilmIsCurrent(p)) Assert.All(s.ShotsOf(p), x => Assert.Equal(ShotStatus.Completed, x.Status));
                }
                foreach (var x in s.Shots.Values)
                {
                    Assert.Equal(1 + journal.OfType<ShotRevised>().Count(r => r.ShotKey == x.Key), x.Revision);
                    if (ShotStatus.IsTerminal(x.Status)) Assert.Equal(x.Revision, x.OutcomeRevision);
                }
            }
            Assert.Equal(Json(s), Json(HephaestusState.Replay(journal)));
            // A snapshot through the journal serializer recovers the same registry, and so do the events after it.
            var serializer = new ShotEventSerializer(null!);
            var half = journal.Count / 2;
            var snapshot = HephaestusState.Replay(journal.Take(half)).ToSnapshot();
            var back = (HephaestusSnapshot)serializer.FromBinary(serializer.ToBinary(snapshot), serializer.Manifest(snapshot));
            Assert.Equal(Json(s), Json(journal.Skip(half).Aggregate(HephaestusState.FromSnapshot(back), (st, e) => st.Apply(e))));
        }, iter: 400);
    }

    /// <summary>A registry with every kind of record field set and unset: outcomes, reasons, priorities, productions with and without films and cuts.</summary>
    static HephaestusState Varied(int shots)
    {
        var state = HephaestusState.Empty;
        for (int i = 0; i < shots; i++) state = Run(state, new SubmitShot(Spec("p", $"s{i:0000}", i % 3, i + 1))).State;
        state = Run(state, new SubmitProduction("film", [Spec("film", "a", 0, 1), Spec("film", "b", 0, 2)] )).State;
        state = Run(state, new SubmitProduction("cut", [Spec("cut", "x", 0, 1)])).State;
        state = Run(state, new SetShotPriority("p--s0001", 7, "ops")).State;
        state = Run(state, new SetShotPriority("p--s0002", -3, "ops")).State;
        state = Run(state, new ShotFailedNotice("p--s0003", "node lost (ünïcode)", 1)).State;
        state = Run(state, new ShotCancelledNotice("p--s0004", 1)).State;
        state = Run(state, new ShotFinished("p--s0005", "frames", "video", "report", false, 2, 1)).State;
        state = Run(state, Finished("cut--x", 1)).State;
        var job = state.PendingEdit(state.Productions["cut"])!;
        state = Run(state, new FilmEdited("cut", "film-hash", 24, job)).State;
        state = Run(state, new SubmitShot(Spec("p", "s0000", 9, 1))).State; // revision 2
        Assert.NotNull(state.Productions["cut"].FilmCut);
        Assert.Null(state.Productions["film"].FilmCut);
        return state;
    }

    [Fact]
    public void A_snapshot_is_written_in_its_binary_layout_and_recovers_the_same_registry()
    {
        var state = Varied(200);
        var snapshot = state.ToSnapshot();
        var serializer = new ShotEventSerializer(null!);
        var manifest = serializer.Manifest(snapshot);
        Assert.Equal(ShotEventSerializer.HephaestusSnapshotManifest, manifest);
        var bytes = serializer.ToBinary(snapshot);
        Assert.Equal("THS\u0002", System.Text.Encoding.ASCII.GetString(bytes, 0, 4));
        var back = (HephaestusSnapshot)serializer.FromBinary(bytes, manifest);
        Assert.Equal(Json(state), Json(HephaestusState.FromSnapshot(back)));
        // Deterministic: the same registry is the same bytes.
        Assert.Equal(bytes, serializer.ToBinary(HephaestusState.FromSnapshot(back).ToSnapshot()));
        // Much smaller than the JSON document it replaces (specs repeat most of their fields).
        var json = JsonSerializer.SerializeToUtf8Bytes(snapshot, ShotEventSerializer.Json);
        Assert.True(bytes.Length * 10 < json.Length, $"{bytes.Length} bytes against {json.Length} of JSON");
        // A cut short or foreign body fails; it never reads as a smaller registry.
        foreach (var bad in new[] { bytes[..(bytes.Length / 2)], bytes[..(bytes.Length * 3 / 4)], bytes[..^24], json })
            Assert.ThrowsAny<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary(bad, manifest));
    }

    [Fact]
    public void An_old_JSON_snapshot_still_recovers_the_same_registry()
    {
        // Snapshots saved before the binary layout are JSON documents under talos.hephaestus.snapshot.v1.
        var state = Varied(50);
        var v1 = JsonSerializer.SerializeToUtf8Bytes(state.ToSnapshot(), ShotEventSerializer.Json);
        var back = (HephaestusSnapshot)new ShotEventSerializer(null!).FromBinary(v1, "talos.hephaestus.snapshot.v1");
        Assert.Equal(Json(state), Json(HephaestusState.FromSnapshot(back)));
    }

    [Fact]
    public void The_binary_snapshot_layout_covers_every_field_of_the_registry_records()
    {
        // HephaestusSnapshotCodec writes these fields one by one (a spec is written whole, as JSON): a field added to a
        // record must be added to the layout (and this list), or snapshots would drop it.
        static string[] Fields(Type t) => t.GetProperties().Where(p => p.Name != "EqualityContract").Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["FramesHash", "Key", "OutcomeRevision", "Priority", "QualityPassed", "Reason", "ReportHash", "Revision", "Revisions", "Spec", "Status", "VideoHash"],
            Fields(typeof(ShotRecord)));
        Assert.Equal(["AudioAsset", "AudioOffsetSeconds", "EditFailure", "FilmCut", "FilmFrames", "FilmHash", "Production", "ShotKeys", "TransitionFrames"],
            Fields(typeof(ProductionRecord)));
        Assert.Equal(["Productions", "Shots"], Fields(typeof(HephaestusSnapshot)));
    }
}
