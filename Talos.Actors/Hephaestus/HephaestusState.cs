using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Events;
using Talos.Messages.Queries;
using Talos.Messages.Specs;

namespace Talos.Actors.Hephaestus;

public sealed class ShotRecord(string key, ShotSpec spec)
{
    public string Key { get; } = key;
    public ShotSpec Spec { get; } = spec;
    public string Status { get; set; } = ShotStatus.Queued;
    public string? Reason { get; set; }
    public string? FramesHash { get; set; }
    public string? VideoHash { get; set; }
    public string? ReportHash { get; set; }
    public bool? QualityPassed { get; set; }
    public int Revisions { get; set; }
    /// <summary>Scheduling priority (higher starts first); 0 unless an operator or pipeline set it.</summary>
    public int Priority { get; set; }
    /// <summary>Live, not journalled: shots report it as they go.</summary>
    public IReadOnlyDictionary<string, StageProgress> Stages { get; set; } = new Dictionary<string, StageProgress>();

    public ShotView View() => new(Key, Spec.Id, Spec.Production, Spec.Sequence, Spec.Title, Spec.FrameCount, Spec.Fps,
        Status, Reason, Stages, FramesHash, VideoHash, ReportHash, QualityPassed, Revisions, Spec.Transition);
}

public sealed class ProductionRecord(ProductionAdmitted admitted)
{
    public ProductionAdmitted Admitted { get; } = admitted;
    public string? FilmHash { get; set; }
    public int FilmFrames { get; set; }
    public string? EditFailure { get; set; }
}

/// <summary>The registry Hephaestus rebuilds from its journal: every admitted shot and production.</summary>
public sealed class HephaestusState
{
    public Dictionary<string, ShotRecord> Shots { get; } = new();
    public Dictionary<string, ProductionRecord> Productions { get; } = new();

    public static string KeyOf(ShotSpec spec) => Identifiers.ShotKey(spec.Production, spec.Id);

    public void Apply(ITalosEvent e)
    {
        switch (e)
        {
            case ShotAdmitted a:
                Shots[a.ShotKey] = new ShotRecord(a.ShotKey, a.Spec); break;
            case ProductionAdmitted p:
                Productions[p.Production] = new ProductionRecord(p); break;
            case ShotOutcomeRecorded o when Shots.TryGetValue(o.ShotKey, out var s):
                s.Status = o.Status; s.Reason = o.Reason; s.FramesHash = o.FramesHash; s.VideoHash = o.VideoHash;
                s.ReportHash = o.ReportHash; s.QualityPassed = o.QualityPassed; s.Revisions = o.Revisions;
                break;
            case ShotPriorityChanged c when Shots.TryGetValue(c.ShotKey, out var s):
                s.Priority = c.Priority; break;
            case ShotRetryRequested r when Shots.TryGetValue(r.ShotKey, out var s):
                s.Status = ShotStatus.Rendering; s.Reason = null;
                foreach (var p in Productions.Values.Where(p => p.Admitted.ShotKeys.Contains(r.ShotKey))) p.EditFailure = null;
                break;
            case ProductionEdited done when Productions.TryGetValue(done.Production, out var p):
                p.FilmHash = done.FilmHash; p.FilmFrames = done.Frames; p.EditFailure = null; break;
            case ProductionEditFailed f when Productions.TryGetValue(f.Production, out var p):
                p.EditFailure = f.Reason; break;
        }
    }

    public IEnumerable<ShotRecord> ShotsOf(ProductionRecord p) => p.Admitted.ShotKeys.Select(k => Shots[k]);

    /// <summary>rendering | editing | completed | failed | cancelled.</summary>
    public string StatusOf(ProductionRecord p, out string? reason)
    {
        reason = null;
        var shots = ShotsOf(p).ToList();
        var failed = shots.FirstOrDefault(s => s.Status == ShotStatus.Failed);
        if (failed is not null) { reason = $"shot {failed.Spec.Id}: {failed.Reason}"; return ShotStatus.Failed; }
        if (shots.Any(s => s.Status == ShotStatus.Cancelled)) { reason = "a shot was cancelled"; return ShotStatus.Cancelled; }
        if (p.EditFailure is not null) { reason = "edit: " + p.EditFailure; return ShotStatus.Failed; }
        if (p.FilmHash is not null) return ShotStatus.Completed;
        return shots.All(s => s.Status == ShotStatus.Completed) ? "editing" : ShotStatus.Rendering;
    }

    public ProductionView View(ProductionRecord p)
    {
        var status = StatusOf(p, out var reason);
        var shots = ShotsOf(p).ToList();
        return new ProductionView(p.Admitted.Production, status, reason, shots.Select(s => s.View()).ToList(), p.FilmHash, p.FilmFrames,
            shots.Count == 0 ? "sdr" : shots[0].Spec.Delivery, p.Admitted.TransitionFrames, p.Admitted.AudioAsset, p.Admitted.AudioOffsetSeconds);
    }
}
