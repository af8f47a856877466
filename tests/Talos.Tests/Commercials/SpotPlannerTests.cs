using Talos.Gpu.Axis;
using Talos.Gpu.Cuttura.Titles;
using Talos.Gpu.Prism;
using Talos.Gpu.Prism.Commercials;
using Talos.Messages.Specs;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Commercials;

/// <summary>The spot's storyboard and its reframing, as plain functions: lengths, staging per format, type inside the title-safe area.</summary>
public sealed class SpotPlannerTests
{
    static Brief Example() => BriefJson.Load(Path.Combine(Repo.Root, "examples", "brief.json"));

    static Bounds Safe(Deliverable f)
    {
        var r = SafeAreas.TitleSafe(f.Width, f.Height);
        return new Bounds(r.Left, r.Top, r.Right, r.Bottom);
    }

    static bool Inside(Bounds b, Bounds outer) => b.MinX >= outer.MinX && b.MinY >= outer.MinY && b.MaxX <= outer.MaxX && b.MaxY <= outer.MaxY;

    [Theory]
    [InlineData(6, 24)]
    [InlineData(15, 25)]
    [InlineData(30, 30)]
    [InlineData(6, 7)]
    public void The_shots_add_up_to_exactly_the_briefs_length(int seconds, int fps)
    {
        var brief = Example() with { DurationSeconds = seconds };
        var spot = SpotPlanner.Plan(brief, Deliverable.For("16x9", 144), fps, "p", Safe(Deliverable.For("16x9", 144)));
        Assert.Equal(seconds * fps, spot.Shots.Sum(s => s.FrameCount));
        Assert.Equal(["hook", "product", "tagline", "endcard"], spot.Shots.Select(s => s.Id));
        Assert.All(spot.Shots, s => Assert.True(s.FrameCount > 0));
        foreach (var s in spot.Shots) ShotSpecJson.Parse(ShotSpecJson.Serialize(s)); // every spec is a valid shot spec
    }

    [Theory]
    [InlineData("16x9", 1080, 1920, 1080)]
    [InlineData("9x16", 1080, 1080, 1920)]
    [InlineData("1x1", 1080, 1080, 1080)]
    [InlineData("4x5", 1080, 1080, 1350)]
    [InlineData("16x9", 144, 256, 144)]
    [InlineData("9x16", 144, 144, 256)]
    [InlineData("4x5", 144, 144, 180)]
    [InlineData("16x9", 360, 640, 360)]
    public void Formats_take_their_sizes_from_the_landscape_height(string name, int height, int w, int h)
    {
        var f = Deliverable.For(name, height);
        Assert.Equal((w, h), (f.Width, f.Height));
    }

    [Fact]
    public void Unknown_or_repeated_deliverables_are_refused()
    {
        Assert.Contains("'21x9' is unknown", Assert.Throws<PrismException>(() => Deliverable.ParseList("16x9,21x9", 1080)).Message);
        Assert.Contains("named twice", Assert.Throws<PrismException>(() => Deliverable.ParseList("1x1,1x1", 1080)).Message);
        Assert.Equal("/x/spot.9x16.mp4", Deliverable.For("9x16", 1080).OutputPath("/x/spot.mp4", 2));
        Assert.Equal("/x/spot.mp4", Deliverable.For("9x16", 1080).OutputPath("/x/spot.mp4", 1));
    }

    [Theory]
    [InlineData("16x9")]
    [InlineData("9x16")]
    [InlineData("1x1")]
    [InlineData("4x5")]
    public void Every_character_at_every_frame_and_every_title_lie_inside_the_title_safe_area(string name)
    {
        var format = Deliverable.For(name, 360);
        var safe = Safe(format);
        var spot = SpotPlanner.Plan(Example(), format, 12, "p", safe);
        var hook = spot.Shots[0];
        var framing = Reframing.Measure(hook);
        Assert.Equal(2, framing.Count);
        Assert.All(framing, c => Assert.True(Inside(c.Extent, safe), $"{name}: {c.Character} {c.Extent} leaves {safe}"));
        foreach (var t in SpotTitles.Placed(spot, SpotTitles.ToScene(spot)).Where(t => t.Role != SpotPlanner.Roles.Ground))
            Assert.True(t.Box.Inside(LayoutBox.From(safe)), $"{name}: {t.Role} {t.Box} leaves {safe}");
    }

