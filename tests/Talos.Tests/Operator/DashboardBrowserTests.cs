using System.Text.Json;
using Talos.Gpu.Prism;
using Talos.Gpu.Processes;
using Talos.Tests.Actors;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Operator;

/// <summary>
/// The dashboard in a real browser: Debian's headless Chromium driven by playwright-core (tests/browser/dashboard.mjs)
/// logs in, submits a shot through the API, waits for its progress bar to reach 100% and checks the video plays.
/// Screenshots go to the test's temp dir; with TALOS_UPDATE_SCREENSHOTS=1 they are copied to docs/screenshots/ for the README.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class DashboardBrowserTests
{
    static string BrowserDir => Path.Combine(Repo.Root, "tests", "browser");

    [Fact]
    public async Task Dashboard_shows_a_submitted_shot_reach_100_percent_and_plays_its_video()
    {
        var chromium = Environment.GetEnvironmentVariable("TALOS_CHROMIUM") ?? "/usr/bin/chromium";
        if (!File.Exists(chromium)) Assert.Skip("Chromium is missing: apt-get install chromium chromium-driver (./test.sh does as root)");
        if (!Directory.Exists(Path.Combine(BrowserDir, "node_modules", "playwright-core")))
            Assert.Skip("playwright-core is missing: (cd tests/browser && npm ci) (./test.sh does)");

        await using var farm = await OperatorFarm.StartAsync("ops-browser");
        var spec = Path.Combine(farm.Dir, "shot.json");
        await File.WriteAllTextAsync(spec, ShotSpecJson.Serialize(ShotLifecycleTests.SmallShot() with { Id = "browser-1", Production = "dash", Title = "INT. DASHBOARD - DAY" }));
        var shots = Path.Combine(farm.Dir, "screenshots");

        var run = await ProcessRunner.RunAsync("node", ["dashboard.mjs", farm.Seed.Url, OperatorFarm.OperatorToken, spec, shots],
            env: new Dictionary<string, string?> { ["TALOS_CHROMIUM"] = chromium }, timeout: TimeSpan.FromMinutes(6), workDir: BrowserDir, check: false);
        var output = run.Output;
        Assert.True(run.ExitCode == 0, $"browser test failed ({run.ExitCode}):\n{output}\n{run.Error}");

        var result = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;
        Assert.Equal("dash--browser-1", result.GetProperty("key").GetString());
        var video = result.GetProperty("video");
        Assert.True(video.GetProperty("readyState").GetInt32() >= 2);
        Assert.True(video.GetProperty("currentTime").GetDouble() > 0.25);
        Assert.Equal(96, video.GetProperty("width").GetInt32());
        Assert.True(result.GetProperty("bars").GetInt32() >= 2); // the shot's overall bar and its stage bars
        // ECHO's panel: the per-shot measures (warping error, flips, pops, screened frames, line stability), the per-frame
        // strips (warping error, ResNet-18's distance or the note that it is off) and the repairs
        var echo = result.GetProperty("echo").GetString()!;
        foreach (var label in new[] { "median warp error", "colour flips", "popped frames", "screened frames", "line stability", "boiling-line frames",
                     "warp error / frame", "deep distance", "repaired frames" })
            Assert.Contains(label, echo);

        var docs = Path.Combine(Repo.Root, "docs", "screenshots");
        Directory.CreateDirectory(docs);
        foreach (var name in new[] { "dashboard-rendering.png", "dashboard-completed.png" })
        {
            var file = Path.Combine(shots, name);
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.True(bytes.Length > 10_000 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G', $"{name} is not a screenshot");
            // The checked-in copies change only when asked, so a test run leaves the working tree as it was.
            if (Environment.GetEnvironmentVariable("TALOS_UPDATE_SCREENSHOTS") == "1") File.Copy(file, Path.Combine(docs, name), overwrite: true);
        }
    }
}
