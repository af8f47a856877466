using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Talos.Gpu.Prism;
using Talos.Messages.Specs;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Prism;

/// <summary>
/// Limits and identifier rules are defined once in code (Talos.Messages.Specs.Limits, Identifiers, SceneRange) and the
/// JSON schemas in docs/ document them: these tests keep the two from drifting apart.
/// </summary>
public sealed class LimitsAndSchemaTests
{
    static JsonElement Doc(string name) => JsonDocument.Parse(File.ReadAllText(Path.Combine(Repo.Root, "docs", name))).RootElement;
    static JsonElement At(JsonElement e, params string[] path) => path.Aggregate(e, (x, p) => x.GetProperty(p));
    static double Num(JsonElement e, string name) => e.GetProperty(name).GetDouble();

    [Fact]
    public void The_schemas_state_the_limits_defined_in_code()
    {
        var spec = Doc("shot-spec.schema.json");
        var defs = spec.GetProperty("$defs");
        var res = At(defs, "resolution", "properties");
        Assert.Equal((Limits.MinWidth, Limits.MaxWidth), ((int)Num(res.GetProperty("width"), "minimum"), (int)Num(res.GetProperty("width"), "maximum")));
        Assert.Equal((Limits.MinHeight, Limits.MaxHeight), ((int)Num(res.GetProperty("height"), "minimum"), (int)Num(res.GetProperty("height"), "maximum")));
        Assert.Equal(2, Num(res.GetProperty("width"), "multipleOf"));
        Assert.Equal(2, Num(res.GetProperty("height"), "multipleOf"));
        var fps = At(spec, "properties", "fps");
        Assert.Equal((Limits.MinFps, Limits.MaxFps), ((int)Num(fps, "minimum"), (int)Num(fps, "maximum")));
        Assert.Equal(Limits.MaxShotSeconds, Num(At(spec, "properties", "durationSeconds"), "maximum"));
        Assert.Equal(Limits.MaxIdLength, Num(defs.GetProperty("safeId"), "maxLength"));
        Assert.Equal(Limits.MaxAssetNameLength, Num(defs.GetProperty("assetName"), "maxLength"));
        Assert.Equal(Limits.MaxNameLength, Num(At(defs, "character", "properties", "name"), "maxLength"));
        Assert.Equal(Limits.MaxNameLength, Num(At(defs, "dialogueLine", "properties", "character"), "maxLength"));
        Assert.Equal(Limits.MaxTextLength, Num(At(defs, "dialogueLine", "properties", "text"), "maxLength"));
        Assert.Equal(Limits.MaxPlateLayers, Num(At(defs, "plate", "properties", "layers"), "maxItems"));
        var offset = At(defs, "audio", "properties", "offsetSeconds");
        Assert.Equal((-Limits.MaxFilmSeconds, Limits.MaxFilmSeconds), (Num(offset, "minimum"), Num(offset, "maximum")));

        var graph = Doc("scenegraph.schema.json").GetProperty("definitions");
        Assert.Equal(Limits.MaxShotSeconds, Num(At(graph, "shot", "properties", "durationSeconds"), "maximum"));
        Assert.Equal(Limits.MaxFilmSeconds, Num(graph.GetProperty("seconds"), "maximum"));
        Assert.Equal(SceneGraphJson.MaxNameLength, Num(graph.GetProperty("name"), "maxLength"));
    }

