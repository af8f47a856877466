using Talos.Gpu.Chroma;
using Talos.Gpu.Imaging;
using Xunit;

namespace Talos.Tests.Chroma;

public sealed class ColourModelTests
{
    const string Sheet = """
        {
          "name": "keeper",
          "ink": "#101018",
          "regions": {
            "skin": { "base": "#f0c8a0", "shadow": "#c89870", "highlight": "#fff0e0" },
            "coat": "#3060c0"
          },
          "characters": { "mara": { "coat": "#a03020", "scarf": "#e0d040" } }
        }
        """;

    [Fact]
    public void A_sheet_flattens_to_named_entries_with_tones()
    {
        var m = ColourModel.Parse(Sheet);
        Assert.Equal(["coat", "skin", "skin.highlight", "skin.shadow"], m.Table.Select(e => e.Name));
        Assert.Equal(Rgb.FromHex("#c89870"), m.Table.Single(e => e.Name == "skin.shadow").Colour);
        Assert.Equal(Rgb.FromHex("#101018"), m.Ink);
        var mara = m.TableFor("mara");
        Assert.Equal(Rgb.FromHex("#a03020"), mara.Single(e => e.Name == "coat").Colour);
        Assert.Contains(mara, e => e.Name == "scarf");
        Assert.Contains(mara, e => e.Name == "skin.shadow");
    }

    [Theory]
    [InlineData("{", "not valid JSON")]
    [InlineData("[]", "$ must be a JSON object")]
    [InlineData("{\"regions\": {\"skin\": \"red\"}}", "$.regions.skin")]
    [InlineData("{\"regions\": {\"skin\": {\"shadow\": \"#000000\"}}}", "has no 'base'")]
    [InlineData("{\"regions\": {\"skin\": {\"base\": \"#000000\", \"glow\": \"#ffffff\"}}}", "$.regions.skin.glow")]
    [InlineData("{\"regions\": {\"../x\": \"#000000\"}}", "not a valid region name")]
    [InlineData("{\"colours\": {}}", "$.colours")]
    [InlineData("{\"regions\": {}}", "names no region")]
    [InlineData("{\"regions\": {\"a\": \"#fff\"}}", "$.regions.a")]
    public void Malformed_sheets_are_one_clear_error_naming_the_place(string json, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => ColourModel.Parse(json, "p.json"));
        Assert.Contains(expected, e.Message);
        Assert.StartsWith("p.json", e.Message);
    }

    [Fact]
    public void Hints_parse_and_refuse_malformed_entries()
    {
        var seeds = ColourHints.Parse("""{"hints": [{"x": 4, "y": 5.5, "region": "skin.shadow"}]}""");
        Assert.Equal(new RegionSeed(4, 5.5f, "skin.shadow"), Assert.Single(seeds));
        Assert.Single(ColourHints.Parse("""[{"x": 1, "y": 2, "region": "a"}]"""));
        var e = Assert.Throws<InvalidDataException>(() => ColourHints.Parse("""[{"x": 1, "region": "a"}]"""));
        Assert.Contains("$.hints[0]", e.Message);
    }
}

public sealed class MoodGradeTests
{
    static readonly List<PaletteEntry> Table =
    [
        new("skin", Rgb.FromHex("#f0c8a0")), new("coat", Rgb.FromHex("#3060c0")), new("trousers", Rgb.FromHex("#405030")), new("hair", Rgb.FromHex("#302018")),
    ];

    static (double L, double Warm) Stats(IEnumerable<PaletteEntry> t)
    {
        var cs = t.Select(e => e.Colour).ToList();
        return (cs.Average(c => ColorMath.Luma(c.R, c.G, c.B)), cs.Average(c => c.R - c.B));
    }

    [Fact]
    public void Calm_and_no_mood_leave_the_palette_alone()
    {
        Assert.Same(Table, MoodGrade.Grade(Table, null));
        Assert.Same(Table, MoodGrade.Grade(Table, "calm"));
    }

    [Fact]
    public void Sadness_cools_and_joy_warms_and_brightens_while_regions_keep_their_own_colours()
    {
        var (l0, w0) = Stats(Table);
        var sad = MoodGrade.Grade(Table, "sadness");
        var joy = MoodGrade.Grade(Table, "joy");
        Assert.True(Stats(sad).Warm < w0, "sadness should cool the palette");
        Assert.True(Stats(joy).Warm > w0 && Stats(joy).L > l0, "joy should warm and brighten it");
        // a grade over the fills, not instead of them: every entry stays nearer its own colour than any other entry's
        foreach (var graded in new[] { sad, joy })
            for (int i = 0; i < Table.Count; i++)
            {
                double own = Dist(graded[i].Colour, Table[i].Colour);
                for (int j = 0; j < Table.Count; j++)
                    if (j != i) Assert.True(own < Dist(graded[i].Colour, Table[j].Colour), $"{Table[i].Name} graded drifted toward {Table[j].Name}");
            }
        Assert.Equal(Table.Select(e => e.Name), sad.Select(e => e.Name));
    }

    [Fact]
    public void Unknown_mood_is_an_error() => Assert.Throws<InvalidDataException>(() => MoodGrade.Grade(Table, "ennui"));

    static double Dist(Rgb a, Rgb b) => Math.Sqrt((a.R - b.R) * (a.R - b.R) + (a.G - b.G) * (a.G - b.G) + (a.B - b.B) * (a.B - b.B));
}
