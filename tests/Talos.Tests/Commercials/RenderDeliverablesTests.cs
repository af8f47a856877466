using Talos.Cli.Render;
using Talos.Gpu.Cuttura;
using Talos.Gpu.Cuttura.Titles;
using Talos.Gpu.Prism;
using Talos.Gpu.Prism.Commercials;
using Talos.Messages.Specs;
using Talos.Tests.Actors;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Commercials;

/// <summary>
/// <c>talos render --deliverables … --subtitles srt,vtt</c> on a two-shot film with dialogue: each format to its own file
/// at its own size, the characters reframed into its title-safe area, and the sidecar subtitles parsing back with every
/// cue on the film time of its dialogue line (frames / fps, the second shot offset by the first's length).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RenderDeliverablesTests : IDisposable
{
    const int Fps = 12;
    readonly string _dir = Repo.TempDir("render-deliverables");
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    static IReadOnlyList<ShotSpec> Film() =>
    [
        new ShotSpec
        {
            Id = "quay", Sequence = 1, Fps = Fps, Frames = new FrameRange(0, 11), Background = "dusk",
            Characters =
            [
                new CharacterSpec { Name = "MARA", Rig = "lanky", Keyframes = [new PoseKey { Frame = 0, Pose = "idle", X = 0.2 }, new PoseKey { Frame = 11, Pose = "point", X = 0.25 }] },
                new CharacterSpec { Name = "TEO", Rig = "stocky", Keyframes = [new PoseKey { Frame = 0, Pose = "wave", X = 0.8, Facing = -1 }] },
            ],
            Dialogue = [new DialogueLine("MARA", "The boat is late.", 1, 6), new DialogueLine("TEO", "It always is.", 7, 11)],
        },
        new ShotSpec
        {
            Id = "lamp", Sequence = 2, Fps = Fps, Frames = new FrameRange(0, 9), Background = "interior",
            Characters = [new CharacterSpec { Name = "TEO", Rig = "stocky", Keyframes = [new PoseKey { Frame = 0, Pose = "gesture", X = 0.5 }] }],
            Dialogue = [new DialogueLine("TEO", "Light the lamp.", 2, 8, "quietly")],
        },
    ];

    [Fact]
    public async Task Each_deliverable_is_its_own_reframed_file_with_subtitles_on_the_dialogues_film_times()
    {
        var input = Path.Combine(_dir, "film.json");
        File.WriteAllText(input, ShotSpecJson.SerializeMany(Film()));
        var (code, error) = await CliRunner.Run([RenderCommand.Create()], "render", input, "--deliverables", "16x9,9x16", "--height", "72",
            "--subtitles", "srt,vtt", "--out", Path.Combine(_dir, "film.mp4"), "--work-dir", Path.Combine(_dir, "work"));
        Assert.True(code == 0, error);

        // The dialogue's film times: shot "lamp" starts after quay's 12 frames.
        var expected = new[] { (1, 7, "The boat is late."), (7, 12, "It always is."), (12 + 2, 12 + 9, "Light the lamp.") };
        foreach (var (name, w, h) in new[] { ("16x9", 128, 72), ("9x16", 72, 128) })
        {
            var file = Path.Combine(_dir, $"film.{name}.mp4");
            var info = await MediaProbe.ProbeAsync(file);
            Assert.Equal((w, h), (info.Width, info.Height));
            Assert.InRange(info.FrameCount, 21, 23);

            var layout = DeliverableLayout.Parse(File.ReadAllText(Path.Combine(_dir, $"film.{name}.layout.json")));
            foreach (var c in layout.Shots.SelectMany(s => s.Characters))
                Assert.True(c.Extent.Inside(layout.TitleSafe), $"{name}: {c.Name} {c.Extent} leaves title-safe {layout.TitleSafe}");

            var srt = Srt.Parse(File.ReadAllText(Path.Combine(_dir, $"film.{name}.srt")));
            var vtt = WebVtt.Parse(File.ReadAllText(Path.Combine(_dir, $"film.{name}.vtt")));
            foreach (var cues in new[] { srt, vtt })
            {
                Assert.Equal(expected.Length, cues.Count);
                for (int i = 0; i < expected.Length; i++)
                {
                    var (start, end, text) = expected[i];
                    Assert.Equal((double)start / Fps, cues[i].Start.TotalSeconds, 3);
                    Assert.Equal((double)end / Fps, cues[i].End.TotalSeconds, 3);
                    Assert.Contains(text, cues[i].Text);
                }
            }
        }
        Assert.False(File.Exists(Path.Combine(_dir, "film.mp4")));
    }

    [Fact]
    public async Task Bad_deliverable_and_subtitle_options_are_one_clear_error()
    {
        var input = Path.Combine(_dir, "film.json");
        File.WriteAllText(input, ShotSpecJson.SerializeMany(Film()));
        async Task<string> Fails(params string[] extra)
        {
            var (code, error) = await CliRunner.Run([RenderCommand.Create()], ["render", input, "--out", Path.Combine(_dir, "x.mp4"), "--work-dir", Path.Combine(_dir, "work"), .. extra]);
            Assert.Equal(2, code);
            return error;
        }
        Assert.Contains("'3x2' is unknown", await Fails("--deliverables", "16x9,3x2"));
        Assert.Contains("--width does not go with --deliverables", await Fails("--deliverables", "1x1", "--width", "64"));
        Assert.Contains("--subtitles 'ass' is unknown", await Fails("--subtitles", "srt,ass"));
        Assert.Contains("--height 71 is odd", await Fails("--deliverables", "1x1", "--height", "71"));
    }
}
