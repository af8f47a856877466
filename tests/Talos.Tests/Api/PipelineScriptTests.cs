using Talos.Gpu.Processes;
using Talos.Tests.Actors;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Api;

/// <summary>
/// examples/pipeline.sh (curl only) against a real seed process (Talos.Cluster.Seed, roles core+gpu): two keyframe
/// PNGs and a palette uploaded, the shot submitted, progress followed over SSE, the MP4 downloaded.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class PipelineScriptTests
{
    [Fact]
    public async Task The_curl_pipeline_script_submits_follows_and_downloads_the_mp4()
    {
        await using var seed = await SeedProcess.StartAsync("pipeline-script", new Dictionary<string, string> { ["TALOS_API_TOKEN_PIPELINE"] = "pipeline-token-for-the-script" });

        var outFile = Path.Combine(seed.Dir, "shot.mp4");
        var run = await ProcessRunner.RunAsync("bash", [Path.Combine(Repo.Root, "examples", "pipeline.sh"), outFile],
            env: new Dictionary<string, string?> { ["TALOS_URL"] = seed.Url, ["TALOS_TOKEN"] = "pipeline-token-for-the-script" },
            timeout: TimeSpan.FromMinutes(3), workDir: seed.Dir, check: false);
        var said = run.Output + run.Error;
        Assert.True(run.ExitCode == 0, said + "\n--- seed\n" + seed.Log);

        Assert.Contains("progress: rendering", said);
        Assert.Contains("progress: completed 1", said);
        var mp4 = await File.ReadAllBytesAsync(outFile);
        Assert.Equal("ftyp", System.Text.Encoding.ASCII.GetString(mp4, 4, 4));
        var probe = await Talos.Gpu.Cuttura.MediaProbe.ProbeAsync(outFile);
        Assert.Equal(12, probe.FrameCount);
        Assert.Equal((192, 108), (probe.Width, probe.Height));
    }
}
