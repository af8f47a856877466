using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Talos.Actors.Hosting;
using Talos.Actors.Pipeline;
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
public sealed class FarmProcessTests : IAsyncLifetime
{
    readonly string _dir = Repo.TempDir("farm");
    readonly List<Process> _processes = new();
    readonly List<(string Name, System.Text.StringBuilder Log)> _logs = new();

    string Logs()
    {
        var sb = new System.Text.StringBuilder();
        foreach (var (name, log) in _logs) lock (log) sb.Append($"--- {name}\n").Append(log.Length > 4000 ? log.ToString(log.Length - 4000, 4000) : log.ToString());
        return sb.ToString();
    }
    PostgresServer? _pg;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _processes) { try { if (!p.HasExited) p.Kill(true); } catch (InvalidOperationException) { } p.Dispose(); }
        if (_pg is not null) await _pg.DisposeAsync();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    static string Executable(string project) =>
        Path.Combine(Repo.Root, project, "bin", "Release", "net10.0", project + ".dll");

    async Task<(Process Process, string Address)> Launch(string project, string roles, int port, string seed, string journal)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Executable(project));
        psi.Environment["TALOS_HOSTNAME"] = "127.0.0.1";
        psi.Environment["TALOS_PORT"] = port.ToString();
        psi.Environment["TALOS_SEEDS"] = seed;
        psi.Environment["TALOS_ROLES"] = roles;
        psi.Environment["TALOS_WORK_DIR"] = Path.Combine(_dir, $"work-{port}");
        psi.Environment["TALOS_VAULT"] = Path.Combine(_dir, "vault");
        psi.Environment["TALOS_JOURNAL"] = journal;
        psi.Environment["TALOS_DOWN_AFTER_SECONDS"] = "3";
        psi.Environment["TALOS_CHUNK_SLOTS"] = "1";
        psi.Environment["TALOS_LOGLEVEL"] = "WARNING";
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
        return (p, $"akka.tcp://talos@127.0.0.1:{port}");
    }

    [Fact]
    public async Task A_node_killed_mid_render_loses_no_shot()
    {
        if (PostgresServer.FindBinaries() is null) Assert.Skip("PostgreSQL is not installed on this machine");
        Assert.True(File.Exists(Executable("Talos.Cluster.Node")), "build the solution first (./test.sh does)");
        _pg = await PostgresServer.StartAsync();

        int seedPort = FreePort();
        var seedAddress = $"akka.tcp://talos@127.0.0.1:{seedPort}";
        await Launch("Talos.Cluster.Seed", "core", seedPort, seedAddress, _pg.Url);
        var nodes = new List<Process>();
        for (int i = 0; i < 3; i++) nodes.Add((await Launch("Talos.Cluster.Node", "gpu", FreePort(), seedAddress, _pg.Url)).Process);

        // The test process joins as a client (no roles): it reaches Hephaestus and the shots through proxies.
        var journal = JournalTarget.Parse(_pg.Url);
        await using var client = await TalosNode.StartAsync(new TalosNodeOptions
        {
            WorkDir = Path.Combine(_dir, "client"), VaultDir = Path.Combine(_dir, "vault"), Roles = [],
            Seeds = [seedAddress], JournalConnection = journal.ConnectionString, JournalProvider = journal.Provider,
            DownAfter = TimeSpan.FromSeconds(3), Render = new RenderSettingsOptions { ChunkSlots = 1 },
        });
        var specs = Enumerable.Range(1, 6).Select(i => ShotLifecycleTests.SmallShot() with { Id = $"farm-{i}", Production = "farm", Sequence = i }).ToList();
        object answer;
        try { answer = await client.AskHephaestus<object>(new SubmitProduction("farm", specs), TimeSpan.FromSeconds(60)); }
        catch (Akka.Actor.AskTimeoutException) { throw new TimeoutException("Hephaestus did not answer:\n" + Logs()); }
        var accepted = Assert.IsType<SubmitAccepted>(answer);

        // Once rendering is under way everywhere, kill one node outright.
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            var view = (ProductionView)await client.AskHephaestus<object>(new GetProduction("farm"));
            if (view.Shots.Sum(s => s.Stages.GetValueOrDefault(Stages.Flux)?.DoneChunks ?? 0) >= 3) break;
            Assert.True(DateTime.UtcNow < until, "the farm did not start rendering");
            await Task.Delay(200);
        }
        nodes[0].Kill(); // SIGKILL: no hand-off, no goodbye

        ProductionView final;
        until = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        while (true)
        {
            final = (ProductionView)await client.AskHephaestus<object>(new GetProduction("farm"));
            if (ShotStatus.IsTerminal(final.Status)) break;
            Assert.True(DateTime.UtcNow < until, $"the farm did not finish: {string.Join(", ", final.Shots.Select(s => $"{s.ShotId}={s.Status}"))}");
            await Task.Delay(500);
        }
        Assert.True(final.Status == ShotStatus.Completed, final.Reason);
        Assert.Equal(accepted.ShotKeys.Count, final.Shots.Count(s => s.Status == ShotStatus.Completed));
        foreach (var shot in final.Shots)
        {
            var frames = System.Text.Json.JsonSerializer.Deserialize<List<string>>(client.Vault.Get(shot.FramesHash!))!;
            Assert.Equal(shot.FrameCount, frames.Count);
            Assert.All(frames, h => Assert.True(client.Vault.Contains(h)));
        }
        Assert.True(client.Vault.Contains(final.FilmHash!));
    }

    [Fact]
    public async Task A_whole_farm_killed_mid_render_resumes_and_records_every_chunk_once()
    {
        if (PostgresServer.FindBinaries() is null) Assert.Skip("PostgreSQL is not installed on this machine");
        Assert.True(File.Exists(Executable("Talos.Cluster.Node")), "build the solution first (./test.sh does)");
        _pg = await PostgresServer.StartAsync();
        var journal = JournalTarget.Parse(_pg.Url);
        var specs = Enumerable.Range(1, 4).Select(i => ShotLifecycleTests.SmallShot() with { Id = $"restart-{i}", Production = "restart", Sequence = i }).ToList();

        async Task<(List<Process> Farm, TalosNode Client)> StartFarm()
        {
            int seedPort = FreePort();
            var seedAddress = $"akka.tcp://talos@127.0.0.1:{seedPort}";
            var farm = new List<Process> { (await Launch("Talos.Cluster.Seed", "core", seedPort, seedAddress, _pg.Url)).Process };
            for (int i = 0; i < 2; i++) farm.Add((await Launch("Talos.Cluster.Node", "gpu", FreePort(), seedAddress, _pg.Url)).Process);
            var client = await TalosNode.StartAsync(new TalosNodeOptions
            {
                WorkDir = Path.Combine(_dir, "client"), VaultDir = Path.Combine(_dir, "vault"), Roles = [],
                Seeds = [seedAddress], JournalConnection = journal.ConnectionString, JournalProvider = journal.Provider,
                DownAfter = TimeSpan.FromSeconds(3), Render = new RenderSettingsOptions { ChunkSlots = 1 },
            });
            return (farm, client);
        }

        // First life: render until some chunks are recorded, then every process dies at once.
        var (farm, client) = await StartFarm();
        Assert.IsType<SubmitAccepted>(await client.AskHephaestus<object>(new SubmitProduction("restart", specs), TimeSpan.FromSeconds(60)));
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            var view = (ProductionView)await client.AskHephaestus<object>(new GetProduction("restart"));
            if (view.Shots.Sum(s => s.Stages.GetValueOrDefault(Stages.Flux)?.DoneChunks ?? 0) >= 3) break;
            Assert.True(DateTime.UtcNow < until, "the farm did not start rendering");
            await Task.Delay(200);
        }
        foreach (var p in farm) p.Kill();
        await client.KillAsync();

        // Second life on the same journal and vault: every unfinished shot resumes and finishes.
        (farm, client) = await StartFarm();
        await using (client)
        {
            ProductionView final;
            until = DateTime.UtcNow + TimeSpan.FromMinutes(5);
            while (true)
            {
                final = (ProductionView)await client.AskHephaestus<object>(new GetProduction("restart"));
                if (ShotStatus.IsTerminal(final.Status) && final.FilmHash is not null) break;
                Assert.True(DateTime.UtcNow < until, $"the farm did not finish: {final.Status} {final.Reason}");
                await Task.Delay(500);
            }
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
        if (PostgresServer.FindBinaries() is null) Assert.Skip("PostgreSQL is not installed on this machine");
        Assert.True(File.Exists(Executable("Talos.Cluster.Node")), "build the solution first (./test.sh does)");
        _pg = await PostgresServer.StartAsync();
        var journal = JournalTarget.Parse(_pg.Url);
        int seedPort = FreePort();
        var seedAddress = $"akka.tcp://talos@127.0.0.1:{seedPort}";
        await Launch("Talos.Cluster.Seed", "core", seedPort, seedAddress, _pg.Url);
        var nodes = new List<Process>();
        for (int i = 0; i < 2; i++) nodes.Add((await Launch("Talos.Cluster.Node", "gpu", FreePort(), seedAddress, _pg.Url)).Process);
        await using var client = await TalosNode.StartAsync(new TalosNodeOptions
        {
            WorkDir = Path.Combine(_dir, "client"), VaultDir = Path.Combine(_dir, "vault"), Roles = [],
            Seeds = [seedAddress], JournalConnection = journal.ConnectionString, JournalProvider = journal.Provider,
            DownAfter = TimeSpan.FromSeconds(3), Render = new RenderSettingsOptions { ChunkSlots = 1 },
        });
        var specs = Enumerable.Range(1, 4).Select(i => ShotLifecycleTests.SmallShot() with { Id = $"drain-{i}", Production = "drain", Sequence = i }).ToList();
        Assert.IsType<SubmitAccepted>(await client.AskHephaestus<object>(new SubmitProduction("drain", specs), TimeSpan.FromSeconds(60)));
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            var view = (ProductionView)await client.AskHephaestus<object>(new GetProduction("drain"));
            if (view.Shots.Sum(s => s.Stages.GetValueOrDefault(Stages.Flux)?.DoneChunks ?? 0) >= 2) break;
            Assert.True(DateTime.UtcNow < until, "the farm did not start rendering");
            await Task.Delay(200);
        }

        // SIGTERM: the node leaves the cluster gracefully (its shards move) and exits by itself.
        using (var kill = Process.Start("kill", ["-TERM", nodes[0].Id.ToString()])) await kill.WaitForExitAsync();
        await Task.WhenAny(nodes[0].WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
        Assert.True(nodes[0].HasExited, "the node did not leave within a minute of SIGTERM:\n" + Logs());
        Assert.Equal(0, nodes[0].ExitCode);

        ProductionView final;
        until = DateTime.UtcNow + TimeSpan.FromMinutes(4);
        while (true)
        {
            final = (ProductionView)await client.AskHephaestus<object>(new GetProduction("drain"));
            if (ShotStatus.IsTerminal(final.Status) && final.FilmHash is not null) break;
            Assert.True(DateTime.UtcNow < until, $"the farm did not finish: {final.Status} {final.Reason}");
            await Task.Delay(500);
        }
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
