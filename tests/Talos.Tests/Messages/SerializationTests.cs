using Akka.Actor;
using Xunit;
using Talos.Actors.Hephaestus;
using Talos.Actors.Hosting;
using Talos.Actors.Shots;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Events;
using Talos.Messages.Queries;
using Talos.Messages.Serialization;
using Talos.Messages.Specs;
using Talos.Tests.Support;

namespace Talos.Tests.Messages;

public sealed class SerializationTests : IAsyncLifetime
{
    TestSystem _host = null!;
    ActorSystem _system = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await TestSystem.StartAsync("ser", serializeMessages: false);
        _system = _host.System;
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    static readonly StageProgress P = new(12, 24, 1, 2);

    /// <summary>One sample of every message that may cross the wire.</summary>
    public static IEnumerable<object> WireSamples()
    {
        var spec = Samples.Shot();
        var stages = new Dictionary<string, StageProgress> { [Stages.Flux] = P };
        var view = new ShotView("k", "sh01", "test", 0, "t", 24, 12, ShotStatus.Rendering, null, stages, "a", "b", "c", true, 1);
        var plan = new ChunkPlan(Stages.Flux, 1, 12, 12);
        return
        [
            new SubmitShot(spec), new SubmitShot(spec with
            {
                Id = "sh09", Loudness = -14, Sounds = [new SoundCue("door-slam", 3), new SoundCue("creak", 5, "sfx/creak.flac")],
                Dialogue = [new DialogueLine("MARA", "Listen.", 0, 6, null, "voices/mara-01.wav")],
            }), new SubmitProduction("test", [spec, spec with { Id = "sh02" }], "music.wav", 1.5, 6),
            new RetryShot("k"), new CancelShot("k", "ops"), new PauseShot("k", "ops"), new ResumeShot("k"),
            new PauseShotEntity("k"), new ResumeShotEntity("k"), new SubmitAccepted("test", ["a", "b"]), new SubmitRejected("no"),
            new CommandAck("k", true, "ok"), new StartShot("k", spec), new RetryShotEntity("k"), new CancelShotEntity("k"),
            new ShotProgress("k", ShotStatus.Rendering, stages), new ShotFinished("k", "f", "v", "r", false, 2),
            new ShotFinished("k", "f", null, "r", true, 1, 3), // review clips are made on demand: a shot finishes without one
            new ShotFailedNotice("k", "boom"), new ShotCancelledNotice("k"),
            new ChunkDone(Stages.Flux, 1, "h", 12, "{\"a\":1}"), new ChunkAttemptFailed(Stages.Flux, 1, 2, "x"),
            new ChunkGaveUp(Stages.Flux, 1, 4, "x"),
            new QueryLogs(3, "k", 50), new LogLines("akka.tcp://talos@h:1", 9, [new LogLine(9, DateTimeOffset.UnixEpoch, "INFO", "/user/x", "k", "m")]),
            GetNodeLoad.Instance, new NodeLoad("akka.tcp://talos@h:1", 2, 4, 1, 37.5, 1 << 20, 1 << 19, 12.5, 2, 42),
            new GetShot("k"), new ListShots("test"), new GetProduction("test"), view, new ShotNotFound("k"),
            new ShotListing([view]), new ProductionView("test", "rendering", null, [view], null, 0), new ProductionNotFound("p"),
            new StageJob("k", Stages.Flux, spec, [plan], new Dictionary<string, IReadOnlyList<string>> { [Stages.Axis] = ["h1", "h2"] },
                new Dictionary<int, string> { [0] = "h0" }, 1, new Dictionary<int, float> { [3] = 1.5f }),
            new ChunkWorkOffered(ActorRefs.Nobody, 2), new ChunkPoolHungry(ActorRefs.Nobody, 2), new ChunkWorkRequest(2, "akka.tcp://talos@127.0.0.1:1"),
            new ChunkLease(7, new StageJob("k", Stages.Flux, spec, [plan], new Dictionary<string, IReadOnlyList<string>>(), new Dictionary<int, string>(), 0,
                new Dictionary<int, float>(), 3, ["n1"]), plan, 2, true, new Dictionary<int, string> { [0] = "h0" }),
            new ChunkLeaseGrant([], false), new ChunkLeaseResult(7, plan, "h", "note", "n1", 2, "log", TimeSpan.FromSeconds(1.5)),
            new ChunkLeaseFailed(7, plan, "n1", 2, ChunkFailureKind.OutOfMemory, "oom", "log"), new CancelChunkLease(7),
            new ChunkLeasesDeclined([7, 8]),
            new NodeAvoided("n1"), new SetShotPriority("k", 5, "ops"),
            new EditJob("test", [new EditClip("sh01", "f", "dissolve", 12, "test--sh01", 2)], null, 0, 8),
            new FilmEdited("test", "h", 48, new EditJob("test", [new EditClip("sh01", "f", "cut", 12, "test--sh01", 1)], null, 0, 8)),
            new FilmEditFailed("test", "x", new EditJob("test", [new EditClip("sh01", "f", "cut", 12, "test--sh01", 1)], "m.wav", 0.5, 8)),
            new EditShotsFinal(new EditJob("test", [new EditClip("sh01", "f", "cut", 12, "test--sh01", 1), new EditClip("sh02", "", "dissolve", 12, "test--sh02", 2)], null, 0, 8)),
            new EditJob("test", [new EditClip("sh01", "f", "cut", 12, "test--sh01", 3, spec with { Sounds = [new SoundCue("bang", 2)] })], "m.wav", -0.5, 8, "sdr", -14),
        ];
    }

