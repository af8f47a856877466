using System.Net;
using Talos.Actors.Hosting;
using Talos.Actors.Hosting.Management;
using Talos.Tests.Actors;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.K8s;

/// <summary>The management listener's probes follow the actor system and the cluster; its URL is checked up front.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ManagementServerTests
{
    [Theory]
    [InlineData("ftp://0.0.0.0:9090")]
    [InlineData("http://0.0.0.0:9090/metrics")]
    [InlineData("not a url")]
    public void A_bad_management_URL_is_refused_naming_the_variable(string url)
    {
        var e = Assert.Throws<ArgumentException>(() => NodeConfiguration.FromEnvironment(["gpu"], k => k == "TALOS_MANAGEMENT_URL" ? url : null));
        Assert.Contains("TALOS_MANAGEMENT_URL", e.Message);
    }

    [Fact]
    public void Without_TALOS_MANAGEMENT_URL_there_is_no_listener()
    {
        Assert.Null(NodeConfiguration.FromEnvironment(["gpu"], _ => null).ManagementUrl);
        Assert.Equal("http://0.0.0.0:9090", NodeConfiguration.FromEnvironment(["gpu"], k => k == "TALOS_MANAGEMENT_URL" ? "http://0.0.0.0:9090/" : null).ManagementUrl);
    }

    [Fact]
    public async Task Probes_answer_while_the_member_is_up_and_fail_once_the_actor_system_is_gone()
    {
        var dir = Repo.TempDir("management");
        try
        {
            var node = await TalosNode.StartAsync(new TalosNodeOptions { WorkDir = dir, SerializeMessages = true });
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
            await using (var server = await ManagementServer.StartAsync(node.System, "http://127.0.0.1:0", TimeSpan.FromSeconds(5)))
            {
                Assert.NotEqual(0, server.Address.Port);
                Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(server.Address, "/healthz"))).StatusCode);
                // the member is Up (StartAsync waited for it), but the cluster's read view that /ready asks learns it
                // from its own event subscription a moment later; a probe asks again, so this does too, for a while
                var ready = HttpStatusCode.ServiceUnavailable;
                for (int i = 0; i < 50 && ready != HttpStatusCode.OK; i++)
                {
                    if (i > 0) await Task.Delay(200, TestContext.Current.CancellationToken);
                    ready = (await http.GetAsync(new Uri(server.Address, "/ready"))).StatusCode;
                }
                Assert.Equal(HttpStatusCode.OK, ready);
                var metrics = await http.GetStringAsync(new Uri(server.Address, "/metrics"));
                Assert.Contains("talos_chunk_slots{", metrics);

                await node.KillAsync();
                Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync(new Uri(server.Address, "/healthz"))).StatusCode);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync(new Uri(server.Address, "/ready"))).StatusCode);
            }
        }
        finally { try { Directory.Delete(dir, true); } catch (IOException) { } }
    }

    [Fact]
    public async Task A_port_already_taken_is_refused_naming_the_variable()
    {
        var dir = Repo.TempDir("management");
        try
        {
            await using var node = await TalosNode.StartAsync(new TalosNodeOptions { WorkDir = dir });
            await using var first = await ManagementServer.StartAsync(node.System, "http://127.0.0.1:0", TimeSpan.FromSeconds(5));
            var e = await Assert.ThrowsAsync<ArgumentException>(() =>
                ManagementServer.StartAsync(node.System, $"http://127.0.0.1:{first.Address.Port}", TimeSpan.FromSeconds(5)));
            Assert.Contains("TALOS_MANAGEMENT_URL", e.Message);
        }
        finally { try { Directory.Delete(dir, true); } catch (IOException) { } }
    }
}
