using Talos.Gpu.Axis;
using Talos.Gpu.Axis.LipSync;
using Talos.Gpu.Axis.Rigging;
using Talos.Gpu.Chroma;
using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;
using Talos.Messages.Specs;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Axis;

/// <summary>
/// Rig files as data (talos-rig/1): the examples' fox (four legs and a tail, vector parts) and tin robot (PNG cut-out
/// parts) walk with their feet planted by IK, act an emotion and lip-sync a mouth shape in rendered frames; the checker
/// finds every problem with its JSON path.
/// </summary>
public sealed class RigDataTests
{
    static string ExampleDir(string name) => Path.Combine(Repo.Root, "examples", "rigs", name);
    static string ExampleJson(string name) => File.ReadAllText(Path.Combine(ExampleDir(name), $"{name}.rig.json"));
    static Rig Example(string name) => Rigs.Load(ExampleJson(name), RigAssets.FromDirectory(ExampleDir(name)));

    const int W = 480, H = 270, Fps = 24;

    /// <summary>A walking shot: the rig walks from x 0.3 to 0.7 over two seconds in the given emotion.</summary>
    static CharacterSpec Walker(string emotion) => new()
    {
        Name = "a", Rig = "custom",
        Keyframes = [new PoseKey { Frame = 0, Pose = "walk", Emotion = emotion, X = 0.3 }, new PoseKey { Frame = 48, Pose = "walk", Emotion = emotion, X = 0.7, Ease = "linear" }],
    };

    static (LineDrawing Drawing, RgbaImage Paint) Frame(Rig rig, CharacterSpec ch, int frame, MouthShape? mouth = null)
    {
        var s = MotionInterpolator.Evaluate(ch, frame, Fps, rig);
        var d = LineArt.Draw(rig, s.Pose, s.X, s.Facing, CameraState.Wide, W, H, mouth);
        return (d, ChromaFill.Fill(d.Lines, d.Seeds, rig.DefaultPalette, ColourModel.DefaultInk, out _));
    }

    static float Diff(GrayImage a, GrayImage b) => a.Data.Zip(b.Data, (x, y) => MathF.Abs(x - y)).Sum();

    [Theory]
    [InlineData("fox")]
    [InlineData("tin")]
    public void The_example_rig_walks_acts_and_lip_syncs_in_rendered_frames(string name)
    {
        var rig = Example(name);
        Assert.NotNull(rig.Body);
        var joy = Walker("joy");
        var f0 = Frame(rig, joy, 0);
        var f6 = Frame(rig, joy, 6);
        // every region seeded is painted in its palette colour somewhere
        foreach (var seed in f0.Drawing.Seeds)
            Assert.True(rig.DefaultPalette.ContainsKey(seed.Region), $"seed region {seed.Region}");
        Assert.Contains(f0.Drawing.Seeds, s => s.Region == rig.DefaultPalette.Keys.First());
        Assert.True(f0.Paint.A.Count(a => a > 0.5f) > 2000, "the character is painted");
        // walking: the legs move between frames, and the character travels right
        Assert.True(Diff(f0.Drawing.Lines, f6.Drawing.Lines) > 200, "frame 6 differs from frame 0");
        var b0 = LineArt.InkBounds(rig, MotionInterpolator.Evaluate(joy, 0, Fps, rig).Pose, 0.3, 1, CameraState.Wide, W, H);
        var b48 = LineArt.InkBounds(rig, MotionInterpolator.Evaluate(joy, 48, Fps, rig).Pose, 0.7, 1, CameraState.Wide, W, H);
        Assert.InRange((b48.MinX + b48.MaxX) / 2 - (b0.MinX + b0.MaxX) / 2, 0.35f * W, 0.45f * W);

        // an emotion: joy and sadness draw different faces (eyes / mouth swaps) and bodies on the same frame
        var sad = Frame(rig, Walker("sadness"), 0);
        Assert.True(Diff(f0.Drawing.Lines, sad.Drawing.Lines) > 50, "joy and sadness differ");
        Assert.NotEqual(PoseLibrary.Resolve(rig, "walk", "joy", 0).Drawings!["mouth"], PoseLibrary.Resolve(rig, "walk", "sadness", 0).Drawings!["mouth"]);

        // lip-sync: a wide-open D against the rest mouth changes only pixels around the mouth
        var calm = Walker("calm");
        var rest = Frame(rig, calm, 10);
        var open = Frame(rig, calm, 10, MouthShape.D);
        float changed = Diff(rest.Drawing.Lines, open.Drawing.Lines);
        Assert.True(changed > 5, $"the D mouth draws ({changed})");
        var box = Changed(rest.Drawing.Lines, open.Drawing.Lines);
        Assert.True(box.MaxX - box.MinX < W / 10 && box.MaxY - box.MinY < H / 10, $"only the mouth changes: {box}");
        // the same inputs give the same frame, bit for bit
        Assert.Equal(open.Drawing.Lines.Data, Frame(rig, calm, 10, MouthShape.D).Drawing.Lines.Data);
    }

