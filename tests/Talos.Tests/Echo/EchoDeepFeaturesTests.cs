using Talos.Actors.Pipeline.Stages;
using Talos.Gpu.Echo;
using Talos.Gpu.Protoforge;
using Talos.Tests.Protoforge;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Echo;

/// <summary>
/// ECHO's deep features on the rendered shot of <see cref="EchoSupervisorTests"/> (AXIS line art, CHROMA fill, 320x180,
/// 32 frames): ResNet-18's perceptual distance confirming a popped frame; and ECHO without the model (its classic
/// measures and one warning). The line stability is checked on the real render (<see cref="EchoRealRenderTests"/>).
/// </summary>
public sealed class EchoDeepFeaturesTests(ResNetFixture fx, ITestOutputHelper output) : IClassFixture<ResNetFixture>
{
    const int W = 320, H = 180;
    const int PopFrame = 16;

    static byte[][] Clean => EchoSupervisorTests.Clean.Value;

    /// <summary>The clean clip with frame <see cref="PopFrame"/> replaced by another frame of the shot's drawing (the
    /// character eight frames later, 26 px on).</summary>
    static byte[][] Popped()
    {
        var frames = Clean.Select(f => (byte[])f.Clone()).ToArray();
        frames[PopFrame] = EchoSupervisorTests.Render(PopFrame + 8);
        return frames;
    }

    void Log(EchoVerdict v)
    {
        foreach (var m in v.Temporal.Where(m => m.Deep is not null || m.LineStability is not null))
            output.WriteLine($"{m.Frame,3}: deep {m.Deep:0.0000} neighbours {m.DeepNeighbours:0.0000} lines {m.LineStability:0.000} screened {m.Screened}");
        output.WriteLine($"typical deep {v.Report.TypicalDeepDistance:0.0000}; line stability median {v.Report.MedianLineStability:0.000} lowest {v.Report.MinLineStability:0.000}");
        foreach (var d in v.Report.Defects ?? []) output.WriteLine($"defect {d.Frame} {d.Kind}: {d.Detail}");
        foreach (var d in v.Report.Suspects ?? []) output.WriteLine($"suspect {d.Frame} {d.Kind}: {d.Detail}");
    }

    [Fact]
    public void A_frame_replaced_by_another_is_a_pop_resnet_confirms_and_the_clean_frames_are_not()
    {
        var t = new EchoThresholds();
        var frames = Popped();
        var popped = EchoSupervisor.Judge(i => frames[i], Clean.Length, W, H, t, deep: fx.Model);
        Log(popped);
        var pop = Assert.Single(popped.Report.Defects!, d => d.Kind == FrameRepair.PopKind);
        Assert.Equal(PopFrame, pop.Frame);
        Assert.Contains("deep distance", pop.Detail);
        Assert.NotNull(popped.Temporal[PopFrame].DeepNeighbours);
        Assert.NotNull(popped.Report.TypicalDeepDistance);

        // every clean frame of the clip, measured against its neighbours by ResNet-18 directly: none is a pop by the rule
        var features = Clean.Select(f => fx.Model.Extract(f, W, H)).ToList();
        float D(int a, int b) => (float)DeepFeatures.Distance(features[a], features[b]);
        var typical = Enumerable.Range(0, Clean.Length - 1).Select(i => D(i, i + 1)).Order().ElementAt((Clean.Length - 1) / 2);
        for (int i = 1; i + 1 < Clean.Length; i++)
            Assert.False(TemporalChecks.DeepPop(D(i - 1, i), D(i, i + 1), D(i - 1, i + 1), typical, t), $"clean frame {i}");
        var clean = EchoSupervisor.Judge(i => Clean[i], Clean.Length, W, H, t, deep: fx.Model);
        Assert.DoesNotContain(clean.Report.Defects!, d => d.Kind == FrameRepair.PopKind);
        Assert.True(clean.Report.Passed, string.Join("; ", clean.Report.Findings));
    }

    [Fact]
    public void Without_resnet_echo_keeps_its_classic_measures_and_says_so_once()
    {
        var frames = Popped();
        var verdict = EchoSupervisor.Judge(i => frames[i], Clean.Length, W, H, new EchoThresholds(), deep: null);
        Log(verdict);
        var pop = Assert.Single(verdict.Report.Defects!, d => d.Kind == FrameRepair.PopKind);
        Assert.Equal(PopFrame, pop.Frame);
        Assert.Contains("pre-screen", pop.Detail);
        Assert.All(verdict.Temporal, m => Assert.Null(m.Deep));
        Assert.Null(verdict.Report.TypicalDeepDistance);

        // an empty model cache: no model for two shots, and one warning naming the fetch command
        var warnings = new List<string>();
        var dir = Repo.TempDir("no-resnet");
        try { Assert.All(new[] { 1, 2 }, _ => Assert.Null(DeepFeatures.Shared(warnings.Add, dir))); }
        finally { Directory.Delete(dir, true); }
        Assert.Contains($"talos models fetch {ModelRegistry.ResNet18.Name}", Assert.Single(warnings));
        Assert.Contains($"talos models fetch {ModelRegistry.ResNet18.Name}", EchoStage.DeepFeaturesNote(null));
    }

    /// <summary>
    /// The shared model is checked by streaming the file through its hash (<see cref="NpmFetcher.Check"/>): a corrupt file
    /// (bytes past one read buffer, the hash wrong) is the same warning as loading it, and no model.
    /// </summary>
    [Fact]
    public void The_shared_model_is_checked_streamed_and_a_corrupt_one_is_no_model()
    {
        var dir = Repo.TempDir("corrupt-resnet");
        try
        {
            var path = Path.Combine(dir, ModelRegistry.ResNet18.CacheFileName);
            File.WriteAllBytes(path, Enumerable.Range(0, (1 << 20) + 12345).Select(i => (byte)(i * 7)).ToArray());
            var warnings = new List<string>();
            Assert.Null(DeepFeatures.Shared(warnings.Add, dir));
            Assert.Contains("is corrupt", Assert.Single(warnings));
            var byLoad = Assert.Throws<ProtoforgeException>(() => NpmFetcher.Load(ModelRegistry.ResNet18, "the ResNet-18 model", dir, keep: false));
            var byCheck = Assert.Throws<ProtoforgeException>(() => NpmFetcher.Check(ModelRegistry.ResNet18, "the ResNet-18 model", dir));
            Assert.Equal(byLoad.Message, byCheck.Message); // the same SHA-256 of the same bytes
            File.Delete(path);
            Assert.Contains("is not fetched", Assert.Throws<ProtoforgeException>(() => NpmFetcher.Check(ModelRegistry.ResNet18, "the ResNet-18 model", dir)).Message);
        }
        finally { Directory.Delete(dir, true); }
    }
}
