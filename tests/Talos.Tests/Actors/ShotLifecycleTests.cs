using System.Collections.Concurrent;
using Talos.Actors.Hosting;
using Talos.Actors.Pipeline;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Queries;
using Talos.Messages.Specs;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Actors;

/// <summary>
/// The actor skeleton end to end on an embedded single-node cluster with every message serialized
/// (<c>serialize-messages = on</c>): a shot renders through every real stage, survives its actor system being
/// killed mid-shot, and fails with its reason when a chunk keeps failing.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ShotLifecycleTests : IDisposable
{
    readonly string _dir = Repo.TempDir("lifecycle");
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    TalosNodeOptions Options(RenderSettingsOptions? render = null) => new()
    {
        WorkDir = _dir,
        SerializeMessages = true,
        Render = render ?? new RenderSettingsOptions { ChunkFrames = 6, ChunkSlots = 1, MinBackoff = TimeSpan.FromMilliseconds(50) },
    };

    internal static ShotSpec SmallShot(bool effects = false) => Samples.Shot("life", "lifecycle", 96, 54, 12, 2, effects);

    internal static async Task<ShotView> WaitFor(TalosNode node, string key, Func<ShotView, bool> done, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var answer = await node.AskHephaestus<object>(new GetShot(key));
            if (answer is ShotView v && done(v)) return v;
            if (DateTime.UtcNow > until) throw new TimeoutException($"shot {key} did not get there in {timeout}: {answer}");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_shot_renders_through_every_stage_with_every_message_serialized()
    {
        var rendered = new ConcurrentBag<(string Stage, int Chunk)>();
        await using var node = await TalosNode.StartAsync(Options());
        node.Environment.ChunkRendered += (_, stage, chunk) => rendered.Add((stage, chunk));
        var spec = SmallShot(effects: true);
        var accepted = Assert.IsType<SubmitAccepted>(await node.AskHephaestus<object>(new SubmitShot(spec)));
        var view = await WaitFor(node, accepted.ShotKeys[0], v => ShotStatus.IsTerminal(v.Status), TimeSpan.FromMinutes(3));

        Assert.True(view.Status == ShotStatus.Completed, view.Reason);
        foreach (var stage in Stages.All) Assert.Contains(rendered, r => r.Stage == stage);
        var frames = System.Text.Json.JsonSerializer.Deserialize<List<string>>(node.Vault.Get(view.FramesHash!))!;
        Assert.Equal(spec.FrameCount, frames.Count);
        Assert.All(frames, h => Assert.True(node.Vault.Contains(h)));

        // the render encodes no review clip: the first ask makes it from the frame list and files it, later asks reuse it
        var clipName = Talos.Vault.DerivedAssets.ShotClip(view.FramesHash!, view.Fps);
        Assert.Null(view.VideoHash);
        Assert.Null(node.Vault.ResolveAsset(clipName));
        var clip = (await ShotClips.ResolveAsync(node.Vault, view.VideoHash, view.FramesHash, view.Fps))!;
        Assert.Equal(clip, node.Vault.ResolveAsset(clipName));
        var mp4 = node.Vault.Get(clip);
        Assert.Equal("ftyp", System.Text.Encoding.ASCII.GetString(mp4, 4, 4));
        var made = File.GetLastWriteTimeUtc(node.Vault.PathOf(clip));
        Assert.Equal(clip, await ShotClips.EnsureAsync(node.Vault, view.FramesHash!, view.Fps));
        Assert.Equal(made, File.GetLastWriteTimeUtc(node.Vault.PathOf(clip))); // not encoded (nor stored) again
        Assert.Equal(view.FramesHash, Talos.Vault.DerivedAssets.SourceOf(clipName)); // gc keeps it while the frame list is kept
    }

    /// <summary>
    /// The shot's group commit: AXIS chunks finish four at a time, and results that arrive while a write is in flight
    /// go to the journal together in the next write; every chunk is still journalled exactly once.
    /// </summary>
    [Fact]
    public async Task Chunk_results_that_arrive_together_are_journalled_together_and_each_once()
    {
        var writes = new ConcurrentQueue<int>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == TalosMetrics.MeterName && instrument.Name == TalosMetrics.JournalWriteChunksName) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<int>((_, chunks, _, _) => writes.Enqueue(chunks));
        listener.Start();

        var runners = new Dictionary<string, IStageRunner>(StageRunners.Create());
        runners[Stages.Axis] = new TogetherRunner(runners[Stages.Axis], 4);
        await using var node = await TalosNode.StartAsync(Options(new RenderSettingsOptions { ChunkFrames = 1, ChunkSlots = 4, MinBackoff = TimeSpan.FromMilliseconds(50) }), runners);
        var key = Assert.IsType<SubmitAccepted>(await node.AskHephaestus<object>(new SubmitShot(SmallShot()))).ShotKeys[0];
        var view = await WaitFor(node, key, v => ShotStatus.IsTerminal(v.Status), TimeSpan.FromMinutes(3));

        Assert.True(view.Status == ShotStatus.Completed, view.Reason);
        int chunks = view.Stages.Values.Sum(p => p.TotalChunks);
        Assert.Equal(chunks, writes.Sum());
        Assert.True(writes.Count < chunks, $"{chunks} chunks in {writes.Count} journal writes: none carried more than one result");
        Assert.Contains(writes, n => n > 1);
    }

    [Fact]
    public Task Recovered_shot_does_not_rerender_recorded_chunks() => RecoveryScenario(Options);

    /// <summary>
    /// A shot's spec revised after it finished (a character's palette), on a node started again on the same journal and
    /// vault: the entity recovers from its snapshot, renders revision 2 with what the palette touches (CHROMA and what
    /// reads it) and takes AXIS, FLUX and STOKES back from the vault by their content identity, unrendered.
    /// </summary>
    [Fact]
    public async Task A_revised_shot_renders_only_what_its_change_touches_and_recovers_from_its_snapshot()
    {
        var settings = new RenderSettingsOptions { ChunkFrames = 6, ChunkSlots = 2, MinBackoff = TimeSpan.FromMilliseconds(50), SnapshotEvery = 5 };
        var spec = SmallShot(effects: true);
        string key;
        ShotView first;
        var firstRun = new ConcurrentBag<(string Stage, int Chunk)>();
        await using (var node = await TalosNode.StartAsync(Options(settings), StageRunners.Create().ToDictionary(kv => kv.Key, kv => (IStageRunner)new CountingRunner(kv.Value, firstRun))))
        {
            key = Assert.IsType<SubmitAccepted>(await node.AskHephaestus<object>(new SubmitShot(spec))).ShotKeys[0];
            first = await WaitFor(node, key, v => ShotStatus.IsTerminal(v.Status), TimeSpan.FromMinutes(3));
            Assert.True(first.Status == ShotStatus.Completed, first.Reason);
        }
        Assert.Equal(first.Stages.Values.Sum(p => p.TotalChunks), firstRun.Count);

        var secondRun = new ConcurrentBag<(string Stage, int Chunk)>();
        await using var again = await TalosNode.StartAsync(Options(settings), StageRunners.Create().ToDictionary(kv => kv.Key, kv => (IStageRunner)new CountingRunner(kv.Value, secondRun)));
        var edited = spec with { Characters = [spec.Characters[0] with { Palette = new Dictionary<string, string> { ["shirt"] = "#2060c0" } }, .. spec.Characters.Skip(1)] };
        var revised = Assert.IsType<SubmitAccepted>(await again.AskHephaestus<object>(new SubmitShot(edited)));
        Assert.Equal(key, revised.ShotKeys[0]);
        var view = await WaitFor(again, key, v => v.Revision == 2 && ShotStatus.IsTerminal(v.Status), TimeSpan.FromMinutes(3));

        Assert.True(view.Status == ShotStatus.Completed, view.Reason);
        Assert.NotEqual(first.FramesHash, view.FramesHash);
        foreach (var stage in new[] { Stages.Axis, Stages.Flux, Stages.Stokes }) Assert.DoesNotContain(secondRun, r => r.Stage == stage);
        foreach (var stage in new[] { Stages.Chroma, Stages.Raygen, Stages.Anima, Stages.Cuttura, Stages.Echo })
            Assert.Equal(view.Stages[stage].TotalChunks, secondRun.Count(r => r.Stage == stage));

        // The entity saved snapshots (every 5 events) and the old ones were deleted as new ones came. The deletion follows
        // each save's success, so the last one may still be on its way when the shot reports completed: wait for it.
        using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_dir, "snapshots.db")}");
        db.Open();
        using var q = db.CreateCommand();
        q.CommandText = "SELECT COUNT(*) FROM snapshot WHERE persistence_id = $p";
        q.Parameters.AddWithValue("$p", "shot-" + key);
        long snapshots = (long)q.ExecuteScalar()!;
        for (var until = DateTime.UtcNow.AddSeconds(30); snapshots > 1 && DateTime.UtcNow < until; snapshots = (long)q.ExecuteScalar()!)
            await Task.Delay(100);
        Assert.Equal(1L, snapshots);
    }

    /// <summary>
    /// Kill a node mid-shot (after PRISM, AXIS and FLUX are recorded, while CHROMA renders) and start a new one on the
    /// same journal and vault: the shot finishes and no recorded chunk is rendered again (counted).
    /// </summary>
    internal static async Task RecoveryScenario(Func<RenderSettingsOptions?, TalosNodeOptions> options)
    {
        var spec = SmallShot();
        var gate = new Gate();
        var firstRun = new ConcurrentBag<(string Stage, int Chunk)>();

        // Run 1: CHROMA blocks on its first chunk, so PRISM, AXIS and FLUX are recorded and nothing after them is.
        var runners = new Dictionary<string, IStageRunner>(StageRunners.Create());
        runners[Stages.Chroma] = new BlockingRunner(runners[Stages.Chroma], gate);
        var node = await TalosNode.StartAsync(options(null), runners);
        node.Environment.ChunkRendered += (_, stage, chunk) => firstRun.Add((stage, chunk));
        var key = Assert.IsType<SubmitAccepted>(await node.AskHephaestus<object>(new SubmitShot(spec))).ShotKeys[0];
        await gate.Entered.Task.WaitAsync(TimeSpan.FromMinutes(2));
        var before = await WaitFor(node, key, v => v.Stages.TryGetValue(Stages.Flux, out var p) && p.DoneChunks == p.TotalChunks, TimeSpan.FromSeconds(30));
        await node.KillAsync(); // a crash: no hand-off, only the journal survives

        var recorded = new[] { Stages.Prism, Stages.Axis, Stages.Flux }.Sum(s => before.Stages[s].TotalChunks);
        Assert.Equal(recorded, firstRun.Count);
        Assert.DoesNotContain(firstRun, r => r.Stage == Stages.Chroma);

        // Run 2 on the same journal and vault: resumes, renders only what was not recorded.
        // Counted by the runners, which exist before the node starts: the resumed shot may render a chunk before an event
        // handler attached after StartAsync would see it.
        var secondRun = new ConcurrentBag<(string Stage, int Chunk)>();
        var counted = StageRunners.Create().ToDictionary(kv => kv.Key, kv => (IStageRunner)new CountingRunner(kv.Value, secondRun));
        await using var again = await TalosNode.StartAsync(options(null), counted);
        var view = await WaitFor(again, key, v => ShotStatus.IsTerminal(v.Status), TimeSpan.FromMinutes(3));

        Assert.True(view.Status == ShotStatus.Completed, view.Reason);
        Assert.DoesNotContain(secondRun, r => r.Stage is Stages.Prism or Stages.Axis or Stages.Flux);
        Assert.Equal(view.Stages[Stages.Chroma].TotalChunks, secondRun.Count(r => r.Stage == Stages.Chroma));
        Assert.Equal(spec.FrameCount, view.Stages[Stages.Anima].DoneFrames);
    }

    [Fact]
    public async Task A_chunk_that_keeps_failing_is_retried_with_backoff_then_fails_the_shot_with_the_reason()
    {
        var flaky = new AlwaysFailingRunner(StageRunners.Create()[Stages.Raygen], "lamp blew");
        var runners = new Dictionary<string, IStageRunner>(StageRunners.Create()) { [Stages.Raygen] = flaky };
        var settings = new RenderSettingsOptions
        {
            ChunkFrames = 24, ChunkSlots = 1, MaxChunkRetries = 3,
            MinBackoff = TimeSpan.FromMilliseconds(100), MaxBackoff = TimeSpan.FromSeconds(2),
        };
        await using var node = await TalosNode.StartAsync(Options(settings), runners);
        var key = Assert.IsType<SubmitAccepted>(await node.AskHephaestus<object>(new SubmitShot(SmallShot()))).ShotKeys[0];
        var view = await WaitFor(node, key, v => ShotStatus.IsTerminal(v.Status), TimeSpan.FromMinutes(2));

        Assert.Equal(ShotStatus.Failed, view.Status);
        Assert.Contains("RAYGEN chunk 0 failed after 4 attempt(s): lamp blew", view.Reason);
        var attempts = flaky.Attempts.ToList();
        Assert.Equal(4, attempts.Count); // the first try and 3 retries
        var gaps = attempts.Zip(attempts.Skip(1), (a, b) => b - a).ToList();
        // The backoff doubles from MinBackoff: 100, 200, 400 ms. Load only lengthens a gap, so each gap is checked against
        // its own floor (a backoff that did not grow fails on the last two on any machine; a loaded one cannot shorten them).
        for (int i = 0; i < gaps.Count; i++)
        {
            double floor = 0.9 * 100 * Math.Pow(2, i);
            Assert.True(gaps[i].TotalMilliseconds >= floor,
                $"retry {i + 1} came after {gaps[i].TotalMilliseconds:0} ms, under its backoff floor {floor:0} ms (gaps: {string.Join(", ", gaps.Select(g => g.TotalMilliseconds.ToString("0")))} ms)");
        }

        // The operator retries it: with the fault gone it completes, and the chunks recorded before are kept.
        flaky.Healed = true;
        var ack = await node.AskHephaestus<CommandAck>(new RetryShot(key));
        Assert.True(ack.Ok, ack.Message);
        var retried = await WaitFor(node, key, v => v.Status == ShotStatus.Completed, TimeSpan.FromMinutes(2));
        Assert.NotNull(retried.FramesHash);
    }

    [Fact]
    public async Task Bad_input_fails_the_shot_at_once_without_spending_retries()
    {
        var broken = new ThrowingRunner(StageRunners.Create()[Stages.Chroma], () => new InvalidDataException("keyframe image 'k.png' is not a readable PNG"));
        var runners = new Dictionary<string, IStageRunner>(StageRunners.Create()) { [Stages.Chroma] = broken };
        var settings = new RenderSettingsOptions { ChunkFrames = 24, ChunkSlots = 1, MaxChunkRetries = 3, MinBackoff = TimeSpan.FromSeconds(2) };
        await using var node = await TalosNode.StartAsync(Options(settings), runners);
        var key = Assert.IsType<SubmitAccepted>(await node.AskHephaestus<object>(new SubmitShot(SmallShot()))).ShotKeys[0];
        var view = await WaitFor(node, key, v => ShotStatus.IsTerminal(v.Status), TimeSpan.FromMinutes(1));
        Assert.Equal(ShotStatus.Failed, view.Status);
        Assert.Contains("CHROMA chunk 0 failed after 1 attempt(s): bad input: keyframe image 'k.png' is not a readable PNG", view.Reason);
        Assert.Equal(1, broken.Calls);
    }

    [Fact]
    public async Task A_hung_chunk_times_out_and_its_retry_finishes_the_shot()
    {
        var hangOnce = new HangOnceRunner(StageRunners.Create()[Stages.Raygen]);
        var runners = new Dictionary<string, IStageRunner>(StageRunners.Create()) { [Stages.Raygen] = hangOnce };
        var settings = new RenderSettingsOptions
        {
            // The timeout must outlast a healthy RAYGEN attempt of this small shot on a loaded CI machine (1.5 s did not always).
            ChunkFrames = 24, ChunkSlots = 1, MaxChunkRetries = 2, MinBackoff = TimeSpan.FromMilliseconds(50),
            ChunkTimeout = TimeSpan.FromSeconds(8),
        };
        await using var node = await TalosNode.StartAsync(Options(settings), runners);
        var key = Assert.IsType<SubmitAccepted>(await node.AskHephaestus<object>(new SubmitShot(SmallShot()))).ShotKeys[0];
        var view = await WaitFor(node, key, v => ShotStatus.IsTerminal(v.Status), TimeSpan.FromMinutes(2));
        Assert.True(view.Status == ShotStatus.Completed, view.Reason);
        Assert.Equal(2, hangOnce.Calls); // the hung attempt, then the retry
        Assert.True(hangOnce.SawCancellation, "the hung attempt was cancelled");
    }

    /// <summary>A node fault: the first attempt hangs until it is cancelled; later attempts render.</summary>
    sealed class HangOnceRunner(IStageRunner inner) : WrappedRunner(inner)
    {
        int _calls;
        public int Calls => _calls;
        public volatile bool SawCancellation;

        public override ChunkManifest Run(ChunkContext context)
        {
            if (Interlocked.Increment(ref _calls) > 1) return Inner.Run(context);
            context.Cancellation.WaitHandle.WaitOne(TimeSpan.FromSeconds(30));
            SawCancellation = context.Cancellation.IsCancellationRequested;
            context.Cancellation.ThrowIfCancellationRequested();
            throw new TimeoutException("never cancelled");
        }
    }

    sealed class ThrowingRunner(IStageRunner inner, Func<Exception> fault) : WrappedRunner(inner)
    {
        int _calls;
        public int Calls => _calls;
        public override ChunkManifest Run(ChunkContext context) { Interlocked.Increment(ref _calls); throw fault(); }
    }

    [Fact]
    public async Task A_paused_shot_stops_its_chunks_and_a_resume_finishes_it_from_the_recorded_ones()
    {
        var gate = new Gate();
        var runners = new Dictionary<string, IStageRunner>(StageRunners.Create());
        runners[Stages.Chroma] = new BlockingRunner(runners[Stages.Chroma], gate);
        var rendered = new ConcurrentBag<(string Stage, int Chunk)>();
        await using var node = await TalosNode.StartAsync(Options(), runners);
        node.Environment.ChunkRendered += (_, stage, chunk) => rendered.Add((stage, chunk));
        var key = Assert.IsType<SubmitAccepted>(await node.AskHephaestus<object>(new SubmitShot(SmallShot()))).ShotKeys[0];
        await gate.Entered.Task.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True((await node.AskHephaestus<CommandAck>(new PauseShot(key))).Ok);
        var paused = await WaitFor(node, key, v => v.Status == ShotStatus.Paused, TimeSpan.FromSeconds(30));
        Assert.Equal(0, paused.Stages[Stages.Chroma].DoneChunks); // the in-flight CHROMA chunk was cancelled, not recorded
        gate.Released.TrySetResult(); // the fault is gone; nothing renders while paused
        await Task.Delay(500);
        Assert.DoesNotContain(rendered, r => r.Stage == Stages.Chroma);
        int upstream = rendered.Count;

        Assert.True((await node.AskHephaestus<CommandAck>(new ResumeShot(key))).Ok);
        var done = await WaitFor(node, key, v => ShotStatus.IsTerminal(v.Status), TimeSpan.FromMinutes(2));
        Assert.True(done.Status == ShotStatus.Completed, done.Reason);
        Assert.Equal(upstream, rendered.Count(r => r.Stage is Stages.Prism or Stages.Axis or Stages.Flux)); // none again
        Assert.False((await node.AskHephaestus<CommandAck>(new PauseShot(key))).Ok); // a finished shot cannot pause
    }

    [Fact]
    public async Task A_cancelled_shot_stops_and_says_so()
    {
        var gate = new Gate();
        var runners = new Dictionary<string, IStageRunner>(StageRunners.Create());
        runners[Stages.Flux] = new BlockingRunner(runners[Stages.Flux], gate);
        await using var node = await TalosNode.StartAsync(Options(), runners);
        var key = Assert.IsType<SubmitAccepted>(await node.AskHephaestus<object>(new SubmitShot(SmallShot()))).ShotKeys[0];
        await gate.Entered.Task.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.True((await node.AskHephaestus<CommandAck>(new CancelShot(key))).Ok);
        var view = await WaitFor(node, key, v => ShotStatus.IsTerminal(v.Status), TimeSpan.FromSeconds(30));
        Assert.Equal(ShotStatus.Cancelled, view.Status);
        Assert.False((await node.AskHephaestus<CommandAck>(new CancelShot("nope--x"))).Ok);
    }

    [Fact]
    public async Task Echo_sends_the_chunks_with_black_frames_back_and_the_revision_passes()
    {
        var anima = new BlackOutFirstChunkRunner(StageRunners.Create()[Stages.Anima]);
        var runners = new Dictionary<string, IStageRunner>(StageRunners.Create()) { [Stages.Anima] = anima };
        var rendered = new ConcurrentBag<(string Stage, int Chunk)>();
        await using var node = await TalosNode.StartAsync(Options(), runners);
        node.Environment.ChunkRendered += (_, stage, chunk) => rendered.Add((stage, chunk));
        var key = Assert.IsType<SubmitAccepted>(await node.AskHephaestus<object>(new SubmitShot(SmallShot()))).ShotKeys[0];
        var view = await WaitFor(node, key, v => ShotStatus.IsTerminal(v.Status), TimeSpan.FromMinutes(3));

        Assert.True(view.Status == ShotStatus.Completed, view.Reason);
        Assert.Equal(1, view.Revisions);
        Assert.True(view.QualityPassed);
        // Only the chunk that held the black frames went back; CUTTURA and ECHO ran once per round.
        Assert.Equal(2, rendered.Count(r => r is (Stages.Anima, 0)));
        Assert.All(rendered.Where(r => r.Stage == Stages.Anima && r.Chunk > 0).GroupBy(r => r.Chunk), g => Assert.Single(g));
        Assert.Equal(2, rendered.Count(r => r.Stage == Stages.Echo));
        var report = System.Text.Json.JsonDocument.Parse(node.Vault.Get(view.ReportHash!));
        Assert.Equal(1, report.RootElement.GetProperty("revision").GetInt32());
    }

    /// <summary>A render fault: the first ANIMA chunk comes out black on the first round only.</summary>
    sealed class BlackOutFirstChunkRunner(IStageRunner inner) : WrappedRunner(inner)
    {

        public override ChunkManifest Run(ChunkContext context)
        {
            var manifest = Inner.Run(context);
            if (context.Revision > 0 || context.Plan.Chunk != 0) return manifest;
            int w = context.Spec.Resolution.Width, h = context.Spec.Resolution.Height;
            var black = context.Vault.Put(Talos.Gpu.Imaging.FrameCodec.EncodeRgb24(new byte[w * h * 3], w, h), "final-frame");
            return manifest with
            {
                Frames = manifest.Frames.Select(f => f with { Blobs = new Dictionary<string, string> { ["final"] = black } }).ToList(),
            };
        }
    }

    /// <summary>Lets a test hold a stage's first chunk until the node is killed (or the test releases it).</summary>
    sealed class Gate
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    sealed class CountingRunner(IStageRunner inner, ConcurrentBag<(string Stage, int Chunk)> rendered) : WrappedRunner(inner)
    {

        public override ChunkManifest Run(ChunkContext context)
        {
            var manifest = Inner.Run(context);
            rendered.Add((Stage, context.Plan.Chunk));
            return manifest;
        }
    }

    /// <summary>Renders each chunk, then holds it until <paramref name="together"/> are done (at most 10 s) and lets them go at once.</summary>
    sealed class TogetherRunner(IStageRunner inner, int together) : WrappedRunner(inner)
    {
        readonly Lock _lock = new();
        int _waiting;
        TaskCompletionSource _go = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override ChunkManifest Run(ChunkContext context)
        {
            var manifest = Inner.Run(context);
            Task go;
            lock (_lock)
            {
                go = _go.Task;
                if (++_waiting == together)
                {
                    _waiting = 0;
                    _go.TrySetResult();
                    _go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
            go.Wait(TimeSpan.FromSeconds(10), context.Cancellation);
            return manifest;
        }
    }

    sealed class BlockingRunner(IStageRunner inner, Gate gate) : WrappedRunner(inner)
    {

        public override ChunkManifest Run(ChunkContext context)
        {
            gate.Entered.TrySetResult();
            gate.Released.Task.Wait(context.Cancellation);
            return Inner.Run(context);
        }
    }

    sealed class AlwaysFailingRunner(IStageRunner inner, string reason) : WrappedRunner(inner)
    {
        readonly ConcurrentQueue<TimeSpan> _attempts = new();
        readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
        public volatile bool Healed;
        public IEnumerable<TimeSpan> Attempts => _attempts;

        public override ChunkManifest Run(ChunkContext context)
        {
            if (Healed) return Inner.Run(context);
            _attempts.Enqueue(_clock.Elapsed);
            throw new InvalidOperationException(reason);
        }
    }
}

/// <summary>Cluster tests bind ports and journals: run them one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    public const string Name = "cluster";
}
