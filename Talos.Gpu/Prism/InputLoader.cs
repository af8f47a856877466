using System.Text;
using Talos.Messages.Specs;

namespace Talos.Gpu.Prism;

/// <summary>
/// What <c>talos render INPUT</c> accepts, turned into shot specs:
/// <list type="bullet">
/// <item>an existing <c>.fountain</c>/<c>.spmd</c>/<c>.txt</c> file: a Fountain screenplay, planned with the settings;</item>
/// <item>an existing <c>.json</c> file: shot spec(s) (<see cref="ShotSpecJson.ParseMany"/>). Their own resolution, fps and production
/// are kept (the settings' Width/Height/Fps/Production are for screenplays and prompts; a caller that wants to force a size
/// rewrites the specs, as the CLI does for explicit --width/--height/--fps); MaxSeconds trims them in Sequence order;
/// a scene range is an error (shot specs have no scenes);</item>
/// <item>a string that names no file but looks like a path (has a slash, or is one word with an extension) → "file not found";</item>
/// <item>anything else: a prompt (<see cref="PromptParser"/>).</item>
/// </list>
/// Files over 20 MB are refused.
/// </summary>
public static class InputLoader
{
    public const long MaxFileBytes = 20L * 1024 * 1024;
    static readonly string[] ScreenplayExtensions = [".fountain", ".spmd", ".txt"];

    public static IReadOnlyList<ShotSpec> Load(string input, RenderSettings settings, PrismOptions? options = null)
    {
        if (input is null) throw new PrismException("no input given (a screenplay, a shot spec file or a prompt)");
        ArgumentNullException.ThrowIfNull(settings);
        if (string.IsNullOrWhiteSpace(input)) throw new PrismException("input is empty (give a screenplay, a shot spec file or a prompt)");
        options ??= PrismOptions.Default;

        if (LooksLikePathCandidate(input) && Directory.Exists(input)) throw new PrismException($"'{input}' is a directory, not a screenplay or shot spec file");
        if (LooksLikePathCandidate(input) && File.Exists(input))
        {
            var ext = Path.GetExtension(input).ToLowerInvariant();
            var info = new FileInfo(input);
            if (info.Length > MaxFileBytes) throw new PrismException($"file '{input}' is {info.Length / (1024.0 * 1024):F1} MB; the limit is {MaxFileBytes / (1024 * 1024)} MB");
            if (ScreenplayExtensions.Contains(ext))
            {
                var text = ReadText(input);
                var screenplay = FountainParser.Parse(text, Path.GetFileName(input));
                return ShotPlanner.ToShotSpecs(SceneGraphBuilder.Build(screenplay, options), settings);
            }
            if (ext == ".json")
            {
                if (settings.FirstScene is not null || settings.LastScene is not null)
                    throw new PrismException($"a scene range applies to screenplays; '{Path.GetFileName(input)}' holds shot specs, which have no scenes");
                var specs = ShotSpecJson.ParseMany(ReadText(input)).OrderBy(s => s.Sequence).ToList(); // stable: equal sequences keep file order
                if (settings.Cast is { } cast) specs = cast.ApplyTo(specs, $"'{Path.GetFileName(input)}'").ToList();
                return settings.MaxSeconds is { } max ? Trim(specs, max) : specs;
            }
            throw new PrismException($"unsupported input file type '{ext}' for '{input}' (expected .fountain, .spmd, .txt or .json)");
        }
        if (LooksLikePath(input)) throw new PrismException($"file not found: {input}");
        return ShotPlanner.ToShotSpecs(PromptParser.Build(input, options), settings);
    }

    static bool LooksLikePathCandidate(string input) => input.Length < 4096 && !input.Contains('\n') && !input.Contains('\0');

    /// <summary>A missing file rather than a prompt: one line that ends in a known input extension, or has no spaces and
    /// contains a slash or ends in ".ext".</summary>
    public static bool LooksLikePath(string input)
    {
        var s = input.Trim();
        if (!LooksLikePathCandidate(s)) return false;
        var ext = Path.GetExtension(s).ToLowerInvariant();
        if (ext == ".json" || ScreenplayExtensions.Contains(ext)) return true;
        if (s.Any(char.IsWhiteSpace)) return false;
        if (s.Contains('/') || s.Contains('\\')) return true;
        return ext.Length is > 1 and <= 9 && ext.Skip(1).All(char.IsAsciiLetterOrDigit) && ext.Skip(1).Any(char.IsAsciiLetter);
    }

    static string ReadText(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (Array.IndexOf(bytes, (byte)0) >= 0 && !(bytes.Length >= 2 && (bytes[0] == 0xFF && bytes[1] == 0xFE || bytes[0] == 0xFE && bytes[1] == 0xFF)))
            throw new PrismException($"'{Path.GetFileName(path)}' contains NUL bytes: it is binary data, not text");
        using var reader = new StreamReader(new MemoryStream(bytes), new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    /// <summary>Caps the total length: the shot that crosses the cap is cut short, later shots are dropped.</summary>
    static List<ShotSpec> Trim(List<ShotSpec> specs, double maxSeconds)
    {
        if (!double.IsFinite(maxSeconds) || maxSeconds <= 0) throw new PrismException($"max seconds {maxSeconds} must be a positive number");
        var result = new List<ShotSpec>();
        double used = 0;
        foreach (var s in specs)
        {
            long budget = (long)Math.Floor((maxSeconds - used) * s.Fps + 1e-9);
            if (budget <= 0) break;
            int frames = s.FrameCount;
            if (frames <= budget) { result.Add(s); used += frames / (double)s.Fps; continue; }
            int keep = (int)budget;
            result.Add(TrimTo(s, keep));
            break;
        }
        return result;
    }

    /// <summary>The first <paramref name="keep"/> frames of a shot: keys, effects and lines past the end are dropped or clamped.</summary>
    static ShotSpec TrimTo(ShotSpec s, int keep)
    {
        int last = keep - 1;
        return s with
        {
            Frames = s.Frames is { } r ? new FrameRange(r.Start, r.Start + last) : null,
            DurationSeconds = s.Frames is null ? keep / (double)s.Fps : s.DurationSeconds,
            Characters = s.Characters.Select(c => c with
            {
                Keyframes = c.Keyframes.Where(k => k.Frame <= last).ToList(),
                KeyframeImages = c.KeyframeImages.Where(k => k.Frame <= last).ToList(),
            }).ToList(),
            Effects = s.Effects.Where(e => e.StartFrame <= last).Select(e => e with { EndFrame = e.EndFrame is { } x ? Math.Min(x, last) : null }).ToList(),
            Camera = s.Camera.Where(c => c.Frame <= last).ToList(),
            Dialogue = s.Dialogue.Where(d => d.StartFrame <= last).Select(d => d with { EndFrame = Math.Min(d.EndFrame, last) }).ToList(),
            Sounds = s.Sounds.Where(c => c.Frame <= last).ToList(),
        };
    }
}
