using System.Text.Json;
using Akka.Event;
using Talos.Messages;
using Talos.Messages.Specs;
using Talos.Tests.Actors;
using Xunit;

namespace Talos.Tests.Operator;

/// <summary>Every verb of the operator palette (talos cluster|sharding|node|queue|shot|logs) against a seed with its API, in-process.</summary>
[Collection(ClusterCollection.Name)]
public sealed class OperatorPaletteTests
{
    static string[] Names(JsonElement o) => o.EnumerateObject().Select(p => p.Name).ToArray();

    [Fact]
    public async Task Cluster_show_json_has_a_stable_shape()
    {
        await using var farm = await OperatorFarm.StartAsync("ops-shape");
        var r = await farm.Cli("cluster", "show", "--json");
        Assert.True(r.Exit == 0, r.ToString());
        var json = r.Json;
        // The shape scripts rely on (README "Operator palette"): change it only with a new API version.
        Assert.Equal(["self", "leader", "members"], Names(json));
        var m = Assert.Single(json.GetProperty("members").EnumerateArray());
        Assert.Equal(["address", "roles", "status", "reachable", "leader", "self", "load"], Names(m));
        Assert.Equal(["node", "shots", "chunkSlots", "chunksBusy", "cpuPercent", "workingSetBytes", "managedBytes", "uptimeSeconds", "processorCount", "pid"],
            Names(m.GetProperty("load")));
        Assert.Equal(json.GetProperty("self").GetString(), m.GetProperty("address").GetString());
        Assert.Equal(["core", "gpu"], m.GetProperty("roles").EnumerateArray().Select(x => x.GetString()!).ToArray());
        Assert.Equal("up", m.GetProperty("status").GetString());
        Assert.True(m.GetProperty("leader").GetBoolean() && m.GetProperty("self").GetBoolean() && m.GetProperty("reachable").GetBoolean());
        Assert.Equal(Environment.ProcessId, m.GetProperty("load").GetProperty("pid").GetInt32());
        Assert.Equal(1, m.GetProperty("load").GetProperty("chunkSlots").GetInt32());

        var table = await farm.Cli("cluster", "show");
        Assert.Equal(0, table.Exit);
        Assert.Contains(json.GetProperty("self").GetString()!, table.Out);
        Assert.Contains("core,gpu", table.Out);
    }

    [Fact]
    public async Task Shot_verbs_queue_sharding_and_logs_drive_a_rendering_shot()
    {
        await using var farm = await OperatorFarm.StartAsync("ops-shots");
        var key = await farm.SubmitAsync(ShotLifecycleTests.SmallShot() with { Id = "ops-1", Production = "opsprod" });
        Assert.Equal("opsprod--ops-1", key);

        // pause while it renders: the queue and shot show say so; resume; it completes.
        var paused = await farm.Cli("shot", "pause", "ops-1"); // a unique id resolves to its key
        Assert.True(paused.Exit == 0, paused.ToString());
        Assert.Contains("pause opsprod--ops-1", paused.Out);
        await farm.WaitForShot(key, s => s.GetProperty("status").GetString() == ShotStatus.Paused, TimeSpan.FromSeconds(30));
        var queue = await farm.Cli("queue", "--json");
        var entry = Assert.Single(queue.Json.GetProperty("shots").EnumerateArray());
        Assert.Equal(key, entry.GetProperty("key").GetString());
        Assert.Equal(1, entry.GetProperty("position").GetInt32());
        Assert.Equal(ShotStatus.Paused, entry.GetProperty("status").GetString());
        Assert.Contains(key, (await farm.Cli("queue")).Out);

        // the shot's region hosts it (regions and stats agree)
        var regions = await farm.Cli("sharding", "regions", "--json");
        Assert.True(regions.Exit == 0, regions.ToString());
        var region = Assert.Single(regions.Json.GetProperty("regions").EnumerateArray());
        Assert.Contains(region.GetProperty("shards").EnumerateArray(), s => s.GetProperty("entities").EnumerateArray().Any(e => e.GetString() == key));
        var stats = await farm.Cli("sharding", "stats", "--json");
        Assert.True(stats.Exit == 0, stats.ToString());
        Assert.Equal(1, stats.Json.GetProperty("entities").GetInt32());
        Assert.Contains("total", (await farm.Cli("sharding", "stats")).Out);

        var resumed = await farm.Cli("shot", "resume", key);
        Assert.True(resumed.Exit == 0, resumed.ToString());
        var done = await farm.WaitForShot(key, s => ShotStatus.IsTerminal(s.GetProperty("status").GetString()!), TimeSpan.FromMinutes(3));
        Assert.Equal(ShotStatus.Completed, done.GetProperty("status").GetString());
        Assert.Empty((await farm.Cli("queue", "--json")).Json.GetProperty("shots").EnumerateArray());

        var list = await farm.Cli("shot", "list");
        Assert.Contains(key, list.Out);
        Assert.Contains("100%", list.Out);
        var show = await farm.Cli("shot", "show", key);
        Assert.Contains("completed", show.Out);
        Assert.Contains("100%", show.Out);

        // history from the journal: admitted, started, chunks, paused, resumed, outcome
        var history = await farm.Cli("shot", "history", key, "--json");
        Assert.True(history.Exit == 0, history.ToString());
        var events = history.Json.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("event").GetString()!).ToList();
        Assert.Contains(events, e => e.Contains("admitted"));
        Assert.Contains(events, e => e.Contains("paused"));
        Assert.Contains(events, e => e.Contains("resumed"));
        Assert.Contains("chunk", (await farm.Cli("shot", "history", key)).Out);

