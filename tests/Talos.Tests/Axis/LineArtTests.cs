using Talos.Gpu.Axis;
using Talos.Gpu.Imaging;
using Xunit;
using static Talos.Tests.Axis.InkTools;

namespace Talos.Tests.Axis;

public sealed class LineArtTests
{
    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var rig in Rigs.Names)
            foreach (var (pose, emotion) in new[] { ("idle", "calm"), ("walk", "joy"), ("run", "anger"), ("sit", "sadness"), ("fight", "fear"), ("wave", "surprise"), ("fall", "fear") })
                data.Add(rig, pose, emotion);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Ink_coverage_stays_between_zero_and_one(string rig, string pose, string emotion)
    {
        var d = Draw(rig, pose, emotion);
        Assert.All(d.Lines.Data, v => Assert.InRange(v, 0f, 1f));
        Assert.Contains(d.Lines.Data, v => v == 1f);
        Assert.Contains(d.Lines.Data, v => v > 0f && v < 1f); // anti-aliased edges
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Edge_density_of_a_320x180_frame_is_plausible(string rig, string pose, string emotion)
    {
        var d = Draw(rig, pose, emotion);
        double density = d.Lines.Data.Count(v => v > 0.5f) / (double)d.Lines.Data.Length;
        Assert.InRange(density, 0.005, 0.08);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_seed_sits_on_a_clean_pixel_and_its_flood_fill_stays_closed(string rig, string pose, string emotion)
    {
        foreach (var (w, h) in new[] { (320, 180), (1280, 720) })
        {
            var d = Draw(rig, pose, emotion, w: w, h: h);
            Assert.NotEmpty(d.Seeds);
            foreach (var s in d.Seeds)
            {
                Assert.InRange(s.X, 0, w - 1); Assert.InRange(s.Y, 0, h - 1);
                Assert.True(d.Lines[(int)s.X, (int)s.Y] < 0.1f, $"seed {s} lies on ink {d.Lines[(int)s.X, (int)s.Y]}");
                var (pixels, border) = Flood(d.Lines, s.X, s.Y);
                Assert.False(border, $"{rig}/{pose} {w}x{h}: the fill from {s.Region} seed at ({s.X}, {s.Y}) leaks to the frame border");
                Assert.True(pixels.Count < w * h / 20, $"fill from {s.Region} covers {pixels.Count} pixels");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Seeds_of_different_regions_fill_different_areas(string rig, string pose, string emotion)
    {
        var d = Draw(rig, pose, emotion, w: 640, h: 360);
        var areaOf = new Dictionary<int, string>();
        foreach (var s in d.Seeds)
            foreach (int i in Flood(d.Lines, s.X, s.Y).Pixels)
            {
                if (areaOf.TryGetValue(i, out var other))
                    Assert.True(other == s.Region, $"{s.Region} seed at ({s.X}, {s.Y}) fills into the {other} area");
                areaOf[i] = s.Region;
            }
    }

    [Fact]
    public void Head_and_torso_are_separate_closed_areas()
    {
        var rig = Rigs.Get("lanky");
        var d = Draw("lanky", w: 640, h: 360);
        var body = d.Seeds.Where(s => s.Region == rig.RegionOf("body")).ToList();
        var hair = d.Seeds.Where(s => s.Region == "hair").ToList();
        Assert.NotEmpty(body); Assert.NotEmpty(hair);
        var bodyArea = body.SelectMany(s => Flood(d.Lines, s.X, s.Y).Pixels).ToHashSet();
        foreach (var s in d.Seeds.Where(s => s.Region is "hair" or "skin" or "eyes"))
            Assert.DoesNotContain((int)s.Y * 640 + (int)s.X, bodyArea);
    }

    [Fact]
    public void Every_rig_seeds_each_of_its_regions_at_a_readable_size()
    {
        foreach (var name in Rigs.Names)
        {
            var rig = Rigs.Get(name);
            var d = Draw(name, w: 1280, h: 720);
            Assert.Equal(rig.DefaultPalette.Keys.Order(), d.Seeds.Select(s => s.Region).Distinct().Order());
        }
    }

    [Fact]
    public void Drawing_twice_is_bit_identical()
    {
        var a = Draw("stocky", "walk", "joy", 0.4, -1, 1.3, 640, 360);
        var b = Draw("stocky", "walk", "joy", 0.4, -1, 1.3, 640, 360);
        Assert.Equal(a.Lines.Data, b.Lines.Data);
        Assert.Equal(a.Seeds, b.Seeds);
        Assert.Equal(a.GroundY, b.GroundY);
    }

    [Fact]
    public void Facing_left_mirrors_facing_right()
    {
        var right = Draw("round", "point", "joy", facing: 1, w: 640, h: 360).Lines;
        var left = Draw("round", "point", "joy", facing: -1, w: 640, h: 360).Lines;
        var mirrored = new GrayImage(640, 360);
        for (int y = 0; y < 360; y++)
            for (int x = 0; x < 640; x++) mirrored[x, y] = left[639 - x, y];
        Assert.True(MeanAbsDifference(right, mirrored) < 0.002, $"mean difference {MeanAbsDifference(right, mirrored)}");
        Assert.True(MeanAbsDifference(right, left) > 0.01, "a pointing pose is not symmetric, so facing must change the drawing");
    }

    [Fact]
    public void Feet_stand_on_the_ground_line_at_0_82_of_the_height()
    {
        foreach (var rig in Rigs.Names)
        {
            var d = Draw(rig, w: 640, h: 360);
            Assert.Equal(0.82f * 360, d.GroundY, 3);
            var (_, top, _, bottom) = InkBounds(d.Lines);
            Assert.InRange(bottom, d.GroundY - 2, d.GroundY + 4);
            Assert.InRange((d.GroundY - top) / 360.0, 0.45, 0.66);
        }
    }

    [Fact]
    public void Zoom_two_makes_the_character_about_twice_as_tall()
    {
        var near = Draw("lanky", zoom: 2, w: 640, h: 360);
        var wide = Draw("lanky", zoom: 1, w: 640, h: 360);
        double tall1 = wide.GroundY - InkBounds(wide.Lines).Top, tall2 = near.GroundY - InkBounds(near.Lines).Top;
        Assert.InRange(tall2 / tall1, 1.9, 2.1);
        Assert.Equal(180 + (0.82f - 0.5f) * 360 * 2, near.GroundY, 3);
    }

    [Fact]
    public void Camera_pan_moves_the_character_left_by_the_pan_in_frame_widths()
    {
        var still = InkBounds(Draw(w: 640, h: 360).Lines);
        var panned = InkBounds(LineArt.Draw(Rigs.Lanky, PoseLibrary.Resolve("idle", "calm", 0), 0.5, 1, new CameraState(1, 0.25), 640, 360).Lines);
        Assert.Equal(still.Left - 160, panned.Left);
        Assert.Equal(still.Top, panned.Top);
    }

    [Fact]
    public void Rigs_have_different_builds()
    {
        var lanky = InkBounds(Draw("lanky", w: 640, h: 360).Lines);
        var stocky = InkBounds(Draw("stocky", w: 640, h: 360).Lines);
        var round = InkBounds(Draw("round", w: 640, h: 360).Lines);
        double Aspect((int L, int T, int R, int B) b) => (b.R - b.L) / (double)(b.B - b.T);
        Assert.True(lanky.Bottom - lanky.Top > stocky.Bottom - stocky.Top, "lanky is taller than stocky");
        Assert.True(Aspect(stocky) > Aspect(lanky) * 1.3, "stocky is broader than lanky");
        Assert.True(Aspect(round) > Aspect(lanky) * 1.3, "round is broader than lanky");
    }

    [Fact]
    public void A_character_off_screen_draws_nothing_and_does_not_throw()
    {
        var d = Draw(x: 3.0, w: 320, h: 180);
        Assert.All(d.Lines.Data, v => Assert.Equal(0f, v));
        Assert.Empty(d.Seeds);
    }
}
