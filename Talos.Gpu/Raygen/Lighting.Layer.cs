using Talos.Gpu.Aether;
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Raygen;

public static partial class Lighting
{
    /// <summary>
    /// 2.5D shading of a flat-coloured layer. A pseudo-normal comes from the gradient of the blurred alpha (shapes bulge
    /// towards the viewer away from their silhouette); light = ambient + key·wrapped(n·l) + a rim on edges that face
    /// the key. The premultiplied colour is multiplied by that light, so alpha is unchanged and dark ink stays dark.
    /// Only the bounding box of the alpha is shaded.
    /// </summary>
    public static RgbaImage LightLayer(RgbaImage layer, LightRig light)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(light);
        if (Talos.Gpu.Kernels.ComputeDevice.Current.Accelerator is { } gpu) return IlgpuLighting.LightLayer(gpu, layer, light);
        return LightLayerCpu(layer, light);
    }

    /// <summary>The blur radius of the pseudo-normal (pixels) for a layer of this height.</summary>
    internal static int ShadeRadius(int height) => Math.Max(2, (int)MathF.Round(height * 0.022f));

    /// <summary>The shading numbers of a light rig for a given blur radius.</summary>
    internal static ShadeRig Rig(LightRig light, int radius)
    {
        var (lx, ly, lz) = light.KeyVector;
        float lxy = MathF.Sqrt(lx * lx + ly * ly);
        var key = light.KeyColour * light.KeyIntensity;
        var rim = light.RimColour * light.RimIntensity;
        return new ShadeRig
        {
            Lx = lx, Ly = ly, Lz = lz, Rx = lxy > 0f ? lx / lxy : 0f, Ry = lxy > 0f ? ly / lxy : 0f, Bulge = 3.5f * radius,
            AmbR = light.Ambient.R, AmbG = light.Ambient.G, AmbB = light.Ambient.B,
            KeyR = key.R, KeyG = key.G, KeyB = key.B, RimR = rim.R, RimG = rim.G, RimB = rim.B,
        };
    }

    /// <summary>The blurred alpha over the box around the layer's alpha (the pseudo-normal's height field).</summary>
    internal static float[] BlurredAlpha(RgbaImage layer, AlphaBounds box, int radius)
    {
        int w = layer.Width, bw = box.Width, bh = box.Height;
        var blurred = new float[bw * bh];
        for (int j = 0; j < bh; j++)
            Array.Copy(layer.A, (box.Y0 + j) * w + box.X0, blurred, j * bw, bw);
        BoxBlur.Blur(blurred, bw, bh, radius, 2);
        return blurred;
    }

    /// <summary>The CPU path: rows of the alpha's box in parallel.</summary>
    public static RgbaImage LightLayerCpu(RgbaImage layer, LightRig light)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(light);
        var o = layer.Clone();
        if (!AlphaBounds.Find(layer, out var tight)) return o;
        int w = layer.Width;
        int radius = ShadeRadius(layer.Height);
        var box = tight.Grow(2 * radius + 1, w, layer.Height);
        int bw = box.Width, bh = box.Height;
        var blurred = BlurredAlpha(layer, box, radius);
        var rig = Rig(light, radius);
        Parallel.For(tight.Y0, tight.Y1, y =>
        {
            int j = y - box.Y0;
            for (int x = tight.X0; x < tight.X1; x++)
            {
                int p = y * w + x;
                if (layer.A[p] <= 0f) continue;
                int i = x - box.X0, b = j * bw + i;
                // Central differences of the blurred alpha (one-sided where the box meets the image edge).
                int l = i > 0 ? b - 1 : b, r0 = i < bw - 1 ? b + 1 : b, u = j > 0 ? b - bw : b, d = j < bh - 1 ? b + bw : b;
                var light3 = ShadeCells.Shade(ShadeCells.GradX(blurred[l], blurred[r0]), ShadeCells.GradX(blurred[u], blurred[d]), rig);
                o.R[p] = layer.R[p] * light3.R;
                o.G[p] = layer.G[p] * light3.G;
                o.B[p] = layer.B[p] * light3.B;
            }
        });
        return o;
    }
}
