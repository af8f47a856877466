using Talos.Gpu.Prism;
using Xunit;

namespace Talos.Tests.Prism;

public sealed class SceneGraphTests
{
    static SceneGraph Graph(string fountain, PrismOptions? o = null) => SceneGraphBuilder.Build(FountainParser.Parse(fountain), o);

    [Fact]
    public void Dialogue_timing_follows_words_per_second_with_min_and_max()
    {
        var g = Graph("INT. ROOM - DAY\n\nANNA\nOne two three four five.\n\nBEN\nSix seven eight nine ten eleven twelve.\n\nANNA\nHi.\n");
        var shots = g.Scenes[0].Shots;
        Assert.Equal(3, shots.Count);
        Assert.Equal(5 / 2.5, shots[0].DurationSeconds, 9);
        Assert.Equal(7 / 2.5, shots[1].DurationSeconds, 9);
        Assert.Equal(1.5, shots[2].DurationSeconds, 9); // one word is shorter than the minimum shot
        Assert.Equal((0.0, 2.0), (shots[0].Lines[0].StartSeconds, shots[0].Lines[0].EndSeconds));

        var slow = Graph("INT. ROOM - DAY\n\nANNA\nOne two three four five.\n", new PrismOptions { WordsPerSecond = 1, MinShotSeconds = 1 });
        Assert.Equal(5.0, slow.Scenes[0].Shots[0].DurationSeconds, 9);
    }

    [Fact]
    public void Long_speech_is_split_into_shots_at_sentence_ends_and_action_is_capped()
    {
        var speech = string.Join(" ", Enumerable.Range(0, 6).Select(i => "This sentence has exactly six words."));
        var longAction = string.Join(" ", Enumerable.Repeat("word", 100));
        var g = Graph($"EXT. HILL - DAY\n\n{longAction}\n\nANNA\n{speech}\n");
        var shots = g.Scenes[0].Shots;
        Assert.Equal(8.0, shots[0].DurationSeconds, 9);             // 100 words / 4 wps = 25 s, capped at 8
        var speechShots = shots.Skip(1).ToList();
        Assert.Equal(2, speechShots.Count);                         // 36 words = 14.4 s → 18 + 18 words (7.2 s each ≤ 8)
        Assert.All(speechShots, s => Assert.Equal(7.2, s.DurationSeconds, 9));
        Assert.Equal(36, speechShots.Sum(s => s.Lines.Sum(l => l.Text.Split(' ').Length)));
        Assert.All(speechShots, s => Assert.EndsWith("words.", s.Lines[^1].Text));
    }

    [Fact]
    public void Scenes_get_setting_location_time_background_and_transitions()
    {
        var g = Graph("FADE IN:\n\nEXT. BEACH - DUSK\n\nWaves.\n\nDISSOLVE TO:\n\nINT. HUT - NIGHT (1970)\n\nDark.\n\nSMASH CUT TO:\n\nEXT. ROAD - CONTINUOUS\n\nRain falls.\n\nEXT. TOWN - NIGHT\n\nQuiet.\n");
        var sc = g.Scenes;
        Assert.Equal([("EXT", "BEACH", "DUSK", "dusk", "fade"), ("INT", "HUT", "NIGHT", "interior", "dissolve"), ("EXT", "ROAD", "", "interior", "cut"), ("EXT", "TOWN", "NIGHT", "night", "cut")],
            sc.Select(s => (s.Setting, s.Location, s.TimeOfDay, s.Background, s.TransitionIn)));
        Assert.Equal([1, 2, 3, 4], sc.Select(s => s.Number));
        Assert.Equal(["mist"], sc[2].Shots[0].Effects);
        Assert.Equal("sunset", sc[0].Shots[0].Lighting);  // calm at dusk
        Assert.Equal("moody", sc[3].Shots[0].Lighting);   // calm at night
    }

