using Talos.Gpu.Prism;
using Talos.Messages.Specs;
using Xunit;

namespace Talos.Tests.Prism;

public sealed class ShotPlannerTests
{
    static SceneGraph Brick() => SceneGraphBuilder.Build(FountainParser.Parse(PrismPaths.ReadCorpus("brick_and_steel.fountain"), "brick_and_steel.fountain"));

    [Fact]
    public void Every_planned_shot_is_a_valid_spec_with_safe_ids_and_cut_order()
    {
        var specs = ShotPlanner.ToShotSpecs(Brick(), new RenderSettings());
        Assert.Equal(Brick().ShotCount, specs.Count);
        Assert.Equal(Enumerable.Range(1, specs.Count), specs.Select(s => s.Sequence));
        Assert.Equal("sc01-sh01", specs[0].Id);
        Assert.Equal(specs.Count, specs.Select(s => s.Id).Distinct().Count());
        Assert.All(specs, s => Assert.Matches("^sc[0-9]{2,}-sh[0-9]{2,}$", s.Id));
        foreach (var s in specs)
        {
            var back = ShotSpecJson.Parse(ShotSpecJson.Serialize(s)); // every rule holds
            Assert.Equal(s.FrameCount, back.FrameCount);
        }
        var total = specs.Sum(s => s.FrameCount) / 24.0;
        Assert.InRange(total - Brick().TotalSeconds, -specs.Count / 48.0, specs.Count / 48.0); // each shot rounds to whole frames
    }

    [Fact]
    public void Rigs_are_distinct_round_robin_by_first_appearance_and_stable_across_selections()
    {
        var all = ShotPlanner.ToShotSpecs(Brick(), new RenderSettings());
        var rigs = all.SelectMany(s => s.Characters).GroupBy(c => c.Name).ToDictionary(g => g.Key, g => g.Select(c => c.Rig).Distinct().Single());
        Assert.Equal(("lanky", "stocky", "round", "lanky"), (rigs["BRICK"], rigs["STEEL"], rigs["DAN"], rigs["JACK"]));
        var late = ShotPlanner.ToShotSpecs(Brick(), new RenderSettings(FirstScene: 6, LastScene: 7));
        Assert.All(late.SelectMany(s => s.Characters), c => Assert.Equal(rigs[c.Name], c.Rig));
        Assert.True(late.All(s => s.Id.StartsWith("sc06") || s.Id.StartsWith("sc07")));
        Assert.Equal(Enumerable.Range(1, late.Count), late.Select(s => s.Sequence));
    }

    [Fact]
    public void Scene_range_outside_the_script_names_the_range_and_scene_count()
    {
        var e = Assert.Throws<PrismException>(() => ShotPlanner.ToShotSpecs(Brick(), new RenderSettings(FirstScene: 50, LastScene: 60)));
        Assert.Contains("50-60", e.Message);
        Assert.Contains("8 scene", e.Message);
    }

    [Fact]
    public void Max_seconds_trims_the_last_shot_and_drops_the_rest()
    {
        var specs = ShotPlanner.ToShotSpecs(Brick(), new RenderSettings(Fps: 24, MaxSeconds: 10));
        Assert.Equal(240, specs.Sum(s => s.FrameCount));
        var full = ShotPlanner.ToShotSpecs(Brick(), new RenderSettings());
        Assert.True(specs.Count < full.Count);
        Assert.True(specs[^1].FrameCount < full[specs.Count - 1].FrameCount);
        foreach (var s in specs) ShotSpecJson.Parse(ShotSpecJson.Serialize(s)); // keys and lines stay inside the trimmed shot
    }

