using System.CommandLine;
using Talos.Gpu.Axis;
using Talos.Gpu.Cuttura.Titles;
using Talos.Gpu.Prism;
using Talos.Gpu.Prism.Commercials;
using Talos.Messages.Specs;

namespace Talos.Cli.Render;

/// <summary>
/// <c>--deliverables</c>, shared by <c>talos render</c> and <c>talos commercial</c>: which aspect ratios, at what sizes
/// (from the landscape height), each format's safe areas, the shots reframed for it under a production of their own, and
/// the layout JSON written beside each file.
/// </summary>
static class DeliverableOptions
{
    public static Option<string?> DeliverablesOption(string? defaultValue = null) => new("--deliverables")
    {
        Description = $"aspect ratios to deliver, reframed, each to its own file (--out spot.mp4 → spot.16x9.mp4, …): {string.Join(",", Deliverable.Names)}; sizes from --height, the landscape height",
        DefaultValueFactory = defaultValue is null ? null! : _ => defaultValue,
    };

    public static Option<string?> SubtitlesOption() => new("--subtitles")
    {
        Description = "the dialogue as subtitles: burn (into the picture) and/or srt, vtt (sidecar files named after --out), comma-separated",
    };

    /// <summary>The formats of <paramref name="list"/> at landscape height <paramref name="height"/> (default 1080); null when no list is given.</summary>
    public static IReadOnlyList<Deliverable>? Formats(string? list, int? width, int? height)
    {
        if (list is null) return null;
        if (width is not null) throw new UsageException("--width does not go with --deliverables: each format's size follows --height (the landscape height)");
        int h = height ?? Deliverable.DefaultHeight;
        if (Limits.HeightProblem(h) is { } bad) throw new UsageException($"--height {bad}");
        try { return Deliverable.ParseList(list, h); }
        catch (PrismException e) { throw new UsageException($"--deliverables: {e.Message}"); }
    }

    public static Bounds TitleSafe(Deliverable f) => ToBounds(SafeAreas.TitleSafe(f.Width, f.Height));
    public static Bounds ActionSafe(Deliverable f) => ToBounds(SafeAreas.ActionSafe(f.Width, f.Height));
    static Bounds ToBounds(SkiaSharp.SKRect r) => new(r.Left, r.Top, r.Right, r.Bottom);

    /// <summary>
    /// The shots for one format: at its size, characters and camera reframed into its title-safe area
    /// (<see cref="Reframing"/>), under the production <c>NAME-FORMAT</c> so each format renders and caches as its own;
    /// checked as any spec is.
    /// </summary>
    public static IReadOnlyList<ShotSpec> Reframe(IReadOnlyList<ShotSpec> specs, Deliverable format)
    {
        var safe = TitleSafe(format);
        var framed = specs.Select(s => Reframing.Reframe(s, format.Width, format.Height, safe) with { Production = $"{s.Production}-{format.Name}" }).ToList();
        foreach (var s in framed) ShotSpecJson.Parse(ShotSpecJson.Serialize(s)); // every problem, with its JSON path
        return framed;
    }

    /// <summary>Writes <c>NAME.layout.json</c> beside <paramref name="video"/>: safe areas, characters' boxes, titles' placed boxes.</summary>
    public static string WriteLayout(string video, Deliverable format, IReadOnlyList<ShotSpec> specs, IReadOnlyList<LayoutTitle> titles)
    {
        var layout = DeliverableLayout.Of(format.Name, specs, TitleSafe(format), ActionSafe(format), titles);
        var path = DeliverableLayout.PathFor(video);
        CliFiles.Write(path, layout.ToJson());
        return path;
    }
}
