using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Talos.Actors.Hosting;
using Talos.Gpu.Processes;
using Talos.Tests.Actors;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Operator;

/// <summary>
/// The operator palette against real processes: the seed executable (role core, with its API) and a render node
/// executable (role gpu) on a private PostgreSQL journal, driven by the <c>talos</c> executable itself.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class OperatorProcessTests() : ProcessFarmFixture("ops-proc")
{
    const string Token = "proc-operator-token-42";
    readonly System.Text.StringBuilder _log = new();

    static string Dll(string project, string name) => Path.Combine(Repo.Root, project, "bin", "Release", "net10.0", name + ".dll");

    async Task<Process> Launch(string project, string roles, int port, string seed, Dictionary<string, string>? extra = null)
    {
        var psi = MemberProcess(project, roles, port, seed, _pg!.Url);
        foreach (var (k, v) in extra ?? new()) psi.Environment[k] = v;
        var p = Process.Start(psi)!;
        _processes.Add(p);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        p.OutputDataReceived += (_, e) => { if (e.Data is null) return; lock (_log) _log.AppendLine($"{port}: {e.Data}"); if (e.Data.Contains(" up at ")) up.TrySetResult(); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine($"{port}! {e.Data}"); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (await Task.WhenAny(up.Task, p.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60))) != up.Task)
            lock (_log) throw new InvalidOperationException($"{project} did not come up:\n{_log}");
        return p;
    }

    async Task<CliRun> Talos(string url, params string[] args)
    {
        var r = await ProcessRunner.RunAsync("dotnet", [Dll("Talos.Cli", "talos"), .. args],
            env: new Dictionary<string, string?> { ["TALOS_URL"] = url, ["TALOS_TOKEN"] = Token }, // from the environment this time
            timeout: TimeSpan.FromMinutes(2), check: false);
        return new CliRun(r.ExitCode, r.Output, r.Error);
    }

    [Fact]
    public async Task The_talos_executable_shows_drains_and_reads_logs_of_a_farm_of_processes()
    {
        if (PostgresServer.FindBinaries() is null) Assert.Skip("PostgreSQL is not installed on this machine");
        Assert.True(File.Exists(Dll("Talos.Cli", "talos")), "build the solution first (./test.sh does)");
        _pg = await PostgresServer.StartAsync();
        int seedPort = FreePort(), apiPort = FreePort(), nodePort = FreePort();
        var seed = $"akka.tcp://talos@127.0.0.1:{seedPort}";
        var url = $"http://127.0.0.1:{apiPort}";
        await Launch("Talos.Cluster.Seed", "core", seedPort, seed, new() { ["TALOS_API_URL"] = url, ["TALOS_API_TOKEN_OPERATOR"] = Token });
        var node = await Launch("Talos.Cluster.Node", "gpu", nodePort, seed);
        var nodeAddress = $"akka.tcp://talos@127.0.0.1:{nodePort}";

        // both members, with roles and the load each process reports (its own pid)
        JsonElement[] members = [];
        var until = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < until)
        {
            var show = await Talos(url, "cluster", "show", "--json");
            Assert.True(show.Exit == 0, show + "\n" + _log);
            members = show.Json.GetProperty("members").EnumerateArray().ToArray();
            if (members.Length == 2 && members.All(m => m.GetProperty("status").GetString() == "up" && m.GetProperty("load").ValueKind == JsonValueKind.Object)) break;
            await Task.Delay(500);
        }
        Assert.Equal(2, members.Length);
        var gpu = Assert.Single(members, m => m.GetProperty("address").GetString() == nodeAddress);
        Assert.Equal(["gpu"], gpu.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!).ToArray());
        Assert.Equal(node.Id, gpu.GetProperty("load").GetProperty("pid").GetInt32());

        // the node's own log ring, read through the seed
        var logs = await Talos(url, "logs", "--node", $"127.0.0.1:{nodePort}");
        Assert.True(logs.Exit == 0, logs.ToString());
        Assert.Contains(nodeAddress, logs.Out);
        Assert.DoesNotContain($"talos@127.0.0.1:{seedPort} ", logs.Out);

        // drain: the node leaves gracefully and its process exits
        var drain = await Talos(url, "node", "drain", nodeAddress, "--timeout", "60");
        Assert.True(drain.Exit == 0, drain + "\n" + _log);
        Assert.Contains("drained", drain.Out);
        await node.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var after = await Talos(url, "cluster", "show", "--json");
        Assert.Single(after.Json.GetProperty("members").EnumerateArray());
    }
}
