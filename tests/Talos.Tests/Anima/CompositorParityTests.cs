using Talos.Tests.Support;
using Talos.Gpu.Anima;
using Talos.Gpu.Imaging;
using Talos.Gpu.Kernels;
using Xunit;

namespace Talos.Tests.Anima;

/// <summary>ANIMA's compositor: the CPU rows and the ILGPU kernel (on ILGPU's CPU simulator, at 64²) call the same maths.</summary>
public sealed class CompositorParityTests
{
    static RgbaImage Layer(int w, int h, int seed, bool hdr)
    {
        var img = new RgbaImage(w, h);
        uint s = (uint)seed * 2654435761u + 1;
        float Next() { s ^= s << 13; s ^= s >> 17; s ^= s << 5; return (s & 0xFFFFFF) / (float)0x1000000; }
        for (int i = 0; i < img.PixelCount; i++)
        {
            float a = Next() < 0.3f ? 0f : Next();
            img.A[i] = a;
            img.R[i] = a * Next() * (hdr ? 3f : 1f); img.G[i] = a * Next(); img.B[i] = a * Next();
        }
        return img;
    }

    [Fact]
    public void Cpu_and_ilgpu_composites_agree_for_every_blend_mode()
    {
        const int n = 64;
        var layers = new List<Layer>
        {
            new(Layer(n, n, 1, false)), new(Layer(n, n, 2, false), BlendMode.Multiply, 0.8f),
            new(Layer(n, n, 3, true), BlendMode.Add, 0.6f), new(Layer(n, n, 4, false), BlendMode.Normal, 0.5f), new(Layer(n, n, 5, false), BlendMode.Screen, 0.7f),
        };
        var cpu = Compositor.CompositeCpu(n, n, layers);
        var (context, accelerator) = ParityDevice.Create();
        using (context)
        using (accelerator)
        {
            var gpu = IlgpuCompositor.Composite(accelerator, n, n, layers);
            double max = 0;
            foreach (var (a, b) in new[] { (cpu.R, gpu.R), (cpu.G, gpu.G), (cpu.B, gpu.B), (cpu.A, gpu.A) })
                for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
            Assert.True(max < 1e-5, $"max abs difference {max}");
            Assert.Contains(cpu.R, v => v > 1f); // HDR light survives compositing on both paths
            Assert.Throws<ArgumentException>(() => IlgpuCompositor.Composite(accelerator, n, n + 1, layers));
        }
    }

    [Fact]
    public void Cpu_rows_give_the_per_pixel_maths_bit_for_bit()
    {
        // The vectorised "over" of the CPU rows against BlendPixel one pixel at a time (empty pixels, odd widths, opacity).
        const int w = 61, h = 7;
        var layers = new List<Layer>
        {
            new(Layer(w, h, 7, false)), new(Layer(w, h, 8, true), BlendMode.Normal, 0.55f), new(Layer(w, h, 9, false), BlendMode.Add, 0.6f),
            new(Layer(w, h, 10, false)),
        };
        var cpu = Compositor.CompositeCpu(w, h, layers);
        for (int i = 0; i < w * h; i++)
        {
            var d = new Px(0f, 0f, 0f, 0f);
            foreach (var l in layers)
            {
                var s = new Px(l.Image.R[i], l.Image.G[i], l.Image.B[i], l.Image.A[i]);
                if (s.R == 0f && s.G == 0f && s.B == 0f && s.A == 0f) continue;
                d = BlendPixel.Blend((int)l.Mode, d, s, l.Opacity);
            }
            Assert.Equal(BitConverter.SingleToInt32Bits(d.R), BitConverter.SingleToInt32Bits(cpu.R[i]));
            Assert.Equal(BitConverter.SingleToInt32Bits(d.G), BitConverter.SingleToInt32Bits(cpu.G[i]));
            Assert.Equal(BitConverter.SingleToInt32Bits(d.B), BitConverter.SingleToInt32Bits(cpu.B[i]));
            Assert.Equal(BitConverter.SingleToInt32Bits(d.A), BitConverter.SingleToInt32Bits(cpu.A[i]));
        }
    }
}
