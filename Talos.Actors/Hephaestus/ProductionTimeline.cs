using System.Text.Json;
using Talos.Gpu.Cuttura;
using Talos.Messages.Queries;
using Talos.Vault;

namespace Talos.Actors.Hephaestus;

/// <summary>A production's cut as a <see cref="FilmTimeline"/>, for the OTIO and EDL hand-offs of the CLI and the API.</summary>
public static class ProductionTimeline
{
    /// <summary>
    /// The shots in cut order with their transitions, each shot's video at <paramref name="shotMedia"/> (a shot not cut
    /// yet is a gap; a cut shot's clip is made on demand, <see cref="Pipeline.ShotClips"/>), ECHO's findings from its report in the vault as markers over its failing frames, and the audio
    /// asset's blob at <paramref name="audioMedia"/>(hash).
    /// </summary>
    public static FilmTimeline Build(ProductionView p, IBlobVault vault, Func<ShotView, string> shotMedia, Func<string, string> audioMedia)
    {
        if (p.Shots.Count == 0) throw new CutturaException($"production '{p.Production}' has no shots");
        int fps = p.Shots[0].Fps;
        var shots = p.Shots.Select(s => new TimelineShot(s.ShotId, s.FrameCount, s.Transition,
            (s.VideoHash ?? s.FramesHash) is null ? null : shotMedia(s), s.ReportHash is null ? [] : Markers(vault.Get(s.ReportHash), s.FrameCount))).ToList();
        TimelineAudio? audio = null;
        if (p.AudioAsset is { } name)
        {
            var hash = vault.ResolveAsset(name) ?? throw new CutturaException($"production '{p.Production}' names audio '{name}' that is not in the vault");
            audio = new TimelineAudio(audioMedia(hash), (int)Math.Round(p.AudioOffsetSeconds * fps));
        }
        return new FilmTimeline(p.Production, fps, p.TransitionFrames, shots, audio);
    }

    /// <summary>
    /// An ECHO report's findings (<c>{"report": {"findings": [...], "failingFrames": [...]}}</c>), each a marker spanning
    /// the failing frames (ECHO does not tie a finding to its frames), or the shot's first frame when none are listed.
    /// </summary>
    public static IReadOnlyList<TimelineMarker> Markers(byte[] reportJson, int frames)
    {
        using var doc = JsonDocument.Parse(reportJson);
        if (!doc.RootElement.TryGetProperty("report", out var r) || !r.TryGetProperty("findings", out var f) || f.ValueKind != JsonValueKind.Array) return [];
        var failing = r.TryGetProperty("failingFrames", out var ff) && ff.ValueKind == JsonValueKind.Array
            ? ff.EnumerateArray().Select(x => x.GetInt32()).Where(x => x >= 0 && x < frames).ToList() : [];
        int first = failing.Count == 0 ? 0 : failing.Min(), length = failing.Count == 0 ? 1 : failing.Max() - first + 1;
        return f.EnumerateArray().Select(x => new TimelineMarker(x.GetString() ?? "", first, length)).ToList();
    }
}
