using System.CommandLine;
using Spectre.Console;
using Talos.Gpu.Cuttura;
using Talos.Gpu.Prism;
using Talos.Gpu.Prism.Boards;
using Talos.Messages.Specs;

namespace Talos.Cli.Prism;

/// <summary><c>talos prism</c>, <c>talos storyboard</c>, <c>talos animatic</c>: PRISM's outputs without rendering the film.</summary>
public static class PrismCommands
{
    static Argument<string> Input() => new("INPUT") { Description = "a .fountain screenplay, or a quoted prompt" };
    static Option<string?> Scenes() => new("--scenes") { Description = "scene range, e.g. 1-2 or 3" };

    public static Command Prism()
    {
        var input = Input();
        var json = new Option<bool>("--json") { Description = "print the scene graph as JSON (docs/scenegraph.schema.json)" };
        var llm = LlmOptions.Create();
        var cmd = new Command("prism", "Read a screenplay or prompt and print what PRISM understood (the scene graph)") { input, json };
        llm.AddTo(cmd);
        cmd.SetAction((parse, ct) => CliErrors.Guard(async () =>
        {
            var graph = await LoadGraphAsync(parse.GetValue(input)!, llm.Read(parse), ct);
            if (parse.GetValue(json)) { Console.Out.WriteLine(graph.ToJson()); return CliErrors.Ok; }
            Console.Out.WriteLine($"{graph.Title ?? graph.Source}: {graph.Scenes.Count} scene(s), {graph.ShotCount} shot(s), {graph.TotalSeconds:0.0} s, characters: {string.Join(", ", graph.Characters)}");
            foreach (var s in graph.Scenes)
                Console.Out.WriteLine($"  {s.Number,3}. {(s.Heading.Length > 0 ? s.Heading : "(prologue)")}  [{s.Shots.Count} shot(s), {s.Shots.Sum(x => x.DurationSeconds):0.0} s, {s.TransitionIn}]");
            return CliErrors.Ok;
        }));
        return cmd;
    }

    public static Command StoryboardCommand()
    {
        var input = Input();
        var output = new Option<string>("--out", "-o") { Description = "output PNG path", DefaultValueFactory = _ => "board.png" };
        var scenes = Scenes();
        var columns = new Option<int>("--columns") { Description = "panels per row", DefaultValueFactory = _ => 4 };
        var cast = CastOption();
        var cmd = new Command("storyboard", "Draw a contact sheet: one panel per shot, lettered with heading, shot, camera and dialogue") { input, output, scenes, columns, cast };
        cmd.SetAction((parse, ct) => CliErrors.Guard(async () =>
        {
            var outPath = parse.GetValue(output)!;
            if (!outPath.EndsWith(".png", StringComparison.OrdinalIgnoreCase)) throw new UsageException($"--out must name a .png file, not '{outPath}'");
            int cols = parse.GetValue(columns);
            if (cols is < 1 or > 64) throw new UsageException($"--columns {cols} is outside 1..64");
            var (first, last) = ParseScenes(parse.GetValue(scenes));
            var graph = await LoadGraphAsync(parse.GetValue(input)!, null, ct);
            var dressed = Render.RenderCommand.ReadCast(parse.GetValue(cast), parse.GetValue(input)!);
            var sheet = Storyboard.ContactSheet(graph, first, last, cols, cast: dressed);
            CliFiles.Write(outPath, sheet.ToPng());
            Console.Out.WriteLine($"storyboard: {Path.GetFullPath(outPath)} ({sheet.Width}x{sheet.Height}, {Storyboard.Shots(graph, 64, 36, 24, first, last).Count} panels)");
            return CliErrors.Ok;
        }));
        return cmd;
    }

