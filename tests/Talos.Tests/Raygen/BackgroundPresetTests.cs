using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Talos.Gpu.Aether;
using Talos.Gpu.Imaging;
using Talos.Gpu.Raygen;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Raygen;

/// <summary>
/// The AETHER presets as data (docs/plates.md, "Procedural layers"): each preset is a background document embedded in
/// Talos.Gpu (Aether/Presets/NAME.background.json) and paints exactly what the C# preset tables painted before the move.
/// </summary>
public sealed class BackgroundPresetTests(ITestOutputHelper output)
{
    const int W = 192, H = 108;

    /// <summary>
    /// SHA-256 of every painted buffer (R, G, B, A and depth, as float bits) of each preset under two cameras and two light
    /// rigs, computed from the C# preset tables before they became documents (commit e07bbec): the documents paint the
    /// same bits.
    /// </summary>
    static readonly Dictionary<string, string> Pinned = new()
    {
        ["day"] = "f3d6d394213c7ef439233eaefd74a68597e602d3b284257cf728eaea3e11b134",
        ["dusk"] = "be3d643adafb6c8350152d6efae5517350e5b825ab204f9ed3051f38fbb81a36",
        ["night"] = "fd201f531786e5e8f30e94eeb021b106e4dda3e5d24a9990dffb66df7e293d78",
        ["interior"] = "ead8ee86869ad372ccc74b33512ef9c1697602f84107b40baebbe1fd94ff61af",
        ["studio"] = "28e8a169ec6f79181fd673790fba9691f4e3cbe0992e7140f1b2f4c17df801a5",
    };

    static string PaintedHash(string preset)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var light in new[] { "key-left", "sunset" })
            foreach (var camera in new[] { CameraState.Wide, new CameraState(1.4, 0.15) })
            {
                var depth = new float[W * H];
                var img = Backgrounds.Render(preset, AetherPresets.Lighting(light), camera, W, H, (float)(H * 0.82), depth);
                foreach (var plane in new[] { img.R, img.G, img.B, img.A, depth }) sha.AppendData(MemoryMarshal.AsBytes(plane.AsSpan()));
            }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    [Fact]
    public void Every_preset_paints_the_same_bits_as_before_it_became_a_document()
    {
        var hashes = AetherPresets.BackgroundNames.ToDictionary(n => n, PaintedHash);
        foreach (var (name, hash) in hashes) output.WriteLine($"[\"{name}\"] = \"{hash}\",");
        Assert.Equal(Pinned.Keys.Order(), hashes.Keys.Order());
        foreach (var (name, hash) in hashes) Assert.True(Pinned[name] == hash, $"preset '{name}' paints differently: {hash}");
    }

    [Fact]
    public void Every_preset_is_an_embedded_background_document()
    {
        foreach (var name in AetherPresets.BackgroundNames)
        {
            var path = Path.Combine(Repo.Root, "Talos.Gpu", "Aether", "Presets", $"{name}.background.json");
            var preset = BackgroundDocument.Parse(File.ReadAllText(path), name);
            var used = AetherPresets.Background(name);
            Assert.Equal(name, used.Name);
            Assert.Equal((used.SkyTop, used.SkyHorizon, used.GroundFar, used.GroundNear), (preset.SkyTop, preset.SkyHorizon, preset.GroundFar, preset.GroundNear));
            Assert.Equal(used.Scenery, preset.Scenery); // records of numbers and colours: equal field by field
        }
    }

    const string Day = """
        { "layers": [
            { "procedural": "sky", "top": "#3f86d6", "horizon": "#c4e6f7" },
            { "procedural": "ground", "far": "#93c46a", "near": "#4c8a36" },
            { "procedural": "ridge", "depth": 0.12, "colour": "#7fa7c4", "height": 0.2, "amplitude": 0.07, "wavelength": 0.55, "seed": 3 } ] }
        """;

    [Fact]
    public void A_document_paints_a_procedural_background_and_its_seed_decides_the_ridge()
    {
        var light = AetherPresets.Lighting("key-left");
        RgbaImage Paint(string json) => Backgrounds.Render(BackgroundDocument.Parse(json, "mine"), light, CameraState.Wide, W, H, H * 0.82f);
        var a = Paint(Day);
        Assert.Equal(a.R, Paint(Day).R); // seeded: the same document paints the same bits
        Assert.NotEqual(a.R, Paint(Day.Replace("\"seed\": 3", "\"seed\": 4")).R);
    }

    [Theory]
    [InlineData("{ \"layers\": [] }", "$.layers", "at least 2")]
    [InlineData("{ \"layers\": [ { \"procedural\": \"sky\", \"top\": \"#000000\", \"horizon\": \"#000000\" }, { \"procedural\": \"ground\", \"far\": \"#000000\", \"near\": \"#00000g\" } ] }", "$.layers[1].near", "not a colour #rrggbb")]
    [InlineData("{ \"layers\": [ { \"procedural\": \"ground\", \"far\": \"#000000\", \"near\": \"#000000\" }, { \"procedural\": \"sky\", \"top\": \"#000000\", \"horizon\": \"#000000\" } ] }", "$.layers[0].procedural", "the ground (or floor) is the second layer")]
    [InlineData("RIDGE", "$.layers[2].seed", "is required (every random is seeded)")]
    [InlineData("RIDGE_DEPTH", "$.layers[2].depth", "outside 0..1.5")]
    [InlineData("RIDGE_TYPO", "$.layers[2].colr", "unknown property")]
    [InlineData("RIDGE_KIND", "$.layers[2].procedural", "unknown procedural layer 'volcano'")]
    [InlineData("{ \"groundLine\": 0.8, \"layers\": [] }", "$.groundLine", "places image layers")]
    [InlineData("[1, 2", "$", "malformed JSON")]
    public void A_bad_document_names_each_problem_by_its_json_path(string json, string path, string message)
    {
        json = json switch
        {
            "RIDGE" => Day.Replace(", \"seed\": 3", ""),
            "RIDGE_DEPTH" => Day.Replace("\"depth\": 0.12", "\"depth\": 2"),
            "RIDGE_TYPO" => Day.Replace("\"colour\"", "\"colr\""),
            "RIDGE_KIND" => Day.Replace("\"procedural\": \"ridge\"", "\"procedural\": \"volcano\""),
            _ => json,
        };
        var e = Assert.Throws<Talos.Gpu.Prism.SpecValidationException>(() => BackgroundDocument.Parse(json, "bad"));
        Assert.Contains(e.Errors, x => x.Path == path && x.Message.Contains(message));
    }

    [Fact]
    public void A_document_over_the_limits_is_one_error()
    {
        var layer = "{ \"procedural\": \"stars\", \"depth\": 0.01, \"cell\": 0.05, \"density\": 0.5, \"brightness\": 1, \"seed\": 1 }";
        var nine = Day.Replace("] }", string.Concat(Enumerable.Repeat(", " + layer, 7)) + "] }");
        Assert.Contains(Assert.Throws<Talos.Gpu.Prism.SpecValidationException>(() => BackgroundDocument.Parse(nine, "big")).Errors, x => x.Path == "$.layers");
        var huge = Day + new string(' ', BackgroundDocument.MaxChars);
        Assert.Contains("the limit is", Assert.Throws<Talos.Gpu.Prism.SpecValidationException>(() => BackgroundDocument.Parse(huge, "huge")).Message);
    }
}
