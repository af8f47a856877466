using SkiaSharp;
using Talos.Gpu.Cuttura;
using Talos.Gpu.Cuttura.Titles;
using Talos.Tests.Cuttura;
using Xunit;

namespace Talos.Tests.Titles;

public sealed class TypesetterTests
{
    const int W = 1280, H = 720;
    public const string Latin = "The quick brown fox jumps over the lazy dog — Talos titles";
    public const string Arabic = "السلام عليكم ورحمة الله وبركاته";
    public const string ArabicLong = "أهلا وسهلا بكم في عالم الرسوم المتحركة، حيث تولد الحكايات من الضوء والحركة واللون";
    public const string Japanese = "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。";

    [Theory]
    [InlineData("latin", Latin)]
    [InlineData("arabic", ArabicLong)]
    [InlineData("japanese", Japanese)]
    public void Text_in_each_script_is_set_inside_the_title_safe_area_without_tofu(string name, string text)
    {
        var style = new TextStyle { Size = 72, OutlineWidth = 3, ShadowX = 4, ShadowY = 4, ShadowBlur = 3 };
        var scene = new TitleScene([new TitleElement(text, style, SafeAreas.TitleSafeBox, 0, 10)]);
        var layout = scene.Layout(W, H).Single();
        var safe = SafeAreas.TitleSafe(W, H);

        Assert.True(layout.Text!.Lines.Count >= 2, $"{name}: {layout.Text.Lines.Count} line(s); 72 px text this long must wrap in 1152 px");
        Assert.True(layout.Glyphs.Count >= text.Replace(" ", "").Length / 2, $"{name}: only {layout.Glyphs.Count} glyphs");
        foreach (var g in layout.Glyphs)
        {
            Assert.NotEqual(0, g.GlyphId);
            if (!g.Blank) Assert.True(safe.Contains(g.Box), $"{name}: glyph {g.GlyphId} of '{text[g.SourceIndex]}' at {g.Box} leaves the title-safe area {safe}");
        }
        Assert.True(safe.Contains(layout.Ink), $"{name}: ink {layout.Ink} (outline and shadow included) leaves {safe}");
        var frame = scene.Render(W, H, 5, "#203040");
        CutturaTestMedia.SavePng($"titles-{name}.png", frame, W, H);
        Assert.True(CutturaTestMedia.Mean(frame, W, (int)layout.Box.Left, (int)layout.Box.Top, (int)layout.Box.Right, (int)layout.Box.Bottom, 0) > 0x20 + 10,
            $"{name}: the text block is not lighter than the background");
    }

    [Fact]
    public void Arabic_runs_right_to_left_and_is_shaped_into_joined_forms()
    {
        var style = new TextStyle { Size = 60 };
        var layout = Typesetter.Layout(Arabic, style, 5000);
        Assert.Single(layout.Lines);
        Assert.True(layout.Lines[0].Rtl);
        var first = layout.Glyphs.Where(g => g.SourceIndex == 0).ToList();
        var last = layout.Glyphs.Where(g => g.SourceIndex == Arabic.Length - 1).ToList();
        Assert.NotEmpty(first);
        Assert.NotEmpty(last);
        Assert.All(layout.Glyphs, g => Assert.True(g.Rtl));
        Assert.True(first.Min(g => g.Box.Left) > last.Max(g => g.Box.Right),
            $"first logical letter at {first[0].Box} should lie right of the last at {last[0].Box}");
        // Visual order is right to left: source indices fall as x grows.
        var bases = layout.Glyphs.Where(g => !g.Blank).OrderBy(g => g.Origin.X).Select(g => g.SourceIndex).ToList();
        Assert.True(bases.First() > bases.Last());

        // Contextual forms: the letters of a joined word get other glyphs than the same letters alone.
        const string word = "بيت";
        var joined = Typesetter.Layout(word, style, 5000).Glyphs.OrderBy(g => g.SourceIndex).Select(g => g.GlyphId).ToList();
        var isolated = word.Select(c => Typesetter.Layout(c.ToString(), style, 5000).Glyphs.Single().GlyphId).ToList();
        Assert.Equal(3, joined.Count);
        Assert.Equal(3, joined.Zip(isolated).Count(p => p.Item1 != p.Item2));
        // The lam-alef ligature: two characters, one glyph.
        var lamAlef = Typesetter.Layout("لا", style, 5000);
        Assert.Single(lamAlef.Glyphs);
    }

    [Fact]
    public void Mixed_latin_and_arabic_line_keeps_the_latin_word_left_to_right_inside_rtl()
    {
        const string text = "مرحبا Talos عالم";
        var layout = Typesetter.Layout(text, new TextStyle { Size = 40 }, 5000);
        Assert.True(layout.Lines[0].Rtl);
        int t = text.IndexOf('T'), s = text.IndexOf('s');
        var tg = layout.Glyphs.Single(g => g.SourceIndex == t);
        var sg = layout.Glyphs.Single(g => g.SourceIndex == s);
        Assert.False(tg.Rtl);
        Assert.True(tg.Origin.X < sg.Origin.X, "Latin inside Arabic still reads left to right");
        var m = layout.Glyphs.Where(g => g.SourceIndex == 0).Min(g => g.Box.Left);
        var a = layout.Glyphs.Where(g => g.SourceIndex == text.Length - 1).Max(g => g.Box.Right);
        Assert.True(m > sg.Origin.X && a < tg.Origin.X, "the first Arabic word is right of 'Talos', the last left of it");
        Assert.All(layout.Glyphs, g => Assert.NotEqual(0, g.GlyphId));
    }

