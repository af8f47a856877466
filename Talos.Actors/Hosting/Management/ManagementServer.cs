using Akka.Actor;
using Akka.Cluster;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Talos.Actors.Hosting.Management;

/// <summary>
/// The management listener every seed and node process starts on <c>TALOS_MANAGEMENT_URL</c> (the container images
/// set http://0.0.0.0:9090; unset means no listener, so the embedded <c>talos render</c> needs no port). Separate from
/// the operator API (<c>TALOS_API_URL</c>) so probes and scrapes never share a port or a thread pool queue with it:
/// <list type="bullet">
/// <item><c>GET /healthz</c> — liveness: 200 while the actor system runs, 503 once it terminated.</item>
/// <item><c>GET /ready</c> — readiness: 200 while this member is Up in the cluster, 503 before joining and while leaving.</item>
/// <item><c>GET /metrics</c> — the <see cref="TalosMetrics"/> meter in Prometheus text format (OpenTelemetry exporter).</item>
/// <item><c>GET|POST /drain</c> — the Kubernetes preStop hook: runs CoordinatedShutdown (leave the cluster, hand shards and
/// singletons to the others, stop) and answers when it is done, so SIGTERM afterwards finds nothing left to do.</item>
/// </list>
/// </summary>
public sealed class ManagementServer : IAsyncDisposable
{
    readonly WebApplication _app;

    ManagementServer(WebApplication app, Uri address) { _app = app; Address = address; }

    /// <summary>Where the listener answers (the real port when the URL asked for port 0).</summary>
    public Uri Address { get; }

    /// <summary>Starts the listener on <paramref name="url"/> (http://host:port; port 0 picks a free one).</summary>
    public static async Task<ManagementServer> StartAsync(ActorSystem system, string url, TimeSpan shutdownTimeout, CancellationToken ct = default)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp || uri.AbsolutePath != "/" || uri.Query.Length > 0)
            throw new ArgumentException($"TALOS_MANAGEMENT_URL '{url}' is not an http://host:port URL");
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(uri.GetLeftPart(UriPartial.Authority));
        builder.Logging.ClearProviders();
        var self = Cluster.Get(system).SelfAddress;
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(TalosHosting.SystemName, serviceInstanceId: $"{self.Host}:{self.Port}"))
            .WithMetrics(m => m.AddMeter(TalosMetrics.MeterName).AddPrometheusExporter());
        var app = builder.Build();

        var cluster = Cluster.Get(system);
        app.MapGet("/healthz", () => system.WhenTerminated.IsCompleted
            ? Results.Text("actor system terminated\n", statusCode: StatusCodes.Status503ServiceUnavailable)
            : Results.Text("alive\n"));
        app.MapGet("/ready", () =>
        {
            var status = system.WhenTerminated.IsCompleted ? MemberStatus.Removed : cluster.SelfMember.Status;
            return status == MemberStatus.Up
                ? Results.Text("up\n")
                : Results.Text($"member is {status.ToString().ToLowerInvariant()}\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        // GET because a Kubernetes httpGet hook can only GET; POST for people and scripts.
        app.MapMethods("/drain", [HttpMethods.Get, HttpMethods.Post], async () =>
        {
            var shutdown = CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);
            var done = await Task.WhenAny(shutdown, Task.Delay(shutdownTimeout));
            return done == shutdown
                ? Results.Text("left the cluster\n")
                : Results.Text($"still leaving after {shutdownTimeout.TotalSeconds:0} s\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        app.MapPrometheusScrapingEndpoint("/metrics");

        try { await app.StartAsync(ct); }
        catch (IOException e)
        {
            await app.DisposeAsync();
            throw new ArgumentException($"TALOS_MANAGEMENT_URL '{url}': cannot listen there ({e.Message})", e);
        }
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        return new ManagementServer(app, new Uri(bound ?? uri.GetLeftPart(UriPartial.Authority)));
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try { await _app.StopAsync(cts.Token); }
        finally { await _app.DisposeAsync(); }
    }
}
