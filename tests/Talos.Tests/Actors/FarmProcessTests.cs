using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Talos.Actors.Hosting;
using Talos.Actors.Pipeline;
using Talos.Gpu.Processes;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Queries;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Actors;

/// <summary>
/// A farm of real processes on 127.0.0.1 — the seed executable (role core) and render node executables (role gpu)
/// sharing a PostgreSQL journal and a vault directory — loses no shot when a node is killed with SIGKILL mid-render.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class FarmProcessTests() : ProcessFarmFixture("farm")
{
    readonly Dictionary<Process, string> _addresses = new();
    readonly List<(string Name, System.Text.StringBuilder Log)> _logs = new();

    string Logs()
    {
        var sb = new System.Text.StringBuilder();
        foreach (var (name, log) in _logs) lock (log) sb.Append($"--- {name}\n").Append(log.Length > 4000 ? log.ToString(log.Length - 4000, 4000) : log.ToString());
        return sb.ToString();
    }

    async Task<(Process Process, string Address)> Launch(string project, string roles, int port, string seed, string journal)
    {
        var psi = MemberProcess(project, roles, port, seed, journal);
        var p = Process.Start(psi)!;
        _processes.Add(p);
        var up = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new System.Text.StringBuilder();
        _logs.Add(($"{project}:{port}", log));
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (log) log.AppendLine(e.Data);
            if (e.Data.Contains(" up at ")) up.TrySetResult(e.Data);
        };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        var done = await Task.WhenAny(up.Task, p.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
        if (done != up.Task) { lock (log) throw new InvalidOperationException($"{project} did not come up:\n{log}"); }
        return (p, _addresses[p] = $"akka.tcp://talos@127.0.0.1:{port}");
    }

    /// <summary>Skips without PostgreSQL; otherwise starts this test's private server.</summary>
    async Task<JournalTarget> StartPostgres()
    {
        if (PostgresServer.FindBinaries() is null) Assert.Skip("PostgreSQL is not installed on this machine");
        Assert.True(File.Exists(Executable("Talos.Cluster.Node")), "build the solution first (./test.sh does)");
        _pg = await PostgresServer.StartAsync();
        return JournalTarget.Parse(_pg.Url);
    }

    /// <summary>A seed and render nodes as processes, and this test process joined as a client (no roles).</summary>
    async Task<(List<Process> Nodes, TalosNode Client)> StartFarm(JournalTarget journal, int nodeCount)
    {
        int seedPort = FreePort();
        var seedAddress = $"akka.tcp://talos@127.0.0.1:{seedPort}";
        await Launch("Talos.Cluster.Seed", "core", seedPort, seedAddress, _pg!.Url);
        var nodes = new List<Process>();
        for (int i = 0; i < nodeCount; i++) nodes.Add((await Launch("Talos.Cluster.Node", "gpu", FreePort(), seedAddress, _pg.Url)).Process);
        var client = await TalosNode.StartAsync(new TalosNodeOptions
        {
            WorkDir = Path.Combine(_dir, "client"), VaultDir = Path.Combine(_dir, "vault"), Roles = [],
            Seeds = [seedAddress], JournalConnection = journal.ConnectionString, JournalProvider = journal.Provider,
            DownAfter = TimeSpan.FromSeconds(3), HeartbeatPause = TimeSpan.FromSeconds(HeartbeatPauseSeconds),
            Render = new RenderSettingsOptions { ChunkSlots = 1 },
        });
        return (nodes, client);
    }

    static List<Talos.Messages.Specs.ShotSpec> Shots(string production, int count) =>
        Enumerable.Range(1, count).Select(i => ShotLifecycleTests.SmallShot() with { Id = $"{production}-{i}", Production = production, Sequence = i }).ToList();

    async Task Submit(TalosNode client, string production, IReadOnlyList<Talos.Messages.Specs.ShotSpec> specs)
    {
        object answer;
        try { answer = await client.AskHephaestus<object>(new SubmitProduction(production, specs), TimeSpan.FromSeconds(60)); }
        catch (Akka.Actor.AskTimeoutException) { throw new TimeoutException("Hephaestus did not answer:\n" + Logs()); }
        Assert.IsType<SubmitAccepted>(answer);
    }

    /// <summary>Polls the production until <paramref name="done"/>; fails with <paramref name="what"/> after the timeout.</summary>
    static async Task<ProductionView> WaitFor(TalosNode client, string production, Func<ProductionView, bool> done, TimeSpan timeout,
        Func<ProductionView, string> what)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var view = (ProductionView)await client.AskHephaestus<object>(new GetProduction(production));
            if (done(view)) return view;
            Assert.True(DateTime.UtcNow < until, what(view));
            await Task.Delay(200);
        }
    }

    static Task<ProductionView> RenderingStarted(TalosNode client, string production, int fluxChunks) =>
        WaitFor(client, production, v => v.Shots.Sum(s => s.Stages.GetValueOrDefault(Stages.Flux)?.DoneChunks ?? 0) >= fluxChunks,
            TimeSpan.FromMinutes(2), _ => "the farm did not start rendering");

    static Task<ProductionView> Finished(TalosNode client, string production, TimeSpan timeout) =>
        WaitFor(client, production, v => ShotStatus.IsTerminal(v.Status) && (v.Status != ShotStatus.Completed || v.FilmHash is not null), timeout,
            v => $"the farm did not finish: {v.Status} {v.Reason} ({string.Join(", ", v.Shots.Select(s => $"{s.ShotId}={s.Status}"))})");

    [Fact]
    public async Task A_node_killed_mid_render_loses_no_shot()
    {
        var journal = await StartPostgres();
        var (nodes, client) = await StartFarm(journal, 3);
        await using (client)
        {
            var specs = Shots("farm", 6);
            await Submit(client, "farm", specs);

            // Once rendering is under way everywhere, kill one node outright.
            await RenderingStarted(client, "farm", 3);
            nodes[0].Kill(); // SIGKILL: no hand-off, no goodbye

            var final = await Finished(client, "farm", TimeSpan.FromMinutes(5));
            Assert.True(final.Status == ShotStatus.Completed, final.Reason);
            Assert.Equal(specs.Count, final.Shots.Count(s => s.Status == ShotStatus.Completed));
            foreach (var shot in final.Shots)
            {
                var frames = System.Text.Json.JsonSerializer.Deserialize<List<string>>(client.Vault.Get(shot.FramesHash!))!;
                Assert.Equal(shot.FrameCount, frames.Count);
                Assert.All(frames, h => Assert.True(client.Vault.Contains(h)));
            }
            Assert.True(client.Vault.Contains(final.FilmHash!));
        }
    }

    [Fact]
    public async Task A_whole_farm_killed_mid_render_resumes_and_records_every_chunk_once()
    {
        var journal = await StartPostgres();
        var specs = Shots("restart", 4);

        // First life: render until some chunks are recorded, then every process dies at once.
        var (_, client) = await StartFarm(journal, 2);
        await Submit(client, "restart", specs);
        await RenderingStarted(client, "restart", 3);
        foreach (var p in _processes.Where(p => !p.HasExited)) p.Kill();
        await client.KillAsync();

        // Second life on the same journal and vault: every unfinished shot resumes and finishes.
        (_, client) = await StartFarm(journal, 2);
        await using (client)
        {
            var final = await Finished(client, "restart", TimeSpan.FromMinutes(5));
            Assert.True(final.Status == ShotStatus.Completed, final.Reason);

            // The journal: each chunk of each stage recorded once (no ECHO revision happened), every hash in the vault.
            var recorded = new List<(string Shot, string Stage, int Chunk, string Hash)>();
            await using (var db = new Npgsql.NpgsqlConnection(journal.ConnectionString))
            {
                await db.OpenAsync();
                await using var cmd = new Npgsql.NpgsqlCommand("select persistence_id, manifest, message from journal where persistence_id like 'shot-%'", db);
                await using var reader = await cmd.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    string manifest = reader.GetString(1);
                    Assert.NotEqual("talos.shot.revision-requested.v1", manifest);
                    if (manifest != "talos.shot.chunk-completed.v1") continue;
                    using var json = System.Text.Json.JsonDocument.Parse((byte[])reader.GetValue(2));
                    var e = json.RootElement;
                    recorded.Add((reader.GetString(0), e.GetProperty("stage").GetString()!, e.GetProperty("chunk").GetInt32(), e.GetProperty("hash").GetString()!));
                }
            }
            Assert.Equal(specs.Count, recorded.Select(r => r.Shot).Distinct().Count());
            var twice = recorded.GroupBy(r => (r.Shot, r.Stage, r.Chunk)).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            Assert.True(twice.Count == 0, "recorded more than once: " + string.Join(", ", twice));
            Assert.All(recorded, r => Assert.True(client.Vault.Contains(r.Hash), $"{r.Shot} {r.Stage} {r.Chunk}: manifest not in the vault"));
            Assert.True(client.Vault.Contains(final.FilmHash!));
        }
    }

    [Fact]
    public async Task A_node_told_to_stop_with_SIGTERM_drains_and_its_shots_finish_elsewhere()
    {
        var journal = await StartPostgres();
        var (nodes, client) = await StartFarm(journal, 2);
        await using (client)
        {
            var specs = Shots("drain", 4);
            await Submit(client, "drain", specs);
            await RenderingStarted(client, "drain", 2);

            // SIGTERM: the node leaves the cluster gracefully (its shards move) and exits by itself.
            await ProcessRunner.RunAsync("kill", ["-TERM", nodes[0].Id.ToString()]);
            await Task.WhenAny(nodes[0].WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
            Assert.True(nodes[0].HasExited, "the node did not leave within a minute of SIGTERM:\n" + Logs());
            Assert.Equal(0, nodes[0].ExitCode);

            var final = await Finished(client, "drain", TimeSpan.FromMinutes(4));
            Assert.True(final.Status == ShotStatus.Completed, final.Reason);
            Assert.All(final.Shots, s => Assert.Equal(ShotStatus.Completed, s.Status));

            // No chunk failed: the journal holds no failure of any shot.
            await using var db = new Npgsql.NpgsqlConnection(journal.ConnectionString);
            await db.OpenAsync();
            async Task<long> Count(string manifest)
            {
                await using var cmd = new Npgsql.NpgsqlCommand("select count(*) from journal where manifest = @m", db);
                cmd.Parameters.AddWithValue("m", manifest);
                return (long)(await cmd.ExecuteScalarAsync())!;
            }
            Assert.Equal(0L, await Count("talos.shot.failed.v1"));
            Assert.Equal(specs.Count, await Count("talos.shot.completed.v1"));
        }
    }

    /// <summary>Every ChunkCompleted in the journal: which shot, stage, chunk, manifest, node and log, and whether it was reused.</summary>
    static async Task<List<(string Shot, string Stage, int Chunk, string Hash, string? Node, string? Log, bool Reused)>> RecordedChunks(JournalTarget journal)
    {
        var recorded = new List<(string, string, int, string, string?, string?, bool)>();
        await using var db = new Npgsql.NpgsqlConnection(journal.ConnectionString);
        await db.OpenAsync();
        await using (var exists = new Npgsql.NpgsqlCommand("select to_regclass('journal') is not null", db))
            if (!(bool)(await exists.ExecuteScalarAsync())!) return recorded;
        await using var cmd = new Npgsql.NpgsqlCommand(
            "select persistence_id, message from journal where manifest = 'talos.shot.chunk-completed.v1' order by ordering", db);
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            using var json = System.Text.Json.JsonDocument.Parse((byte[])reader.GetValue(1));
            var e = json.RootElement;
            string? Opt(string name) => e.TryGetProperty(name, out var v) && v.ValueKind == System.Text.Json.JsonValueKind.String ? v.GetString() : null;
            recorded.Add((reader.GetString(0), e.GetProperty("stage").GetString()!, e.GetProperty("chunk").GetInt32(), e.GetProperty("hash").GetString()!,
                Opt("node"), Opt("logHash"), e.TryGetProperty("reused", out var reused) && reused.GetBoolean()));
        }
        return recorded;
    }

    static async Task Until(Func<Task<bool>> condition, TimeSpan timeout, Func<string> what)
    {
        var until = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, what());
            await Task.Delay(250);
        }
    }

    static Dictionary<string, List<string>> FramesOf(TalosNode node, ProductionView view) => view.Shots.ToDictionary(s => s.ShotId,
        s => System.Text.Json.JsonSerializer.Deserialize<List<string>>(node.Vault.Get(s.FramesHash!))!);

    /// <summary>
    /// The farm of issue 7: a seed and 3 render node processes take 12 shots; the journal shows chunks ran on every
    /// node; one node is killed -9 mid-render, then every process is killed mid-render and the farm started again;
    /// all shots finish, each chunk recorded exactly once, every recorded manifest and chunk log in the vault, and the
    /// frames bit-identical to a single-node render of the same specs.
    /// </summary>
    [Fact]
    public async Task Twelve_shots_use_every_node_survive_a_kill_and_a_full_restart_and_match_a_single_node_render()
    {
        var journal = await StartPostgres();
        // Twelve different shots (MARA starts a little further right in each): shots alike would be content-keyed reuses of
        // one another's chunks, and this test is about chunks rendered across the farm.
        static Talos.Messages.Specs.ShotSpec Shot(int i)
        {
            var s = Samples.Shot($"t{i:00}", "twelve", 96, 54, 12, 1, effects: i % 4 == 0);
            var mara = s.Characters[0] with { Keyframes = [.. s.Characters[0].Keyframes.Select(k => k with { X = k.X + 0.02 * i })] };
            return s with { Sequence = i, Characters = [mara, .. s.Characters.Skip(1)] };
        }
        var specs = Enumerable.Range(1, 12).Select(Shot).ToList();
        var (nodes, client) = await StartFarm(journal, 3);
        var firstLife = nodes.Select(n => _addresses[n]).ToList();
        await Submit(client, "twelve", specs);

        // From the journal: every node rendered chunks. Then one node dies outright; the others carry on.
        await Until(async () => firstLife.All((await RecordedChunks(journal)).Select(r => r.Node).Contains), TimeSpan.FromMinutes(3),
            () => "chunks did not run on every node:\n" + Logs());
        nodes[0].Kill();
        int atKill = (await RecordedChunks(journal)).Count;
        await Until(async () => (await RecordedChunks(journal)).Count >= atKill + 12, TimeSpan.FromMinutes(3),
            () => "the farm did not go on after a node was killed:\n" + Logs());

        // Then the whole farm dies mid-render.
        var mid = (ProductionView)await client.AskHephaestus<object>(new GetProduction("twelve"));
        Assert.True(mid.Shots.Any(s => s.Status != ShotStatus.Completed), "the farm finished before the full stop: nothing left to resume");
        foreach (var p in _processes.Where(p => !p.HasExited)) p.Kill();
        await client.KillAsync();
        var beforeRestart = await RecordedChunks(journal);

        Dictionary<string, List<string>> farmFrames;
        (_, client) = await StartFarm(journal, 3);
        await using (client)
        {
            var final = await Finished(client, "twelve", TimeSpan.FromMinutes(8)); // generous: CI may share its 2 cores
            Assert.True(final.Status == ShotStatus.Completed, final.Reason);
            Assert.Equal(specs.Count, final.Shots.Count(s => s.Status == ShotStatus.Completed));
            farmFrames = FramesOf(client, final);

            var recorded = await RecordedChunks(journal);
            Assert.All(firstLife, node => Assert.Contains(recorded, r => r.Node == node));
            var twice = recorded.GroupBy(r => (r.Shot, r.Stage, r.Chunk)).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            Assert.True(twice.Count == 0, "recorded more than once: " + string.Join(", ", twice));
            Assert.Equal(beforeRestart, recorded.Take(beforeRestart.Count)); // what was recorded stays, nothing re-recorded
            Assert.All(recorded, r =>
            {
                Assert.True(client.Vault.Contains(r.Hash), $"{r.Shot} {r.Stage} {r.Chunk}: manifest not in the vault");
                // A chunk rendered before the kill whose result never reached the journal is found by its content identity
                // after the restart and recorded as reused (not rendered twice): no node, no attempt log of its own.
                if (r.Reused) { Assert.Null(r.Node); return; }
                Assert.NotNull(r.Node);
                Assert.Contains($"on node {r.Node}", System.Text.Encoding.UTF8.GetString(client.Vault.Get(r.Log!)));
            });
            await using var db = new Npgsql.NpgsqlConnection(journal.ConnectionString);
            await db.OpenAsync();
            await using var revisions = new Npgsql.NpgsqlCommand("select count(*) from journal where manifest = 'talos.shot.revision-requested.v1'", db);
            Assert.Equal(0L, (long)(await revisions.ExecuteScalarAsync())!); // so each chunk is rendered once by design
        }
        foreach (var p in _processes.Where(p => !p.HasExited)) p.Kill();

        // The same specs on one embedded node give the same frames, bit for bit (frames are content-addressed).
        await using var single = await TalosNode.StartAsync(new TalosNodeOptions
        {
            WorkDir = Path.Combine(_dir, "single"), Render = new RenderSettingsOptions { ChunkSlots = 2 },
        });
        Assert.IsType<SubmitAccepted>(await single.AskHephaestus<object>(new SubmitProduction("twelve", specs)));
        var alone = await Finished(single, "twelve", TimeSpan.FromMinutes(5));
        Assert.True(alone.Status == ShotStatus.Completed, alone.Reason);
        var singleFrames = FramesOf(single, alone);
        Assert.Equal(singleFrames.Keys.Order(), farmFrames.Keys.Order());
        Assert.All(farmFrames, kv => Assert.Equal(singleFrames[kv.Key], kv.Value));
    }
}
