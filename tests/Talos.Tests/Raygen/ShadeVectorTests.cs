using System.Numerics;
using Talos.Gpu.Aether;
using Talos.Gpu.Chroma;
using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;
using Talos.Gpu.Raygen;
using Xunit;
using static Talos.Tests.Support.BitAssert;

namespace Talos.Tests.Raygen;

/// <summary>
/// The light map's CPU rows in vectors (issue 19): every lane is <see cref="ShadeCells.Shade"/>'s scalar result to the
/// bit, and the whole light map is the per-pixel map written out here (masks, distance transform, regions, heights, blur,
/// crease, shading), to the bit — odd widths (vector tails), boxes on the image's edge (one-sided differences), transparent
/// spans, NaN and negative alpha.
/// </summary>
public sealed class ShadeVectorTests
{
    static ShadeRig RandomRig(Random rng, bool zero)
    {
        float F(double lo, double hi) => zero ? 0f : (float)(lo + (hi - lo) * rng.NextDouble());
        return new ShadeRig
        {
            Lx = F(-1, 1), Ly = F(-1, 1), Lz = F(-1, 1), Rx = F(-1, 1), Ry = F(-1, 1), Fx = F(-1, 1), Fy = F(-1, 1), Fz = F(-1, 1),
            AoReach = zero ? 1.5f : F(0.5, 8), AoFloor = F(0, 1),
            AmbR = F(0, 1), AmbG = F(0, 1), AmbB = F(0, 1), KeyR = F(0, 3), KeyG = F(0, 3), KeyB = F(0, 3),
            RimR = F(0, 2), RimG = F(0, 2), RimB = F(0, 2), FillR = F(0, 1), FillG = F(0, 1), FillB = F(0, 1),
        };
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, true)] // an all-zero rig: the signs of zeros reach the result
    public void Every_lane_is_the_scalar_shade_to_the_bit(int seed, bool zeroRig)
    {
        var rng = new Random(seed);
        int lanes = Vector<float>.Count;
        float[] specials = [0f, -0f, 1e-30f, -1e-30f, 1e-4f, 0.5f, -0.5f, 1f, 3e4f, -3e4f, 1e-8f];
        var rigs = new[] { RandomRig(rng, zeroRig), Lighting.Rig(AetherPresets.Lighting("key-left"), Lighting.AoReach(720)),
            Lighting.Rig(AetherPresets.Lighting("moody"), Lighting.AoReach(45)) };
        foreach (var rig in rigs)
            for (int round = 0; round < 400; round++)
            {
                float[] gx = new float[lanes], gy = new float[lanes], crease = new float[lanes];
                for (int k = 0; k < lanes; k++)
                {
                    gx[k] = rng.Next(4) == 0 ? specials[rng.Next(specials.Length)] : (float)((rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-3, 3)));
                    gy[k] = rng.Next(4) == 0 ? specials[rng.Next(specials.Length)] : (float)((rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-3, 3)));
                    crease[k] = rng.Next(5) == 0 ? specials[rng.Next(specials.Length)] : (float)(rng.NextDouble() * 2.5 * rig.AoReach - 0.2);
                }
                ShadeVectors.Shade(new Vector<float>(gx), new Vector<float>(gy), new Vector<float>(crease), rig, out var r, out var g, out var b);
                for (int k = 0; k < lanes; k++)
                {
                    var s = ShadeCells.Shade(gx[k], gy[k], crease[k], rig);
                    Assert.Equal(BitConverter.SingleToUInt32Bits(s.R), BitConverter.SingleToUInt32Bits(r[k]));
                    Assert.Equal(BitConverter.SingleToUInt32Bits(s.G), BitConverter.SingleToUInt32Bits(g[k]));
                    Assert.Equal(BitConverter.SingleToUInt32Bits(s.B), BitConverter.SingleToUInt32Bits(b[k]));
                }
            }
    }

    static RgbaImage Figure(int w, int h, int seed)
    {
        var rng = new Random(seed);
        var img = new RgbaImage(w, h);
        int cx = w / 2, cy = h / 2;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int p = y * w + x;
                float dx = (x - cx) / (w * 0.42f), dy = (y - cy) / (h * 0.45f);
                if (dx * dx + dy * dy > 1f) continue;
                if (y % 7 == 3 && x % 23 < 11) continue; // transparent spans inside the figure
                bool ink = (x * 3 + y) % 13 == 0 || Math.Abs(x - cx) < 1;
                float a = (float)(0.3 + 0.7 * rng.NextDouble());
                (img.R[p], img.G[p], img.B[p], img.A[p]) = ink ? (0.002f * a, 0.002f * a, 0.003f * a, a) : (0.7f * a, 0.45f * a, 0.3f * a, a);
            }
        img.A[(h / 2) * w + 3] = float.NaN; img.A[(h / 2 + 1) * w + 4] = -0.5f; // NaN is shaded (not at or below zero), −0.5 is not
        img.A[0] = 0.8f; img.R[0] = 0.5f; // paint in the image's corner: the box on its edge
        return img;
    }

    /// <summary>The light map as it was computed pixel by pixel, written out (the reference).</summary>
    static RgbaImage ScalarLightMap(RgbaImage layer, LightRig light)
    {
        int w = layer.Width, h = layer.Height;
        var map = new RgbaImage(w, h);
        Assert.True(AlphaBounds.Find(layer, out var tight));
        int bevel = Lighting.BevelWidth(h);
        var box = tight.Grow(2, w, h);
        int bw = box.Width, bh = box.Height, n = bw * bh;
        var edge = new bool[n];
        var paper = new bool[n];
        for (int j = 0; j < bh; j++)
            for (int i = 0; i < bw; i++)
            {
                int p = (box.Y0 + j) * w + box.X0 + i;
                float a = layer.A[p];
                bool e = a < 0.5f || ColorMath.Luma(layer.R[p] / a, layer.G[p] / a, layer.B[p] / a) < Lighting.InkLuma;
                edge[j * bw + i] = e; paper[j * bw + i] = !e;
            }
        var d = DistanceTransform.Compute(edge, bw, bh, 4f * bevel);
        var labels = new int[n];
        RegionLabeller.Components(paper, bw, bh, labels, out int regions);
        var reach = new float[regions + 1];
        for (int q = 0; q < n; q++) if (labels[q] != 0) reach[labels[q]] = MathF.Max(reach[labels[q]], d[q]);
        for (int r = 1; r <= regions; r++) reach[r] = MathF.Max(1f, MathF.Min(reach[r], bevel));
        var height = new float[n];
        for (int q = 0; q < n; q++)
        {
            if (edge[q]) { height[q] = 0f; continue; }
            float r = reach[labels[q]], t = 1f - MathF.Min(d[q] / r, 1f);
            height[q] = r * MathF.Sqrt(1f - t * t);
        }
        BoxBlur.Blur(height, bw, bh, Math.Max(1, bevel / 10), 2);
        for (int q = 0; q < n; q++) d[q] = MathF.Min(d[q], bevel);
        var rig = Lighting.Rig(light, Lighting.AoReach(h));
        for (int y = tight.Y0; y < tight.Y1; y++)
            for (int x = tight.X0; x < tight.X1; x++)
            {
                int p = y * w + x;
                if (layer.A[p] <= 0f) continue;
                int i = x - box.X0, j = y - box.Y0, b = j * bw + i;
                int l = i > 0 ? b - 1 : b, r0 = i < bw - 1 ? b + 1 : b, u = j > 0 ? b - bw : b, dn = j < bh - 1 ? b + bw : b;
                var lit = ShadeCells.Shade(ShadeCells.GradX(height[l], height[r0]), ShadeCells.GradX(height[u], height[dn]), d[b], rig);
                map.R[p] = lit.R; map.G[p] = lit.G; map.B[p] = lit.B; map.A[p] = layer.A[p];
            }
        return map;
    }

    [Theory]
    [InlineData(61, 45, 1, "key-left")]
    [InlineData(128, 72, 2, "sunset")]
    [InlineData(203, 160, 3, "moody")]
    [InlineData(9, 40, 4, "key-left")] // narrower than two vectors
    public void The_light_map_in_vector_rows_is_the_per_pixel_map_to_the_bit(int w, int h, int seed, string rig)
    {
        var layer = Figure(w, h, seed);
        var light = AetherPresets.Lighting(rig);
        var expected = ScalarLightMap(layer, light);
        var map = Lighting.LightMapCpu(layer, light);
        SameBits(expected, map);
        // and the shading did something: the map is not one colour over the paint
        var lit = Enumerable.Range(0, w * h).Where(p => layer.A[p] > 0f).Select(p => map.R[p]).Distinct().Count();
        Assert.True(lit > 3, $"{lit} distinct lights");
    }

    [Theory]
    [InlineData(61, 45, 1, "key-left")]
    [InlineData(128, 72, 2, "sunset")]
    [InlineData(203, 160, 3, "moody")]
    [InlineData(9, 40, 4, "key-left")] // narrower than two vectors
    public void The_layer_lit_from_rows_of_light_is_the_light_map_applied_to_the_bit(int w, int h, int seed, string rig)
    {
        var figure = Figure(w, h, seed);
        var light = AetherPresets.Lighting(rig);
        Assert.True(AlphaBounds.Find(figure, out var tight));
        var expected = figure.Clone();
        Lighting.ApplyInPlace(expected, Lighting.LightMapCpu(figure, light), tight, null, out _);
        var layer = figure.Clone();
        Lighting.LightInPlace(layer, light, tight);
        SameBits(expected, layer);
        Assert.Contains(Enumerable.Range(0, w * h), p => figure.A[p] > 0f && layer.R[p] != figure.R[p]); // lit, not copied
        // a decoded layer: encoded in its stored box (RAYGEN's), the same bytes as in Apply's non-zero box
        var decoded = FrameCodec.DecodeRgba(FrameCodec.EncodeRgba(figure), out var stored);
        Assert.True(AlphaBounds.Find(decoded, stored, out var decodedTight));
        var decodedExpected = decoded.Clone();
        Lighting.ApplyInPlace(decodedExpected, Lighting.LightMapCpu(decoded, light), decodedTight, stored, out var expectedBox);
        Lighting.LightInPlace(decoded, light, decodedTight);
        SameBits(decodedExpected, decoded);
        Assert.Equal(FrameCodec.EncodeRgba(decodedExpected, new FrameCodec.Box(expectedBox.X0, expectedBox.Y0, expectedBox.Width, expectedBox.Height)),
            FrameCodec.EncodeRgba(decoded, stored));
        // no paint: untouched
        var bare = new RgbaImage(w, h);
        bare.G[2 * w + 3] = 0.5f;
        Lighting.LightInPlace(bare, light, null);
        Assert.Equal(0.5f, bare.G[2 * w + 3]);
    }

    [Fact]
    public void A_row_leaves_every_pixel_without_paint_as_it_was()
    {
        int w = 40, h = 12;
        var layer = Figure(w, h, 5);
        var box = new AlphaBounds(0, 0, w, h);
        var rng = new Random(5);
        var height = Enumerable.Range(0, w * h).Select(_ => (float)(rng.NextDouble() * 6)).ToArray();
        var crease = Enumerable.Range(0, w * h).Select(_ => (float)(rng.NextDouble() * 4)).ToArray();
        var map = new RgbaImage(w, h);
        Array.Fill(map.R, 7f); Array.Fill(map.G, 7f); Array.Fill(map.B, 7f); Array.Fill(map.A, 7f);
        var rig = Lighting.Rig(AetherPresets.Lighting("key-left"), 2f);
        for (int y = 0; y < h; y++) Lighting.ShadeRow(layer, map, height, crease, box, y, 0, w, rig);
        for (int p = 0; p < w * h; p++)
        {
            if (!(layer.A[p] <= 0f)) // shaded, a NaN alpha too (as the scalar pixel is)
            {
                Assert.Equal(BitConverter.SingleToUInt32Bits(layer.A[p]), BitConverter.SingleToUInt32Bits(map.A[p]));
                Assert.NotEqual(7f, map.R[p]);
            }
            else { Assert.Equal(7f, map.R[p]); Assert.Equal(7f, map.A[p]); }
        }
    }
}
