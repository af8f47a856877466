using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Talos.Actors.Hosting;

namespace Talos.Tests.Support;

/// <summary>A local actor system with Talos's serializers (<see cref="TalosHosting.WithTalosSerialization"/>), no cluster, on a generic host.</summary>
public sealed class TestSystem : IAsyncDisposable
{
    readonly IHost _host;
    TestSystem(IHost host) { _host = host; System = host.Services.GetRequiredService<ActorSystem>(); }

    public ActorSystem System { get; }

    /// <param name="configure">More of Talos's parts (e.g. <see cref="TalosHosting.WithTalosPersistence"/>).</param>
    public static async Task<TestSystem> StartAsync(string name, bool serializeMessages, Action<AkkaConfigurationBuilder>? configure = null)
    {
        var host = new HostBuilder()
            .ConfigureServices(s => s.AddAkka(name, b =>
            {
                b.WithTalosSerialization(serializeMessages).AddHocon("akka.loglevel = WARNING", HoconAddMode.Prepend);
                configure?.Invoke(b);
            }))
            .Build();
        await host.StartAsync();
        return new TestSystem(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
