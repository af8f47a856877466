using Talos.Messages.Specs;

namespace Talos.Gpu.Prism.Commercials;

/// <summary>
/// One aspect ratio a spot or film ships in: its name (<c>16x9</c>, <c>9x16</c>, <c>1x1</c>, <c>4x5</c>) and frame size.
/// Sizes follow the landscape height H (1080 by default): 16x9 is H·16/9 × H, 9x16 is H × H·16/9, 1x1 is H × H and 4x5 is
/// H × H·5/4, each side rounded to an even number of pixels (H.264) — 1920×1080, 1080×1920, 1080×1080, 1080×1350.
/// </summary>
public sealed record Deliverable(string Name, int Width, int Height)
{
    public const int DefaultHeight = 1080;
    public static readonly IReadOnlyList<string> Names = ["16x9", "9x16", "1x1", "4x5"];

    public bool Portrait => Height > Width;

    /// <summary>The format <paramref name="name"/> at landscape height <paramref name="height"/>; PrismException for an unknown name or a size outside <see cref="Limits"/>.</summary>
    public static Deliverable For(string name, int height)
    {
        static int Even(double v) => 2 * (int)Math.Round(v / 2, MidpointRounding.AwayFromZero);
        var (w, h) = name switch
        {
            "16x9" => (Even(height * 16.0 / 9), height),
            "9x16" => (height, Even(height * 16.0 / 9)),
            "1x1" => (height, height),
            "4x5" => (height, Even(height * 5.0 / 4)),
            _ => throw new PrismException($"deliverable '{Identifiers.Printable(name)}' is unknown; expected {string.Join(", ", Names)}"),
        };
        if (Limits.WidthProblem(w) is { } bw) throw new PrismException($"deliverable {name} at height {height}: width {bw}");
        if (Limits.HeightProblem(h) is { } bh) throw new PrismException($"deliverable {name} at height {height}: height {bh}");
        return new Deliverable(name, w, h);
    }

    /// <summary>A comma-separated list (<c>16x9,9x16,1x1</c>) in the order given; duplicates and unknown names are refused.</summary>
    public static IReadOnlyList<Deliverable> ParseList(string list, int height)
    {
        var names = list.Split(',', StringSplitOptions.TrimEntries);
        if (names.Any(n => n.Length == 0)) throw new PrismException($"deliverables '{Identifiers.Printable(list)}' has an empty entry; expected names from {string.Join(", ", Names)} separated by commas");
        if (names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1) is { } dup) throw new PrismException($"deliverable {Identifiers.Printable(dup.Key)} is named twice");
        return names.Select(n => For(n, height)).ToList();
    }

    /// <summary>Where a deliverable's file goes: <paramref name="output"/> itself when it is the only one, else its name before the extension (spot.mp4 → spot.9x16.mp4).</summary>
    public string OutputPath(string output, int count) =>
        count <= 1 ? output : Path.Combine(Path.GetDirectoryName(output) ?? "", $"{Path.GetFileNameWithoutExtension(output)}.{Name}{Path.GetExtension(output)}");
}
