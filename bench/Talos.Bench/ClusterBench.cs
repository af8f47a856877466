using System.Diagnostics;
using Akka.Actor;
using Akka.Persistence;
using Microsoft.Data.Sqlite;
using Talos.Actors.Hosting;
using Talos.Actors.Pipeline;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Events;
using Talos.Messages.Queries;
using Talos.Messages.Specs;

namespace Talos.Bench;

/// <summary>
/// What the farm machinery costs, measured against its peers in the same run:
/// (1) orchestration overhead per chunk — shots whose stages do trivial work (one tiny blob per frame), so the time is
///     the actors' (offers, leases, results), the journal's and the vault's — against the render time of a real
///     1280×720 chunk measured here too;
/// (2) journal events/s — ChunkCompleted events persisted one Persist per chunk (a shot whose chunks finish one at a
///     time, many shots at once) and in PersistAll batches of 100 (a shot's group commit when results arrive together)
///     — against a raw batch insert of the same payloads into the same database: the embedded SQLite file, then a
///     private PostgreSQL server started for the run (the farm's journal), where a raw binary COPY is shown too;
/// (3) Hephaestus's recovery with a journal of many finished shots: start → first answer to a query, replaying the
///     whole journal and from a snapshot, on SQLite and on PostgreSQL.
/// </summary>
public static class ClusterBench
{
    public static async Task<int> RunAsync(int shots, int frames, int events, bool postgresOnly = false, int recoveryShots = 10_000, bool recoveryOnly = false)
    {
        Console.WriteLine($"# cluster: {Environment.ProcessorCount} cores; embedded node, SQLite journal, then a PostgreSQL journal");
        Console.WriteLine();
        if (!recoveryOnly)
        {
            if (!postgresOnly) await Orchestration(shots, frames, events);
            await Postgres(events);
            Console.WriteLine();
        }
        if (!postgresOnly) await Recovery(recoveryShots, null);
        await using (var pg = await PostgresServer.StartAsync(durable: true)) await Recovery(recoveryShots, pg);
        return 0;
    }

