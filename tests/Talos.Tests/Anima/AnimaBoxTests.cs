using System.Runtime.InteropServices;
using Talos.Gpu.Anima;
using Talos.Gpu.Imaging;
using Talos.Tests.Support;
using Xunit;
using static Talos.Tests.Support.BitAssert;

namespace Talos.Tests.Anima;

/// <summary>
/// ANIMA reading decoded layers in the boxes they were stored in (issue 19): <see cref="Layer.Within"/> in the
/// compositor and the boxed motion blur give the same bits as the whole-frame way, for layers round-tripped through the
/// frame codec (so the box is the codec's own), odd widths and every blend mode.
/// </summary>
public sealed class AnimaBoxTests
{
    static RgbaImage Blob(int w, int h, float cx, float cy, float r, int seed)
    {
        var rng = new Random(seed);
        var img = new RgbaImage(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                float dx = (x - cx * w) / (r * w), dy = (y - cy * h) / (r * h);
                if (dx * dx + dy * dy > 1f) continue;
                int p = y * w + x;
                float a = (float)(0.3 + 0.7 * rng.NextDouble());
                (img.R[p], img.G[p], img.B[p], img.A[p]) = (0.8f * a, 0.5f * a, 1.7f * a, a);
            }
        img.G[(int)(cy * h) * w + (int)(cx * w)] = -0f; // a negative zero inside
        return img;
    }

    [Theory]
    [InlineData(61, 45, 1f)]
    [InlineData(128, 72, 1.3f)]
    public void Layers_composited_in_their_stored_boxes_are_the_whole_frame_composite(int w, int h, float exposure)
    {
        var bg = new RgbaImage(w, h);
        for (int p = 0; p < w * h; p++) (bg.R[p], bg.G[p], bg.B[p], bg.A[p]) = (0.1f + p % 5 * 0.1f, 0.4f, 0.03f * (p % 11), 1f);
        var modes = new[] { BlendMode.Normal, BlendMode.Add, BlendMode.Screen, BlendMode.Multiply };
        var plain = new List<Layer> { new(bg) };
        var boxed = new List<Layer> { new(bg) };
        for (int i = 0; i < modes.Length; i++)
        {
            var blob = Blob(w, h, 0.2f + 0.2f * i, 0.3f + 0.15f * i, 0.18f, i);
            var decoded = FrameCodec.DecodeRgba(FrameCodec.EncodeRgba(blob), out var stored);
            Assert.True(stored.Count < w * h);
            plain.Add(new Layer(decoded, modes[i], 0.8f));
            boxed.Add(new Layer(decoded, modes[i], 0.8f) { Within = stored });
        }
        SameBits(Compositor.CompositeCpu(w, h, plain), Compositor.CompositeCpu(w, h, boxed));
        Assert.Equal(Compositor.CompositeToSrgb8(w, h, plain, exposure), Compositor.CompositeToSrgb8(w, h, boxed, exposure));
        // an empty stored box: the layer is skipped, as its all-zero rows were
        var empty = FrameCodec.DecodeRgba(FrameCodec.EncodeRgba(new RgbaImage(w, h)), out var none);
        Assert.Equal(0, none.Count);
        Assert.Equal(Compositor.CompositeToSrgb8(w, h, plain, exposure),
            Compositor.CompositeToSrgb8(w, h, [.. boxed, new Layer(empty) { Within = none }], exposure));
    }