    static Bounds Changed(GrayImage a, GrayImage b)
    {
        float x0 = float.MaxValue, y0 = float.MaxValue, x1 = float.MinValue, y1 = float.MinValue;
        for (int i = 0; i < a.Data.Length; i++)
            if (MathF.Abs(a.Data[i] - b.Data[i]) > 0.1f)
            {
                int x = i % a.Width, y = i / a.Width;
                x0 = MathF.Min(x0, x); y0 = MathF.Min(y0, y); x1 = MathF.Max(x1, x); y1 = MathF.Max(y1, y);
            }
        return new Bounds(x0, y0, x1, y1);
    }

    [Theory]
    [InlineData("fox")]
    [InlineData("tin")]
    public void A_foot_planted_by_IK_stays_within_a_pixel_while_planted(string name)
    {
        var rig = Example(name);
        var body = rig.Body!;
        var gait = body.Gait!;
        var ch = Walker("calm");
        float scale = LineArt.HeightFraction * H * rig.Height;
        int plantedRuns = 0;
        foreach (var (chain, phase) in gait.Legs)
        {
            int foot = body.Ik[chain].Lower;
            // the foot's screen position and whether the gait has it planted, per frame
            var track = new List<(float X, float Y, long Cycle, bool Planted)>();
            for (int f = 0; f <= 48; f++)
            {
                var s = MotionInterpolator.Evaluate(ch, f, Fps, rig);
                float travel = (float)(s.X * W / scale);
                var posed = RigArt.Pose(body, s.Pose, travel);
                var tip = posed.Tip[foot];
                double cycle = travel / gait.Stride + phase;
                bool planted = cycle - Math.Floor(cycle) < gait.Duty;
                track.Add(((float)(s.X * W) + tip.X * scale, LineArt.GroundFraction * H - tip.Y * scale, (long)Math.Floor(cycle), planted));
                // the drawing has ink at the foot
                if (f % 12 == 0)
                {
                    var lines = LineArt.Draw(rig, s.Pose, s.X, s.Facing, CameraState.Wide, W, H).Lines;
                    Assert.True(InkNear(lines, track[^1].X, track[^1].Y, 4), $"{name} frame {f}: ink at the foot");
                }
            }
            foreach (var run in track.Where(t => t.Planted).GroupBy(t => t.Cycle).Where(g => g.Count() >= 3))
            {
                plantedRuns++;
                var first = run.First();
                foreach (var t in run)
                {
                    Assert.True(MathF.Abs(t.X - first.X) <= 1f && MathF.Abs(t.Y - first.Y) <= 1f,
                        $"{name} leg {body.Ik[chain].Name} cycle {run.Key}: foot at ({t.X:F2}, {t.Y:F2}) moved from ({first.X:F2}, {first.Y:F2})");
                }
            }
            // and it does step: over the shot the foot travels with the body
            Assert.True(track[^1].X - track[0].X > 0.3f * W, $"{name} leg {body.Ik[chain].Name} travels");
        }
        Assert.True(plantedRuns >= gait.Legs.Count * 2, $"planted stretches seen: {plantedRuns}");
    }