    /// <summary>
    /// Hephaestus's recovery: a journal of <paramref name="shots"/> finished shots (100 to a production: each admitted,
    /// completed, and each production cut) written under "hephaestus" on a node without the core role (so no singleton
    /// of its own writes there), then a HephaestusActor started on it, timed from its creation to its first answer
    /// (GetShot), <see cref="Rounds"/> times: replaying the whole journal, then again with one snapshot at its end (as
    /// Hephaestus saves them every N events; snapshots off in the node, so the timed actors save none themselves).
    /// </summary>
    static async Task Recovery(int shots, PostgresServer? pg)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"talos-bench-recovery-{Guid.NewGuid():N}");
        try
        {
            await using var node = await TalosNode.StartAsync(new TalosNodeOptions
            {
                WorkDir = dir, Roles = ["gpu"], JournalConnection = pg?.ConnectionString, JournalProvider = pg is null ? JournalTarget.Sqlite : JournalTarget.Postgres,
                Render = new RenderSettingsOptions { ChunkSlots = 1, HephaestusSnapshotEvery = 0 },
            }, Stages.All.ToDictionary(s => s, s => (IStageRunner)new TrivialRunner(s)));
            var events = FinishedShots(shots);
            var clock = Stopwatch.StartNew();
            await Journal(node.System, events, snapshot: false);
            var written = clock.Elapsed;

            async Task<List<double>> Timed()
            {
                var times = new List<double>();
                for (int round = 0; round < Rounds; round++)
                {
                    var watch = Stopwatch.StartNew();
                    var heph = node.System.ActorOf(Talos.Actors.Hephaestus.HephaestusActor.Props(ActorRefs.Nobody, node.Environment));
                    var first = await heph.Ask<object>(new GetShot("bench-p000--b00000"), TimeSpan.FromMinutes(5));
                    times.Add(watch.Elapsed.TotalMilliseconds);
                    if (first is not ShotView { Status: ShotStatus.Completed }) throw new InvalidOperationException($"recovered {first}");
                    if (round == 0)
                    {
                        var all = await heph.Ask<ShotListing>(new ListShots(), TimeSpan.FromMinutes(1));
                        if (all.Shots.Count != shots || all.Shots.Any(s => s.Status != ShotStatus.Completed))
                            throw new InvalidOperationException($"recovered {all.Shots.Count} shots, {all.Shots.Count(s => s.Status == ShotStatus.Completed)} completed");
                    }
                    await heph.GracefulStop(TimeSpan.FromSeconds(30));
                }
                return times;
            }

            var replay = await Timed();
            await Journal(node.System, events, snapshot: true);
            var snapshot = Talos.Actors.Hephaestus.HephaestusState.Replay(events).ToSnapshot();
            var bytes = new Talos.Messages.Serialization.ShotEventSerializer((ExtendedActorSystem)node.System).ToBinary(snapshot).Length;
            var fromSnapshot = await Timed();
            static string Range(List<double> xs) => $"(median of {xs.Count}; {xs.Min():F0}–{xs.Max():F0})";
            var store = pg is null ? "SQLite" : $"PostgreSQL {pg.Version}";
            Console.WriteLine($"Hephaestus recovery, {store} journal of {shots} finished shots ({events.Count} events, written in {written.TotalSeconds:F1} s), start → first answer:");
            Console.WriteLine($"  replaying the journal: {Median(replay):F0} ms {Range(replay)}");
            Console.WriteLine($"  from a snapshot ({bytes / 1024.0 / 1024.0:F1} MiB) at its end: {Median(fromSnapshot):F0} ms {Range(fromSnapshot)}");
        }
        finally { try { Directory.Delete(dir, true); } catch (IOException) { } }
    }

    /// <summary>Hephaestus's journal after <paramref name="shots"/> finished shots, 100 to a production, every production cut.</summary>
    static List<ITalosEvent> FinishedShots(int shots)
    {
        var at = DateTimeOffset.Parse("2026-12-01T00:00:00Z");
        var events = new List<ITalosEvent>();
        static string Hash(string what, int i) => what + i.ToString("x62");
        for (int first = 0, production = 0; first < shots; first += 100, production++)
        {
            var name = $"bench-p{production:000}";
            var keys = new List<string>();
            for (int i = first; i < Math.Min(shots, first + 100); i++)
            {
                var spec = Spec($"b{i:00000}", 24) with { Production = name, Sequence = i - first + 1 };
                var key = Identifiers.ShotKey(name, spec.Id);
                keys.Add(key);
                events.Add(new ShotAdmitted(key, spec, at));
            }
            events.Add(new ProductionAdmitted(name, keys, null, 0, 8, at));
            foreach (var (key, i) in keys.Select((k, i) => (k, first + i)))
                events.Add(new ShotOutcomeRecorded(key, ShotStatus.Completed, null, Hash("f0", i), Hash("v0", i), Hash("r0", i), true, 0, at));
            events.Add(new ProductionEdited(name, Hash("e0", production), keys.Count * 24, at, keys.ToDictionary(k => k, _ => 1)));
        }
        return events;
    }

    /// <summary>Writes <paramref name="events"/> under "hephaestus" (PersistAll, 1,000 at a time), or — with
    /// <paramref name="snapshot"/> — recovers them and saves the registry they make as a snapshot at the journal's end.</summary>
    static Task Journal(ActorSystem system, IReadOnlyList<ITalosEvent> events, bool snapshot)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        system.ActorOf(Props.Create(() => new HephaestusJournal(events, snapshot, done)));
        return done.Task.WaitAsync(TimeSpan.FromMinutes(10));
    }

    sealed class HephaestusJournal : ReceivePersistentActor
    {
        public override string PersistenceId => "hephaestus";

        public HephaestusJournal(IReadOnlyList<ITalosEvent> events, bool snapshot, TaskCompletionSource done)
        {
            Recover<ITalosEvent>(_ => { });
            Recover<RecoveryCompleted>(_ => Self.Tell(snapshot ? "snapshot" : "write"));
            Command<string>(what =>
            {
                if (what == "snapshot") { SaveSnapshot(Talos.Actors.Hephaestus.HephaestusState.Replay(events).ToSnapshot()); return; }
                int written = 0;
                foreach (var batch in events.Chunk(1000))
                    PersistAll(batch, _ => { if (++written == events.Count) { done.TrySetResult(); Context.Stop(Self); } });
            });
            Command<SaveSnapshotSuccess>(_ => { done.TrySetResult(); Context.Stop(Self); });
            Command<SaveSnapshotFailure>(f => { done.TrySetException(f.Cause); Context.Stop(Self); });
        }
    }

    static async Task Orchestration(int shots, int frames, int events)
    {

        // A real chunk at 720p, every stage, one 12-frame chunk each: the yardstick.
        var real = await RealChunkTime();
        Console.WriteLine($"real 1280x720 chunk (12 frames), mean over the stages of one shot: {real.TotalMilliseconds:F0} ms ({RealDetail})");

        var dir = Path.Combine(Path.GetTempPath(), $"talos-bench-cluster-{Guid.NewGuid():N}");
        try
        {
            var runners = Stages.All.ToDictionary(s => s, s => (IStageRunner)new TrivialRunner(s));
            await using var node = await TalosNode.StartAsync(new TalosNodeOptions
            {
                WorkDir = dir, Render = new RenderSettingsOptions { ChunkSlots = Environment.ProcessorCount, ChunkFrames = 1, MaxActiveShots = shots },
            }, runners);
            var specs = Enumerable.Range(1, shots).Select(i => Spec($"b{i:000}", frames)).ToList();
            // How many chunk results each of the shots' journal writes carried (the shot's group commit).
            long writes = 0, written = 0; int largest = 0;
            using var listener = new System.Diagnostics.Metrics.MeterListener();
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == TalosMetrics.MeterName && instrument.Name == TalosMetrics.JournalWriteChunksName) l.EnableMeasurementEvents(instrument);
            };
            listener.SetMeasurementEventCallback<int>((_, n, _, _) =>
            {
                Interlocked.Increment(ref writes); Interlocked.Add(ref written, n);
                int seen; while (n > (seen = Volatile.Read(ref largest)) && Interlocked.CompareExchange(ref largest, n, seen) != seen) { }
            });
            listener.Start();
            int chunks = specs.Count * (7 * frames + 2);
            var clock = Stopwatch.StartNew();
            foreach (var spec in specs) await node.AskHephaestus<object>(new SubmitShot(spec));
            while (true)
            {
                var listing = await node.AskHephaestus<ShotListing>(new ListShots("bench"));
                if (listing.Shots.Count == shots && listing.Shots.All(s => ShotStatus.IsTerminal(s.Status)))
                {
                    if (listing.Shots.Any(s => s.Status != ShotStatus.Completed)) throw new InvalidOperationException("a trivial shot failed");
                    break;
                }
                await Task.Delay(20);
            }
            var wall = clock.Elapsed;
            double perChunk = wall.TotalMilliseconds / chunks;
            Console.WriteLine($"orchestration: {shots} shots x {frames} frames, 1 frame per chunk = {chunks} chunks in {wall.TotalSeconds:F2} s: " +
                              $"{chunks / wall.TotalSeconds:F0} chunks/s, {perChunk:F2} ms per chunk (wall / chunks, {Environment.ProcessorCount} slots)");
            Console.WriteLine($"overhead per chunk against the real 720p chunk: {perChunk / real.TotalMilliseconds * 100:F2} %");
            Console.WriteLine($"the shots' journal writes: {written} chunk results in {writes} writes, {(double)written / Math.Max(1, writes):F2} per write on average, at most {largest}");
            Console.WriteLine();

            // The journal as the shots use it, against a raw batch insert into the same SQLite file.
            var journalRate = await JournalRate(node.System, events, batch: 1);
            var batchedRate = await JournalRate(node.System, events, batch: 100);
            var rawRate = RawInsertRate((ExtendedActorSystem)node.System, Path.Combine(dir, "journal.db"), events);
            Console.WriteLine($"SQLite journal: {events} ChunkCompleted events, one Persist each, 64 writers at once: {journalRate:F0} events/s");
            Console.WriteLine($"SQLite raw batch insert of the same payloads, one transaction, same database file: {rawRate:F0} rows/s");
            Console.WriteLine($"SQLite journal, PersistAll of 100 events at a time, 64 writers: {batchedRate:F0} events/s");
            Console.WriteLine($"SQLite journal / raw: {journalRate / rawRate * 100:F1} % one at a time, {batchedRate / rawRate * 100:F1} % batched");
            Console.WriteLine();
        }
        finally { try { Directory.Delete(dir, true); } catch (IOException) { } }
    }

    /// <summary>
    /// The same journal measures on PostgreSQL: a private server (own data dir, free port, fsync on as in the farm), an
    /// embedded node whose journal is that database, and the raw peer in a table of the same database.
    /// </summary>
    const int Rounds = 5;
    static double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);

    static async Task Postgres(int events)
    {
        await using var pg = await PostgresServer.StartAsync(durable: true);
        var dir = Path.Combine(Path.GetTempPath(), $"talos-bench-cluster-pg-{Guid.NewGuid():N}");
        try
        {
            await using var node = await TalosNode.StartAsync(new TalosNodeOptions
            {
                WorkDir = dir, JournalConnection = pg.ConnectionString, JournalProvider = JournalTarget.Postgres,
                Render = new RenderSettingsOptions { ChunkSlots = Environment.ProcessorCount, ChunkFrames = 1 },
            }, Stages.All.ToDictionary(s => s, s => (IStageRunner)new TrivialRunner(s)));
            // Warm up (table creation by auto-initialize, connection pool, JIT) outside the timed runs.
            await JournalRate(node.System, 640, batch: 1);
            await JournalRate(node.System, 6400, batch: 100);
            RawPostgresInsertRate((ExtendedActorSystem)node.System, pg.ConnectionString, 640, 100);
            RawPostgresCopyRate((ExtendedActorSystem)node.System, pg.ConnectionString, 640);
            // The three measures interleaved, three rounds, medians: a shared machine's load moves between rounds.
            var one = new List<double>(); var all = new List<double>(); var raw = new List<double>(); var copy = new List<double>();
            // CPU per journalled event (this process — the journal client — and the PostgreSQL server), over every round.
            var cpuOne = (Client: 0.0, Server: 0.0); var cpuAll = (Client: 0.0, Server: 0.0);
            (double Client, double Server) Cpu() => (Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds, ScaleBench.CpuMeter.PostgresCpuSeconds(pg.ServerPid));
            async Task<double> Measured(int batch, Action<(double Client, double Server)> add)
            {
                var before = Cpu();
                var rate = await JournalRate(node.System, events, batch);
                var after = Cpu();
                add((after.Client - before.Client, after.Server - before.Server));
                return rate;
            }
            for (int round = 0; round < Rounds; round++)
            {
                one.Add(await Measured(1, d => cpuOne = (cpuOne.Client + d.Client, cpuOne.Server + d.Server)));
                all.Add(await Measured(100, d => cpuAll = (cpuAll.Client + d.Client, cpuAll.Server + d.Server)));
                raw.Add(RawPostgresInsertRate((ExtendedActorSystem)node.System, pg.ConnectionString, events, 100));
                copy.Add(RawPostgresCopyRate((ExtendedActorSystem)node.System, pg.ConnectionString, events));
            }
            double journalRate = Median(one), batchedRate = Median(all), rawRate = Median(raw);
            static string Range(List<double> xs) => $"(median of {xs.Count}; {xs.Min():F0}–{xs.Max():F0})";
            Console.WriteLine($"PostgreSQL {pg.Version} (private server, fsync on, port {pg.Port})");
            Console.WriteLine($"PostgreSQL journal: {events} ChunkCompleted events, one Persist each, 64 writers at once: {journalRate:F0} events/s {Range(one)}");
            Console.WriteLine($"PostgreSQL raw batch insert of the same payloads (prepared INSERT per row, 100 rows per round trip, one transaction), same database: {rawRate:F0} rows/s {Range(raw)}");
            Console.WriteLine($"PostgreSQL journal, PersistAll of 100 events at a time, 64 writers: {batchedRate:F0} events/s {Range(all)}");
            Console.WriteLine($"PostgreSQL journal / raw: {journalRate / rawRate * 100:F1} % one at a time, {batchedRate / rawRate * 100:F1} % batched");
            double perEvent = 1000.0 / (events / 64 * 64 * Rounds);
            Console.WriteLine($"PostgreSQL journal, CPU ms per event (this process, the journal's client / the PostgreSQL server): one Persist each {cpuOne.Client * perEvent:F3} / {cpuOne.Server * perEvent:F3}, PersistAll of 100 {cpuAll.Client * perEvent:F3} / {cpuAll.Server * perEvent:F3}");
            double copyRate = Median(copy);
            Console.WriteLine($"PostgreSQL raw binary COPY of the same payloads, one transaction, same database: {copyRate:F0} rows/s {Range(copy)}");
            Console.WriteLine($"PostgreSQL journal / raw COPY: {journalRate / copyRate * 100:F1} % one at a time, {batchedRate / copyRate * 100:F1} % batched");
        }
        finally { try { Directory.Delete(dir, true); } catch (IOException) { } }
    }

    /// <summary>
    /// The raw peer on PostgreSQL: one INSERT statement prepared once, sent <paramref name="perRoundTrip"/> rows per round
    /// trip as an NpgsqlBatch of that prepared statement (see <see cref="RawPostgresRate"/> for the table and transaction).
    /// </summary>
    static double RawPostgresInsertRate(ExtendedActorSystem system, string connection, int events, int perRoundTrip) =>
        RawPostgresRate(system, connection, events, (db, tx, table, payloads) =>
        {
            int row = 0;
            while (row < events)
            {
                int n = Math.Min(perRoundTrip, events - row);
                using var batch = new Npgsql.NpgsqlBatch(db, tx);
                for (int k = 0; k < n; k++, row++)
                {
                    var c = new Npgsql.NpgsqlBatchCommand($"insert into {table} (persistence_id, sequence_number, created, manifest, message) values ($1, $2, $3, $4, $5)");
                    c.Parameters.Add(new Npgsql.NpgsqlParameter<string> { TypedValue = $"raw-{row % 64}" });
                    c.Parameters.Add(new Npgsql.NpgsqlParameter<long> { TypedValue = row / 64 + 1 });
                    c.Parameters.Add(new Npgsql.NpgsqlParameter<long> { TypedValue = DateTime.UtcNow.Ticks });
                    c.Parameters.Add(new Npgsql.NpgsqlParameter<string> { TypedValue = "talos.shot.chunk-completed.v1" });
                    c.Parameters.Add(new Npgsql.NpgsqlParameter<byte[]> { TypedValue = payloads[row] });
                    batch.BatchCommands.Add(c);
                }
                batch.Prepare();
                batch.ExecuteNonQuery();
            }
        });

    /// <summary>The fastest way in, for reference: the same rows by one binary COPY.</summary>
    static double RawPostgresCopyRate(ExtendedActorSystem system, string connection, int events) =>
        RawPostgresRate(system, connection, events, (db, _, table, payloads) =>
        {
            using var import = db.BeginBinaryImport($"copy {table} (persistence_id, sequence_number, created, manifest, message) from stdin (format binary)");
            for (int row = 0; row < events; row++)
            {
                import.StartRow();
                import.Write($"raw-{row % 64}", NpgsqlTypes.NpgsqlDbType.Varchar);
                import.Write((long)(row / 64 + 1), NpgsqlTypes.NpgsqlDbType.Bigint);
                import.Write(DateTime.UtcNow.Ticks, NpgsqlTypes.NpgsqlDbType.Bigint);
                import.Write("talos.shot.chunk-completed.v1", NpgsqlTypes.NpgsqlDbType.Varchar);
                import.Write(payloads[row], NpgsqlTypes.NpgsqlDbType.Bytea);
            }
            import.Complete();
        });

    /// <summary>
    /// Rows/s of <paramref name="insert"/> putting the serialized events into a fresh table shaped like the journal's
    /// (same key, ordering column, payload as bytea), all in one transaction with one commit; the table is dropped after.
    /// </summary>
    static double RawPostgresRate(ExtendedActorSystem system, string connection, int events,
        Action<Npgsql.NpgsqlConnection, Npgsql.NpgsqlTransaction, string, List<byte[]>> insert)
    {
        var payloads = Payloads(system, events);
        using var db = new Npgsql.NpgsqlConnection(connection);
        db.Open();
        var table = $"raw_events_{Guid.NewGuid():N}";
        using (var create = db.CreateCommand())
        {
            create.CommandText = $"create table {table} (ordering bigserial not null, persistence_id varchar(255) not null, sequence_number bigint not null, " +
                                 "created bigint not null, manifest varchar(500) not null, message bytea not null, primary key (persistence_id, sequence_number))";
            create.ExecuteNonQuery();
        }
        var clock = Stopwatch.StartNew();
        using (var tx = db.BeginTransaction())
        {
            insert(db, tx, table, payloads);
            tx.Commit();
        }
        var rate = events / clock.Elapsed.TotalSeconds;
        using (var drop = db.CreateCommand()) { drop.CommandText = $"drop table {table}"; drop.ExecuteNonQuery(); }
        return rate;
    }

    /// <summary>The serialized ChunkCompleted events, exactly the bytes the journal stores.</summary>
    static List<byte[]> Payloads(ExtendedActorSystem system, int events)
    {
        var serializer = new Talos.Messages.Serialization.ShotEventSerializer(system);
        return Enumerable.Range(0, events).Select(i => serializer.ToBinary(Event(i))).ToList();
    }

    static string RealDetail = "";

    static ShotSpec Spec(string id, int frames) => new()
    {
        Id = id, Production = "bench", Fps = 12, Resolution = new Resolution(1280, 720), DurationSeconds = frames / 12.0, Title = "BENCH",
        Characters = [new CharacterSpec { Name = "MARA", Rig = "lanky", Keyframes = [new PoseKey { Frame = 0, Pose = "idle", X = 0.4 }] }],
        Camera = [new CameraMove { Frame = 0, Move = "wide" }],
    };

    static async Task<TimeSpan> RealChunkTime()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"talos-bench-real-{Guid.NewGuid():N}");
        try
        {
            await using var node = await TalosNode.StartAsync(new TalosNodeOptions
            {
                WorkDir = dir, Render = new RenderSettingsOptions { ChunkSlots = 1, ChunkFrames = 12 },
            });
            var spec = Spec("real", 12) with
            {
                Characters = [new CharacterSpec { Name = "MARA", Rig = "lanky", Keyframes = [new PoseKey { Frame = 0, Pose = "idle", X = 0.3 }, new PoseKey { Frame = 11, Pose = "walk", X = 0.6 }] }],
                Effects = [new EffectSpec { Type = "smoke", X = 0.5, Y = 0.8, StartFrame = 0 }],
            };
            await node.AskHephaestus<object>(new SubmitShot(spec));
            while (true)
            {
                var view = await node.AskHephaestus<object>(new GetShot("bench--real"));
                if (view is ShotView v && ShotStatus.IsTerminal(v.Status))
                {
                    if (v.Status != ShotStatus.Completed) throw new InvalidOperationException(v.Reason);
                    break;
                }
                await Task.Delay(100);
            }
            var timings = node.Environment.Timings.Snapshot();
            RealDetail = string.Join(", ", Stages.All.Where(timings.ContainsKey).Select(s => $"{s} {timings[s].Time.TotalMilliseconds / timings[s].Chunks:F0}"));
            return TimeSpan.FromTicks(timings.Values.Sum(t => t.Time.Ticks) / timings.Values.Sum(t => t.Chunks));
        }
        finally { try { Directory.Delete(dir, true); } catch (IOException) { } }
    }

    static ChunkCompleted Event(int i) => new(Stages.Raygen, i, "b3" + i.ToString("x62"), 12, null, "akka.tcp://talos@127.0.0.1:4053", 1, "c4" + i.ToString("x62"));

    static async Task<double> JournalRate(ActorSystem system, int events, int batch)
    {
        const int writers = 64;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int remaining = writers;
        var clock = Stopwatch.StartNew();
        Action finished = () => { if (Interlocked.Decrement(ref remaining) == 0) done.TrySetResult(); };
        for (int w = 0; w < writers; w++)
        {
            var id = $"bench-writer-{w}-{Guid.NewGuid():N}";
            system.ActorOf(Props.Create(() => new Writer(id, events / writers, batch, finished)));
        }
        await done.Task.WaitAsync(TimeSpan.FromMinutes(2));
        return events / writers * writers / clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Persists ChunkCompleted events <paramref name="batch"/> at a time, each batch after the previous is written: one at
    /// a time is how a shot records its chunks.
    /// </summary>
    sealed class Writer : ReceivePersistentActor
    {
        readonly string _id;
        public override string PersistenceId => _id;

        public Writer(string id, int count, int batch, Action finished)
        {
            _id = id;
            int written = 0;
            void Next()
            {
                var events = Enumerable.Range(written, Math.Min(batch, count - written)).Select(Event).ToList();
                int left = events.Count;
                PersistAll(events, _ =>
                {
                    written++;
                    if (--left > 0) return;
                    if (written >= count) { finished(); Context.Stop(Self); }
                    else Self.Tell("next");
                });
            }
            Recover<ChunkCompleted>(_ => { });
            Recover<RecoveryCompleted>(_ => Self.Tell("next"));
            Command<string>(_ => Next());
        }
    }

    static double RawInsertRate(ExtendedActorSystem system, string file, int events)
    {
        var payloads = Payloads(system, events);
        using var db = new SqliteConnection($"Data Source={file}");
        db.Open();
        using (var create = db.CreateCommand())
        {
            create.CommandText = "create table if not exists raw_events (ordering integer primary key autoincrement, persistence_id text not null, " +
                                 "sequence_number integer not null, manifest text not null, message blob not null)";
            create.ExecuteNonQuery();
        }
        var clock = Stopwatch.StartNew();
        using (var tx = db.BeginTransaction())
        {
            using var insert = db.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText = "insert into raw_events (persistence_id, sequence_number, manifest, message) values ($p, $s, $m, $b)";
            var p = insert.Parameters.Add("$p", SqliteType.Text);
            var s = insert.Parameters.Add("$s", SqliteType.Integer);
            var m = insert.Parameters.Add("$m", SqliteType.Text);
            var b = insert.Parameters.Add("$b", SqliteType.Blob);
            insert.Prepare();
            for (int i = 0; i < events; i++)
            {
                p.Value = $"raw-{i % 64}"; s.Value = i / 64 + 1; m.Value = "talos.shot.chunk-completed.v1"; b.Value = payloads[i];
                insert.ExecuteNonQuery();
            }
            tx.Commit();
        }
        return events / clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Trivial render work: one 16-byte blob per frame; CUTTURA and ECHO leave the notes the shot reads. With
    /// <paramref name="Split"/> (the scale bench), that stage has one chunk per frame and every other stage one chunk.
    /// </summary>
    internal sealed class TrivialRunner(string stage, string? Split = null) : IStageRunner
    {
        public string Stage => stage;
        public IReadOnlyList<string> DependsOn => Stages.All.TakeWhile(s => s != stage).TakeLast(1).ToList();
        public IReadOnlyList<ChunkPlan> Plan(ShotSpec spec, int chunkFrames) =>
            Split is not null ? (stage == Split ? ChunkPlans.ByFrames(stage, spec.FrameCount, 1) : ChunkPlans.Single(stage, spec.FrameCount))
            : stage is Stages.Cuttura or Stages.Echo ? ChunkPlans.Single(stage, spec.FrameCount) : ChunkPlans.ByFrames(stage, spec.FrameCount, chunkFrames);

        public ChunkManifest Run(ChunkContext ctx)
        {
            var frames = ctx.Frames.Select(f => new FrameOutputs(f, new Dictionary<string, string>
            {
                ["x"] = ctx.Vault.Put(System.Text.Encoding.UTF8.GetBytes($"{ctx.Spec.Id}/{stage}/{f:00000000}"), "bench"),
            })).ToList();
            string? note = null;
            if (stage == Stages.Cuttura)
            {
                var list = ctx.Vault.Put(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(frames.Select(f => f.Blobs["x"]).ToList()), "bench");
                note = Notes.Write(new CutOutcome(list, list, frames.Count));
            }
            if (stage == Stages.Echo)
                note = Notes.Write(new EchoOutcome(true, false, [], new Dictionary<int, float>(), "trivial", frames[0].Blobs["x"]));
            return new ChunkManifest(stage, ctx.Plan.Chunk, ctx.Plan.FirstFrame, frames, Note: note);
        }
    }
}
