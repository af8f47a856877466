using Talos.Gpu.Cuttura;
using Talos.Gpu.Cuttura.Titles;
using Talos.Messages.Specs;
using Xunit;

namespace Talos.Tests.Titles;

public sealed class SubtitleTests
{
    static readonly IReadOnlyList<SubtitleCue> Cues =
    [
        new(TimeSpan.FromMilliseconds(417), TimeSpan.FromMilliseconds(1417), "Where were you?", "MIA"),
        new(TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(4.125), "Out.\nDrawing the sky & <the> sea.", "JONAS"),
        new(TimeSpan.FromHours(1) + TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1) + TimeSpan.FromSeconds(2), "مرحبا — 映画"),
    ];

    [Fact]
    public void Srt_round_trips_times_and_text()
    {
        var srt = Srt.Write(Cues);
        Assert.StartsWith("1\n00:00:00,417 --> 00:00:01,417\nWhere were you?\n\n2\n", srt);
        var back = Srt.Parse(srt.Replace("\n", "\r\n"));
        Assert.Equal(Cues.Select(c => c with { Speaker = null }), back);
        Assert.Contains("MIA: Where were you?", Srt.Write(Cues, speakers: true));
    }

    [Fact]
    public void WebVtt_round_trips_times_text_and_speakers()
    {
        var vtt = WebVtt.Write(Cues);
        Assert.StartsWith("WEBVTT\n\n1\n00:00:00.417 --> 00:00:01.417\n<v MIA>Where were you?\n", vtt);
        Assert.Contains("&amp; &lt;the&gt;", vtt);
        Assert.Equal(Cues, WebVtt.Parse(vtt));
        var other = WebVtt.Parse("WEBVTT - made elsewhere\n\nNOTE a comment\nspanning lines\n\n00:01.000 --> 00:02.500 align:start line:90%\nShort hours\n");
        Assert.Equal([new SubtitleCue(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2.5), "Short hours")], other);
    }

    [Theory]
    [InlineData("1\n00:00:01.000 --> 00:00:02,000\nx\n", "line 2: malformed time \"00:00:01.000\"")]
    [InlineData("1\n00:00:01,000 -> 00:00:02,000\nx\n", "line 2: expected a timing line")]
    [InlineData("1\n00:01,000 --> 00:00:02,000\nx\n", "line 2: malformed time")]
    [InlineData("1\n00:00:03,000 --> 00:00:02,000\nx\n", "line 2: the cue ends")]
    [InlineData("1\n00:00:01,000 --> 00:00:02,000\nx\n\n3\n00:00:03,000 --> 00:00:04,000\ny\n", "line 5: expected cue number 2")]
    [InlineData("1\n00:00:01,000 --> 00:00:02,000\n", "cue 1 has no text")]
    [InlineData("1\n00:00:61,000 --> 00:01:02,000\nx\n", "line 2: time \"00:00:61,000\" has minutes or seconds above 59")]
    public void Malformed_srt_names_the_line(string srt, string expected)
    {
        var e = Assert.Throws<CutturaException>(() => Srt.Parse(srt));
        Assert.Contains(expected, e.Message);
        Assert.StartsWith("SRT", e.Message);
    }

    [Theory]
    [InlineData("1\n00:00:01.000 --> 00:00:02.000\nx\n", "line 1: the file must start with \"WEBVTT\"")]
    [InlineData("WEBVTT\n\n00:00:01,000 --> 00:00:02.000\nx\n", "line 3: malformed time \"00:00:01,000\"")]
    [InlineData("WEBVTT\n\nid\n00:00:01.0 --> 00:00:02.000\nx\n", "line 4: malformed time")]
    public void Malformed_webvtt_names_the_line(string vtt, string expected)
    {
        Assert.Contains(expected, Assert.Throws<CutturaException>(() => WebVtt.Parse(vtt)).Message);
    }

    [Fact]
    public void Cues_from_shots_sit_at_the_dialogues_frames_in_the_film()
    {
        ShotSpec Shot(string id, int frames, string transition, params DialogueLine[] lines) =>
            new() { Id = id, Fps = 24, Frames = new FrameRange(0, frames - 1), Transition = transition, Dialogue = lines };
        var shots = new[]
        {
            Shot("a", 48, "cut", new DialogueLine("MIA", "Where were you?", 10, 33)),
            Shot("b", 30, "dissolve", new DialogueLine("JONAS", "Out.", 0, 11), new DialogueLine("JONAS", "Drawing.", 14, 29)),
            Shot("c", 24, "fade"),
            Shot("d", 36, "cut", new DialogueLine("MIA", "Show me.", 5, 20)),
        };
        var cues = SubtitleCues.FromShots(shots);
        Assert.Equal(4, cues.Count);

        // The film FilmEditor cuts from these shots: each shot's first frame is the sum of the earlier shots' frames.
        var clips = shots.Select(s => new ShotClip(s.Id, Enumerable.Range(0, s.FrameCount).Select(i => $"{s.Id}{i}").ToList(), s.Transition, s.Fps)).ToList();
        var expected = new List<(double Start, double End, string Text, string Who)>();
        for (int i = 0; i < shots.Length; i++)
        {
            int offset = FilmEditor.FrameCount(clips.Take(i).ToList());
            foreach (var d in shots[i].Dialogue) expected.Add(((offset + d.StartFrame) / 24.0, (offset + d.EndFrame + 1) / 24.0, d.Text, d.Character));
        }
        Assert.Equal(FilmEditor.FrameCount(clips), shots.Sum(s => s.FrameCount));
        for (int i = 0; i < cues.Count; i++)
        {
            Assert.Equal(expected[i].Start, cues[i].Start.TotalSeconds, 1e-6);
            Assert.Equal(expected[i].End, cues[i].End.TotalSeconds, 1e-6);
            Assert.Equal(expected[i].Text, cues[i].Text);
            Assert.Equal(expected[i].Who, cues[i].Speaker);
        }
        Assert.Equal((48 + 30 + 24 + 5) / 24.0, cues[3].Start.TotalSeconds, 1e-6);

        // Through SRT and WebVTT (milliseconds) the cues still land on the same film frames.
        foreach (var parsed in new[] { Srt.Parse(Srt.Write(cues)), WebVtt.Parse(WebVtt.Write(cues)) })
            for (int i = 0; i < cues.Count; i++)
            {
                Assert.InRange(Math.Abs((parsed[i].Start - cues[i].Start).TotalMilliseconds), 0, 0.5);
                Assert.Equal(SubtitleCues.FrameAt(cues[i].Start, 24), SubtitleCues.FrameAt(parsed[i].Start, 24));
                Assert.Equal(SubtitleCues.FrameAt(cues[i].End, 24), SubtitleCues.FrameAt(parsed[i].End, 24));
            }

        // Burned in: one element per cue on exactly its frames, bottom-centred inside the title-safe area.
        var scene = SubtitleCues.ToScene(cues, 1280, 720, 24);
        var safe = SafeAreas.TitleSafe(1280, 720);
        var layout = scene.Layout(1280, 720);
        for (int i = 0; i < cues.Count; i++)
        {
            Assert.Equal((int)Math.Round(expected[i].Start * 24), scene.Elements[i].StartFrame);
            Assert.Equal((int)Math.Round(expected[i].End * 24), scene.Elements[i].EndFrame);
            Assert.True(safe.Contains(layout[i].Ink), $"cue {i} ink {layout[i].Ink} leaves {safe}");
            Assert.True(layout[i].Box.Top > 720 / 2, "subtitles sit in the lower part of the frame");
            Assert.Equal(640, layout[i].Box.MidX, 1.0);
        }
        Assert.Contains("fps", Assert.Throws<CutturaException>(() => SubtitleCues.FromShots([shots[0], shots[1] with { Fps = 25 }])).Message);
        Assert.Contains("outside the shot", Assert.Throws<CutturaException>(() => SubtitleCues.FromShots([Shot("x", 10, "cut", new DialogueLine("A", "b", 5, 10))])).Message);
    }
}
