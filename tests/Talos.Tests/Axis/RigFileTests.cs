using Talos.Gpu.Axis;
using Talos.Gpu.Imaging;
using Xunit;

namespace Talos.Tests.Axis;

/// <summary>Rigs are data: the built-ins come from rigs.json, and a studio's own rig file is read with clear errors.</summary>
public sealed class RigFileTests
{
    const string Custom = """
        { "rigs": [ { "name": "giant", "height": 1.4,
            "headRx": 0.07, "headRy": 0.08, "neck": 0.03, "neckRadius": 0.02, "torsoLength": 0.33, "shoulderHalfWidth": 0.12,
            "hipHalfWidth": 0.09, "upperArm": 0.17, "lowerArm": 0.16, "armRadius": 0.03, "handRadius": 0.03, "upperLeg": 0.21,
            "lowerLeg": 0.21, "legRadius": 0.04, "shoeLength": 0.1, "shoeHeight": 0.035, "outfit": "coat", "hair": "crew",
            "armRegion": "cloak", "bodyRegion": "cloak", "legRegion": "trousers", "footRegion": "boots",
            "palette": { "skin": "#c08060", "hair": "#101010", "cloak": "#303a80", "trousers": "#202020", "boots": "#402010", "eyes": "#ffffff" } } ] }
        """;

    [Fact]
    public void Built_in_rigs_are_read_from_their_json()
    {
        Assert.Equal(["lanky", "stocky", "round"], Rigs.Names);
        Assert.Equal("coat", Rigs.Stocky.RegionOf("body"));
        Assert.Equal(1.06f, Rigs.Lanky.Height);
        Assert.Equal(Rgb.FromHex("#4fa86b"), Rigs.Round.DefaultPalette["dress"]);
    }

    [Fact]
    public void A_studio_rig_file_draws_a_character_with_its_own_regions()
    {
        var giant = Rigs.Parse(Custom).Single();
        var drawing = LineArt.Draw(giant, PoseLibrary.Resolve("walk", "calm", 0), 0.5, 1, CameraState.Wide, 320, 180);
        Assert.Contains(drawing.Seeds, s => s.Region == "cloak");
        var lanky = LineArt.Draw(Rigs.Lanky, PoseLibrary.Resolve("walk", "calm", 0), 0.5, 1, CameraState.Wide, 320, 180);
        float Top(GrayImage g) { for (int i = 0; i < g.Data.Length; i++) if (g.Data[i] > 0.5f) return i / g.Width; return g.Height; }
        Assert.True(Top(drawing.Lines) < Top(lanky.Lines), "the giant is taller");
    }

    [Theory]
    [InlineData("\"height\": 1.4", "\"height\": -1", "'height' must be a number")]
    [InlineData("\"outfit\": \"coat\"", "\"outfit\": \"cape\"", "'outfit' must be one of")]
    [InlineData("\"cloak\": \"#303a80\", ", "", "region 'cloak' has no colour")]
    [InlineData("\"hair\": \"crew\",", "\"hair\": \"crew\", \"wings\": 2,", "unknown field 'wings'")]
    [InlineData("\"eyes\": \"#ffffff\"", "\"eyes\": \"white\"", "palette 'eyes' is not a colour")]
    public void Bad_rig_files_name_the_rig_and_the_field(string from, string to, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => Rigs.Parse(Custom.Replace(from, to)));
        Assert.Contains("rig 'giant'", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.Contains("not valid JSON", Assert.Throws<ArgumentException>(() => Rigs.Parse("{ nope")).Message);
    }
}