    [Fact]
    public void Every_wire_message_type_has_a_sample()
    {
        var sampled = WireSamples().Select(s => s.GetType()).ToHashSet();
        var all = new[] { typeof(ITalosMessage).Assembly, typeof(ShotEntity).Assembly }
            .SelectMany(a => a.GetTypes())
            .Where(t => typeof(ITalosMessage).IsAssignableFrom(t) && t is { IsInterface: false, IsAbstract: false } && t.IsPublic)
            .ToList();
        Assert.NotEmpty(all);
        Assert.Empty(all.Where(t => !sampled.Contains(t)).Select(t => t.FullName));
    }

    [Fact]
    public void Every_message_round_trips_through_the_Hyperion_binding()
    {
        foreach (var sample in WireSamples())
        {
            var serializer = _system.Serialization.FindSerializerFor(sample);
            Assert.IsType<TalosHyperionSerializer>(serializer);
            var back = serializer.FromBinary(serializer.ToBinary(sample), sample.GetType());
            Assert.Equal(sample.GetType(), back.GetType());
            // Records with collections compare by reference: compare their JSON instead (actor refs: see their own test).
            Assert.Equal(System.Text.Json.JsonSerializer.Serialize(sample, sample.GetType(), RefsByPath), System.Text.Json.JsonSerializer.Serialize(back, back.GetType(), RefsByPath));
        }
    }

    [Fact]
    public void Specs_built_with_collection_expressions_cross_the_wire_without_the_builders_assembly()
    {
        // Samples.Shot() uses [a, b] literals: their compiler-made types live in Talos.Tests, which a node does not have.
        var msg = new SubmitProduction("test", [Samples.Shot(), Samples.Shot("sh02")]);
        var bytes = _system.Serialization.FindSerializerFor(msg).ToBinary(msg);
        Assert.DoesNotContain("Talos.Tests", System.Text.Encoding.UTF8.GetString(bytes));
        var with = Samples.Shot() with { Effects = [new Talos.Messages.Specs.EffectSpec()] };
        Assert.IsType<Talos.Messages.Specs.EffectSpec[]>(with.Effects);
    }

    [Fact]
    public void Actor_refs_round_trip_through_the_surrogate()
    {
        var probe = _system.ActorOf(Props.Empty, "someone");
        var msg = new Envelope(probe);
        var serializer = _system.Serialization.FindSerializerFor(msg);
        var back = (Envelope)serializer.FromBinary(serializer.ToBinary(msg), typeof(Envelope));
        Assert.Equal(probe, back.ReplyTo);
    }