    public static Command Animatic()
    {
        var input = Input();
        var output = new Option<string>("--out", "-o") { Description = "output MP4 path", DefaultValueFactory = _ => "animatic.mp4" };
        var scenes = Scenes();
        var fps = new Option<int>("--fps") { Description = "frames per second", DefaultValueFactory = _ => 24 };
        var width = new Option<int>("--width") { Description = "frame width", DefaultValueFactory = _ => 640 };
        var height = new Option<int>("--height") { Description = "frame height", DefaultValueFactory = _ => 360 };
        var audio = new Option<bool>("--scratch-audio") { Description = "speak the dialogue with espeak-ng into a scratch track" };
        var cast = CastOption();
        var cmd = new Command("animatic", "Hold each shot's storyboard panel for the shot's duration, as an MP4") { input, output, scenes, fps, width, height, audio, cast };
        cmd.SetAction((parse, ct) => CliErrors.Guard(async () =>
        {
            var outPath = parse.GetValue(output)!;
            if (!outPath.EndsWith(".mp4", StringComparison.OrdinalIgnoreCase)) throw new UsageException($"--out must name an .mp4 file, not '{outPath}'");
            int f = parse.GetValue(fps), w = parse.GetValue(width), h = parse.GetValue(height);
            if (Limits.FpsProblem(f) is { } badF) throw new UsageException($"--fps {badF}");
            if (w is < 64 or > 3840 || w % 2 != 0) throw new UsageException($"--width {w} must be even, 64..3840");
            if (h is < 36 or > 2160 || h % 2 != 0) throw new UsageException($"--height {h} must be even, 36..2160");
            var (first, last) = ParseScenes(parse.GetValue(scenes));
            var graph = await LoadGraphAsync(parse.GetValue(input)!, null, ct);
            var dressed = Render.RenderCommand.ReadCast(parse.GetValue(cast), parse.GetValue(input)!);
            FfmpegTools.EnsureAvailable(line => Console.Error.WriteLine(line));
            var result = await AnimaticBuilder.BuildAsync(graph, outPath, new AnimaticOptions(w, h, f, first, last, parse.GetValue(audio), dressed),
                line => Console.Error.WriteLine(line), ct);
            Console.Out.WriteLine($"animatic: {Path.GetFullPath(outPath)} ({result.Frames} frames, {result.Shots} shots, {result.Frames / (double)f:0.00} s{(result.Audio ? ", scratch audio" : "")})");
            return CliErrors.Ok;
        }));
        return cmd;
    }

    /// <summary>--cast: the cast whose rigs and palettes the panels draw (default: cast.json beside the screenplay, as for render).</summary>
    static Option<string?> CastOption() => new("--cast") { Description = "a cast file: screenplay characters → rig, palette, voice (docs/cast.md; default: cast.json beside the screenplay)" };

    /// <summary>A screenplay file or a prompt → scene graph (with the LLM path for prompts when asked).</summary>
    internal static async Task<SceneGraph> LoadGraphAsync(string input, LlmSettings? llm, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(input)) throw new UsageException("INPUT is empty: give a .fountain screenplay or a prompt");
        if (input.Length < 4096 && !input.Contains('\n') && File.Exists(input))
        {
            var ext = Path.GetExtension(input).ToLowerInvariant();
            if (ext is not (".fountain" or ".spmd" or ".txt")) throw new UsageException($"'{input}' is not a screenplay (.fountain, .spmd, .txt)");
            if (new FileInfo(input).Length > InputLoader.MaxFileBytes) throw new PrismException($"'{input}' is larger than {InputLoader.MaxFileBytes / (1024 * 1024)} MB");
            var bytes = CliFiles.Read(input);
            if (Array.IndexOf(bytes, (byte)0) >= 0) throw new PrismException($"'{Path.GetFileName(input)}' contains NUL bytes: it is binary data, not text");
            var text = new StreamReader(new MemoryStream(bytes), new System.Text.UTF8Encoding(false), true).ReadToEnd();
            return SceneGraphBuilder.Build(FountainParser.Parse(text, Path.GetFileName(input)));
        }
        if (InputLoader.LooksLikePath(input)) throw new PrismException($"file not found: {input}");
        if (llm is not null)
            return await LlmPrompt.BuildAsync(input, llm, warning => AnsiConsole.MarkupLine($"[yellow]warning:[/] {Markup.Escape(warning)}"), ct);
        return PromptParser.Build(input);
    }

    /// <summary>--scenes: absent = every scene.</summary>
    internal static (int?, int?) ParseScenes(string? scenes)
    {
        if (string.IsNullOrWhiteSpace(scenes)) return (null, null);
        if (!SceneRange.TryParse(scenes, out var range, out var why)) throw new UsageException($"--scenes {why}");
        return (range.First, range.Last);
    }
}
