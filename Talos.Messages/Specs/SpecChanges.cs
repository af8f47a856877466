using System.Text.Json;
using System.Text.Json.Nodes;

namespace Talos.Messages.Specs;

/// <summary>What changed between two revisions of a shot spec: the JSON paths (camelCase, as docs/shot-spec.md names
/// them) whose values differ, e.g. <c>$.characters[0].palette.coat</c>. Journalled with each revision.</summary>
public static class SpecChanges
{
    static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static IReadOnlyList<string> Between(ShotSpec before, ShotSpec after)
    {
        var changes = new List<string>();
        Diff(JsonSerializer.SerializeToNode(before, Options), JsonSerializer.SerializeToNode(after, Options), "$", changes);
        return changes;
    }

    static void Diff(JsonNode? a, JsonNode? b, string path, List<string> changes)
    {
        switch (a, b)
        {
            case (JsonObject oa, JsonObject ob):
                foreach (var name in oa.Select(kv => kv.Key).Union(ob.Select(kv => kv.Key)).Order(StringComparer.Ordinal))
                    Diff(oa[name], ob[name], $"{path}.{name}", changes);
                break;
            case (JsonArray xa, JsonArray xb) when xa.Count == xb.Count:
                for (int i = 0; i < xa.Count; i++) Diff(xa[i], xb[i], $"{path}[{i}]", changes);
                break;
            default:
                if (!JsonNode.DeepEquals(a, b)) changes.Add(path);
                break;
        }
    }
}
