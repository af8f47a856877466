using System.Diagnostics;
using ILGPU.Runtime;
using Talos.Gpu.Aether;
using Talos.Gpu.Anima;
using Talos.Gpu.Axis;
using Talos.Gpu.Chroma;
using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;
using Talos.Gpu.Kernels;
using Talos.Gpu.Raygen;

namespace Talos.Bench;

/// <summary>
/// RAYGEN's, ANIMA's, FLUX's and STOKES's kernels on a real CUDA device against their CPU paths at frame size: the
/// largest difference and the time of each (median of <c>repeat</c>, uploads and downloads included). Exit code 1 when a
/// kernel's CUDA output is not the CPU path's to the bit, or not the same bits twice.
/// </summary>
public static class GpuCheck
{
    public static int Run(int width, int height, int repeat)
    {
        using var device = ComputeDevice.Create(DeviceKind.Cuda);
        var gpu = device.Accelerator!;
        Console.WriteLine($"# CUDA kernels against the CPU paths at {width}x{height} on {device.Name}, median of {repeat}, {Environment.ProcessorCount} CPU cores");
        Console.WriteLine();
        Console.WriteLine("| kernel | max abs difference | CPU (ms) | CUDA (ms) | CUDA twice: same bits |");
        Console.WriteLine("|---|---|---|---|---|");
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
        // the same with a flow whose sample offsets never fall on a half pixel (the rows above and below differ only
        // in where the nearest-pixel rounding meets ties)
        var (vx, vy) = (new float[width * height], new float[width * height]);
        for (int i = 0; i < vx.Length; i++) { vx[i] = 6.37f + 1.13f * (i % 7); vy[i] = -2.21f; }
        ok &= Row("ANIMA motion blur, flow off the half-pixel ties", () => MotionBlur.ApplyCpu(character, vx, vy), () => MotionBlur.ApplyIlgpu(gpu, character, vx, vy), repeat);
        ok &= Row("ANIMA composite (3 layers)", () => Compositor.CompositeCpu(width, height, layers), () => IlgpuCompositor.Composite(gpu, width, height, layers), repeat);
        ok &= FluxRow(gpu, width, height, repeat);
        ok &= StokesRow(device, 1024, repeat);
        ok &= EffectRow(gpu, width, height, repeat, magic: false);
        ok &= EffectRow(gpu, width, height, repeat, magic: true);
        return ok ? 0 : 1;
    }

    /// <summary>
    /// FLUX: the finest solved level's warps and SOR sweeps (FlowOptions.Schedule) on two rig drawings a pose apart at
    /// frame size, from zero flow: the CPU rows (OpticalFlow.Linearise/Sweep on every core) against IlgpuFlow.Refine.
    /// </summary>
    static bool FluxRow(Accelerator gpu, int width, int height, int repeat)
    {
        var inkA = LineArt.Draw(Rigs.Get("stocky"), PoseLibrary.Resolve("walk", "calm", 0), 0.45, 1, CameraState.Wide, width, height).Lines;
        var inkB = LineArt.Draw(Rigs.Get("stocky"), PoseLibrary.Resolve("point", "calm", 0), 0.55, 1, CameraState.Wide, width, height).Lines;
        var (fa, fb) = (FlowFeatures.FromInk(inkA), FlowFeatures.FromInk(inkB));
        var (a, b) = (FlowLevel.Of(width, height, fa.Planes), FlowLevel.Of(width, height, fb.Planes));
        var o = FlowOptions.Default;
        var schedule = o.Schedule(finest: true);
        float[][] Cpu()
        {
            var (u, v) = (new float[width * height], new float[width * height]);
            var sys = new FlowSystem(width, height);
            for (int w = 0; w < schedule.Warps; w++)
            {
                float alpha2 = OpticalFlow.Alpha2(OpticalFlow.Linearise(a, b, u, v, sys), width * height, o);
                for (int it = 0; it < schedule.Iterations; it++) OpticalFlow.Sweep(u, v, sys, alpha2);
            }
            return [u, v];
        }
        float[][] Cuda()
        {
            var (u, v) = (new float[width * height], new float[width * height]);
            IlgpuFlow.Refine(gpu, a, b, u, v, schedule, o);
            return [u, v];
        }
        return Planes($"FLUX finest level ({schedule.Warps} warps x {schedule.Iterations} sweeps)", Cpu, Cuda, repeat);
    }

