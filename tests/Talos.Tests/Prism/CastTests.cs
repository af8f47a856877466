using System.Security.Cryptography;
using System.Text;
using Talos.Gpu.Axis;
using Talos.Gpu.Flux;
using Talos.Gpu.Prism;
using Talos.Gpu.Prism.Voice;
using Talos.Messages.Specs;
using Talos.Tests.Support;
using Talos.Vault;
using Xunit;

namespace Talos.Tests.Prism;

/// <summary>A cast the tests write: STEEL in a rig file of their own (taller, a "jacket" region painted magenta, a region no
/// built-in rig has), BRICK in the built-in "round" rig with a palette file turning the dress cyan, STEEL with a voice.</summary>
public static class TestCast
{
    public const string Magenta = "#ff00ff", Cyan = "#00ffff";

    public static string SteelRig(string name = "steel-tall", double height = 1.45) => $$"""{ "rigs": [ {{RigBody(name, height)}} ] }""";

    /// <summary>One rig of today's rig-file format (Rigs.Parse).</summary>
    public static string RigBody(string name, double height) => $$"""
        {
          "name": "{{name}}", "height": {{height.ToString(System.Globalization.CultureInfo.InvariantCulture)}},
          "headRx": 0.085, "headRy": 0.095, "neck": 0.035, "neckRadius": 0.03,
          "torsoLength": 0.34, "shoulderHalfWidth": 0.12, "hipHalfWidth": 0.09,
          "upperArm": 0.17, "lowerArm": 0.16, "armRadius": 0.036, "handRadius": 0.036,
          "upperLeg": 0.22, "lowerLeg": 0.21, "legRadius": 0.045, "shoeLength": 0.1, "shoeHeight": 0.04,
          "outfit": "coat", "hair": "crew",
          "armRegion": "jacket", "bodyRegion": "jacket", "legRegion": "slacks", "footRegion": "boots",
          "palette": { "skin": "#d9a27a", "hair": "#2e2a28", "jacket": "{{Magenta}}", "slacks": "#3a3a40", "boots": "#3b2a20", "eyes": "#f7f7f2" }
        }
        """;

    public const string CastJson = """
        {
          "characters": {
            "steel": { "rig": "rigs/steel.rig.json", "palette": { "slacks": "#303038" }, "voice": "m3:28" },
            "Brick": { "rig": "round", "palette": "brick.palette.json" }
          }
        }
        """;

    /// <summary>Writes cast.json, rigs/steel.rig.json and brick.palette.json into <paramref name="dir"/>; the cast file's path.</summary>
    public static string Write(string dir, string cast = CastJson)
    {
        Directory.CreateDirectory(Path.Combine(dir, "rigs"));
        File.WriteAllText(Path.Combine(dir, "rigs", "steel.rig.json"), SteelRig());
        File.WriteAllText(Path.Combine(dir, "brick.palette.json"), $"{{ \"dress\": \"{Cyan}\" }}");
        var path = Path.Combine(dir, Cast.FileName);
        File.WriteAllText(path, cast);
        return path;
    }

    public static string HashName(string text) => Identifiers.HashPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

public sealed class CastTests : IDisposable
{
    readonly string _dir = Repo.TempDir("cast");
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    static RenderSettings Settings(Cast? cast) => new(320, 180, 6, 1, 2, Cast: cast);

