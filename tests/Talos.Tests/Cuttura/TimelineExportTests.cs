using System.Net;
using System.Text;
using System.Text.Json;
using Talos.Cli;
using Talos.Cli.Render;
using Talos.Gpu.Cuttura;
using Talos.Gpu.Prism;
using Talos.Messages.Specs;
using Talos.Tests.Actors;
using Talos.Tests.Api;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Cuttura;

/// <summary>
/// Hand-off timelines: SMPTE timecode at 23.976/24/25/29.97 DF/30, and the OTIO and EDL of rendered productions from
/// the API and from <c>talos export</c> (work dir and farm): clips sum to the film, dissolves are Transition.1 of the
/// cut's length, EDL record timecodes are contiguous.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class TimelineExportTests
{
    [Theory]
    [InlineData("29.97", 30, 0, "00:00:00;00")]
    [InlineData("29.97", 30, 1799, "00:00:59;29")]
    [InlineData("29.97", 30, 1800, "00:01:00;02")]
    [InlineData("29.97", 30, 3598, "00:02:00;02")]
    [InlineData("29.97", 30, 17981, "00:09:59;29")]
    [InlineData("29.97", 30, 17982, "00:10:00;00")]
    [InlineData("29.97", 30, 17982 + 1800, "00:11:00;02")]
    [InlineData("29.97", 30, 107892, "01:00:00;00")]
    [InlineData("30", 30, 108000, "01:00:00:00")]
    [InlineData("24", 24, 86399, "00:59:59:23")]
    [InlineData("23.976", 24, 86400, "01:00:00:00")]
    [InlineData("25", 25, 90001, "01:00:00:01")]
    public void Timecodes_label_frames_exactly(string rate, int fps, long frame, string timecode)
    {
        var r = TimecodeRate.For(fps, rate);
        Assert.Equal(timecode, r.Format(frame));
        Assert.Equal(frame, r.Parse(timecode));
    }

    [Fact]
    public void Drop_frame_round_trips_for_a_day_and_never_labels_a_dropped_frame()
    {
        var df = TimecodeRate.For(30, "29.97");
        for (long f = 0; f < 24 * 107892; f += 7)
        {
            var tc = df.Format(f);
            Assert.Equal(f, df.Parse(tc));
            if (tc[6..8] == "00" && tc[9..] is "00" or "01") Assert.True(tc[4] == '0', tc); // ;00 and ;01 only at minutes divisible by 10
        }
        Assert.Throws<FormatException>(() => df.Parse("00:01:00;00"));
        Assert.Throws<FormatException>(() => df.Parse("00:01:00:02"));
    }

    [Fact]
    public void Rates_are_those_of_the_film()
    {
        Assert.Equal((30000, 1001, true), (TimecodeRate.For(30, "29.97").Numerator, TimecodeRate.For(30, "29.97").Denominator, TimecodeRate.For(30, "29.97").DropFrame));
        Assert.Equal(("12", false), (TimecodeRate.For(12).Name, TimecodeRate.For(12).DropFrame));
        Assert.Contains("30 frames a second but the film has 24", Assert.Throws<ArgumentException>(() => TimecodeRate.For(24, "29.97")).Message);
        Assert.Contains("unknown", Assert.Throws<ArgumentException>(() => TimecodeRate.For(24, "48")).Message);
    }

    [Fact]
    public void The_writers_place_gaps_audio_markers_fades_and_unique_reels()
    {
        var t = new FilmTimeline("reel", 24, 8, [
            new TimelineShot("scene-01-shot-01", 20, "cut", "m/a.mp4", [new TimelineMarker("3 black frames", 4, 3)]),
            new TimelineShot("scene-01-shot-02", 6, "fade", "m/b.mp4", []),
            new TimelineShot("late", 10, "dissolve", null, []),
        ], new TimelineAudio("m/audio.wav", 12));
        Assert.Equal(["01SHOT01", "01SHOT02", "BL"], TimelineWriter.Reels(t.Shots));
        Assert.Equal(["AB", "AB1", "BL1", "01SHOT01", "1SHOT011"], TimelineWriter.Reels(
            new[] { "a-b", "ab", "bl", "x-01shot01", "y-01shot01" }.Select(id => new TimelineShot(id, 1, "cut", "x", [])).ToList()));

        using var doc = JsonDocument.Parse(TimelineWriter.Otio(t, TimecodeRate.For(24)));
        var tracks = doc.RootElement.GetProperty("tracks").GetProperty("children");
        var video = tracks[0].GetProperty("children").EnumerateArray().ToList();
        Assert.Equal(["Clip.2", "Transition.1", "Clip.2", "Transition.1", "Gap.1"], video.Select(Schema));
        Assert.Equal(3.0, video[1].GetProperty("in_offset").GetProperty("value").GetDouble()); // min(8/2, 6/2)
        Assert.Equal("fade", video[1].GetProperty("metadata").GetProperty("talos").GetProperty("transition").GetString());
        var marker = video[0].GetProperty("markers")[0];
        Assert.Equal(("Marker.2", "3 black frames", 4.0, 3.0), (Schema(marker), marker.GetProperty("name").GetString(),
            marker.GetProperty("marked_range").GetProperty("start_time").GetProperty("value").GetDouble(),
            marker.GetProperty("marked_range").GetProperty("duration").GetProperty("value").GetDouble()));
        var audio = tracks[1];
        Assert.Equal("Audio", audio.GetProperty("kind").GetString());
        Assert.Equal([("Gap.1", 12.0), ("Clip.2", 24.0)], audio.GetProperty("children").EnumerateArray().Select(c => (Schema(c), Duration(c))));

        var edl = TimelineWriter.Edl(t, TimecodeRate.For(24));
        Assert.Contains("002  01SHOT02 V     D    006 00:00:00:00 00:00:00:06 01:00:00:20 01:00:01:02", edl);
        Assert.Contains("003  BL       V     D    006 ", edl); // min(8/2, 6/2, 10/2) each side
        Assert.Contains("* ECHO 01:00:00:04: 3 black frames", edl);
        Assert.Throws<CutturaException>(() => TimelineWriter.Edl(t, TimecodeRate.For(25)));
    }

    [Fact]
    public void ECHO_findings_become_markers_over_the_failing_frames_of_the_report_as_ECHO_files_it()
    {
        var report = new Talos.Gpu.Echo.EchoReport(false, ["2 black frames", "flicker 0.09 at frame 7"], [3, 4, 7, 40], 12, 2, 0, 0.09f, 7, 0.2f);
        var json = JsonSerializer.SerializeToUtf8Bytes(new { shot = "s1", revision = 0, report }, Talos.Messages.Serialization.ShotEventSerializer.Json);
        Assert.Equal([new TimelineMarker("2 black frames", 3, 5), new TimelineMarker("flicker 0.09 at frame 7", 3, 5)],
            Talos.Actors.Hephaestus.ProductionTimeline.Markers(json, 12)); // frame 40 lies past the shot
        Assert.Empty(Talos.Actors.Hephaestus.ProductionTimeline.Markers(JsonSerializer.SerializeToUtf8Bytes(new { report = report with { Findings = [] } },
            Talos.Messages.Serialization.ShotEventSerializer.Json), 12));
    }

    [Fact]
    public async Task Rendered_productions_export_as_OTIO_and_EDL_from_the_API_the_work_dir_and_the_farm()
    {
        var ct = TestContext.Current.CancellationToken;
        var seed = await ApiSeed.StartAsync("timeline");
        bool running = true;
        var dir = Path.Combine(seed.Dir, "out");
        Directory.CreateDirectory(dir);
        try
        {
            using var pipeline = seed.Client(ApiSeed.PipelineToken);
            // Two tiny films: three 0.5 s shots, the second entered by a dissolve (8 frames: 4 each side), the third by a fade.
            foreach (var fps in new[] { 24, 30 })
            {
                var shots = new[] { "cut", "dissolve", "fade" }.Select((tr, i) => ShotSpecJson.Serialize(
                    Samples.Shot($"s{i + 1}", $"reel{fps}", 64, 36, fps, 0.5, effects: false) with { Sequence = i + 1, Transition = tr }));
                var submit = await pipeline.PostAsync("/api/v1/productions",
                    new StringContent($"{{\"shots\": [{string.Join(",", shots)}]}}", Encoding.UTF8, "application/json"), ct);
                Assert.True(submit.StatusCode == HttpStatusCode.Accepted, await submit.Content.ReadAsStringAsync(ct));
            }
            foreach (var p in new[] { "reel24", "reel30" }) await Completed(pipeline, p, ct);

            // The API: media at its shot video URLs.
            var otio24 = await pipeline.GetStringAsync("/api/v1/productions/reel24/timeline.otio", ct);
            var clips = CheckOtio(otio24, 24.0, 12);
            Assert.All(clips, c => Assert.StartsWith(seed.Url + "/api/v1/shots/reel24--", c));
            using (var video = await pipeline.GetAsync(clips[1], ct)) Assert.Equal("video/mp4", video.Content.Headers.ContentType?.MediaType);
            CheckEdl(await pipeline.GetStringAsync("/api/v1/productions/reel24/timeline.edl", ct), TimecodeRate.For(24), 12);
            CheckEdl(await pipeline.GetStringAsync("/api/v1/productions/reel30/timeline.edl?rate=29.97", ct), TimecodeRate.For(30, "29.97"), 15);
            CheckOtio(await pipeline.GetStringAsync("/api/v1/productions/reel30/timeline.otio?rate=29.97", ct), 30000.0 / 1001, 15);
            using (var wrong = await pipeline.GetAsync("/api/v1/productions/reel24/timeline.edl?rate=29.97", ct)) Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
            using (var none = await pipeline.GetAsync("/api/v1/productions/nope/timeline.otio", ct)) Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);

            // talos export --farm URL: the API's own files.
            var farmEdl = Path.Combine(dir, "farm.edl");
            var (code, error) = await Export(new ExportCommand.ExportRequest("reel24", "unused", null, farmEdl, null) { Farm = seed.Url, Token = ApiSeed.PipelineToken });
            Assert.True(code == 0, error);
            Assert.Equal(await pipeline.GetStringAsync("/api/v1/productions/reel24/timeline.edl", ct), await File.ReadAllTextAsync(farmEdl, ct));

            // talos export --work-dir: the seed's own work dir, once it is stopped; media exported beside the .otio.
            await seed.App.DisposeAsync();
            running = false;
            (code, error) = await Export(new ExportCommand.ExportRequest(null, seed.Dir, null, Path.Combine(dir, "x.edl"), null));
            Assert.Equal(CliErrors.BadInput, code);
            Assert.Contains("2 productions (reel24, reel30)", error);
            var otio = Path.Combine(dir, "reel30.otio");
            var edl = Path.Combine(dir, "reel30.edl");
            (code, error) = await Export(new ExportCommand.ExportRequest("reel30", seed.Dir, otio, edl, "29.97"));
            Assert.True(code == 0, error);
            var local = CheckOtio(await File.ReadAllTextAsync(otio, ct), 30000.0 / 1001, 15);
            Assert.Equal(["reel30.media/s1.mp4", "reel30.media/s2.mp4", "reel30.media/s3.mp4"], local);
            foreach (var c in local) Assert.Equal(15, (await MediaProbe.ProbeAsync(Path.Combine(dir, c))).FrameCount);
            CheckEdl(await File.ReadAllTextAsync(edl, ct), TimecodeRate.For(30, "29.97"), 15);
        }
        finally
        {
            if (running) await seed.App.DisposeAsync();
            try { Directory.Delete(seed.Dir, true); } catch (IOException) { }
        }
    }

    [Theory]
    [InlineData(24, null)]
    [InlineData(30, "29.97")]
    public async Task The_README_film_exports_a_timeline_as_long_as_the_film(int fps, string? rate)
    {
        // The README's film (examples/lighthouse.fountain), whole, at 64x36 so that it renders in seconds.
        var dir = Repo.TempDir("timeline-readme");
        try
        {
            var work = Path.Combine(dir, "work");
            var film = Path.Combine(dir, "lighthouse.mp4");
            int code = await CliErrors.Guard(() => RenderCommand.RunAsync(new RenderCommand.RenderRequest(
                Path.Combine(Repo.Root, "examples", "lighthouse.fountain"), film, 64, 36, fps, null, null, work), CancellationToken.None), new StringWriter());
            Assert.Equal(0, code);
            int frames = (await MediaProbe.ProbeAsync(film)).FrameCount;
            Assert.True(frames > 10 * fps, $"{frames} frames");

            var (otio, edl) = (Path.Combine(dir, "l.otio"), Path.Combine(dir, "l.edl"));
            var (done, error) = await Export(new ExportCommand.ExportRequest(null, work, otio, edl, rate));
            Assert.True(done == 0, error);
            var tc = TimecodeRate.For(fps, rate);

            // OTIO: the video track's clips sum to the film (transitions take no track time), one clip per shot, each
            // transition split around its cut.
            using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(otio, TestContext.Current.CancellationToken));
            Assert.Equal("Timeline.1", Schema(doc.RootElement));
            var track = doc.RootElement.GetProperty("tracks").GetProperty("children").EnumerateArray().First(t => t.GetProperty("kind").GetString() == "Video");
            var items = track.GetProperty("children").EnumerateArray().ToList();
            var clips = items.Where(i => Schema(i) == "Clip.2").ToList();
            Assert.Equal(frames, clips.Sum(Duration));
            Assert.All(clips, c => Assert.Equal(tc.PerSecond, c.GetProperty("source_range").GetProperty("duration").GetProperty("rate").GetDouble(), 6));
            Assert.All(items.Where(i => Schema(i) == "Transition.1"), t =>
                Assert.True(t.GetProperty("in_offset").GetProperty("value").GetDouble() > 0 && t.GetProperty("out_offset").GetProperty("value").GetDouble() > 0));

            // EDL: one event per clip, record timecodes from 01:00:00:00 running on without a gap to the film's end.
            var lines = (await File.ReadAllTextAsync(edl, TestContext.Current.CancellationToken)).Split('\n');
            Assert.Equal(tc.DropFrame ? "FCM: DROP FRAME" : "FCM: NON-DROP FRAME", lines[1]);
            var events = lines.Where(l => l.Length > 3 && char.IsAsciiDigit(l[0])).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
            Assert.Equal(clips.Count, events.Count);
            long start = tc.Parse(tc.DropFrame ? "01:00:00;00" : "01:00:00:00"), record = start;
            foreach (var e in events)
            {
                Assert.Equal(record, tc.Parse(e[^2]));
                record = tc.Parse(e[^1]);
            }
            Assert.Equal(start + frames, record);
        }
        finally { try { Directory.Delete(dir, true); } catch (IOException) { } }
    }

    static async Task<(int Code, string Error)> Export(ExportCommand.ExportRequest req)
    {
        var err = new StringWriter();
        int code = await CliErrors.Guard(() => ExportCommand.RunAsync(req, CancellationToken.None), err);
        return (code, err.ToString());
    }

    static async Task Completed(HttpClient client, string production, CancellationToken ct)
    {
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(4);
        while (true)
        {
            var view = await ApiSeed.Json(await client.GetAsync($"/api/v1/productions/{production}", ct));
            var status = view.GetProperty("status").GetString();
            if (status is "completed" or "failed" or "cancelled") { Assert.True(status == "completed", view.ToString()); return; }
            Assert.True(DateTime.UtcNow < until, "the production did not finish: " + view);
            await Task.Delay(200, ct);
        }
    }

    static string? Schema(JsonElement e) => e.GetProperty("OTIO_SCHEMA").GetString();
    static double Duration(JsonElement item) => item.GetProperty("source_range").GetProperty("duration").GetProperty("value").GetDouble();

    /// <summary>The three-shot film's OTIO: Timeline.1 → Stack.1 → Video Track.1 of clips that sum to the film (transitions take no
    /// track time, OTIO's semantics), each at <paramref name="rate"/>, with the dissolve and the fade as 4+4-frame Transition.1. Answers the media URLs.</summary>
    static List<string> CheckOtio(string json, double rate, int shotFrames)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal("Timeline.1", Schema(root));
        Assert.Equal(JsonValueKind.Object, root.GetProperty("metadata").ValueKind);
        var stack = root.GetProperty("tracks");
        Assert.Equal("Stack.1", Schema(stack));
        var track = Assert.Single(stack.GetProperty("children").EnumerateArray()); // no audio in these films
        Assert.Equal(("Track.1", "Video"), (Schema(track), track.GetProperty("kind").GetString()));
        var items = track.GetProperty("children").EnumerateArray().ToList();
        Assert.Equal(["Clip.2", "Transition.1", "Clip.2", "Transition.1", "Clip.2"], items.Select(Schema));
        Assert.Equal(["s1", "s2", "s3"], items.Where(i => Schema(i) == "Clip.2").Select(i => i.GetProperty("name").GetString()));
        Assert.Equal(3 * shotFrames, items.Where(i => Schema(i) == "Clip.2").Sum(Duration));
        foreach (var t in items.Where(i => Schema(i) == "Transition.1"))
        {
            Assert.Equal("SMPTE_Dissolve", t.GetProperty("transition_type").GetString());
            Assert.Equal(("RationalTime.1", 4.0, rate), (Schema(t.GetProperty("in_offset")), t.GetProperty("in_offset").GetProperty("value").GetDouble(),
                t.GetProperty("in_offset").GetProperty("rate").GetDouble()));
            Assert.Equal(4.0, t.GetProperty("out_offset").GetProperty("value").GetDouble());
        }
        Assert.Equal(["dissolve", "fade"], items.Where(i => Schema(i) == "Transition.1").Select(i => i.GetProperty("name").GetString()));
        var range = items[0].GetProperty("source_range");
        Assert.Equal(("TimeRange.1", rate), (Schema(range), range.GetProperty("duration").GetProperty("rate").GetDouble()));
        return items.Where(i => Schema(i) == "Clip.2").Select(i =>
        {
            var media = i.GetProperty("media_references").GetProperty(i.GetProperty("active_media_reference_key").GetString()!);
            Assert.Equal("ExternalReference.1", Schema(media));
            return media.GetProperty("target_url").GetString()!;
        }).ToList();
    }

    /// <summary>The three-shot film's EDL: FCM by rate, events 001–003 (C, D 008, D 008) whose record timecodes start at 01:00:00:00
    /// and run on without a gap, each a shot's whole media from 00:00:00:00.</summary>
    static void CheckEdl(string edl, TimecodeRate rate, int shotFrames)
    {
        var lines = edl.Split('\n');
        Assert.StartsWith("TITLE: reel", lines[0]);
        Assert.Equal(rate.DropFrame ? "FCM: DROP FRAME" : "FCM: NON-DROP FRAME", lines[1]);
        var events = lines.Where(l => l.Length > 3 && char.IsAsciiDigit(l[0])).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Equal(["001", "002", "003"], events.Select(e => e[0]));
        Assert.Equal(["S1", "S2", "S3"], events.Select(e => e[1]));
        Assert.Equal(["C", "D", "D"], events.Select(e => e[3]));
        Assert.Equal(["008", "008"], events.Skip(1).Select(e => e[4]));
        long record = rate.Parse(rate.DropFrame ? "01:00:00;00" : "01:00:00:00");
        foreach (var e in events)
        {
            var tc = e[^4..];
            Assert.All(tc, t => Assert.Equal(rate.DropFrame, t[8] == ';'));
            Assert.Equal((0L, (long)shotFrames), (rate.Parse(tc[0]), rate.Parse(tc[1])));
            Assert.Equal((record, record + shotFrames), (rate.Parse(tc[2]), rate.Parse(tc[3])));
            record += shotFrames;
        }
        Assert.Equal(["* FROM CLIP NAME: s1", "* FROM CLIP NAME: s2", "* FROM CLIP NAME: s3"], lines.Where(l => l.StartsWith("* FROM CLIP NAME:")));
    }
}
