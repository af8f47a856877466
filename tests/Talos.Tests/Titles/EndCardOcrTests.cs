using Talos.Gpu.Cuttura.Titles;
using Talos.Gpu.Processes;
using Xunit;

namespace Talos.Tests.Titles;

public sealed class EndCardOcrTests
{
    [Fact]
    public void Tesseract_reads_the_end_cards_tagline_back()
    {
        const int w = 1280, h = 720;
        var safe = SafeAreas.TitleSafe(w, h);
        TitleElement Line(string text, float size, float top, float height, string colour) =>
            SafeAreas.FitInto(new TitleElement(text, new TextStyle { Size = size, Color = colour, Weight = 700 }, SafeAreas.TitleSafeBox, 0, 48),
                SkiaSharp.SKRect.Create(safe.Left, safe.Top + safe.Height * top, safe.Width, safe.Height * height), w, h);
        var scene = new TitleScene(
        [
            Line("TALOS", 140, 0.10f, 0.30f, "#ffffff"),
            Line("Stories drawn in light", 64, 0.45f, 0.18f, "#f2d36b"),
            Line("Visit talos.film today", 44, 0.72f, 0.14f, "#ffffff"),
        ]);
        var frame = scene.Render(w, h, 24, "#14213d");
        var png = Path.Combine(Path.GetTempPath(), $"talos-endcard-{Guid.NewGuid():N}.png");
        try
        {
            using (var fs = File.Create(png))
                new StbImageWriteSharp.ImageWriter().WritePng(frame, w, h, StbImageWriteSharp.ColorComponents.RedGreenBlue, fs);
            var tesseract = ProcessRunner.Require("tesseract", "tesseract-ocr");
            var text = ProcessRunner.Run(tesseract, [png, "stdout"], timeout: TimeSpan.FromMinutes(2)).Output;
            var words = text.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(x => x.Trim('.', ',', '!').ToLowerInvariant()).ToList();
            foreach (var word in new[] { "stories", "drawn", "in", "light" })
                Assert.True(words.Contains(word), $"tesseract did not read '{word}' from the end card; it read: {text}");
            Assert.Contains("talos", words);
        }
        finally { File.Delete(png); }
    }
}
