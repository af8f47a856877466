using Talos.Tests.Support;
using Talos.Gpu.Anima;
using Talos.Gpu.Imaging;
using Talos.Gpu.Kernels;
using Xunit;

namespace Talos.Tests.Anima;

/// <summary>ANIMA's motion blur along FLUX's motion and the screen blend, at small sizes; CPU rows and ILGPU agree.</summary>
public sealed class MotionBlurTests
{
    const int W = 48, H = 32;

    static RgbaImage Square()
    {
        var img = new RgbaImage(W, H);
        for (int y = 10; y < 20; y++)
            for (int x = 10; x < 20; x++) { int p = y * W + x; (img.R[p], img.G[p], img.B[p], img.A[p]) = (0.8f, 0.4f, 0.2f, 1f); }
        // a second, still square
        for (int y = 10; y < 20; y++)
            for (int x = 34; x < 44; x++) { int p = y * W + x; (img.R[p], img.G[p], img.B[p], img.A[p]) = (0.2f, 0.4f, 0.8f, 1f); }
        return img;
    }

    [Fact]
    public void A_moving_part_smears_along_its_motion_and_a_still_one_stays_sharp()
    {
        var layer = Square();
        // FLUX's motion: the left square moved 12 px right since the last frame, the right one did not move.
        var flow = MotionBlur.FlowFromSeeds(layer, [(15f, 15f, 12f, 0f), (39f, 15f, 0f, 0f)]);
        Assert.NotNull(flow);
        var blurred = MotionBlur.ApplyCpu(layer, flow.Value.Fx, flow.Value.Fy);
        // Along x the left square's edge spreads over about the shutter's path (6 px): partial coverage on both sides.
        Assert.InRange(blurred.A[15 * W + 8], 0.05f, 0.6f);
        Assert.InRange(blurred.A[15 * W + 21], 0.05f, 0.6f);
        Assert.Equal(1f, blurred.A[15 * W + 15], 3);
        // Not along y: rows above and below stay empty.
        Assert.Equal(0f, blurred.A[8 * W + 15]);
        // The right square is nearly still (the far seed's weight dominates): its edges stay crisp.
        Assert.Equal(layer.A[15 * W + 33], blurred.A[15 * W + 33], 2);
        Assert.Equal(layer.A.Sum(), blurred.A.Sum(), 0.02 * layer.A.Sum());
        Assert.Null(MotionBlur.FlowFromSeeds(layer, [(15f, 15f, 0.1f, 0f)])); // nothing moved
    }

    /// <summary>The flow reaches every pixel within half the largest motion of the layer, diagonally off a corner too.</summary>
    [Fact]
    public void Flow_reaches_around_the_layer_by_half_the_motion_in_every_direction()
    {
        var layer = Square();
        var (fx, fy) = MotionBlur.FlowFromSeeds(layer, [(15f, 15f, 12f, 12f)])!.Value; // reach: ceil(17 / 2) = 9 px
        Assert.NotEqual(0f, fx[5 * W + 5]);   // 5 px up and left of the corner (10, 10): 7.1 px away
        Assert.NotEqual(0f, fy[24 * W + 24]); // below and right of the other corner (19, 19): 7.1 px away
        Assert.Equal(0f, fx[0 * W + 0]);      // 14 px away: beyond the reach
    }

    /// <summary>
    /// <see cref="MotionBlur.WithinReach"/> marks exactly the pixels whose exact distance transform (to the pixels of the
    /// box with alpha above 0: not 0, −0, negative or NaN alpha) is at most the reach: random sparse masks, boxes inside
    /// the frame, reaches from 0 to beyond the box.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Within_reach_is_the_distance_transform_at_most_the_reach(int seed)
    {
        var rng = new Random(seed);
        for (int trial = 0; trial < 60; trial++)
        {
            int w = rng.Next(1, 90), h = rng.Next(1, 60);
            var alpha = new float[w * h];
            double density = rng.NextDouble() * rng.NextDouble() * 0.2;
            for (int p = 0; p < alpha.Length; p++)
                if (rng.NextDouble() < density) alpha[p] = rng.Next(6) switch { 0 => -0f, 1 => -0.5f, 2 => float.NaN, _ => (float)rng.NextDouble() + 1e-3f };
            int x0 = rng.Next(w), y0 = rng.Next(h);
            var box = new Talos.Gpu.Raygen.AlphaBounds(x0, y0, rng.Next(x0 + 1, w + 1), rng.Next(y0 + 1, h + 1));
            int reach = rng.Next(0, 3) == 0 ? rng.Next(0, 3) : rng.Next(0, 40);
            int bw = box.Width, bh = box.Height;
            var covered = new bool[bw * bh];
            for (int j = 0; j < bh; j++)
                for (int i = 0; i < bw; i++) covered[j * bw + i] = alpha[(box.Y0 + j) * w + box.X0 + i] > 0f;
            var distance = Talos.Gpu.Flux.DistanceTransform.Compute(covered, bw, bh, reach + 1);
            var within = new int[bw * bh + 5];
            Array.Fill(within, 7);
            MotionBlur.WithinReach(alpha, w, box, reach, within);
            for (int k = 0; k < bw * bh; k++)
                Assert.True((distance[k] <= reach ? -1 : 0) == within[k], $"trial {trial}: pixel {k % bw}, {k / bw} of {bw}x{bh}, reach {reach}, distance {distance[k]}, within {within[k]}");
            Assert.Equal(7, within[bw * bh]); // nothing written past the box
        }
    }

