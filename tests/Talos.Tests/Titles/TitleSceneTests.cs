using SkiaSharp;
using Talos.Gpu.Cuttura;
using Talos.Gpu.Cuttura.Titles;
using Talos.Gpu.Flux;
using Talos.Tests.Cuttura;
using Xunit;

namespace Talos.Tests.Titles;

public sealed class TitleSceneTests
{
    const int W = 640, H = 360;

    static int Count(byte[] f, Func<byte, byte, byte, bool> match)
    {
        int n = 0;
        for (int i = 0; i < f.Length; i += 3) if (match(f[i], f[i + 1], f[i + 2])) n++;
        return n;
    }

    static int MaxIn(byte[] f, SKRect r, int c = 0)
    {
        int best = 0;
        for (int y = Math.Max(0, (int)r.Top); y < Math.Min(H, (int)Math.Ceiling(r.Bottom)); y++)
            for (int x = Math.Max(0, (int)r.Left); x < Math.Min(W, (int)Math.Ceiling(r.Right)); x++)
                best = Math.Max(best, f[(y * W + x) * 3 + c]);
        return best;
    }

    [Fact]
    public void Outline_and_shadow_draw_their_own_colours_around_the_fill()
    {
        var plain = new TextStyle { Size = 80, Color = "#ffffff" };
        var styled = plain with { OutlineWidth = 4, OutlineColor = "#ff0000", ShadowX = 10, ShadowY = 10, ShadowBlur = 0, ShadowColor = "#0000ff" };
        byte[] Frame(TextStyle s) => new TitleScene([new TitleElement("TALOS", s, FrameBox.Full, 0, 1)]).Render(W, H, 0);
        var a = Frame(plain);
        var b = Frame(styled);
        CutturaTestMedia.SavePng("titles-outline-shadow.png", b, W, H);
        static bool Red(byte r, byte g, byte bl) => r > 200 && g < 40 && bl < 40;
        static bool Blue(byte r, byte g, byte bl) => bl > 200 && r < 40 && g < 40;
        static bool White(byte r, byte g, byte bl) => r > 240 && g > 240 && bl > 240;
        Assert.Equal(0, Count(a, Red));
        Assert.Equal(0, Count(a, Blue));
        Assert.True(Count(b, Red) > 500, $"{Count(b, Red)} outline pixels");
        Assert.True(Count(b, Blue) > 500, $"{Count(b, Blue)} shadow pixels");
        Assert.True(Count(b, White) > 2000, $"{Count(b, White)} fill pixels");
        // The shadow lies below-right of the text: its centre of mass is offset by about (10, 10).
        (double X, double Y) Centre(byte[] f, Func<byte, byte, byte, bool> m)
        {
            double sx = 0, sy = 0; int n = 0;
            for (int i = 0; i < W * H; i++) if (m(f[i * 3], f[i * 3 + 1], f[i * 3 + 2])) { sx += i % W; sy += i / W; n++; }
            return (sx / n, sy / n);
        }
        var fill = Centre(a, White);
        var shadow = Centre(b, Blue);
        Assert.InRange(shadow.X - fill.X, 5, 20);
        Assert.InRange(shadow.Y - fill.Y, 5, 20);
    }

    [Theory]
    [InlineData("ease-in")]
    [InlineData("ease-in-out")]
    [InlineData("linear")]
    public void Fade_in_alpha_follows_the_flux_easing_curve(string ease)
    {
        var anim = new TitleAnimation { In = TitleEffect.Fade, InFrames = 10, Ease = ease };
        var scene = new TitleScene([new TitleElement("FADE", new TextStyle { Size = 120 }, FrameBox.Full, 4, 30) { Animation = anim }]);
        var box = scene.Layout(W, H)[0].Box;
        int full = MaxIn(scene.Render(W, H, 20), box);
        Assert.Equal(255, full);
        Assert.Equal(0, MaxIn(scene.Render(W, H, 3), box));
        Assert.Equal(0, MaxIn(scene.Render(W, H, 4), box));
        int mid = MaxIn(scene.Render(W, H, 9), box);
        double expected = Easing.Apply(ease, 0.5) * 255;
        Assert.InRange(mid, expected - 2, expected + 2);
        Assert.Equal(0, MaxIn(scene.Render(W, H, 30), box));
    }

