using System.Buffers;
using Talos.Gpu.Aether;
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Raygen;

public static partial class Lighting
{
    /// <summary>Wrap of the diffuse term: surfaces turned up to this far past the terminator still catch some key.</summary>
    const float Wrap = 0.4f;

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
        var o = layer.Clone();
        if (!AlphaBounds.Find(layer, out var tight)) return o;
        int w = layer.Width;
        int radius = Math.Max(2, (int)MathF.Round(layer.Height * 0.022f));
        var box = tight.Grow(2 * radius + 1, w, layer.Height);
        int bw = box.Width, bh = box.Height;
        var blurred = ArrayPool<float>.Shared.Rent(bw * bh);
        try
        {
            for (int j = 0; j < bh; j++)
                Array.Copy(layer.A, (box.Y0 + j) * w + box.X0, blurred, j * bw, bw);
            BoxBlur.Blur(blurred, bw, bh, radius, 2);

            var (lx, ly, lz) = light.KeyVector;
            float lxy = MathF.Sqrt(lx * lx + ly * ly);
            float rx = lxy > 0f ? lx / lxy : 0f, ry = lxy > 0f ? ly / lxy : 0f;
            float bulge = 3.5f * radius;
            var key = light.KeyColour * light.KeyIntensity;
            var rim = light.RimColour * light.RimIntensity;
            var ambient = light.Ambient;
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
                    float gx = (blurred[r0] - blurred[l]) * 0.5f, gy = (blurred[d] - blurred[u]) * 0.5f;
                    float nx = -gx * bulge, ny = -gy * bulge;
                    float inv = 1f / MathF.Sqrt(nx * nx + ny * ny + 1f);
                    nx *= inv; ny *= inv;
                    float nz = inv;
                    float ndl = nx * lx + ny * ly + nz * lz;
                    float diffuse = MathF.Max(0f, (ndl + Wrap) / (1f + Wrap));
                    float edge = SceneFrame.Smooth(0.15f, 0.55f, 1f - nz);
                    float facing = MathF.Max(0f, nx * rx + ny * ry) / MathF.Max(1e-4f, MathF.Sqrt(nx * nx + ny * ny));
                    float r = edge * facing;
                    o.R[p] = layer.R[p] * (ambient.R + key.R * diffuse + rim.R * r);
                    o.G[p] = layer.G[p] * (ambient.G + key.G * diffuse + rim.G * r);
                    o.B[p] = layer.B[p] * (ambient.B + key.B * diffuse + rim.B * r);
                }
            });
        }
        finally
        {
            ArrayPool<float>.Shared.Return(blurred);
        }
        return o;
    }
}
