using System.CommandLine;
using System.Globalization;
using Talos.Gpu.Axis.LipSync;
using Talos.Gpu.Cuttura.Audio;

namespace Talos.Cli.Axis;

/// <summary>
/// <c>talos lipsync line.wav --json</c>: mouth cues for one audio file, in Rhubarb Lip Sync's JSON shape
/// (<c>{"mouthCues": [{"start": 0.00, "end": 0.15, "value": "X"}, …]}</c>). Speech from Silero VAD (fetched and
/// verified on first use), shapes from the signal; see docs/SOUND.md.
/// </summary>
public static class LipSyncCommand
{
    public static Command Create()
    {
        var audio = new Argument<string>("audio") { Description = "the line's audio (WAV, FLAC, MP3, … anything ffmpeg reads)" };
        var json = new Option<bool>("--json") { Description = "print Rhubarb Lip Sync's JSON (mouthCues in seconds)" };
        var output = new Option<string?>("--out", "-o") { Description = "write the output to this file instead of stdout" };
        var fps = new Option<int>("--fps") { Description = "with the plain listing, also show each cue's first frame at this rate (1..120)", DefaultValueFactory = _ => 24 };
        var cmd = new Command("lipsync", "Mouth cues (Rhubarb shapes A-H, X) from a line's audio") { audio, json, output, fps };
        cmd.SetAction((parse, ct) => CliErrors.Guard(() => Task.FromResult(Run(parse.GetValue(audio)!, parse.GetValue(json), parse.GetValue(output), parse.GetValue(fps)))));
        return cmd;
    }

    public static int Run(string path, bool json, string? outPath, int fps)
    {
        if (Talos.Messages.Specs.Limits.FpsProblem(fps) is { } bad) throw new UsageException($"--fps {bad}");
        if (Directory.Exists(path)) throw new UsageException($"'{path}' is a directory, not an audio file");
        var pcm = AudioDecoder.DecodeMono(path, SileroVad.SampleRate);
        using var vad = SileroVad.LoadDefault(m => Console.Error.WriteLine(m));
        var track = LipSyncAnalyzer.Analyze(pcm, vad);
        string text = json ? track.ToRhubarbJson(Path.GetFileName(path)) : Listing(track, fps);
        if (outPath is null) Console.Out.Write(text);
        else CliFiles.Write(outPath, text);
        return CliErrors.Ok;
    }

    static string Listing(MouthTrack track, int fps) => string.Concat(track.Cues.Select(c =>
        string.Create(CultureInfo.InvariantCulture, $"{c.Start,7:0.00} {c.End,7:0.00}  {c.Value}  frame {(int)Math.Floor(c.Start * fps)}\n")));
}
