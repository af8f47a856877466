using Spectre.Console;
using Talos.Gpu.Cuttura.Titles;
using Talos.Messages.Specs;

namespace Talos.Cli.Render;

/// <summary>
/// <c>--subtitles burn|srt|vtt</c> (comma-separated), shared by <c>talos render</c> and <c>talos commercial</c>: the
/// dialogue's cues (timed by where each line falls in the cut film) burned into the picture and/or written as sidecar
/// SubRip and WebVTT files named after the video (spot.mp4 → spot.srt, spot.vtt). Burning goes through
/// <see cref="FilmOverlay"/> in the same pass as any titles.
/// </summary>
sealed record SubtitleRequest(bool Burn, bool Srt, bool Vtt)
{
    public static readonly IReadOnlyList<string> Kinds = ["burn", "srt", "vtt"];
    public static SubtitleRequest None { get; } = new(false, false, false);

    public static SubtitleRequest Parse(string? value, string delivery)
    {
        if (value is null) return None;
        var parts = value.Split(',', StringSplitOptions.TrimEntries);
        foreach (var p in parts)
            if (!Kinds.Contains(p)) throw new UsageException($"--subtitles '{Identifiers.Printable(p)}' is unknown; expected burn, srt or vtt (comma-separated, e.g. srt,vtt)");
        var request = new SubtitleRequest(parts.Contains("burn"), parts.Contains("srt"), parts.Contains("vtt"));
        if (request.Burn && delivery != "sdr") throw new UsageException($"--subtitles burn draws into an sdr film; the {delivery} delivery is not re-encoded: use srt or vtt sidecars");
        return request;
    }

    /// <summary>
    /// After a film is written to <paramref name="video"/>: the titles (<paramref name="titles"/>, may be null) and burned
    /// subtitles drawn over it in one pass, then the sidecars. <paramref name="specs"/> are the shots in cut order.
    /// </summary>
    public async Task FinishAsync(string video, IReadOnlyList<ShotSpec> specs, TitleScene? titles, CancellationToken ct)
    {
        var cues = Burn || Srt || Vtt ? SubtitleCues.FromShots(specs) : [];
        var elements = new List<SceneElement>(titles?.Elements ?? []);
        if (Burn) elements.AddRange(SubtitleCues.ToScene(cues, specs[0].Resolution.Width, specs[0].Resolution.Height, specs[0].Fps).Elements);
        if (elements.Count > 0)
        {
            var tmp = video + ".titles.mp4";
            try
            {
                await FilmOverlay.ApplyAsync(video, tmp, new TitleScene(elements), ct: ct);
                File.Move(tmp, video, overwrite: true);
            }
            finally { File.Delete(tmp); }
        }
        if (Srt) WriteSidecar(Path.ChangeExtension(video, ".srt"), Talos.Gpu.Cuttura.Titles.Srt.Write(cues));
        if (Vtt) WriteSidecar(Path.ChangeExtension(video, ".vtt"), WebVtt.Write(cues));
    }

    static void WriteSidecar(string path, string text)
    {
        CliFiles.Write(path, text);
        AnsiConsole.MarkupLine($"[green]subtitles[/]: {Markup.Escape(path)}");
    }
}
