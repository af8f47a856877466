using Talos.Gpu.Imaging;
using Talos.Gpu.Stokes;
using Talos.Tests.Support;
using Xunit;
using static Talos.Tests.Support.BitAssert;

namespace Talos.Tests.Stokes;

/// <summary>
/// STOKES's VFX layer shaded only in each row's live span (issue 19): the same bits as shading every pixel (the
/// reference written out here: Catmull-Rom rows, then columns, then <see cref="EffectCells.Shade"/> everywhere), every
/// pixel outside the box it reports is zero, and the layer encoded in that box is the whole-frame encoding.
/// </summary>
public sealed class EffectBoxTests
{
    static (int[] Taps, float[] Weights) Taps(int outSize, int cells)
    {
        var taps = new int[outSize * 4];
        var weights = new float[outSize * 4];
        for (int o = 0; o < outSize; o++)
        {
            float c = (o + 0.5f) * cells / outSize + 0.5f;
            int i = (int)MathF.Floor(c);
            float t = c - i, t2 = t * t, t3 = t2 * t;
            weights[o * 4] = 0.5f * (-t3 + 2f * t2 - t);
            weights[o * 4 + 1] = 0.5f * (3f * t3 - 5f * t2 + 2f);
            weights[o * 4 + 2] = 0.5f * (-3f * t3 + 4f * t2 + t);
            weights[o * 4 + 3] = 0.5f * (t3 - t2);
            for (int k = 0; k < 4; k++) taps[o * 4 + k] = Math.Clamp(i - 1 + k, 0, cells + 1);
        }
        return (taps, weights);
    }