    public static TheoryData<string, string, bool> IdentifierCases => new()
    {
        { "safeId", "sc01-sh01", true }, { "safeId", "A", true }, { "safeId", "a.b_c-d", true }, { "safeId", new string('x', 64), true },
        { "safeId", "", false }, { "safeId", new string('x', 65), false }, { "safeId", "-a", false }, { "safeId", ".a", false },
        { "safeId", "a b", false }, { "safeId", "a/b", false }, { "safeId", "ü", false }, { "safeId", "a\0", false },
        { "assetName", "drawings/mara-036.png", true }, { "assetName", "sha256/" + new string('a', 64), true }, { "assetName", ".hidden/a..b", true },
        { "assetName", "..a", true }, { "assetName", new string('a', 200), true },
        { "assetName", "../../etc/passwd", false }, { "assetName", "a/../b", false }, { "assetName", "..", false }, { "assetName", "./a", false },
        { "assetName", "a/.", false }, { "assetName", "/etc/passwd", false }, { "assetName", "a//b", false }, { "assetName", "a/", false },
        { "assetName", "a\\b", false }, { "assetName", "a b", false }, { "assetName", "C:x", false }, { "assetName", "", false }, { "assetName", new string('a', 201), false },
    };

    /// <summary>The schema's pattern and maxLength accept exactly what the rule in code accepts.</summary>
    [Theory]
    [MemberData(nameof(IdentifierCases))]
    public void The_identifier_patterns_in_the_schema_are_the_rules_in_code(string def, string value, bool ok)
    {
        var why = "";
        Assert.Equal(ok, def == "safeId" ? Identifiers.IsSafeId(value, out why) : Identifiers.IsSafeAssetName(value, out why));
        Assert.Equal(ok, why.Length == 0);
        var schema = Doc("shot-spec.schema.json").GetProperty("$defs").GetProperty(def);
        Assert.Equal(ok, value.Length <= Num(schema, "maxLength") && Regex.IsMatch(value, schema.GetProperty("pattern").GetString()!));
    }

    [Theory]
    [InlineData("../../etc/passwd", "'../../etc/passwd' has a '..' segment (path traversal)")]
    [InlineData("/etc/passwd", "'/etc/passwd' is absolute")]
    [InlineData("a\\b", "'a\\b' contains a backslash")]
    [InlineData("", "must not be empty")]
    public void Asset_name_reasons_quote_the_name_and_say_what_is_wrong(string name, string reason)
    {
        Assert.False(Identifiers.IsSafeAssetName(name, out var why));
        Assert.StartsWith(reason, why);
    }

    [Fact]
    public void Shot_keys_join_and_split_at_the_first_separator()
    {
        Assert.Equal("film--sc01-sh01", Identifiers.ShotKey("film", "sc01-sh01"));
        Assert.True(Identifiers.TrySplitShotKey("film--sc01-sh01", out var p, out var id));
        Assert.Equal(("film", "sc01-sh01"), (p, id));
        foreach (var bad in new[] { "film", "film--", "--x", "a b--x", "film--x y", null, new string('a', 65) + "--x" })
            Assert.False(Identifiers.IsShotKey(bad), bad);
    }

    [Theory]
    [InlineData("3", 3, 3)]
    [InlineData("1-4", 1, 4)]
    [InlineData("2-2", 2, 2)]
    public void Scene_ranges_read_n_or_a_to_b(string text, int first, int last)
    {
        Assert.True(SceneRange.TryParse(text, out var r, out var why), why);
        Assert.Equal(new SceneRange(first, last), r);
        Assert.Equal(text == "2-2" ? "2" : text, r.ToString());
    }

    [Theory]
    [InlineData("3-1", "'3-1' is not a range like 1-2 or 3 (it ends before it starts)")]
    [InlineData("0-2", "'0-2' is not a range like 1-2 or 3 (scenes are numbered from 1)")]
    [InlineData("1-2-3", "'1-2-3' is not a range like 1-2 or 3")]
    [InlineData("-1", "'-1' is not a range like 1-2 or 3")]
    [InlineData(" 1", "' 1' is not a range like 1-2 or 3")]
    [InlineData("+1", "'+1' is not a range like 1-2 or 3")]
    [InlineData("one", "'one' is not a range like 1-2 or 3")]
    [InlineData("99999999999", "'99999999999' is not a range like 1-2 or 3")]
    [InlineData("", "'' is not a range like 1-2 or 3")]
    public void Bad_scene_ranges_say_why(string text, string reason)
    {
        Assert.False(SceneRange.TryParse(text, out _, out var why));
        Assert.Equal(reason, why);
    }

