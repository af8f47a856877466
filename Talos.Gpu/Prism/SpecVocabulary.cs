namespace Talos.Gpu.Prism;

/// <summary>
/// The names a shot spec may use, in one place. PRISM validates against these lists and plans shots with them;
/// the stage libraries (AXIS rigs/poses, AETHER presets, STOKES effects, CUTTURA transitions) must accept every name here.
/// </summary>
public static class SpecVocabulary
{
    public static readonly IReadOnlyList<string> Rigs = ["lanky", "stocky", "round"];
    public static readonly IReadOnlyList<string> Poses = ["idle", "walk", "run", "point", "wave", "sit", "gesture", "fall", "fight"];
    public static readonly IReadOnlyList<string> Emotions = ["calm", "joy", "anger", "fear", "sadness", "surprise"];
    public static readonly IReadOnlyList<string> Eases = ["linear", "ease-in", "ease-out", "ease-in-out", "hold"];
    public static readonly IReadOnlyList<string> Effects = ["smoke", "fire", "magic", "mist", "steam", "explosion"]; // steam → mist, explosion → a bursting fire (STOKES Emitter.From)
    public static readonly IReadOnlyList<string> Backgrounds = ["day", "dusk", "night", "interior", "studio"];
    public static readonly IReadOnlyList<string> Lightings = ["key-left", "key-right", "noon", "sunset", "moody"];
    public static readonly IReadOnlyList<string> Transitions = ["cut", "dissolve", "fade"];
    public static readonly IReadOnlyList<string> Deliveries = ["sdr", "hdr10", "prores", "png16"];
    public static readonly IReadOnlyList<string> CameraMoves = ["static", "pan", "dolly", "wide", "medium", "close"];

    public const int MinFps = 1, MaxFps = 120;
    public const int MinWidth = 16, MaxWidth = 7680, MinHeight = 16, MaxHeight = 4320;
    public const double MaxDurationSeconds = 600;
    public const int MaxIdLength = 64, MaxNameLength = 64, MaxAssetLength = 200, MaxTextLength = 4000;

    /// <summary>Ids and production names: <c>[A-Za-z0-9][A-Za-z0-9._-]*</c>, at most 64 characters.</summary>
    public static bool IsSafeId(string? id, out string reason)
    {
        if (string.IsNullOrEmpty(id)) { reason = "must not be empty"; return false; }
        if (id.Length > MaxIdLength) { reason = $"is longer than {MaxIdLength} characters"; return false; }
        if (!char.IsAsciiLetterOrDigit(id[0])) { reason = $"'{Printable(id)}' must start with a letter or digit"; return false; }
        foreach (char c in id)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            { reason = $"'{Printable(id)}' contains {Describe(c)} (allowed: letters, digits, '.', '_', '-')"; return false; }
        reason = "";
        return true;
    }

    /// <summary>Asset names (keyframe images, audio): relative, characters from <c>[A-Za-z0-9._/-]</c>, no "..", no empty segment.</summary>
    public static bool IsSafeAssetName(string? name, out string reason)
    {
        if (string.IsNullOrEmpty(name)) { reason = "asset name must not be empty"; return false; }
        if (name.Length > MaxAssetLength) { reason = $"asset name is longer than {MaxAssetLength} characters"; return false; }
        foreach (char c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '/'))
            { reason = $"asset name '{Printable(name)}' contains {Describe(c)} (allowed: letters, digits, '.', '_', '-', '/')"; return false; }
        if (name[0] == '/') { reason = $"asset name '{name}' is absolute (starts with '/'); use a name relative to the vault"; return false; }
        if (name.Contains("..", StringComparison.Ordinal)) { reason = $"asset name '{name}' contains '..' (path traversal)"; return false; }
        if (name.EndsWith('/') || name.Contains("//", StringComparison.Ordinal)) { reason = $"asset name '{name}' has an empty path segment"; return false; }
        foreach (var seg in name.Split('/'))
            if (seg == ".") { reason = $"asset name '{name}' has a '.' segment"; return false; }
        reason = "";
        return true;
    }

    /// <summary>"#rrggbb" (sRGB hex).</summary>
    public static bool IsColour(string? s)
    {
        if (s is null || s.Length != 7 || s[0] != '#') return false;
        for (int i = 1; i < 7; i++) if (!char.IsAsciiHexDigit(s[i])) return false;
        return true;
    }

    public static string OneOf(IReadOnlyList<string> names) => string.Join(", ", names);

    internal static string Describe(char c) => c < 32 || c == 127 || char.IsControl(c) ? $"control character U+{(int)c:X4}" : c == '\\' ? "a backslash" : $"'{c}'";

    internal static string Printable(string s)
    {
        var sb = new System.Text.StringBuilder(Math.Min(s.Length, 80));
        foreach (char c in s.Length > 80 ? s[..80] : s) sb.Append(c < 32 || c == 127 ? '?' : c);
        if (s.Length > 80) sb.Append('…');
        return sb.ToString();
    }
}
