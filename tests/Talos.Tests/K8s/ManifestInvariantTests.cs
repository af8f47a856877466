using System.Collections.Concurrent;
using System.Globalization;
using Talos.Actors.Hosting;
using Xunit;

namespace Talos.Tests.K8s;

/// <summary>
/// The rules a Talos deployment must keep, checked on every overlay as `kubectl kustomize` renders it — without a
/// cluster. The lists they compare against come from the code (NodeConfiguration, TalosMetrics), never from copies.
/// </summary>
public sealed class ManifestInvariantTests
{
    static IEnumerable<string> OverlayNames() => Directory.GetDirectories(Path.Combine(Support.Repo.Root, "k8s", "overlays"))
        .Select(Path.GetFileName).OfType<string>().Order();

    public static TheoryData<string> Overlays => new(OverlayNames());

    static readonly ConcurrentDictionary<string, RenderedManifests> Rendered = new();
    static RenderedManifests Render(string overlay) => Rendered.TryGetValue(overlay, out var r) ? r
        : Rendered[overlay] = RenderedManifests.Render(overlay, overlay == "farm" ? External : null);

    /// <summary>The farm's journal and API token Secrets are created by the operator (docs/DEPLOY.md), never committed.</summary>
    static readonly IReadOnlySet<string> External = new HashSet<string> { "talos-journal", "talos-api-tokens" };

    const string Namespace = "talos";
    static readonly string[] ClusterScoped = ["Namespace", "ClusterRole", "ClusterRoleBinding", "StorageClass", "PersistentVolume", "PriorityClass"];