    [Fact]
    public void Per_letter_reveal_shows_k_letters_at_the_kth_step()
    {
        const string text = "A B C D E F";
        var anim = new TitleAnimation { In = TitleEffect.RevealLetters, InFrames = 6, Ease = "linear" };
        var scene = new TitleScene([new TitleElement(text, new TextStyle { Size = 60 }, FrameBox.Full, 0, 20) { Animation = anim }]);
        var glyphs = scene.Layout(W, H)[0].Glyphs.Where(g => !g.Blank).OrderBy(g => g.SourceIndex).ToList();
        Assert.Equal(6, glyphs.Count);
        for (int k = 0; k <= 6; k++)
        {
            var f = scene.Render(W, H, k);
            if (k == 3) CutturaTestMedia.SavePng("titles-reveal-3.png", f, W, H);
            for (int i = 0; i < 6; i++)
            {
                bool shown = MaxIn(f, glyphs[i].Box) > 128;
                Assert.True(shown == i < k, $"step {k}: letter {text[glyphs[i].SourceIndex]} is {(shown ? "shown" : "hidden")}");
            }
        }
    }

    [Fact]
    public void Per_word_reveal_shows_whole_words_and_slide_and_scale_move_the_boxes()
    {
        var words = new TitleScene([new TitleElement("one two three", new TextStyle { Size = 50 }, FrameBox.Full, 0, 10)
            { Animation = new TitleAnimation { In = TitleEffect.RevealWords, InFrames = 3, Ease = "linear" } }]);
        var g = words.Layout(W, H)[0].Glyphs.Where(x => !x.Blank).ToList();
        var f = words.Render(W, H, 2);
        var shown = g.Where(x => MaxIn(f, x.Box) > 128).Select(x => x.SourceIndex).Order().ToList();
        Assert.Equal([0, 1, 2, 4, 5, 6], shown);

        var slide = new TitleScene([new TitleElement("SLIDE", new TextStyle { Size = 50 }, FrameBox.Full, 0, 20)
            { Animation = new TitleAnimation { In = TitleEffect.Slide, InFrames = 4, Slide = SlideDirection.Up, SlideDistance = 0.2, Ease = "linear" } }]);
        var rest = slide.Layout(W, H)[0].Box;
        Assert.Equal(rest.Top + 0.2f * H, slide.Boxes(W, H, 0)[0].Box.Top, 0.01);
        Assert.Equal(rest.Top + 0.1f * H, slide.Boxes(W, H, 2)[0].Box.Top, 0.01);
        Assert.Equal(rest.Top, slide.Boxes(W, H, 4)[0].Box.Top, 0.01);
        Assert.Empty(slide.Boxes(W, H, 20));

        var scale = new TitleScene([new TitleElement("SCALE", new TextStyle { Size = 50 }, FrameBox.Full, 0, 20)
            { Animation = new TitleAnimation { Out = TitleEffect.Scale, OutFrames = 10, Ease = "linear" } }]);
        var full = scale.Layout(W, H)[0].Box;
        var half = scale.Boxes(W, H, 15)[0].Box;
        Assert.Equal(full.Width / 2, half.Width, 0.01);
        Assert.Equal(full.MidX, half.MidX, 0.01);
    }

    static byte[] Png(int w, int h, byte r, byte g, byte b)
    {
        using var ms = new MemoryStream();
        new StbImageWriteSharp.ImageWriter().WritePng(CutturaTestMedia.Solid(w, h, r, g, b), w, h, StbImageWriteSharp.ColorComponents.RedGreenBlue, ms);
        return ms.ToArray();
    }

    const string Svg = """<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="100" height="50" viewBox="0 0 100 50"><rect x="0" y="0" width="100" height="50" fill="#00ff00"/><circle cx="50" cy="25" r="20" fill="#ff0000"/></svg>""";

