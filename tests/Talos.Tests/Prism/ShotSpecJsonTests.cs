using Talos.Gpu.Prism;
using Talos.Messages.Specs;
using Xunit;

namespace Talos.Tests.Prism;

public sealed class ShotSpecJsonTests
{
    const string Valid = """
    { "id": "s1", "fps": 24, "resolution": { "width": 320, "height": 180 }, "durationSeconds": 2,
      "characters": [ { "name": "A", "rig": "round", "keyframes": [ { "frame": 0, "pose": "wave" }, { "frame": 47, "pose": "idle", "x": 0.7 } ] },
                      { "name": "B", "keyframeImages": [ { "frame": 10, "asset": "drawings/b-010.png" } ] } ],
      "effects": [ { "type": "fire", "startFrame": 5, "endFrame": 40 } ],
      "camera": [ { "frame": 0, "move": "pan", "panX": -0.1 } ],
      "audio": { "asset": "music/theme.wav" },
      "dialogue": [ { "character": "A", "text": "Hi.", "startFrame": 0, "endFrame": 20 } ],
      "palette": { "sky": "#aabbcc" }, "mood": "joy", "transition": "fade" }
    """;

    static IReadOnlyList<SpecError> Errors(string json) => Assert.Throws<SpecValidationException>(() => ShotSpecJson.Parse(json)).Errors;

    static string With(string replaceFrom, string replaceTo)
    {
        Assert.Contains(replaceFrom, Valid);
        return Valid.Replace(replaceFrom, replaceTo);
    }

    [Fact]
    public void Valid_spec_parses_with_every_field()
    {
        var s = ShotSpecJson.Parse(Valid);
        Assert.Equal(("s1", 48, 2), (s.Id, s.FrameCount, s.Characters.Count));
        Assert.Equal(0.7, s.Characters[0].Keyframes[1].X);
        Assert.Equal("round", s.Characters[0].Rig);
        Assert.Equal("lanky", s.Characters[1].Rig); // default
        Assert.Equal("drawings/b-010.png", s.Characters[1].KeyframeImages[0].Asset);
        Assert.Equal("#aabbcc", s.Palette!["sky"]);
        Assert.Equal(("joy", "fade", "music/theme.wav"), (s.Mood, s.Transition, s.Audio!.Asset));
        Assert.Null(s.Flux); // classic, the default: not written, so the spec's bytes (and chunk identities) are as before
        Assert.Equal(ShotSpecJson.Serialize(s), ShotSpecJson.Serialize(s with { Flux = ShotSpec.ClassicFlux }));
        Assert.DoesNotContain("flux", ShotSpecJson.Serialize(s));
        Assert.Equal("rife", ShotSpecJson.Parse(With("\"mood\": \"joy\"", "\"flux\": \"rife\"")).Flux);
    }

