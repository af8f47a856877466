using System.Diagnostics;
using Talos.Gpu.Echo;
using Talos.Gpu.Imaging;
using Talos.Messages.Specs;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Echo;

public sealed class EchoTests(ITestOutputHelper output)
{
    const int W = 256, H = 144;

    /// <summary>A textured scene (blobs and stripes) shifted by (sx, sy) pixels, its linear light scaled by gain.</summary>
    static byte[] Scene(float sx, float sy, float gain, int w = W, int h = H)
    {
        var rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                float u = x - sx, v = y - sy;
                float l = 0.18f + 0.1f * MathF.Sin(u * 0.23f + 2f * MathF.Sin(v * 0.07f)) + 0.07f * MathF.Sin(v * 0.31f - u * 0.05f)
                        + 0.05f * MathF.Cos((u + v) * 0.11f);
                l = Math.Clamp(l * gain, 0f, 1f);
                byte b = (byte)MathF.Round(ColorMath.LinearToSrgb(l) * 255f);
                int o = (y * w + x) * 3;
                rgb[o] = b; rgb[o + 1] = (byte)(b * 0.9f); rgb[o + 2] = (byte)(b * 0.8f);
            }
        return rgb;
    }

    static List<FrameMetrics> MeasureAll(IReadOnlyList<byte[]> frames, int w = W, int h = H)
    {
        var list = new List<FrameMetrics>();
        byte[] previous = [];
        for (int i = 0; i < frames.Count; i++) { list.Add(QualityMeter.Measure(i, frames[i], previous, w, h)); previous = frames[i]; }
        return list;
    }

    [Fact]
    public void Black_frames_are_found_and_listed_as_ranges()
    {
        var frames = Enumerable.Range(0, 20).Select(i => Scene(i * 2, 0, i is >= 12 and <= 14 or 17 ? 0.02f : 1f)).ToList();
        var metrics = MeasureAll(frames);
        Assert.True(metrics[12].Black && !metrics[11].Black);
        var report = QualityMeter.Evaluate(metrics, new EchoThresholds());
        Assert.False(report.Passed);
        Assert.Equal(4, report.BlackFrames);
        Assert.Contains("4 black frames (12–14, 17)", report.Findings);
        Assert.Equal([12, 13, 14, 17], report.FailingFrames.Where(f => f is >= 12 and <= 17 && metrics[f].Black));
    }

    [Fact]
    public void A_small_thing_moving_over_a_still_background_is_not_frozen()
    {
        // A wisp of smoke: a dark 12×12 blob (0.4% of the frame) drifting up one pixel a frame over a still scene.
        var background = Scene(0, 0, 1f);
        var frames = Enumerable.Range(0, 40).Select(i =>
        {
            var f = (byte[])background.Clone();
            for (int y = 100 - i; y < 112 - i; y++)
                for (int x = 120; x < 132; x++) { int o = (y * W + x) * 3; f[o] = f[o + 1] = f[o + 2] = 60; }
            return f;
        }).ToList();
        var metrics = MeasureAll(frames);
        Assert.True(metrics[5].DiffFromPrevious < new EchoThresholds().FrozenDiff, "the mean difference alone would call it frozen");
        var report = QualityMeter.Evaluate(metrics, new EchoThresholds());
        Assert.True(report.Passed, string.Join("; ", report.Findings));
        Assert.Equal(1, report.LongestFrozenRun);
    }

    [Fact]
    public void A_frozen_run_is_found()
    {
        // moves, holds still for 30 frames from frame 10, moves again
        var frames = Enumerable.Range(0, 50).Select(i => Scene(Math.Clamp(i, 10, 39) == i ? 20 : i * 2, 0, 1f)).ToList();
        for (int i = 10; i < 40; i++) frames[i] = Scene(20, 0, 1f);
        var report = QualityMeter.Evaluate(MeasureAll(frames), new EchoThresholds());
        Assert.False(report.Passed);
        Assert.Equal(30, report.LongestFrozenRun);
        Assert.Contains("frozen for 30 frames from frame 10 (cause unknown)", report.Findings);
        Assert.Equal(Enumerable.Range(11, 29), report.FailingFrames);

        // its cause from the spec: MARA holds her key over frames 10–39 (a held key), or walks there (duplicated frames)
        var held = Samples.Shot(seconds: 50 / 12.0) with
        {
            Characters = [new CharacterSpec { Name = "MARA", Keyframes = [new PoseKey { Frame = 0, X = 0.2 }, new PoseKey { Frame = 10, X = 0.4 },
                new PoseKey { Frame = 40, X = 0.4 }, new PoseKey { Frame = 49, X = 0.6 }] }],
        };
        var moving = held with { Characters = [held.Characters[0] with { Keyframes = [new PoseKey { Frame = 0, X = 0.2 }, new PoseKey { Frame = 49, X = 0.6 }] }] };
        Assert.True(Enumerable.Range(10, 30).All(f => SpecHolds.Held(held, f)));
        Assert.False(SpecHolds.Held(held, 5));
        Assert.Contains("frozen for 30 frames from frame 10 (cause: a held key (FLUX holds the spec's key))",
            QualityMeter.Evaluate(MeasureAll(frames), [], new EchoThresholds(), f => SpecHolds.Held(held, f)).Findings);
        Assert.Contains("frozen for 30 frames from frame 10 (cause: duplicated frames where the spec moves (a stalled or repeating stage))",
            QualityMeter.Evaluate(MeasureAll(frames), [], new EchoThresholds(), f => SpecHolds.Held(moving, f)).Findings);

        // a still shot is not "frozen"
        var still = Enumerable.Range(0, 30).Select(_ => Scene(0, 0, 1f)).ToList();
        Assert.True(QualityMeter.Evaluate(MeasureAll(still), new EchoThresholds()).Passed);
    }

    [Fact]
    public void Brightness_pumping_under_motion_is_flicker_but_smooth_motion_is_not()
    {
        var smooth = Enumerable.Range(0, 16).Select(i => Scene(i * 3, i * 1.5f, 1f)).ToList();
        var pumping = Enumerable.Range(0, 16).Select(i => Scene(i * 3, i * 1.5f, i % 2 == 0 ? 1f : 1.15f)).ToList();
        var t = new EchoThresholds();

        var sm = MeasureAll(smooth);
        Assert.All(sm.Skip(1), m => Assert.True(m.Flicker < 0.01f, $"frame {m.Frame}: flicker {m.Flicker} with steady light"));
        Assert.All(sm.Skip(1), m => Assert.InRange(m.Motion, 2f, 5f));
        var smoothReport = QualityMeter.Evaluate(sm, t);
        Assert.True(smoothReport.Passed, string.Join("; ", smoothReport.Findings));

        var pm = MeasureAll(pumping);
        Assert.All(pm.Skip(1), m => Assert.InRange(m.Flicker, 0.08f, 0.2f));
        var report = QualityMeter.Evaluate(pm, t);
        Assert.False(report.Passed);
        Assert.Equal(Enumerable.Range(1, 14), report.FailingFrames);
        Assert.Contains(report.Findings, f => f.StartsWith("flicker 0.1") && f.EndsWith("exceeds 0.05"));
    }

    [Fact]
    public void A_single_flash_fails_only_that_frame_while_fades_and_cuts_pass()
    {
        var t = new EchoThresholds();
        var flash = Enumerable.Range(0, 14).Select(i => Scene(i * 2, 0, i == 7 ? 1.3f : 1f)).ToList();
        var report = QualityMeter.Evaluate(MeasureAll(flash), t);
        Assert.Equal([7], report.FailingFrames);
        Assert.Single(report.Findings);

        var fadeAndCut = Enumerable.Range(0, 30).Select(i => i < 15 ? Scene(i * 2, 0, 0.3f + i * 0.05f) : Scene(100 - i, 40, 0.6f)).ToList();
        var ok = QualityMeter.Evaluate(MeasureAll(fadeAndCut), t);
        Assert.True(ok.Passed, string.Join("; ", ok.Findings));
    }

    [Fact]
    public void Exposure_gain_lifts_a_dark_frame_towards_the_target()
    {
        Assert.Equal(9f, Corrections.ExposureGain(0.02f, 0.18), 3);
        Assert.Equal(1f, Corrections.ExposureGain(0.5f, 0.18));
        Assert.Equal(16f, Corrections.ExposureGain(0f, 0.18));
        Assert.Equal(16f, Corrections.ExposureGain(0.001f, 0.18));
        float lifted = 0.05f * Corrections.ExposureGain(0.05f, 0.18);
        Assert.True(Math.Abs(lifted - 0.18f) < 0.001f);
    }

    [Fact]
    public void Deflicker_gains_even_out_a_pumping_sequence()
    {
        var lumas = Enumerable.Range(0, 24).Select(i => i % 2 == 0 ? 0.20f : 0.26f).ToList();
        var gains = Corrections.DeflickerGains(lumas, 3);
        var evened = lumas.Select((l, i) => l * gains[i]).ToList();
        float spreadBefore = lumas.Max() - lumas.Min(), spreadAfter = evened.Skip(1).Take(22).Max() - evened.Skip(1).Take(22).Min();
        Assert.True(spreadAfter < 0.1f * spreadBefore, $"spread {spreadBefore} -> {spreadAfter}");

        // smooth sequences (steady, or a ramp) are left alone
        Assert.All(Corrections.DeflickerGains(Enumerable.Repeat(0.3f, 10).ToList(), 3), g => Assert.Equal(1f, g));
        var ramp = Corrections.DeflickerGains(Enumerable.Range(0, 10).Select(i => 0.1f + 0.01f * i).ToList(), 3);
        Assert.All(ramp, g => Assert.Equal(1f, g));
        Assert.All(Corrections.DeflickerGains([0f, 1f, 0f], 1), g => Assert.InRange(g, 0.5f, 2f));
    }

    [Fact]
    public void Measure_is_deterministic_and_fast_at_720p()
    {
        const int w = 1280, h = 720;
        var a = Scene(0, 0, 1f, w, h);
        var b = Scene(5, 2, 1.1f, w, h);
        var first = QualityMeter.Measure(1, b, a, w, h);
        Assert.Equal(first, QualityMeter.Measure(1, b, a, w, h));
        double best = double.MaxValue;
        for (int i = 0; i < 8; i++)
        {
            var sw = Stopwatch.StartNew();
            QualityMeter.Measure(1, b, a, w, h);
            best = Math.Min(best, sw.Elapsed.TotalMilliseconds);
        }
        output.WriteLine($"Measure 1280x720: {best:F2} ms (best of 8); motion {first.Motion:F1} px, flicker {first.Flicker:F3}");
        Assert.InRange(first.Motion, 3f, 8f);
        Assert.InRange(first.Flicker, 0.06f, 0.14f);
    }

    [Fact]
    public void Wrong_sizes_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => QualityMeter.Measure(0, new byte[10], [], 4, 4));
        Assert.Throws<ArgumentException>(() => QualityMeter.Measure(1, new byte[48], new byte[24], 4, 4));
        var tiny = QualityMeter.Measure(1, new byte[48], new byte[48], 4, 4);
        Assert.True(tiny.Black);
    }

    [Fact]
    public void Dark_frames_are_not_black_frames_when_the_thresholds_do_not_judge_black()
    {
        // A film with no background: its 8-bit frames are over black, a frame with little drawn is dark by design.
        var frames = Enumerable.Range(0, 20).Select(i => Scene(i * 2, 0, i is >= 12 and <= 14 ? 0.02f : 1f)).ToList();
        var metrics = MeasureAll(frames);
        Assert.True(metrics[12].Black);
        var report = QualityMeter.Evaluate(metrics, new EchoThresholds { JudgeBlack = false });
        Assert.Equal(0, report.BlackFrames);
        Assert.DoesNotContain(report.Findings, f => f.Contains("black"));
        Assert.DoesNotContain(12, report.FailingFrames);
    }

    [Fact]
    public void Without_the_black_check_a_dark_failing_frame_gets_no_exposure_lift()
    {
        // Frame 1 is dark (as an empty frame of a transparent shot is) and fails for another reason (flicker); a re-render
        // that judged black would lift it toward the lit frames, one that does not judge black leaves it alone.
        var metrics = new List<FrameMetrics> { new(0, 0.5f, false, 0, 0, 0, 0), new(1, 0.01f, true, 0.5f, 0, 0, 0), new(2, 0.5f, false, 0.5f, 0, 0, 0) };
        var report = new EchoReport(false, ["flicker"], [1], 3, 0, 0, 0, 1, 0.34f);
        var judged = Corrections.Plan(metrics, report, new EchoThresholds(), 1, new Dictionary<int, float>());
        Assert.True(judged.Gains[1] > 1f);
        var (gains, rerender) = Corrections.Plan(metrics, report, new EchoThresholds { JudgeBlack = false }, 1, new Dictionary<int, float>());
        Assert.False(gains.ContainsKey(1));
        Assert.False(rerender);
    }
}
