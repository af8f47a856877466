using Talos.Gpu.Prism;
using Talos.Gpu.Prism.Commercials;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Commercials;

/// <summary>A brief's bad input: each gives one clear error naming the field at fault; the example brief reads.</summary>
public sealed class BriefTests : IDisposable
{
    readonly string _dir = Repo.TempDir("brief");
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    const string Good = """
        { "brand": "Acme", "product": "Rocket Skates", "tagline": "Go faster.", "callToAction": "acme.example", "durationSeconds": 6 }
        """;

    static SpecError Single(string json, string folder)
    {
        var e = Assert.Throws<SpecValidationException>(() => BriefJson.Parse(json, folder));
        Assert.Equal("brief", e.Subject);
        return Assert.Single(e.Errors);
    }

    string With(string extra) => Good.TrimEnd()[..^1].TrimEnd() + ", " + extra + " }";

    [Fact]
    public void The_example_brief_reads_with_its_logo_cast_and_palette()
    {
        var brief = BriefJson.Load(Path.Combine(Repo.Root, "examples", "brief.json"));
        Assert.Equal(6, brief.DurationSeconds);
        Assert.NotNull(brief.Logo?.Bytes);
        Assert.Equal(["MARA", "JUNO"], brief.Cast.Select(c => c.Name));
        Assert.Equal("#f6efe2", brief.Palette.Background);
    }

    [Fact]
    public void A_missing_brand_is_named()
    {
        var e = Single("""{ "product": "P", "tagline": "T", "callToAction": "C", "durationSeconds": 15 }""", _dir);
        Assert.Equal("$.brand", e.Path);
        Assert.Contains("required", e.Message);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(0)]
    [InlineData(60)]
    public void A_duration_that_is_not_6_15_or_30_is_refused(int seconds)
    {
        var e = Single(Good.Replace("\"durationSeconds\": 6", $"\"durationSeconds\": {seconds}"), _dir);
        Assert.Equal("$.durationSeconds", e.Path);
        Assert.Contains("6, 15, 30", e.Message);
    }

    [Fact]
    public void An_unknown_field_is_named_with_the_known_ones()
    {
        var e = Single(With("\"slogan\": \"x\""), _dir);
        Assert.Equal("$.slogan", e.Path);
        Assert.Contains("unknown property", e.Message);
    }

    [Fact]
    public void An_asset_path_that_leaves_the_brief_folder_is_refused()
    {
        File.WriteAllText(Path.Combine(Path.GetDirectoryName(_dir)!, "outside.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
        var e = Single(With("\"logo\": \"../outside.svg\""), _dir);
        Assert.Equal("$.logo", e.Path);
        Assert.Contains("leaves the brief's folder", e.Message);
        Assert.Equal("$.music", Single(With("\"music\": \"/etc/passwd\""), _dir).Path);
    }

    [Fact]
    public void A_missing_asset_is_named()
    {
        var e = Single(With("\"productImage\": \"shots/can.png\""), _dir);
        Assert.Equal("$.productImage", e.Path);
        Assert.Contains("no such file 'shots/can.png'", e.Message);
    }

    [Theory]
    [InlineData("logo.png", new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R', 1, 2 }, "PNG is corrupt")]
    [InlineData("logo.svg", new byte[] { (byte)'<', (byte)'s', (byte)'v', (byte)'g', (byte)'>', (byte)'<', (byte)'g', (byte)'>' }, "SVG does not parse")]
    [InlineData("logo.svg", new byte[] { (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o' }, "neither a PNG nor")]
    public void A_corrupt_logo_is_refused(string name, byte[] bytes, string says)
    {
        File.WriteAllBytes(Path.Combine(_dir, name), bytes);
        var e = Single(With($"\"logo\": \"{name}\""), _dir);
        Assert.Equal("$.logo", e.Path);
        Assert.Contains(says, e.Message);
    }

    [Fact]
    public void Palette_colours_and_cast_rigs_are_checked_by_path()
    {
        Assert.Equal("$.palette.primary", Single(With("\"palette\": { \"primary\": \"red\" }"), _dir).Path);
        Assert.Equal("$.cast[1].rig", Single(With("\"cast\": [ { \"name\": \"A\", \"rig\": \"lanky\" }, { \"name\": \"B\", \"rig\": \"tall\" } ]"), _dir).Path);
        Assert.Equal("$.cast[1].name", Single(With("\"cast\": [ { \"name\": \"A\", \"rig\": \"lanky\" }, { \"name\": \"a\", \"rig\": \"round\" } ]"), _dir).Path);
    }

    [Fact]
    public void Malformed_json_says_where()
    {
        var e = Single("{ \"brand\": ", _dir);
        Assert.Equal("$", e.Path);
        Assert.Contains("malformed JSON at line 1", e.Message);
    }
}