    [Theory]
    [InlineData("\"id\": \"s1\"", "\"id\": \"bad id!\"", "$.id", "' '")]
    [InlineData("\"id\": \"s1\", ", "", "$.id", "required")]
    [InlineData("\"fps\": 24", "\"fps\": 240", "$.fps", "1..120")]
    [InlineData("\"fps\": 24", "\"fps\": \"24\"", "$.fps", "must be an integer")]
    [InlineData("\"fps\": 24", "\"fps\": 23.5", "$.fps", "must be an integer")]
    [InlineData("\"width\": 320", "\"width\": 99999", "$.resolution.width", "16..7680")]
    [InlineData("\"width\": 320", "\"width\": 321", "$.resolution.width", "odd")]
    [InlineData("\"height\": 180", "\"height\": 181", "$.resolution.height", "odd")]
    [InlineData("\"height\": 180", "\"height\": 8", "$.resolution.height", "16..4320")]
    [InlineData("\"durationSeconds\": 2", "\"durationSeconds\": 0", "$.durationSeconds", "outside")]
    [InlineData("\"durationSeconds\": 2", "\"durationSeconds\": 601", "$.durationSeconds", "outside")]
    [InlineData("\"durationSeconds\": 2", "\"frames\": { \"start\": 30, \"end\": 10 }", "$.frames", "inverted")]
    [InlineData("\"rig\": \"round\"", "\"rig\": \"blobby\"", "$.characters[0].rig", "unknown rig 'blobby'")]
    [InlineData("{ \"frame\": 47, \"pose\": \"idle\"", "{ \"frame\": 47, \"pose\": \"moonwalk\"", "$.characters[0].keyframes[1].pose", "unknown pose")]
    [InlineData("{ \"frame\": 47, \"pose\": \"idle\"", "{ \"frame\": 47, \"emotion\": \"meh\"", "$.characters[0].keyframes[1].emotion", "unknown emotion")]
    [InlineData("{ \"frame\": 47, \"pose\": \"idle\"", "{ \"frame\": 47, \"ease\": \"bouncy\"", "$.characters[0].keyframes[1].ease", "unknown ease")]
    [InlineData("{ \"frame\": 47, \"pose\": \"idle\"", "{ \"frame\": 48, \"pose\": \"idle\"", "$.characters[0].keyframes[1].frame", "outside the shot (frames 0–47)")]
    [InlineData("{ \"frame\": 47, \"pose\": \"idle\"", "{ \"frame\": 0, \"pose\": \"idle\"", "$.characters[0].keyframes[1].frame", "increasing")]
    [InlineData("\"x\": 0.7", "\"x\": 7", "$.characters[0].keyframes[1].x", "outside")]
    [InlineData("\"type\": \"fire\"", "\"type\": \"lava\"", "$.effects[0].type", "unknown effect type")]
    [InlineData("\"endFrame\": 40 }", "\"endFrame\": 2 }", "$.effects[0].endFrame", "inverted")]
    [InlineData("\"move\": \"pan\"", "\"move\": \"spin\"", "$.camera[0].move", "unknown camera move")]
    [InlineData("\"palette\": { \"sky\": \"#aabbcc\" }", "\"palette\": { \"sky\": \"blue\" }", "$.palette.sky", "#rrggbb")]
    [InlineData("\"palette\": { \"sky\": \"#aabbcc\" }", "\"background\": \"mars\"", "$.background", "unknown background")]
    [InlineData("\"palette\": { \"sky\": \"#aabbcc\" }", "\"lighting\": \"disco\"", "$.lighting", "unknown lighting")]
    [InlineData("\"transition\": \"fade\"", "\"transition\": \"spin\"", "$.transition", "unknown transition")]
    [InlineData("\"mood\": \"joy\"", "\"mood\": \"ennui\"", "$.mood", "unknown mood")]
    [InlineData("\"mood\": \"joy\"", "\"flux\": \"dain\"", "$.flux", "unknown FLUX inbetweener 'dain' (known: classic, rife)")]
    [InlineData("\"mood\": \"joy\"", "\"upscale\": 3", "$.upscale", "3 is not an upscale factor (known: 1, 2)")]
    [InlineData("\"mood\": \"joy\"", "\"upscale\": \"2\"", "$.upscale", "must be an integer")]
    [InlineData("\"mood\": \"joy\"", "\"upscale\": 2, \"layers\": \"exr\"", "$.upscale", "render passes (layers 'exr') are made at the rendering size and not upscaled")]
    [InlineData("\"width\": 320, \"height\": 180 }", "\"width\": 20, \"height\": 180 }, \"upscale\": 2", "$.upscale", "20x180 upscaled 2x renders at 10x90, under the smallest frame (16x16)")]
    [InlineData("\"drawings/b-010.png\"", "\"../../etc/passwd\"", "$.characters[1].keyframeImages[0].asset", "'..'")]
    [InlineData("\"drawings/b-010.png\"", "\"/etc/passwd\"", "$.characters[1].keyframeImages[0].asset", "absolute")]
    [InlineData("\"drawings/b-010.png\"", "\"a\\\\b.png\"", "$.characters[1].keyframeImages[0].asset", "backslash")]
    [InlineData("\"drawings/b-010.png\"", "\"a\\u0000b.png\"", "$.characters[1].keyframeImages[0].asset", "U+0000")]
    [InlineData("\"music/theme.wav\"", "\"music/the me.wav\"", "$.audio.asset", "' '")]
    [InlineData("\"endFrame\": 20 }", "\"endFrame\": 99 }", "$.dialogue[0].endFrame", "outside the shot")]
    [InlineData("\"startFrame\": 0, \"endFrame\": 20", "\"startFrame\": 20, \"endFrame\": 3", "$.dialogue[0].endFrame", "inverted")]
    [InlineData("\"mood\": \"joy\"", "\"Mood\": \"joy\"", "$.Mood", "did you mean 'mood'")]
    [InlineData("{ \"name\": \"B\"", "{ \"name\": \"A\"", "$.characters[1].name", "given twice")]
    public void Each_rule_reports_its_json_path(string from, string to, string path, string message)
    {
        var errors = Errors(With(from, to));
        Assert.Contains(errors, e => e.Path == path && e.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_problem_is_reported_together()
    {
        var json = Valid.Replace("\"fps\": 24", "\"fps\": 0").Replace("\"width\": 320", "\"width\": 321").Replace("\"rig\": \"round\"", "\"rig\": \"x\"")
            .Replace("\"type\": \"fire\"", "\"type\": \"lava\"").Replace("\"drawings/b-010.png\"", "\"../x.png\"");
        var errors = Errors(json);
        Assert.Equal(["$.fps", "$.resolution.width", "$.characters[0].rig", "$.characters[1].keyframeImages[0].asset", "$.effects[0].type"],
            errors.Select(e => e.Path));
        var ex = Assert.Throws<SpecValidationException>(() => ShotSpecJson.Parse(json));
        Assert.Contains("5 problems", ex.Message);
    }

    [Theory]
    [InlineData("{ \"id\": \"a\", \n  \"fps\": 24,, }", "line 2")]
    [InlineData("", "empty")]
    [InlineData("[1, 2]", "must be a shot spec object")]
    [InlineData("{ \"id\": \"a\" }", "durationSeconds or frames")]
    public void Malformed_or_incomplete_json_is_reported_at_the_root(string json, string message)
    {
        var errors = Errors(json);
        Assert.Contains(errors, e => e.Message.Contains(message));
    }

    [Fact]
    public void Serialized_spec_parses_back_to_the_same_spec()
    {
        var spec = ShotSpecJson.Parse(Valid);
        var json = ShotSpecJson.Serialize(spec);
        Assert.Contains("\"durationSeconds\": 2", json);
        Assert.DoesNotContain("frameCount", json);
        var back = ShotSpecJson.Parse(json);
        Assert.Equal(json, ShotSpecJson.Serialize(back));
        Assert.Equal(spec.Resolution, back.Resolution);
        Assert.Equal(spec.Characters[0].Keyframes, back.Characters[0].Keyframes);
        Assert.Equal(spec.Dialogue, back.Dialogue);

        var minimal = new ShotSpec { Id = "m", Frames = new FrameRange(0, 9) };
        Assert.Equal(ShotSpecJson.Serialize(minimal), ShotSpecJson.Serialize(ShotSpecJson.Parse(ShotSpecJson.Serialize(minimal))));
    }

    [Fact]
    public void Parse_many_accepts_an_array_or_a_production_object_and_checks_ids()
    {
        var one = "{ \"id\": \"a\", \"durationSeconds\": 1 }";
        var two = "{ \"id\": \"b\", \"durationSeconds\": 1, \"production\": \"own\" }";
        var list = ShotSpecJson.ParseMany($"[{one}, {two}]");
        Assert.Equal(["a", "b"], list.Select(s => s.Id));
        Assert.Equal([1, 2], list.Select(s => s.Sequence));
        var prod = ShotSpecJson.ParseMany($"{{ \"production\": \"reel\", \"shots\": [{one}, {two}] }}");
        Assert.Equal(["reel", "own"], prod.Select(s => s.Production));
        Assert.Single(ShotSpecJson.ParseMany(one));

        var errors = Assert.Throws<SpecValidationException>(() => ShotSpecJson.ParseMany($"{{ \"shots\": [{one}, {one}, {{ \"id\": \"c\", \"fps\": 0, \"durationSeconds\": 1 }}] }}")).Errors;
        Assert.Contains(errors, e => e.Path == "$.shots[2].fps");
        Assert.Contains(errors, e => e.Path == "$.shots[1].id" && e.Message.Contains("duplicate"));
    }
}
