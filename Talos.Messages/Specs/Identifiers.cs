namespace Talos.Messages.Specs;

/// <summary>
/// The identifier rules, defined once: shot ids, production names and palette regions (<see cref="IsSafeId"/>), shot
/// keys (<see cref="ShotKey"/>), vault asset names (<see cref="IsSafeAssetName"/>). docs/shot-spec.schema.json states
/// the same rules as patterns. A reason quotes the offending value and says what is allowed, for the caller to put after
/// what the value is ("shot id 'a b' contains a space …", "asset name '../x' has a '..' segment (path traversal)").
/// </summary>
public static class Identifiers
{
    /// <summary>Separates production and shot id in a shot key (a key splits at its first).</summary>
    public const string KeySeparator = "--";

    /// <summary><c>[A-Za-z0-9][A-Za-z0-9._-]*</c>, at most <see cref="Limits.MaxIdLength"/> characters.</summary>
    public static bool IsSafeId(string? id, out string reason)
    {
        if (string.IsNullOrEmpty(id)) { reason = "must not be empty"; return false; }
        if (id.Length > Limits.MaxIdLength) { reason = $"'{Printable(id)}' is longer than {Limits.MaxIdLength} characters"; return false; }
        if (!char.IsAsciiLetterOrDigit(id[0])) { reason = $"'{Printable(id)}' must start with a letter or digit"; return false; }
        foreach (char c in id)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            { reason = $"'{Printable(id)}' contains {Describe(c)} (allowed: letters, digits, '.', '_', '-')"; return false; }
        reason = "";
        return true;
    }

    public static bool IsSafeId(string? id) => IsSafeId(id, out _);

    /// <summary>A shot's identity in the cluster: <c>production--id</c>.</summary>
    public static string ShotKey(string production, string id) => production + KeySeparator + id;

    /// <summary>Production and id of a shot key, both safe ids; false for anything else.</summary>
    public static bool TrySplitShotKey(string? key, out string production, out string id)
    {
        (production, id) = ("", "");
        if (key is null || key.Length > 2 * Limits.MaxIdLength + KeySeparator.Length) return false;
        int at = key.IndexOf(KeySeparator, StringComparison.Ordinal);
        if (at < 0 || !IsSafeId(key[..at]) || !IsSafeId(key[(at + KeySeparator.Length)..])) return false;
        (production, id) = (key[..at], key[(at + KeySeparator.Length)..]);
        return true;
    }

    public static bool IsShotKey(string? key) => TrySplitShotKey(key, out _, out _);

    /// <summary>
    /// A vault asset name (keyframe images, audio, uploads): relative, '/'-separated segments of <c>[A-Za-z0-9._-]</c>,
    /// none empty, none "." or "..", at most <see cref="Limits.MaxAssetNameLength"/> characters.
    /// </summary>
    public static bool IsSafeAssetName(string? name, out string reason)
    {
        if (string.IsNullOrEmpty(name)) { reason = "must not be empty"; return false; }
        var shown = Printable(name);
        if (name.Length > Limits.MaxAssetNameLength) { reason = $"'{shown}' is longer than {Limits.MaxAssetNameLength} characters"; return false; }
        foreach (char c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '/'))
            { reason = $"'{shown}' contains {Describe(c)} (allowed: letters, digits, '.', '_', '-', and '/' between segments)"; return false; }
        if (name[0] == '/') { reason = $"'{shown}' is absolute (starts with '/'); use a name relative to the vault"; return false; }
        foreach (var seg in name.Split('/'))
        {
            if (seg.Length == 0) { reason = $"'{shown}' has an empty segment ('//' or a trailing '/')"; return false; }
            if (seg == "..") { reason = $"'{shown}' has a '..' segment (path traversal)"; return false; }
            if (seg == ".") { reason = $"'{shown}' has a '.' segment"; return false; }
        }
        reason = "";
        return true;
    }

    /// <summary>The prefix of a content name: <c>sha256/</c> and the 64 lower-case hex digits of the bytes' SHA-256.</summary>
    public const string HashPrefix = "sha256/";

    /// <summary><c>sha256/</c> and 64 lower-case hex digits: an asset named by its content (every upload is named so).</summary>
    public static bool IsHashName(string? s) =>
        s is { Length: 71 } && s.StartsWith(HashPrefix, StringComparison.Ordinal) && !s.AsSpan(HashPrefix.Length).ContainsAnyExcept("0123456789abcdef");

    /// <summary>A character as an error message shows it: quoted, or named when it is invisible.</summary>
    public static string Describe(char c) =>
        c < 32 || c == 127 || char.IsControl(c) ? $"control character U+{(int)c:X4}" : c == '\\' ? "a backslash" : $"'{c}'";

    /// <summary>Untrusted text for an error message: control characters as '?', cut at 80 characters.</summary>
    public static string Printable(string? s)
    {
        if (s is null) return "(null)";
        var sb = new System.Text.StringBuilder(Math.Min(s.Length, 81));
        foreach (char c in s.Length > 80 ? s[..80] : s) sb.Append(c < 32 || c == 127 ? '?' : c);
        if (s.Length > 80) sb.Append('…');
        return sb.ToString();
    }
}
