using System.Text.Json;
using Talos.Gpu.Prism;
using Xunit;
using K = Talos.Gpu.Prism.FountainElementKind;

namespace Talos.Tests.Prism;

public sealed class FountainParserTests
{
    static string Dump(Screenplay s) => JsonSerializer.Serialize(s);

    [Fact]
    public void Big_fish_has_192_scenes_and_its_crlf_copy_parses_identically()
    {
        var text = PrismPaths.ReadCorpus("big_fish.fountain");
        var lf = FountainParser.Parse(text, "big_fish");
        Assert.Equal(192, lf.SceneCount); // two of them EXT/INT.
        Assert.Equal(Dump(lf), Dump(FountainParser.Parse(text.Replace("\n", "\r\n"), "big_fish")));

        // The corpus CRLF copy is big_fish.fountain with CRLF line ends (it really holds CR bytes): it parses identically.
        var copyText = PrismPaths.ReadCorpus("big_fish_crlf.fountain");
        Assert.Contains("\r\n", copyText);
        Assert.Equal(text, copyText.Replace("\r\n", "\n"));
        Assert.Equal(Dump(lf), Dump(FountainParser.Parse(copyText, "big_fish")));

        Assert.Equal("Big Fish", lf.Title);
        Assert.Equal("John August", lf.TitlePage.Single(t => t.Key == "Author").Value);
        Assert.True(lf.Elements.Count(e => e.Kind == K.Dialogue) > 600);
        // Extensions are split off the cue: "EDWARD (V.O.)(CONT'D)" is EDWARD with two extensions.
        var cue = lf.Elements.First(e => e.Kind == K.Character && e.Extensions.Count == 2);
        Assert.Equal("EDWARD", cue.Text);
        Assert.Equal(["V.O.", "CONT'D"], cue.Extensions);
        Assert.Equal(28, cue.Line);
    }

    [Fact]
    public void Brick_and_steel_has_8_scenes_with_forced_headings_dual_dialogue_and_centred_titles()
    {
        var s = FountainParser.Parse(PrismPaths.ReadCorpus("brick_and_steel.fountain"), "brick");
        var headings = s.SceneHeadings.ToList();
        Assert.Equal(8, headings.Count);
        var forced = headings.Where(h => h.Forced).Select(h => (h.Text, h.Line)).ToList();
        Assert.Equal([("SNIPER SCOPE POV", 80), ("OPENING TITLES", 95)], forced);
        var dual = s.Elements.Where(e => e.Kind == K.Character && e.Dual).Select(e => (e.Text, e.Line)).ToList();
        Assert.Equal([("STEEL", 45), ("BRICK", 48)], dual);
        Assert.All(s.Elements.Where(e => e.Kind == K.Dialogue && e.Line is 46 or 49), d => Assert.True(d.Dual));
        Assert.Equal("BRICK & STEEL\nFULL RETIRED", s.TitlePage[0].Value);
        Assert.Equal("Stu Maschwitz", s.TitlePage.Single(t => t.Key == "Author").Value);
        Assert.Equal(["BRICK BRADDOCK", "& DICK STEEL IN", "BRICK & STEEL", "FULL RETIRED", "THE END"], s.Elements.Where(e => e.Kind == K.Centered).Select(e => e.Text));
        // Tab-indented cues and transitions are still cues and transitions; emphasis is stripped.
        Assert.Contains(s.Elements, e => e is { Kind: K.Character, Text: "JACK", Line: 57 });
        Assert.Contains(s.Elements, e => e is { Kind: K.Dialogue, Text: "Did you know Brick and Steel are retired?", Line: 59 });
        Assert.Contains(s.Elements, e => e is { Kind: K.Transition, Text: "CUT TO:", Line: 67 });
        Assert.Contains(s.Elements, e => e is { Kind: K.Transition, Text: "BURN TO PINK.", Forced: true, Line: 158 });
    }

    const string Sample = "Title: **Sample**\nAuthor: Me\n\n# Act One\n\n= The hero wakes.\n\nINT. HOUSE - DAY #1A#\n\nBob enters. [[a note]] He _waves_.\n\nBOB (O.S.)\n(quietly)\nHello *there*.\n  \nStill me.\n\n@McCLANE\nYippee.\n\nALICE ^\nHi.\n\n!SHOUTED ACTION\n\n.FLASHBACK\n\n~Sing a song\n\n> THE TITLE <\n\n>FADE TO BLACK.\n\n===\n\nEXT. YARD - NIGHT\n\n/* cut this\nscene entirely */\nCUT TO:\n\nI/E. CAR - MOVING\n\nÉmile sits. 日本\n";

