using SkiaSharp;
using Talos.Gpu.Cuttura;
using Talos.Gpu.Cuttura.Titles;
using Talos.Gpu.Processes;
using Talos.Tests.Cuttura;
using Xunit;

namespace Talos.Tests.Titles;

public sealed class FilmOverlayTests
{
    [Fact]
    public async Task Overlay_draws_the_title_inside_its_box_only_and_keeps_frames_and_audio()
    {
        const int w = 64, h = 36;
        var dir = Directory.CreateTempSubdirectory("talos-overlay-").FullName;
        try
        {
            var input = Path.Combine(dir, "in.mp4");
            var ffmpeg = FfmpegTools.EnsureAvailable();
            ProcessRunner.Run(ffmpeg, ["-v", "error", "-y", "-f", "lavfi", "-i", $"color=c=0x203050:s={w}x{h}:r=24:d=2", "-f", "lavfi", "-i", "sine=frequency=440:duration=2",
                "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", input]);
            var source = await MediaProbe.ProbeAsync(input);
            Assert.Equal(48, source.FrameCount);

            var box = FrameBox.Pixels(2, 2, 30, 32);
            var scene = new TitleScene([new TitleElement("Hi", new TextStyle { Size = 20, Color = "#ffffff" }, box, 12, 36)]);
            var ink = scene.Layout(w, h)[0].Ink;
            var output = Path.Combine(dir, "out.mp4");
            int reported = 0;
            var info = await FilmOverlay.ApplyAsync(input, output, scene, n => reported = n, TestContext.Current.CancellationToken);

            Assert.Equal(48, info.FrameCount);
            Assert.Equal(48, reported);
            Assert.Equal((w, h), (info.Width, info.Height));
            Assert.Equal(24, info.Fps, 0.01);
            Assert.Equal("h264", info.VideoCodec);
            Assert.Equal("aac", info.AudioCodec);
            Assert.Equal(source.DurationSeconds, info.DurationSeconds, 0.1);

            var before = CutturaTestMedia.DecodeRgb24(input, w, h);
            var after = CutturaTestMedia.DecodeRgb24(output, w, h);
            Assert.Equal(48, after.Count);
            var near = ink;
            near.Inflate(4, 4); // H.264's 4x4 blocks and 4:2:0 chroma smear an edge by a few pixels
            for (int f = 0; f < 48; f++)
            {
                int insideMax = 0, outsideMax = 0;
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                    {
                        int i = (y * w + x) * 3;
                        int d = Math.Abs(after[f][i] - before[f][i]) + Math.Abs(after[f][i + 1] - before[f][i + 1]) + Math.Abs(after[f][i + 2] - before[f][i + 2]);
                        if (ink.Contains(x + 0.5f, y + 0.5f)) insideMax = Math.Max(insideMax, d);
                        else if (!near.Contains(x + 0.5f, y + 0.5f)) outsideMax = Math.Max(outsideMax, d);
                    }
                Assert.True(outsideMax < 24, $"frame {f}: pixels outside the title's box changed by {outsideMax}");
                if (f is >= 12 and < 36) Assert.True(insideMax > 200, $"frame {f}: the title is missing (largest change {insideMax})");
                else Assert.True(insideMax < 24, $"frame {f}: the title shows outside its frames (change {insideMax})");
            }
            CutturaTestMedia.SavePng("titles-overlay-frame20.png", after[20], w, h);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public async Task Overlay_of_a_missing_or_corrupt_film_is_a_clear_error()
    {
        var scene = new TitleScene([new TitleElement("x", new TextStyle(), FrameBox.Full, 0, 1)]);
        var e = await Assert.ThrowsAsync<CutturaException>(() => FilmOverlay.ApplyAsync("/nonexistent/film.mp4", Path.Combine(Path.GetTempPath(), "x.mp4"), scene));
        Assert.Contains("not found", e.Message);
        var garbage = Path.Combine(Path.GetTempPath(), $"talos-not-a-film-{Guid.NewGuid():N}.mp4");
        File.WriteAllText(garbage, "not a film");
        try
        {
            var g = await Assert.ThrowsAsync<CutturaException>(() => FilmOverlay.ApplyAsync(garbage, garbage + ".out.mp4", scene));
            Assert.Contains("cannot read", g.Message);
            Assert.False(File.Exists(garbage + ".out.mp4"));
        }
        finally { File.Delete(garbage); }
    }
}
