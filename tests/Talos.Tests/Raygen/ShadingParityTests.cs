using Talos.Tests.Support;
using Talos.Gpu.Aether;
using Talos.Gpu.Imaging;
using Talos.Gpu.Kernels;
using Talos.Gpu.Raygen;
using Xunit;

namespace Talos.Tests.Raygen;

/// <summary>RAYGEN's layer shading: the CPU rows and the ILGPU kernel (ILGPU's CPU simulator, 64²) call the same maths.</summary>
public sealed class ShadingParityTests
{
    [Theory]
    [InlineData("key-left")]
    [InlineData("sunset")]
    [InlineData("moody")]
    public void Cpu_and_ilgpu_shading_agree(string rig)
    {
        const int n = 64;
        var layer = new RgbaImage(n, n);
        for (int y = 0; y < n; y++)
            for (int x = 0; x < n; x++)
            {
                // a flat-painted disc with an ink ring, touching the left edge (one-sided differences there)
                float d = MathF.Sqrt((x - 20) * (x - 20) + (y - 34) * (y - 34));
                if (d > 22) continue;
                int i = y * n + x;
                bool ink = d > 19;
                layer.A[i] = 1f;
                (layer.R[i], layer.G[i], layer.B[i]) = ink ? (0.01f, 0.01f, 0.02f) : (0.6f, 0.3f, 0.2f);
            }
        var light = AetherPresets.Lighting(rig);
        var cpu = Lighting.LightLayerCpu(layer, light);
        var (context, accelerator) = ParityDevice.Create();
        using (context)
        using (accelerator)
        {
            var gpu = IlgpuLighting.LightLayer(accelerator, layer, light);
            double max = 0;
            foreach (var (a, b) in new[] { (cpu.R, gpu.R), (cpu.G, gpu.G), (cpu.B, gpu.B), (cpu.A, gpu.A) })
                for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
            Assert.True(max < 1e-5, $"max abs difference {max}");
        }
        // and the shading did something: lit and unlit sides of the disc differ
        Assert.NotEqual(cpu.R[34 * n + 6], cpu.R[34 * n + 34]);
    }
}
