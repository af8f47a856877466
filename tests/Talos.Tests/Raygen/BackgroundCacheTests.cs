using Talos.Gpu.Aether;
using Talos.Gpu.Imaging;
using Talos.Gpu.Raygen;
using Xunit;

namespace Talos.Tests.Raygen;

/// <summary>RAYGEN's background kept between a shot's frames: the same pixels as painting afresh, a copy per caller, a new key paints again.</summary>
public sealed class BackgroundCacheTests
{
    const int W = 160, H = 90;
    const float Ground = H * 0.82f;

    [Fact]
    public void Kept_background_and_depth_equal_a_fresh_paint_and_callers_get_copies()
    {
        var light = AetherPresets.Lighting("key-left");
        var camera = new CameraState(1.3, 0.1);
        var key = new BackgroundCache.Key($"preset:dusk:{Guid.NewGuid():N}", "key-left", camera, W, H, Ground, Depth: true);
        int painted = 0;
        RgbaImage Paint(float[]? d) { painted++; return Backgrounds.Render("dusk", light, camera, W, H, Ground, d); }

        var freshDepth = new float[W * H];
        var fresh = Backgrounds.Render("dusk", light, camera, W, H, Ground, freshDepth);
        var depth1 = new float[W * H];
        var first = BackgroundCache.Get(key, depth1, Paint);
        first.R[0] = 99f; // a caller's cast shadows darken its own copy
        var depth2 = new float[W * H];
        var second = BackgroundCache.Get(key, depth2, Paint);

        Assert.Equal(1, painted);
        Assert.Equal(fresh.R, second.R);
        Assert.Equal(fresh.G, second.G);
        Assert.Equal(fresh.B, second.B);
        Assert.Equal(fresh.A, second.A);
        Assert.Equal(freshDepth, depth1);
        Assert.Equal(freshDepth, depth2);

        BackgroundCache.Get(key with { Camera = new CameraState(1.31, 0.1) }, new float[W * H], Paint);
        Assert.Equal(2, painted);
    }

    [Fact]
    public void Encoded_keeps_the_bytes_of_a_fresh_paint_and_depth_not_the_float_planes()
    {
        var light = AetherPresets.Lighting("key-left");
        var camera = new CameraState(1.3, 0.1);
        var key = new BackgroundCache.Key($"preset:dusk:{Guid.NewGuid():N}", "key-left", camera, W, H, Ground, Depth: true);
        int painted = 0;
        var images = new List<WeakReference>();
        RgbaImage Paint(float[]? d)
        {
            painted++;
            var image = Backgrounds.Render("dusk", light, camera, W, H, Ground, d);
            images.Add(new WeakReference(image));
            return image;
        }

        var freshDepth = new float[W * H];
        var fresh = FrameCodec.EncodeRgba(Backgrounds.Render("dusk", light, camera, W, H, Ground, freshDepth));
        var depth1 = new float[W * H];
        var first = BackgroundCache.Encoded(key, depth1, Paint);
        var depth2 = new float[W * H];
        var second = BackgroundCache.Encoded(key, depth2, Paint);

        Assert.Equal(1, painted);
        Assert.Equal(fresh, first);
        Assert.Same(first, second); // the kept bytes: every frame of the shot puts the same blob
        Assert.Equal(freshDepth, depth1);
        Assert.Equal(freshDepth, depth2);
        // Collected once nothing holds it. In a busy process a queued replica of the encoder's Parallel.For may still hold
        // its body (and so the image) for a moment after the loop returned: a few tries, where a reference the cache kept
        // would hold it for ever.
        for (int i = 0; i < 50 && images[0].IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            if (images[0].IsAlive) Thread.Sleep(100);
        }
        Assert.False(images[0].IsAlive, "the cache kept the painted float planes after encoding them");

        // A caller that wants the pixels after all gets them painted again (the same ones), the bytes still kept.
        var depth3 = new float[W * H];
        var image = BackgroundCache.Get(key, depth3, Paint, copy: false);
        Assert.Equal(2, painted);
        Assert.Equal(fresh, FrameCodec.EncodeRgba(image));
        Assert.Equal(freshDepth, depth3);
        Assert.Same(first, BackgroundCache.Encoded(key, new float[W * H], Paint));
        Assert.Equal(2, painted);
    }

    [Fact]
    public void A_lower_kept_count_drops_the_oldest_background_at_the_next_miss()
    {
        var light = AetherPresets.Lighting("key-left");
        var camera = new CameraState(1.3, 0.1);
        string tag = Guid.NewGuid().ToString("N");
        var first = new BackgroundCache.Key($"preset:dusk:{tag}", "key-left", camera, W, H, Ground, Depth: false);
        var second = first with { What = $"preset:dawn:{tag}" };
        int painted = 0;
        RgbaImage Paint(float[]? d) { painted++; return Backgrounds.Render("dusk", light, camera, W, H, Ground, d); }
        int before = BackgroundCache.Kept;
        try
        {
            BackgroundCache.Kept = 1;
            BackgroundCache.Get(first, null, Paint, copy: false);
            Assert.Equal(1, BackgroundCache.Count);
            BackgroundCache.Get(second, null, Paint, copy: false);
            Assert.Equal(1, BackgroundCache.Count);
            BackgroundCache.Get(first, null, Paint, copy: false); // dropped: painted again
            Assert.Equal(3, painted);
            Assert.Throws<ArgumentOutOfRangeException>(() => BackgroundCache.Kept = 0);
        }
        finally { BackgroundCache.Kept = before; }
    }
}
