using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Talos.Gpu.Cuttura;
using Talos.Gpu.Cuttura.Audio;
using Talos.Gpu.Stokes;
using Talos.Messages.Specs;

namespace Talos.Cli;

/// <summary>
/// <c>talos beats AUDIO [--json]</c>: tempo, beats and downbeats of a track (CUTTURA's beat tracker).
/// <c>talos visualize TRACK --out mv.mp4</c>: a beat-synced fluid film of a track (STOKES, run directly), the track muxed.
/// </summary>
public static class MusicCommands
{
    public static Command Beats()
    {
        var audio = new Argument<string>("AUDIO") { Description = "a music file in any format ffmpeg reads" };
        var json = new Option<bool>("--json") { Description = "print {\"tempo\": BPM, \"beats\": [s…], \"downbeats\": [s…]}" };
        var cmd = new Command("beats", "Track the tempo, beats and downbeats of a music file") { audio, json };
        cmd.SetAction((parse, ct) => CliErrors.Guard(() => Task.FromResult(RunBeats(parse.GetValue(audio)!, parse.GetValue(json), Console.Out))));
        return cmd;
    }

    public static int RunBeats(string path, bool json, TextWriter output)
    {
        var a = BeatTracker.Track(path);
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(new { tempo = a.Tempo, beats = a.Beats, downbeats = a.Downbeats }));
            return CliErrors.Ok;
        }
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine($"{Path.GetFileName(path)}: {a.Seconds.ToString("0.0", inv)} s, tempo {a.Tempo.ToString("0.0", inv)} BPM, {a.Beats.Length} beats, {a.BeatsPerBar} beats a bar");
        if (a.Beats.Length == 0) { output.WriteLine("no beats found (silence, or no steady pulse)"); return CliErrors.Ok; }
        output.WriteLine($"{"bar",5}  beats (s)");
        var down = a.Downbeats.ToHashSet();
        int bar = 0;
        var line = new List<string>();
        void Flush() { if (line.Count > 0) output.WriteLine($"{bar,5}  {string.Join("  ", line)}"); line.Clear(); }
        foreach (var b in a.Beats)
        {
            if (down.Contains(b)) { Flush(); bar++; }
            line.Add(b.ToString("0.000", inv));
        }
        Flush();
        return CliErrors.Ok;
    }

    public static readonly IReadOnlyList<string> Styles = ["fluid", "characters"];

    public static Command Visualize()
    {
        var track = new Argument<string>("TRACK") { Description = "a music file in any format ffmpeg reads" };
        var output = new Option<string>("--out", "-o") { Description = "output .mp4", DefaultValueFactory = _ => "mv.mp4" };
        var style = new Option<string>("--style")
        {
            Description = "fluid: STOKES emitters firing on the beats, colours from the spectrum; characters: the built-in rigs dancing, a new pose on every beat (rendered by the cluster)",
            DefaultValueFactory = _ => "fluid",
        };
        var width = new Option<int>("--width") { Description = "video width (even)", DefaultValueFactory = _ => 640 };
        var height = new Option<int>("--height") { Description = "video height (even)", DefaultValueFactory = _ => 360 };
        var fps = new Option<int>("--fps") { Description = "frames per second", DefaultValueFactory = _ => 24 };
        var grid = new Option<int>("--grid") { Description = "fluid cells on the short side (8..1024)", DefaultValueFactory = _ => 90 };
        var workDir = new Option<string>("--work-dir") { Description = "characters: journal, vault and logs of the render (reuse it to resume)", DefaultValueFactory = _ => ".talos" };
        var cmd = new Command("visualize", "Make a beat-synced music film of a track") { track, output, style, width, height, fps, grid, workDir };
        cmd.SetAction((parse, ct) => CliErrors.Guard(() => RunVisualizeAsync(new VisualizeRequest(parse.GetValue(track)!, parse.GetValue(output)!,
            parse.GetValue(style)!, parse.GetValue(width), parse.GetValue(height), parse.GetValue(fps), parse.GetValue(grid)) { WorkDir = parse.GetValue(workDir)! }, ct)));
        return cmd;
    }

    public sealed record VisualizeRequest(string Track, string Out, string Style, int Width, int Height, int Fps, int Grid)
    {
        public string WorkDir { get; init; } = ".talos";
    }

    public static async Task<int> RunVisualizeAsync(VisualizeRequest req, CancellationToken ct)
    {
        if (!Styles.Contains(req.Style)) throw new UsageException($"--style '{req.Style}' is unknown; expected one of {string.Join(", ", Styles)}");
        if (!req.Out.EndsWith(".mp4", StringComparison.OrdinalIgnoreCase)) throw new UsageException($"--out must name an .mp4 file, not '{req.Out}'");
        if (Limits.WidthProblem(req.Width) is { } badW) throw new UsageException($"--width {badW}");
        if (Limits.HeightProblem(req.Height) is { } badH) throw new UsageException($"--height {badH}");
        if (req.Width % 2 != 0 || req.Height % 2 != 0) throw new UsageException($"--width and --height must be even for H.264 ({req.Width}x{req.Height})");
        if (Limits.FpsProblem(req.Fps) is { } badF) throw new UsageException($"--fps {badF}");
        if (req.Grid is < 8 or > 1024) throw new UsageException($"--grid {req.Grid} is outside 8..1024");
        var music = MusicFeatures.Analyse(req.Track, req.Fps);
        if (music.Beats.Beats.Length == 0) throw new CutturaException($"audio {req.Track}: no beats found (silence, or no steady pulse) — nothing to visualise");
        Console.Error.WriteLine($"visualize: {music.Beats.Tempo.ToString("0.0", CultureInfo.InvariantCulture)} BPM, {music.BeatFrames.Length} beats, {music.Frames} frames at {req.Width}x{req.Height}");
        if (req.Style == "characters") return await DanceAsync(req, music, ct);
        var full = Path.GetFullPath(req.Out);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var frames = MusicVisuals.Frames(music, req.Width, req.Height, req.Grid,
            f => { if (f % (req.Fps * 5) == 0 || f == music.Frames) Console.Error.WriteLine($"  frame {f}/{music.Frames}"); }, ct);
        await VideoEncoder.EncodeH264Async(frames, req.Width, req.Height, req.Fps, full, audioPath: Path.GetFullPath(req.Track), ct: ct);
        Console.Error.WriteLine($"done: {full}");
        return CliErrors.Ok;
    }

    /// <summary>
    /// --style characters goes through the whole render path (AXIS rigs, FLUX, CHROMA, RAYGEN, ANIMA, CUTTURA, ECHO) rather
    /// than calling AXIS directly: the dancers are then lit, coloured, edited and judged like any film, resumable in the
    /// work dir, and --music lays the track under them. The planned shots are written beside the work dir as JSON.
    /// </summary>
    static Task<int> DanceAsync(VisualizeRequest req, MusicFrames music, CancellationToken ct)
    {
        var shots = Talos.Gpu.Prism.DancePlanner.Shots(music, req.Width, req.Height, "dance");
        var work = Path.GetFullPath(req.WorkDir);
        Directory.CreateDirectory(work);
        var stem = new string(Path.GetFileNameWithoutExtension(req.Track).Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray()).Trim('-');
        var plan = Path.Combine(work, $"dance-{(stem.Length == 0 ? "track" : stem)}.json");
        CliFiles.Write(plan, Talos.Gpu.Prism.ShotSpecJson.SerializeMany(shots));
        return Render.RenderCommand.RunAsync(new Render.RenderCommand.RenderRequest(plan, req.Out, req.Width, req.Height, req.Fps, null, null, work)
        {
            Music = req.Track,
        }, ct);
    }
}
