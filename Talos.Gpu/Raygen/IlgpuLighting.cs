using ILGPU;
using Talos.Gpu.Kernels;
using ILGPU.Runtime;
using Talos.Gpu.Aether;
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Raygen;

/// <summary>Where the shading kernel works: the frame width, the alpha's tight box and the height field's box around it.</summary>
public struct ShadeBox
{
    public int W, N, X0, Y0, BoxX0, BoxY0, BoxW, BoxH;
}

/// <summary>
/// RAYGEN's light map on an ILGPU accelerator (CUDA on GPU nodes; ILGPU's CPU simulator in parity tests): a thread per
/// pixel of the alpha's box, calling the same <see cref="ShadeCells.Shade"/> as the CPU rows. The bevelled height field
/// and the distance to the nearest crease (a distance transform) are made on the host by the same <c>Lighting.BevelHeight</c> as the CPU path.
/// </summary>
public static class IlgpuLighting
{
    static readonly Talos.Gpu.Kernels.KernelCache<Action<Index2D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ShadeBox, ShadeRig>> Kernels =
        new(a => KernelLoader.Load<Action<Index2D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ShadeBox, ShadeRig>>(a, ShadeKernel));

    /// <summary>Alpha (n) in; the light map's R, G, B planes (packed, n each) out for pixel (X0 + x, Y0 + y).</summary>
    static void ShadeKernel(Index2D idx, ArrayView<float> alpha, ArrayView<float> height, ArrayView<float> crease, ArrayView<float> map, ShadeBox box, ShadeRig rig)
    {
        int x = box.X0 + idx.X, y = box.Y0 + idx.Y, p = y * box.W + x;
        if (alpha[p] <= 0f) return;
        int i = x - box.BoxX0, j = y - box.BoxY0, b = j * box.BoxW + i;
        int l = i > 0 ? b - 1 : b, r = i < box.BoxW - 1 ? b + 1 : b, u = j > 0 ? b - box.BoxW : b, d = j < box.BoxH - 1 ? b + box.BoxW : b;
        var light = ShadeCells.Shade(ShadeCells.GradX(height[l], height[r]), ShadeCells.GradX(height[u], height[d]), crease[b], rig);
        map[p] = light.R;
        map[p + box.N] = light.G;
        map[p + 2 * box.N] = light.B;
    }

    public static RgbaImage LightMap(Accelerator accelerator, RgbaImage layer, LightRig light)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(light);
        var map = new RgbaImage(layer.Width, layer.Height);
        if (!AlphaBounds.Find(layer, out var tight)) return map;
        int w = layer.Width, n = layer.PixelCount;
        int bevel = Lighting.BevelWidth(layer.Height);
        var box = tight.Grow(2, w, layer.Height);
        var (height, crease) = Lighting.BevelHeight(layer, box, bevel);
        var kernel = Kernels.For(accelerator);

        using var alpha = accelerator.Allocate1D(layer.A);
        using var heights = accelerator.Allocate1D(height);
        using var creases = accelerator.Allocate1D(crease);
        using var planes = accelerator.Allocate1D<float>(3 * n);
        planes.MemSetToZero();
        var shape = new ShadeBox { W = w, N = n, X0 = tight.X0, Y0 = tight.Y0, BoxX0 = box.X0, BoxY0 = box.Y0, BoxW = box.Width, BoxH = box.Height };
        kernel(new Index2D(tight.Width, tight.Height), alpha.View, heights.View, creases.View, planes.View, shape, Lighting.Rig(light, Lighting.AoReach(layer.Height)));
        accelerator.Synchronize();
        var rgb = planes.GetAsArray1D();
        Array.Copy(rgb, 0, map.R, 0, n); Array.Copy(rgb, n, map.G, 0, n); Array.Copy(rgb, 2 * n, map.B, 0, n);
        for (int p = 0; p < n; p++) map.A[p] = layer.A[p] > 0f ? layer.A[p] : 0f;
        return map;
    }

    public static RgbaImage LightLayer(Accelerator accelerator, RgbaImage layer, LightRig light) =>
        Lighting.Apply(layer, LightMap(accelerator, layer, light));
}
