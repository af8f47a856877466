namespace Talos.Messages.Specs;

/// <summary>
/// The bounds every input is held to, defined once: CLI options, API requests, shot specs and PRISM's render settings
/// check against these, and docs/shot-spec.schema.json / docs/scenegraph.schema.json state the same numbers (a test
/// compares them). Each <c>…Problem</c> answers null when the value is fine, else what is wrong with it, value first
/// ("0 is outside 1..120"), for the caller to put after the name of its field ("--fps", "$.fps", "fps").
/// </summary>
public static class Limits
{
    public const int MinWidth = 16, MaxWidth = 7680, MinHeight = 16, MaxHeight = 4320;
    public const int MinFps = 1, MaxFps = 120;
    /// <summary>Longest shot (durationSeconds, frames at the shot's fps, a scene graph shot).</summary>
    public const double MaxShotSeconds = 600;
    /// <summary>Longest film (--max-seconds, maxSeconds) and furthest audio offset either way; times in a scene graph.</summary>
    public const double MaxFilmSeconds = 3600;
    /// <summary>Images taken in (uploads, background plates, depth maps): at most this many pixels a side and in all
    /// (16384 × 4096, a long panorama), checked from the file's header before decoding.</summary>
    public const int MaxImageSide = 16384, MaxImagePixels = 16384 * 4096;
    /// <summary>Multiplane layers of one background plate.</summary>
    public const int MaxPlateLayers = 8;
    public const int MaxIdLength = 64, MaxNameLength = 64, MaxAssetNameLength = 200, MaxTextLength = 4000;

    /// <summary>Frame width: even (H.264 needs even sizes), <see cref="MinWidth"/>..<see cref="MaxWidth"/>.</summary>
    public static string? WidthProblem(int width) => SizeProblem(width, MinWidth, MaxWidth);

    /// <summary>Frame height: even, <see cref="MinHeight"/>..<see cref="MaxHeight"/>.</summary>
    public static string? HeightProblem(int height) => SizeProblem(height, MinHeight, MaxHeight);

    public static string? FpsProblem(int fps) => fps is < MinFps or > MaxFps ? $"{fps} is outside {MinFps}..{MaxFps}" : null;

    /// <summary>A cap on a film's length: (0, <see cref="MaxFilmSeconds"/>] seconds.</summary>
    public static string? MaxSecondsProblem(double seconds) =>
        double.IsFinite(seconds) && seconds > 0 && seconds <= MaxFilmSeconds ? null : $"{seconds} is outside (0, {MaxFilmSeconds}] seconds";

    /// <summary>An audio offset: -<see cref="MaxFilmSeconds"/>..<see cref="MaxFilmSeconds"/> seconds.</summary>
    public static string? AudioOffsetProblem(double seconds) =>
        double.IsFinite(seconds) && Math.Abs(seconds) <= MaxFilmSeconds ? null : $"{seconds} is outside -{MaxFilmSeconds}..{MaxFilmSeconds} seconds";

    /// <summary>Integrated loudness targets of a film's mix (EBU R128 -23, web -14, ...): -40..-5 LUFS.</summary>
    public const double MinLoudness = -40, MaxLoudness = -5, DefaultLoudness = -23;
    /// <summary>ECHO's repair budget in percent of a shot's render time (<see cref="ShotSpec.EchoBudget"/>): 0..100, default 10.</summary>
    public const double MaxEchoBudget = 100, DefaultEchoBudget = 10;
    /// <summary>What one of ECHO's repairs (a full-size FLUX inbetween of two frames, or a repaint from it) costs, in
    /// frames of the shot's render time (measured on the README film: docs/ECHO.md).</summary>
    public const double EchoRepairCost = 2;

    /// <summary>An ECHO budget: 0..<see cref="MaxEchoBudget"/> percent.</summary>
    public static string? EchoBudgetProblem(double percent) =>
        double.IsFinite(percent) && percent >= 0 && percent <= MaxEchoBudget ? null : $"{percent} % is outside 0..{MaxEchoBudget} %";

    /// <summary>How many frames ECHO may repair in a shot of <paramref name="frames"/> frames with a budget of <paramref name="percent"/> %.</summary>
    public static int EchoRepairFrames(double? percent, int frames) =>
        (int)Math.Floor((percent ?? DefaultEchoBudget) / 100.0 * frames / EchoRepairCost + 1e-9);

    /// <summary>A loudness target: <see cref="MinLoudness"/>..<see cref="MaxLoudness"/> LUFS.</summary>
    public static string? LoudnessProblem(double lufs) =>
        double.IsFinite(lufs) && lufs >= MinLoudness && lufs <= MaxLoudness ? null : $"{lufs} LUFS is outside {MinLoudness}..{MaxLoudness} LUFS";

    static string? SizeProblem(int v, int lo, int hi) =>
        v < lo || v > hi ? $"{v} is outside {lo}..{hi}" : v % 2 != 0 ? $"{v} is odd; H.264 needs even sizes" : null;
}
