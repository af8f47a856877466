using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;
using Talos.Actors.Hephaestus;
using Talos.Actors.Hosting;
using Talos.Actors.Pipeline;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Events;
using Talos.Messages.Queries;
using Talos.Messages.Serialization;
using Talos.Messages.Specs;

namespace Talos.Bench;

/// <summary>
/// The farm machinery at scale: this process is the seed (role core: the Hephaestus singleton, a shard-region proxy),
/// a private PostgreSQL server (fsync on) is the journal, and <c>nodes</c> render nodes are real OS processes (this
/// executable's <c>scale-node</c> mode: role gpu, so they host the shot shards and pull chunks), all sharing one vault
/// directory. Render work is trivial (a few bytes per chunk into the vault), so only the machinery is measured: cluster
/// gossip and remoting between real processes, sharding, work pulling, the journal and the vault. <c>--kill P</c>
/// SIGKILLs P % of the node processes once a third of the chunk results are journalled. Counts come from the journal
/// (ChunkCompleted rows, read back and deserialized) and the vault (each recorded chunk's manifest blob).
/// </summary>
public static class ScaleBench
{
    const string ChunkManifest = "talos.shot.chunk-completed.v1";
    /// <summary>
    /// The split-brain resolver's stable-after for every member: a killed node is downed (and its shards move) this long
    /// after it went silent. Not shorter: on a loaded machine heartbeats arrive seconds late, and a resolver that acts on
    /// that may down live members (a 4-node run with 3 s under load average 60 stalled after 140 results; false downing is
    /// the suspect, not established).
    /// </summary>
    const int DownAfterSeconds = 10;
    /// <summary>
    /// The failure detector's acceptable heartbeat pause for every member. Twenty .NET processes starting on 2 cores
    /// (load average past 200) send heartbeats 5–8 s late: with the default 8 s, members flapped unreachable and the
    /// resolver downed the whole cluster as unstable ("SBR detected instability and will down all nodes", a 20-node run
    /// of 2026-12-04). A killed node is then downed about this plus <see cref="DownAfterSeconds"/> after it died. 30 s was
    /// not enough either: with 20 nodes in 4 processes the seed (this process, admitting) went unheard past it at load ~70
    /// and the resolver downed everyone (2026-12-04 14:09 UTC); 60 s since.
    /// </summary>
    const int HeartbeatPauseSeconds = 60;

    /// <param name="SystemsPerProcess">Render nodes per node process: each a whole cluster member (its own actor system,
    /// remoting port, shard region, chunk pool, vault handle and journal connections) sharing only the process's runtime
    /// (GC, thread pool, JIT). 1 (the default): every node its own OS process.</param>
    /// <param name="IdleSeconds">When above 0: once every member is up (and 10 s more to settle), the farm's CPU is measured
    /// for this long with no shot submitted — what the members cost by being there (gossip, heartbeats, timers, the
    /// runtimes' own threads), which every result then shares the machine with.</param>
    public sealed record Options(int Nodes, int Shots, int Chunks, int KillPercent, int Slots, int Active, bool AdmitOnly, int PrioritizeEvery,
        int SystemsPerProcess = 1, int IdleSeconds = 0)
    {
        /// <summary>How many of the <see cref="Nodes"/> node process <paramref name="p"/> hosts.</summary>
        public int SystemsIn(int p) => Math.Min(SystemsPerProcess, Nodes - p * SystemsPerProcess);
        public int Processes => (Nodes + SystemsPerProcess - 1) / SystemsPerProcess;
    }

