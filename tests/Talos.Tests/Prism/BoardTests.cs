using StbImageSharp;
using Talos.Gpu.Cuttura;
using Talos.Gpu.Prism;
using Talos.Gpu.Prism.Boards;
using Talos.Gpu.Processes;
using Talos.Messages.Specs;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Prism;

/// <summary>talos prism / storyboard / animatic, run as the real CLI (the talos.dll beside the tests).</summary>
public sealed class BoardTests
{
    static string Brick => Repo.Corpus("brick_and_steel.fountain");
    static SceneGraph BrickGraph() => SceneGraphBuilder.Build(FountainParser.Parse(File.ReadAllText(Brick), "brick_and_steel.fountain"));

    internal static async Task<(int Code, string Out, string Err)> Talos(params string[] args)
    {
        var r = await ProcessRunner.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "talos.dll"), .. args],
            env: new Dictionary<string, string?> { ["NO_COLOR"] = "1" }, check: false, ct: TestContext.Current.CancellationToken);
        return (r.ExitCode, r.Output, r.Error);
    }

    [Fact]
    public async Task Prism_json_prints_the_scene_graph()
    {
        var (code, stdout, stderr) = await Talos("prism", Brick, "--json");
        Assert.True(code == 0, stderr);
        Assert.Equal(BrickGraph().ToJson(), stdout.TrimEnd());
        Assert.Equal(stdout.TrimEnd(), SceneGraphJson.Parse(stdout).ToJson()); // a valid scene graph, read back whole
    }

    [Theory]
    [InlineData("prism", "missing.fountain", "error: file not found: missing.fountain")]
    [InlineData("storyboard", "BRICK", "error: --columns 0 is outside 1..64")]
    [InlineData("storyboard", "BRICK", "error: --scenes '3-1' is not a range like 1-2 or 3 (it ends before it starts)")]
    [InlineData("animatic", "BRICK", "error: --out must name an .mp4 file, not 'x.gif'")]
    public async Task Bad_input_is_one_error_line_and_exit_2(string command, string input, string expected)
    {
        var args = new List<string> { command, input == "BRICK" ? Brick : input };
        if (expected.Contains("--columns")) args.AddRange(["--columns", "0", "--out", Path.Combine(PrismPaths.OutDir, "never.png")]);
        if (expected.Contains("--scenes")) args.AddRange(["--scenes", "3-1", "--out", Path.Combine(PrismPaths.OutDir, "never.png")]);
        if (expected.Contains(".mp4")) args.AddRange(["--out", "x.gif"]);
        var (code, _, stderr) = await Talos([.. args]);
        Assert.Equal(2, code);
        Assert.Equal(expected, stderr.Trim());
    }

    /// <summary>Panels found in the picture itself: top-left corners of dark rectangles whose top and left edges run at least 60 pixels.</summary>
    static List<(int X, int Y, int W, int H)> FindPanels(ImageResult img)
    {
        int w = img.Width, h = img.Height;
        bool Dark(int x, int y) { int o = (y * w + x) * 3; return img.Data[o] < 40 && img.Data[o + 1] < 40 && img.Data[o + 2] < 40; }
        var panels = new List<(int, int, int, int)>();
        for (int y = 1; y < h - 60; y++)
            for (int x = 1; x < w - 60; x++)
            {
                if (!Dark(x, y) || Dark(x - 1, y) || Dark(x, y - 1)) continue;
                int rw = 0; while (x + rw < w && Dark(x + rw, y)) rw++;
                int rh = 0; while (y + rh < h && Dark(x, y + rh)) rh++;
                if (rw >= 60 && rh >= 60) panels.Add((x, y, rw, rh));
            }
        return panels;
    }

    [Fact]
    public async Task Storyboard_of_brick_and_steel_has_one_lettered_non_blank_panel_per_shot()
    {
        var out1 = Path.Combine(PrismPaths.OutDir, "brick-board.png");
        var (code, stdout, stderr) = await Talos("storyboard", Brick, "--out", out1, "--columns", "5");
        Assert.True(code == 0, stderr);
        Assert.Contains("37 panels", stdout);
        var img = ImageResult.FromMemory(File.ReadAllBytes(out1), ColorComponents.RedGreenBlue);
        var panels = FindPanels(img);
        var graph = BrickGraph();
        Assert.Equal(graph.ShotCount, panels.Count);
        Assert.Equal(5, panels.Select(p => p.X).Distinct().Count());                  // the grid: 5 columns …
        Assert.Equal((graph.ShotCount + 4) / 5, panels.Select(p => p.Y).Distinct().Count()); // … and ⌈37/5⌉ rows
        Assert.Single(panels.Select(p => (p.W, p.H)).Distinct());                    // all the same size
        foreach (var (x, y, pw, ph) in panels)
        {
            var inner = new byte[(pw - 4) * (ph - 4) * 3];
            for (int r = 0; r < ph - 4; r++) Buffer.BlockCopy(img.Data, ((y + 2 + r) * img.Width + x + 2) * 3, inner, r * (pw - 4) * 3, (pw - 4) * 3);
            Assert.True(FrameGrab.DistinctColours(inner) > 200, $"panel at {x},{y}: {FrameGrab.DistinctColours(inner)} colours");
            Assert.InRange(FrameGrab.EdgeDensity(inner, pw - 4, ph - 4), 0.005, 0.5);
            // Lettering under the panel: dark text pixels in the caption band.
            int ink = 0;
            for (int r = y + ph + 4; r < Math.Min(img.Height, y + ph + 40); r++)
                for (int c = x; c < x + pw; c++) { int o = (r * img.Width + c) * 3; if (img.Data[o] < 120 && img.Data[o + 2] < 120) ink++; }
            Assert.True(ink > 150, $"panel at {x},{y} has no lettering under it ({ink} ink pixels)");
        }
        // Deterministic: the same board twice is the same bytes; a scene range gives that range's panels.
        Assert.Equal(Storyboard.ContactSheet(graph, columns: 5).Data, Storyboard.ContactSheet(graph, columns: 5).Data);
        var out2 = Path.Combine(PrismPaths.OutDir, "brick-board-2-3.png");
        Assert.Equal(0, (await Talos("storyboard", Brick, "--out", out2, "--scenes", "2-3")).Code);
        Assert.Equal(graph.Scenes[1].Shots.Count + graph.Scenes[2].Shots.Count, FindPanels(ImageResult.FromMemory(File.ReadAllBytes(out2), ColorComponents.RedGreenBlue)).Count);
    }

    /// <summary>Pixels of an 8-bit RGB picture for which <paramref name="test"/> holds.</summary>
    static int Count(byte[] rgb, Func<int, int, int, bool> test)
    {
        int n = 0;
        for (int i = 0; i + 2 < rgb.Length; i += 3) if (test(rgb[i], rgb[i + 1], rgb[i + 2])) n++;
        return n;
    }

    [Fact]
    public void A_board_panel_of_a_plate_shot_shows_the_plate_behind_its_character()
    {
        // An orange sky over a violet field, ground line 0.6: colours no AETHER preset paints.
        var png = Raygen.PlateTests.Png(320, 180, (x, y) => y < 108 ? ((byte)240, (byte)120, (byte)10, (byte)255) : ((byte)110, (byte)30, (byte)160, (byte)255));
        var spec = new ShotSpec
        {
            Id = "plate", Fps = 24, Resolution = new Resolution(240, 136), DurationSeconds = 1,
            Plate = new PlateSpec { GroundLine = 0.6, Layers = [new PlateLayer("field.png", 1.0, null)] },
            Characters = [new CharacterSpec { Name = "MARA", Keyframes = [new PoseKey { Frame = 0, Pose = "idle", X = 0.5 }] }],
        };
        var panel = Storyboard.RenderFrame(spec, 0, name => name == "field.png" ? png : null);
        int n = panel.Width * panel.Height;
        int orange = Count(panel.Data, (r, g, b) => r > 200 && g is > 70 and < 170 && b < 60);
        int violet = Count(panel.Data, (r, g, b) => b > 110 && r > 60 && g < 60);
        Assert.True(orange > n / 4 && violet > n / 8, $"the plate is not on the panel: {orange} orange, {violet} violet of {n}");
        Assert.True(orange + violet < n * 0.98, "the character is not on the panel");
        // Without its images a plate shot's panel is one clear error naming the image, not the unknown background 'plate'.
        Assert.Contains("field.png", Assert.Throws<InvalidDataException>(() => Storyboard.RenderFrame(spec, 0, _ => null)).Message);
    }

    [Fact]
    public async Task Boards_and_animatic_frames_draw_the_cast_rigs_and_palettes()
    {
        var dir = Path.Combine(PrismPaths.OutDir, "board-cast");
        var castFile = TestCast.Write(dir);
        var (plainOut, castOut) = (Path.Combine(dir, "plain.png"), Path.Combine(dir, "cast.png"));
        var (code, _, stderr) = await Talos("storyboard", Brick, "--scenes", "1-2", "--out", plainOut);
        Assert.True(code == 0, stderr);
        (code, _, stderr) = await Talos("storyboard", Brick, "--scenes", "1-2", "--cast", castFile, "--out", castOut);
        Assert.True(code == 0, stderr);
        static bool Magenta(int r, int g, int b) => r > 150 && b > 150 && g < r / 2 && g < b / 2;
        static bool Cyan(int r, int g, int b) => g > 150 && b > 150 && r < g / 3 && r < b / 3;
        var plain = ImageResult.FromMemory(File.ReadAllBytes(plainOut), ColorComponents.RedGreenBlue).Data;
        var dressed = ImageResult.FromMemory(File.ReadAllBytes(castOut), ColorComponents.RedGreenBlue).Data;
        Assert.True(Count(plain, Magenta) < 50 && Count(plain, Cyan) < 50, "the board without a cast has the cast's colours");
        Assert.True(Count(dressed, Magenta) > 2000, $"STEEL's rig file (magenta jacket) is not on the board: {Count(dressed, Magenta)} pixels");
        Assert.True(Count(dressed, Cyan) > 2000, $"BRICK's cyan dress is not on the board: {Count(dressed, Cyan)} pixels");
        // An animatic frame is the same panel at video size: the cast is on it too.
        var cast = Cast.Load(castFile);
        var shots = Storyboard.Shots(BrickGraph(), 320, 180, 24, 1, 2, cast);
        Assert.Contains(shots, s => Count(Storyboard.AnimaticFrame(s, cast.Asset).Data, Magenta) > 200);
    }

    [Fact]
    public void Shot_frames_follow_the_running_total_so_the_film_is_exactly_the_graph_long()
    {
        var d = new[] { 1.5, 2.02, 1.77, 3.3, 1.5 };
        var counts = AnimaticBuilder.FrameCounts(d, 24);
        Assert.Equal((int)Math.Round(d.Sum() * 24), counts.Sum());
        for (int i = 0; i < d.Length; i++) Assert.InRange(counts[i], Math.Round(d[i] * 24) - 1, Math.Round(d[i] * 24) + 1);
    }

    [Fact]
    public async Task Animatic_of_brick_and_steel_lasts_the_graph_total_within_a_frame()
    {
        var graph = BrickGraph();
        var mp4 = Path.Combine(PrismPaths.OutDir, "brick-animatic.mp4");
        var (code, _, stderr) = await Talos("animatic", Brick, "--out", mp4, "--fps", "12", "--width", "160", "--height", "90");
        Assert.True(code == 0, stderr);
        var info = await MediaProbe.ProbeAsync(mp4);
        Assert.Equal((160, 90), (info.Width, info.Height));
        Assert.InRange(info.FrameCount, graph.TotalSeconds * 12 - 1, graph.TotalSeconds * 12 + 1);
        Assert.Null(info.AudioCodec);
        // The panels change at the cuts: the first and last frames differ.
        var frames = await FrameGrab.DecodeAsync(mp4, 160, 90);
        Assert.Equal(info.FrameCount, frames.Count);
        Assert.NotEqual(frames[0], frames[^1]);
    }

    [Fact]
    public async Task Scratch_audio_speaks_the_dialogue_into_the_animatic()
    {
        try { ScratchAudio.EnsureEspeak(); }
        catch (CutturaException e) { Assert.Skip($"espeak-ng cannot be installed here: {e.Message}"); }
        var dir = Repo.TempDir("scratch");
        var play = Path.Combine(dir, "talk.fountain");
        File.WriteAllText(play, "INT. ROOM - DAY\n\nMARA\nThe tide is turning.\n\nTEO\nThen we sail at dawn.\n");
        var mp4 = Path.Combine(dir, "talk.mp4");
        var (code, stdout, stderr) = await Talos("animatic", play, "--out", mp4, "--scratch-audio", "--width", "160", "--height", "90");
        Assert.True(code == 0, stderr);
        Assert.Contains("scratch audio", stdout);
        var info = await MediaProbe.ProbeAsync(mp4);
        Assert.Equal("aac", info.AudioCodec);
        var graph = SceneGraphBuilder.Build(FountainParser.Parse(File.ReadAllText(play)));
        Assert.InRange(info.FrameCount, graph.TotalSeconds * 24 - 1, graph.TotalSeconds * 24 + 1);

        // The track is speech where the lines are: loud during the first line, with audio energy in both halves.
        var wav = Path.Combine(dir, "track.wav");
        var cues = new List<ScratchAudio.Cue> { new(0, "The tide is turning.", "MARA"), new(2.0, "Then we sail at dawn.", "TEO") };
        ScratchAudio.Render(cues, 4.0, wav, ct: TestContext.Current.CancellationToken);
        var bytes = File.ReadAllBytes(wav);
        double Rms(double from, double to)
        {
            int a = 44 + 2 * (int)(from * 22050), b = 44 + 2 * (int)(to * 22050);
            double sum = 0; int n = 0;
            for (int i = a; i + 1 < Math.Min(b, bytes.Length); i += 2) { double s = BitConverter.ToInt16(bytes, i); sum += s * s; n++; }
            return n == 0 ? 0 : Math.Sqrt(sum / n);
        }
        Assert.Equal(44 + 4 * 22050 * 2, bytes.Length);
        Assert.True(Rms(0.1, 1.2) > 300, $"first line rms {Rms(0.1, 1.2):F0}");
        Assert.True(Rms(2.1, 3.2) > 300, $"second line rms {Rms(2.1, 3.2):F0}");
    }
}
