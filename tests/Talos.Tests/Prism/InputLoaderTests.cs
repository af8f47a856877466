using Talos.Gpu.Prism;
using Xunit;

namespace Talos.Tests.Prism;

public sealed class InputLoaderTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "prism-loader-" + Guid.NewGuid().ToString("N"));
    public InputLoaderTests() => Directory.CreateDirectory(_dir);
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    string Write(string name, string text)
    {
        var p = Path.Combine(_dir, name);
        File.WriteAllText(p, text);
        return p;
    }

    [Fact]
    public void Fountain_file_is_planned_with_the_settings()
    {
        var specs = InputLoader.Load(PrismPaths.Repo("examples", "lighthouse.fountain"), new RenderSettings(320, 180, 12));
        Assert.All(specs, s => Assert.Equal((320, 180, 12), (s.Resolution.Width, s.Resolution.Height, s.Fps)));
        Assert.Equal("sc01-sh01", specs[0].Id);
        var txt = Write("script.txt", File.ReadAllText(PrismPaths.Repo("examples", "lighthouse.fountain")));
        Assert.Equal(specs.Count, InputLoader.Load(txt, new RenderSettings(320, 180, 12)).Count);
    }

    [Fact]
    public void Json_specs_keep_their_own_format_and_are_trimmed_by_max_seconds()
    {
        var path = PrismPaths.Repo("examples", "storm-over-brick.json");
        var specs = InputLoader.Load(path, new RenderSettings(320, 180, 12));
        Assert.Equal((1280, 24, 96), (specs[0].Resolution.Width, specs[0].Fps, specs[0].FrameCount));
        var trimmed = InputLoader.Load(path, new RenderSettings(MaxSeconds: 2));
        Assert.Equal(48, trimmed[0].FrameCount);
        ShotSpecJson.Parse(ShotSpecJson.Serialize(trimmed[0]));
        Assert.Throws<PrismException>(() => InputLoader.Load(path, new RenderSettings(FirstScene: 1, LastScene: 2)));
    }

    [Fact]
    public void Missing_files_unsupported_types_and_huge_files_are_refused()
    {
        Assert.StartsWith("file not found: ", Assert.Throws<PrismException>(() => InputLoader.Load(Path.Combine(_dir, "nope.fountain"), new RenderSettings())).Message);
        Assert.StartsWith("file not found: ", Assert.Throws<PrismException>(() => InputLoader.Load("scripts/film", new RenderSettings())).Message);
        Assert.Contains("unsupported", Assert.Throws<PrismException>(() => InputLoader.Load(Write("a.docx", "x"), new RenderSettings())).Message);
        var big = Path.Combine(_dir, "big.fountain");
        using (var f = File.Create(big)) f.SetLength(InputLoader.MaxFileBytes + 1);
        Assert.Contains("limit", Assert.Throws<PrismException>(() => InputLoader.Load(big, new RenderSettings())).Message);
        var bin = Path.Combine(_dir, "bin.fountain");
        File.WriteAllBytes(bin, [0x50, 0x4B, 0x03, 0x04, 0x00, 0x00]);
        Assert.Contains("NUL", Assert.Throws<PrismException>(() => InputLoader.Load(bin, new RenderSettings())).Message);
        Assert.IsType<SpecValidationException>(Assert.ThrowsAny<PrismException>(() => InputLoader.Load(Write("bad.json", "{ \"id\": \"../x\" }"), new RenderSettings())));
    }

    [Fact]
    public void Other_text_is_a_prompt()
    {
        var specs = InputLoader.Load("Mara waves at Theo. Theo laughs.", new RenderSettings(320, 180, 24));
        Assert.Equal(2, specs.Count);
        Assert.Equal("wave", specs[0].Characters.Single(c => c.Name == "Mara").Keyframes[0].Pose);
    }
}
