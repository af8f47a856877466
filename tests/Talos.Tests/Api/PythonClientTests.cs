using System.Text.Json;
using Talos.Gpu.Processes;
using Talos.Tests.Actors;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Api;

/// <summary>
/// clients/python/talos_client.py against a real seed process: clients/python/test_talos_client.py (unittest) uploads
/// the two keyframe PNGs and the palette of examples/pipeline/, submits the shot, follows it over SSE, downloads the
/// MP4, follows a production to its edited film, checks the typed errors and the operator verbs. Needs python3
/// (./test.sh installs it).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class PythonClientTests
{
    const string Pipeline = "pipeline-token-for-python", Operator = "operator-token-for-python";

    static Task<SeedProcess> StartSeed() => SeedProcess.StartAsync("python-client", new Dictionary<string, string>
    {
        ["TALOS_API_TOKEN_PIPELINE"] = Pipeline,
        ["TALOS_API_TOKEN_OPERATOR"] = Operator,
    });

    /// <summary>Runs the named unittest class of the test script against <paramref name="seed"/>; its output.</summary>
    static async Task<string> RunScript(SeedProcess seed, params string[] tests)
    {
        Assert.True(ProcessRunner.Which("python3") is not null, "python3 is not installed (./test.sh installs it)");
        var run = await ProcessRunner.RunAsync("python3", [Path.Combine(Repo.Root, "clients", "python", "test_talos_client.py"), "-v", .. tests],
            env: new Dictionary<string, string?> { ["TALOS_URL"] = seed.Url, ["TALOS_TOKEN"] = Pipeline, ["TALOS_OPERATOR_TOKEN"] = Operator },
            timeout: TimeSpan.FromMinutes(4), workDir: seed.Dir, check: false);
        var said = run.Output + run.Error;
        Assert.True(run.ExitCode == 0, said + "\n--- seed\n" + seed.Log);
        Assert.DoesNotContain("skipped", said); // every test ran: none skipped for want of a URL or token
        return said;
    }

    [Fact]
    public async Task The_python_client_renders_the_pipeline_example_reads_the_typed_errors_and_exports_the_timeline()
    {
        // One seed and one script run: TimelineTests reuses the shot and production PipelineTests rendered.
        await using var seed = await StartSeed();
        var said = await RunScript(seed, "PipelineTests", "TimelineTests");
        Assert.Matches(@"test_the_video_is_an_mp4_of_the_shot \(.*\) \.\.\. ok", said);
        Assert.Matches(@"test_operator_verbs \(.*\) \.\.\. ok", said);
        Assert.Matches(@"Ran 1\d tests", said);
        Assert.Matches(@"test_export_timeline_writes_otio_and_edl \(.*\) \.\.\. ok", said);
    }
}
