using System.Security.Cryptography;
using Talos.Gpu.Cuttura;
using Talos.Cli;
using Talos.Cli.Render;
using Talos.Tests.Actors;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Cli;

/// <summary>
/// <c>talos render</c> as a user runs it: a real film out of the corpus screenplay whose frames hold drawn, coloured,
/// lit, moving characters; bad input refused with one clear line; the work dir's journal and vault unharmed by it.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RenderCommandTests : IDisposable
{
    readonly string _dir = Repo.TempDir("render");
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    static async Task<(int Code, string Error)> Render(string input, string output, string workDir, int? width = 160, int? height = 90,
        int? fps = 12, string? scenes = null, double? maxSeconds = 2)
        => await Support.CliRunner.Render(new RenderCommand.RenderRequest(input, output, width, height, fps, scenes, maxSeconds, workDir));

    [Fact]
    public async Task The_corpus_screenplay_renders_to_an_mp4_of_drawn_coloured_lit_moving_characters()
    {
        var work = Path.Combine(_dir, "work");
        var mp4 = Path.Combine(_dir, "brick.mp4");
        var (code, error) = await Render(Repo.Corpus("brick_and_steel.fountain"), mp4, work, 320, 180, 12, "1-2", 4);
        Assert.True(code == 0, error);

        var info = await MediaProbe.ProbeAsync(mp4);
        Assert.Equal(("h264", 320, 180), (info.VideoCodec, info.Width, info.Height));
        Assert.InRange(info.FrameCount, 12 * 4 - 1, 12 * 4 + 1);

        var frames = await FrameGrab.DecodeAsync(mp4, 320, 180);
        Assert.Equal(info.FrameCount, frames.Count);
        foreach (int i in new[] { 0, frames.Count / 2, frames.Count - 1 })
        {
            var f = frames[i];
            Assert.InRange(FrameGrab.EdgeDensity(f, 320, 180), 0.01, 0.5);       // line art, not a flat fill
            Assert.True(FrameGrab.DistinctColours(f) > 200, $"frame {i}: only {FrameGrab.DistinctColours(f)} colours"); // painted and lit
            Assert.InRange(FrameGrab.MeanLuma(f), 0.05, 0.95);                   // exposed, neither black nor blown
        }
        // Characters move: consecutive frames differ, but a cut is not every frame.
        var diffs = frames.Zip(frames.Skip(1), FrameGrab.MeanAbsDiff).ToList();
        Assert.True(diffs.Count(d => d > 0.0005) > diffs.Count / 2, "most frames should move");
        FrameGrab.SavePng(frames[frames.Count / 2], 320, 180, Path.Combine(Path.GetTempPath(), "talos-brick-mid.png"));
    }

    [Fact]
    public async Task Bad_inputs_get_one_clear_error_and_leave_journal_and_vault_intact()
    {
        var work = Path.Combine(_dir, "work");
        var good = Path.Combine(_dir, "good.mp4");
        const string prompt = "MARA waves at the boat.";
        var (code, error) = await Render(prompt, good, work, 96, 54, 12, maxSeconds: 1);
        Assert.True(code == 0, error);
        var goodHash = SHA256.HashData(await File.ReadAllBytesAsync(good));

        string Write(string name, byte[] bytes) { var p = Path.Combine(_dir, name); File.WriteAllBytes(p, bytes); return p; }
        var empty = Write("empty.fountain", []);
        var garbage = Write("garbage.fountain", Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 % 251)).ToArray());
        var invalid = Write("invalid.json", "{ \"id\": \"x\", \"fps\": 24, \"durationSeconds\": -3, \"background\": \"mars\" }"u8.ToArray());
        var traversal = Write("traversal.json", System.Text.Encoding.UTF8.GetBytes("""
            { "id": "t", "fps": 12, "resolution": { "width": 96, "height": 54 }, "durationSeconds": 1,
              "characters": [ { "name": "A", "keyframeImages": [ { "frame": 0, "asset": "../../etc/passwd" } ] } ] }
            """));

        var cases = new (string What, Func<Task<(int, string)>> Run, string Expect)[]
        {
            ("empty file", () => Render(empty, Path.Combine(_dir, "a.mp4"), work), "empty"),
            ("binary garbage", () => Render(garbage, Path.Combine(_dir, "b.mp4"), work), "NUL bytes"),
            ("invalid spec", () => Render(invalid, Path.Combine(_dir, "c.mp4"), work), "$.background"),
            ("width 100000", () => Render(prompt, Path.Combine(_dir, "d.mp4"), work, width: 100000), "--width 100000"),
            ("negative fps", () => Render(prompt, Path.Combine(_dir, "e.mp4"), work, fps: -5), "--fps -5"),
            ("path traversal", () => Render(traversal, Path.Combine(_dir, "f.mp4"), work), "'..'"),
        };
        foreach (var (what, run, expect) in cases)
        {
            var (c, e) = await run();
            Assert.True(c == CliErrors.BadInput, $"{what}: exit {c}, {e}");
            Assert.Contains(expect, e);
            Assert.StartsWith("error: ", e);
            Assert.DoesNotContain("   at ", e); // no stack trace
        }
        Assert.False(File.Exists("/etc/passwd.mp4"));

        // The same good render again on the same work dir resumes from the journal and gives the same film.
        (code, error) = await Render(prompt, good, work, 96, 54, 12, maxSeconds: 1);
        Assert.True(code == 0, error);
        Assert.Equal(goodHash, SHA256.HashData(await File.ReadAllBytesAsync(good)));
    }
}
