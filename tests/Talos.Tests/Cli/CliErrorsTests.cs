using Talos.Cli;
using Talos.Cli.Farm;
using Xunit;

namespace Talos.Tests.Cli;

/// <summary>CliErrors.Guard's exit codes for a farm that cannot be reached, refuses or does not answer, and the user's own interrupt; where the farm is.</summary>
public sealed class CliErrorsTests
{
    [Fact]
    public async Task An_unreachable_or_silent_farm_is_a_failure_not_an_interrupt()
    {
        var err = new StringWriter();
        Assert.Equal(CliErrors.Failed, await CliErrors.Guard(() => throw new FarmException("the farm at http://x did not answer in 600 s"), err));
        Assert.Equal(CliErrors.BadInput, await CliErrors.Guard(() => throw new FarmException("409 Conflict: done", CliErrors.BadInput), err));
        Assert.Equal(CliErrors.Failed, await CliErrors.Guard(() => throw new TaskCanceledException("HttpClient.Timeout", new TimeoutException()), err));
        Assert.Equal(CliErrors.Interrupted, await CliErrors.Guard(() => throw new OperationCanceledException(), err));
        Assert.Equal(["error: the farm at http://x did not answer in 600 s", "error: 409 Conflict: done"], err.ToString().Split('\n').Take(2).Select(l => l.TrimEnd()));

        using var client = new FarmClient(new FarmTarget("http://127.0.0.1:1", "token")); // nothing listens on port 1
        var e = await Assert.ThrowsAsync<FarmException>(() => client.GetProductionAsync("p", default));
        Assert.Contains("cannot reach the farm at http://127.0.0.1:1", e.Message);
        Assert.Equal(CliErrors.Failed, e.ExitCode);
    }

    [Fact]
    public void The_farm_is_found_from_flags_then_farm_then_environment()
    {
        var dir = Directory.CreateTempSubdirectory("talos-farmtarget").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "farm.json"), """{"url": "http://127.0.0.1:9000/", "token": "file-token", "processes": []}""");
            var env = new Dictionary<string, string?> { ["TALOS_URL"] = "http://env:1", ["TALOS_TOKEN"] = "env-token" };
            string? Env(string name) => env.GetValueOrDefault(name);

            Assert.Equal(new FarmTarget("http://127.0.0.1:9000", "file-token"), FarmTarget.Resolve(null, null, dir, Env));
            Assert.Equal(new FarmTarget("http://127.0.0.1:9000", "file-token"), FarmTarget.Resolve(null, null, Path.Combine(dir, "farm.json"), Env));
            Assert.Equal(new FarmTarget("http://flag:2", "flag-token"), FarmTarget.Resolve("http://flag:2/", "flag-token", dir, Env));
            Assert.Equal(new FarmTarget("http://seed:3", "env-token"), FarmTarget.Resolve(null, null, "http://seed:3", Env)); // --farm URL
            Assert.Equal(new FarmTarget("http://env:1", "env-token"), FarmTarget.Resolve(null, null, null, Env));

            var missing = Assert.Throws<UsageException>(() => FarmTarget.Resolve(null, "t", Path.Combine(dir, "nowhere"), Env));
            Assert.Contains("farm.json", missing.Message);
            Assert.Contains("no token", Assert.Throws<UsageException>(() => FarmTarget.Resolve("http://a:1", null, null, _ => null)).Message);
            Assert.Contains("which farm", Assert.Throws<UsageException>(() => FarmTarget.Resolve(null, "t", null, _ => null)).Message);
            Assert.Contains("not an http", Assert.Throws<UsageException>(() => FarmTarget.Resolve("ftp://a", "t", null, _ => null)).Message);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
