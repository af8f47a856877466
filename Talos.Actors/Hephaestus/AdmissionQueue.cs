using Talos.Messages.Events;

namespace Talos.Actors.Hephaestus;

/// <summary>
/// The order in which admitted shots start rendering when the farm is full (more shots than
/// <see cref="Pipeline.RenderSettingsOptions.MaxActiveShots"/>): the highest priority first; among shots of equal
/// priority the productions take turns (round-robin by name, so one big production cannot starve another); within a
/// production, cut order. Hephaestus keeps one: shots are added as they wait, re-added when their priority or spec
/// changes, removed when they start or leave; <see cref="Next"/> takes the next one out. Every operation is O(log n)
/// in the shots waiting (a sorted tree per level: priorities, then productions, then cut order), so 100,000 queued shots
/// cost a freed slot no more than 100 do.
/// </summary>
public sealed class AdmissionQueue
{
    static readonly IComparer<(int Sequence, string Key)> CutOrder =
        Comparer<(int Sequence, string Key)>.Create((a, b) => a.Sequence != b.Sequence ? a.Sequence.CompareTo(b.Sequence) : string.CompareOrdinal(a.Key, b.Key));

    /// <summary>Priority, highest first → the productions with shots waiting at it → each production's shots in cut order.</summary>
    readonly SortedDictionary<int, Level> _levels = new(Comparer<int>.Create((a, b) => b.CompareTo(a)));
    readonly Dictionary<string, (int Priority, string Production, int Sequence)> _entries = new(StringComparer.Ordinal);
    string? _lastProduction;

    sealed class Level
    {
        public readonly SortedSet<string> Productions = new(StringComparer.Ordinal);
        public readonly Dictionary<string, SortedSet<(int Sequence, string Key)>> Shots = new(StringComparer.Ordinal);
    }

    public int Count => _entries.Count;

    public bool Contains(string key) => _entries.ContainsKey(key);

    /// <summary>Queues <paramref name="shot"/>, or moves it to where its current priority, production and cut position put it.</summary>
    public void Add(ShotRecord shot)
    {
        Remove(shot.Key);
        var entry = (shot.Priority, shot.Spec.Production, shot.Spec.Sequence);
        _entries[shot.Key] = entry;
        if (!_levels.TryGetValue(entry.Priority, out var level)) _levels[entry.Priority] = level = new Level();
        if (!level.Shots.TryGetValue(entry.Production, out var shots))
        {
            level.Shots[entry.Production] = shots = new SortedSet<(int, string)>(CutOrder);
            level.Productions.Add(entry.Production);
        }
        shots.Add((entry.Sequence, shot.Key));
    }

    /// <summary>Takes a waiting shot out of the queue (it started, was cancelled, or finished); false when it was not waiting.</summary>
    public bool Remove(string key)
    {
        if (!_entries.Remove(key, out var entry)) return false;
        var level = _levels[entry.Priority];
        var shots = level.Shots[entry.Production];
        shots.Remove((entry.Sequence, key));
        if (shots.Count > 0) return true;
        level.Shots.Remove(entry.Production);
        level.Productions.Remove(entry.Production);
        if (level.Productions.Count == 0) _levels.Remove(entry.Priority);
        return true;
    }

    /// <summary>The next shot to start, taken out of the queue; null when none waits.</summary>
    public string? Next()
    {
        if (_levels.Count == 0) return null;
        var level = _levels.First().Value;
        // The production after the last one served, in name order (wrapping round): last + "\0" is the least name above it.
        string production = level.Productions.Min!;
        if (_lastProduction is not null)
        {
            var above = _lastProduction + "\0";
            if (string.CompareOrdinal(above, level.Productions.Max) <= 0) production = level.Productions.GetViewBetween(above, level.Productions.Max!).Min!;
        }
        _lastProduction = production;
        var key = level.Shots[production].Min.Key;
        Remove(key);
        return key;
    }
}