    [Fact]
    public void Every_syntax_element_is_recognised_with_its_source_line()
    {
        var s = FountainParser.Parse(Sample);
        var got = s.Elements.Select(e => (e.Kind, e.Text, e.Line)).ToList();
        (K, string, int)[] want =
        [
            (K.Section, "Act One", 4), (K.Synopsis, "The hero wakes.", 6), (K.SceneHeading, "INT. HOUSE - DAY", 8),
            (K.Action, "Bob enters.  He waves.", 10), (K.Character, "BOB", 12), (K.Parenthetical, "(quietly)", 13),
            (K.Dialogue, "Hello there.\n\nStill me.", 14), (K.Character, "McCLANE", 18), (K.Dialogue, "Yippee.", 19),
            (K.Character, "ALICE", 21), (K.Dialogue, "Hi.", 22), (K.Action, "SHOUTED ACTION", 24), (K.SceneHeading, "FLASHBACK", 26),
            (K.Lyrics, "Sing a song", 28), (K.Centered, "THE TITLE", 30), (K.Transition, "FADE TO BLACK.", 32), (K.PageBreak, "", 34),
            (K.SceneHeading, "EXT. YARD - NIGHT", 36), (K.Transition, "CUT TO:", 40), (K.SceneHeading, "I/E. CAR - MOVING", 42),
            (K.Action, "Émile sits. 日本", 44),
        ];
        Assert.Equal(want, got);
        Assert.Equal("Sample", s.Title);
        Assert.Equal("1A", s.Elements[2].SceneNumber);
        Assert.Equal(["O.S."], s.Elements[4].Extensions);
        Assert.True(s.Elements[7].Forced);          // @McCLANE
        Assert.True(s.Elements[9].Dual && s.Elements[7].Dual); // ALICE ^ pairs with the cue before it
        Assert.True(s.Elements[11].Forced);         // !action
        Assert.True(s.Elements[12].Forced);         // .FLASHBACK
        Assert.Equal(1, s.Elements[0].Depth);
    }

    [Fact]
    public void Crlf_cr_and_tabs_give_the_same_elements_as_lf()
    {
        var lf = FountainParser.Parse(Sample);
        Assert.Equal(Dump(lf), Dump(FountainParser.Parse(Sample.Replace("\n", "\r\n"))));
        Assert.Equal(Dump(lf), Dump(FountainParser.Parse(Sample.Replace("\n", "\r"))));
        var tabbed = FountainParser.Parse("INT. ROOM - DAY\n\n\t\t\tJOE\n\t\t(beat)\n\tHi.\n");
        Assert.Equal([(K.SceneHeading, "INT. ROOM - DAY"), (K.Character, "JOE"), (K.Parenthetical, "(beat)"), (K.Dialogue, "Hi.")],
            tabbed.Elements.Select(e => (e.Kind, e.Text)));
    }

    [Fact]
    public void Notes_and_boneyard_are_removed_without_shifting_lines_or_splitting_paragraphs()
    {
        var s = FountainParser.Parse("INT. A - DAY\n\nFirst line.\n[[whole-line note]]\nSecond line. /* hidden */ End.\n\n/* multi\nline\nboneyard */\n\nJOE\nHi [[aside]] there.\n");
        Assert.Equal([(K.SceneHeading, "INT. A - DAY", 1), (K.Action, "First line.\nSecond line.  End.", 3), (K.Character, "JOE", 11), (K.Dialogue, "Hi  there.", 12)],
            s.Elements.Select(e => (e.Kind, e.Text, e.Line)));
        Assert.DoesNotContain(s.Elements, e => e.Text.Contains("note") || e.Text.Contains("hidden") || e.Text.Contains("boneyard") || e.Text.Contains("aside"));
    }

    [Fact]
    public void Emphasis_markers_are_stripped_but_escapes_and_snake_case_survive()
    {
        Assert.Equal("bold italic both under", FountainParser.StripEmphasis("**bold** *italic* ***both*** _under_"));
        Assert.Equal("a*b snake_case _", FountainParser.StripEmphasis(@"a\*b snake_case \_"));
    }

    [Fact]
    public void Caps_lines_without_dialogue_are_action_and_lowercase_lines_are_not_cues()
    {
        var s = FountainParser.Parse("EXT. SEA - DAY\n\nA RIVER.\n\nThe Boat\nsails on.\n\nBOB\nAhoy.\n");
        Assert.Equal([K.SceneHeading, K.Action, K.Action, K.Character, K.Dialogue], s.Elements.Select(e => e.Kind));
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("   \n\t\n  ", "is empty")]
    [InlineData("just some words\n\nwith no scenes at all.", "no scene heading")]
    [InlineData("INT. OK - DAY\n\nfine\0then binary", "U+0000 at line 3, column 5")]
    [InlineData("\u0001\u0002\u0003PK\u0004", "control character U+0001 at line 1, column 1")]
    [InlineData("INT. A - DAY\n\n/* never closed\n", "boneyard '/*' opened at line 3")]
    public void Garbage_is_rejected_with_a_clear_message(string text, string expected)
    {
        var e = Assert.Throws<PrismException>(() => FountainParser.Parse(text, "bad.fountain"));
        Assert.Contains(expected, e.Message);
        Assert.Contains("bad.fountain", e.Message);
    }

    [Fact]
    public void Null_and_random_bytes_are_rejected()
    {
        Assert.Throws<PrismException>(() => FountainParser.Parse(null!));
        var bytes = new byte[4096];
        ulong x = 0x9E3779B97F4A7C15UL;
        for (int i = 0; i < bytes.Length; i++) { x ^= x << 13; x ^= x >> 7; x ^= x << 17; bytes[i] = (byte)x; }
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        var e = Assert.Throws<PrismException>(() => FountainParser.Parse(text, "noise"));
        Assert.Contains("not a screenplay", e.Message);
    }
}
