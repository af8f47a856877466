using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Queries;

namespace Talos.Cluster.Seed.Api;

/// <summary>A shot as the API shows it: Hephaestus's view plus overall progress (0..1) and links.</summary>
public sealed record ShotResource(
    string Key, string Id, string Production, int Sequence, string? Title, int FrameCount, int Fps, string Status, string? Reason,
    double Progress, IReadOnlyDictionary<string, StageProgress> Stages, string? FramesHash, string? VideoHash, string? ReportHash,
    bool? QualityPassed, int Revisions, string Href, string? VideoHref)
{
    public static ShotResource From(ShotView v)
    {
        double progress = v.Status == ShotStatus.Completed ? 1
            : v.Stages.Count == 0 ? 0
            : Math.Round((double)v.Stages.Values.Sum(s => s.DoneChunks) / Math.Max(1, v.Stages.Values.Sum(s => s.TotalChunks)), 4);
        var href = $"/api/v1/shots/{Uri.EscapeDataString(v.ShotKey)}";
        return new ShotResource(v.ShotKey, v.ShotId, v.Production, v.Sequence, v.Title, v.FrameCount, v.Fps, v.Status, v.Reason,
            progress, new SortedDictionary<string, StageProgress>(v.Stages.ToDictionary(), StringComparer.Ordinal), v.FramesHash, v.VideoHash,
            v.ReportHash, v.QualityPassed, v.Revisions, href, v.VideoHash is null ? null : href + "/video");
    }
}

public sealed record ShotList(IReadOnlyList<ShotResource> Shots);
