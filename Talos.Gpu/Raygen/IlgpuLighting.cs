using ILGPU;
using ILGPU.Runtime;
using Talos.Gpu.Aether;
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Raygen;

/// <summary>Where the shading kernel works: the frame width, the alpha's tight box and the blurred box around it.</summary>
public struct ShadeBox
{
    public int W, N, X0, Y0, BoxX0, BoxY0, BoxW, BoxH;
}

/// <summary>
/// RAYGEN's layer shading on an ILGPU accelerator (CUDA on GPU nodes; ILGPU's CPU simulator in parity tests): a thread
/// per pixel of the alpha's box, calling the same <see cref="ShadeCells.Shade"/> as the CPU rows. The blurred alpha
/// (a separable running sum) is made on the host by the same <c>BoxBlur</c> as the CPU path.
/// </summary>
public static class IlgpuLighting
{
    static readonly Talos.Gpu.Kernels.KernelCache<Action<Index2D, ArrayView<float>, ArrayView<float>, ShadeBox, ShadeRig>> Kernels =
        new(a => a.LoadAutoGroupedStreamKernel<Index2D, ArrayView<float>, ArrayView<float>, ShadeBox, ShadeRig>(ShadeKernel));

    /// <summary>Planes packed R, G, B, A (n each); shades the RGB of pixel (X0 + x, Y0 + y) in place.</summary>
    static void ShadeKernel(Index2D idx, ArrayView<float> planes, ArrayView<float> blurred, ShadeBox box, ShadeRig rig)
    {
        int x = box.X0 + idx.X, y = box.Y0 + idx.Y, p = y * box.W + x;
        if (planes[p + 3 * box.N] <= 0f) return;
        int i = x - box.BoxX0, j = y - box.BoxY0, b = j * box.BoxW + i;
        int l = i > 0 ? b - 1 : b, r = i < box.BoxW - 1 ? b + 1 : b, u = j > 0 ? b - box.BoxW : b, d = j < box.BoxH - 1 ? b + box.BoxW : b;
        var light = ShadeCells.Shade(ShadeCells.GradX(blurred[l], blurred[r]), ShadeCells.GradX(blurred[u], blurred[d]), rig);
        planes[p] *= light.R;
        planes[p + box.N] *= light.G;
        planes[p + 2 * box.N] *= light.B;
    }

    public static RgbaImage LightLayer(Accelerator accelerator, RgbaImage layer, LightRig light)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(light);
        var o = layer.Clone();
        if (!AlphaBounds.Find(layer, out var tight)) return o;
        int w = layer.Width, n = layer.PixelCount;
        int radius = Lighting.ShadeRadius(layer.Height);
        var box = tight.Grow(2 * radius + 1, w, layer.Height);
        var blurred = Lighting.BlurredAlpha(layer, box, radius);
        var kernel = Kernels.For(accelerator);

        var planes = new float[4 * n];
        layer.R.CopyTo(planes, 0); layer.G.CopyTo(planes, n); layer.B.CopyTo(planes, 2 * n); layer.A.CopyTo(planes, 3 * n);
        using var io = accelerator.Allocate1D(planes);
        using var blur = accelerator.Allocate1D(blurred);
        var shape = new ShadeBox { W = w, N = n, X0 = tight.X0, Y0 = tight.Y0, BoxX0 = box.X0, BoxY0 = box.Y0, BoxW = box.Width, BoxH = box.Height };
        kernel(new Index2D(tight.Width, tight.Height), io.View, blur.View, shape, Lighting.Rig(light, radius));
        accelerator.Synchronize();
        io.CopyToCPU(planes);
        Array.Copy(planes, 0, o.R, 0, n); Array.Copy(planes, n, o.G, 0, n); Array.Copy(planes, 2 * n, o.B, 0, n);
        return o;
    }
}
