using Talos.Messages.Events;

namespace Talos.Actors.Hephaestus;

/// <summary>
/// The order in which admitted shots start rendering when the farm is full (more shots than
/// <see cref="Pipeline.RenderSettingsOptions.MaxActiveShots"/>): the highest priority first; among shots of equal
/// priority the productions take turns (round-robin by name, so one big production cannot starve another); within a
/// production, cut order. Pure: Hephaestus keeps one and asks it for the next shot each time a slot frees.
/// </summary>
public sealed class AdmissionQueue
{
    string? _lastProduction;

    public ShotRecord? Next(IEnumerable<ShotRecord> waiting)
    {
        var list = waiting.ToList();
        if (list.Count == 0) return null;
        int top = list.Max(s => s.Priority);
        var candidates = list.Where(s => s.Priority == top).ToList();
        var productions = candidates.Select(s => s.Spec.Production).Distinct().OrderBy(p => p, StringComparer.Ordinal).ToList();
        var production = productions.FirstOrDefault(p => _lastProduction is null || string.CompareOrdinal(p, _lastProduction) > 0) ?? productions[0];
        _lastProduction = production;
        return candidates.Where(s => s.Spec.Production == production).OrderBy(s => s.Spec.Sequence).ThenBy(s => s.Key, StringComparer.Ordinal).First();
    }
}