    [Fact]
    public void Walkers_cross_the_frame_speakers_gesture_while_talking_and_dialogue_has_frame_ranges()
    {
        var g = SceneGraphBuilder.Build(FountainParser.Parse("EXT. FIELD - DAY\n\nANNA walks across the field.\n\nBEN\n(angry)\nWhere were you all day?\n\nANNA\nSorry.\n"));
        var specs = ShotPlanner.ToShotSpecs(g, new RenderSettings(320, 180, 24));
        var walk = specs[0].Characters.Single().Keyframes;
        Assert.Equal(("walk", 0.5, 0), (walk[0].Pose, walk[0].X, walk[0].Frame));
        Assert.Equal(specs[0].FrameCount - 1, walk[^1].Frame);
        Assert.NotEqual(walk[0].X, walk[^1].X);

        var talk = specs[1];
        Assert.Equal("anger", talk.Mood);
        Assert.Equal(["ANNA", "BEN"], talk.Characters.Select(c => c.Name));
        Assert.True(talk.Characters[0].Keyframes[0].Facing == 1 && talk.Characters[1].Keyframes[0].Facing == -1); // they face each other
        var line = talk.Dialogue.Single();
        Assert.Equal(("BEN", 0, 47), (line.Character, line.StartFrame, line.EndFrame)); // 5 words at 2.5 w/s = 2 s = frames 0–47
        var ben = talk.Characters[1].Keyframes;
        Assert.Equal("gesture", ben.Single(k => k.Frame == line.StartFrame).Pose);
        var sorry = specs[2]; // "Sorry." = 0.4 s in a 1.5 s shot: gesture on frames 0–9, back to idle at 10
        Assert.Equal((0, 9), (sorry.Dialogue.Single().StartFrame, sorry.Dialogue.Single().EndFrame));
        var anna = sorry.Characters.Single(c => c.Name == "ANNA").Keyframes;
        Assert.Equal([(0, "gesture"), (10, "idle")], anna.Select(k => (k.Frame, k.Pose)));
        Assert.All(talk.Characters.SelectMany(c => c.Keyframes), k => Assert.Equal("anger", k.Emotion));
        Assert.Equal("medium", talk.Camera[0].Move);
    }

    [Fact]
    public void Effects_camera_moves_and_transitions_follow_the_cues()
    {
        var g = SceneGraphBuilder.Build(FountainParser.Parse("EXT. YARD - DAY\n\nSmoke pours from the chimney.\n\nDISSOLVE TO:\n\nEXT. ROAD - DAY\n\nWe DOLLY along the road.\n"));
        var specs = ShotPlanner.ToShotSpecs(g, new RenderSettings(320, 180, 24));
        Assert.Equal("smoke", specs[0].Effects.Single().Type);
        Assert.Equal(specs[0].FrameCount - 1, specs[0].Effects[0].EndFrame);
        Assert.Equal(("cut", "dissolve"), (specs[0].Transition, specs[1].Transition));
        Assert.Equal(["dolly", "dolly"], specs[1].Camera.Select(c => c.Move));
        Assert.True(specs[1].Camera[1].Zoom > specs[1].Camera[0].Zoom);
    }

    [Theory]
    [InlineData(321, 180, 24, "width")]
    [InlineData(320, 8, 24, "height")]
    [InlineData(320, 180, 0, "fps")]
    public void Absurd_render_settings_are_rejected(int w, int h, int fps, string word)
    {
        var e = Assert.Throws<PrismException>(() => ShotPlanner.ToShotSpecs(Brick(), new RenderSettings(w, h, fps)));
        Assert.Contains(word, e.Message);
    }

    [Fact]
    public async Task Fountain_to_shot_specs_is_deterministic()
    {
        string Run()
        {
            var sp = FountainParser.Parse(PrismPaths.ReadCorpus("big_fish.fountain"), "big_fish");
            return ShotSpecJson.SerializeMany(ShotPlanner.ToShotSpecs(SceneGraphBuilder.Build(sp), new RenderSettings(FirstScene: 1, LastScene: 40)));
        }
        var a = Run();
        var b = await Task.Run(Run, TestContext.Current.CancellationToken);
        Assert.Equal(a, b);
        Assert.True(a.Length > 10_000);
    }
}
