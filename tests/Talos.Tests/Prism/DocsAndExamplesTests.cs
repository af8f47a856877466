using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Talos.Gpu.Prism;
using Talos.Messages.Specs;
using Xunit;

namespace Talos.Tests.Prism;

public sealed class DocsAndExamplesTests
{
    static JsonElement Schema() => JsonDocument.Parse(File.ReadAllText(PrismPaths.Repo("docs", "shot-spec.schema.json"))).RootElement;

    internal static IEnumerable<string> JsonNames(Type t) => t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.GetCustomAttribute<JsonIgnoreAttribute>() is not { Condition: JsonIgnoreCondition.Always } && p.Name != "EqualityContract")
        .Where(p => !(t == typeof(ShotSpec) && p.Name == nameof(ShotSpec.Plate))) // a plate is written as the background object
        .Where(p => !(t == typeof(PlateSpec) && p.Name == nameof(PlateSpec.Procedural))) // written as the plate's first layers
        .Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name));

    static IEnumerable<string> SchemaNames(JsonElement obj) => obj.GetProperty("properties").EnumerateObject().Select(p => p.Name);

    [Theory]
    [InlineData(typeof(ShotSpec), null)]
    [InlineData(typeof(Resolution), "resolution")]
    [InlineData(typeof(FrameRange), "frameRange")]
    [InlineData(typeof(CharacterSpec), "character")]
    [InlineData(typeof(PoseKey), "poseKey")]
    [InlineData(typeof(KeyframeImage), "keyframeImage")]
    [InlineData(typeof(EffectSpec), "effect")]
    [InlineData(typeof(CameraMove), "cameraMove")]
    [InlineData(typeof(AudioSpec), "audio")]
    [InlineData(typeof(DialogueLine), "dialogueLine")]
    [InlineData(typeof(SoundCue), "soundCue")]
    [InlineData(typeof(PlateSpec), "plate")]
    [InlineData(typeof(PlateLayer), "plateLayer")]
    public void Schema_lists_exactly_the_properties_of_each_spec_record(Type type, string? def)
    {
        var schema = Schema();
        var obj = def is null ? schema : schema.GetProperty("$defs").GetProperty(def);
        Assert.Equal(JsonNames(type).Order(), SchemaNames(obj).Order());
        Assert.False(obj.GetProperty("additionalProperties").GetBoolean());
    }

    [Fact]
    public void Schema_enums_match_the_vocabulary_prism_validates_against()
    {
        var s = Schema();
        string[] Enum(JsonElement e) => e.GetProperty("enum").EnumerateArray().Select(x => x.ToString()).ToArray();
        var defs = s.GetProperty("$defs");
        Assert.Equal(SpecVocabulary.Backgrounds, Enum(s.GetProperty("properties").GetProperty("background").GetProperty("oneOf")[0]));
        Assert.Equal(SpecVocabulary.Lightings, Enum(s.GetProperty("properties").GetProperty("lighting")));
        Assert.Equal(SpecVocabulary.Transitions, Enum(s.GetProperty("properties").GetProperty("transition")));
        Assert.Equal(SpecVocabulary.FluxMethods, Enum(s.GetProperty("properties").GetProperty("flux")));
        Assert.Equal(SpecVocabulary.Emotions, Enum(defs.GetProperty("emotion")));
        Assert.Equal(SpecVocabulary.Rigs, Enum(defs.GetProperty("character").GetProperty("properties").GetProperty("rig").GetProperty("oneOf")[0]));
        Assert.Equal(SpecVocabulary.Poses, Enum(defs.GetProperty("poseKey").GetProperty("properties").GetProperty("pose")));
        Assert.Equal(SpecVocabulary.Eases, Enum(defs.GetProperty("poseKey").GetProperty("properties").GetProperty("ease")));
        Assert.Equal(SpecVocabulary.Effects, Enum(defs.GetProperty("effect").GetProperty("properties").GetProperty("type")));
        Assert.Equal(SpecVocabulary.CameraMoves, Enum(defs.GetProperty("cameraMove").GetProperty("properties").GetProperty("move")));
    }

    [Fact]
    public void Every_example_spec_parses_and_the_docs_example_is_valid()
    {
        var files = Directory.GetFiles(PrismPaths.Repo("examples"), "*.json");
        Assert.NotEmpty(files);
        // brief.json is a commercial's brief (docs/COMMERCIALS.md) and *.cast.json a cast (docs/cast.md, CastTests), each read by its
        // own reader; every other example is shot specs.
        foreach (var f in files.Where(f => Path.GetFileName(f) != "brief.json" && !f.EndsWith(".cast.json", StringComparison.Ordinal)))
            Assert.NotEmpty(ShotSpecJson.ParseMany(File.ReadAllText(f)));
        Assert.NotEmpty(Cast.Load(PrismPaths.Repo("examples", "lighthouse.cast.json")).Characters);
        Assert.Equal("Lumen Tea", Talos.Gpu.Prism.Commercials.BriefJson.Load(PrismPaths.Repo("examples", "brief.json")).Brand);

        var storm = ShotSpecJson.Parse(File.ReadAllText(PrismPaths.Repo("examples", "storm-over-brick.json")));
        Assert.Equal((96, 1280, 720, 24), (storm.FrameCount, storm.Resolution.Width, storm.Resolution.Height, storm.Fps));
        Assert.Equal(2, storm.Characters.Count);
        Assert.Equal("smoke", storm.Effects.Single().Type);
        Assert.Contains(storm.Camera, c => c.Move is "dolly" or "pan");

        // The ```json block in docs/shot-spec.md is a complete, valid spec.
        var md = File.ReadAllText(PrismPaths.Repo("docs", "shot-spec.md"));
        int a = md.IndexOf("```json", StringComparison.Ordinal) + 7, b = md.IndexOf("```", a, StringComparison.Ordinal);
        var example = ShotSpecJson.Parse(md[a..b]);
        foreach (var name in JsonNames(typeof(ShotSpec))) Assert.Contains($"`{name}`", md);
        Assert.True(example.FrameCount > 0);
    }

    [Fact]
    public void Lighthouse_example_is_three_scenes_of_about_twenty_seconds()
    {
        var sp = FountainParser.Parse(File.ReadAllText(PrismPaths.Repo("examples", "lighthouse.fountain")), "lighthouse.fountain");
        var g = SceneGraphBuilder.Build(sp);
        Assert.Equal(3, g.Scenes.Count);
        Assert.InRange(g.TotalSeconds, 17, 23);
        Assert.InRange(g.Characters.Count, 2, 3);
        var specs = ShotPlanner.ToShotSpecs(g, new RenderSettings());
        Assert.Contains(specs, s => s.Camera.Any(c => c.Move == "close"));
        Assert.Contains(specs, s => s.Effects.Any(e => e.Type is "smoke" or "fire"));
        Assert.Contains(specs, s => s.Transition != "cut");
        Assert.Contains(specs, s => s.Dialogue.Any(d => d.Parenthetical is not null));
        File.WriteAllText(Path.Combine(PrismPaths.OutDir, "lighthouse.specs.json"), ShotSpecJson.SerializeMany(specs));
        File.WriteAllText(Path.Combine(PrismPaths.OutDir, "lighthouse.graph.json"), g.ToJson());
    }
}