    [Fact]
    public void Emotions_camera_effects_and_poses_come_from_the_lexicon()
    {
        var g = Graph("EXT. CAMP - NIGHT\n\nMARA walks to the campfire.\n\nCLOSE ON Mara. She laughs and points at the smoke.\n\nMARA\n(furious)\nGet out!\n\nTEO\n(terrified)\nNo!\n\nTEO falls.\n");
        var s = g.Scenes[0].Shots;
        Assert.Equal("wide", s[0].Camera);
        Assert.Equal(["fire"], s[0].Effects);
        Assert.Equal([new CharacterBeat("MARA", "walk")], s[0].Beats);
        Assert.Equal(("close", "joy"), (s[1].Camera, s[1].Emotion));
        Assert.Equal(["smoke"], s[1].Effects);
        Assert.Equal("point", s[1].Beats.Single().Pose); // "She laughs and points": no name in the sentence → the shot's characters
        Assert.Equal(("medium", "anger", "key-right"), (s[2].Camera, s[2].Emotion, s[2].Lighting));
        Assert.Equal("furious", s[2].Lines[0].Parenthetical);
        Assert.Equal(("fear", "moody"), (s[3].Emotion, s[3].Lighting));
        Assert.Equal(["MARA", "TEO"], s[3].Characters);   // the listener stays in the shot
        Assert.Equal("gesture", s[3].Beats.Single(b => b.Character == "TEO").Pose);
        Assert.Equal("idle", s[3].Beats.Single(b => b.Character == "MARA").Pose);
        Assert.Equal("fall", s[4].Beats.Single(b => b.Character == "TEO").Pose);
        Assert.Equal(["MARA", "TEO"], g.Characters);
    }

    [Fact]
    public void Dual_dialogue_shares_one_shot_and_off_screen_voices_are_not_on_screen()
    {
        var g = Graph("INT. BAR - DAY\n\nBOB\nCheers to us all.\n\nSUE ^\nCheers.\n\nNARRATOR (V.O.)\nThey drank.\n");
        var s = g.Scenes[0].Shots;
        Assert.Equal(2, s.Count);
        Assert.Equal(["BOB", "SUE"], s[0].Characters);
        Assert.All(s[0].Lines, l => Assert.True(l.Dual));
        Assert.Equal(0, s[0].Lines[1].StartSeconds);     // both speak at once
        Assert.Equal(1.6, s[0].DurationSeconds, 9);
        Assert.True(s[1].Lines[0].OffScreen);
        Assert.DoesNotContain("NARRATOR", s[1].Characters);
    }

    [Fact]
    public void Material_before_the_first_heading_is_a_scene_of_its_own()
    {
        var g = Graph("A RIVER.\n\nEDWARD (V.O.)\nSome fish cannot be caught.\n\nINT. ROOM - DAY\n\nQuiet.\n");
        Assert.Equal(2, g.Scenes.Count);
        Assert.Equal("", g.Scenes[0].Heading);
        Assert.Equal(2, g.Scenes[0].Shots.Count);
    }

    [Fact]
    public void Scene_graph_round_trips_through_camel_case_json()
    {
        var g = SceneGraphBuilder.Build(FountainParser.Parse(PrismPaths.ReadCorpus("brick_and_steel.fountain")));
        var json = g.ToJson();
        Assert.Contains("\"durationSeconds\"", json);
        Assert.Contains("\"transitionIn\"", json);
        Assert.Equal(json, SceneGraph.FromJson(json).ToJson());
        Assert.Equal(8, g.Scenes.Count);
        Assert.Equal(["BRICK", "STEEL", "DAN", "JACK", "COGNITO", "HANDSOME MAN", "MINION"], g.Characters);
    }

    [Fact]
    public void Prompt_sentences_become_shots_with_names_dialogue_and_cues()
    {
        var g = PromptParser.Build("Mara and Theo stand on the cliff at dusk. Smoke rises from the village. Mara points at the sea and says \"Look, a ship!\" Theo laughs.");
        Assert.Single(g.Scenes);
        var sc = g.Scenes[0];
        Assert.Equal("dusk", sc.Background);
        Assert.Equal(4, sc.Shots.Count);
        Assert.Equal(["Mara", "Theo"], g.Characters);
        Assert.Equal(["smoke"], sc.Shots[1].Effects);
        Assert.Equal(["Mara", "Theo"], sc.Shots[1].Characters); // nobody named: the people stay
        var line = sc.Shots[2].Lines.Single();
        Assert.Equal(("Mara", "Look, a ship!"), (line.Character, line.Text));
        Assert.Equal("point", sc.Shots[2].Beats.Single(b => b.Character == "Mara").Pose);
        Assert.Equal("joy", sc.Shots[3].Emotion);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("1234 !!! ... 56")]
    public void Prompt_without_letters_is_rejected(string prompt)
    {
        var e = Assert.Throws<PrismException>(() => PromptParser.Build(prompt));
        Assert.Contains("prompt", e.Message);
    }

    [Fact]
    public void Lexicon_rejects_unknown_names()
    {
        var e = Assert.Throws<PrismException>(() => Lexicon.Parse("{\"emotions\":[{\"name\":\"glee\",\"words\":[\"yay\"]}]}"));
        Assert.Contains("glee", e.Message);
        Assert.Throws<PrismException>(() => Lexicon.Parse("{ not json"));
    }
}
