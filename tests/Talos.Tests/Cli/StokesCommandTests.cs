using System.Text.Json;
using Talos.Cli;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Stokes;

/// <summary>`talos stokes` end to end: a fire video that rises and is warm, with valid per-frame statistics.</summary>
public sealed class StokesCommandTests
{
    const int W = 160, H = 90;

    [Fact]
    public async Task Fire_preset_video_rises_is_warm_and_has_valid_stats()
    {
        var dir = Directory.CreateTempSubdirectory("talos-stokes-");
        try
        {
            string mp4 = Path.Combine(dir.FullName, "fire.mp4"), json = Path.Combine(dir.FullName, "s.json");
            int rc = await StokesCommand.RunAsync(new StokesCommand.Request("fire", 64, 48, 0, mp4, json, W, H, 24, "maccormack"), TestContext.Current.CancellationToken);
            Assert.Equal(0, rc);

            using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(json, TestContext.Current.CancellationToken));
            var frames = doc.RootElement.GetProperty("frames").EnumerateArray().ToList();
            Assert.Equal(48, frames.Count);
            foreach (var f in frames)
            {
                Assert.True(f.GetProperty("rmsDivergence").GetDouble() < 1e-3);
                Assert.True(f.GetProperty("maxDivergence").GetDouble() >= f.GetProperty("rmsDivergence").GetDouble());
                Assert.True(f.GetProperty("totalDensity").GetDouble() >= 0);
                Assert.True(f.GetProperty("pressureIterations").GetInt32() >= 0);
                Assert.True(f.GetProperty("secondsPerStep").GetDouble() > 0);
            }

            var video = await FrameGrab.DecodeAsync(mp4, W, H);
            Assert.Equal(48, video.Count);
            var (early, warmEarly) = Centroid(video[2]);
            TestContext.Current.TestOutputHelper?.WriteLine(string.Join(" ", video.Select(v => Centroid(v).row.ToString("F1"))));
            var (late, warmLate) = Centroid(video[47]);
            Assert.True(late < early - 0.08 * H, $"brightness centroid row {early:F1} -> {late:F1} should move up");
            Assert.True(warmEarly > 1.2 && warmLate > 1.2, $"fire should be warm (R/B of bright pixels {warmEarly:F2}, {warmLate:F2})");

            // ... and turns to smoke: at the end, the top of the plume is grey, its base still flame.
            var (top, bottom) = PlumeEnds(video[47]);
            Assert.True(bottom > 1.5 && top < bottom - 0.3, $"R/B at the top of the plume {top:F2} should be greyer than at its base {bottom:F2}");
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public async Task Bad_preset_is_a_usage_error()
    {
        int rc = await CliErrors.Guard(() => StokesCommand.RunAsync(new StokesCommand.Request("lava", 64, 4, 0, null, "x.json", W, H, 24, "maccormack"), default));
        Assert.Equal(CliErrors.BadInput, rc);
    }

    /// <summary>Luma-weighted centroid row of what stands out from the backdrop, and the red/blue ratio of those pixels.</summary>
    static (double row, double warmth) Centroid(byte[] rgb)
    {
        double m = 0, my = 0, r = 0, b = 0;
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
            {
                int k = 3 * (y * W + x);
                double l = 0.3 * rgb[k] + 0.6 * rgb[k + 1] + 0.1 * rgb[k + 2] - 60;
                if (l <= 0) continue;
                m += l; my += l * y; r += rgb[k] * l; b += rgb[k + 2] * l;
            }
        return (my / m, r / Math.Max(1, b));
    }

    /// <summary>Red/blue ratio of what stands out from the backdrop in the top and bottom quarter of the plume's height.</summary>
    static (double top, double bottom) PlumeEnds(byte[] rgb)
    {
        int first = -1, last = -1;
        bool Stands(int k) => Math.Abs(rgb[k] - 30) + Math.Abs(rgb[k + 1] - 34) + Math.Abs(rgb[k + 2] - 42) > 24;
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                if (Stands(3 * (y * W + x))) { if (first < 0) first = y; last = y; }
        double Ratio(int y0, int y1)
        {
            double r = 0, b = 0;
            for (int y = y0; y <= y1; y++)
                for (int x = 0; x < W; x++)
                {
                    int k = 3 * (y * W + x);
                    if (Stands(k)) { r += rgb[k]; b += rgb[k + 2]; }
                }
            return r / Math.Max(1, b);
        }
        int quarter = Math.Max(1, (last - first) / 4);
        return (Ratio(first, first + quarter), Ratio(last - quarter, last));
    }
}
