using System.Runtime.InteropServices;
using Talos.Gpu.Anima;
using Talos.Gpu.Imaging;
using Xunit;

namespace Talos.Tests.Imaging;

/// <summary>
/// FramePool hands out arrays that are all zero bits, exactly as new ones, however they were written before: a stale
/// pixel of one frame in the next would change a frame's bytes (and its vault hash). Each test uses its own odd size,
/// so that no other test running at the same time takes its arrays.
/// </summary>
public sealed class FramePoolTests
{
    static readonly float[] Dirt = [1f, -0f, float.NaN, float.Epsilon, -float.Epsilon, float.PositiveInfinity, 3.5e-42f, -1e30f];

    static void Soil(RgbaImage img, int seed)
    {
        var rng = new Random(seed);
        foreach (var plane in new[] { img.R, img.G, img.B, img.A })
        {
            plane[0] = -0f; plane[^1] = float.NaN; // the ends: what a span-clear between first and last must reach
            for (int k = 0; k < plane.Length / 3; k++) plane[rng.Next(plane.Length)] = Dirt[rng.Next(Dirt.Length)];
        }
    }

    /// <summary>Whether <paramref name="plane"/> is one of <paramref name="img"/>'s planes (the very array, not equal values).</summary>
    static bool HasPlane(RgbaImage img, float[] plane) => new[] { img.R, img.G, img.B, img.A }.Any(p => ReferenceEquals(p, plane));

    static void AssertZeroBits(RgbaImage img)
    {
        foreach (var plane in new[] { img.R, img.G, img.B, img.A })
            Assert.Equal(-1, MemoryMarshal.Cast<float, uint>(plane.AsSpan()).IndexOfAnyExcept(0u));
    }

    [Fact]
    public void A_returned_image_comes_back_as_zero_bits_in_every_plane()
    {
        var first = FramePool.Rent(41, 29);
        AssertZeroBits(first);
        Soil(first, 1);
        FramePool.Return(first);
        var again = FramePool.Rent(41, 29);
        // the same planes again (the pool was used, not bypassed), and nothing of what they held
        Assert.True(HasPlane(first, again.R));
        AssertZeroBits(again);
        // a plane written only in its middle (a character's box) is cleared there too
        again.G[41 * 14 + 20] = 0.75f;
        FramePool.Return(again);
        for (int k = 0; k < 4; k++) Assert.Equal(-1, MemoryMarshal.Cast<float, uint>(FramePool.RentPlane(41 * 29).AsSpan()).IndexOfAnyExcept(0u));
    }

    [Fact]
    public void Nothing_is_kept_beyond_the_cap_a_host_sets()
    {
        long before = FramePool.Cap;
        try
        {
            var plane = FramePool.RentPlane(4127);
            FramePool.Cap = 0;
            Assert.Equal(0, FramePool.Budget);
            FramePool.Return(plane); // over the cap: left to the GC
            Assert.NotSame(plane, FramePool.RentPlane(4127));
            FramePool.Cap = long.MaxValue;
            Assert.True(FramePool.Budget >= 64L << 20); // no cap: a quarter of the heap, at least 64 MiB
            FramePool.Return(plane);
            Assert.Same(plane, FramePool.RentPlane(4127));
            Assert.Throws<ArgumentOutOfRangeException>(() => FramePool.Cap = -1);
        }
        finally { FramePool.Cap = before; }
    }

    [Fact]
    public void Returned_bytes_come_back_zero()
    {
        var bytes = FramePool.RentBytes(4099);
        bytes.AsSpan(17, 3000).Fill(0xA5);
        FramePool.Return(bytes);
        var again = FramePool.RentBytes(4099);
        Assert.Same(bytes, again);
        Assert.Equal(-1, again.AsSpan().IndexOfAnyExcept((byte)0));
    }

    [Fact]
    public void An_array_returned_twice_is_refused()
    {
        var plane = FramePool.RentPlane(4111);
        FramePool.Return(plane);
        Assert.Throws<InvalidOperationException>(() => FramePool.Return(plane));
        Assert.Same(plane, FramePool.RentPlane(4111));
    }

    [Fact]
    public void A_lease_returns_each_image_once()
    {
        var img = FramePool.Rent(43, 31);
        Soil(img, 2);
        using (var lease = new FrameLease())
        {
            lease.Own(img);
            lease.Own(img); // owned twice (a stage step that handed its input back): returned once, no double-return error
            lease.Own((RgbaImage?)null);
        }
        var a = FramePool.Rent(43, 31);
        var b = FramePool.Rent(43, 31);
        Assert.True(HasPlane(a, img.A));
        Assert.False(HasPlane(b, img.A)); // not handed out twice
        AssertZeroBits(a);
    }

