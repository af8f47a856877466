using Talos.Gpu.Aether;
using Talos.Gpu.Anima;
using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;
using Talos.Gpu.Raygen;
using Talos.Tests.Support;
using Xunit;
using static Talos.Tests.Support.BitAssert;

namespace Talos.Tests.Raygen;

/// <summary>
/// RAYGEN's and ANIMA's per-frame work in the characters' boxes (issue 19): every box-limited path gives the same bits as
/// the whole-frame way it replaced (written out here as the reference), including odd widths (vector tails), colour
/// under zero alpha, −0 and pixels on the image's edge.
/// </summary>
public sealed class BoxWorkTests
{
    static RgbaImage Figure(int w, int h, int seed)
    {
        var rng = new Random(seed);
        var img = new RgbaImage(w, h);
        int cx = w / 2, cy = h / 2;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int p = y * w + x;
                float dx = (x - cx) / (w * 0.3f), dy = (y - cy) / (h * 0.35f);
                if (dx * dx + dy * dy > 1f) continue;
                bool ink = (x + y) % 11 == 0 || Math.Abs(x - cx) < 1; // lines between regions
                float a = (float)(0.6 + 0.4 * rng.NextDouble());
                (img.R[p], img.G[p], img.B[p], img.A[p]) = ink ? (0.001f * a, 0.001f * a, 0.001f * a, a) : (0.7f * a, 0.4f * a, 0.3f * a, a);
            }
        // colour under zero alpha, a negative zero and paint on the frame's edge: copied as they are
        img.R[1 * w + 1] = 0.25f;
        img.G[(h - 1) * w + (w - 2)] = -0f;
        img.A[(h - 2) * w + (w - 1)] = 0.5f; img.R[(h - 2) * w + (w - 1)] = 0.3f;
        return img;
    }

    [Theory]
    [InlineData(61, 45, 1)]
    [InlineData(128, 72, 2)]
    public void The_lit_layer_in_its_box_is_the_whole_frame_product_to_the_bit(int w, int h, int seed)
    {
        var layer = Figure(w, h, seed);
        var light = AetherPresets.Lighting("key-left");
        var map = Lighting.LightMapCpu(layer, light);
        // the reference: a whole copy, then paint × light where alpha > 0
        var expected = new RgbaImage(w, h);
        layer.R.CopyTo(expected.R, 0); layer.G.CopyTo(expected.G, 0); layer.B.CopyTo(expected.B, 0); layer.A.CopyTo(expected.A, 0);
        for (int p = 0; p < w * h; p++)
            if (layer.A[p] > 0f) { expected.R[p] = layer.R[p] * map.R[p]; expected.G[p] = layer.G[p] * map.G[p]; expected.B[p] = layer.B[p] * map.B[p]; }
        SameBits(expected, Lighting.Apply(layer, map));
        Assert.True(AlphaBounds.Find(layer, out var tight));
        SameBits(map, Lighting.LightMap(layer, light, tight));
        var lit = Lighting.Apply(layer, map, tight, out var written);
        SameBits(expected, lit);
        // everything outside the written box is zero bits
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                if (x < written.X0 || x >= written.X1 || y < written.Y0 || y >= written.Y1)
                    Assert.Equal(0u, BitConverter.SingleToUInt32Bits(lit.R[y * w + x]) | BitConverter.SingleToUInt32Bits(lit.G[y * w + x])
                        | BitConverter.SingleToUInt32Bits(lit.B[y * w + x]) | BitConverter.SingleToUInt32Bits(lit.A[y * w + x]));
    }

    [Theory]
    [InlineData(61, 45, 1)]
    [InlineData(128, 72, 2)]
    public void The_layer_lit_in_place_is_the_whole_frame_product_to_the_bit(int w, int h, int seed)
    {
        var figure = Figure(w, h, seed);
        var light = AetherPresets.Lighting("key-left");
        var map = Lighting.LightMapCpu(figure, light);
        // the reference: a whole copy, then paint × light where alpha > 0 (written out, not Apply's rows)
        var expected = figure.Clone();
        for (int p = 0; p < w * h; p++)
            if (figure.A[p] > 0f) { expected.R[p] = figure.R[p] * map.R[p]; expected.G[p] = figure.G[p] * map.G[p]; expected.B[p] = figure.B[p] * map.B[p]; }
        Assert.True(AlphaBounds.Find(figure, out var tight));
        Assert.True(AlphaBounds.NonZero(figure, out var nonZero));
        var layer = figure.Clone();
        Lighting.ApplyInPlace(layer, map, tight, null, out var written);
        SameBits(expected, layer);
        Assert.Equal(nonZero, written);
        // a decoded layer, searched in its stored box: the same pixels and box as Apply's fresh image
        figure.R[1 * w + 1] = 0f;
        var decoded = FrameCodec.DecodeRgba(FrameCodec.EncodeRgba(figure), out var stored);
        var fresh = Lighting.Apply(decoded, map, tight, stored, out var freshBox);
        Lighting.ApplyInPlace(decoded, map, tight, stored, out var inPlaceBox);
        SameBits(fresh, decoded);
        Assert.Equal(freshBox, inPlaceBox);
        // no paint: the layer untouched, its non-zero box still found
        var bare = new RgbaImage(w, h);
        bare.G[2 * w + 3] = 0.5f;
        Lighting.ApplyInPlace(bare, map, null, null, out var bareBox);
        Assert.Equal(new AlphaBounds(3, 2, 4, 3), bareBox);
        Assert.Equal(0.5f, bare.G[2 * w + 3]);
    }

    [Fact]
    public void The_non_zero_box_holds_every_set_bit_and_the_sparse_copy_is_the_copy()
    {
        var img = Figure(53, 40, 3);
        Assert.True(AlphaBounds.NonZero(img, out var box));
        Assert.Equal(new AlphaBounds(1, 1, 53, 40), box); // the stray colour at (1, 1), the −0 on the last row, the edge pixel
        SameBits(img.Clone(), AlphaBounds.SparseClone(img, out var written));
        Assert.True(written.Width > 0 && written.Height > 0);
        Assert.Equal(box, written);
        Assert.False(AlphaBounds.NonZero(new RgbaImage(9, 7), out _));
        var lone = new RgbaImage(9, 7);
        lone.B[3 * 9 + 4] = -0f;
        Assert.True(AlphaBounds.NonZero(lone, out var one));
        Assert.Equal(new AlphaBounds(4, 3, 5, 4), one);
    }

    [Theory]
    [InlineData(53, 40, 3)]
    [InlineData(96, 64, 5)]
    public void Searches_in_a_decoded_layer_s_stored_box_find_what_the_whole_frame_searches_find(int w, int h, int seed)
    {
        var figure = Figure(w, h, seed);
        figure.R[1 * w + 1] = 0f; // no stray colour: a layer CHROMA would store in a box smaller than the frame
        var layer = FrameCodec.DecodeRgba(FrameCodec.EncodeRgba(figure), out var stored);
        Assert.True(stored.Count < w * h);
        Assert.True(AlphaBounds.Find(layer, out var whole));
        Assert.True(AlphaBounds.Find(layer, stored, out var boxed));
        Assert.Equal(whole, boxed);
        Assert.True(AlphaBounds.NonZero(layer, out var nonZero));
        Assert.True(AlphaBounds.NonZero(layer, stored, out var nonZeroBoxed));
        Assert.Equal(nonZero, nonZeroBoxed);
        SameBits(AlphaBounds.SparseClone(layer, out _), AlphaBounds.SparseClone(layer, stored, out var written));
        Assert.Equal(nonZero, written);
        var map = Lighting.LightMap(layer, AetherPresets.Lighting("key-left"), whole);
        SameBits(Lighting.Apply(layer, map, whole, out var w1), Lighting.Apply(layer, map, whole, stored, out var w2));
        Assert.Equal(w1, w2);
        // an empty stored box: nothing found
        var empty = FrameCodec.DecodeRgba(FrameCodec.EncodeRgba(new RgbaImage(w, h)), out var none);
        Assert.False(AlphaBounds.Find(empty, none, out _));
        Assert.False(AlphaBounds.NonZero(empty, none, out _));
        // alpha that is NaN or negative is not "above zero"; +∞ is
        var odd = new RgbaImage(w, h);
        odd.A[2 * w + 3] = float.NaN; odd.A[3 * w + 4] = -1f; odd.A[4 * w + 7] = float.PositiveInfinity;
        Assert.True(AlphaBounds.Find(odd, out var oddWhole));
        Assert.True(AlphaBounds.Find(odd, new FrameCodec.Box(0, 0, w, h), out var oddBoxed));
        Assert.Equal(new AlphaBounds(7, 4, 8, 5), oddWhole);
        Assert.Equal(oddWhole, oddBoxed);
    }

    [Theory]
    [InlineData(53, 40, 3)]
    [InlineData(5, 9, 2)] // narrower than a vector: every column on its own
    [InlineData(64, 3, 6)] // a radius past the column's end
    [InlineData(17, 33, 1)]
    [InlineData(3, 17, 6)] // rows in vectors, a radius past the row's end
    [InlineData(1, 24, 2)] // rows of one sample
    [InlineData(43, 26, 4)] // rows moved across 8×8 at a time, a tail of samples and of rows
    [InlineData(64, 16, 9)] // whole blocks only, a radius past a block
    public void The_box_blur_s_rows_and_columns_in_vectors_are_the_scalar_blur(int w, int h, int radius)
    {
        var rng = new Random(w * 31 + h);
        var plane = new float[w * h];
        for (int p = 0; p < plane.Length; p++) plane[p] = rng.Next(4) == 0 ? 0f : (float)(rng.NextDouble() * 40 - 5);
        plane[0] = -0f;
        var expected = plane.ToArray();
        // the scalar reference: rows, then columns, each a running sum with clamped edges
        void Line(float[] a, int start, int stride, int n)
        {
            var tmp = new float[n];
            for (int i = 0; i < n; i++) tmp[i] = a[start + i * stride];
            float inv = 1f / (2 * radius + 1);
            float sum = tmp[0] * (radius + 1);
            for (int i = 1; i <= radius; i++) sum += tmp[Math.Min(i, n - 1)];
            for (int i = 0; i < n; i++)
            {
                a[start + i * stride] = sum * inv;
                sum += tmp[Math.Min(i + radius + 1, n - 1)] - tmp[Math.Max(i - radius, 0)];
            }
        }
        for (int pass = 0; pass < 2; pass++)
        {
            for (int y = 0; y < h; y++) Line(expected, y * w, 1, w);
            for (int x = 0; x < w; x++) Line(expected, x, w, h);
        }
        BoxBlur.Blur(plane, w, h, radius, 2);
        SameBits(expected, plane);
    }

    [Fact]
    public void The_shadow_with_a_found_box_is_the_same_and_darkens_only_inside_what_it_reports()
    {
        int w = 96, h = 64;
        var layer = Figure(w, h, 4);
        var light = AetherPresets.Lighting("key-left");
        var a = new RgbaImage(w, h);
        Lighting.CastShadow(a, layer, light, h * 0.8f);
        var b = new RgbaImage(w, h);
        Assert.True(AlphaBounds.Find(layer, out var tight));
        Lighting.CastShadow(b, layer, light, h * 0.8f, null, tight, out var darkened);
        SameBits(a, b);
        Assert.True(darkened.Width > 0);
        for (int p = 0; p < w * h; p++)
        {
            int x = p % w, y = p / w;
            if (x < darkened.X0 || x >= darkened.X1 || y < darkened.Y0 || y >= darkened.Y1) Assert.Equal(0f, b.A[p]);
        }
        Assert.Contains(b.A, v => v > 0f);
    }

    [Theory]
    [InlineData(96, 64, 4, "key-left")]
    [InlineData(203, 121, 7, "sunset")]
    [InlineData(37, 90, 8, "moody")] // a row shorter than some vectors' tails
    public void The_shadow_darkened_a_vector_at_a_time_is_the_per_pixel_darkening_to_the_bit(int w, int h, int seed, string rig)
    {
        var layer = Figure(w, h, seed);
        var light = AetherPresets.Lighting(rig);
        var rng = new Random(seed);
        var perPixel = new RgbaImage(w, h);
        for (int p = 0; p < w * h; p++)
            (perPixel.R[p], perPixel.G[p], perPixel.B[p], perPixel.A[p]) = ((float)rng.NextDouble(), (float)rng.NextDouble(), (float)rng.NextDouble(), (float)rng.NextDouble());
        var before = perPixel.Clone();
        var vectors = perPixel.Clone();
        // a receiver depth past the full shadow's multiplies each pixel's shadow by exactly 1 and takes the per-pixel loop
        Lighting.CastShadow(perPixel, layer, light, h * 0.8f, Enumerable.Repeat(2f, w * h).ToArray());
        Lighting.CastShadow(vectors, layer, light, h * 0.8f);
        SameBits(perPixel, vectors);
        Assert.Contains(Enumerable.Range(0, w * h), p => vectors.A[p] != before.A[p] && vectors.R[p] != before.R[p]); // darkened
    }

    [Fact]
    public void The_pooled_distance_transform_is_the_same()
    {
        int w = 37, h = 23;
        var mask = Enumerable.Range(0, w * h).Select(i => i % 17 == 0 || i % 29 == 3).ToArray();
        var expected = DistanceTransform.Compute(mask, w, h, 9f);
        var pooled = DistanceTransform.ComputePooled(mask, w, h, 9f);
        SameBits(expected, pooled[..(w * h)]);
        // and twice in a row (a kept scratch of the thread must not carry over)
        SameBits(DistanceTransform.Compute(mask.Select(m => !m).ToArray(), w, h, 9f), DistanceTransform.ComputePooled(mask.Select(m => !m).ToArray(), w, h, 9f)[..(w * h)]);
    }

    [Theory]
    [InlineData(1, 1, 0.5, 3f, 1f)]
    [InlineData(37, 23, 0.08, 9f, 1f)]
    [InlineData(64, 9, 0.02, 200f, 1f)]   // whole vectors of columns, most columns without a set pixel
    [InlineData(101, 67, 0.3, 172f, 1f)]  // a vector tail, a cap far above every distance
    [InlineData(75, 130, 0.01, 40f, 4f)]  // tall, sparse, capped, divided (FLUX's feature scale)
    [InlineData(97, 41, 0.9, 5f, 1f)]     // mostly set
    [InlineData(150, 40, 0.002, 47.5f, 1f)] // the rows searched outwards (a cap up to 48): most distances past the cap
    [InlineData(83, 29, 0.05, 48f, 2f)]   // the largest cap searched outwards, divided
    [InlineData(20, 5, 0.1, 0f, 1f)]      // a zero cap
    [InlineData(130, 60, 0.004, 49f, 1f)] // just past it: the envelope
    public void The_distance_transform_is_the_envelope_over_columns_and_rows_to_the_bit(int w, int h, double density, float cap, float divide)
    {
        var rng = new Random(w * 1000 + h);
        var mask = Enumerable.Range(0, w * h).Select(_ => rng.NextDouble() < density).ToArray();
        if (w > 3) for (int y = 0; y < h; y++) mask[y * w + 2] = false; // a column with no set pixel
        if (!mask.Contains(true)) mask[w * h / 2] = true;
        var got = DistanceTransform.Compute(mask, w, h, cap, divide);
        SameBits(EnvelopeReference(mask, w, h, cap, divide), got);
        SameBits(got, DistanceTransform.ComputePooled(mask, w, h, cap)[..(w * h)].Select(d => d / divide).ToArray());
        // and the exact distances: the nearest set pixel by brute force
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int best = int.MaxValue;
                for (int q = 0; q < w * h; q++)
                    if (mask[q]) best = Math.Min(best, (q % w - x) * (q % w - x) + (q / w - y) * (q / w - y));
                Assert.Equal(MathF.Min(cap, MathF.Sqrt(best)) / divide, got[y * w + x]);
            }
    }

    /// <summary>The distance transform as it was before the columns were swept: the lower envelope of parabolas over each
    /// column, then each row, one float at a time.</summary>
    static float[] EnvelopeReference(bool[] mask, int w, int h, float cap, float divide)
    {
        const float inf = 1e20f;
        var sq = mask.Select(m => m ? 0f : inf).ToArray();
        var result = new float[w * h];
        for (int x = 0; x < w; x++)
        {
            var d = Envelope(Enumerable.Range(0, h).Select(y => sq[y * w + x]).ToArray());
            for (int y = 0; y < h; y++) sq[y * w + x] = d[y];
        }
        for (int y = 0; y < h; y++)
        {
            var d = Envelope(sq.AsSpan(y * w, w).ToArray());
            for (int x = 0; x < w; x++) result[y * w + x] = MathF.Min(cap, MathF.Sqrt(d[x])) / divide;
        }
        return result;

        static float[] Envelope(float[] f)
        {
            int n = f.Length, k = -1;
            var d = new float[n]; var v = new int[n]; var z = new float[n + 1];
            for (int q = 0; q < n; q++)
            {
                if (f[q] >= inf) continue;
                if (k < 0) { k = 0; v[0] = q; z[0] = -inf; z[1] = inf; continue; }
                float sp;
                while (true)
                {
                    int p = v[k];
                    sp = ((f[q] + (float)q * q) - (f[p] + (float)p * p)) / (2f * (q - p));
                    if (sp <= z[k] && k > 0) k--; else break;
                }
                if (sp <= z[k]) { v[k] = q; z[k + 1] = inf; continue; }
                k++; v[k] = q; z[k] = sp; z[k + 1] = inf;
            }
            if (k < 0) { Array.Fill(d, inf); return d; }
            for (int q = 0, j = 0; q < n; q++)
            {
                while (z[j + 1] < q) j++;
                float dq = q - v[j];
                d[q] = dq * dq + f[v[j]];
            }
            return d;
        }
    }

    [Theory]
    [InlineData(61, 45)]
    [InlineData(100, 40)]
    public void The_flow_from_seeds_in_vectors_is_the_scalar_weighting_to_the_bit(int w, int h)
    {
        var layer = Figure(w, h, 5);
        (float X, float Y, float Dx, float Dy)[] points = [(w * 0.4f, h * 0.5f, 7f, -1f), (w * 0.6f, h * 0.3f, -2.5f, 3f), (w * 0.5f, h * 0.7f, 0.3f, 0.1f)];
        var (fx, fy) = MotionBlur.FlowFromSeeds(layer, points)!.Value;
        // the reference: every pixel within reach of the layer, the scalar inverse-square weighting
        int reach = (int)MathF.Ceiling(points.Max(p => MathF.Sqrt(p.Dx * p.Dx + p.Dy * p.Dy)) * 0.5f);
        var covered = layer.A.Select(a => a > 0f).ToArray();
        var near = DistanceTransform.Compute(covered, w, h, reach + 1);
        var ex = new float[w * h]; var ey = new float[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int p = y * w + x;
                if (near[p] > reach) continue;
                float sw = 0f, sx = 0f, sy = 0f;
                foreach (var q in points)
                {
                    float dx = x + 0.5f - q.X, dy = y + 0.5f - q.Y;
                    float wq = 1f / (dx * dx + dy * dy + 4f);
                    sw += wq; sx += q.Dx * wq; sy += q.Dy * wq;
                }
                ex[p] = sx / sw; ey[p] = sy / sw;
            }
        SameBits(ex, fx);
        SameBits(ey, fy);
        // the blur's sparse copy: still pixels are the layer's, bit for bit
        var blurred = MotionBlur.ApplyCpu(layer, fx, fy);
        for (int p = 0; p < w * h; p++)
            if (fx[p] == 0f && fy[p] == 0f && BitConverter.SingleToUInt32Bits(fx[p]) == 0 && BitConverter.SingleToUInt32Bits(fy[p]) == 0)
                Assert.Equal(BitConverter.SingleToUInt32Bits(layer.R[p]), BitConverter.SingleToUInt32Bits(blurred.R[p]));
    }

    [Theory]
    [InlineData(61, 45, 1f)]
    [InlineData(128, 72, 1.7f)]
    public void Compositing_straight_to_srgb_is_the_composite_tone_mapped(int w, int h, float exposure)
    {
        var bg = new RgbaImage(w, h);
        for (int p = 0; p < w * h; p++) (bg.R[p], bg.G[p], bg.B[p], bg.A[p]) = (0.2f + p % 7 * 0.1f, 0.5f, 0.05f * (p % 13), 1f);
        var shadow = new RgbaImage(w, h);
        for (int p = w * (h / 2); p < w * h; p += 3) shadow.A[p] = 0.4f;
        var fig = Lighting.LightLayerCpu(Figure(w, h, 6), AetherPresets.Lighting("key-left"));
        List<Layer> layers = [new(bg), new(shadow), new(fig), new(Figure(w, h, 7), BlendMode.Screen, 0.5f), new(Figure(w, h, 8), BlendMode.Add, 0.8f)];
        var expected = Compositor.ToSrgb8(Compositor.CompositeCpu(w, h, layers), exposure);
        Assert.Equal(expected, Compositor.CompositeToSrgb8(w, h, layers, exposure));
    }
}