        // retry refuses a completed shot (409 → exit 2, the reason), cancel + retry of a second shot
        var retryDone = await farm.Cli("shot", "retry", key);
        Assert.Equal(2, retryDone.Exit);
        Assert.Contains("only failed or cancelled", retryDone.Err);
        // another size than the first shot: the same content would be taken whole from the vault and complete before the cancel
        var second = await farm.SubmitAsync(ShotLifecycleTests.SmallShot() with { Id = "ops-2", Production = "opsprod", Sequence = 2, Resolution = new Resolution(128, 72) });
        Assert.Equal(0, (await farm.Cli("shot", "cancel", second)).Exit);
        await farm.WaitForShot(second, s => s.GetProperty("status").GetString() == ShotStatus.Cancelled, TimeSpan.FromSeconds(30));
        var retried = await farm.Cli("shot", "retry", second);
        Assert.True(retried.Exit == 0, retried.ToString());
        await farm.WaitForShot(second, s => s.GetProperty("status").GetString() != ShotStatus.Cancelled, TimeSpan.FromSeconds(30));

        // priority is sent to Hephaestus as SetShotPriority (acknowledged where Hephaestus schedules by priority)
        long sent = farm.Seed.Gateway.Sent;
        var prio = await farm.Cli("shot", "priority", second, "7", "--json");
        Assert.True(prio.Exit == 0, prio.ToString());
        Assert.Equal("priority", prio.Json.GetProperty("action").GetString());
        Assert.Equal(second, prio.Json.GetProperty("key").GetString());
        Assert.True(farm.Seed.Gateway.Sent > sent);
        Assert.Equal(2, (await farm.Cli("shot", "priority", second, "5000")).Exit);
        Assert.Equal(2, (await farm.Cli("shot", "show", "opsprod--nope")).Exit);
        Assert.Contains("no shot with id", (await farm.Cli("shot", "show", "nope")).Err);