    public static async Task<int> RunAsync(Options o)
    {
        if (o.Nodes < 1 || o.Shots < 1 || o.Chunks < Stages.All.Count || o.KillPercent is < 0 or > 50 || o.SystemsPerProcess < 1 || o.IdleSeconds is < 0 or > 600)
        {
            Console.Error.WriteLine($"scale: --nodes ≥ 1, --shots ≥ 1, --chunks ≥ {Stages.All.Count} (one per stage), --kill 0..50 (a majority must stay up), --systems-per-process ≥ 1, --idle 0..600 (seconds)");
            return 2;
        }
        if (o.IdleSeconds > 0 && o.AdmitOnly)
        {
            Console.Error.WriteLine("scale: --idle measures the farm at rest before any shot, and --admit-only admits every shot before the nodes start: use one or the other");
            return 2;
        }
        // --kill SIGKILLs whole node processes: with several nodes per process, the processes killed must leave a majority of the members.
        int killProcesses = o.KillPercent == 0 ? 0 : Math.Max(1, (int)Math.Round(o.Processes * o.KillPercent / 100.0));
        int killNodes = Enumerable.Range(0, killProcesses).Sum(o.SystemsIn);
        if (o.KillPercent > 0 && 2 * killNodes >= o.Nodes + 1)
        {
            Console.Error.WriteLine($"scale: --kill {o.KillPercent} would SIGKILL {killProcesses} process(es) holding {killNodes} of the {o.Nodes + 1} members: no majority would stay up");
            return 2;
        }
        if (o.Active <= 0) o = o with { Active = 4 * o.Nodes * o.Slots }; // enough shots for every slot: a shot's stages run one after another
        var load = MachineLoad.Averages();
        Console.WriteLine($"# scale: {Environment.ProcessorCount} cores, load {load}; seed in this process, {o.Nodes} nodes × {o.Slots} slots in {o.Processes} node process(es) ({o.SystemsPerProcess} actor system(s) each), " +
                          $"{o.Shots} shots × {o.Chunks} chunks, at most {o.Active} rendering at once{(o.KillPercent > 0 ? $", killing {o.KillPercent} % of the nodes" : "")}");
        var dir = Path.Combine(Path.GetTempPath(), $"talos-bench-scale-{Guid.NewGuid():N}");
        var children = new List<Process>();
        await using var pg = await PostgresServer.StartAsync(durable: true);
        try
        {
            var vaultDir = Path.Combine(dir, "vault");
            var seedOptions = new TalosNodeOptions
            {
                WorkDir = Path.Combine(dir, "seed"), Roles = ["core"], Port = FreePort(), VaultDir = vaultDir,
                JournalConnection = pg.ConnectionString, JournalProvider = JournalTarget.Postgres, DownAfter = TimeSpan.FromSeconds(DownAfterSeconds),
                HeartbeatPause = TimeSpan.FromSeconds(HeartbeatPauseSeconds),
                Render = new RenderSettingsOptions { MaxActiveShots = o.Active, ChunkSlots = 1,
                    // TALOS_HEPHAESTUS_SNAPSHOT_EVERY as a node reads it (validated there, default when unset)
                    HephaestusSnapshotEvery = NodeConfiguration.FromEnvironment(["core"]).Render.HephaestusSnapshotEvery,
                    HephaestusWritesInFlight = NodeConfiguration.FromEnvironment(["core"]).Render.HephaestusWritesInFlight },
            };
            var startClock = Stopwatch.StartNew();
            await using var seed = await TalosNode.StartAsync(seedOptions, Runners(o.Chunks));
            var seedAddress = Cluster.Get(seed.System).SelfAddress.ToString();
            var keys = Enumerable.Range(0, o.Shots).Select(i => HephaestusState.KeyOf(Spec(i, o.Chunks))).ToList();

            // --admit-only: all shots are admitted before any render node exists, so the order they start in is admission's.
            var admission = new List<double>();
            if (o.AdmitOnly)
            {
                admission = await Admit(seed, o, keys, new CpuMeter(children, pg.ServerPid));
                await PrintHephaestusSnapshot(pg);
            }

            // The nodes start in waves of 2 × cores, each once the previous wave is up: a .NET process's start-up (JIT,
            // Akka, joining) is seconds of CPU, and twenty at once on 2 cores starve every member's heartbeats.
            var cluster = Cluster.Get(seed.System);
            var up = Stopwatch.StartNew();
            // A process of several nodes starts them one after another (each joins before the next starts), so a wave is
            // 2 × cores processes of one node or one process of several.
            int wave = Math.Max(1, Math.Max(2, 2 * Environment.ProcessorCount) / o.SystemsPerProcess);
            for (int started = 0, nodes = 0; started < o.Processes;)
            {
                for (int end = Math.Min(o.Processes, started + wave); started < end; started++)
                {
                    children.Add(StartNode(o, started, seedAddress, pg, vaultDir, dir));
                    nodes += o.SystemsIn(started);
                }
                while (cluster.State.Members.Count(m => m.Status == MemberStatus.Up) < nodes + 1)
                {
                    if (children.FirstOrDefault(c => c.HasExited) is { } dead) throw new InvalidOperationException($"node process {dead.Id} exited with {dead.ExitCode}");
                    if (up.Elapsed > TimeSpan.FromMinutes(10)) throw new TimeoutException($"{cluster.State.Members.Count(m => m.Status == MemberStatus.Up)} of {nodes + 1} members up after 10 min");
                    await Task.Delay(200);
                }
            }
            Console.WriteLine($"cluster up: {o.Nodes + 1} members in {startClock.Elapsed.TotalSeconds:F1} s");
            var idle = o.IdleSeconds > 0 ? await IdleCores(new CpuMeter(children, pg.ServerPid), o.IdleSeconds) : default;

            long total = (long)o.Shots * o.Chunks;
            var samples = new List<(double Seconds, long Count)>();
            var cpu = new CpuMeter(children, pg.ServerPid);
            var cpuSamples = new List<(double Seed, double Nodes, double Postgres)>();
            var clock = Stopwatch.StartNew();
            var cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
            var submitting = o.AdmitOnly ? Task.FromResult(admission) : Admit(seed, o, keys, null);
            int killed = 0;
            long target = o.AdmitOnly ? Math.Min(total, (long)Math.Max(o.Active * 4, 200) * o.Chunks) : total;
            while (true)
            {
                long count = await CountChunkRows(pg);
                samples.Add((clock.Elapsed.TotalSeconds, count));
                cpuSamples.Add(cpu.Read());
                if (o.KillPercent > 0 && killed == 0 && count >= total / 3)
                {
                    killed = killNodes;
                    foreach (var victim in children.Take(killProcesses)) victim.Kill();
                    Console.WriteLine($"killed {killProcesses} node process(es) (SIGKILL), {killNodes} node(s), at {clock.Elapsed.TotalSeconds:F1} s, {count} results journalled");
                }
                if (count >= target && submitting.IsCompleted && (o.AdmitOnly || await AllCompleted(seed, o.Shots))) break;
                if (samples.Count % 120 == 0) Console.WriteLine($"progress: {count} of {target} results journalled at {clock.Elapsed.TotalSeconds:F0} s; load {MachineLoad.Averages()}");
                if (clock.Elapsed > TimeSpan.FromMinutes(15)) throw new TimeoutException($"{count} of {target} chunk results journalled after 15 min");
                await Task.Delay(250);
            }
            var wall = clock.Elapsed;
            admission = await submitting;
            var (rate, steady) = SteadyRate(samples, target);
            var perResult = SteadyCpuPerResult(samples, cpuSamples, target);

            var seedCpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - cpuAtStart;
            StopNodes(children);
            double[] ns;
            lock (NodeStats) ns = Enumerable.Range(0, 6).Select(k => NodeStats.Sum(x => x[k])).ToArray();
            Console.WriteLine(FormattableString.Invariant(
                $"where the time goes: seed (Hephaestus, admission asks, this bench's polling) {seedCpu:F1} CPU s; {NodeStats.Count} surviving node processes {ns[5]:F1} CPU s; ") +
                FormattableString.Invariant($"a chunk (trivial render + vault writes) {ns[1] / Math.Max(1, ns[0]) * 1000:F1} ms mean over {ns[0]:F0}; ") +
                FormattableString.Invariant($"a shot's journal write {ns[3] / Math.Max(1, ns[2]) * 1000:F1} ms mean over {ns[2]:F0}, {ns[4] / Math.Max(1, ns[2]):F2} results each"));
            Console.WriteLine(FormattableString.Invariant(
                $"CPU per journalled result over the steady state: {perResult.All * 1000:F2} ms (nodes {perResult.Nodes * 1000:F2}, seed {perResult.Seed * 1000:F2}, PostgreSQL {perResult.Postgres * 1000:F2})"));
            var (lost, duplicated, journalled, firstStarts) = await Audit(seed, pg, keys, o);
            var order = o.AdmitOnly ? PriorityOrderViolations(firstStarts, await FirstAdmitted(seed, pg, o.Active), o) : -1;
            double recovery = await HephaestusRecovery(seed, keys[0]);
            admission.Sort();
            double P(double q) => admission.Count == 0 ? 0 : admission[Math.Min(admission.Count - 1, (int)Math.Ceiling(q * admission.Count) - 1)];

            var result = new Dictionary<string, object>
            {
                ["nodes"] = o.Nodes, ["shots"] = o.Shots, ["chunks"] = o.Chunks, ["slotsPerNode"] = o.Slots, ["maxActiveShots"] = o.Active,
                ["killedNodes"] = killed, ["resultsPerSecond"] = Math.Round(rate, 1), ["steadyWindowSeconds"] = Math.Round(steady, 2),
                ["wallSeconds"] = Math.Round(wall.TotalSeconds, 2), ["journalledResults"] = journalled,
                ["admissionP50Ms"] = Math.Round(P(0.50), 2), ["admissionP99Ms"] = Math.Round(P(0.99), 2), ["admissionMaxMs"] = Math.Round(P(1), 2),
                ["hephaestusRecoverySeconds"] = Math.Round(recovery, 3), ["lost"] = lost, ["duplicated"] = duplicated,
                ["seedCpuSeconds"] = Math.Round(seedCpu, 1), ["nodeCpuSeconds"] = Math.Round(ns[5], 1),
                ["chunkMeanMs"] = Math.Round(ns[1] / Math.Max(1, ns[0]) * 1000, 2), ["journalWriteMeanMs"] = Math.Round(ns[3] / Math.Max(1, ns[2]) * 1000, 2),
                ["resultsPerJournalWrite"] = Math.Round(ns[4] / Math.Max(1, ns[2]), 2),
                ["cpuMsPerResult"] = Math.Round(perResult.All * 1000, 3), ["nodeCpuMsPerResult"] = Math.Round(perResult.Nodes * 1000, 3),
                ["seedCpuMsPerResult"] = Math.Round(perResult.Seed * 1000, 3), ["postgresCpuMsPerResult"] = Math.Round(perResult.Postgres * 1000, 3),
                ["admitOnly"] = o.AdmitOnly, ["priorityOrderViolations"] = order, ["seedGcLatencyMode"] = System.Runtime.GCSettings.LatencyMode.ToString(),
                ["cores"] = Environment.ProcessorCount, ["loadAverageAtStart"] = load, ["postgres"] = pg.Version,
                ["systemsPerProcess"] = o.SystemsPerProcess, ["nodeProcesses"] = o.Processes,
                ["idleSeconds"] = o.IdleSeconds, ["idleCores"] = Math.Round(idle.Seed + idle.Nodes + idle.Postgres, 3),
                ["idleNodeCores"] = Math.Round(idle.Nodes, 3), ["idleSeedCores"] = Math.Round(idle.Seed, 3), ["idlePostgresCores"] = Math.Round(idle.Postgres, 3),
                ["processes"] = o.SystemsPerProcess == 1 ? "seed in the bench process; each render node its own OS process"
                    : $"seed in the bench process; {o.Nodes} render nodes as {o.SystemsPerProcess} actor systems per OS process ({o.Processes} processes)",
            };
            Console.WriteLine();
            Console.WriteLine($"| nodes | shots | chunks | killed | results/s | admission p50 / p99 ms | Hephaestus recovery s | lost | duplicated |");
            Console.WriteLine($"|------:|------:|-------:|-------:|----------:|-----------------------:|----------------------:|-----:|-----------:|");
            Console.WriteLine($"| {o.Nodes} | {o.Shots} | {o.Chunks} | {killed} | {rate:F0} | {P(0.5):F1} / {P(0.99):F1} | {recovery:F2} | {lost} | {duplicated} |");
            if (o.AdmitOnly) Console.WriteLine($"started out of priority order: {order} (of the first {firstStarts.Count} shots to start)");
            Console.WriteLine($"wall {wall.TotalSeconds:F1} s; {journalled} chunk results journalled; steady-state window {steady:F1} s; load now {MachineLoad.Averages()}");
            Directory.CreateDirectory("bench-results");
            await File.WriteAllTextAsync(Path.Combine("bench-results", "scale.json"), JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
            Console.WriteLine("wrote bench-results/scale.json");
            return lost == 0 && duplicated == 0 && order <= 0 ? 0 : 1;
        }
        finally
        {
            StopNodes(children);
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// The farm at rest (<see cref="Options.IdleSeconds"/>): the cores the seed, the node processes and PostgreSQL use over
    /// <paramref name="seconds"/> with every member up and no shot submitted, after 10 s for the last joins to settle.
    /// </summary>
    static async Task<(double Seed, double Nodes, double Postgres)> IdleCores(CpuMeter cpu, int seconds)
    {
        await Task.Delay(TimeSpan.FromSeconds(10));
        var before = cpu.Read();
        var clock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        var after = cpu.Read();
        double s = clock.Elapsed.TotalSeconds;
        var idle = ((after.Seed - before.Seed) / s, (after.Nodes - before.Nodes) / s, (after.Postgres - before.Postgres) / s);
        Console.WriteLine(FormattableString.Invariant(
            $"idle farm ({s:F0} s, every member up, no shot): {idle.Item1 + idle.Item2 + idle.Item3:F2} of {Environment.ProcessorCount} cores (seed {idle.Item1:F3}, nodes {idle.Item2:F3}, PostgreSQL {idle.Item3:F3}); load {MachineLoad.Averages()}"));
        return idle;
    }

    /// <summary>
    /// Submits every shot, 32 asks in flight (each answered once its admission is journalled), and returns each ask's
    /// milliseconds. With <see cref="Options.PrioritizeEvery"/>, every k-th shot is then raised to priority 5.
    /// </summary>
    static async Task<List<double>> Admit(TalosNode seed, Options o, List<string> keys, CpuMeter? cpu)
    {
        var times = new double[o.Shots];
        // Whether a GC pause of the seed fell inside the ask (the process's total pause time moved while it was out).
        var paused = new bool[o.Shots];
        var clock = Stopwatch.StartNew();
        int next = -1;
        async Task Worker()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < o.Shots)
            {
                var started = clock.Elapsed.TotalMilliseconds;
                var pauseBefore = GC.GetTotalPauseDuration();
                var reply = await seed.AskHephaestus<object>(new SubmitShot(Spec(i, o.Chunks)), TimeSpan.FromMinutes(2));
                times[i] = clock.Elapsed.TotalMilliseconds - started;
                paused[i] = GC.GetTotalPauseDuration() != pauseBefore;
                if (reply is not SubmitAccepted) throw new InvalidOperationException($"shot {i}: {reply}");
            }
        }
        // Where an ask's time goes, from Hephaestus's own meters: its time in the singleton (taken → answered, after the
        // write) and each journal write (persist → durable); the rest of an ask is the mailboxes and the thread pool.
        var inActor = new List<double>();
        var writes = new List<double>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == TalosMetrics.MeterName && instrument.Name is TalosMetrics.HephaestusCommandDurationName or TalosMetrics.HephaestusWriteDurationName)
                l.EnableMeasurementEvents(instrument, instrument.Name == TalosMetrics.HephaestusCommandDurationName ? inActor : writes);
        };
        listener.SetMeasurementEventCallback<double>((_, value, _, state) => { var list = (List<double>)state!; lock (list) list.Add(value * 1000); });
        listener.Start();
        var load = MachineLoad.Averages();
        var (pause, gen2) = (GC.GetTotalPauseDuration(), GC.CollectionCount(2));
        var cpuBefore = cpu?.Read();
        await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(Worker)));
        // --admit-only (no node yet): CPU per admission of the seed (Hephaestus, the asks) and of PostgreSQL, which unlike
        // the latencies does not depend on how much of the machine others leave.
        if (cpu?.Read() is { } after && cpuBefore is { } before)
            Console.WriteLine(FormattableString.Invariant(
                $"admission CPU per shot: seed {(after.Seed - before.Seed) * 1000 / o.Shots:F2} ms, PostgreSQL {(after.Postgres - before.Postgres) * 1000 / o.Shots:F2} ms"));
        // Where in the run the slow asks were: each tenth of the shots (in submission order), its p50 / p99 / max.
        Console.WriteLine(FormattableString.Invariant($"admission: {o.Shots} asks in {clock.Elapsed.TotalSeconds:F1} s ({o.Shots / clock.Elapsed.TotalSeconds:F0}/s), load {load} → {MachineLoad.Averages()}; GC paused the seed {(GC.GetTotalPauseDuration() - pause).TotalMilliseconds:F0} ms ({GC.CollectionCount(2) - gen2} gen2, concurrent {System.Runtime.GCSettings.LatencyMode}); by tenth p50/p99/max ms: ") +
            string.Join("  ", times.Chunk(Math.Max(1, o.Shots / 10)).Select(t =>
            {
                var s = t.Order().ToArray();
                return FormattableString.Invariant($"{s[s.Length / 2]:F0}/{s[Math.Min(s.Length - 1, (int)Math.Ceiling(0.99 * s.Length) - 1)]:F0}/{s[^1]:F0}");
            })));
        listener.Dispose();
        static string Quantiles(List<double> v)
        {
            lock (v)
            {
                if (v.Count == 0) return "none";
                var s = v.Order().ToArray();
                return FormattableString.Invariant($"p50 {s[s.Length / 2]:F1} / p99 {s[Math.Min(s.Length - 1, (int)Math.Ceiling(0.99 * s.Length) - 1)]:F1} / max {s[^1]:F1} ms over {s.Length}");
            }
        }
        // The slowest 1 % of asks: how many overlapped a GC pause of the seed.
        var slow = Enumerable.Range(0, o.Shots).OrderByDescending(i => times[i]).Take(Math.Max(1, o.Shots / 100)).ToList();
        Console.WriteLine(FormattableString.Invariant(
            $"admission, where an ask's time goes: in Hephaestus (taken → answered) {Quantiles(inActor)}; its journal writes (persist → durable) {Quantiles(writes)}; ") +
            FormattableString.Invariant($"the slowest 1 % of asks ({slow.Count}, from {times[slow[^1]]:F0} ms): {slow.Count(i => paused[i])} overlapped a GC pause of the seed, all asks {paused.Count(p => p)}"));
        if (o.AdmitOnly && o.PrioritizeEvery > 0)
            foreach (var batch in keys.Where((_, i) => i % o.PrioritizeEvery == o.PrioritizeEvery - 1).Chunk(64))
                await Task.WhenAll(batch.Select(k => seed.AskHephaestus<CommandAck>(new SetShotPriority(k, 5, "bench"), TimeSpan.FromMinutes(2))));
        return times.ToList();
    }

    /// <summary>
    /// Results/s over the steady state: the journalled count's samples between 10 % and 90 % of the target (start-up
    /// and the tail of the last shots left out), as a least-squares slope.
    /// </summary>
    static (double Rate, double Window) SteadyRate(List<(double Seconds, long Count)> samples, long target)
    {
        var mid = samples.Where(s => s.Count >= target / 10 && s.Count <= target * 9 / 10).ToList();
        if (mid.Count < 2) mid = samples;
        double mx = mid.Average(s => s.Seconds), my = mid.Average(s => (double)s.Count);
        double num = mid.Sum(s => (s.Seconds - mx) * (s.Count - my)), den = mid.Sum(s => (s.Seconds - mx) * (s.Seconds - mx));
        return (den == 0 ? 0 : num / den, mid[^1].Seconds - mid[0].Seconds);
    }

    /// <summary>
    /// CPU seconds per journalled result over the same steady state as <see cref="SteadyRate"/> (the first sample at 10 %
    /// of the target to the last at 90 %): of the node processes, the seed (this process: Hephaestus, admission, the
    /// polling) and PostgreSQL. Unlike results/s, it does not depend on how much of the machine others leave.
    /// </summary>
    static (double All, double Nodes, double Seed, double Postgres) SteadyCpuPerResult(
        List<(double Seconds, long Count)> samples, List<(double Seed, double Nodes, double Postgres)> cpu, long target)
    {
        int a = samples.FindIndex(s => s.Count >= target / 10), b = samples.FindLastIndex(s => s.Count <= target * 9 / 10);
        if (a < 0 || b <= a) (a, b) = (0, samples.Count - 1);
        double results = Math.Max(1, samples[b].Count - samples[a].Count);
        double nodes = (cpu[b].Nodes - cpu[a].Nodes) / results, seed = (cpu[b].Seed - cpu[a].Seed) / results, pg = (cpu[b].Postgres - cpu[a].Postgres) / results;
        return (nodes + seed + pg, nodes, seed, pg);
    }

    /// <summary>
    /// CPU seconds (user + system, from /proc) of this process, of the node processes (a killed one keeps its last
    /// reading) and of the PostgreSQL server: its main process, the backends it reaped and those alive.
    /// </summary>
    internal sealed class CpuMeter(List<Process> nodes, int? postgres)
    {
        readonly Dictionary<int, double> _last = new();
        static readonly double Tick = 100.0; // USER_HZ on Linux

        public (double Seed, double Nodes, double Postgres) Read()
        {
            double seed = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds, sum = 0;
            foreach (var n in nodes)
            {
                int id;
                try { id = n.Id; } catch (InvalidOperationException) { continue; }
                if (Stat(id) is { } f) _last[id] = (f[11] + f[12]) / Tick;
                sum += _last.GetValueOrDefault(id);
            }
            return (seed, sum, PostgresCpuSeconds(postgres));
        }

        /// <summary>
        /// User + system CPU seconds of a PostgreSQL server: its main process, the children it reaped and those alive
        /// (backends, WAL writer, checkpointer); 0 when <paramref name="postgres"/> is null or gone.
        /// </summary>
        public static double PostgresCpuSeconds(int? postgres)
        {
            double pg = 0;
            if (postgres is { } main && Stat(main) is { } m)
            {
                pg = (m[11] + m[12] + m[13] + m[14]) / Tick;
                foreach (var dir in Directory.EnumerateDirectories("/proc"))
                    if (int.TryParse(Path.GetFileName(dir), out var pid) && Stat(pid) is { } c && (int)c[1] == main) pg += (c[11] + c[12]) / Tick;
            }
            return pg;
        }

        /// <summary>/proc/PID/stat's fields after the command name (field 3 is index 0), or null when it is gone.</summary>
        static double[]? Stat(int pid)
        {
            try
            {
                var text = File.ReadAllText($"/proc/{pid}/stat");
                return text[(text.LastIndexOf(')') + 2)..].Split(' ').Select(x => double.TryParse(x, CultureInfo.InvariantCulture, out var v) ? v : 0).ToArray();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        }
    }

    static async Task<long> CountChunkRows(PostgresServer pg)
    {
        await using var db = new Npgsql.NpgsqlConnection(pg.ConnectionString);
        await db.OpenAsync();
        await using var c = db.CreateCommand();
        c.CommandText = "select count(*) from journal where manifest = $1";
        c.Parameters.Add(new Npgsql.NpgsqlParameter<string> { TypedValue = ChunkManifest });
        try { return (long)(await c.ExecuteScalarAsync())!; }
        catch (Npgsql.PostgresException e) when (e.SqlState == "42P01") { return 0; } // the journal table is created by the first write
    }

    static async Task<bool> AllCompleted(TalosNode seed, int shots)
    {
        var listing = await seed.AskHephaestus<ShotListing>(new ListShots("scale"), TimeSpan.FromMinutes(1));
        if (listing.Shots.FirstOrDefault(s => s.Status is ShotStatus.Failed or ShotStatus.Cancelled) is { } bad)
            throw new InvalidOperationException($"shot {bad.ShotKey} {bad.Status}: {bad.Reason}");
        return listing.Shots.Count == shots && listing.Shots.All(s => s.Status == ShotStatus.Completed);
    }

    /// <summary>
    /// From the journal: every ChunkCompleted row, deserialized; a (shot, stage, chunk) of an admitted shot with no row is
    /// lost, every row after the first for one is a duplicate. From the vault: a recorded chunk whose manifest blob the vault
    /// does not hold is lost too. Also the order in which shots first started (their ShotStarted rows by journal order).
    /// </summary>
    static async Task<(long Lost, long Duplicated, long Rows, List<string> FirstStarts)> Audit(TalosNode seed, PostgresServer pg, List<string> keys, Options o)
    {
        var serializer = new ShotEventSerializer((ExtendedActorSystem)seed.System);
        var seen = new Dictionary<(string, string, int), int>();
        var starts = new List<string>();
        var startedOnce = new HashSet<string>();
        long rows = 0, missingBlobs = 0, reused = 0;
        await using var db = new Npgsql.NpgsqlConnection(pg.ConnectionString);
        await db.OpenAsync();
        await using var c = db.CreateCommand();
        c.CommandText = "select persistence_id, manifest, message from journal where manifest = $1 or manifest = $2 order by ordering";
        c.Parameters.Add(new Npgsql.NpgsqlParameter<string> { TypedValue = ChunkManifest });
        c.Parameters.Add(new Npgsql.NpgsqlParameter<string> { TypedValue = "talos.shot.started.v1" });
        await using (var r = await c.ExecuteReaderAsync())
            while (await r.ReadAsync())
            {
                var shot = r.GetString(0)["shot-".Length..];
                var manifest = r.GetString(1);
                var e = serializer.FromBinary((byte[])r[2], manifest);
                if (e is ShotStarted) { if (startedOnce.Add(shot)) starts.Add(shot); continue; }
                var done = (ChunkCompleted)e;
                rows++;
                if (done.Reused) reused++;
                var id = (shot, done.Stage, done.Chunk);
                seen[id] = seen.GetValueOrDefault(id) + 1;
                if (seen[id] == 1 && !seed.Vault.Contains(done.Hash)) missingBlobs++;
            }
        if (reused > 0) Console.WriteLine($"{reused} chunk results were reused from identical chunks, not rendered");
        // --admit-only stops with shots still rendering: only what the vault lacks counts as lost there.
        long missing = o.AdmitOnly ? 0 : keys.Count * (long)o.Chunks - seen.Count;
        return (missing + missingBlobs, seen.Values.Sum(v => (long)v - 1), rows, starts);
    }

    /// <summary>The size of Hephaestus's latest snapshot: as serialized, and as PostgreSQL stored it (TOAST compresses it).</summary>
    static async Task PrintHephaestusSnapshot(PostgresServer pg)
    {
        await using var db = new Npgsql.NpgsqlConnection(pg.ConnectionString);
        await db.OpenAsync();
        await using var c = db.CreateCommand();
        c.CommandText = "select sequence_number, octet_length(snapshot), pg_column_size(snapshot) from snapshot where persistence_id = 'hephaestus' order by sequence_number desc limit 1";
        await using var r = await c.ExecuteReaderAsync();
        if (await r.ReadAsync())
            Console.WriteLine(FormattableString.Invariant($"Hephaestus's snapshot at event {r.GetInt64(0)}: {r.GetInt32(1) / 1e6:F2} MB serialized, {r.GetInt32(2) / 1e6:F2} MB stored") +
                (TalosMetrics.LastHephaestusSnapshot is { } last ? FormattableString.Invariant($"; the last saved ({last.Shots} shots) took {last.Seconds * 1000:F0} ms") : ""));
    }

    /// <summary>
    /// The first <paramref name="count"/> shots Hephaestus admitted (its ShotAdmitted events in sequence order): with every
    /// shot admitted before any node exists, these are the shots it started at once, before any priority was raised.
    /// </summary>
    static async Task<HashSet<string>> FirstAdmitted(TalosNode seed, PostgresServer pg, int count)
    {
        var serializer = new ShotEventSerializer((ExtendedActorSystem)seed.System);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        await using var db = new Npgsql.NpgsqlConnection(pg.ConnectionString);
        await db.OpenAsync();
        await using var c = db.CreateCommand();
        c.CommandText = "select manifest, message from journal where persistence_id = 'hephaestus' and manifest = $1 order by sequence_number limit $2";
        c.Parameters.Add(new Npgsql.NpgsqlParameter<string> { TypedValue = "talos.hephaestus.shot-admitted.v1" });
        c.Parameters.Add(new Npgsql.NpgsqlParameter<int> { TypedValue = count });
        await using var r = await c.ExecuteReaderAsync();
        while (await r.ReadAsync()) keys.Add(((ShotAdmitted)serializer.FromBinary((byte[])r[1], r.GetString(0))).ShotKey);
        return keys;
    }

    /// <summary>
    /// --admit-only: with every shot admitted before any node existed, Hephaestus started the first <c>Active</c> shots it
    /// admitted (<paramref name="initial"/>, from its journal) before any priority was raised; of the others, a shot of
    /// priority 0 that starts while a raised one (priority 5) still waits is a violation. The initial shots are left out
    /// wherever their ShotStarted rows fall: each writes its row when its StartShot reaches it, which for a shot whose
    /// StartShot waited in the region proxy for a node (or was sent again by Hephaestus's 10 s kick) can be after later
    /// shots' rows. (Counting the first <c>Active</c> rows as the initial shots instead counted such late initial shots
    /// as violations.)
    /// </summary>
    static int PriorityOrderViolations(List<string> starts, HashSet<string> initial, Options o)
    {
        if (!o.AdmitOnly || o.PrioritizeEvery <= 0) return 0;
        var raised = Enumerable.Range(0, o.Shots).Where(i => i % o.PrioritizeEvery == o.PrioritizeEvery - 1)
            .Select(i => HephaestusState.KeyOf(Spec(i, o.Chunks))).ToHashSet();
        var late = starts.Select((k, i) => (k, i)).Where(x => initial.Contains(x.k) && x.i >= o.Active).ToList();
        if (late.Count > 0) Console.WriteLine($"{late.Count} of the {initial.Count} shots started at admission wrote their ShotStarted after later shots (at rows {string.Join(", ", late.Take(20).Select(x => x.i + 1))})");
        int waitingRaised = raised.Count(k => !initial.Contains(k)), violations = 0;
        foreach (var (key, at) in starts.Select((k, i) => (k, i)).Where(x => !initial.Contains(x.k)))
        {
            if (raised.Contains(key)) waitingRaised--;
            else if (waitingRaised > 0 && ++violations <= 20) Console.WriteLine($"out of priority order: {key} (priority 0) started {at + 1}th while {waitingRaised} raised shots waited");
        }
        return violations;
    }

    /// <summary>
    /// A second Hephaestus on the seed (the singleton is idle by now) recovers the same journal: start → first answer.
    /// Under the singleton's backoff supervisor, as in the farm: a recovery that fails (its journal or snapshot read timed
    /// out on a loaded machine) is tried again, and the time counts every try.
    /// </summary>
    static async Task<double> HephaestusRecovery(TalosNode seed, string key)
    {
        var watch = Stopwatch.StartNew();
        var heph = seed.System.ActorOf(TalosHosting.SupervisedHephaestus(HephaestusActor.Props(ActorRefs.Nobody, seed.Environment)));
        object? first = null;
        while (first is null)
            try { first = await heph.Ask<object>(new GetShot(key), TimeSpan.FromSeconds(10)); }
            catch (AskTimeoutException) when (watch.Elapsed < TimeSpan.FromMinutes(10)) { } // still recovering, or stopped and waiting to start again
        var seconds = watch.Elapsed.TotalSeconds;
        if (first is not ShotView) throw new InvalidOperationException($"recovered {first}");
        await heph.GracefulStop(TimeSpan.FromSeconds(30));
        return seconds;
    }

    /// <summary>The STATS lines of the node processes that ended by closing their standard input (see <see cref="NodeAsync"/>).</summary>
    static readonly List<double[]> NodeStats = new();

    /// <summary>Asks every live node to stop (its standard input closes), gathers their STATS, and kills what is left.</summary>
    static void StopNodes(List<Process> children)
    {
        foreach (var c in children) { try { if (!c.HasExited) c.StandardInput.Close(); } catch (Exception e) when (e is IOException or InvalidOperationException) { } }
        foreach (var c in children)
        {
            try { if (!c.WaitForExit(20_000)) c.Kill(); c.WaitForExit(10_000); } catch (InvalidOperationException) { }
            c.Dispose();
        }
        children.Clear();
    }

    /// <summary>Node process <paramref name="n"/>: <see cref="Options.SystemsIn"/> render nodes.</summary>
    static Process StartNode(Options o, int n, string seed, PostgresServer pg, string vault, string dir)
    {
        var self = typeof(ScaleBench).Assembly.Location;
        var info = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(self);
        info.ArgumentList.Add("scale-node");
        info.ArgumentList.Add("--chunks");
        info.ArgumentList.Add(o.Chunks.ToString(CultureInfo.InvariantCulture));
        info.ArgumentList.Add("--systems");
        info.ArgumentList.Add(o.SystemsIn(n).ToString(CultureInfo.InvariantCulture));
        info.Environment["TALOS_SEEDS"] = seed;
        info.Environment["TALOS_ROLES"] = "gpu";
        // At most 16 connections per node process (Npgsql's default is 100): 20 nodes and the seed stay under the server's limit.
        info.Environment["TALOS_JOURNAL"] = pg.ConnectionString + ";Maximum Pool Size=16";
        info.Environment["TALOS_JOURNAL_PROVIDER"] = JournalTarget.Postgres;
        info.Environment["TALOS_VAULT"] = vault;
        info.Environment["TALOS_WORK_DIR"] = Path.Combine(dir, $"node{n}");
        info.Environment["TALOS_CHUNK_SLOTS"] = o.Slots.ToString(CultureInfo.InvariantCulture);
        info.Environment["TALOS_DOWN_AFTER_SECONDS"] = DownAfterSeconds.ToString(CultureInfo.InvariantCulture);
        info.Environment["TALOS_HEARTBEAT_PAUSE_SECONDS"] = HeartbeatPauseSeconds.ToString(CultureInfo.InvariantCulture);
        // ERROR unless TALOS_SCALE_NODE_LOGLEVEL says otherwise (WARNING to see why a run stalls); lines come out prefixed [nodeN].
        info.Environment["TALOS_LOGLEVEL"] = Environment.GetEnvironmentVariable("TALOS_SCALE_NODE_LOGLEVEL") is { Length: > 0 } level ? level : "ERROR";
        // Twenty .NET processes share two cores here: a thread-pool worker that spins (sched_yield) before it sleeps burns
        // the time the other processes need (11 % of a node's CPU in a profile). A node alone on its machine keeps the default.
        info.Environment["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "0";
        // Blocking gen2 collections, as Talos.Cluster.Node has them (bench/run gives the seed, this process, background ones).
        info.Environment["DOTNET_gcConcurrent"] = "0";
        var p = Process.Start(info)!;
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not { Length: > 0 } line) return;
            if (line.StartsWith("STATS ", StringComparison.Ordinal))
                lock (NodeStats) NodeStats.Add(line[6..].Split(' ').Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray());
            else Console.Error.WriteLine($"[node{n}] {line}"); // the node's log (Akka writes it to standard output)
        };
        p.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) Console.Error.WriteLine($"[node{n}] {line}"); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    /// <summary>
    /// <c>talos-bench scale-node --chunks C [--systems K]</c>: K render nodes (1 by default; each configured from TALOS_*
    /// variables, as the node executable is, in a work directory of its own: <c>TALOS_WORK_DIR</c>-j) with the trivial
    /// runners, each its own actor system and cluster member, started one after another; the process exits when its
    /// standard input closes (the bench ended or died), and its STATS line sums its nodes.
    /// </summary>
    public static async Task<int> NodeAsync(int chunks, int systems = 1)
    {
        var options = NodeConfiguration.FromEnvironment(["gpu"]);
        // Where this node's time goes: its chunks (trivial render + vault writes + the attempt log), its shots' journal
        // writes (persist → confirmed) and how many results each carried, its CPU.
        var sums = new double[5]; // chunks, chunk seconds, writes, write seconds, results written
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (i, l) => { if (i.Meter.Name == TalosMetrics.MeterName) l.EnableMeasurementEvents(i); };
        listener.SetMeasurementEventCallback<double>((i, v, _, _) =>
        {
            lock (sums)
                if (i.Name == "talos.chunk.duration") { sums[0]++; sums[1] += v; }
                else if (i.Name == "talos.journal.write.duration") { sums[2]++; sums[3] += v; }
        });
        listener.SetMeasurementEventCallback<int>((i, v, _, _) => { if (i.Name == TalosMetrics.JournalWriteChunksName) lock (sums) sums[4] += v; });
        listener.Start();
        var nodes = new List<TalosNode>();
        try
        {
            for (int j = 0; j < Math.Max(1, systems); j++)
                nodes.Add(await TalosNode.StartAsync(systems == 1 ? options : options with { WorkDir = $"{options.WorkDir}-{j}" }, Runners(chunks)));
            // Ends when the bench closes standard input, or when any of this process's nodes stops (downed, say).
            await Task.WhenAny(nodes.Select(n => n.System.WhenTerminated).Append(Task.Run(() => Console.In.ReadToEnd())));
        }
        finally
        {
            await Task.WhenAll(nodes.Select(n => n.DisposeAsync().AsTask()));
        }
        lock (sums)
            Console.WriteLine(FormattableString.Invariant(
                $"STATS {sums[0]} {sums[1]} {sums[2]} {sums[3]} {sums[4]} {Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds}"));
        return 0;
    }

    /// <summary>The trivial runners for shots of <paramref name="chunks"/> chunks: RAYGEN one per frame, every other stage one.</summary>
    static Dictionary<string, IStageRunner> Runners(int chunks) =>
        Stages.All.ToDictionary(s => s, s => (IStageRunner)new ClusterBench.TrivialRunner(s, Split: Stages.Raygen));

    /// <summary>Shot <paramref name="i"/>: RAYGEN's chunks (one frame each) make up what the other eight stages (one chunk each) leave of <paramref name="chunks"/>.</summary>
    static ShotSpec Spec(int i, int chunks)
    {
        int frames = chunks - (Stages.All.Count - 1);
        return new ShotSpec
        {
            Id = $"s{i:000000}", Production = "scale", Sequence = i + 1, Fps = 12, Resolution = new Resolution(1280, 720), DurationSeconds = frames / 12.0, Title = $"SCALE {i}",
            // Every shot different (title, position), so no chunk is reused from another shot's identical one: each renders.
            // (The position repeated every 5,000 shots until 2026-12-05: a 10,000-shot run reused 40 % of its chunks.)
            Characters = [new CharacterSpec { Name = "MARA", Rig = "lanky", Keyframes = [new PoseKey { Frame = 0, Pose = "idle", X = 0.2 + i * 1e-6 }] }],
            Camera = [new CameraMove { Frame = 0, Move = "wide" }],
        };
    }

    static int FreePort()
    {
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        int port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
