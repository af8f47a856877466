using System.Diagnostics;
using Talos.Gpu.Aether;
using Talos.Gpu.Anima;
using Talos.Gpu.Axis;
using Talos.Gpu.Chroma;
using Talos.Gpu.Imaging;
using Talos.Gpu.Kernels;
using Talos.Gpu.Raygen;

namespace Talos.Bench;

/// <summary>
/// RAYGEN's and ANIMA's kernels on a real CUDA device against their CPU paths at frame size: the largest difference and
/// the time of each (median of <c>repeat</c>, uploads and downloads included). Exit code 1 when a kernel disagrees.
/// </summary>
public static class GpuCheck
{
    public static int Run(int width, int height, int repeat)
    {
        using var device = ComputeDevice.Create(DeviceKind.Cuda);
        var gpu = device.Accelerator!;
        Console.WriteLine($"# CUDA kernels against the CPU paths at {width}x{height} on {device.Name}, median of {repeat}, {Environment.ProcessorCount} CPU cores");
        Console.WriteLine();
        Console.WriteLine("| kernel | max abs difference | CPU (ms) | CUDA (ms) |");
        Console.WriteLine("|---|---|---|---|");
        var drawing = LineArt.Draw(Rigs.Get("lanky"), PoseLibrary.Resolve("walk", "joy", 0), 0.5, 1, CameraState.Wide, width, height);
        var character = ChromaFill.Fill(drawing.Lines, drawing.Seeds, Rigs.Get("lanky").DefaultPalette, Rgb.FromHex("#1b1620"), out _);
        var rig = AetherPresets.Lighting("sunset");
        var lens = new CameraState(1, 0, Focus: 1.0, Aperture: 0.02);
        var depth = new float[width * height];
        var bg = Backgrounds.Render(AetherPresets.Background("dusk"), rig, lens, width, height, height * 0.82f, depth);
        var coc = depth.Select(d => DepthOfField.Coc(d, lens, height)).ToArray();
        var (ux, uy) = (new float[width * height], new float[width * height]);
        for (int i = 0; i < ux.Length; i++) { ux[i] = 6f + i % 7; uy[i] = -2f; }
        var layers = new List<Layer> { new(bg), new(Lighting.LightLayerCpu(character, rig)), new(character, BlendMode.Screen, 0.4f) };

        bool ok = true;
        ok &= Row("RAYGEN light map (one character)", () => Lighting.LightMapCpu(character, rig), () => IlgpuLighting.LightMap(gpu, character, rig), repeat);
        ok &= Row("RAYGEN depth of field (background)", () => DepthOfField.ApplyCpu(bg, coc), () => IlgpuDepthOfField.Apply(gpu, bg, coc), repeat);
        ok &= Row("ANIMA motion blur (one character)", () => MotionBlur.ApplyCpu(character, ux, uy), () => MotionBlur.ApplyIlgpu(gpu, character, ux, uy), repeat);
        ok &= Row("ANIMA composite (3 layers)", () => Compositor.CompositeCpu(width, height, layers), () => IlgpuCompositor.Composite(gpu, width, height, layers), repeat);
        return ok ? 0 : 1;
    }

    static bool Row(string name, Func<RgbaImage> cpu, Func<RgbaImage> cuda, int repeat)
    {
        var a = cpu();
        var b = cuda();
        double max = 0;
        foreach (var (x, y) in new[] { (a.R, b.R), (a.G, b.G), (a.B, b.B), (a.A, b.A) })
            for (int i = 0; i < x.Length; i++) max = Math.Max(max, Math.Abs(x[i] - y[i]));
        Console.WriteLine($"| {name} | {max:G3} | {Median(cpu, repeat):F2} | {Median(cuda, repeat):F2} |");
        return max < 1e-4;
    }

    static double Median(Func<RgbaImage> f, int n)
    {
        var t = new List<double>();
        for (int i = 0; i < n; i++) { var sw = Stopwatch.StartNew(); GC.KeepAlive(f()); t.Add(sw.Elapsed.TotalMilliseconds); }
        t.Sort();
        return t[t.Count / 2];
    }
}