    /// <summary>Every pixel shaded, scalar (the vector column pass does the same operations per lane).</summary>
    static RgbaImage Reference(FluidGrid g, float[] light, int frame, int w, int h, uint seed)
    {
        var img = new RgbaImage(w, h);
        var (xt, xw) = Taps(w, g.Nx);
        var (yt, yw) = Taps(h, g.Ny);
        var fields = new[] { g.Smoke, light, g.Heat, g.Magic, g.MagicCyan, g.Mist };
        float cell = MathF.Max(2f, h / 90f);
        var v = new float[6];
        float Row(float[] f, int j, int x) { int t = x * 4, r = j * g.Stride; return xw[t] * f[r + xt[t]] + xw[t + 1] * f[r + xt[t + 1]] + xw[t + 2] * f[r + xt[t + 2]] + xw[t + 3] * f[r + xt[t + 3]]; }
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int t = y * 4;
                for (int f = 0; f < 6; f++)
                    v[f] = MathF.Max(0f, yw[t] * Row(fields[f], yt[t], x) + yw[t + 1] * Row(fields[f], yt[t + 1], x)
                                       + yw[t + 2] * Row(fields[f], yt[t + 2], x) + yw[t + 3] * Row(fields[f], yt[t + 3], x));
                int ri = EffectCells.RampIndex(v[2]);
                var ramp = EffectColours.Ramp;
                var px = EffectCells.Shade(v[0], v[1], v[2], v[3], v[4], v[5], ramp[3 * ri], ramp[3 * ri + 1], ramp[3 * ri + 2], x, y, frame, cell, seed);
                if (px.A == 0f && px.R == 0f && px.G == 0f && px.B == 0f) continue;
                int k = y * w + x;
                (img.R[k], img.G[k], img.B[k], img.A[k]) = (px.R, px.G, px.B, px.A);
            }
        return img;
    }

    [Theory]
    [InlineData(67, 37, 0.15f, 0.7f, true, "")]  // odd width: vector tails
    [InlineData(128, 72, 0.55f, 0.3f, true, "")]
    [InlineData(96, 54, 0.9f, 0.9f, false, "")]  // content at the frame's edge, the faint patch in the opposite corner: the whole frame
    // all-zero fields are neither upsampled nor blended (a fire has no magic or mist; a smoke plume no heat either)
    [InlineData(67, 37, 0.15f, 0.7f, true, "magic mist")]
    [InlineData(128, 72, 0.55f, 0.3f, true, "heat magic mist")]
    [InlineData(96, 54, 0.4f, 0.6f, true, "smoke mist")]
    public void The_layer_shaded_in_its_spans_is_every_pixel_shaded_to_the_bit(int w, int h, float cx, float cy, bool partial, string zeroFields)
    {
        var g = new FluidGrid(32, 18);
        var light = new float[g.Count];
        for (int j = 0; j < g.Ny + 2; j++)
            for (int i = 0; i < g.Stride; i++)
            {
                int k = j * g.Stride + i;
                float dx = (i - cx * g.Nx) / 3f, dy = (j - cy * g.Ny) / 2.5f, blob = MathF.Exp(-(dx * dx + dy * dy));
                blob = blob < 0.01f ? 0f : blob; // empty away from the effect, as a real grid is
                g.Smoke[k] = 2f * blob;
                g.Heat[k] = i % 2 == 0 ? 6f * blob : 0f;
                g.Magic[k] = 0.8f * blob;
                g.MagicCyan[k] = 0.3f * g.Magic[k];
                g.Mist[k] = j == 1 && i < 4 ? 0.002f : 0f; // a faint patch near the threshold elsewhere
                light[k] = 1f - 0.02f * j;
            }
        foreach (var name in zeroFields.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = name switch { "smoke" => [g.Smoke], "heat" => [g.Heat], "magic" => new[] { g.Magic, g.MagicCyan }, "mist" => [g.Mist], _ => throw new ArgumentException(name) };
            foreach (var f in fields) Array.Clear(f);
        }
        var expected = Reference(g, light, 9, w, h, 77);
        var img = new EffectRenderer().RenderCpu(g, light, 9, w, h, 77, out var box);
        SameBits(expected.R, img.R); SameBits(expected.G, img.G); SameBits(expected.B, img.B); SameBits(expected.A, img.A);
        Assert.Contains(img.A, a => a > 0.1f);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                if (x < box.X || x >= box.X + box.W || y < box.Y || y >= box.Y + box.H)
                {
                    int k = y * w + x;
                    Assert.True(img.R[k] == 0f && img.G[k] == 0f && img.B[k] == 0f && img.A[k] == 0f, $"pixel ({x}, {y}) outside the box {box}");
                }
        Assert.Equal(partial, box.Count < w * h);
        Assert.Equal(FrameCodec.EncodeRgba(img), FrameCodec.EncodeRgba(img, box));
    }

    /// <summary>
    /// One renderer over a sequence of grids whose stuff moves, grows, shrinks and vanishes (only the rows and columns that
    /// tap the deciding fields' non-zero cells are upsampled, into buffers kept from the frame before): every layer is
    /// the reference's, bit for bit.
    /// </summary>
    [Fact]
    public void A_renderer_kept_over_frames_whose_stuff_moves_gives_every_layer_to_the_bit()
    {
        const int w = 83, h = 47;
        var renderer = new EffectRenderer();
        var g = new FluidGrid(32, 18);
        var light = new float[g.Count];
        int shaded = 0;
        foreach (var (cx, cy, radius, field) in new[] { (0.2f, 0.3f, 6f, "smoke"), (0.8f, 0.7f, 2f, "heat"), (0.5f, 0.5f, 9f, "magic"), (0.1f, 0.9f, 1.5f, "mist"), (0f, 0f, 0f, ""), (0.95f, 0.05f, 3f, "smoke") })
        {
            foreach (var f in new[] { g.Smoke, g.Heat, g.Magic, g.MagicCyan, g.Mist }) Array.Clear(f);
            for (int j = 0; j < g.Ny + 2; j++)
                for (int i = 0; i < g.Stride; i++)
                {
                    int k = j * g.Stride + i;
                    float dx = i - cx * g.Nx, dy = j - cy * g.Ny, d2 = dx * dx + dy * dy;
                    light[k] = 1f - 0.03f * j;
                    if (radius == 0f || d2 > radius * radius) continue;
                    float v = 1.5f * (1f - MathF.Sqrt(d2) / radius) + 0.01f;
                    switch (field)
                    {
                        case "smoke": g.Smoke[k] = v; break;
                        case "heat": g.Heat[k] = 5f * v; g.Smoke[k] = 0.2f * v; break;
                        case "magic": g.Magic[k] = v; g.MagicCyan[k] = 0.4f * v; break;
                        default: g.Mist[k] = v; break;
                    }
                }
            var expected = Reference(g, light, 5, w, h, 3);
            var img = renderer.RenderCpu(g, light, 5, w, h, 3, out var box);
            SameBits(expected.R, img.R); SameBits(expected.G, img.G); SameBits(expected.B, img.B); SameBits(expected.A, img.A);
            Assert.Equal(radius == 0f, box.Count == 0);
            if (box.Count > 0) shaded++;
        }
        Assert.Equal(5, shaded);
    }

    [Fact]
    public void An_empty_grid_gives_an_empty_box_and_a_transparent_layer()
    {
        var g = new FluidGrid(16, 9);
        var img = new EffectRenderer().RenderCpu(g, new float[g.Count], 0, 33, 19, 1, out var box);
        Assert.Equal(0, box.Count);
        Assert.All(img.A, a => Assert.Equal(0f, a));
    }

    [Fact]
    public void The_simulation_layer_encoded_in_its_box_is_the_whole_frame_encoding()
    {
        var sim = new EffectsSimulation([new() { Type = "fire", X = 0.6, Y = 0.8 }, new() { Type = "magic", X = 0.3, Y = 0.5, StartFrame = 1 }], 24, 16.0 / 9.0, 36);
        sim.AdvanceTo(20);
        var layer = sim.Render(97, 55, out var box); // particles included
        Assert.True(sim.ParticleSystem.Count > 0);
        Assert.Equal(FrameCodec.EncodeRgba(layer), FrameCodec.EncodeRgba(layer, box));
        for (int p = 0; p < layer.PixelCount; p++)
        {
            int x = p % 97, y = p / 97;
            if (x >= box.X && x < box.X + box.W && y >= box.Y && y < box.Y + box.H) continue;
            Assert.True(layer.R[p] == 0f && layer.A[p] == 0f, $"pixel ({x}, {y}) outside the box {box}");
        }
    }
}