    [Theory]
    [InlineData(16, 16, 1, null, null, null)]
    [InlineData(7680, 4320, 120, null, null, null)]
    [InlineData(100000, 8, 0, "100000 is outside 16..7680", "8 is outside 16..4320", "0 is outside 1..120")]
    [InlineData(321, 181, 121, "321 is odd; H.264 needs even sizes", "181 is odd; H.264 needs even sizes", "121 is outside 1..120")]
    public void Size_and_rate_problems_are_worded_once(int w, int h, int fps, string? width, string? height, string? rate)
    {
        Assert.Equal(width, Limits.WidthProblem(w));
        Assert.Equal(height, Limits.HeightProblem(h));
        Assert.Equal(rate, Limits.FpsProblem(fps));
        var settings = new RenderSettings(w, h, fps);
        var graph = PromptParser.Build("Mara waves.");
        if ((width ?? height ?? rate) is not { } first) Assert.NotEmpty(ShotPlanner.ToShotSpecs(graph, settings));
        else Assert.Contains(first, Assert.Throws<PrismException>(() => ShotPlanner.ToShotSpecs(graph, settings)).Message);
    }

    public static TheoryData<string, string> GraphDefinitions => new()
    {
        { "", nameof(SceneGraph) }, { "scene", nameof(SceneNode) }, { "shot", nameof(ShotNode) },
        { "spokenLine", nameof(SpokenLine) }, { "beat", nameof(CharacterBeat) },
    };

    /// <summary>
    /// Each object of docs/scenegraph.schema.json lists exactly the record's properties, and a property is required by
    /// the schema exactly when taking it out of a real graph makes <see cref="SceneGraphJson.Parse"/> refuse it, naming it.
    /// </summary>
    [Theory]
    [MemberData(nameof(GraphDefinitions))]
    public void The_scene_graph_schema_and_its_checks_agree_on_properties_and_required(string def, string record)
    {
        var schema = Doc("scenegraph.schema.json");
        var obj = def.Length == 0 ? schema : At(schema, "definitions", def);
        var type = typeof(SceneGraph).Assembly.GetType("Talos.Gpu.Prism." + record)!;
        Assert.Equal(DocsAndExamplesTests.JsonNames(type).Order(), obj.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order());
        Assert.False(obj.GetProperty("additionalProperties").GetBoolean());

        var required = obj.GetProperty("required").EnumerateArray().Select(x => x.GetString()!).ToHashSet();
        var json = SceneGraphBuilder.Build(FountainParser.Parse(File.ReadAllText(Repo.Corpus("brick_and_steel.fountain")), "brick")).ToJson();
        foreach (var name in DocsAndExamplesTests.JsonNames(type))
        {
            var root = JsonNode.Parse(json)!;
            var scene = root["scenes"]![0]!;
            var shot = scene["shots"]!.AsArray().First(s => s!["lines"]!.AsArray().Count > 0 && s["beats"]!.AsArray().Count > 0)!;
            var target = (def switch { "" => root, "scene" => scene, "shot" => shot, "spokenLine" => shot["lines"]![0]!, _ => shot["beats"]![0]! }).AsObject();
            bool had = target.Remove(name);
            if (required.Contains(name))
            {
                Assert.True(had, $"{def}.{name} is required but the real graph lacks it");
                var e = Assert.Throws<SpecValidationException>(() => SceneGraphJson.Parse(root.ToJsonString()));
                Assert.Contains(e.Errors, x => x.Path.EndsWith("." + name, StringComparison.Ordinal) && x.Message == "is required");
            }
            else SceneGraphJson.Parse(root.ToJsonString()); // optional: absent is fine
        }
    }
}
