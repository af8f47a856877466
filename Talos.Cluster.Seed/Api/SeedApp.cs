using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Talos.Actors.Hosting;
using Talos.Actors.Pipeline;

namespace Talos.Cluster.Seed.Api;

/// <summary>A seed in-process: the Talos node and its HTTP API on one generic host (tests and tools start one this way).</summary>
public sealed class SeedApp : IAsyncDisposable
{
    SeedApp(TalosNode node, string url) { Node = node; Url = url; }

    public TalosNode Node { get; }
    /// <summary>The address Kestrel listens on (a port of 0 in the options is resolved here).</summary>
    public string Url { get; }
    public HephaestusGateway Gateway => Node.Services.GetRequiredService<HephaestusGateway>();

    public static async Task<SeedApp> StartAsync(TalosNodeOptions node, ApiOptions api, IReadOnlyDictionary<string, IStageRunner>? runners = null,
        CancellationToken ct = default)
    {
        var n = await TalosNode.StartAsync(node, runners, ct, h => h.AddTalosApi(api));
        return new SeedApp(n, ListenAddress(n.Services) ?? api.Url);
    }

    /// <summary>The first address Kestrel bound, or null before it started.</summary>
    public static string? ListenAddress(IServiceProvider services) =>
        services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();

    public ValueTask DisposeAsync() => Node.DisposeAsync();
}