    [Fact]
    public void Japanese_breaks_between_characters_into_lines_no_wider_than_the_limit()
    {
        const float max = 300;
        var layout = Typesetter.Layout(Japanese, new TextStyle { Size = 36 }, max);
        Assert.True(layout.Lines.Count >= 4, $"{layout.Lines.Count} lines");
        foreach (var line in layout.Lines)
        {
            Assert.True(line.Width <= max, $"line \"{Japanese.Substring(line.Start, line.Length)}\" is {line.Width} px wide");
            Assert.True(line.Width > max - 2 * 36 || line == layout.Lines[^1], $"line \"{Japanese.Substring(line.Start, line.Length)}\" ({line.Width} px) broke early");
            Assert.DoesNotContain(Japanese[line.Start], "。、");
        }
        Assert.All(layout.Glyphs, g => Assert.NotEqual(0, g.GlyphId));
        Assert.All(layout.Glyphs, g => Assert.True(g.Blank || g.Box.Right <= max + 1 && g.Box.Left >= -1, $"glyph at {g.Box}"));
        Assert.Equal(Japanese.Length, layout.Glyphs.Count);
    }

    [Fact]
    public void Kerning_pulls_A_and_V_together()
    {
        var style = new TextStyle { Size = 100, Font = "DejaVu Sans" };
        float pair = Typesetter.Layout("AV", style, 5000).Width;
        float apart = Typesetter.Layout("A", style, 5000).Width + Typesetter.Layout("V", style, 5000).Width;
        Assert.True(pair < apart - 2, $"AV is {pair} px, A + V {apart} px");
    }

    [Fact]
    public void Explicit_newlines_start_new_lines_and_spaces_break_latin()
    {
        var style = new TextStyle { Size = 40, Align = TextAlign.Left };
        var layout = Typesetter.Layout("One\nTwo three", style, 5000);
        Assert.Equal(2, layout.Lines.Count);
        Assert.Equal("Two three", "One\nTwo three".Substring(layout.Lines[1].Start, layout.Lines[1].Length));
        var narrow = Typesetter.Layout("alpha beta gamma", style, 170);
        Assert.Equal(["alpha", "beta", "gamma"], narrow.Lines.Select(l => "alpha beta gamma".Substring(l.Start, l.Length)));
        Assert.True(narrow.Lines[1].Baseline - narrow.Lines[0].Baseline == style.Size * style.LineHeight);
    }

    [Fact]
    public void Mixed_scripts_fall_back_to_fonts_that_have_them()
    {
        var layout = Typesetter.Layout("Talos 映画 שלום مرحبا 한국어", new TextStyle { Size = 30, Font = "DejaVu Sans" }, 5000);
        Assert.All(layout.Glyphs, g => Assert.NotEqual(0, g.GlyphId));
        var families = layout.Glyphs.Select(g => g.Typeface.FamilyName).Distinct().ToList();
        Assert.Contains("DejaVu Sans", families);
        Assert.Contains(families, f => f.StartsWith("Noto Sans CJK", StringComparison.Ordinal));
    }

    [Fact]
    public void Same_text_gives_the_same_pixels()
    {
        var scene = new TitleScene([new TitleElement(Latin, new TextStyle { Size = 30, OutlineWidth = 2, ShadowY = 2, ShadowBlur = 2 }, FrameBox.Full, 0, 1)]);
        Assert.Equal(scene.Render(320, 180, 0), new TitleScene(scene.Elements).Render(320, 180, 0));
    }

    [Fact]
    public void Bad_fonts_and_absurd_sizes_get_one_clear_error_each()
    {
        var notAFont = Path.Combine(Path.GetTempPath(), $"talos-not-a-font-{Guid.NewGuid():N}.ttf");
        File.WriteAllText(notAFont, "this is not a font");
        try
        {
            var e = Assert.Throws<CutturaException>(() => Typesetter.Layout("x", new TextStyle { Font = notAFont }, 100));
            Assert.Contains("not a font", e.Message);
        }
        finally { File.Delete(notAFont); }
        Assert.Contains("not found", Assert.Throws<CutturaException>(() => Typesetter.Layout("x", new TextStyle { Font = "/nonexistent/font.ttf" }, 100)).Message);
        Assert.Contains("not installed", Assert.Throws<CutturaException>(() => Typesetter.Layout("x", new TextStyle { Font = "No Such Family Talos" }, 100)).Message);
        Assert.Contains("text size", Assert.Throws<CutturaException>(() => Typesetter.Layout("x", new TextStyle { Size = 0 }, 100)).Message);
        var tooBig = new TitleScene([new TitleElement("x", new TextStyle { Size = 2000 }, FrameBox.Full, 0, 1)]);
        Assert.Contains("twice the frame height", Assert.Throws<CutturaException>(() => tooBig.Layout(1280, 720)).Message);
        Assert.Contains("1000000 characters", Assert.Throws<CutturaException>(() => Typesetter.Layout(new string('a', 1_000_000), new TextStyle(), 100)).Message);
        Assert.Contains("colour", Assert.Throws<CutturaException>(() => Typesetter.Layout("x", new TextStyle { Color = "red" }, 100)).Message);
    }
}
