using Talos.Tests.Support;
using Talos.Gpu.Axis;
using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;
using Talos.Gpu.Kernels;
using Talos.Messages.Specs;
using Xunit;

namespace Talos.Tests.Flux;

/// <summary>
/// FLUX's flow solver: the CPU rows and the ILGPU kernels (ILGPU's CPU simulator, 64²) call the same
/// <see cref="FlowCells"/> maths. Real inputs: the feature images of two rig drawings a step of a walk apart, and a
/// flow between them from a cheap CPU solve (so warped pixels land between samples and some leave the frame).
/// </summary>
public sealed class FlowParityTests(ITestOutputHelper output)
{
    const int N = 64;

    static (FlowLevel A, FlowLevel B, float[] U, float[] V) Inputs()
    {
        var pose = PoseLibrary.Resolve("walk", "calm", 0);
        var inkA = LineArt.Draw(Rigs.Get("stocky"), pose, 0.45, 1, CameraState.Wide, N, N).Lines;
        var inkB = LineArt.Draw(Rigs.Get("stocky"), PoseLibrary.Resolve("point", "calm", 0), 0.55, 1, CameraState.Wide, N, N).Lines;
        var (fa, fb) = (FlowFeatures.FromInk(inkA), FlowFeatures.FromInk(inkB));
        var flow = OpticalFlow.Compute(fa, fb, FlowOptions.Default with { MinLevelSize = 8, Warps = 1, Iterations = 6 });
        return (FlowLevel.Of(N, N, fa.Planes), FlowLevel.Of(N, N, fb.Planes), flow.U, flow.V);
    }

    static double MaxDiff(float[] a, float[] b)
    {
        double max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
        return max;
    }

    [Fact]
    public void Cpu_and_ilgpu_agree_on_a_warp_and_a_sweep()
    {
        var (a, b, u, v) = Inputs();
        Assert.Contains(u, x => Math.Abs(x) > 0.1f); // the flow moves things
        var cpu = new FlowSystem(N, N);
        var (cu, cv) = ((float[])u.Clone(), (float[])v.Clone());
        double cpuTrace = OpticalFlow.Linearise(a, b, cu, cv, cpu);
        float alpha2 = OpticalFlow.Alpha2(cpuTrace, N * N, FlowOptions.Default);
        OpticalFlow.Sweep(cu, cv, cpu, alpha2);

        var (context, accelerator) = ParityDevice.Create();
        using (context)
        using (accelerator)
        using (var flow = new IlgpuFlow(accelerator, a, b))
        {
            flow.Upload(u, v);
            double gpuTrace = flow.Linearise();
            var gpu = new FlowSystem(N, N);
            flow.Download(gpu);
            flow.Sweep(alpha2);
            var (gu, gv) = (new float[N * N], new float[N * N]);
            flow.Download(gu, gv);

            double warp = new[] { MaxDiff(cpu.J11, gpu.J11), MaxDiff(cpu.J12, gpu.J12), MaxDiff(cpu.J22, gpu.J22), MaxDiff(cpu.B1, gpu.B1), MaxDiff(cpu.B2, gpu.B2) }.Max();
            double sweep = Math.Max(MaxDiff(cu, gu), MaxDiff(cv, gv));
            output.WriteLine($"warp (J, b) max |diff| {warp:G3}; trace {cpuTrace} vs {gpuTrace}; sweep (u, v) max |diff| {sweep:G3}");
            Assert.True(warp < 1e-5, $"linearisation max abs difference {warp}");
            Assert.True(Math.Abs(cpuTrace - gpuTrace) <= 1e-6 * Math.Abs(cpuTrace), $"trace {cpuTrace} vs {gpuTrace}");
            Assert.True(sweep < 1e-5, $"sweep max abs difference {sweep}");
            Assert.True(MaxDiff(u, cu) > 1e-3, "the sweep changed the flow");
        }
    }

    [Fact]
    public void Cpu_and_ilgpu_agree_on_a_level()
    {
        var (a, b, u, v) = Inputs();
        var o = FlowOptions.Default with { Warps = 2, Iterations = 4 };
        var (cu, cv) = ((float[])u.Clone(), (float[])v.Clone());
        var sys = new FlowSystem(N, N);
        for (int warp = 0; warp < o.Warps; warp++)
        {
            float alpha2 = OpticalFlow.Alpha2(OpticalFlow.Linearise(a, b, cu, cv, sys), N * N, o);
            for (int it = 0; it < o.Iterations; it++) OpticalFlow.Sweep(cu, cv, sys, alpha2);
        }
        var (context, accelerator) = ParityDevice.Create();
        using (context)
        using (accelerator)
        {
            var (gu, gv) = ((float[])u.Clone(), (float[])v.Clone());
            IlgpuFlow.Refine(accelerator, a, b, gu, gv, o.Schedule(finest: false), o);
            double max = Math.Max(MaxDiff(cu, gu), MaxDiff(cv, gv));
            output.WriteLine($"level (2 warps x 4 sweeps) max |diff| {max:G3}");
            Assert.True(max < 1e-5, $"max abs difference {max}");
        }
    }
}
