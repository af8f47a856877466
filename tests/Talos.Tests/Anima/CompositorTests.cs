using Talos.Gpu.Anima;
using Talos.Gpu.Imaging;
using Xunit;

namespace Talos.Tests.Anima;

public sealed class CompositorTests
{
    static RgbaImage Solid(int w, int h, float r, float g, float b, float a)
    {
        var img = new RgbaImage(w, h);
        Array.Fill(img.R, r); Array.Fill(img.G, g); Array.Fill(img.B, b); Array.Fill(img.A, a);
        return img;
    }

    [Fact]
    public void Normal_is_premultiplied_over()
    {
        var bottom = Solid(2, 2, 0.2f, 0.4f, 0.6f, 1f);
        var top = Solid(2, 2, 0.25f, 0f, 0.1f, 0.5f); // premultiplied: colour (0.5, 0, 0.2) at half alpha
        var c = Compositor.Composite(2, 2, [new Layer(bottom), new Layer(top)]);
        Assert.Equal(0.25f + 0.2f * 0.5f, c.R[0], 6);
        Assert.Equal(0.4f * 0.5f, c.G[0], 6);
        Assert.Equal(0.1f + 0.6f * 0.5f, c.B[0], 6);
        Assert.Equal(1f, c.A[0], 6);
    }

    [Fact]
    public void Over_transparent_keeps_the_layer_and_opacity_scales_it()
    {
        var top = Solid(1, 1, 0.3f, 0.3f, 0.3f, 0.6f);
        var c = Compositor.Composite(1, 1, [new Layer(top, Opacity: 0.5f)]);
        Assert.Equal(0.15f, c.R[0], 6);
        Assert.Equal(0.3f, c.A[0], 6);
    }

    [Fact]
    public void Add_adds_light_and_multiply_darkens()
    {
        var bottom = Solid(1, 1, 0.5f, 0.4f, 0.2f, 1f);
        var add = Compositor.Composite(1, 1, [new Layer(bottom), new Layer(Solid(1, 1, 0.6f, 0.1f, 0f, 0.5f), BlendMode.Add)]);
        Assert.Equal(1.1f, add.R[0], 6); // HDR allowed
        Assert.Equal(0.5f, add.G[0], 6);
        Assert.Equal(1f, add.A[0], 6);
        var mul = Compositor.Composite(1, 1, [new Layer(bottom), new Layer(Solid(1, 1, 0.5f, 0.25f, 1f, 1f), BlendMode.Multiply)]);
        Assert.Equal(0.25f, mul.R[0], 6);
        Assert.Equal(0.1f, mul.G[0], 6);
        Assert.Equal(0.2f, mul.B[0], 6);
        // A half-transparent multiply layer goes half way.
        var half = Compositor.Composite(1, 1, [new Layer(bottom), new Layer(Solid(1, 1, 0f, 0f, 0f, 1f), BlendMode.Multiply, 0.5f)]);
        Assert.Equal(0.25f, half.R[0], 6);
    }

