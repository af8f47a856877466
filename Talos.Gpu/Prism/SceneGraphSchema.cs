using NJsonSchema;

namespace Talos.Gpu.Prism;

/// <summary>docs/scenegraph.schema.json (embedded): checks scene graph JSON from outside PRISM, e.g. an LLM's answer.</summary>
public static class SceneGraphSchema
{
    static readonly Lazy<JsonSchema> Schema = new(() =>
    {
        using var stream = typeof(SceneGraphSchema).Assembly.GetManifestResourceStream("scenegraph.schema.json")
                           ?? throw new InvalidOperationException("scenegraph.schema.json is not embedded in Talos.Gpu");
        using var reader = new StreamReader(stream);
        return JsonSchema.FromJsonAsync(reader.ReadToEnd()).GetAwaiter().GetResult();
    });

    /// <summary>The schema's text, as shipped.</summary>
    public static string Json => Schema.Value.ToJson();

    /// <summary>Every place where <paramref name="json"/> breaks the schema ("path: kind"), or an empty list.</summary>
    public static IReadOnlyList<string> Validate(string json)
    {
        try
        {
            return Schema.Value.Validate(json).Select(e => $"{(string.IsNullOrEmpty(e.Path) ? "#" : e.Path)}: {e.Kind}").ToList();
        }
        catch (Exception e) when (e is Newtonsoft.Json.JsonException or FormatException)
        {
            return [$"#: not JSON ({e.Message})"];
        }
    }

    /// <summary>Parses scene graph JSON that must follow the schema and PRISM's own rules; <see cref="PrismException"/> names every problem.</summary>
    public static SceneGraph Parse(string json, string what = "scene graph")
    {
        var errors = Validate(json);
        if (errors.Count > 0)
            throw new PrismException($"{what} does not follow docs/scenegraph.schema.json ({errors.Count} problem(s)): {string.Join("; ", errors.Take(10))}");
        var graph = SceneGraph.FromJson(json);
        foreach (var scene in graph.Scenes)
            foreach (var shot in scene.Shots)
                foreach (var l in shot.Lines)
                    if (l.EndSeconds < l.StartSeconds)
                        throw new PrismException($"{what}: scene {scene.Number} shot {shot.Index}: a line ends ({l.EndSeconds}) before it starts ({l.StartSeconds})");
        return graph;
    }
}