    [Fact]
    public void A_narrow_format_restages_the_cast_inside_title_safe_with_their_bodies_apart()
    {
        var brief = Example();
        ShotSpec Hook(Brief b, string format) => SpotPlanner.Plan(b, Deliverable.For(format, 360), 12, "p", Safe(Deliverable.For(format, 360))).Shots[0];
        double Gap(ShotSpec s) => s.Characters[^1].Keyframes[0].X - s.Characters[0].Keyframes[0].X;
        void Restaged(ShotSpec hook, string format, bool apart = true)
        {
            var boxes = Reframing.Measure(hook);
            var safe = Safe(Deliverable.For(format, 360));
            Assert.All(boxes, c => Assert.True(Inside(c.Extent, safe), $"{format}: {c.Character} {c.Extent} leaves {safe}"));
            for (int i = 1; i < boxes.Count && apart; i++)
                Assert.True(boxes[i - 1].Keys[0].Box.MaxX <= boxes[i].Keys[0].Box.MinX, $"{format}: {boxes[i - 1].Character} runs into {boxes[i].Character}");
        }
        var wide = Hook(brief, "16x9");
        Assert.Equal(1.0, wide.Camera[0].Zoom, 6);
        Assert.Equal(0.6, Gap(wide), 6); // the brief's staging as planned
        Restaged(wide, "16x9");
        var tall = Hook(brief, "9x16");
        Assert.True(tall.Camera[0].Zoom < 1.0, $"portrait zoom {tall.Camera[0].Zoom}");
        Restaged(tall, "9x16");
        var four = Hook(brief with { Cast = [.. brief.Cast, new CastMember("ODA", "stocky"), new CastMember("LIV", "lanky")] }, "9x16");
        Assert.True(four.Camera[0].Zoom < tall.Camera[0].Zoom, $"four in portrait: zoom {four.Camera[0].Zoom} vs two {tall.Camera[0].Zoom}");
        Restaged(four, "9x16", apart: false); // four abreast touch already in the planner's 16:9 staging

        // Two characters at the edges of a wide shot: a square frame brings them in, at (nearly) full size.
        var edges = wide with { Characters = [wide.Characters[0] with { Keyframes = [new PoseKey { X = 0.03 }] }, wide.Characters[1] with { Keyframes = [new PoseKey { X = 0.97, Facing = -1 }] }] };
        var square = Reframing.Reframe(edges, 360, 360, Safe(Deliverable.For("1x1", 360)));
        Assert.True(Gap(square) < 0.94, $"edges in a square: gap {Gap(square)}");
        Restaged(square, "1x1");
    }

    [Fact]
    public void Ink_bounds_contain_every_inked_pixel_of_the_drawing()
    {
        var rig = Rigs.Get("stocky");
        var pose = PoseLibrary.Resolve("wave", "joy", 0);
        var camera = new Talos.Gpu.Imaging.CameraState(0.8, 0.05);
        var b = LineArt.InkBounds(rig, pose, 0.3, -1, camera, 320, 180);
        var lines = LineArt.Draw(rig, pose, 0.3, -1, camera, 320, 180).Lines;
        int inked = 0;
        for (int y = 0; y < 180; y++)
            for (int x = 0; x < 320; x++)
                if (lines[x, y] > 0)
                {
                    inked++;
                    Assert.True(x >= b.MinX && x + 1 <= b.MaxX && y >= b.MinY && y + 1 <= b.MaxY, $"ink at ({x},{y}) outside {b}");
                }
        Assert.True(inked > 200);
        Assert.True(b.MaxX - b.MinX < 0.6 * 180, $"bounds {b} are loose"); // tight enough to frame by
    }
}
