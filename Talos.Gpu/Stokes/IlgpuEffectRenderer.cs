using ILGPU;
using Talos.Gpu.Kernels;
using ILGPU.Runtime;
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Stokes;

/// <summary>Sizes the renderer kernels share: output size, grid rows and stride, field count.</summary>
public struct VfxShape
{
    public int Width, Height, Rows, Stride, Count, Frame;
    public float SparkleCell;
    public uint Seed;
}

/// <summary>
/// The VFX layer on an ILGPU accelerator (CUDA on GPU nodes; ILGPU's CPU simulator in parity tests): the same
/// separable Catmull-Rom upsampling as the CPU path (rows, then columns, clamped at 0) and
/// <see cref="EffectCells.Shade"/> per pixel.
/// </summary>
public static class IlgpuEffectRenderer
{
    const int Fields = 6; // smoke, light, heat, magic, magic cyan, mist — the CPU renderer's order

    sealed record Loaded(
        Action<Index2D, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>, VfxShape> Rows,
        Action<Index2D, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, VfxShape> Columns);

    static readonly Talos.Gpu.Kernels.KernelCache<Loaded> Kernels = new(a => new Loaded(
        KernelLoader.Load<Action<Index2D, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>, VfxShape>>(a, RowsKernel),
        KernelLoader.Load<Action<Index2D, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, VfxShape>>(a, ColumnsKernel)));

    /// <summary>Horizontal pass: (x, field·rows + j) ← Catmull-Rom of grid row j of the field.</summary>
    static void RowsKernel(Index2D idx, ArrayView<float> fields, ArrayView<float> up, ArrayView<int> xTap, ArrayView<float> xWeight, VfxShape s)
    {
        int x = idx.X, f = idx.Y / s.Rows, j = idx.Y - f * s.Rows, t = x * 4;
        int src = f * s.Count + j * s.Stride;
        up[(f * s.Rows + j) * s.Width + x] = xWeight[t] * fields[src + xTap[t]] + xWeight[t + 1] * fields[src + xTap[t + 1]]
                                           + xWeight[t + 2] * fields[src + xTap[t + 2]] + xWeight[t + 3] * fields[src + xTap[t + 3]];
    }

    /// <summary>Vertical pass and shading: one output pixel, planes R, G, B, A packed in <paramref name="output"/>.</summary>
    static void ColumnsKernel(Index2D idx, ArrayView<float> up, ArrayView<float> ramp, ArrayView<int> yTap, ArrayView<float> yWeight,
        ArrayView<float> output, VfxShape s)
    {
        int x = idx.X, y = idx.Y, t = y * 4;
        float w0 = yWeight[t], w1 = yWeight[t + 1], w2 = yWeight[t + 2], w3 = yWeight[t + 3];
        int r0 = yTap[t] * s.Width + x, r1 = yTap[t + 1] * s.Width + x, r2 = yTap[t + 2] * s.Width + x, r3 = yTap[t + 3] * s.Width + x;
        int plane = s.Rows * s.Width;
        float smoke = Column(up, 0, plane, r0, r1, r2, r3, w0, w1, w2, w3);
        float light = Column(up, plane, plane, r0, r1, r2, r3, w0, w1, w2, w3);
        float heat = Column(up, 2 * plane, plane, r0, r1, r2, r3, w0, w1, w2, w3);
        float magic = Column(up, 3 * plane, plane, r0, r1, r2, r3, w0, w1, w2, w3);
        float cyan = Column(up, 4 * plane, plane, r0, r1, r2, r3, w0, w1, w2, w3);
        float mist = Column(up, 5 * plane, plane, r0, r1, r2, r3, w0, w1, w2, w3);
        int ri = EffectCells.RampIndex(heat);
        var px = EffectCells.Shade(smoke, light, heat, magic, cyan, mist, ramp[3 * ri], ramp[3 * ri + 1], ramp[3 * ri + 2],
            x, y, s.Frame, s.SparkleCell, s.Seed);
        int k = y * s.Width + x, n = s.Width * s.Height;
        output[k] = px.R; output[k + n] = px.G; output[k + 2 * n] = px.B; output[k + 3 * n] = px.A;
    }

    static float Column(ArrayView<float> up, int offset, int plane, int r0, int r1, int r2, int r3, float w0, float w1, float w2, float w3) =>
        IntrinsicMath.Max(0f, w0 * up[offset + r0] + w1 * up[offset + r1] + w2 * up[offset + r2] + w3 * up[offset + r3]);

    public static RgbaImage Render(Accelerator accelerator, FluidGrid g, float[] light, int frame, int width, int height, uint seed)
    {
        var k = Kernels.For(accelerator);
        var (xTap, xWeight) = EffectRenderer.CatmullRomTaps(width, g.Nx);
        var (yTap, yWeight) = EffectRenderer.CatmullRomTaps(height, g.Ny);
        int count = g.Count, rows = g.Ny + 2;
        var packed = new float[Fields * count];
        var sources = new[] { g.Smoke, light, g.Heat, g.Magic, g.MagicCyan, g.Mist };
        for (int f = 0; f < Fields; f++) Array.Copy(sources[f], 0, packed, f * count, count);
        var shape = new VfxShape
        {
            Width = width, Height = height, Rows = rows, Stride = g.Stride, Count = count, Frame = frame,
            SparkleCell = EffectRenderer.SparkleCell(height), Seed = seed,
        };
        using var fields = accelerator.Allocate1D(packed);
        using var up = accelerator.Allocate1D<float>(Fields * rows * width);
        using var xt = accelerator.Allocate1D(xTap);
        using var xw = accelerator.Allocate1D(xWeight);
        using var yt = accelerator.Allocate1D(yTap);
        using var yw = accelerator.Allocate1D(yWeight);
        using var ramp = accelerator.Allocate1D(EffectColours.Ramp);
        using var output = accelerator.Allocate1D<float>(4 * width * height);
        k.Rows(new Index2D(width, Fields * rows), fields.View, up.View, xt.View, xw.View, shape);
        k.Columns(new Index2D(width, height), up.View, ramp.View, yt.View, yw.View, output.View, shape);
        accelerator.Synchronize();
        var result = output.GetAsArray1D();
        var img = new RgbaImage(width, height);
        int n = width * height;
        Array.Copy(result, 0, img.R, 0, n); Array.Copy(result, n, img.G, 0, n);
        Array.Copy(result, 2 * n, img.B, 0, n); Array.Copy(result, 3 * n, img.A, 0, n);
        return img;
    }
}
