using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
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
public sealed class PipelineScriptTests : IAsyncLifetime
{
    readonly string _dir = Repo.TempDir("pipeline-script");
    Process? _seed;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        if (_seed is { HasExited: false }) _seed.Kill(true);
        _seed?.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
        return ValueTask.CompletedTask;
    }

    internal static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    [Fact]
    public async Task The_curl_pipeline_script_submits_follows_and_downloads_the_mp4()
    {
        var seedDll = Path.Combine(Repo.Root, "Talos.Cluster.Seed", "bin", "Release", "net10.0", "Talos.Cluster.Seed.dll");
        Assert.True(File.Exists(seedDll), "build the solution in Release first (./test.sh does)");
        var url = $"http://127.0.0.1:{FreePort()}";
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(seedDll);
        psi.Environment["TALOS_ROLES"] = "core,gpu";
        psi.Environment["TALOS_PORT"] = "0";
        psi.Environment["TALOS_WORK_DIR"] = Path.Combine(_dir, "seed");
        psi.Environment["TALOS_API_URL"] = url;
        psi.Environment["TALOS_API_TOKEN_PIPELINE"] = "pipeline-token-for-the-script";
        psi.Environment["TALOS_CHUNK_SLOTS"] = "1";
        psi.Environment["TALOS_LOGLEVEL"] = "WARNING";
        _seed = Process.Start(psi)!;
        var log = new System.Text.StringBuilder();
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _seed.OutputDataReceived += (_, e) => { if (e.Data is null) return; lock (log) log.AppendLine(e.Data); if (e.Data.Contains(" up at ")) up.TrySetResult(); };
        _seed.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        _seed.BeginOutputReadLine();
        _seed.BeginErrorReadLine();
        var first = await Task.WhenAny(up.Task, _seed.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
        Assert.True(first == up.Task, "the seed did not come up:\n" + log);

        var outFile = Path.Combine(_dir, "shot.mp4");
        var run = await ProcessRunner.RunAsync("bash", [Path.Combine(Repo.Root, "examples", "pipeline.sh"), outFile],
            env: new Dictionary<string, string?> { ["TALOS_URL"] = url, ["TALOS_TOKEN"] = "pipeline-token-for-the-script" },
            timeout: TimeSpan.FromMinutes(3), workDir: _dir, check: false);
        var said = run.Output + run.Error;
        Assert.True(run.ExitCode == 0, said + "\n--- seed\n" + log);

        Assert.Contains("progress: rendering", said);
        Assert.Contains("progress: completed 1", said);
        var mp4 = await File.ReadAllBytesAsync(outFile);
        Assert.Equal("ftyp", System.Text.Encoding.ASCII.GetString(mp4, 4, 4));
        var probe = await Talos.Gpu.Cuttura.MediaProbe.ProbeAsync(outFile);
        Assert.Equal(12, probe.FrameCount);
        Assert.Equal((192, 108), (probe.Width, probe.Height));
    }
}
