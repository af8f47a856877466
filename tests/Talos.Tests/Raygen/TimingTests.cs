using System.Diagnostics;
using Talos.Gpu.Aether;
using Talos.Gpu.Anima;
using Talos.Gpu.Chroma;
using Talos.Gpu.Imaging;
using Talos.Gpu.Raygen;
using Talos.Tests.Chroma;
using Xunit;

namespace Talos.Tests.Raygen;

/// <summary>
/// Median times at 1280×720 (figure ≈ 10% of the frame), written to /tmp/chroma-timings.txt. The assertions only
/// catch order-of-magnitude regressions; the budgets (20/25/30/15 ms) are checked by reading the file.
/// </summary>
public sealed class TimingTests
{
    const int W = 1280, H = 720;
    const float Ground = H * 0.82f;

    /// <summary>CPU time per call (all threads of this process), the fairer number on a loaded machine.</summary>
    static readonly Dictionary<Action, double> Cpu = new();

    static double Median(int runs, Action a)
    {
        a();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var t = new List<double>();
        for (int i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            a();
            t.Add(sw.Elapsed.TotalMilliseconds);
        }
        Cpu[a] = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds / runs;
        t.Sort();
        return t[runs / 2];
    }

    static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    [Fact]
    public void Stages_run_within_an_order_of_magnitude_of_their_budgets()
    {
        var (lines, seeds) = LineArt.Figure(W, H, W * 0.5f, Ground, 380);
        var palette = new Dictionary<string, Rgb> { ["skin"] = new(0.8f, 0.6f, 0.5f), ["shirt"] = new(0.7f, 0.1f, 0.1f), ["trousers"] = new(0.1f, 0.1f, 0.4f) };
        var ink = Rgb.FromHex("#1b1620");
        var light = AetherPresets.Lighting("key-left");
        RgbaImage layer = ChromaFill.Fill(lines, seeds, palette, ink, out _);
        var results = new Dictionary<string, double>
        {
            ["ChromaFill.Fill"] = Median(9, () => ChromaFill.Fill(lines, seeds, palette, ink, out _)),
        };
        foreach (var bg in AetherPresets.BackgroundNames)
            results[$"Backgrounds.Render {bg}"] = Median(9, () => Backgrounds.Render(AetherPresets.Background(bg), light, new CameraState(1.1, 0.2), W, H, Ground));
        var back = Backgrounds.Render(AetherPresets.Background("day"), light, CameraState.Wide, W, H, Ground);
        var scratch = back.Clone();
        results["Lighting.CastShadow"] = Median(9, () => Lighting.CastShadow(scratch, layer, light, Ground));
        results["Lighting.LightLayer"] = Median(9, () => Lighting.LightLayer(layer, light));
        var layers = new List<Layer> { new(back), new(layer), new(layer, BlendMode.Add, 0.3f) };
        var composite = Compositor.Composite(W, H, layers);
        results["Compositor.Composite (3 layers)"] = Median(9, () => Compositor.Composite(W, H, layers));
        results["Compositor.ToSrgb8"] = Median(9, () => Compositor.ToSrgb8(composite, 1f));
        var cpu = Cpu.Values.ToList();
        File.WriteAllLines(Path.Combine(Path.GetTempPath(), "chroma-timings.txt"),
            results.Select((r, i) => $"{r.Key}: {r.Value:F1} ms wall (median), {cpu[i]:F1} ms CPU")
                .Prepend($"{Environment.ProcessorCount} cores, 1280x720, load average {LoadAverage()}"));
        Assert.All(results, r => Assert.True(r.Value < 400, $"{r.Key} took {r.Value:F1} ms"));
    }
}