        // logs: every line of the ring, one shot's lines, and --follow sees a new line
        farm.Seed.Node.System.Log.Warning("shot {0}: operator palette test marker", second);
        var logs = await farm.Cli("logs", "--json");
        Assert.True(logs.Exit == 0, logs.ToString());
        var lines = logs.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        Assert.Contains(lines, l => l.GetProperty("message").GetString()!.Contains("operator palette test marker"));
        var shotLogs = await farm.Cli("logs", "--shot", second);
        Assert.Contains("operator palette test marker", shotLogs.Out);
        Assert.DoesNotContain("Cluster Node", shotLogs.Out);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var marker = "follow-marker-" + Guid.NewGuid().ToString("N");
        var follow = farm.CliWith(OperatorFarm.OperatorToken, cts.Token, "logs", "--follow");
        await Task.Delay(1500);
        farm.Seed.Node.System.Log.Warning(marker);
        await Task.Delay(3000); // --follow asks every second
        cts.Cancel();
        var followed = await follow;
        Assert.Contains(marker, followed.Out);
    }

    [Fact]
    public async Task Members_leave_drain_and_down_through_the_cli()
    {
        await using var farm = await OperatorFarm.StartAsync("ops-members");
        var (a, aAddr) = await farm.JoinMemberAsync();
        var (b, bAddr) = await farm.JoinMemberAsync();
        var (c, cAddr) = await farm.JoinMemberAsync();
        var shown = (await farm.Cli("cluster", "show", "--json")).Json.GetProperty("members").EnumerateArray().ToList();
        Assert.Equal(4, shown.Count);
        Assert.All(shown.Where(m => !m.GetProperty("self").GetBoolean()), m => Assert.Empty(m.GetProperty("roles").EnumerateArray()));

        var drain = await farm.Cli("node", "drain", aAddr, "--timeout", "60");
        Assert.True(drain.Exit == 0, drain.ToString());
        Assert.Contains("drained akka.tcp://talos@" + aAddr, drain.Out);
        await a.System.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(30));

        var leave = await farm.Cli("cluster", "leave", "akka.tcp://talos@" + bAddr);
        Assert.True(leave.Exit == 0, leave.ToString());
        Assert.Contains("leave", leave.Out);
        await b.System.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(30));

        var down = await farm.Cli("cluster", "down", cAddr, "--json");
        Assert.True(down.Exit == 0, down.ToString());
        Assert.Equal("down", down.Json.GetProperty("action").GetString());
        await c.System.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(30));

        var until = DateTime.UtcNow.AddSeconds(30);
        while ((await farm.Cli("cluster", "show", "--json")).Json.GetProperty("members").GetArrayLength() > 1)
        {
            Assert.True(DateTime.UtcNow < until, "members were not removed");
            await Task.Delay(200);
        }

        // the seed serving the request refuses to drain or down itself; unknown members are 404 (exit 2)
        var self = (await farm.Cli("cluster", "show", "--json")).Json.GetProperty("self").GetString()!;
        var refuse = await farm.Cli("node", "drain", self);
        Assert.Equal(2, refuse.Exit);
        Assert.Contains("refusing", refuse.Err);
        var unknown = await farm.Cli("cluster", "down", "127.0.0.1:1");
        Assert.Equal(2, unknown.Exit);
        Assert.Contains("no cluster member", unknown.Err);
    }

    [Fact]
    public async Task Wrong_tokens_scopes_and_unreachable_farms_get_one_clear_line()
    {
        await using var farm = await OperatorFarm.StartAsync("ops-errors");
        var wrong = await farm.CliWith("not-a-token", default, "cluster", "show");
        Assert.Equal(1, wrong.Exit);
        Assert.Contains("refused the token (401)", wrong.Err);
        var pipeline = await farm.CliWith(OperatorFarm.PipelineToken, default, "queue");
        Assert.Equal(1, pipeline.Exit);
        Assert.Contains("(403)", pipeline.Err);
        Assert.Contains("operator", pipeline.Err);

        using var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        int closed = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        var down = await OperatorFarm.Run(["cluster", "show", "--url", $"http://127.0.0.1:{closed}", "--token", "x"]);
        Assert.Equal(1, down.Exit);
        Assert.Contains("cannot reach the farm", down.Err);

        var noUrl = await OperatorFarm.Run(["queue", "--token", "x", "--farm", Path.Combine(farm.Dir, "nowhere")]);
        Assert.Equal(2, noUrl.Exit);
        Assert.Contains("farm.json", noUrl.Err);

        // --farm DIR reads url and token from DIR/farm.json (as talos farm up writes it)
        var dir = Path.Combine(farm.Dir, "farmdir");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "farm.json"), JsonSerializer.Serialize(new { url = farm.Seed.Url, token = OperatorFarm.OperatorToken, processes = Array.Empty<object>() }));
        var viaFarm = await OperatorFarm.Run(["queue", "--json", "--farm", dir]);
        Assert.True(viaFarm.Exit == 0, viaFarm.ToString());
        Assert.Empty(viaFarm.Json.GetProperty("shots").EnumerateArray());
    }
}
