using System.Text;
using System.Text.RegularExpressions;
using Talos.Gpu.Processes;
using Talos.Tests.Support;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace Talos.Tests.K8s;

/// <summary>One rendered Kubernetes object: its kind, name, namespace and YAML tree.</summary>
public sealed record K8sObject(string Kind, string Name, string? Namespace, YamlMappingNode Root)
{
    public YamlNode? At(params string[] path) => Yaml.At(Root, path);
    public string? Text(params string[] path) => Yaml.Text(Root, path);
    public override string ToString() => $"{Kind}/{Name}";
}

/// <summary>A container of a workload's pod template, with the pod it belongs to.</summary>
public sealed record K8sContainer(K8sObject Workload, YamlMappingNode Pod, YamlMappingNode Node, bool Init)
{
    public string Name => Yaml.Text(Node, "name") ?? "?";
    public string Image => Yaml.Text(Node, "image") ?? "";
    public override string ToString() => $"{Workload}/{Name}";
    /// <summary>A Talos process (seed or node image), as opposed to e.g. the dev overlay's PostgreSQL.</summary>
    public bool IsTalos => Regex.IsMatch(Image, @"(^|/)talos-(seed|node|node-cuda)(:|$)");
}

/// <summary>Helpers over YamlDotNet's representation model: a path of mapping keys and sequence indexes.</summary>
public static class Yaml
{
    public static YamlNode? At(YamlNode? node, params string[] path)
    {
        foreach (var key in path)
        {
            node = node switch
            {
                YamlMappingNode m => m.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null,
                YamlSequenceNode s when int.TryParse(key, out var i) && i < s.Children.Count => s.Children[i],
                _ => null,
            };
            if (node is null) return null;
        }
        return node;
    }

    public static string? Text(YamlNode? node, params string[] path) => (At(node, path) as YamlScalarNode)?.Value;

    public static IEnumerable<YamlMappingNode> Items(YamlNode? node, params string[] path) =>
        At(node, path) is YamlSequenceNode s ? s.Children.OfType<YamlMappingNode>() : [];

    public static IEnumerable<string> Scalars(YamlNode? node, params string[] path) =>
        At(node, path) is YamlSequenceNode s ? s.Children.OfType<YamlScalarNode>().Select(n => n.Value ?? "") : [];

    public static IEnumerable<(string Key, string Value)> Pairs(YamlNode? node, params string[] path) =>
        At(node, path) is YamlMappingNode m
            ? m.Children.Select(kv => (((YamlScalarNode)kv.Key).Value ?? "", (kv.Value as YamlScalarNode)?.Value ?? ""))
            : [];
}

/// <summary>
/// A kustomize overlay under k8s/overlays rendered with <c>kubectl kustomize</c> and parsed: its objects, the pod
/// templates of its workloads, and each container's environment resolved the way the kubelet resolves it
/// (envFrom ConfigMaps and Secrets, env values, valueFrom references, <c>$(VAR)</c> expansion).
/// </summary>
public sealed class RenderedManifests
{
    public string Overlay { get; }
    public IReadOnlyList<K8sObject> Objects { get; }
    /// <summary>Secrets the operator creates outside the overlay (the farm's journal URL); variables from them are left out.</summary>
    public IReadOnlySet<string> ExternalSecrets { get; }

    RenderedManifests(string overlay, IReadOnlyList<K8sObject> objects, IReadOnlySet<string> external)
    { Overlay = overlay; Objects = objects; ExternalSecrets = external; }

    public static string OverlayDir(string overlay) => Path.Combine(Repo.Root, "k8s", "overlays", overlay);

    /// <summary>kubectl on PATH, or null.</summary>
    public static string? Kubectl() =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(d => Path.Combine(d, "kubectl")).FirstOrDefault(File.Exists);

    /// <summary>Renders the overlay; skips the calling test when kubectl is not installed.</summary>
    public static RenderedManifests Render(string overlay, IReadOnlySet<string>? externalSecrets = null)
    {
        var kubectl = Kubectl();
        if (kubectl is null) Assert.Skip("kubectl is not installed: the manifests cannot be rendered here");
        return Parse(overlay, ProcessRunner.Run(kubectl, ["kustomize", OverlayDir(overlay)]).Output, externalSecrets);
    }

