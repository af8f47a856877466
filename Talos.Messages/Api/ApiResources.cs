using Talos.Messages.Commands;
using Talos.Messages.Queries;
using Talos.Messages.Specs;

namespace Talos.Messages.Api;

/// <summary>Where the pipeline API's routes live on the seed.</summary>
public static class ApiPaths
{
    public const string Prefix = "/api/v1";
}

/// <summary>A shot as the API shows it: Hephaestus's view plus overall progress (0..1) and links. <paramref name="Revision"/> is
/// the spec revision (a resubmitted, edited spec is the next); <paramref name="Revisions"/> counts ECHO's correction rounds.
/// <paramref name="VideoHref"/> is there once the shot's frames are (its review clip is made the first time it is asked for);
/// <paramref name="VideoHash"/> names a clip only for shots completed before clips were made on demand.</summary>
public sealed record ShotResource(
    string Key, string Id, string Production, int Sequence, string? Title, int FrameCount, int Fps, string Status, string? Reason,
    double Progress, IReadOnlyDictionary<string, StageProgress> Stages, string? FramesHash, string? VideoHash, string? ReportHash,
    bool? QualityPassed, int Revisions, string Href, string? VideoHref, int Revision = 1)
{
    public static ShotResource From(ShotView v)
    {
        double progress = v.Status == ShotStatus.Completed ? 1
            : v.Stages.Count == 0 ? 0
            : Math.Round((double)v.Stages.Values.Sum(s => s.DoneChunks) / Math.Max(1, v.Stages.Values.Sum(s => s.TotalChunks)), 4);
        var href = $"{ApiPaths.Prefix}/shots/{Uri.EscapeDataString(v.ShotKey)}";
        return new ShotResource(v.ShotKey, v.ShotId, v.Production, v.Sequence, v.Title, v.FrameCount, v.Fps, v.Status, v.Reason,
            progress, new SortedDictionary<string, StageProgress>(v.Stages.ToDictionary(), StringComparer.Ordinal), v.FramesHash, v.VideoHash,
            v.ReportHash, v.QualityPassed, v.Revisions, href, (v.VideoHash ?? v.FramesHash) is null ? null : href + "/video", v.Revision);
    }
}

public sealed record ShotList(IReadOnlyList<ShotResource> Shots);

/// <summary>
/// A production to submit: exactly one of <c>fountain</c> (screenplay text), <c>prompt</c> (plain words) or
/// <c>shots</c> (shot specs). Screenplays and prompts go through PRISM on the seed with width, height, fps, scenes
/// ("A-B") and maxSeconds; specs keep their own. The production is named by <c>production</c> or after the content.
/// A <c>cast</c> dresses the named characters in its rigs, palettes and voices (uploaded rig files by name or hash).
/// </summary>
public sealed record ProductionRequest(string? Production, string? Fountain, string? Prompt, IReadOnlyList<ShotSpec>? Shots,
    int? Width, int? Height, int? Fps, string? Scenes, double? MaxSeconds, string? AudioAsset, double? AudioOffsetSeconds, int? TransitionFrames,
    CastRequest? Cast = null);

/// <summary>A production's cast (docs/cast.md): screenplay character (matched case-insensitively) → rig, palette, voice.</summary>
public sealed record CastRequest(IReadOnlyDictionary<string, CastCharacter> Characters);

/// <param name="Rig">a built-in rig (lanky, stocky, round), or an uploaded rig file by its asset name or content hash (sha256/HASH)</param>
/// <param name="Palette">region → "#rrggbb" over the rig's default palette, or an uploaded palette asset's name or hash</param>
/// <param name="Voice">the scratch voice of the character's dialogue: an espeak-ng variant, optionally :pitch (f2, m3:28)</param>
public sealed record CastCharacter(string Rig, object? Palette = null, string? Voice = null);

public sealed record ProductionAccepted(string Production, IReadOnlyList<string> ShotKeys, string Href);

/// <param name="Delivery">sdr, hdr10, prores or png16: what <c>/film</c> answers (sdr/hdr10 MP4, prores MOV, png16 a zip).</param>
public sealed record ProductionResource(string Production, string Status, string? Reason, IReadOnlyList<ShotResource> Shots, double Progress,
    string Delivery, string? FilmHash, int FilmFrames, string? FilmHref)
{
    public static ProductionResource From(ProductionView v)
    {
        var shots = v.Shots.Select(ShotResource.From).ToList();
        return new ProductionResource(v.Production, v.Status, v.Reason, shots, shots.Count == 0 ? 0 : Math.Round(shots.Average(s => s.Progress), 4),
            v.Delivery, v.FilmHash, v.FilmFrames, v.FilmHash is null ? null : $"{ApiPaths.Prefix}/productions/{v.Production}/film");
    }
}

public sealed record AssetStored(string Hash, string Kind, long Bytes, string Asset, string? Name);

public sealed record QueueEntry(int Position, string Key, string Production, int Sequence, string Status, double Progress, int FrameCount);
public sealed record QueueView(IReadOnlyList<QueueEntry> Shots);

public sealed record OperatorResult(string Key, string Action, bool Acknowledged, string Message);
public sealed record MemberActionResult(string Address, string Action, bool Acknowledged, string Message);