    public sealed record Envelope(IActorRef ReplyTo) : ITalosMessage;

    static readonly System.Text.Json.JsonSerializerOptions RefsByPath = new() { Converters = { new ActorRefByPath() } };

    sealed class ActorRefByPath : System.Text.Json.Serialization.JsonConverter<IActorRef>
    {
        public override bool CanConvert(Type t) => typeof(IActorRef).IsAssignableFrom(t);
        public override IActorRef Read(ref System.Text.Json.Utf8JsonReader reader, Type t, System.Text.Json.JsonSerializerOptions o) => throw new NotSupportedException();
        public override void Write(System.Text.Json.Utf8JsonWriter writer, IActorRef value, System.Text.Json.JsonSerializerOptions o) => writer.WriteStringValue("actor-ref"); // refs are checked by Actor_refs_round_trip_through_the_surrogate
    }

    public static IEnumerable<ITalosEvent> EventSamples()
    {
        var spec = Samples.Shot();
        var now = DateTimeOffset.Parse("2026-11-24T10:00:00Z");
        return
        [
            new ShotAdmitted("k", spec, now), new ProductionAdmitted("p", ["a", "b"], "m.wav", 1, 8, now),
            new ShotOutcomeRecorded("k", ShotStatus.Completed, null, "f", "v", "r", true, 1, now),
            new ShotRetryRequested("k", "ops", now), new ProductionEdited("p", "h", 10, now), new ProductionEditFailed("p", "x", now),
            new ShotStarted(spec, now), new ChunkCompleted(Stages.Chroma, 3, "h", 12, "note"), new StageCompleted(Stages.Chroma),
            new RevisionRequested(1, [0, 2], new Dictionary<int, float> { [5] = 2.5f }, "dark"), new ShotRenderFailed("x", now),
            new ShotRenderRetried(now), new ShotRenderCancelled(now), new ShotRenderPaused(now), new ShotRenderResumed(now), new ShotRenderCompleted("f", "v", "r", true, now),
            new ShotFramesRepaired(1, [new EchoRepair(3, "repaint-from-neighbours", "colour flip at frame 3 (ΔE00 20.4)")], "f", "v", now),
            new ShotRenderCompleted("f", null, "r", true, now), new ShotFramesRepaired(2, [new EchoRepair(4, "reinbetween", "pop")], "f", null, now),
            new ShotOutcomeRecorded("k", ShotStatus.Completed, null, "f", null, "r", true, 1, now, 2),
            new ChunkCompleted(Stages.Raygen, 1, "h", 6, null, "akka.tcp://talos@127.0.0.1:5", 2, "log"),
            new ChunkAttemptRecorded(Stages.Raygen, 1, 1, "akka.tcp://talos@127.0.0.1:5", ChunkFailureKind.NodeFault, "x", "log"),
            new ShotNodeAvoided("akka.tcp://talos@127.0.0.1:5", Stages.Raygen, 3, "x", now), new ShotPriorityChanged("k", 5, "ops", now),
            new OperatorActionRecorded("k", "pause", "ops-alice", null, true, "pause requested", now),
            new ShotRevised("k", 2, spec with { Title = "B" }, ["$.title"], now), new ProductionRevised("p", ["a", "c"], null, 0, 12, now),
            new ShotSpecRevised(2, spec with { Title = "B" }, ["$.title"], now),
            new SnapshotDocument("shot", 1, System.Text.Json.JsonDocument.Parse("{\"status\":\"completed\",\"specRevision\":2}").RootElement),
            new ProductionEdited("p", "h", 10, now, new Dictionary<string, int> { ["a"] = 1, ["c"] = 2 }),
            new HephaestusSnapshot([new ShotRecord("p--a", spec, 2) { Status = ShotStatus.Completed, OutcomeRevision = 2, FramesHash = "f", Priority = 3 }],
                [new ProductionRecord("p", ["p--a"], "m.wav", 0.5, 8) { FilmHash = "h", FilmFrames = 10, FilmCut = new Dictionary<string, int> { ["p--a"] = 2 } }]),
        ];
    }

