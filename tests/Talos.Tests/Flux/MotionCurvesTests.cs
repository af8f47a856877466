using System.Text.Json;
using Talos.Gpu.Prism;
using Talos.Cli;
using Talos.Gpu.Flux;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Flux;

public sealed class MotionCurvesTests
{
    [Fact]
    public void Curves_sample_every_frame_hit_the_keys_and_export_as_json()
    {
        var spec = InputLoader.Load(Path.Combine(Repo.Root, "examples", "storm-over-brick.json"), new RenderSettings())[0];
        var curves = MotionCurves.Sample(spec);
        Assert.Equal(spec.FrameCount, curves.Frames);
        var oda = curves.Characters.Single(c => c.Name == "ODA");
        Assert.Equal(spec.FrameCount, oda.X.Count);
        foreach (var key in spec.Characters.Single(c => c.Name == "ODA").Keyframes)
            Assert.Equal(key.X, oda.X[key.Frame], 6);
        // ODA runs from x 0.3 (frame 30) to 0.12 (frame 95), linear: constant spacing between the keys
        double step = oda.X[60] - oda.X[59];
        Assert.True(step < 0);
        Assert.Equal(step, oda.X[90] - oda.X[89], 6);
        Assert.Equal(1.0, curves.CameraZoom[0], 6);
        Assert.Equal(1.5, curves.CameraZoom[^1], 6);
        Assert.Contains("upperArmL", oda.Pose.Keys);

        var json = MotionCurves.ToJson([curves]);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(spec.FrameCount, doc.RootElement[0].GetProperty("characters")[0].GetProperty("x").GetArrayLength());
    }

    [Fact]
    public async Task Talos_curves_writes_the_file_and_refuses_bad_input()
    {
        var dir = Repo.TempDir("curves");
        try
        {
            var root = new System.CommandLine.RootCommand { Talos.Cli.Flux.FluxCommands.Curves() };
            var outPath = Path.Combine(dir, "c.json");
            Assert.Equal(0, await root.Parse(["curves", Path.Combine(Repo.Root, "examples", "lighthouse.fountain"), "--out", outPath]).InvokeAsync());
            using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(outPath));
            Assert.True(doc.RootElement.GetArrayLength() > 1);
            var empty = Path.Combine(dir, "empty.fountain");
            await File.WriteAllTextAsync(empty, "");
            Assert.Equal(CliErrors.BadInput, await root.Parse(["curves", empty, "--out", outPath]).InvokeAsync());
        }
        finally { Directory.Delete(dir, true); }
    }
}