    [Fact]
    public void Cpu_and_ilgpu_motion_blur_agree()
    {
        var layer = Square();
        var flow = MotionBlur.FlowFromSeeds(layer, [(15f, 15f, 9f, -5f), (39f, 15f, -3f, 2f)])!.Value;
        var cpu = MotionBlur.ApplyCpu(layer, flow.Fx, flow.Fy);
        var (context, accelerator) = ParityDevice.Create();
        using (context)
        using (accelerator)
        {
            var gpu = MotionBlur.ApplyIlgpu(accelerator, layer, flow.Fx, flow.Fy);
            double max = 0;
            foreach (var (a, b) in new[] { (cpu.R, gpu.R), (cpu.G, gpu.G), (cpu.B, gpu.B), (cpu.A, gpu.A) })
                for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
            Assert.True(max < 1e-5, $"max abs difference {max}");
        }
    }

    /// <summary>
    /// The CPU blur is <see cref="MotionCells.Gather"/> at every pixel, bit for bit, though it skips the pixels whose flow
    /// is zero both ways (+0 or −0): a flow zero in x alone (or y alone) is still gathered.
    /// </summary>
    [Fact]
    public void The_cpu_blur_is_the_gather_at_every_pixel_where_the_flow_is_zero_too()
    {
        var layer = Square();
        for (int p = 0; p < W * H; p += 7) layer.B[p] += 0.05f; // non-zero where the flow is zero, too
        var fx = new float[W * H];
        var fy = new float[W * H];
        for (int p = 0; p < W * H; p++)
            switch (p % 5)
            {
                case 0: break;                                  // still
                case 1: fx[p] = -0f; fy[p] = 0f; break;        // still, a negative zero
                case 2: fy[p] = 6f - p % 13; break;             // moving in y alone
                case 3: fx[p] = -0f; fy[p] = 3.5f; break;       // −0 in x, moving in y
                default: fx[p] = 7f - p % 11; fy[p] = 0.25f; break;
            }
        var s = new BlurShape { W = W, H = H, N = W * H, MaxSamples = 24, Shutter = MotionBlur.DefaultShutter };
        var expected = new RgbaImage(W, H);
        var (r, g, b, a) = (new HostField(layer.R), new HostField(layer.G), new HostField(layer.B), new HostField(layer.A));
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
            {
                var c = MotionCells.Gather(x, y, r, g, b, a, new HostField(fx), new HostField(fy), s);
                int p = y * W + x;
                (expected.R[p], expected.G[p], expected.B[p], expected.A[p]) = (c.R, c.G, c.B, c.A);
            }
        BitAssert.SameBits(expected, MotionBlur.ApplyCpu(layer, fx, fy));
    }

    [Fact]
    public void Screen_lightens_never_darkens_and_keeps_hdr_highlights()
    {
        var d = new Px(0.5f, 0.2f, 3f, 1f);
        var s = new Px(0.5f, 0f, 0.5f, 1f);
        var o = BlendPixel.Screen(d, s, 1f);
        Assert.Equal(0.75f, o.R, 5);     // s + d − s·d
        Assert.Equal(0.2f, o.G, 5);      // black screens to no change
        Assert.Equal(3f, o.B, 5);        // an HDR highlight under it is kept
        Assert.Equal(1f, o.A, 5);
        var half = BlendPixel.Screen(d, s, 0.5f);
        Assert.InRange(half.R, d.R, o.R);
        Assert.Equal(BlendPixel.Screen(d, s, 1f).R, BlendPixel.Blend((int)BlendMode.Screen, d, s, 1f).R);
    }
    [Fact]
    public void Seeds_of_a_region_whose_pieces_split_are_matched_to_their_nearest_not_by_order()
    {
        // A leg (region "fur") passes behind another: the far leg's one piece becomes two. Paired by order, the second
        // leg's seed would be matched with the far leg's and carry a 60-px motion; matched to the nearest, every seed moves ~2 px.
        RegionSeed[] before = [new(10, 50, "fur"), new(70, 50, "fur"), new(40, 10, "body")];
        RegionSeed[] now = [new(12, 40, "fur"), new(12, 60, "fur"), new(72, 50, "fur"), new(41, 10, "body")];
        var motion = MotionBlur.SeedMotion(now, before);
        Assert.Equal(4, motion.Count);
        Assert.All(motion, m => Assert.InRange(MathF.Sqrt(m.Dx * m.Dx + m.Dy * m.Dy), 0.5f, 11f));
        // As many seeds as before: paired in order (each part's seed with its own), as the rasterizer emits them.
        var same = MotionBlur.SeedMotion([new(30, 50, "fur"), new(20, 50, "fur")], [new(10, 50, "fur"), new(25, 50, "fur")]);
        Assert.Equal((20f, -5f), (same[0].Dx, same[1].Dx));
    }
}
