using System.Globalization;

namespace Talos.Messages.Specs;

/// <summary>Scenes of a screenplay to film, 1-based and inclusive: "3" or "1-4" (CLI --scenes, API scenes).</summary>
public readonly record struct SceneRange(int First, int Last)
{
    /// <summary>Reads "N" or "A-B"; <paramref name="reason"/> says what is wrong with anything else, quoting it.</summary>
    public static bool TryParse(string? text, out SceneRange range, out string reason)
    {
        range = default;
        var parts = (text ?? "").Split('-');
        var n = new int[parts.Length];
        bool numbers = parts.Length is 1 or 2;
        for (int i = 0; numbers && i < parts.Length; i++)
            numbers = int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out n[i]);
        var shown = Identifiers.Printable(text);
        if (!numbers) { reason = $"'{shown}' is not a range like 1-2 or 3"; return false; }
        if (n.Any(x => x < 1)) { reason = $"'{shown}' is not a range like 1-2 or 3 (scenes are numbered from 1)"; return false; }
        if (n[^1] < n[0]) { reason = $"'{shown}' is not a range like 1-2 or 3 (it ends before it starts)"; return false; }
        range = new SceneRange(n[0], n[^1]);
        reason = "";
        return true;
    }

    public override string ToString() => First == Last ? $"{First}" : $"{First}-{Last}";
}