    public static RenderedManifests Parse(string overlay, string yaml, IReadOnlySet<string>? externalSecrets = null)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var objects = stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>()
            .Select(m => new K8sObject(Yaml.Text(m, "kind") ?? "", Yaml.Text(m, "metadata", "name") ?? "", Yaml.Text(m, "metadata", "namespace"), m))
            .ToList();
        return new RenderedManifests(overlay, objects, externalSecrets ?? new HashSet<string>());
    }

    public IEnumerable<K8sObject> OfKind(string kind) => Objects.Where(o => o.Kind == kind);

    public K8sObject? Find(string kind, string name) => Objects.FirstOrDefault(o => o.Kind == kind && o.Name == name);

    static readonly string[] WorkloadKinds = ["Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet"];

    public IEnumerable<K8sObject> Workloads => Objects.Where(o => WorkloadKinds.Contains(o.Kind));

    public static YamlMappingNode PodSpec(K8sObject workload) =>
        (YamlMappingNode)(workload.At("spec", "template", "spec") ?? throw new InvalidOperationException($"{workload} has no pod template"));

    public IEnumerable<K8sContainer> Containers => Workloads.SelectMany(w =>
    {
        var pod = PodSpec(w);
        return Yaml.Items(pod, "initContainers").Select(c => new K8sContainer(w, pod, c, true))
            .Concat(Yaml.Items(pod, "containers").Select(c => new K8sContainer(w, pod, c, false)));
    });

    public int Replicas(K8sObject workload) => int.Parse(workload.Text("spec", "replicas") ?? "1");

    /// <summary>The names of every variable a container is given, in order, with where each comes from.</summary>
    public IEnumerable<(string Name, string Source)> DeclaredEnvironment(K8sContainer c)
    {
        foreach (var from in Yaml.Items(c.Node, "envFrom"))
        {
            if (Yaml.Text(from, "configMapRef", "name") is { } cm)
                foreach (var (k, _) in Data("ConfigMap", cm)) yield return (k, $"ConfigMap {cm}");
            if (Yaml.Text(from, "secretRef", "name") is { } secret)
                foreach (var (k, _) in Data("Secret", secret)) yield return (k, $"Secret {secret}");
        }
        foreach (var e in Yaml.Items(c.Node, "env")) yield return (Yaml.Text(e, "name")!, "env");
    }

    /// <summary>Keys and (decoded) values of a rendered ConfigMap or Secret; empty when it is not in the overlay.</summary>
    public IEnumerable<(string Key, string Value)> Data(string kind, string name)
    {
        var o = Find(kind, name);
        if (o is null) yield break;
        foreach (var kv in Yaml.Pairs(o.Root, "data"))
            yield return kind == "Secret" ? (kv.Key, Encoding.UTF8.GetString(Convert.FromBase64String(kv.Value))) : kv;
        foreach (var kv in Yaml.Pairs(o.Root, "stringData")) yield return kv;
    }

    /// <summary>
    /// The environment the kubelet would give this container in pod <paramref name="podName"/> with IP
    /// <paramref name="podIp"/>: envFrom first, then env in order, $(VAR) expanded against what precedes it.
    /// Fails the test on a reference to a ConfigMap or Secret the overlay does not hold.
    /// </summary>
    public Dictionary<string, string> Environment(K8sContainer c, string podName, string podIp)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var from in Yaml.Items(c.Node, "envFrom"))
        {
            var (kind, name) = Yaml.Text(from, "configMapRef", "name") is { } cm ? ("ConfigMap", cm) : ("Secret", Yaml.Text(from, "secretRef", "name")!);
            Assert.True(Find(kind, name) is not null, $"{c}: envFrom {kind} {name} is not in the {Overlay} overlay");
            foreach (var (k, v) in Data(kind, name)) env[k] = v;
        }
        foreach (var e in Yaml.Items(c.Node, "env"))
        {
            var name = Yaml.Text(e, "name")!;
            if (Yaml.Text(e, "value") is { } value) { env[name] = Expand(value, env); continue; }
            var from = Yaml.At(e, "valueFrom");
            if (Yaml.Text(from, "fieldRef", "fieldPath") is { } field)
                env[name] = field switch
                {
                    "metadata.name" => podName,
                    "status.podIP" => podIp,
                    "metadata.namespace" => c.Workload.Namespace ?? "default",
                    _ => throw new InvalidOperationException($"{c}: fieldRef {field} is not simulated"),
                };
            else if (Yaml.At(from, "secretKeyRef") is not null || Yaml.At(from, "configMapKeyRef") is not null)
            {
                var secret = Yaml.At(from, "secretKeyRef") is not null;
                var refNode = Yaml.At(from, secret ? "secretKeyRef" : "configMapKeyRef");
                var (kind, refName, key) = (secret ? "Secret" : "ConfigMap", Yaml.Text(refNode, "name")!, Yaml.Text(refNode, "key")!);
                if (secret && ExternalSecrets.Contains(refName) && Find(kind, refName) is null) continue;
                var data = Data(kind, refName).ToDictionary(kv => kv.Key, kv => kv.Value);
                Assert.True(data.TryGetValue(key, out var v), $"{c}: {name} reads {kind} {refName} key {key}, which the {Overlay} overlay does not hold");
                env[name] = v!;
            }
            else throw new InvalidOperationException($"{c}: env {name} has neither value nor a known valueFrom");
        }
        return env;
    }

    static string Expand(string value, IReadOnlyDictionary<string, string> env) =>
        Regex.Replace(value, @"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", m => env.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value);

    /// <summary>Names of variables referenced as $(NAME) inside other env values of the container.</summary>
    public static IReadOnlySet<string> ExpansionInputs(K8sContainer c) =>
        Yaml.Items(c.Node, "env").Select(e => Yaml.Text(e, "value") ?? "")
            .SelectMany(v => Regex.Matches(v, @"\$\(([A-Za-z_][A-Za-z0-9_]*)\)").Select(m => m.Groups[1].Value)).ToHashSet();

    /// <summary>A named container port's number (probes and hooks refer to ports by name or number).</summary>
    public static int Port(K8sContainer c, string nameOrNumber) =>
        int.TryParse(nameOrNumber, out var n) ? n
        : Yaml.Items(c.Node, "ports").Where(p => Yaml.Text(p, "name") == nameOrNumber).Select(p => int.Parse(Yaml.Text(p, "containerPort")!))
            .Cast<int?>().FirstOrDefault() ?? throw new InvalidOperationException($"{c} has no port named {nameOrNumber}");
}
