using Akka.Actor;
using Akka.Cluster;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Talos.Actors.Pipeline;
using Talos.Vault;

namespace Talos.Actors.Hosting;

/// <summary>
/// A Talos process's cluster member as a handle: the generic host with Akka inside, the vault and the
/// environment. The CLI's embedded cluster, the seed and node executables and the tests all start one this way.
/// </summary>
public sealed class TalosNode : IAsyncDisposable
{
    readonly IHost _host;
    readonly BlobVault _vault;
    readonly IDisposable _metrics;

    TalosNode(IHost host, BlobVault vault, TalosEnvironment env, TalosNodeOptions options)
    {
        _host = host; _vault = vault; Environment = env; Options = options;
        _metrics = TalosMetrics.Track(env);
        System = host.Services.GetRequiredService<ActorSystem>();
        Registry = host.Services.GetRequiredService<ActorRegistry>();
    }

    public ActorSystem System { get; }
    public ActorRegistry Registry { get; }
    public TalosEnvironment Environment { get; }
    public TalosNodeOptions Options { get; }
    public IBlobVault Vault => _vault;
    public IActorRef Hephaestus => Registry.Get<HephaestusKey>();

    /// <summary>The host's services (the vault, the environment, the actor system and registry are registered).</summary>
    public IServiceProvider Services => _host.Services;

    /// <param name="configureHost">Adds more to the same generic host after Akka (the seed's HTTP API does).</param>
    public static async Task<TalosNode> StartAsync(TalosNodeOptions options, IReadOnlyDictionary<string, IStageRunner>? runners = null,
        CancellationToken ct = default, Action<IHostBuilder>? configureHost = null)
    {
        Directory.CreateDirectory(options.WorkDir);
        var vault = BlobVault.Open(options.VaultPath);
        var env = new TalosEnvironment(vault, options.Render, runners ?? StageRunners.Create());
        var builder = new HostBuilder()
            .ConfigureServices(s =>
            {
                s.AddSingleton<IBlobVault>(vault);
                s.AddSingleton(env);
                s.AddSingleton(options);
                s.AddAkka(TalosHosting.SystemName, (b, _) => b.AddTalos(options, env));
            });
        configureHost?.Invoke(builder);
        var host = builder.Build();
        await host.StartAsync(ct);
        var node = new TalosNode(host, vault, env, options);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cluster = Cluster.Get(node.System);
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        await up.Task.WaitAsync(TimeSpan.FromSeconds(60), ct);
        // The member-up callback and Cluster.State (the read view that `talos cluster show` and the operator routes read)
        // are fed by two different event subscribers: the callback can run before the view lists this node. A node is
        // started only when its own view agrees, so the first `cluster show` lists it (CI saw an empty member list).
        while (!cluster.State.Members.Any(m => m.Address == cluster.SelfAddress && m.Status == MemberStatus.Up))
        {
            if (DateTime.UtcNow > until) throw new TimeoutException("the cluster's view did not list this node as up within 60 s of start");
            await Task.Delay(10, ct);
        }
        return node;
    }

    /// <summary>
    /// Asks Hephaestus through its singleton proxy, which holds the message until the singleton runs. The default wait is
    /// <see cref="HephaestusAskTimeout"/>: on a loaded machine the singleton's start and journal recovery after the member is
    /// Up took over 30 s (embedded renders at load 80–117 died with an AskTimeoutException on their first submit).
    /// </summary>
    public Task<T> AskHephaestus<T>(object message, TimeSpan? timeout = null) =>
        Hephaestus.Ask<T>(message, timeout ?? HephaestusAskTimeout);

    /// <summary>How long <see cref="AskHephaestus{T}"/> waits for an answer by default.</summary>
    public static readonly TimeSpan HephaestusAskTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Stops the actor system abruptly, as a crash would (no hand-off): what is journalled stays, nothing else.</summary>
    public async Task KillAsync()
    {
        await System.Terminate();
        _metrics.Dispose();
        _host.Dispose();
        _vault.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        try { await _host.StopAsync(NodeConfiguration.ShutdownTimeout); }
        finally { _metrics.Dispose(); _host.Dispose(); _vault.Dispose(); }
    }
}
