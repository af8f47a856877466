using System.CommandLine;
using System.Text.Json;
using Talos.Cli.Chroma;
using Talos.Gpu.Chroma;
using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Chroma;

/// <summary><c>talos colorize</c> and <c>talos colorize-seq</c> end to end, through the command line.</summary>
public sealed class ColorizeCommandTests : IDisposable
{
    readonly string _dir = Repo.TempDir("colorize");
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    static Task<(int Code, string Error)> Talos(params string[] args) => CliRunner.Run([ChromaCommands.Colorize(), ChromaCommands.ColorizeSequence()], args);

    string PaletteFile(string? json = null)
    {
        var rig = global::Talos.Gpu.Axis.Rigs.Get("stocky");
        json ??= JsonSerializer.Serialize(new { regions = rig.DefaultPalette.ToDictionary(p => p.Key, p => Colorizer.Hex(p.Value)) });
        string path = Path.Combine(_dir, "palette.json");
        File.WriteAllText(path, json);
        return path;
    }

    static (float R, float G, float B) Srgb(Rgb c) => (ColorMath.LinearToSrgb(c.R), ColorMath.LinearToSrgb(c.G), ColorMath.LinearToSrgb(c.B));

    [Fact]
    public async Task Colorize_paints_hinted_regions_and_writes_regions_and_table()
    {
        var (frames, table) = RigSequence.Walk("stocky", 320, 180, 1);
        string line = Path.Combine(_dir, "line.png"), hints = Path.Combine(_dir, "hints.json"), output = Path.Combine(_dir, "out", "c.png");
        File.WriteAllBytes(line, KeyImages.WriteInk(frames[0].Lines));
        File.WriteAllText(hints, JsonSerializer.Serialize(new { hints = frames[0].Seeds.Select(s => new { x = s.X, y = s.Y, region = s.Region }) }));
        var (code, err) = await Talos("colorize", line, "--palette", PaletteFile(), "--hints", hints, "--out", output);
        Assert.True(code == 0, err);

        var img = KeyImages.ReadRgba(File.ReadAllBytes(output), output);
        var truth = Colorizer.Render(frames[0].Lines, frames[0].Truth, table, ColourModel.DefaultInk);
        int n = 0, same = 0;
        for (int i = 0; i < img.PixelCount; i++)
        {
            if (truth.A[i] < 1f || frames[0].Lines.Data[i] > 0f) continue;
            n++;
            if (MathF.Abs(img.R[i] - truth.R[i]) < 0.01f && MathF.Abs(img.G[i] - truth.G[i]) < 0.01f && MathF.Abs(img.B[i] - truth.B[i]) < 0.01f) same++;
        }
        Assert.True(n > 1000 && same >= 0.99 * n, $"{same}/{n} fill pixels match the rig's colours");
        Assert.True(File.Exists(Path.Combine(_dir, "out", "c.regions.png")));
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "out", "c.palette.json")));
        Assert.Contains(doc.RootElement.GetProperty("regions").EnumerateArray(), r => r.GetProperty("entry").GetString() == "coat");
    }

    [Fact]
    public async Task Colorize_seq_carries_a_coloured_key_through_the_sequence()
    {
        var (frames, table) = RigSequence.Walk("stocky", 320, 180, 5);
        string input = Path.Combine(_dir, "lines"), output = Path.Combine(_dir, "coloured"), key = Path.Combine(_dir, "key.png");
        Directory.CreateDirectory(input);
        for (int f = 0; f < frames.Count; f++) File.WriteAllBytes(Path.Combine(input, $"f{f:D3}.png"), KeyImages.WriteInk(frames[f].Lines));
        File.WriteAllBytes(key, KeyImages.WriteRgba(Colorizer.Render(frames[0].Lines, frames[0].Truth, table, ColourModel.DefaultInk)));
        var (code, err) = await Talos("colorize-seq", input, "--palette", PaletteFile(), "--key", key, "--out", output);
        Assert.True(code == 0, err);
        for (int f = 0; f < frames.Count; f++)
        {
            string path = Path.Combine(output, $"f{f:D3}.png");
            var img = KeyImages.ReadRgba(File.ReadAllBytes(path), path);
            var truth = Colorizer.Render(frames[f].Lines, frames[f].Truth, table, ColourModel.DefaultInk);
            int n = 0, same = 0;
            for (int i = 0; i < img.PixelCount; i++)
            {
                if (truth.A[i] < 1f || frames[f].Lines.Data[i] > 0f) continue;
                n++;
                if (MathF.Abs(img.R[i] - truth.R[i]) < 0.01f && MathF.Abs(img.B[i] - truth.B[i]) < 0.01f) same++;
            }
            Assert.True(same >= 0.97 * n, $"frame {f}: {same}/{n}");
            if (f == frames.Count - 1) File.Copy(path, "/tmp/chroma-seq-last.png", true);
        }
        Assert.True(File.Exists(Path.Combine(output, "regions", "f000.png")));
        Assert.True(File.Exists(Path.Combine(output, "palette.json")));
    }

    [Fact]
    public async Task Bad_input_is_one_clear_error()
    {
        string line = Path.Combine(_dir, "line.png"), bad = Path.Combine(_dir, "bad.png"), pal = PaletteFile();
        File.WriteAllBytes(line, KeyImages.WriteInk(RigSequence.Walk("round", 160, 90, 1).Frames[0].Lines));
        File.WriteAllBytes(bad, [0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
        string badPal = Path.Combine(_dir, "badpal.json");
        File.WriteAllText(badPal, "{\"regions\": {\"skin\": \"pink\"}}");
        string hints = Path.Combine(_dir, "h.json");
        File.WriteAllText(hints, "[{\"x\": 3, \"y\": 3, \"region\": \"nope\"}]");
        string seq = Path.Combine(_dir, "seq");
        Directory.CreateDirectory(seq);
        File.WriteAllBytes(Path.Combine(seq, "a.png"), KeyImages.WriteInk(new GrayImage(160, 90)));
        File.WriteAllBytes(Path.Combine(seq, "b.png"), KeyImages.WriteInk(new GrayImage(80, 45)));

        await Refused(["colorize", bad, "--palette", pal, "--hints", hints, "--out", Path.Combine(_dir, "o.png")], "not a readable PNG");
        await Refused(["colorize", line, "--palette", badPal, "--out", Path.Combine(_dir, "o.png")], "$.regions.skin");
        await Refused(["colorize", line, "--palette", pal, "--hints", hints, "--out", Path.Combine(_dir, "o.png")], "'nope'");
        await Refused(["colorize", line, "--palette", pal, "--out", Path.Combine(_dir, "o.png")], "'default'");
        await Refused(["colorize", line, "--palette", pal, "--hints", hints, "--out", line], "overwrite");
        await Refused(["colorize", line, "--palette", pal, "--hints", hints, "--out", Path.Combine(_dir, "o.jpg")], ".png");
        await Refused(["colorize", line, "--palette", pal, "--mood", "ennui", "--out", Path.Combine(_dir, "o.png")], "--mood");
        await Refused(["colorize-seq", seq, "--palette", pal, "--key", line, "--out", Path.Combine(_dir, "s")], "same size");
        await Refused(["colorize-seq", seq, "--palette", pal, "--key", line, "--out", Path.Combine(seq, "out")], "inside");
        await Refused(["colorize-seq", Path.Combine(_dir, "nothing"), "--palette", pal, "--key", line, "--out", Path.Combine(_dir, "s")], "no such folder");
        Assert.Equal(["a.png", "b.png"], Directory.GetFiles(seq).Select(Path.GetFileName).Order());
    }

    static async Task Refused(string[] args, string expected)
    {
        var (code, err) = await Talos(args);
        Assert.True(code == 2, $"{string.Join(' ', args)} → {code}: {err}");
        Assert.Contains(expected, err);
        Assert.StartsWith("error: ", err);
        Assert.Equal(1, err.Trim().Split('\n').Count(l => l.StartsWith("error:")));
        Assert.DoesNotContain("   at ", err);
    }
}
