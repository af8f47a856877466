using Talos.Gpu.Aether;
using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Raygen;

public static partial class Lighting
{
    /// <summary>Straight-colour luma under which a painted pixel counts as ink (a line between regions).</summary>
    public const float InkLuma = 0.012f;

    /// <summary>Ambient occlusion in the deepest crease (where two regions meet), as a share of the ambient and fill.</summary>
    public const float AoFloor = 0.45f;

    /// <summary>
    /// 2.5D shading of a flat-coloured layer: the layer times its light map (<see cref="LightMap"/>). Alpha is unchanged
    /// and dark ink stays dark.
    /// </summary>
    public static RgbaImage LightLayer(RgbaImage layer, LightRig light) => Apply(layer, LightMap(layer, light));

    /// <summary>
    /// The layer's light map: per pixel, the light (RGB, linear, may exceed 1 under a strong key or rim) its paint
    /// receives, with the layer's alpha. Normals come from the region shapes: the distance of each painted pixel to
    /// the nearest ink line or silhouette edge (an exact Euclidean distance transform) is turned into a rounded bevel
    /// <see cref="BevelWidth"/> pixels wide, so every region — a sleeve, a face, a shoe — bulges on its own, and the
    /// creases between them get ambient occlusion. Only the box around the alpha is computed.
    /// </summary>
    public static RgbaImage LightMap(RgbaImage layer, LightRig light)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(light);
        if (Talos.Gpu.Kernels.ComputeDevice.Current.Accelerator is { } gpu) return IlgpuLighting.LightMap(gpu, layer, light);
        return LightMapCpu(layer, light);
    }

    /// <summary>The paint of <paramref name="layer"/> times the light of <paramref name="map"/> (alpha kept).</summary>
    public static RgbaImage Apply(RgbaImage layer, RgbaImage map)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(map);
        if (map.Width != layer.Width || map.Height != layer.Height) throw new ArgumentException("light map and layer differ in size", nameof(map));
        var o = layer.Clone();
        if (!AlphaBounds.Find(layer, out var box)) return o;
        Parallel.For(box.Y0, box.Y1, y =>
        {
            for (int x = box.X0, p = y * layer.Width + box.X0; x < box.X1; x++, p++)
            {
                if (layer.A[p] <= 0f) continue;
                o.R[p] = layer.R[p] * map.R[p]; o.G[p] = layer.G[p] * map.G[p]; o.B[p] = layer.B[p] * map.B[p];
            }
        });
        return o;
    }

    /// <summary>The widest bevel (pixels) of a layer of this height: regions up to twice this wide are domed all across.</summary>
    public static int BevelWidth(int height) => Math.Max(2, (int)MathF.Round(height * 0.06f));

    /// <summary>How far (pixels) from a crease ambient occlusion reaches, for a layer of this height (a third of the widest bevel).</summary>
    public static float AoReach(int height) => MathF.Max(1.5f, BevelWidth(height) / 3f);

    /// <summary>The shading numbers of a light rig for a given reach of ambient occlusion.</summary>
    internal static ShadeRig Rig(LightRig light, float aoReach)
    {
        var (lx, ly, lz) = light.KeyVector;
        var (fx, fy, fz) = light.FillVector;
        float lxy = MathF.Sqrt(lx * lx + ly * ly);
        var key = light.KeyColour * light.KeyIntensity;
        var rim = light.RimColour * light.RimIntensity;
        var fill = light.FillColour * light.FillIntensity;
        return new ShadeRig
        {
            Lx = lx, Ly = ly, Lz = lz, Rx = lxy > 0f ? lx / lxy : 0f, Ry = lxy > 0f ? ly / lxy : 0f, Fx = fx, Fy = fy, Fz = fz,
            AoReach = aoReach, AoFloor = AoFloor,
            AmbR = light.Ambient.R, AmbG = light.Ambient.G, AmbB = light.Ambient.B,
            KeyR = key.R, KeyG = key.G, KeyB = key.B, RimR = rim.R, RimG = rim.G, RimB = rim.B, FillR = fill.R, FillG = fill.G, FillB = fill.B,
        };
    }

    /// <summary>
    /// The bevelled height field (pixels) over the box. Regions are the 4-connected runs of paint between ink lines and the
    /// silhouette; in each, d = distance to the nearest edge (exact Euclidean distance transform) and the region's own
    /// reach R = min(its largest d, <paramref name="bevel"/>); height = R·√(1 − (1 − min(d/R, 1))²): a quarter-round that
    /// rises steeply at the region's edge and crowns at its middle (or flattens on top past the bevel in a wide region),
    /// so a thin sleeve and a broad coat are both rounded. Softened by two box passes (radius a tenth of the bevel) so the
    /// spokes of a discrete distance transform around a region's middle do not show in the light.
    /// </summary>
    internal static (float[] Height, float[] Crease) BevelHeight(RgbaImage layer, AlphaBounds box, int bevel)
    {
        int w = layer.Width, bw = box.Width, bh = box.Height, n = bw * bh;
        var edge = new bool[n];
        for (int j = 0; j < bh; j++)
            for (int i = 0; i < bw; i++)
            {
                int p = (box.Y0 + j) * w + box.X0 + i;
                float a = layer.A[p];
                edge[j * bw + i] = a < 0.5f || ColorMath.Luma(layer.R[p] / a, layer.G[p] / a, layer.B[p] / a) < InkLuma;
            }
        var d = DistanceTransform.Compute(edge, bw, bh, 4f * bevel);

        // Label the regions (CHROMA's 4-connected components, deterministic) and find each one's reach.
        var paper = new bool[n];
        for (int q = 0; q < n; q++) paper[q] = !edge[q];
        var label = Talos.Gpu.Chroma.RegionLabeller.Components(paper, bw, bh, out int regions);
        var reach = new float[regions + 1];
        for (int q = 0; q < n; q++) if (label[q] != 0) reach[label[q]] = MathF.Max(reach[label[q]], d[q]);
        for (int r = 1; r <= regions; r++) reach[r] = MathF.Max(1f, MathF.Min(reach[r], bevel));
        var height = new float[n];
        for (int q = 0; q < n; q++)
        {
            if (edge[q]) continue;
            float r = reach[label[q]], t = 1f - MathF.Min(d[q] / r, 1f);
            height[q] = r * MathF.Sqrt(1f - t * t);
        }
        BoxBlur.Blur(height, bw, bh, Math.Max(1, bevel / 10), 2);
        // Distance to the nearest crease (ink line or silhouette), capped at the bevel: what ambient occlusion reads.
        for (int q = 0; q < n; q++) d[q] = MathF.Min(d[q], bevel);
        return (height, d);
    }

    /// <summary>The CPU path of <see cref="LightMap"/>: rows of the alpha's box in parallel.</summary>
    public static RgbaImage LightMapCpu(RgbaImage layer, LightRig light)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(light);
        var map = FramePool.Rent(layer.Width, layer.Height);
        if (!AlphaBounds.Find(layer, out var tight)) return map;
        int w = layer.Width;
        int bevel = BevelWidth(layer.Height);
        var box = tight.Grow(2, w, layer.Height);
        int bw = box.Width, bh = box.Height;
        var (height, crease) = BevelHeight(layer, box, bevel);
        var rig = Rig(light, AoReach(layer.Height));
        Parallel.For(tight.Y0, tight.Y1, y =>
        {
            int j = y - box.Y0;
            for (int x = tight.X0; x < tight.X1; x++)
            {
                int p = y * w + x;
                if (layer.A[p] <= 0f) continue;
                int i = x - box.X0, b = j * bw + i;
                // Central differences of the height (one-sided where the box meets the image edge).
                int l = i > 0 ? b - 1 : b, r0 = i < bw - 1 ? b + 1 : b, u = j > 0 ? b - bw : b, d = j < bh - 1 ? b + bw : b;
                var lit = ShadeCells.Shade(ShadeCells.GradX(height[l], height[r0]), ShadeCells.GradX(height[u], height[d]), crease[b], rig);
                map.R[p] = lit.R; map.G[p] = lit.G; map.B[p] = lit.B; map.A[p] = layer.A[p];
            }
        });
        return map;
    }

    /// <summary>The CPU path of <see cref="LightLayer"/>.</summary>
    public static RgbaImage LightLayerCpu(RgbaImage layer, LightRig light) => Apply(layer, LightMapCpu(layer, light));
}