    [Fact]
    public void Both_overlays_exist()
    {
        var overlays = OverlayNames().ToList();
        Assert.Contains("dev", overlays);
        Assert.Contains("farm", overlays);
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Overlay_renders_everything_into_the_talos_namespace(string overlay)
    {
        var m = Render(overlay);
        Assert.NotNull(m.Find("Namespace", Namespace));
        foreach (var o in m.Objects.Where(o => !ClusterScoped.Contains(o.Kind)))
            Assert.True(o.Namespace == Namespace, $"{o} is in namespace '{o.Namespace}', not {Namespace}");
        foreach (var kind in new[] { "StatefulSet", "Deployment", "Service", "Ingress", "PodDisruptionBudget", "PersistentVolumeClaim", "ConfigMap" })
            Assert.True(m.OfKind(kind).Any(), $"the {overlay} overlay has no {kind}");
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Every_container_has_requests_limits_and_probes(string overlay)
    {
        var m = Render(overlay);
        Assert.NotEmpty(m.Containers);
        foreach (var c in m.Containers)
        {
            foreach (var resource in new[] { "cpu", "memory" })
            {
                var request = Yaml.Text(c.Node, "resources", "requests", resource);
                var limit = Yaml.Text(c.Node, "resources", "limits", resource);
                Assert.True(request is not null, $"{c} has no {resource} request");
                Assert.True(limit is not null, $"{c} has no {resource} limit");
                Assert.True(Quantity(request) <= Quantity(limit), $"{c}: {resource} request {request} exceeds its limit {limit}");
            }
            if (c.Init) continue;
            Assert.True(Yaml.At(c.Node, "livenessProbe") is not null, $"{c} has no liveness probe");
            Assert.True(Yaml.At(c.Node, "readinessProbe") is not null, $"{c} has no readiness probe");
        }
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Talos_probes_and_preStop_use_the_management_listener(string overlay)
    {
        var m = Render(overlay);
        var talos = m.Containers.Where(c => c.IsTalos).ToList();
        Assert.NotEmpty(talos);
        foreach (var c in talos)
        {
            var env = m.Environment(c, "pod-0", "10.0.0.1");
            Assert.True(env.TryGetValue("TALOS_MANAGEMENT_URL", out var url), $"{c} does not set TALOS_MANAGEMENT_URL: no probes could reach it");
            int port = new Uri(url!).Port;
            void Http(string what, string path, params string[] at)
            {
                var get = Yaml.At(c.Node, at.Append("httpGet").ToArray());
                Assert.True(get is not null, $"{c}: {what} is not an HTTP GET");
                Assert.Equal(path, Yaml.Text(get, "path"));
                Assert.True(RenderedManifests.Port(c, Yaml.Text(get, "port")!) == port, $"{c}: {what} does not go to the management port {port}");
            }
            Http("liveness", "/healthz", "livenessProbe");
            Http("readiness", "/ready", "readinessProbe");
            if (Yaml.At(c.Node, "startupProbe") is not null) Http("startup", "/healthz", "startupProbe");
            Http("preStop", "/drain", "lifecycle", "preStop");
        }
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Grace_period_covers_the_drain_and_the_shutdown_after_it(string overlay)
    {
        // preStop (GET /drain) waits up to ShutdownTimeout; the SIGTERM that follows may take up to ShutdownTimeout
        // again (when the drain could not finish). The kubelet kills the pod when the grace period is over.
        var m = Render(overlay);
        foreach (var w in m.Workloads.Where(w => m.Containers.Any(c => c.Workload == w && c.IsTalos)))
        {
            var grace = RenderedManifests.PodSpec(w) is var pod && Yaml.Text(pod, "terminationGracePeriodSeconds") is { } g ? int.Parse(g) : 30;
            var needed = 2 * NodeConfiguration.ShutdownTimeout.TotalSeconds;
            Assert.True(grace > needed, $"{w}: terminationGracePeriodSeconds {grace} does not exceed the drain + shutdown timeouts ({needed} s)");
        }
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Seed_list_is_the_seed_StatefulSets_pod_DNS_names(string overlay)
    {
        var m = Render(overlay);
        var seeds = m.Containers.Where(c => c.IsTalos && c.Workload.Kind == "StatefulSet" && RolesOf(m, c).Contains("core")).ToList();
        var seed = Assert.Single(seeds);
        var sts = seed.Workload;
        var serviceName = sts.Text("spec", "serviceName");
        var service = m.Find("Service", serviceName!);
        Assert.True(service is not null, $"{sts}: its serviceName {serviceName} is not a Service here");
        Assert.True(service.Text("spec", "clusterIP") == "None", $"Service {serviceName} is not headless");
        Assert.True(service.Text("spec", "publishNotReadyAddresses") == "true",
            $"Service {serviceName} must publish not-ready addresses: seeds resolve each other before they are Up");
        var podLabels = Yaml.Pairs(sts.Root, "spec", "template", "metadata", "labels").ToHashSet();
        Assert.All(Yaml.Pairs(service.Root, "spec", "selector"), kv => Assert.Contains(kv, podLabels));

        int replicas = m.Replicas(sts);
        Assert.True(replicas >= 3 || overlay == "dev", $"{sts}: {replicas} seeds cannot keep a majority through a disruption");
        var ns = sts.Namespace ?? "default";
        var env = m.Environment(seed, $"{sts.Name}-0", "10.0.0.1");
        int port = int.Parse(env["TALOS_PORT"]);
        var expected = Enumerable.Range(0, replicas).Select(i => $"akka.tcp://talos@{sts.Name}-{i}.{serviceName}.{ns}.svc.cluster.local:{port}").ToList();
        var seedList = env["TALOS_SEEDS"].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
        Assert.Equal(expected, seedList);
        Assert.Contains(Yaml.Items(seed.Node, "ports"), p => Yaml.Text(p, "containerPort") == port.ToString());

        // Each seed's own address is its entry in the list (Akka matches the first seed by address).
        for (int i = 0; i < replicas; i++)
        {
            var own = m.Environment(seed, $"{sts.Name}-{i}", $"10.0.0.{i + 1}");
            Assert.Equal(expected[i], $"akka.tcp://talos@{own["TALOS_HOSTNAME"]}:{own["TALOS_PORT"]}");
        }
        // Every other Talos process joins through the same list.
        foreach (var c in m.Containers.Where(c => c.IsTalos))
            Assert.Equal(env["TALOS_SEEDS"], m.Environment(c, "pod-0", "10.0.0.9")["TALOS_SEEDS"]);
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Every_variable_a_Talos_container_is_given_is_one_the_executables_read(string overlay)
    {
        var m = Render(overlay);
        foreach (var c in m.Containers.Where(c => c.IsTalos))
        {
            var inputs = RenderedManifests.ExpansionInputs(c);
            foreach (var (name, source) in m.DeclaredEnvironment(c))
            {
                // A variable that only feeds another's $(NAME) expansion (the pod's name) is the manifest's own helper.
                if (inputs.Contains(name) && !name.StartsWith("TALOS_", StringComparison.Ordinal)) continue;
                Assert.True(NodeConfiguration.Variables.Contains(name),
                    $"{c} is given {name} ({source}), which no Talos executable reads (NodeConfiguration.Variables)");
            }
            // And what they are given parses: the node would refuse to start otherwise.
            var env = m.Environment(c, "pod-0", "10.0.0.1");
            env.TryAdd("TALOS_JOURNAL", "postgres://talos@db:5432/talos"); // the farm's journal Secret lives outside the overlay
            var options = NodeConfiguration.FromEnvironment(["gpu"], k => env.GetValueOrDefault(k));
            Assert.True(options.JournalProvider.StartsWith("PostgreSQL", StringComparison.Ordinal), $"{c}: the journal is not PostgreSQL");
            Assert.NotNull(options.ManagementUrl);
        }
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Journal_and_config_references_resolve(string overlay)
    {
        var m = Render(overlay);
        foreach (var c in m.Containers)
        {
            var env = Yaml.Items(c.Node, "env").ToList();
            foreach (var e in env.Where(e => Yaml.At(e, "valueFrom", "secretKeyRef") is not null))
            {
                var name = Yaml.Text(e, "valueFrom", "secretKeyRef", "name")!;
                if (m.ExternalSecrets.Contains(name)) continue;
                Assert.True(m.Find("Secret", name) is not null, $"{c}: Secret {name} is not in the {overlay} overlay");
            }
            if (overlay == "dev" && c.IsTalos) Assert.Contains("TALOS_JOURNAL", m.Environment(c, "pod-0", "10.0.0.1").Keys);
        }
        if (overlay == "dev")
        {
            var journal = m.Environment(m.Containers.First(c => c.IsTalos), "pod-0", "10.0.0.1")["TALOS_JOURNAL"];
            var host = new Uri(journal).Host;
            Assert.True(m.Find("Service", host) is not null, $"the dev journal points at {host}, which is no Service of the overlay");
        }
    }

    [Theory, MemberData(nameof(Overlays))]
    public void GPU_pods_ask_for_GPUs_and_land_on_GPU_machines(string overlay)
    {
        var m = Render(overlay);
        var gpu = m.Containers.Where(c => c.Image.Contains("talos-node-cuda", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(gpu);
        foreach (var c in gpu)
        {
            Assert.True(int.TryParse(Yaml.Text(c.Node, "resources", "limits", "nvidia.com/gpu"), out var n) && n >= 1, $"{c} does not ask for a GPU");
            Assert.Equal(Yaml.Text(c.Node, "resources", "limits", "nvidia.com/gpu"), Yaml.Text(c.Node, "resources", "requests", "nvidia.com/gpu"));
            Assert.True(Yaml.Pairs(c.Pod, "nodeSelector").Any(kv => kv.Key.StartsWith("nvidia.com/", StringComparison.Ordinal)), $"{c}: no GPU node selector");
            Assert.True(Yaml.Items(c.Pod, "tolerations").Any(t => Yaml.Text(t, "key") == "nvidia.com/gpu"), $"{c}: does not tolerate the GPU taint");
        }
        // Nothing else takes GPUs, and the CPU pool exists beside the GPU pool.
        foreach (var c in m.Containers.Except(gpu))
            Assert.True(Yaml.Text(c.Node, "resources", "limits", "nvidia.com/gpu") is null, $"{c} takes a GPU but is not the CUDA node image");
        Assert.Contains(m.Containers, c => c.IsTalos && c.Image.Contains("/talos-node:", StringComparison.Ordinal));
        if (overlay == "farm") Assert.All(gpu, c => Assert.True(m.Replicas(c.Workload) > 0, $"{c.Workload} has no replicas in the farm"));
    }

    [Theory, MemberData(nameof(Overlays))]
    public void GPU_nodes_scale_on_the_queue_depth_the_seed_exports(string overlay)
    {
        var m = Render(overlay);
        var hpas = m.OfKind("HorizontalPodAutoscaler").ToList();
        if (overlay == "dev") { Assert.Empty(hpas); return; } // no GPU pool to scale in development
        var hpa = Assert.Single(hpas);
        var target = m.Find(hpa.Text("spec", "scaleTargetRef", "kind")!, hpa.Text("spec", "scaleTargetRef", "name")!);
        Assert.True(target is not null, $"{hpa} scales a workload that is not here");
        Assert.Contains(m.Containers, c => c.Workload == target && c.Image.Contains("talos-node-cuda", StringComparison.Ordinal));
        var metric = Assert.Single(Yaml.Items(hpa.Root, "spec", "metrics"));
        var prometheusName = TalosMetrics.QueueDepth.Replace('.', '_');
        Assert.Equal(prometheusName, Yaml.Text(metric, "external", "metric", "name") ?? Yaml.Text(metric, "pods", "metric", "name"));
        Assert.True(int.Parse(hpa.Text("spec", "minReplicas")!) >= 1);
        Assert.True(int.Parse(hpa.Text("spec", "maxReplicas")!) >= int.Parse(hpa.Text("spec", "minReplicas")!));
        // Scale-down one pod at a time, so each drains before the next goes.
        var down = Assert.Single(Yaml.Items(hpa.Root, "spec", "behavior", "scaleDown", "policies"));
        Assert.Equal("1", Yaml.Text(down, "value"));
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Disruption_budgets_cover_every_Talos_workload_and_keep_a_seed_majority(string overlay)
    {
        var m = Render(overlay);
        var pdbs = m.OfKind("PodDisruptionBudget").ToList();
        foreach (var w in m.Workloads.Where(w => m.Containers.Any(c => c.Workload == w && c.IsTalos)))
        {
            var labels = Yaml.Pairs(w.Root, "spec", "template", "metadata", "labels").ToHashSet();
            var pdb = pdbs.SingleOrDefault(p => Yaml.Pairs(p.Root, "spec", "selector", "matchLabels").All(labels.Contains));
            Assert.True(pdb is not null, $"{w} has no PodDisruptionBudget");
            if (w.Kind == "StatefulSet" && pdb.Text("spec", "minAvailable") is { } min && m.Replicas(w) > 1)
                Assert.True(int.Parse(min) > m.Replicas(w) / 2, $"{pdb} lets the seeds lose their majority");
            else if (pdb.Text("spec", "maxUnavailable") is { } max)
                Assert.Equal("1", max);
        }
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Every_Talos_process_mounts_the_one_shared_vault(string overlay)
    {
        var m = Render(overlay);
        var claims = new HashSet<string>();
        foreach (var c in m.Containers.Where(c => c.IsTalos))
        {
            var vault = m.Environment(c, "pod-0", "10.0.0.1")["TALOS_VAULT"];
            var mount = Yaml.Items(c.Node, "volumeMounts").SingleOrDefault(v => Yaml.Text(v, "mountPath") == vault);
            Assert.True(mount is not null, $"{c}: nothing is mounted at TALOS_VAULT {vault}");
            var volume = Yaml.Items(c.Pod, "volumes").Single(v => Yaml.Text(v, "name") == Yaml.Text(mount, "name"));
            var claim = Yaml.Text(volume, "persistentVolumeClaim", "claimName");
            Assert.True(claim is not null, $"{c}: the vault is not a persistent volume claim");
            claims.Add(claim);
        }
        var pvc = m.Find("PersistentVolumeClaim", Assert.Single(claims));
        Assert.NotNull(pvc);
        if (overlay == "farm")
            Assert.Contains("ReadWriteMany", Yaml.Scalars(pvc.Root, "spec", "accessModes"));
    }

    [Theory, MemberData(nameof(Overlays))]
    public void The_ingress_routes_to_the_seeds_API_port(string overlay)
    {
        var m = Render(overlay);
        var seed = m.Containers.Single(c => c.IsTalos && RolesOf(m, c).Contains("core"));
        var apiPort = new Uri(m.Environment(seed, "pod-0", "10.0.0.1")["TALOS_API_URL"]).Port;
        var ingress = Assert.Single(m.OfKind("Ingress"));
        var backend = Yaml.At(ingress.Root, "spec", "rules", "0", "http", "paths", "0", "backend", "service");
        var service = m.Find("Service", Yaml.Text(backend, "name")!);
        Assert.True(service is not null, "the ingress routes to a Service that is not here");
        var servicePort = Yaml.Items(service.Root, "spec", "ports").Single(p =>
            Yaml.Text(p, "name") == Yaml.Text(backend, "port", "name") || Yaml.Text(p, "port") == Yaml.Text(backend, "port", "number"));
        Assert.Equal(apiPort, RenderedManifests.Port(seed, Yaml.Text(servicePort, "targetPort") ?? Yaml.Text(servicePort, "port")!));
        var podLabels = Yaml.Pairs(seed.Workload.Root, "spec", "template", "metadata", "labels").ToHashSet();
        Assert.All(Yaml.Pairs(service.Root, "spec", "selector"), kv => Assert.Contains(kv, podLabels));
    }

    static IReadOnlyList<string> RolesOf(RenderedManifests m, K8sContainer c) =>
        (m.Environment(c, "pod-0", "10.0.0.1").GetValueOrDefault("TALOS_ROLES") ?? "").Split(',', StringSplitOptions.TrimEntries);

    /// <summary>A Kubernetes quantity (500m, 2, 512Mi, 1Gi, 2Ti, 1G) as a number.</summary>
    static double Quantity(string text)
    {
        var suffixes = new (string S, double F)[] { ("Ki", 1024), ("Mi", 1 << 20), ("Gi", 1 << 30), ("Ti", 1L << 40), ("m", 1e-3), ("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12) };
        foreach (var (s, f) in suffixes)
            if (text.EndsWith(s, StringComparison.Ordinal)) return double.Parse(text[..^s.Length], CultureInfo.InvariantCulture) * f;
        return double.Parse(text, CultureInfo.InvariantCulture);
    }
}
