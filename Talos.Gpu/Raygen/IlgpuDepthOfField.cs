using ILGPU;
using ILGPU.Runtime;
using Talos.Gpu.Imaging;
using Talos.Gpu.Kernels;

namespace Talos.Gpu.Raygen;

/// <summary>
/// RAYGEN's depth of field on an ILGPU accelerator (CUDA on GPU nodes; ILGPU's CPU simulator in parity tests): a thread per
/// pixel calling the same <see cref="BokehCells.Gather"/> as the CPU rows.
/// </summary>
public static class IlgpuDepthOfField
{
    static readonly KernelCache<Action<Index2D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BokehShape>> Kernels =
        new(a => KernelLoader.Load<Action<Index2D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BokehShape>>(a, GatherKernel));

    static void GatherKernel(Index2D idx, ArrayView<float> planes, ArrayView<float> coc, ArrayView<float> disc, ArrayView<float> dst, BokehShape s)
    {
        int p = idx.Y * s.W + idx.X;
        var o = BokehCells.Gather(idx.X, idx.Y, new DeviceField(planes), new DeviceField(coc), new DeviceField(disc), s);
        dst[p] = o.R; dst[p + s.N] = o.G; dst[p + 2 * s.N] = o.B; dst[p + 3 * s.N] = o.A;
    }

    public static RgbaImage Apply(Accelerator accelerator, RgbaImage layer, float[] coc)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(coc);
        if (coc.Length != layer.PixelCount) throw new ArgumentException($"circle-of-confusion map holds {coc.Length} pixels, the layer {layer.PixelCount}", nameof(coc));
        int n = layer.PixelCount;
        var kernel = Kernels.For(accelerator);
        using var planes = accelerator.Allocate1D(DepthOfField.Pack(layer));
        using var cocs = accelerator.Allocate1D(coc);
        using var disc = accelerator.Allocate1D(DepthOfField.SpiralTable);
        using var dst = accelerator.Allocate1D<float>(4 * n);
        kernel(new Index2D(layer.Width, layer.Height), planes.View, cocs.View, disc.View, dst.View,
            new BokehShape { W = layer.Width, H = layer.Height, N = n, Samples = BokehCells.MaxSamples });
        accelerator.Synchronize();
        return DepthOfField.Unpack(dst.GetAsArray1D(), layer.Width, layer.Height);
    }
}
