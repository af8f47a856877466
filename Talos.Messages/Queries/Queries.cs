namespace Talos.Messages.Queries;

using Talos.Messages.Commands;

public sealed record GetShot(string ShotKey) : ITalosMessage;
public sealed record ListShots(string? Production = null) : ITalosMessage;
public sealed record GetProduction(string Production) : ITalosMessage;

public sealed record ShotView(
    string ShotKey, string ShotId, string Production, int Sequence, string? Title, int FrameCount, int Fps,
    string Status, string? Reason, IReadOnlyDictionary<string, StageProgress> Stages,
    string? FramesHash, string? VideoHash, string? ReportHash, bool? QualityPassed, int Revisions,
    string Transition = "cut", int Revision = 1) : ITalosMessage;

public sealed record ShotNotFound(string ShotKey) : ITalosMessage;
public sealed record ShotListing(IReadOnlyList<ShotView> Shots) : ITalosMessage;

/// <param name="Delivery">The film's delivery (sdr, hdr10, prores, png16): every shot of a production has the same.</param>
/// <param name="TransitionFrames">The longest dissolve or fade in the cut; AudioAsset and AudioOffsetSeconds: the film's audio.</param>
public sealed record ProductionView(string Production, string Status, string? Reason, IReadOnlyList<ShotView> Shots,
    string? FilmHash, int FilmFrames, string Delivery = "sdr", int TransitionFrames = 8, string? AudioAsset = null,
    double AudioOffsetSeconds = 0) : ITalosMessage;
public sealed record ProductionNotFound(string Production) : ITalosMessage;