    [Fact]
    public void Layers_of_the_wrong_size_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => Compositor.Composite(2, 2, [new Layer(Solid(3, 2, 0, 0, 0, 1))]));
    }

    [Fact]
    public void Srgb_encoding_matches_known_values()
    {
        var img = new RgbaImage(5, 1);
        float[] v = [0f, 0.5f, 0.18f, 0.0031308f, 0.8f];
        v.CopyTo(img.R, 0); v.CopyTo(img.G, 0); v.CopyTo(img.B, 0);
        var rgb = Compositor.ToSrgb8(img, 1f);
        int[] expected = [0, 188, 118, 10, 231];
        for (int i = 0; i < v.Length; i++)
        {
            Assert.InRange(rgb[i * 3], expected[i] - 1, expected[i] + 1);
            Assert.Equal(rgb[i * 3], rgb[i * 3 + 1]);
        }
    }

    [Fact]
    public void Srgb_encoding_in_vectors_gives_the_per_pixel_bytes()
    {
        // ToSrgb8 does whole vectors of pixels at a time and the row's tail one by one: both must give the same byte for
        // a value (darks, the shoulder, HDR, infinities, NaN, negatives), whichever lane or tail it falls in.
        float[] special = [0f, -0f, -1f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1e-9f, 0.79999995f, 0.8f, 0.8000001f, 1f, 3.5f, 1e30f];
        const int w = 37, h = 5;
        var img = new RgbaImage(w, h);
        uint s = 12345;
        for (int i = 0; i < img.PixelCount; i++)
        {
            s ^= s << 13; s ^= s >> 17; s ^= s << 5;
            img.R[i] = i < special.Length ? special[i] : (s & 0xFFFF) / 30000f;
            img.G[i] = special[i % special.Length];
            img.B[i] = (s >> 16) / 65536f;
        }
        foreach (float exposure in new[] { 1f, 0.7f, 2.5f })
        {
            var rgb = Compositor.ToSrgb8(img, exposure);
            var one = new RgbaImage(1, 1);
            for (int i = 0; i < img.PixelCount; i++)
            {
                (one.R[0], one.G[0], one.B[0]) = (img.R[i], img.G[i], img.B[i]);
                var alone = Compositor.ToSrgb8(one, exposure); // a one-pixel row: the per-pixel path
                Assert.Equal(alone, rgb.AsSpan(i * 3, 3).ToArray());
            }
        }
    }

    [Fact]
    public void Exposure_two_brightens()
    {
        var img = Solid(1, 1, 0.1f, 0.2f, 0.3f, 1f);
        var a = Compositor.ToSrgb8(img, 1f);
        var b = Compositor.ToSrgb8(img, 2f);
        for (int i = 0; i < 3; i++) Assert.True(b[i] > a[i]);
        // exposure 2 on 0.1 equals exposure 1 on 0.2
        Assert.Equal(a[1], b[0]);
    }

    [Fact]
    public void Highlights_above_one_roll_off_below_white_monotonically()
    {
        float[] v = [0.7f, 0.9f, 1f, 1.5f, 2f, 3f];
        var img = new RgbaImage(v.Length, 1);
        v.CopyTo(img.R, 0);
        var rgb = Compositor.ToSrgb8(img, 1f);
        for (int i = 1; i < v.Length; i++) Assert.True(rgb[i * 3] > rgb[(i - 1) * 3], $"{v[i]} → {rgb[i * 3]} not above {v[i - 1]} → {rgb[(i - 1) * 3]}");
        Assert.True(rgb[(v.Length - 1) * 3] < 255);
        Assert.Equal(0.7f, Compositor.ToneMap(0.7f)); // identity below the shoulder
        float prev = 0f;
        for (float x = 0f; x < 50f; x += 0.01f)
        {
            float t = Compositor.ToneMap(x);
            Assert.True(t >= prev && t < 1f);
            prev = t;
        }
    }

    /// <summary>
    /// The tone map's vector rows (the AVX2 gathers and the table loop, then the scalar tail) give every pixel the bytes
    /// the scalar path gives it alone (a 1×1 image): widths around the vector sizes, values in the darks, around the
    /// shoulder and past white, negative, −0, NaN and infinite, two exposures.
    /// </summary>
    [Theory]
    [InlineData(1f)]
    [InlineData(1.7f)]
    public void Tone_mapped_rows_are_the_bytes_of_each_pixel_alone(float exposure)
    {
        var rng = new Random(7);
        float[] special = [0f, -0f, -1f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1f, 0.8f, 1e-9f, 1e30f];
        foreach (int w in new[] { 1, 7, 8, 9, 15, 16, 17, 24, 31, 33, 64, 1283 })
        {
            var img = new RgbaImage(w, 2);
            foreach (var plane in new[] { img.R, img.G, img.B })
                for (int i = 0; i < plane.Length; i++)
                    plane[i] = rng.Next(8) == 0 ? special[rng.Next(special.Length)] : (float)(rng.NextDouble() * rng.NextDouble() * 2.5);
            var rgb = Compositor.ToSrgb8(img, exposure);
            Assert.Equal(3 * w * 2, rgb.Length);
            for (int i = 0; i < w * 2; i++)
            {
                var one = Solid(1, 1, img.R[i], img.G[i], img.B[i], 1f);
                var alone = Compositor.ToSrgb8(one, exposure);
                Assert.True(alone.AsSpan(0, 3).SequenceEqual(rgb.AsSpan(3 * i, 3)), $"width {w}, pixel {i}: {img.R[i]}, {img.G[i]}, {img.B[i]}");
            }
        }
    }

    [Fact]
    public void Negative_and_nan_values_encode_as_black()
    {
        var img = new RgbaImage(2, 1);
        img.R[0] = -1f; img.R[1] = float.NaN;
        var rgb = Compositor.ToSrgb8(img, 1f);
        Assert.Equal(0, rgb[0]);
        Assert.Equal(0, rgb[3]);
    }

    [Fact]
    public void Composite_and_encode_are_bit_identical_across_runs()
    {
        var rnd = new Random(1234);
        var layers = new List<Layer>();
        for (int l = 0; l < 3; l++)
        {
            var img = new RgbaImage(64, 48);
            for (int i = 0; i < img.PixelCount; i++)
            {
                float a = (float)rnd.NextDouble();
                img.A[i] = a; img.R[i] = a * (float)rnd.NextDouble() * 2f; img.G[i] = a * (float)rnd.NextDouble(); img.B[i] = a * (float)rnd.NextDouble();
            }
            layers.Add(new Layer(img, (BlendMode)l, 0.9f));
        }
        var x = Compositor.ToSrgb8(Compositor.Composite(64, 48, layers), 1.3f);
        var y = Compositor.ToSrgb8(Compositor.Composite(64, 48, layers), 1.3f);
        Assert.Equal(x, y);
    }
}
