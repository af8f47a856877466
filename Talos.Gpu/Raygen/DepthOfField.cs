using Talos.Gpu.Imaging;
using Talos.Gpu.Kernels;

namespace Talos.Gpu.Raygen;

/// <summary>
/// RAYGEN's depth of field: each layer is blurred by its circle of confusion, coc = aperture · frame height ·
/// |depth − focus| pixels (a thin-lens stand-in in parallax depth: 0 = the far sky, 1 = the characters' plane), with a
/// circular-aperture bokeh gather (<see cref="BokehCells.Gather"/>). Layers are premultiplied, so a blurred character's
/// edge turns semi-transparent and shows what is behind it when composited. A pinhole (aperture 0) leaves layers as they are.
/// </summary>
public static class DepthOfField
{
    /// <summary>The largest circle of confusion, as a fraction of the frame height (keeps the gather bounded).</summary>
    public const float MaxCocFraction = 0.04f;

    static readonly float[] Spiral = BokehCells.Disc(BokehCells.MaxSamples);

    /// <summary>Circle of confusion (pixels) of depth <paramref name="depth"/> for a frame <paramref name="height"/> pixels high.</summary>
    public static float Coc(float depth, CameraState camera, int height)
    {
        if (!(camera.Aperture > 0) || !double.IsFinite(camera.Aperture) || !double.IsFinite(camera.Focus)) return 0f;
        float r = (float)(camera.Aperture * height * Math.Abs(depth - camera.Focus));
        return Math.Min(r, MaxCocFraction * height);
    }

    /// <summary>Whether the camera asks for depth of field at all.</summary>
    public static bool Active(CameraState camera) => camera.Aperture > 0 && double.IsFinite(camera.Aperture) && double.IsFinite(camera.Focus);

    /// <summary>A layer at one depth (a character) through the lens.</summary>
    public static RgbaImage Layer(RgbaImage layer, float depth, CameraState camera)
    {
        ArgumentNullException.ThrowIfNull(layer);
        float r = Coc(depth, camera, layer.Height);
        if (r < 0.5f) return layer;
        var coc = new float[layer.PixelCount];
        Array.Fill(coc, r);
        return Apply(layer, coc);
    }

    /// <summary>A layer with a depth per pixel (the background) through the lens.</summary>
    public static RgbaImage Layer(RgbaImage layer, float[] depth, CameraState camera)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(depth);
        if (depth.Length != layer.PixelCount) throw new ArgumentException($"depth map holds {depth.Length} pixels, the layer {layer.PixelCount}", nameof(depth));
        if (!Active(camera)) return layer;
        var coc = new float[depth.Length];
        for (int i = 0; i < coc.Length; i++) coc[i] = Coc(depth[i], camera, layer.Height);
        return Apply(layer, coc);
    }

    /// <summary>The gather with a circle of confusion (pixels) per pixel, on the current compute device.</summary>
    public static RgbaImage Apply(RgbaImage layer, float[] coc)
    {
        if (Talos.Gpu.Kernels.ComputeDevice.Current.Accelerator is { } gpu) return IlgpuDepthOfField.Apply(gpu, layer, coc);
        return ApplyCpu(layer, coc);
    }

    /// <summary>The CPU path: rows in parallel, each pixel through <see cref="BokehCells.Gather"/>.</summary>
    public static RgbaImage ApplyCpu(RgbaImage layer, float[] coc)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(coc);
        int n = layer.PixelCount, w = layer.Width;
        var planes = Pack(layer);
        var dst = new float[4 * n];
        var shape = new BokehShape { W = w, H = layer.Height, N = n, Samples = BokehCells.MaxSamples };
        var (hp, hc, hd) = (new HostField(planes), new HostField(coc), new HostField(Spiral));
        Parallel.For(0, layer.Height, y =>
        {
            for (int x = 0, p = y * w; x < w; x++, p++)
            {
                var o = BokehCells.Gather(x, y, hp, hc, hd, shape);
                dst[p] = o.R; dst[p + n] = o.G; dst[p + 2 * n] = o.B; dst[p + 3 * n] = o.A;
            }
        });
        return Unpack(dst, w, layer.Height);
    }

    internal static float[] SpiralTable => Spiral;

    internal static float[] Pack(RgbaImage img)
    {
        int n = img.PixelCount;
        var planes = new float[4 * n];
        img.R.CopyTo(planes, 0); img.G.CopyTo(planes, n); img.B.CopyTo(planes, 2 * n); img.A.CopyTo(planes, 3 * n);
        return planes;
    }

    internal static RgbaImage Unpack(float[] planes, int w, int h)
    {
        var o = new RgbaImage(w, h);
        int n = o.PixelCount;
        Array.Copy(planes, 0, o.R, 0, n); Array.Copy(planes, n, o.G, 0, n); Array.Copy(planes, 2 * n, o.B, 0, n); Array.Copy(planes, 3 * n, o.A, 0, n);
        return o;
    }
}