    [Theory]
    [InlineData(61, 45, 1f)]
    [InlineData(128, 72, 1.3f)]
    public void Compositing_over_the_background_s_kept_srgb_bytes_is_the_whole_composite(int w, int h, float exposure)
    {
        // a background with a transparent (zero) corner, −0 and colours over the shoulder, so every tone-map branch is met
        var bg = new RgbaImage(w, h);
        for (int p = 0; p < w * h; p++)
            if (p % w > 5 || p / w > 4) (bg.R[p], bg.G[p], bg.B[p], bg.A[p]) = (0.1f + p % 5 * 0.3f, 0.4f, 0.03f * (p % 11), 1f);
        bg.G[3] = -0f;
        var shadow = new RgbaImage(w, h);
        for (int p = w * (h / 2); p < w * h; p += 3) shadow.A[p] = 0.4f;
        var modes = new[] { BlendMode.Normal, BlendMode.Add, BlendMode.Screen, BlendMode.Multiply };
        var layers = new List<Layer> { new(bg), new(shadow) };
        for (int i = 0; i < modes.Length; i++)
        {
            var decoded = FrameCodec.DecodeRgba(FrameCodec.EncodeRgba(Blob(w, h, 0.2f + 0.2f * i, 0.3f + 0.15f * i, 0.18f, i)), out var stored);
            layers.Add(new Layer(decoded, modes[i], 0.8f) { Within = i % 2 == 0 ? stored : null });
        }
        layers.Add(new Layer(Blob(w, h, 0.5f, 0.5f, 0.4f, 9), BlendMode.Normal, 0f)); // opacity 0: draws nothing
        var expected = Compositor.CompositeToSrgb8(w, h, layers, exposure);
        Assert.Equal(Compositor.ToSrgb8(Compositor.CompositeCpu(w, h, layers), exposure), expected);
        var background = Compositor.CompositeToSrgb8(w, h, [layers[0]], exposure);
        var kept = background.ToArray();
        Assert.Equal(expected, Compositor.CompositeToSrgb8(w, h, layers, exposure, 1, background));
        Assert.Equal(kept, background); // only read
        Assert.Equal(expected, Compositor.CompositeToSrgb8(w, h, layers, exposure, 2, Compositor.CompositeToSrgb8(w, h, layers.GetRange(0, 2), exposure)));
        // nothing above the background: its bytes
        Assert.Equal(background, Compositor.CompositeToSrgb8(w, h, [layers[0], layers[^1]], exposure, 1, background));
        // the bytes of the layers below must be a frame of this size
        Assert.Throws<ArgumentException>(() => Compositor.CompositeToSrgb8(w, h, layers, exposure, 1, new byte[3 * w * h - 3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Compositor.CompositeToSrgb8(w, h, layers, exposure, layers.Count + 1, background));
    }

    /// <summary>
    /// A canvas kept from frame to frame (<see cref="Compositor.SrgbCanvas"/>: only the columns the frame before wrote are
    /// copied back from the background's bytes) gives every frame the bytes of a fresh composite over those bytes: characters
    /// that move, grow, shrink and vanish between frames, a frame with nothing above the background, a switch to other
    /// background bytes (another exposure) and back, and a canvas of another size.
    /// </summary>
    [Theory]
    [InlineData(61, 45)]
    [InlineData(128, 72)]
    public void A_canvas_kept_between_frames_gives_each_frame_s_fresh_bytes(int w, int h)
    {
        var bg = new RgbaImage(w, h);
        for (int p = 0; p < w * h; p++) (bg.R[p], bg.G[p], bg.B[p], bg.A[p]) = (0.1f + p % 5 * 0.3f, 0.4f, 0.03f * (p % 11), 1f);
        var background = new Layer(bg);
        var bright = Compositor.CompositeToSrgb8(w, h, [background], 1f);
        var dark = Compositor.CompositeToSrgb8(w, h, [background], 0.6f);
        using var canvas = new Compositor.SrgbCanvas();
        var rng = new Random(7);
        for (int frame = 0; frame < 24; frame++)
        {
            var layers = new List<Layer> { background };
            int characters = frame % 6 == 3 ? 0 : 1 + frame % 3; // a frame with nothing above the background
            for (int c = 0; c < characters; c++)
            {
                var blob = Blob(w, h, (float)rng.NextDouble(), (float)rng.NextDouble(), 0.05f + 0.3f * (float)rng.NextDouble(), frame * 10 + c);
                var decoded = FrameCodec.DecodeRgba(FrameCodec.EncodeRgba(blob), out var stored, out var spans);
                layers.Add(new Layer(decoded) { Within = stored, RowSpans = spans });
            }
            var (below, exposure) = frame is 9 or 10 or 17 ? (dark, 0.6f) : (bright, 1f);
            var expected = Compositor.CompositeToSrgb8(w, h, layers, exposure, 1, below);
            var got = Compositor.CompositeToSrgb8(w, h, layers, exposure, 1, below, canvas);
            Assert.Equal(expected, got);
        }
        // another size: a canvas of its own size
        var small = new RgbaImage(w - 1, h - 1);
        var smallBelow = Compositor.CompositeToSrgb8(w - 1, h - 1, [new Layer(small)], 1f);
        Assert.Equal(smallBelow, Compositor.CompositeToSrgb8(w - 1, h - 1, [new Layer(small)], 1f, 1, smallBelow, canvas));
    }

    /// <summary>
    /// The rows' spans the decoder hands back (<see cref="Layer.RowSpans"/>) are each row's first to last pixel whose bits
    /// are not zero in some plane (a brute-force search of the decoded image), and the composite with them — over the
    /// background's kept bytes too, a shadow-like layer among the layers below — is the composite that searches the rows.
    /// </summary>
    [Theory]
    [InlineData(61, 45, 1f)]
    [InlineData(130, 72, 1.3f)]
    public void Compositing_with_the_decoder_s_row_spans_is_compositing_with_searched_rows(int w, int h, float exposure)
    {
        var bg = new RgbaImage(w, h);
        for (int p = 0; p < w * h; p++) (bg.R[p], bg.G[p], bg.B[p], bg.A[p]) = (0.1f + p % 5 * 0.3f, 0.4f, 0.03f * (p % 11), 1f);
        var shadow = new RgbaImage(w, h); // colour planes zero, ragged alpha with empty rows inside its box
        for (int y = h / 3; y < h - 2; y++)
            if (y % 4 != 1)
                for (int x = y % 9; x < w - y % 13; x += 1 + y % 3) shadow.A[y * w + x] = 0.4f;
        var modes = new[] { BlendMode.Normal, BlendMode.Add, BlendMode.Screen, BlendMode.Multiply };
        var images = new List<RgbaImage> { shadow };
        for (int i = 0; i < modes.Length; i++) images.Add(Blob(w, h, 0.2f + 0.2f * i, 0.3f + 0.15f * i, 0.18f, i));
        var searched = new List<Layer> { new(bg) };
        var spanned = new List<Layer> { new(bg) };
        for (int i = 0; i < images.Count; i++)
        {
            var decoded = FrameCodec.DecodeRgba(FrameCodec.EncodeRgba(images[i]), out var stored, out var spans);
            Assert.Equal(2 * stored.H, spans.Length);
            for (int k = 0; k < stored.H; k++)
            {
                int y = stored.Y + k, x0 = w, x1 = 0;
                for (int x = 0; x < w; x++)
                    foreach (var plane in new[] { decoded.R, decoded.G, decoded.B, decoded.A })
                        if (BitConverter.SingleToUInt32Bits(plane[y * w + x]) != 0) (x0, x1) = (Math.Min(x0, x), Math.Max(x1, x + 1));
                Assert.Equal(x1 > x0 ? (x0, x1) : (0, 0), (spans[2 * k], spans[2 * k + 1]));
            }
            var (mode, opacity) = i == 0 ? (BlendMode.Normal, 1f) : (modes[i - 1], 0.8f);
            searched.Add(new Layer(decoded, mode, opacity) { Within = stored });
            spanned.Add(new Layer(decoded, mode, opacity) { Within = stored, RowSpans = spans });
        }
        SameBits(Compositor.CompositeCpu(w, h, searched), Compositor.CompositeCpu(w, h, spanned));
        var expected = Compositor.CompositeToSrgb8(w, h, searched, exposure);
        Assert.Equal(expected, Compositor.CompositeToSrgb8(w, h, spanned, exposure));
        Assert.Equal(expected, Compositor.CompositeToSrgb8(w, h, spanned, exposure, 1, Compositor.CompositeToSrgb8(w, h, [spanned[0]], exposure)));
        Assert.Equal(expected, Compositor.CompositeToSrgb8(w, h, spanned, exposure, 2, Compositor.CompositeToSrgb8(w, h, spanned.GetRange(0, 2), exposure)));
    }

    [Theory]
    [InlineData(61, 45)]
    [InlineData(100, 40)]
    public void The_boxed_motion_blur_is_the_whole_frame_blur(int w, int h)
    {
        var layer = FrameCodec.DecodeRgba(FrameCodec.EncodeRgba(Blob(w, h, 0.45f, 0.5f, 0.25f, 3)), out var stored);
        (float X, float Y, float Dx, float Dy)[] points = [(w * 0.4f, h * 0.5f, 7f, -1f), (w * 0.6f, h * 0.4f, -2.5f, 3f)];
        var (fx, fy) = MotionBlur.FlowFromSeeds(layer, points)!.Value;
        var (bfx, bfy) = MotionBlur.FlowFromSeeds(layer, points, stored, out var flowBox)!.Value;
        SameBits(fx, bfx);
        SameBits(fy, bfy);
        for (int p = 0; p < w * h; p++)
        {
            int x = p % w, y = p / w;
            if (x < flowBox.X0 || x >= flowBox.X1 || y < flowBox.Y0 || y >= flowBox.Y1) Assert.True(fx[p] == 0f && fy[p] == 0f, $"flow outside {flowBox}");
        }
        var expected = MotionBlur.ApplyCpu(layer, fx, fy);
        var blurred = MotionBlur.Apply(layer, bfx, bfy, flowBox, stored, out var written);
        SameBits(expected, blurred);
        Assert.NotNull(written);
        var b = written!.Value;
        for (int p = 0; p < w * h; p++)
        {
            int x = p % w, y = p / w;
            if (x < b.X || x >= b.X + b.W || y < b.Y || y >= b.Y + b.H)
                Assert.True(blurred.R[p] == 0f && blurred.G[p] == 0f && blurred.B[p] == 0f && blurred.A[p] == 0f, $"pixel ({x}, {y}) outside {b}");
        }
    }

    /// <summary>
    /// <see cref="MotionBlur.ApplyInPlace"/> leaves in the layer the bits of the blurred copy, zero outside the box it
    /// gives, and hands back each of that box's rows' first to last pixel whose bits are not zero (a brute-force search):
    /// ragged decoded layers with empty rows and −0, flows in random boxes (reaching past the stored box, or inside a
    /// row's span so that the row's ends are sharp pixels on either side), zero and −0 flows among moving ones.
    /// </summary>
    [Theory]
    [InlineData(61, 45, 1)]
    [InlineData(130, 72, 2)]
    [InlineData(97, 33, 3)]
    public void Blurring_in_place_is_the_blurred_copy_with_the_blurred_rows_spans(int w, int h, int seed)
    {
        var rng = new Random(seed);
        for (int trial = 0; trial < 40; trial++)
        {
            var image = new RgbaImage(w, h);
            int ly0 = rng.Next(h), ly1 = rng.Next(ly0, h + 1);
            for (int y = ly0; y < ly1; y++)
            {
                if (rng.Next(5) == 0) continue; // an empty row inside the box
                for (int run = rng.Next(1, 4); run > 0; run--)
                {
                    int x0 = rng.Next(w), x1 = Math.Min(w, x0 + rng.Next(1, w / 3));
                    for (int x = x0; x < x1; x++)
                    {
                        int p = y * w + x;
                        float a = rng.Next(6) == 0 ? 0f : (float)rng.NextDouble();
                        (image.R[p], image.G[p], image.B[p], image.A[p]) = (a * 0.7f, rng.Next(9) == 0 ? -0f : a * 0.3f, a * 1.4f, a);
                    }
                }
            }
            var bytes = FrameCodec.EncodeRgba(image);
            var sharp = FrameCodec.DecodeRgba(bytes, out var stored, out var spans);
            var copy = FrameCodec.DecodeRgba(bytes, out _, out _);
            var fx = new float[w * h];
            var fy = new float[w * h];
            int fx0 = rng.Next(w), fx1 = rng.Next(fx0, w + 1), fy0 = rng.Next(h), fy1 = rng.Next(fy0, h + 1);
            for (int y = fy0; y < fy1; y++)
                for (int x = fx0; x < fx1; x++)
                {
                    int p = y * w + x;
                    (fx[p], fy[p]) = rng.Next(5) switch
                    {
                        0 => (0f, 0f),
                        1 => (-0f, 0f),
                        2 => (0f, (float)(rng.NextDouble() * 20 - 10)),
                        _ => ((float)(rng.NextDouble() * 30 - 15), (float)(rng.NextDouble() * 6 - 3)),
                    };
                }
            var window = new Talos.Gpu.Raygen.AlphaBounds(fx0, fy0, fx1, fy1);
            var expected = MotionBlur.Apply(copy, fx, fy, window, stored, out var expectedBox);
            MotionBlur.ApplyInPlace(sharp, fx, fy, window, stored, spans, out var written, out var blurredSpans);
            SameBits(expected, sharp);
            Assert.Equal(expectedBox, written);
            Assert.NotNull(blurredSpans);
            Assert.Equal(2 * written.H, blurredSpans.Length);
            for (int y = 0; y < h; y++)
            {
                int x0 = w, x1 = 0;
                for (int x = 0; x < w; x++)
                    foreach (var plane in new[] { sharp.R, sharp.G, sharp.B, sharp.A })
                        if (BitConverter.SingleToUInt32Bits(plane[y * w + x]) != 0) (x0, x1) = (Math.Min(x0, x), Math.Max(x1, x + 1));
                bool inside = y >= written.Y && y < written.Y + written.H;
                if (!inside || x1 <= x0) { Assert.True(!inside || (blurredSpans[2 * (y - written.Y)], blurredSpans[2 * (y - written.Y) + 1]) == (0, 0), $"row {y} of trial {trial}"); Assert.True(inside || x1 <= x0, $"row {y} outside {written}"); continue; }
                Assert.True(x0 >= written.X && x1 <= written.X + written.W, $"row {y} outside {written}");
                Assert.Equal((x0, x1), (blurredSpans[2 * (y - written.Y)], blurredSpans[2 * (y - written.Y) + 1]));
            }
            // without the stored rows' spans: none handed back, the same bits
            var again = FrameCodec.DecodeRgba(bytes, out _, out _);
            MotionBlur.ApplyInPlace(again, fx, fy, window, stored, null, out var written2, out var none);
            SameBits(expected, again);
            Assert.Equal(written, written2);
            Assert.Null(none);
        }
    }

    [Fact]
    public void A_lease_with_boxes_hands_back_all_zero_planes()
    {
        const int w = 37, h = 23; // a size no other test rents, so the arrays rented back are these
        var img = FramePool.Rent(w, h);
        var other = FramePool.Rent(w, h);
        var flow = FramePool.RentPlane(w * h);
        var box = new FrameCodec.Box(5, 3, 11, 7);
        for (int y = box.Y; y < box.Y + box.H; y++)
            for (int x = box.X; x < box.X + box.W; x++)
            {
                int p = y * w + x;
                (img.R[p], img.G[p], img.B[p], img.A[p]) = (1f, -0f, 2f, 0.5f);
                other.A[p] = 1f;
                flow[p] = 3f;
            }
        other.R[0] = 9f; // outside the first box given: the second, wider one covers it
        using (var lease = new FrameLease())
        {
            lease.Own(img, box);
            lease.Own(other, box);
            lease.Own(other, new FrameCodec.Box(0, 0, 1, 1));
            lease.Own(img, box); // twice: returned once
        }
        FramePool.Return(flow, w, box);
        Assert.Throws<ArgumentOutOfRangeException>(() => FramePool.Return(new float[w * h], w, new FrameCodec.Box(30, 0, 10, 1)));
        for (int i = 0; i < 3; i++)
        {
            var again = FramePool.Rent(w, h);
            foreach (var plane in new[] { again.R, again.G, again.B, again.A })
                Assert.True(MemoryMarshal.AsBytes(plane.AsSpan()).IndexOfAnyExcept((byte)0) < 0, "a rented plane is not all zero bits");
        }
    }
}