    /// <summary>
    /// STOKES: Stam's configuration (bench/stokes) at n², the CPU solver on every core against the same solver with
    /// the ILGPU kernels: smoke after 6 steps (difference relative to the largest smoke value; the projections stop on
    /// a residual, so the last bits may differ) and the best step time.
    /// </summary>
    static bool StokesRow(ComputeDevice cuda, int n, int repeat)
    {
        using var cpu = ComputeDevice.Create(DeviceKind.Cpu);
        var c = StokesBench.Simulate(n, 6, Environment.ProcessorCount, 1e-3, cpu);
        var g = StokesBench.Simulate(n, 6, Environment.ProcessorCount, 1e-3, cuda);
        var again = StokesBench.Simulate(n, 6, Environment.ProcessorCount, 1e-3, cuda);
        bool same = g.Smoke.AsSpan().SequenceEqual(again.Smoke);
        double max = 0, peak = 0;
        for (int i = 0; i < c.Smoke.Length; i++) { max = Math.Max(max, Math.Abs(c.Smoke[i] - g.Smoke[i])); peak = Math.Max(peak, Math.Abs(c.Smoke[i])); }
        double rel = max / Math.Max(peak, 1e-12);
        Console.WriteLine($"| STOKES Stam step {n}x{n} (smoke, relative to its largest value) | {rel:G3} | {c.BestMs:F2} | {g.BestMs:F2} | {(same ? "yes" : "NO")} |");
        return max == 0 && peak > 0 && same;
    }

    /// <summary>
    /// STOKES's VFX layer at frame size from a 160×90 grid holding fire, magic (its sparkles are the only kernel code
    /// with transcendentals, XMath.Sin/Exp) and mist: EffectRenderer.RenderCpu against IlgpuEffectRenderer.Render.
    /// </summary>
    static bool EffectRow(Accelerator gpu, int width, int height, int repeat, bool magic)
    {
        var g = new Talos.Gpu.Stokes.FluidGrid(160, 90);
        var light = new float[g.Count];
        for (int j = 0; j < g.Ny + 2; j++)
            for (int i = 0; i < g.Stride; i++)
            {
                int k = j * g.Stride + i;
                float cx = (i - 80) / 30f, cy = (j - 45) / 20f, blob = MathF.Exp(-(cx * cx + cy * cy));
                g.Smoke[k] = 2f * blob * (i % 3 == 0 ? 1f : 0.6f);
                g.Heat[k] = i < 80 ? 6f * blob : 0f;
                g.Magic[k] = magic && j > 40 ? 0.8f * blob : 0f;
                g.MagicCyan[k] = 0.4f * g.Magic[k];
                g.Mist[k] = j > 75 ? 0.7f : 0f;
                light[k] = MathF.Exp(-0.07f * j);
            }
        return Row(magic ? "STOKES VFX layer (fire, smoke, magic sparkles, mist)" : "STOKES VFX layer (fire, smoke, mist)", () => new Talos.Gpu.Stokes.EffectRenderer().RenderCpu(g, light, 7, width, height, 1234),
            () => Talos.Gpu.Stokes.IlgpuEffectRenderer.Render(gpu, g, light, 7, width, height, 1234), repeat);
    }

    /// <summary>
    /// Both paths' planes compared: a row passes only when CUDA gives the CPU's bits exactly (the determinism invariant
    /// holds across device kinds: docs/KERNELS.md) and gives them again on a second run.
    /// </summary>
    static bool Planes(string name, Func<float[][]> cpu, Func<float[][]> cuda, int repeat)
    {
        var a = cpu();
        var b = cuda();
        var again = cuda();
        double max = 0, peak = 0;
        bool same = true;
        for (int p = 0; p < a.Length; p++)
        {
            for (int i = 0; i < a[p].Length; i++) { max = Math.Max(max, Math.Abs(a[p][i] - b[p][i])); peak = Math.Max(peak, Math.Abs(a[p][i])); }
            same &= b[p].AsSpan().SequenceEqual(again[p]);
        }
        Console.WriteLine($"| {name} | {max:G3} (largest value {peak:G3}) | {Median(cpu, repeat):F2} | {Median(cuda, repeat):F2} | {(same ? "yes" : "NO")} |");
        return max == 0 && peak > 0 && same;
    }

    /// <summary>An image kernel's row: its four planes compared as <see cref="Planes"/> does.</summary>
    static bool Row(string name, Func<RgbaImage> cpu, Func<RgbaImage> cuda, int repeat) =>
        Planes(name, () => PlanesOf(cpu()), () => PlanesOf(cuda()), repeat);

    static float[][] PlanesOf(RgbaImage img) => [img.R, img.G, img.B, img.A];

    static double Median<T>(Func<T> f, int n)
    {
        var t = new List<double>();
        for (int i = 0; i < n; i++) { var sw = Stopwatch.StartNew(); GC.KeepAlive(f()); t.Add(sw.Elapsed.TotalMilliseconds); }
        t.Sort();
        return t[t.Count / 2];
    }
}
