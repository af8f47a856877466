using Talos.Actors.Hosting;
using Xunit;

namespace Talos.Tests.K8s;

/// <summary>Settings a node reads from its environment: defaults, values, and a bad value refused by name.</summary>
public sealed class NodeConfigurationTests
{
    [Fact]
    public void The_heartbeat_pause_comes_from_TALOS_HEARTBEAT_PAUSE_SECONDS_and_a_bad_one_is_refused_by_name()
    {
        TalosNodeOptions Read(string? value) => NodeConfiguration.FromEnvironment(["gpu"], k => k == "TALOS_HEARTBEAT_PAUSE_SECONDS" ? value : null);
        Assert.Equal(TimeSpan.FromSeconds(8), Read(null).HeartbeatPause);
        Assert.Equal(TimeSpan.FromSeconds(30), Read("30").HeartbeatPause);
        Assert.Equal(TimeSpan.FromSeconds(2.5), Read("2.5").HeartbeatPause);
        foreach (var bad in new[] { "0", "-3", "4000", "long" })
            Assert.Contains("TALOS_HEARTBEAT_PAUSE_SECONDS '" + bad + "'", Assert.Throws<ArgumentException>(() => Read(bad)).Message);
        Assert.Contains("TALOS_HEARTBEAT_PAUSE_SECONDS", NodeConfiguration.Variables);
    }
}