    [Fact]
    public void A_cast_file_dresses_the_named_characters_and_leaves_the_others_as_they_were()
    {
        var cast = Cast.Load(TestCast.Write(_dir));
        var steelRig = TestCast.HashName(TestCast.SteelRig()); // no drawing references: the file's own bytes, by content
        Assert.Equal(steelRig, cast.For("STEEL")!.Rig);
        Assert.Equal([RigAssets.RigKind], cast.Assets.Select(a => a.Kind));

        var plain = InputLoader.Load(Repo.Corpus("brick_and_steel.fountain"), Settings(null));
        var dressed = InputLoader.Load(Repo.Corpus("brick_and_steel.fountain"), Settings(cast));
        Assert.Equal(plain.Count, dressed.Count);
        var all = dressed.SelectMany(s => s.Characters).ToList();
        var steel = all.Where(c => c.Name == "STEEL").ToList();
        var brick = all.Where(c => c.Name == "BRICK").ToList();
        Assert.NotEmpty(steel);
        Assert.NotEmpty(brick);
        Assert.All(steel, c => Assert.Equal((steelRig, "#303038", "m3:28"), (c.Rig, c.Palette!["slacks"], c.Voice)));
        Assert.All(brick, c => Assert.Equal(("round", TestCast.Cyan, (string?)null), (c.Rig, c.Palette!["dress"], c.Voice)));
        // Everyone else keeps the rig the planner gives without a cast; the specs are otherwise the same shots.
        static string Json(object o) => System.Text.Json.JsonSerializer.Serialize(o);
        var others = plain.SelectMany(s => s.Characters).Where(c => c.Name is not ("STEEL" or "BRICK")).Select(Json).ToList();
        Assert.NotEmpty(others);
        Assert.Equal(others, all.Where(c => c.Name is not ("STEEL" or "BRICK")).Select(Json));
        Assert.Equal(plain.Select(s => ShotSpecJson.Serialize(s with { Characters = [] })), dressed.Select(s => ShotSpecJson.Serialize(s with { Characters = [] })));
        // Every dressed spec is valid and names the rig file as an asset of kind rig (its hash counts in every chunk identity).
        foreach (var s in dressed) ShotSpecJson.Parse(ShotSpecJson.Serialize(s));
        Assert.Contains((steelRig, SpecAssets.Rig), dressed.SelectMany(SpecAssets.Of));
        Assert.Contains(steelRig, dressed.SelectMany(s => Talos.Actors.Pipeline.ChunkIdentity.AssetNames(s)));
    }

    [Fact]
    public void A_cast_applies_to_shot_spec_files_too_and_a_cast_json_is_found_beside_a_screenplay()
    {
        var castPath = TestCast.Write(_dir);
        var specFile = Path.Combine(_dir, "shots.json");
        File.WriteAllText(specFile, ShotSpecJson.SerializeMany([Samples.Shot() with { Characters = [new CharacterSpec { Name = "Steel" }, new CharacterSpec { Name = "BRICK" }] }]));
        var specs = InputLoader.Load(specFile, new RenderSettings(Cast: Cast.Load(castPath)));
        Assert.Equal([TestCast.HashName(TestCast.SteelRig()), "round"], specs[0].Characters.Select(c => c.Rig));

        var play = Path.Combine(_dir, "play.fountain");
        File.WriteAllText(play, "EXT. YARD - DAY\n\nSTEEL waves at BRICK.\n\nSTEEL\nHello.\n");
        var found = Talos.Cli.Render.RenderCommand.ReadCast(new Talos.Cli.Render.RenderCommand.RenderRequest(play, "x.mp4", null, null, null, null, null, _dir));
        Assert.NotNull(found);
        Assert.Equal(2, found.Characters.Count);
        Assert.Null(Talos.Cli.Render.RenderCommand.ReadCast(new Talos.Cli.Render.RenderCommand.RenderRequest(specFile, "x.mp4", null, null, null, null, null, _dir)));
    }

    [Fact]
    public void The_example_cast_dresses_the_example_screenplay()
    {
        var cast = Cast.Load(Path.Combine(Repo.Root, "examples", "lighthouse.cast.json"));
        var specs = InputLoader.Load(Path.Combine(Repo.Root, "examples", "lighthouse.fountain"), new RenderSettings(Cast: cast));
        var mara = specs.SelectMany(s => s.Characters).First(c => c.Name == "MARA");
        Assert.True(Identifiers.IsHashName(mara.Rig));
        Assert.Equal("keeper", RigAssets.Resolve(mara.Rig, null).Name);
        Assert.Equal(("round", "m3:30"), specs.SelectMany(s => s.Characters).Where(c => c.Name == "TEO").Select(c => (c.Rig, c.Voice!)).First());
    }