    /// <summary>
    /// A layer decoded into the planes of an earlier, larger layer (another box, other values) is that layer bit for bit:
    /// what the earlier one held outside the new box is gone.
    /// </summary>
    [Fact]
    public void A_layer_decoded_into_reused_planes_holds_nothing_of_the_layer_before()
    {
        const int w = 47, h = 37;
        static RgbaImage Box(int x0, int y0, int x1, int y1, float v)
        {
            var img = new RgbaImage(w, h);
            for (int y = y0; y < y1; y++)
                for (int x = x0; x < x1; x++) { int i = y * w + x; img.A[i] = 1f; img.R[i] = v; img.G[i] = v / 2; img.B[i] = x / (float)w; }
            return img;
        }
        var big = FrameCodec.DecodeRgba(FrameCodec.EncodeRgba(Box(0, 0, w, h, 0.9f)));
        var small = Box(30, 20, 40, 30, 0.25f);
        var fresh = FrameCodec.DecodeRgba(FrameCodec.EncodeRgba(small));
        FramePool.Return(big);
        var reused = FrameCodec.DecodeRgba(FrameCodec.EncodeRgba(small));
        Assert.True(HasPlane(big, reused.A));
        foreach (var (p, q) in new[] { (fresh.R, reused.R), (fresh.G, reused.G), (fresh.B, reused.B), (fresh.A, reused.A) })
            Assert.True(MemoryMarshal.Cast<float, uint>(p.AsSpan()).SequenceEqual(MemoryMarshal.Cast<float, uint>(q.AsSpan())));
        Assert.Equal(0f, reused.R[0]); // where the big layer was 0.9
    }

    /// <summary>A gray image given back with the box it was written in comes back all zero (CHROMA's line images).</summary>
    [Fact]
    public void A_gray_image_returned_with_its_written_box_comes_back_zero()
    {
        const int w = 59, h = 23;
        var lines = new GrayImage(w, h);
        for (int y = 4; y < 15; y++) for (int x = 10; x < 50; x++) lines.Data[y * w + x] = (x + y) % 5 / 4f;
        var blob = FrameCodec.EncodeGray(lines);
        var first = FramePool.RentGray(w, h);
        var written = FrameCodec.DecodeGray(blob, first, default);
        Assert.Equal(FrameCodec.DecodeGray(blob).Data, first.Data);
        FramePool.Return(first, written);
        var again = FramePool.RentGray(w, h);
        Assert.Same(first.Data, again.Data);
        Assert.All(again.Data, v => Assert.Equal(0u, BitConverter.SingleToUInt32Bits(v)));
        Assert.Throws<ArgumentOutOfRangeException>(() => FramePool.Return(again, new FrameCodec.Box(0, 0, w + 1, h)));
    }

    /// <summary>The composite and its sRGB bytes are the same whether their buffers are new or reused after another frame's.</summary>
    [Fact]
    public void A_composite_over_reused_buffers_is_the_same_bytes()
    {
        const int w = 53, h = 19;
        var bottom = new RgbaImage(w, h);
        var top = new RgbaImage(w, h);
        for (int i = 0; i < w * h; i++) { bottom.R[i] = 0.2f; bottom.G[i] = 0.3f; bottom.B[i] = 0.4f; bottom.A[i] = 1f; }
        for (int i = 200; i < 260; i++) { top.R[i] = 0.5f; top.A[i] = 0.5f; }
        byte[] Frame() => Compositor.ToSrgb8(Compositor.CompositeCpu(w, h, [new Layer(bottom), new Layer(top)]), 1f).ToArray();
        var want = Frame();
        // another "frame" fills buffers of this size with other values and hands them back
        var other = Compositor.CompositeCpu(w, h, [new Layer(top, BlendMode.Add)]);
        Soil(other, 3);
        var rgb = Compositor.ToSrgb8(other, 2f);
        FramePool.Return(other);
        FramePool.Return(rgb);
        var composite = Compositor.CompositeCpu(w, h, [new Layer(bottom), new Layer(top)]);
        Assert.True(HasPlane(other, composite.R));
        var got = Compositor.ToSrgb8(composite, 1f);
        Assert.Same(rgb, got);
        Assert.Equal(want, got);
    }
}
