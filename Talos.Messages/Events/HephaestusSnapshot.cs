using Talos.Messages.Specs;

namespace Talos.Messages.Events;

/// <summary>
/// What Hephaestus's registry keeps of one shot: its current spec and spec revision, the journalled status, the outcome
/// of its latest finished revision and its priority. Immutable; <c>HephaestusState.Apply</c> makes the next one. Live
/// status and stage progress are not here: the actor keeps them as the shot reports them (the last progress stays after it finishes).
/// </summary>
/// <param name="Revision">The spec revision (1 for the first spec; each edited resubmission the next).</param>
public sealed record ShotRecord(string Key, ShotSpec Spec, int Revision = 1)
{
    public string Status { get; init; } = ShotStatus.Queued;
    public string? Reason { get; init; }
    /// <summary>The spec revision the outcome below (status, reason, hashes) was recorded for; 0 before any.</summary>
    public int OutcomeRevision { get; init; }
    public string? FramesHash { get; init; }
    public string? VideoHash { get; init; }
    public string? ReportHash { get; init; }
    public bool? QualityPassed { get; init; }
    /// <summary>ECHO's correction rounds of the recorded outcome.</summary>
    public int Revisions { get; init; }
    /// <summary>Scheduling priority (higher starts first); 0 unless an operator or pipeline set it.</summary>
    public int Priority { get; init; }
}

/// <summary>
/// A production as the registry keeps it: its shot list and sound (as admitted, or as last revised), its film and the
/// spec revision of each shot the film was cut from (<see cref="FilmCut"/>; null when there is no film or the shot
/// list, audio or transitions changed since it was cut).
/// </summary>
public sealed record ProductionRecord(string Production, IReadOnlyList<string> ShotKeys, string? AudioAsset, double AudioOffsetSeconds,
    int TransitionFrames)
{
    public string? FilmHash { get; init; }
    public int FilmFrames { get; init; }
    public string? EditFailure { get; init; }
    public IReadOnlyDictionary<string, int>? FilmCut { get; init; }
}

/// <summary>
/// Hephaestus's registry at one journal position (an Akka.Persistence snapshot), written by the event serializer under
/// its own manifest like any journal record. Shots and productions in key order, so equal registries are equal bytes.
/// </summary>
public sealed record HephaestusSnapshot(IReadOnlyList<ShotRecord> Shots, IReadOnlyList<ProductionRecord> Productions) : ITalosEvent;