    static bool InkNear(GrayImage g, float x, float y, int r)
    {
        for (int yy = (int)y - r; yy <= (int)y + r; yy++)
            for (int xx = (int)x - r; xx <= (int)x + r; xx++)
                if (xx >= 0 && yy >= 0 && xx < g.Width && yy < g.Height && g[xx, yy] > 0.5f) return true;
        return false;
    }

    [Fact]
    public void Two_bone_IK_reaches_a_target_in_reach_and_points_at_one_out_of_reach()
    {
        var root = new V2(0.1f, 0.5f);
        foreach (int bend in new[] { 1, -1 })
        {
            var target = new V2(0.25f, 0.25f);
            var (upper, lower) = RigArt.Solve(root, target, 0.2f, 0.18f, bend);
            var knee = root + Dir(upper) * 0.2f;
            var tip = knee + Dir(upper + lower) * 0.18f;
            Assert.True(MathF.Abs(tip.X - target.X) < 1e-4f && MathF.Abs(tip.Y - target.Y) < 1e-4f, $"bend {bend}: tip {tip}");
            Assert.Equal(bend, Math.Sign(lower));
        }
        var (u, l) = RigArt.Solve(root, new V2(2f, 0.5f), 0.2f, 0.18f, 1);
        Assert.InRange(u, -0.5f, 0.5f);
        Assert.InRange(MathF.Abs(l), 0f, 1f);
    }

    static V2 Dir(float degrees) => new(MathF.Cos(degrees * MathF.PI / 180f), MathF.Sin(degrees * MathF.PI / 180f));

    [Fact]
    public void Svg_path_data_reads_every_command_with_relative_forms_and_implicit_repeats()
    {
        var square = SvgPath.Parse("M0 0 H10 V10 H0 Z").Single();
        Assert.True(square.Closed);
        Assert.Equal([new V2(0, 0), new V2(10, 0), new V2(10, 10), new V2(0, 10)], square.Points);
        // implicit line-tos after m, relative; greedy lexing: "1.5.5" is 1.5 then .5 and "10-5" is 10 then -5
        Assert.Equal([new V2(1, 1), new V2(2.5f, 1.5f), new V2(12.5f, -3.5f)], SvgPath.Parse("m1 1 1.5.5 10-5").Single().Points);
        // curves end where they say and S reflects the previous control point
        var c = SvgPath.Parse("M0 0 C0 10 10 10 10 0 S20 -10 20 0").Single().Points;
        Assert.Equal(new V2(10, 0), c[SvgPath.CurveSegments]);
        Assert.Equal(new V2(20, 0), c[^1]);
        Assert.True(c[SvgPath.CurveSegments + SvgPath.CurveSegments / 2].Y < -5, "the S half bends the other way");
        Assert.Equal(new V2(8, 0), SvgPath.Parse("M0 0 Q4 8 8 0 T16 0").Single().Points[SvgPath.CurveSegments]);
        // a half-circle arc of radius 5 through the top: every point at distance 5 from (5, 0); flags as single characters
        var arc = SvgPath.Parse("M0 0 A5 5 0 0110 0").Single().Points;
        Assert.Equal(new V2(10, 0), arc[^1]);
        foreach (var p in arc) Assert.InRange(MathF.Sqrt((p.X - 5) * (p.X - 5) + p.Y * p.Y), 4.999f, 5.001f);
        Assert.True(arc[arc.Count / 2].Y < -4.9f, "sweep 1 from (0,0) to (10,0) passes through y = -5");
        // a drawing command after Z starts a new subpath at the start point
        Assert.Equal(2, SvgPath.Parse("M0 0 L5 0 L5 5 Z L-5 0 L-5 -5 Z").Count);
    }

