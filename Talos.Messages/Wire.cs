namespace Talos.Messages;

/// <summary>
/// Collections inside wire messages are stored as plain arrays and dictionaries. Hyperion writes a value's runtime
/// type, and a collection expression (<c>[a, b]</c>) compiles to a type private to the assembly that wrote it, which a
/// node without that assembly (a studio's client, a test) cannot load. Message types built by callers normalise here.
/// </summary>
public static class Wire
{
    public static IReadOnlyList<T> List<T>(IReadOnlyList<T>? items) =>
        items is null || items.Count == 0 ? [] : items as T[] ?? items.ToArray();

    public static IReadOnlyDictionary<TKey, TValue>? Map<TKey, TValue>(IReadOnlyDictionary<TKey, TValue>? map) where TKey : notnull =>
        map is null or Dictionary<TKey, TValue> ? map : new Dictionary<TKey, TValue>(map);
}
