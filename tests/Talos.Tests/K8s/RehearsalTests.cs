using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Talos.Actors.Hosting;
using Talos.Actors.Pipeline;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Queries;
using Talos.Tests.Actors;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.K8s;

/// <summary>
/// A dress rehearsal of the dev overlay without a cluster: every Talos pod the overlay runs (three seeds, the CPU
/// render node) starts as a real process of its executable with exactly the environment the manifests give it — only
/// what a cluster would provide is stood in for: pod DNS names and Service names become 127.0.0.x addresses, each
/// pod gets free ports in place of the container ports, volumes become directories, and the in-cluster PostgreSQL
/// is a private server. The cluster forms through the seed list, probes and /metrics answer, a shot renders, and
/// the render node drains through its preStop hook (GET /drain) and exits.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RehearsalTests : IAsyncLifetime
{
    readonly string _dir = Repo.TempDir("k8s-rehearsal");
    readonly List<(Pod Pod, Process Process, StringBuilder Log)> _running = new();
    readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    PostgresServer? _pg;

    /// <summary>One pod of the overlay as this test runs it.</summary>
    sealed record Pod(string Name, K8sContainer Container, string Ip, int AkkaPort, int ManagementPort, int ApiPort)
    {
        public Dictionary<string, string> Environment { get; set; } = new();
        public string Executable => Container.Image.Contains("talos-seed", StringComparison.Ordinal) ? "Talos.Cluster.Seed" : "Talos.Cluster.Node";
        public Uri Management => new($"http://{Ip}:{ManagementPort}");
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var (_, p, _) in _running) { try { if (!p.HasExited) p.Kill(true); } catch (InvalidOperationException) { } p.Dispose(); }
        _http.Dispose();
        if (_pg is not null) await _pg.DisposeAsync();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    static int FreePort(string ip)
    {
        using var l = new TcpListener(IPAddress.Parse(ip), 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    static string ExecutablePath(string project) => Path.Combine(Repo.Root, project, "bin", "Release", "net10.0", project + ".dll");

    string Logs()
    {
        var sb = new StringBuilder();
        foreach (var (pod, _, log) in _running)
            lock (log) sb.Append($"--- {pod.Name}\n").Append(log.Length > 3000 ? log.ToString(log.Length - 3000, 3000) : log.ToString());
        return sb.ToString();
    }

    [Fact]
    public async Task The_dev_overlay_forms_a_cluster_answers_probes_and_metrics_renders_a_shot_and_drains_a_node()
    {
        var m = RenderedManifests.Render("dev");
        if (PostgresServer.FindBinaries() is null) Assert.Skip("PostgreSQL is not installed on this machine");
        Assert.True(File.Exists(ExecutablePath("Talos.Cluster.Node")) && File.Exists(ExecutablePath("Talos.Cluster.Seed")),
            "build the solution first (./test.sh does)");

        // The pods: every replica of every workload that runs a Talos image (PostgreSQL is stood in for below).
        var pods = new List<Pod>();
        foreach (var c in m.Containers.Where(c => c.IsTalos && !c.Init))
            for (int i = 0; i < m.Replicas(c.Workload); i++)
            {
                var ip = $"127.0.0.{pods.Count + 2}";
                pods.Add(new Pod($"{c.Workload.Name}-{i}", c, ip, FreePort(ip), FreePort(ip), FreePort(ip)));
            }
        Assert.Contains(pods, p => p.Executable == "Talos.Cluster.Seed");
        Assert.Contains(pods, p => p.Executable == "Talos.Cluster.Node");

        // What cluster DNS would answer: each StatefulSet pod's name under its headless Service.
        var dns = new Dictionary<string, Pod>(StringComparer.Ordinal);
        foreach (var p in pods.Where(p => p.Container.Workload.Kind == "StatefulSet"))
            dns[$"{p.Name}.{p.Container.Workload.Text("spec", "serviceName")}.{p.Container.Workload.Namespace}.svc.cluster.local"] = p;

        _pg = await PostgresServer.StartAsync();
        var volumes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in pods) p.Environment = Localize(m, p, dns, volumes);
        await CreateJournalDatabase(pods[0].Environment["TALOS_JOURNAL"]);

        // All pods start at once, as the StatefulSet (podManagementPolicy Parallel) and the Deployment start them.
        var starts = pods.Select(Launch).ToList();
        await Task.WhenAll(starts);

        // Probes: every member alive and Up.
        foreach (var p in pods)
        {
            Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync(new Uri(p.Management, "/healthz"))).StatusCode);
            await Eventually(async () => (await _http.GetAsync(new Uri(p.Management, "/ready"))).StatusCode == HttpStatusCode.OK,
                TimeSpan.FromSeconds(60), () => $"{p.Name} never became ready:\n" + Logs());
        }

        // A client (as the CLI or the API would) joins through the same seed list and renders a shot.
        var seeds = pods[0].Environment["TALOS_SEEDS"].Split(',');
        var journal = JournalTarget.Parse(pods[0].Environment["TALOS_JOURNAL"]);
        var client = await TalosNode.StartAsync(new TalosNodeOptions
        {
            WorkDir = Path.Combine(_dir, "client"), VaultDir = volumes["talos-vault"], Roles = [], Hostname = "127.0.0.1",
            Seeds = seeds, JournalConnection = journal.ConnectionString, JournalProvider = journal.Provider,
            DownAfter = TimeSpan.FromSeconds(3), Render = new RenderSettingsOptions { ChunkSlots = 1 },
        });
        await using (client)
        {
            var spec = ShotLifecycleTests.SmallShot() with { Id = "rehearsal-1", Production = "rehearsal", Sequence = 1 };
            Assert.IsType<SubmitAccepted>(await client.AskHephaestus<object>(new SubmitProduction("rehearsal", [spec]), TimeSpan.FromSeconds(60)));
            ProductionView? view = null;
            await Eventually(async () =>
            {
                view = (ProductionView)await client.AskHephaestus<object>(new GetProduction("rehearsal"));
                return ShotStatus.IsTerminal(view.Status) && (view.Status != ShotStatus.Completed || view.FilmHash is not null);
            }, TimeSpan.FromMinutes(4), () => $"the shot did not finish ({view?.Status}):\n" + Logs());
            Assert.True(view!.Status == ShotStatus.Completed, view.Reason + "\n" + Logs());
            Assert.True(client.Vault.Contains(view.FilmHash!));

            // Metrics: the render node reports what it rendered; exactly one seed (Hephaestus's host) the queue depth.
            var node = pods.First(p => p.Executable == "Talos.Cluster.Node");
            var nodeMetrics = await _http.GetStringAsync(new Uri(node.Management, "/metrics"));
            var fluxFrames = Regex.Match(nodeMetrics, $@"^talos_frames_rendered_total\{{[^}}]*stage=""{Stages.Flux}""[^}}]*\}} (\d+)", RegexOptions.Multiline);
            Assert.True(fluxFrames.Success && int.Parse(fluxFrames.Groups[1].Value) >= spec.FrameCount, "FLUX frames rendered missing:\n" + nodeMetrics);
            Assert.Matches(new Regex($@"^talos_chunk_duration_seconds_count\{{[^}}]*stage=""{Stages.Flux}""[^}}]*\}} [1-9]", RegexOptions.Multiline), nodeMetrics);
            Assert.Matches(new Regex(@"^talos_journal_write_duration_seconds_count\{[^}]*\} [1-9]", RegexOptions.Multiline), nodeMetrics);
            Assert.Matches(new Regex(@"^talos_chunk_slots\{[^}]*\} 2$", RegexOptions.Multiline), nodeMetrics); // TALOS_CHUNK_SLOTS of the dev CPU pool
            var queueName = TalosMetrics.QueueDepth.Replace('.', '_');
            // Hephaestus publishes shot statuses once a second: read until the finished shot shows (or 10 s pass).
            List<string> reporting;
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            do
            {
                var seedMetrics = new List<string>();
                foreach (var s in pods.Where(p => p.Executable == "Talos.Cluster.Seed"))
                    seedMetrics.Add(await _http.GetStringAsync(new Uri(s.Management, "/metrics")));
                reporting = seedMetrics.Where(t => Regex.IsMatch(t, $@"^{queueName}\{{", RegexOptions.Multiline)).ToList();
                if (reporting.Any(t => Regex.IsMatch(t, @"^talos_shots\{[^}]*status=""completed""[^}]*\} 1$", RegexOptions.Multiline))) break;
                await Task.Delay(250);
            } while (DateTime.UtcNow < until);
            var hephaestus = Assert.Single(reporting);
            Assert.Matches(new Regex($@"^{queueName}\{{[^}}]*status=""rendering""[^}}]*\}} 0$", RegexOptions.Multiline), hephaestus);
            Assert.Matches(new Regex(@"^talos_shots\{[^}]*status=""completed""[^}]*\} 1$", RegexOptions.Multiline), hephaestus);
        }

        // Drain the render node as Kubernetes would on scale-down: preStop GET /drain, then the process is gone.
        var drained = pods.First(p => p.Executable == "Talos.Cluster.Node");
        var process = _running.Single(r => r.Pod == drained).Process;
        var drain = await _http.GetAsync(new Uri(drained.Management, "/drain"));
        Assert.True(drain.StatusCode == HttpStatusCode.OK, $"/drain answered {drain.StatusCode}: {await drain.Content.ReadAsStringAsync()}");
        await Task.WhenAny(process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.True(process.HasExited, "the drained node did not exit:\n" + Logs());
        Assert.Equal(0, process.ExitCode);
        foreach (var s in pods.Where(p => p.Executable == "Talos.Cluster.Seed"))
            Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync(new Uri(s.Management, "/ready"))).StatusCode);
    }

    /// <summary>
    /// The pod's environment as the manifests give it, with what a cluster provides stood in for: DNS names and
    /// Service names to addresses, container ports to this pod's free ports, volume mount paths to directories.
    /// </summary>
    Dictionary<string, string> Localize(RenderedManifests m, Pod pod, IReadOnlyDictionary<string, Pod> dns, Dictionary<string, string> volumes)
    {
        var env = m.Environment(pod.Container, pod.Name, pod.Ip);
        string containerAkkaPort = env["TALOS_PORT"];
        env["TALOS_PORT"] = pod.AkkaPort.ToString();
        foreach (var (name, target) in dns)
        {
            env["TALOS_SEEDS"] = env["TALOS_SEEDS"].Replace($"@{name}:{containerAkkaPort}", $"@{target.Ip}:{target.AkkaPort}", StringComparison.Ordinal);
            env["TALOS_HOSTNAME"] = env["TALOS_HOSTNAME"] == name ? target.Ip : env["TALOS_HOSTNAME"];
        }
        env["TALOS_MANAGEMENT_URL"] = Listen(env["TALOS_MANAGEMENT_URL"], pod.Ip, pod.ManagementPort);
        if (env.TryGetValue("TALOS_API_URL", out var api)) env["TALOS_API_URL"] = Listen(api, pod.Ip, pod.ApiPort);

        // The journal: the in-cluster PostgreSQL Service becomes this test's private server.
        var journal = new UriBuilder(env["TALOS_JOURNAL"]);
        Assert.True(m.Find("Service", journal.Host) is not null, $"TALOS_JOURNAL names {journal.Host}, which is no Service of the overlay");
        journal.Host = "127.0.0.1";
        journal.Port = _pg!.Port;
        env["TALOS_JOURNAL"] = journal.Uri.ToString();

        // Volumes: a claim is shared by every pod that mounts it, an emptyDir is the pod's own. Each value is mapped
        // once (a mapped directory may itself lie under a mount path such as /tmp).
        var mapped = new HashSet<string>();
        foreach (var mount in Yaml.Items(pod.Container.Node, "volumeMounts"))
        {
            var volume = Yaml.Items(pod.Container.Pod, "volumes").Single(v => Yaml.Text(v, "name") == Yaml.Text(mount, "name"));
            var local = Yaml.Text(volume, "persistentVolumeClaim", "claimName") is { } claim
                ? volumes.TryGetValue(claim, out var d) ? d : volumes[claim] = Path.Combine(_dir, "claim-" + claim)
                : Path.Combine(_dir, pod.Name, Yaml.Text(mount, "name")!);
            Directory.CreateDirectory(local);
            var path = Yaml.Text(mount, "mountPath")!;
            foreach (var key in env.Keys.Where(k => !mapped.Contains(k)).ToList())
                if (env[key] == path || env[key].StartsWith(path + "/", StringComparison.Ordinal)) { env[key] = local + env[key][path.Length..]; mapped.Add(key); }
        }

        foreach (var (key, value) in env)
            Assert.False(value.Contains(".svc.cluster.local", StringComparison.Ordinal) || value.Contains("0.0.0.0", StringComparison.Ordinal),
                $"{pod.Name}: {key}={value} still points into the cluster");
        return env;
    }

    static string Listen(string url, string ip, int port) => new UriBuilder(url) { Host = ip, Port = port }.Uri.GetLeftPart(UriPartial.Authority);

    async Task CreateJournalDatabase(string journalUrl)
    {
        var uri = new Uri(journalUrl);
        var user = Uri.UnescapeDataString(uri.UserInfo.Split(':')[0]);
        var database = uri.AbsolutePath.Trim('/');
        Assert.Matches("^[a-z_][a-z0-9_]*$", user);
        Assert.Matches("^[a-z_][a-z0-9_]*$", database);
        await using var db = new Npgsql.NpgsqlConnection(_pg!.ConnectionString);
        await db.OpenAsync();
        foreach (var sql in new[] { $"create role {user} login", $"create database {database} owner {user}" })
        {
            await using var cmd = new Npgsql.NpgsqlCommand(sql, db);
            await cmd.ExecuteNonQueryAsync();
        }
    }

    async Task Launch(Pod pod)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(ExecutablePath(pod.Executable));
        // Exactly the pod's environment: nothing TALOS_* leaks in from this test process.
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("TALOS_", StringComparison.Ordinal)).ToList()) psi.Environment.Remove(key);
        foreach (var (key, value) in pod.Environment) psi.Environment[key] = value;
        var log = new StringBuilder();
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var p = Process.Start(psi)!;
        lock (_running) _running.Add((pod, p, log));
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (log) log.AppendLine(e.Data);
            if (e.Data.Contains(" up at ", StringComparison.Ordinal)) up.TrySetResult();
        };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        var done = await Task.WhenAny(up.Task, p.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(90)));
        if (done != up.Task) lock (log) throw new InvalidOperationException($"{pod.Name} did not come up:\n{log}");
    }

    static async Task Eventually(Func<Task<bool>> condition, TimeSpan timeout, Func<string> what)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            try { if (await condition()) return; }
            catch (HttpRequestException) { }
            Assert.True(DateTime.UtcNow < until, what());
            await Task.Delay(250);
        }
    }
}
