using Talos.Cli;
using Talos.Cli.Farm;
using Xunit;

namespace Talos.Tests.Cli;

/// <summary>CliErrors.Guard's exit codes for a farm that cannot be reached or does not answer, and the user's own interrupt.</summary>
public sealed class CliErrorsTests
{
    [Fact]
    public async Task An_unreachable_or_silent_farm_is_a_failure_not_an_interrupt()
    {
        Assert.Equal(CliErrors.Failed, await CliErrors.Guard(() => throw new FarmUnreachableException("the farm at http://x/ did not answer in 600 s")));
        Assert.Equal(CliErrors.Failed, await CliErrors.Guard(() => throw new TaskCanceledException("HttpClient.Timeout", new TimeoutException())));
        Assert.Equal(CliErrors.Interrupted, await CliErrors.Guard(() => throw new OperationCanceledException()));

        using var client = new FarmClient("http://127.0.0.1:1", "token"); // nothing listens on port 1
        var e = await Assert.ThrowsAsync<FarmUnreachableException>(() => client.GetProductionAsync("p", default));
        Assert.Contains("http://127.0.0.1:1/", e.Message);
    }
}