    [Fact]
    public void Every_journal_event_round_trips_under_a_versioned_manifest()
    {
        var types = typeof(ITalosEvent).Assembly.GetTypes().Where(t => typeof(ITalosEvent).IsAssignableFrom(t) && !t.IsInterface).ToHashSet();
        Assert.Equal(types.OrderBy(t => t.Name), EventSamples().Select(e => e.GetType()).Distinct().OrderBy(t => t.Name));
        foreach (var e in EventSamples())
        {
            var serializer = Assert.IsType<ShotEventSerializer>(_system.Serialization.FindSerializerFor(e));
            var manifest = serializer.Manifest(e);
            Assert.Matches(@"^talos\.[a-z]+\.[a-z-]+\.v\d+$", manifest);
            Assert.DoesNotContain(e.GetType().Name, manifest); // the manifest is a contract, not a CLR name
            var back = serializer.FromBinary(serializer.ToBinary(e), manifest);
            Assert.Equal(System.Text.Json.JsonSerializer.Serialize(e, e.GetType()), System.Text.Json.JsonSerializer.Serialize(back, back.GetType()));
        }
    }

    [Fact]
    public void A_chunk_completed_written_before_nodes_were_recorded_still_reads()
    {
        var serializer = new ShotEventSerializer((ExtendedActorSystem)_system);
        var old = "{\"stage\":\"FLUX\",\"chunk\":2,\"hash\":\"abc\",\"frameCount\":12,\"note\":null}"u8.ToArray();
        var e = Assert.IsType<ChunkCompleted>(serializer.FromBinary(old, "talos.shot.chunk-completed.v1"));
        Assert.Equal((Stages.Flux, 2, "abc", 12), (e.Stage, e.Chunk, e.Hash, e.FrameCount));
        Assert.Null(e.Node);
        Assert.Null(e.LogHash);
        Assert.Equal(0, e.Attempt);
    }

    [Fact]
    public void Completions_journalled_with_and_without_a_shot_clip_both_read()
    {
        // before review clips were made on demand every completion named its clip; now the field is null (or absent)
        var serializer = new ShotEventSerializer((ExtendedActorSystem)_system);
        var old = "{\"framesHash\":\"f\",\"videoHash\":\"v\",\"reportHash\":\"r\",\"qualityPassed\":true,\"at\":\"2026-11-24T10:00:00+00:00\"}"u8.ToArray();
        var e = Assert.IsType<ShotRenderCompleted>(serializer.FromBinary(old, "talos.shot.completed.v1"));
        Assert.Equal(("f", "v", "r", true), (e.FramesHash, e.VideoHash, e.ReportHash, e.QualityPassed));
        var now = "{\"framesHash\":\"f\",\"reportHash\":\"r\",\"qualityPassed\":false,\"at\":\"2026-11-24T10:00:00+00:00\"}"u8.ToArray();
        var n = Assert.IsType<ShotRenderCompleted>(serializer.FromBinary(now, "talos.shot.completed.v1"));
        Assert.Equal(("f", null, "r", false), (n.FramesHash, n.VideoHash, n.ReportHash, n.QualityPassed));
        var written = new ShotRenderCompleted("f", null, "r", true, DateTimeOffset.UnixEpoch);
        Assert.Equal(written, serializer.FromBinary(serializer.ToBinary(written), serializer.Manifest(written)));
    }

    [Fact]
    public void Unknown_journal_manifest_is_a_clear_error()
    {
        var serializer = new ShotEventSerializer((ExtendedActorSystem)_system);
        var ex = Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary([], "talos.shot.nope.v9"));
        Assert.Contains("talos.shot.nope.v9", ex.Message);
    }
}
