using Talos.Tests.Support;
using Talos.Gpu.Kernels;
using Talos.Gpu.Stokes;
using Xunit;

namespace Talos.Tests.Stokes;

/// <summary>The VFX layer: the CPU renderer and the ILGPU renderer (ILGPU's CPU simulator) call the same maths.</summary>
public sealed class EffectRendererParityTests
{
    [Fact]
    public void Cpu_and_ilgpu_vfx_layers_agree()
    {
        var g = new FluidGrid(32, 18);
        var light = new float[g.Count];
        for (int j = 0; j < g.Ny + 2; j++)
            for (int i = 0; i < g.Stride; i++)
            {
                int k = j * g.Stride + i;
                float cx = (i - 16) / 6f, cy = (j - 10) / 4f, blob = MathF.Exp(-(cx * cx + cy * cy));
                g.Smoke[k] = 2f * blob * (i % 3 == 0 ? 1f : 0.6f);
                g.Heat[k] = i < 16 ? 6f * blob : 0f;
                g.Magic[k] = j > 8 ? 0.8f * blob : 0f;
                g.MagicCyan[k] = 0.4f * g.Magic[k];
                g.Mist[k] = j > 14 ? 0.7f : 0f;
                light[k] = MathF.Exp(-0.35f * j * 0.2f);
            }
        const int w = 64, h = 36;
        var cpu = new EffectRenderer().RenderCpu(g, light, 7, w, h, 1234);
        var (context, accelerator) = ParityDevice.Create();
        using (context)
        using (accelerator)
        {
            var gpu = IlgpuEffectRenderer.Render(accelerator, g, light, 7, w, h, 1234);
            double max = 0;
            foreach (var (a, b) in new[] { (cpu.R, gpu.R), (cpu.G, gpu.G), (cpu.B, gpu.B), (cpu.A, gpu.A) })
                for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
            Assert.True(max < 1e-5, $"max abs difference {max}");
        }
        Assert.Contains(cpu.R, v => v > 1f); // fire emits HDR light on both paths
        Assert.Contains(cpu.A, v => v > 0.3f);
    }
}
