using Talos.Gpu.Prism;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Prism;

public sealed class SchemaAndSoundTests
{
    public static TheoryData<string> Inputs => new() { "big_fish.fountain", "brick_and_steel.fountain", "examples/lighthouse.fountain", "prompt" };

    static SceneGraph GraphOf(string input) => input switch
    {
        "prompt" => PromptParser.Build("Mara walks into the rainy harbour at night. \"The tide is turning,\" she says. CLOSE ON Teo, who laughs.\n\nA fire burns in the kitchen. Teo waves."),
        _ when input.StartsWith("examples/") => SceneGraphBuilder.Build(FountainParser.Parse(File.ReadAllText(Path.Combine(Repo.Root, input)), input)),
        _ => SceneGraphBuilder.Build(FountainParser.Parse(File.ReadAllText(Repo.Corpus(input)), input)),
    };

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Real_scene_graph_json_passes_the_checks_and_reads_back_whole(string input)
    {
        // The documented schema and these checks are held to the same names, enums and bounds by LimitsAndSchemaTests.
        var json = GraphOf(input).ToJson();
        Assert.Equal(json, SceneGraphJson.Parse(json).ToJson());
        Assert.Equal(json, SceneGraph.FromJson(json).ToJson());
    }

    [Theory]
    [InlineData("\"emotion\": \"calm\"", "\"emotion\": \"bored\"", ".emotion", "unknown emotion 'bored' (known: calm, joy")]
    [InlineData("\"durationSeconds\": ", "\"durationSeconds\": -", ".durationSeconds", "is outside (0, 600] seconds")]
    [InlineData("\"index\": 1,", "\"index\": 1, \"extra\": true,", ".extra", "unknown property")]
    [InlineData("\"scenes\": [", "\"scenez\": [", "$.scenez", "unknown property")]
    [InlineData("\"scenes\": [", "\"scenez\": [", "$.scenes", "is required")]
    [InlineData("\"offScreen\": false", "\"offScreen\": \"no\"", ".offScreen", "must be true or false, not a string")]
    public void Broken_graphs_are_refused_with_their_json_path(string from, string to, string path, string message)
    {
        var json = GraphOf("brick_and_steel.fountain").ToJson();
        Assert.Contains(from, json);
        var broken = ReplaceFirst(json, from, to);
        var e = Assert.Throws<SpecValidationException>(() => SceneGraphJson.Parse(broken));
        Assert.StartsWith("invalid scene graph", e.Message);
        Assert.Contains(e.Errors, x => x.Path.StartsWith('$') && x.Path.EndsWith(path, StringComparison.Ordinal) && x.Message.Contains(message, StringComparison.Ordinal));
        Assert.Contains(path + ": ", e.Message); // one line naming the field
        Assert.Contains("malformed JSON at line 1", Assert.Throws<SpecValidationException>(() => SceneGraphJson.Parse("{ not json")).Message);
    }

    static string ReplaceFirst(string s, string from, string to)
    {
        int i = s.IndexOf(from, StringComparison.Ordinal);
        return s[..i] + to + s[(i + from.Length)..];
    }

    [Fact]
    public void Sound_cues_come_from_capitalised_sfx_words_and_ambience_in_any_case()
    {
        var lx = Lexicon.Default;
        Assert.Equal(["rain", "impact"], lx.Sounds("Rain falls on the docks. A door SLAMS somewhere."));
        Assert.Equal(["crash", "bang"], lx.Sounds("The boat drifts. A CRASH, then a loud BANG!"));
        Assert.Empty(lx.Sounds("She will crash the party, she says.")); // a lower-case sound word is not a sound effect
        Assert.Equal(["impact"], lx.Sounds("COGNITO is SLAMMED against the wall."));

        var g = SceneGraphBuilder.Build(FountainParser.Parse("EXT. HARBOUR - NIGHT\n\nRain falls on the docks. A door SLAMS somewhere.\n\nMARA\nListen.\n"));
        Assert.Equal(["rain", "impact"], g.Scenes[0].Shots[0].Sounds);
        Assert.Contains("mist", g.Scenes[0].Shots[0].Effects); // rain is a STOKES mist cue
        Assert.Empty(g.Scenes[0].Shots[1].Sounds);

        var brick = GraphOf("brick_and_steel.fountain");
        Assert.Contains(brick.Scenes.SelectMany(s => s.Shots), s => s.Sounds.Contains("impact")); // "Steel SMACKS him."
        var fish = GraphOf("big_fish.fountain");
        Assert.Contains(fish.Scenes.SelectMany(s => s.Shots), s => s.Sounds.Contains("splash"));  // "with a SPLASH"
        Assert.Contains(fish.Scenes.SelectMany(s => s.Shots), s => s.Sounds.Contains("roar"));    // "A ROAR from the soldiers."
    }

    [Fact]
    public void A_custom_lexicon_may_name_its_own_sounds_but_not_badly()
    {
        var lx = Lexicon.Parse("""{ "sounds": [ { "name": "bell", "words": ["dong*"] } ] }""");
        Assert.Equal(["bell"], lx.Sounds("The clock goes DONG."));
        Assert.Empty(lx.Sounds("The clock goes dong."));
        Assert.Throws<PrismException>(() => Lexicon.Parse("""{ "sounds": [ { "name": "Big Bell!", "words": ["dong"] } ] }"""));
    }

    [Fact]
    public void The_schema_names_exactly_the_spec_vocabulary()
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Repo.Root, "docs", "scenegraph.schema.json")));
        var defs = doc.RootElement.GetProperty("definitions");
        string[] Enum(System.Text.Json.JsonElement e) => e.GetProperty("enum").EnumerateArray().Select(x => x.GetString()!).ToArray();
        var shot = defs.GetProperty("shot").GetProperty("properties");
        Assert.Equal(SpecVocabulary.Emotions, Enum(shot.GetProperty("emotion")));
        Assert.Equal(SpecVocabulary.CameraMoves, Enum(shot.GetProperty("camera")));
        Assert.Equal(SpecVocabulary.Lightings, Enum(shot.GetProperty("lighting")));
        Assert.Equal(SpecVocabulary.Effects, Enum(shot.GetProperty("effects").GetProperty("items")));
        Assert.Equal(SpecVocabulary.Backgrounds, Enum(defs.GetProperty("scene").GetProperty("properties").GetProperty("background")));
        Assert.Equal(SpecVocabulary.Transitions, Enum(defs.GetProperty("transition")));
        Assert.Equal(SpecVocabulary.Poses, Enum(defs.GetProperty("beat").GetProperty("properties").GetProperty("pose")));
    }
}