    [Fact]
    public void Svg_and_png_logos_are_fitted_into_their_box_and_drawn_only_there()
    {
        var box = FrameBox.Pixels(100, 100, 200, 200);
        var svg = new TitleScene([new LogoElement(System.Text.Encoding.UTF8.GetBytes(Svg), box, 0, 5)]);
        var placed = svg.Layout(W, H)[0].Box;
        Assert.Equal(SKRect.Create(100, 150, 200, 100), placed);
        var f = svg.Render(W, H, 0);
        CutturaTestMedia.SavePng("titles-logo-svg.png", f, W, H);
        int at(int x, int y, int c) => f[(y * W + x) * 3 + c];
        Assert.True(at(200, 200, 0) > 240 && at(200, 200, 1) < 20, "the circle's centre is red");
        Assert.True(at(110, 160, 1) > 240 && at(110, 160, 0) < 20, "the rectangle's corner is green");
        Assert.Equal(0, at(200, 140, 1) + at(200, 140, 0));
        Assert.Equal(0, at(200, 260, 1) + at(200, 260, 0));

        var png = new TitleScene([new LogoElement(Png(40, 20, 0, 0, 255), box, 0, 5) { Anchor = Anchor.Top }]);
        Assert.Equal(SKRect.Create(100, 100, 200, 100), png.Layout(W, H)[0].Box);
        var p = png.Render(W, H, 0);
        Assert.True(p[(150 * W + 200) * 3 + 2] > 240);
        Assert.Equal(0, p[(250 * W + 200) * 3 + 2]);
    }

    [Fact]
    public void Bad_logos_and_elements_get_one_clear_error_each()
    {
        var box = FrameBox.Full;
        var corruptPng = Png(8, 8, 1, 2, 3);
        for (int i = 40; i < corruptPng.Length; i++) corruptPng[i] ^= 0x5a;
        Assert.Contains("PNG is corrupt", Assert.Throws<CutturaException>(() => new TitleScene([new LogoElement(corruptPng, box, 0, 1)])).Message);
        Assert.Contains("SVG does not parse", Assert.Throws<CutturaException>(() => new TitleScene([new LogoElement("<svg xmlns=\"http://www.w3.org/2000/svg\"><g></svg"u8.ToArray(), box, 0, 1)])).Message);
        Assert.Contains("neither a PNG nor an SVG", Assert.Throws<CutturaException>(() => new TitleScene([new LogoElement("GIF89a"u8.ToArray(), box, 0, 1)])).Message);
        Assert.Contains("start < end", Assert.Throws<CutturaException>(() => new TitleScene([new TitleElement("x", new TextStyle(), box, 5, 5)])).Message);
        Assert.Contains("unknown ease", Assert.Throws<CutturaException>(() => new TitleScene([new TitleElement("x", new TextStyle(), box, 0, 5)
            { Animation = new TitleAnimation { In = TitleEffect.Fade, InFrames = 2, Ease = "bounce" } }])).Message);
        Assert.Contains("exceed", Assert.Throws<CutturaException>(() => new TitleScene([new TitleElement("x", new TextStyle(), box, 0, 5)
            { Animation = TitleAnimation.Fade(4, 4) }])).Message);
        Assert.Contains("frame buffer", Assert.Throws<CutturaException>(() => new TitleScene([]).Draw(new byte[10], W, H, 0)).Message);
    }

    [Fact]
    public void Fit_into_shrinks_a_title_until_it_fits_the_rectangle()
    {
        var safe = SafeAreas.TitleSafe(1920, 1080);
        Assert.Equal(new SKRect(96, 54, 1824, 1026), safe);
        Assert.Equal(new SKRect(67.2f, 37.8f, 1852.8f, 1042.2f), SafeAreas.ActionSafe(1920, 1080));
        var rect = SKRect.Create(100, 100, 400, 80);
        var big = new TitleElement("A title far too long for its box", new TextStyle { Size = 200, OutlineWidth = 3 }, FrameBox.Full, 0, 1);
        var fitted = SafeAreas.FitInto(big, rect, 1920, 1080);
        Assert.True(fitted.Style.Size < 60 && fitted.Style.Size > 10, $"size {fitted.Style.Size}");
        var l = new TitleScene([fitted]).Layout(1920, 1080)[0];
        Assert.True(rect.Contains(l.Box), $"{l.Box} outside {rect}");
        var again = SafeAreas.FitInto(fitted with { Style = fitted.Style with { Size = fitted.Style.Size + 1 } }, rect, 1920, 1080);
        Assert.True(Math.Abs(again.Style.Size - fitted.Style.Size) < 0.05, $"one pixel larger ({fitted.Style.Size + 1}) fits too: {again.Style.Size}");
        Assert.Contains("does not fit", Assert.Throws<CutturaException>(() => SafeAreas.FitInto(big, SKRect.Create(0, 0, 20, 4), 1920, 1080)).Message);
    }
}