    [Theory]
    [InlineData("L0 0", 0, "must start with M")]
    [InlineData("M0 0 L1 x", 8, "expected a number")]
    [InlineData("M0 0 A5 5 0 2 1 10 0", 12, "arc flag")]
    [InlineData("M0 0 L1 1 ?", 10, "unexpected '?'")]
    [InlineData("M0 0 Z 5", 7, "after Z")]
    public void A_path_syntax_error_names_its_offset(string data, int offset, string message)
    {
        var e = Assert.Throws<PathSyntaxException>(() => SvgPath.Parse(data));
        Assert.Equal(offset, e.Offset);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_path_of_a_million_commands_is_one_error_naming_the_limit()
    {
        var huge = "M0 0" + string.Concat(Enumerable.Repeat(" L1 1", 1_000_000));
        var e = Assert.Throws<PathSyntaxException>(() => SvgPath.Parse(huge));
        Assert.Contains($"at most {SvgPath.MaxLength} are allowed", e.Message);
        var many = "M0 0" + string.Concat(Enumerable.Repeat("l1 1", SvgPath.MaxCommands + 5));
        Assert.Contains($"more than {SvgPath.MaxCommands} commands", Assert.Throws<PathSyntaxException>(() => SvgPath.Parse(many)).Message);
        var problems = RigFile.Check(ExampleJson("fox").Replace("\"M 0.165 -0.002", "\"" + many[..^10] + " M 0.165 -0.002"));
        Assert.Contains(problems, p => p.Path == "$.parts[16].path" && p.Message.Contains("commands"));
    }

    /// <summary>A minimal valid rig with one knob to break.</summary>
    static string Mini(string bones = """[{ "name": "root", "length": 0.2 }, { "name": "arm", "parent": "root", "length": 0.1 }]""",
        string path = "M0 -0.05 L0.2 -0.05 L0.2 0.05 L0 0.05 Z", string region = "skin", string extraPart = "") => $$"""
        { "format": "talos-rig/1", "name": "mini", "palette": { "skin": "#f0c0a0" },
          "bones": {{bones}},
          "parts": [ { "name": "body", "bone": "root", "region": "{{region}}", "path": "{{path}}" } {{extraPart}} ],
          "poses": { "idle": {} } }
        """;

    [Theory]
    [InlineData("bones", """[{ "name": "root", "length": 0.2 }, { "name": "arm", "parent": "torso", "length": 0.1 }]""", "$.bones[1].parent", "unknown parent 'torso'")]
    [InlineData("bones", """[{ "name": "root" }, { "name": "a", "parent": "b" }, { "name": "b", "parent": "a" }]""", "$.bones[1].parent", "parent cycle")]
    [InlineData("bones", """[{ "name": "root" }, { "name": "root", "parent": "root" }]""", "$.bones[1].name", "defined twice")]
    [InlineData("path", "M0 0 L1 1 L2 oops", "$.parts[0].path", "at offset 13")]
    [InlineData("region", "cape", "$.parts[0].region", "unknown region 'cape'")]
    [InlineData("image", "arm.png", "$.parts[1].image", "missing asset 'arm.png'")]
    public void Rig_check_names_each_problem_with_its_json_path(string knob, string value, string path, string message)
    {
        string json = knob switch
        {
            "bones" => Mini(bones: value),
            "path" => Mini(path: value),
            "region" => Mini(region: value),
            _ => Mini(extraPart: $$""", { "name": "arm", "bone": "root", "image": "{{value}}", "pivot": [0, 0], "scale": 0.01, "region": "skin" }"""),
        };
        Assert.Empty(RigFile.Check(Mini()));
        var problems = RigFile.Check(json, RigAssets.FromDirectory(Path.GetTempPath()));
        Assert.Contains(problems, p => p.Path == path && p.Message.Contains(message));
        var e = Assert.Throws<ArgumentException>(() => Rigs.Load(json));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Rig_check_lists_every_problem_at_once()
    {
        var json = ExampleJson("fox")
            .Replace("\"parent\": \"neck\"", "\"parent\": \"nek\"")
            .Replace("\"region\": \"cream\", \"path\": \"M -0.01", "\"region\": \"creme\", \"path\": \"M -0.01")
            .Replace("\"upper\": \"armFR\"", "\"upper\": \"armXX\"");
        var problems = RigFile.Check(json);
        Assert.Contains(problems, p => p.Path == "$.bones[2].parent" && p.Message.Contains("'nek'"));
        Assert.Contains(problems, p => p.Path == "$.parts[7].region" && p.Message.Contains("'creme'"));
        Assert.Contains(problems, p => p.Path == "$.ik[3].upper" && p.Message.Contains("'armXX'"));
        // straight legs cannot reach a planted foot ahead of or behind the hip: the feet would lift and slide
        var straight = ExampleJson("tin").Replace("\"angle\": 195", "\"angle\": 180").Replace("\"angle\": -30, \"length\": 0.2, \"contact\"", "\"angle\": 0, \"length\": 0.2, \"contact\"");
        Assert.Contains(RigFile.Check(straight, RigAssets.FromDirectory(ExampleDir("tin"))), p => p.Path == "$.gait.stride" && p.Message.Contains("leg 'legL' cannot reach"));
    }

    [Fact]
    public void A_rig_of_100000_bones_and_a_30000_pixel_png_are_each_one_clear_error()
    {
        var bones = "[" + string.Join(",", Enumerable.Range(0, 100_000).Select(i => i == 0 ? """{"name":"b0"}""" : $$"""{"name":"b{{i}}","parent":"b{{i - 1}}"}""")) + "]";
        var problems = RigFile.Check(Mini(bones: bones));
        var only = Assert.Single(problems);
        Assert.Equal("$.bones", only.Path);
        Assert.Contains($"100000 bones; at most {RigFile.MaxBones}", only.Message);

        // a PNG whose header claims 30,000 x 30,000 pixels is refused from its header, before any decoding
        var png = File.ReadAllBytes(Path.Combine(ExampleDir("tin"), "arm.png"));
        foreach (int at in new[] { 16, 20 }) { png[at] = 0; png[at + 1] = 0; png[at + 2] = 0x75; png[at + 3] = 0x30; }
        var json = Mini(extraPart: """, { "name": "arm", "bone": "root", "image": "huge.png", "pivot": [0, 0], "scale": 0.01, "region": "skin" }""");
        var p = Assert.Single(RigFile.Check(json, _ => png));
        Assert.Equal("$.parts[1].image", p.Path);
        Assert.Contains($"30000x30000 pixels; each side must be 1..{RigFile.MaxImageSide}", p.Message);
        Assert.Contains("not a PNG", Assert.Single(RigFile.Check(json, _ => "GIF89a not really"u8.ToArray())).Message);
    }

    [Fact]
    public void Rigs_load_reads_a_rig_file_or_a_one_rig_proportions_file_and_resolves_drawings_through_the_reader()
    {
        var fox = Rigs.Load(ExampleJson("fox"));
        Assert.Equal("fox", fox.Name);
        Assert.Equal(13, fox.Body!.Bones.Count);
        // the tin robot's drawings are PNGs: without a reader each is a missing asset
        var e = Assert.Throws<ArgumentException>(() => Rigs.Load(ExampleJson("tin")));
        Assert.Contains("missing asset 'arm.png'", e.Message);
        // a reader over the vault answers sha256/… references
        var bytes = File.ReadAllBytes(Path.Combine(ExampleDir("tin"), "torso.png"));
        var byHash = ExampleJson("tin").Replace("\"torso.png\"", "\"sha256/abc\"");
        var tin = Rigs.Load(byHash, r => r == "sha256/abc" ? bytes : File.ReadAllBytes(Path.Combine(ExampleDir("tin"), r)));
        Assert.NotNull(tin.Body!.Parts.Single(p => p.Name == "torso").Drawings["default"].Image);
        var proportions = """{ "rigs": [ { "name": "giant", "height": 1.4, "headRx": 0.07, "headRy": 0.08, "neck": 0.03, "neckRadius": 0.02, "torsoLength": 0.33, "shoulderHalfWidth": 0.12, "hipHalfWidth": 0.09, "upperArm": 0.17, "lowerArm": 0.16, "armRadius": 0.03, "handRadius": 0.03, "upperLeg": 0.21, "lowerLeg": 0.21, "legRadius": 0.04, "shoeLength": 0.1, "shoeHeight": 0.035, "outfit": "coat", "hair": "crew", "armRegion": "skin", "bodyRegion": "skin", "legRegion": "skin", "footRegion": "skin", "palette": { "skin": "#c08060", "hair": "#101010", "eyes": "#ffffff" } } ] }""";
        Assert.Equal("giant", Rigs.Load(proportions).Name);
        Assert.Equal("skin", Rigs.Load(proportions).RegionOf("body")); // converted to a rig file: drawn from data like every rig
        Assert.Contains("'..'", Assert.Throws<ArgumentException>(() => RigAssets.FromDirectory(ExampleDir("tin"))("../fox/fox.rig.json")).Message);
    }

    [Fact]
    public void The_rig_sheet_shows_every_pose_and_emotion_the_mouths_and_the_palette()
    {
        var fox = Example("fox");
        var sheet = RigSheet.Render(fox);
        var (poses, emotions) = RigSheet.Names(fox);
        Assert.Equal(4, poses.Count);
        Assert.Equal(6, emotions.Count);
        Assert.True(sheet.Width >= RigSheet.LabelWidth + 6 * RigSheet.Cell);
        Assert.True(sheet.Height >= 4 * RigSheet.Cell + RigSheet.MouthCell);
        // each grid cell holds a drawing (ink-dark pixels)
        int gridTop = RigSheet.Margin + RigSheet.TitleHeight + RigSheet.HeaderHeight;
        for (int p = 0; p < poses.Count; p++)
            for (int e = 0; e < emotions.Count; e++)
            {
                int x0 = RigSheet.Margin + RigSheet.LabelWidth + e * RigSheet.Cell, y0 = gridTop + p * RigSheet.Cell, dark = 0;
                for (int y = y0; y < y0 + RigSheet.Cell; y++)
                    for (int x = x0; x < x0 + RigSheet.Cell; x++)
                        if (sheet.Data[3 * (y * sheet.Width + x)] < 60) dark++;
                Assert.True(dark > 100, $"cell {poses[p]} x {emotions[e]} has a drawing ({dark} dark pixels)");
            }
        // the palette swatches show the palette's colours
        int swatchY = gridTop + poses.Count * RigSheet.Cell + RigSheet.Margin + RigSheet.HeaderHeight + RigSheet.MouthCell + RigSheet.Margin + RigSheet.HeaderHeight + 20;
        int swatchX = RigSheet.Margin + RigSheet.LabelWidth + RigSheet.SwatchWidth / 2;
        var fur = fox.DefaultPalette["fur"];
        Assert.InRange(sheet.Data[3 * (swatchY * sheet.Width + swatchX)], (int)(255 * ColorMath.LinearToSrgb(fur.R)) - 1, (int)(255 * ColorMath.LinearToSrgb(fur.R)) + 1);
        // a built-in rig has a sheet too, of the pose library
        var lanky = RigSheet.Render(Rigs.Lanky);
        Assert.True(lanky.Height >= PoseLibrary.Poses.Count * RigSheet.Cell);
    }

    [Fact]
    public void Talos_rig_check_prints_each_problem_and_exits_2_and_rig_sheet_writes_a_png()
    {
        var dir = Directory.CreateTempSubdirectory("talos-rig-cli").FullName;
        try
        {
            var bad = Path.Combine(dir, "bad.rig.json");
            File.WriteAllText(bad, Mini(region: "cape"));
            var output = new StringWriter();
            Assert.Equal(Talos.Cli.CliErrors.BadInput, Talos.Cli.Axis.RigCommands.Check(bad, output));
            Assert.Contains("$.parts[0].region: unknown region 'cape'", output.ToString());
            var tin = Path.Combine(ExampleDir("tin"), "tin.rig.json");
            var ok = new StringWriter();
            Assert.Equal(Talos.Cli.CliErrors.Ok, Talos.Cli.Axis.RigCommands.Check(tin, ok));
            Assert.Contains("ok — rig 'tin', 10 bones, 12 parts", ok.ToString());
            var png = Path.Combine(dir, "sheet.png");
            Assert.Equal(Talos.Cli.CliErrors.Ok, Talos.Cli.Axis.RigCommands.Sheet(tin, png));
            Assert.True(Talos.Gpu.Cuttura.Titles.LogoImage.IsPng(File.ReadAllBytes(png)));
        }
        finally { Directory.Delete(dir, true); }
    }
}