    [Theory]
    [InlineData("\"rig\": \"rigs/steel.rig.json\"", "\"rig\": \"rigs/missing.rig.json\"", "characters.steel.rig: rig file 'rigs/missing.rig.json' not found")]
    [InlineData("\"rig\": \"round\"", "\"rig\": \"roundish\"", "characters.Brick.rig: unknown built-in rig 'roundish'")]
    [InlineData("\"rig\": \"rigs/steel.rig.json\"", "\"rig\": \"../outside.rig.json\"", "rig file '../outside.rig.json' is outside the cast file's folder")]
    [InlineData("\"rig\": \"rigs/steel.rig.json\"", "\"rig\": \"sha256/0000000000000000000000000000000000000000000000000000000000000000\"", "names an uploaded rig")]
    [InlineData("\"slacks\": \"#303038\"", "\"coat\": \"#303038\"", "region 'coat' is not one rig 'steel-tall' paints (skin, hair, jacket, slacks, boots, eyes)")]
    [InlineData("\"slacks\": \"#303038\"", "\"slacks\": \"blue\"", "characters.steel.palette.slacks: not a colour")]
    [InlineData("\"palette\": \"brick.palette.json\"", "\"palette\": \"nope.json\"", "palette file 'nope.json' not found")]
    [InlineData("\"m3:28\"", "\"m9\"", "characters.steel.voice: voice 'm9' is not a scratch voice")]
    [InlineData("\"Brick\": {", "\"BRIK\": {", "the cast names 'BRIK', who is not in 'brick_and_steel.fountain' (its characters: ")]
    [InlineData("\"characters\": {", "\"characters\": { \"STEEL\": { \"rig\": \"round\" },", "characters.steel: the character is cast twice")]
    [InlineData("\"voice\": \"m3:28\"", "\"voice\": \"m3:28\", \"shoes\": 1", "characters.steel: unknown field 'shoes'")]
    [InlineData("\"characters\": {", "\"characters\": {{", "is not valid JSON")]
    public void A_bad_cast_is_one_clear_error_before_anything_is_stored(string from, string to, string expected)
    {
        Assert.Contains(from, TestCast.CastJson);
        var path = TestCast.Write(_dir, TestCast.CastJson.Replace(from, to));
        var e = Assert.ThrowsAny<PrismException>(() => InputLoader.Load(Repo.Corpus("brick_and_steel.fountain"), Settings(Cast.Load(path))));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_rig_file_with_two_rigs_or_a_broken_one_is_refused_naming_the_file()
    {
        TestCast.Write(_dir);
        var two = $"{{ \"rigs\": [ {TestCast.RigBody("steel-tall", 1.45)}, {TestCast.RigBody("other", 1.2)} ] }}";
        File.WriteAllText(Path.Combine(_dir, "rigs", "steel.rig.json"), two);
        Assert.Contains("a rig file holds exactly one rig; this one holds 2 (steel-tall, other)",
            Assert.ThrowsAny<PrismException>(() => Cast.Load(Path.Combine(_dir, Cast.FileName))).Message);
        File.WriteAllText(Path.Combine(_dir, "rigs", "steel.rig.json"), TestCast.SteelRig().Replace("\"outfit\": \"coat\"", "\"outfit\": \"cape\""));
        var e = Assert.ThrowsAny<PrismException>(() => Cast.Load(Path.Combine(_dir, Cast.FileName)));
        Assert.Contains("characters.steel.rig: rig file", e.Message);
        Assert.Contains("'outfit' must be one of", e.Message);
    }

    [Fact]
    public void Drawings_a_rig_file_references_are_named_by_content_and_may_not_leave_its_folder()
    {
        var png = new byte[] { 1, 2, 3 };
        var json = """{ "parts": [ { "image": "art/arm.png" }, { "image": "sha256/KEEP" } ], "name": "x", "image": 3 }"""u8.ToArray();
        var stored = new List<string>();
        var rewritten = Encoding.UTF8.GetString(RigAssets.Rewrite(json, "test", r => { stored.Add(r); return ContentAsset.Of(png, RigAssets.DrawingKind).Name; }));
        Assert.Equal(["art/arm.png", "sha256/KEEP"], stored); // "sha256/KEEP" is not a content name (64 hex digits), so it is stored too
        Assert.Contains($"\"image\": \"{ContentAsset.Of(png, "x").Name}\"", rewritten);
        Assert.Contains("\"image\": 3", rewritten); // not a string: not a reference
        var none = """{ "name": "x" }"""u8.ToArray();
        Assert.Same(none, RigAssets.Rewrite(none, "test", _ => throw new InvalidOperationException()));

        Directory.CreateDirectory(Path.Combine(_dir, "rigs"));
        var rigFile = Path.Combine(_dir, "rigs", "cut.rig.json");
        File.WriteAllText(rigFile, """{ "rigs": [], "image": "../secret.png" }""");
        File.WriteAllBytes(Path.Combine(_dir, "secret.png"), png);
        Assert.Contains("drawing '../secret.png' is outside the rig file's folder", Assert.Throws<InvalidDataException>(() => RigAssets.Import(rigFile)).Message);
        File.WriteAllText(rigFile, """{ "rigs": [], "image": "gone.png" }""");
        Assert.Contains("drawing 'gone.png' not found", Assert.Throws<InvalidDataException>(() => RigAssets.Import(rigFile)).Message);
    }

    [Fact]
    public void A_rig_named_by_content_is_loaded_from_the_vault_and_drawn_by_FLUX_and_AXIS_alike()
    {
        using var vault = BlobVault.Open(Path.Combine(_dir, "vault"));
        var json = TestCast.SteelRig("vault-rig", 1.3);
        var name = TestCast.HashName(json);
        var spec = new ShotSpec
        {
            Id = "s", Frames = new FrameRange(0, 0), Resolution = new Resolution(160, 90),
            Characters = [new CharacterSpec { Name = "STEEL", Rig = name, Keyframes = [new PoseKey { Pose = "walk", X = 0.5 }] }],
        };
        using (var missing = new ShotDrawing(spec, asset: vault.Asset))
            Assert.Contains($"unknown rig asset '{name}'", Assert.Throws<InvalidDataException>(() => missing.Rig(0, 0)).Message);

        vault.PutAsset(name, Encoding.UTF8.GetBytes(json), RigAssets.RigKind);
        using var drawing = new ShotDrawing(spec, asset: vault.Asset);
        var state = MotionInterpolator.Evaluate(spec.Characters[0], 0, spec.Fps);
        var camera = CameraPath.At(spec.Camera, 0);
        var expected = LineArt.Draw(Rigs.Load(json), state.Pose, state.X, state.Facing, camera, 160, 90).Lines.Data;
        Assert.Equal(expected, drawing.Rig(0, 0).Lines.Data);
        Assert.NotEqual(LineArt.Draw(Rigs.Stocky, state.Pose, state.X, state.Facing, camera, 160, 90).Lines.Data, expected);
        Assert.Equal(Talos.Gpu.Imaging.Rgb.FromHex(TestCast.Magenta), Talos.Gpu.Chroma.CharacterPalette.For(spec, spec.Characters[0], vault.Asset)["jacket"]);
    }

    [Fact]
    public void Specs_name_rigs_by_built_in_name_or_content_and_voices_from_the_scratch_set()
    {
        string Spec(string character) => $$"""{ "id": "a", "durationSeconds": 1, "characters": [ { "name": "A", {{character}} } ] }""";
        var hash = TestCast.HashName("x");
        Assert.Equal(hash, ShotSpecJson.Parse(Spec($"\"rig\": \"{hash}\"")).Characters[0].Rig);
        Assert.Equal("f2:60", ShotSpecJson.Parse(Spec("\"voice\": \"f2:60\"")).Characters[0].Voice);
        var e = Assert.Throws<SpecValidationException>(() => ShotSpecJson.Parse(Spec("\"rig\": \"sha256/abc\", \"voice\": \"f2:100\"")));
        Assert.Contains(e.Errors, x => x.Path == "$.characters[0].rig" && x.Message.Contains("or an uploaded rig file by its content, sha256/HASH"));
        Assert.Contains(e.Errors, x => x.Path == "$.characters[0].voice" && x.Message.Contains("the pitch 0–99"));
        // A character without a voice is written without one: specs (and their chunk identities) keep the bytes they had.
        Assert.DoesNotContain("voice", ShotSpecJson.Serialize(ShotSpecJson.Parse(Spec("\"rig\": \"round\""))));

        Assert.Equal(new ScratchVoiceSettings("f2", 60), ScratchVoice.For("STEEL", "f2:60"));
        Assert.Equal(new ScratchVoiceSettings("m8", 50), ScratchVoice.For("STEEL", "m8"));
        Assert.Equal(ScratchVoice.Voices[ScratchVoice.VoiceOf("STEEL")], ScratchVoice.For("STEEL", null));
    }

    [Fact]
    public void A_cast_voice_is_the_voice_the_characters_lines_are_spoken_in()
    {
        var line = new DialogueLine("steel", "Screw retirement.", 0, 23);
        var spec = new ShotSpec { Id = "v", Frames = new FrameRange(0, 23), Dialogue = [line], Characters = [new CharacterSpec { Name = "STEEL", Voice = "f4:80" }] };
        var cast = DialogueAudio.Line(spec, 0, _ => null, 16000).Samples;
        var own = DialogueAudio.Line(spec with { Characters = [new CharacterSpec { Name = "STEEL" }] }, 0, _ => null, 16000).Samples;
        Assert.Equal(ScratchVoice.Speak(line.Text, new ScratchVoiceSettings("f4", 80), 16000, "x").Samples, cast);
        Assert.NotEqual(own, cast);
    }
}
