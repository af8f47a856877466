using ILGPU;
using Talos.Gpu.Kernels;
using ILGPU.Runtime;
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Anima;

/// <summary>
/// ANIMA's compositor on an ILGPU accelerator (CUDA on GPU nodes; ILGPU's CPU simulator in parity tests): one thread
/// per pixel per layer, calling the same <see cref="BlendPixel"/> maths as the CPU rows.
/// </summary>
public static class IlgpuCompositor
{
    static readonly Talos.Gpu.Kernels.KernelCache<Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, float>> Kernels =
        new(a => KernelLoader.Load<Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, float>>(a, BlendKernel));

    /// <summary>Blends one layer (planes R,G,B,A of n pixels each, packed) into the composite (packed the same way).</summary>
    static void BlendKernel(Index1D i, ArrayView<float> dst, ArrayView<float> src, int n, int mode, float op)
    {
        var d = new Px(dst[i], dst[i + n], dst[i + 2 * n], dst[i + 3 * n]);
        var p = BlendPixel.Blend(mode, d, new Px(src[i], src[i + n], src[i + 2 * n], src[i + 3 * n]), op);
        dst[i] = p.R; dst[i + n] = p.G; dst[i + 2 * n] = p.B; dst[i + 3 * n] = p.A;
    }

    public static RgbaImage Composite(Accelerator accelerator, int width, int height, IReadOnlyList<Layer> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        Compositor.RequireLayerSize(width, height, layers);
        var kernel = Kernels.For(accelerator);

        var result = new RgbaImage(width, height);
        int n = result.PixelCount;
        var staging = new float[4 * n];
        using var dst = accelerator.Allocate1D<float>(4 * n);
        using var src = accelerator.Allocate1D<float>(4 * n);
        dst.MemSetToZero();
        foreach (var layer in layers)
        {
            float op = Compositor.Opacity(layer);
            if (op == 0f) continue;
            layer.Image.R.CopyTo(staging, 0); layer.Image.G.CopyTo(staging, n); layer.Image.B.CopyTo(staging, 2 * n); layer.Image.A.CopyTo(staging, 3 * n);
            src.CopyFromCPU(staging);
            kernel(n, dst.View, src.View, n, (int)layer.Mode, op);
        }
        accelerator.Synchronize();
        dst.CopyToCPU(staging);
        Array.Copy(staging, 0, result.R, 0, n); Array.Copy(staging, n, result.G, 0, n);
        Array.Copy(staging, 2 * n, result.B, 0, n); Array.Copy(staging, 3 * n, result.A, 0, n);
        return result;
    }
}
