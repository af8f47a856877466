using Talos.Gpu.Imaging;
using Talos.Gpu.Stokes;
using Talos.Messages.Specs;
using Xunit;

namespace Talos.Tests.Stokes;

public sealed class EffectsSimulationTests
{
    const int Fps = 24, Short = 36, W = 64, H = 36;
    const double Aspect = 16.0 / 9.0;

    static EffectsSimulation Sim(params EffectSpec[] effects) => new(effects, Fps, Aspect, Short);

    static readonly EffectSpec[] Mixed =
    [
        new() { Type = "smoke", X = 0.3, Y = 0.8, StartFrame = 0, EndFrame = 30 },
        new() { Type = "fire", X = 0.6, Y = 0.85, StartFrame = 4 },
        new() { Type = "magic", X = 0.5, Y = 0.4, StartFrame = 2, Strength = 1.5 },
        new() { Type = "mist", X = 0.5, Y = 0.95, StartFrame = 0 },
    ];

    /// <summary>Density-weighted mean row of the smoke field (grid rows, larger = lower).</summary>
    static double SmokeCentroidY(FluidGrid g)
    {
        double m = 0, my = 0;
        for (int j = 1; j <= g.Ny; j++)
            for (int i = 1; i <= g.Nx; i++) { double d = g.Smoke[g.Ix(i, j)]; m += d; my += d * j; }
        return my / m;
    }

    [Fact]
    public void Smoke_rises()
    {
        var sim = Sim(new EffectSpec { Type = "smoke", X = 0.5, Y = 0.85, StartFrame = 0, EndFrame = 8 });
        sim.AdvanceTo(8);
        double early = SmokeCentroidY(sim.Grid);
        sim.AdvanceTo(40);
        double later = SmokeCentroidY(sim.Grid);
        Assert.True(later < early - 0.08 * Short, $"smoke centroid row {early:F2} -> {later:F2} should move up");
    }

    [Fact]
    public void Fire_renders_warm_and_adds_light()
    {
        var sim = Sim(new EffectSpec { Type = "fire", X = 0.5, Y = 0.8 });
        sim.AdvanceTo(24);
        var img = sim.Render(W, H);
        int k = Brightest(img);
        Assert.True(img.R[k] > img.G[k] && img.G[k] > img.B[k], $"fire colour {img.R[k]}, {img.G[k]}, {img.B[k]}");
        // emissive: the colour it adds exceeds what its alpha hides, so over grey the frame gets brighter
        const float bg = 0.05f;
        float over = img.R[k] + bg * (1 - img.A[k]);
        Assert.True(img.A[k] < 0.5f && over > 2 * bg, $"alpha {img.A[k]}, red over background {over}");
    }

    [Fact]
    public void Nothing_renders_before_the_start_or_long_after_the_end()
    {
        foreach (var type in new[] { "smoke", "fire", "magic", "mist" })
        {
            // a coarse grid: this runs a thousand frames per kind
            var sim = new EffectsSimulation([new EffectSpec { Type = type, X = 0.5, Y = 0.7, StartFrame = 10, EndFrame = 30 }], Fps, Aspect, 18);
            sim.AdvanceTo(9);
            Assert.Equal(0f, MaxOf(sim.Render(W, H)));
            sim.AdvanceTo(20);
            Assert.True(MaxOf(sim.Render(W, H)) > 0.05f, $"{type} should be visible while active");
            sim.AdvanceTo(30 + 40 * Fps);
            Assert.True(MaxOf(sim.Render(W, H)) < 0.004f, $"{type} should have faded 40 s after its end, max {MaxOf(sim.Render(W, H))}");
        }
    }

    [Fact]
    public void Two_runs_are_bit_identical()
    {
        var a = Sim(Mixed); var b = Sim(Mixed);
        a.AdvanceTo(20); b.AdvanceTo(20);
        Assert.Equal(FrameCodec.EncodeRgba(a.Render(W, H)), FrameCodec.EncodeRgba(b.Render(W, H)));
        Assert.Equal(a.SaveState(), b.SaveState());
    }

    [Fact]
    public void Resuming_from_saved_state_renders_the_same_frames()
    {
        var straight = Sim(Mixed);
        var expected = new List<byte[]>();
        for (int f = 0; f < 24; f++) { straight.AdvanceTo(f); expected.Add(Planes(straight.Render(W, H))); }

        var first = Sim(Mixed);
        for (int f = 0; f < 11; f++) { first.AdvanceTo(f); Assert.Equal(expected[f], Planes(first.Render(W, H))); }
        var resumed = EffectsSimulation.LoadState(first.SaveState(), Mixed, Fps);
        Assert.Equal(10, resumed.Frame);
        for (int f = 11; f < 24; f++) { resumed.AdvanceTo(f); Assert.Equal(expected[f], Planes(resumed.Render(W, H))); }
    }

    [Fact]
    public void Corrupt_or_truncated_state_is_rejected()
    {
        var sim = Sim(Mixed);
        sim.AdvanceTo(5);
        var state = sim.SaveState();
        var flipped = (byte[])state.Clone();
        flipped[state.Length / 2] ^= 0x40;
        Assert.Contains("checksum", Assert.Throws<InvalidDataException>(() => EffectsSimulation.LoadState(flipped, Mixed, Fps)).Message);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => EffectsSimulation.LoadState(state[..^100], Mixed, Fps)).Message);
        Assert.Throws<InvalidDataException>(() => EffectsSimulation.LoadState([1, 2, 3], Mixed, Fps));
        Assert.Throws<InvalidDataException>(() => EffectsSimulation.LoadState(state, Mixed, 30));
        Assert.Throws<InvalidDataException>(() => EffectsSimulation.LoadState(state, Mixed[..2], Fps));
    }

    [Fact]
    public void Frames_only_go_forward()
    {
        var sim = Sim(Mixed);
        sim.AdvanceTo(3);
        sim.AdvanceTo(3);
        Assert.Throws<InvalidOperationException>(() => sim.AdvanceTo(2));
        Assert.Throws<ArgumentException>(() => Sim(new EffectSpec { Type = "lava" }));
    }

    static byte[] Planes(RgbaImage img)
    {
        var bytes = new byte[img.PixelCount * 16];
        Buffer.BlockCopy(img.R, 0, bytes, 0, img.PixelCount * 4);
        Buffer.BlockCopy(img.G, 0, bytes, img.PixelCount * 4, img.PixelCount * 4);
        Buffer.BlockCopy(img.B, 0, bytes, img.PixelCount * 8, img.PixelCount * 4);
        Buffer.BlockCopy(img.A, 0, bytes, img.PixelCount * 12, img.PixelCount * 4);
        return bytes;
    }

    static float MaxOf(RgbaImage img) => Math.Max(Math.Max(img.R.Max(), img.G.Max()), Math.Max(img.B.Max(), img.A.Max()));

    static int Brightest(RgbaImage img)
    {
        int best = 0;
        for (int k = 1; k < img.PixelCount; k++) if (img.R[k] > img.R[best]) best = k;
        return best;
    }
}
