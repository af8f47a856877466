using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Talos.Actors.Hosting;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Actors;

/// <summary>
/// A solo member (<c>talos render</c>'s embedded cluster) runs its leader, singleton look-up and hand-over on 100 ms ticks;
/// every other member keeps Akka's 1 s ones (issue 19: the embedded render waited out whole ticks joining and leaving).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SoloClusterTests : IDisposable
{
    readonly string _dir = Repo.TempDir("solo");
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Only_a_solo_member_runs_its_cluster_ticks_every_100_ms(bool solo)
    {
        var options = new TalosNodeOptions { WorkDir = _dir, Solo = solo };
        var host = new HostBuilder()
            .ConfigureServices(s => s.AddAkka("solo-wiring", b => b.WithTalosClustering(options)))
            .Build();
        await host.StartAsync();
        try
        {
            var config = host.Services.GetRequiredService<ActorSystem>().Settings.Config;
            var tick = TimeSpan.FromMilliseconds(100);
            foreach (var key in new[] { "akka.cluster.leader-actions-interval", "akka.cluster.periodic-tasks-initial-delay",
                         "akka.cluster.singleton.hand-over-retry-interval", "akka.cluster.singleton-proxy.singleton-identification-interval" })
                if (solo) Assert.Equal(tick, config.GetTimeSpan(key));
                else Assert.NotEqual(tick, config.GetTimeSpan(key));
            if (!solo) Assert.Equal(TimeSpan.FromSeconds(1), config.GetTimeSpan("akka.cluster.leader-actions-interval")); // Akka's default
            if (solo) Assert.Equal(TimeSpan.FromMilliseconds(200), config.GetTimeSpan("akka.cluster.sharding.retry-interval"));
        }
        finally { await host.StopAsync(); host.Dispose(); }
    }

    [Fact]
    public void A_solo_member_with_seeds_is_refused()
    {
        var options = new TalosNodeOptions { WorkDir = _dir, Solo = true, Seeds = ["akka.tcp://talos@127.0.0.1:4053"] };
        var e = Assert.Throws<ArgumentException>(() => new AkkaConfigurationBuilder(new ServiceCollection(), "solo-seeds").WithTalosClustering(options));
        Assert.Contains("no seeds", e.Message);
    }
}
