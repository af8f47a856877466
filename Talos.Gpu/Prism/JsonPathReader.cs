using System.Text.Json;
using Talos.Messages.Specs;

namespace Talos.Gpu.Prism;

/// <summary>
/// Typed reading of untrusted JSON (shot specs, scene graphs) that collects every problem as a <see cref="SpecError"/> —
/// a JSON path and what is wrong there, in one line — instead of stopping at the first. Readers for each format derive
/// from it; unknown and duplicate properties, wrong types, nulls, control characters and values out of range are
/// worded the same for every format.
/// </summary>
abstract class JsonPathReader
{
    public readonly List<SpecError> Errors = [];
    public void Err(string path, string message) => Errors.Add(new SpecError(path, message));

    /// <summary>Reports unknown and duplicate properties (a typo would otherwise be silently ignored).</summary>
    public void CheckProperties(JsonElement obj, string path, string[] known)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in obj.EnumerateObject())
        {
            if (!seen.Add(p.Name)) Err($"{path}.{p.Name}", "is given twice");
            else if (!known.Contains(p.Name))
            {
                var near = known.FirstOrDefault(k => k.Equals(p.Name, StringComparison.OrdinalIgnoreCase));
                Err($"{path}.{SafeName(p.Name)}", near is not null ? $"unknown property (did you mean '{near}'? names are camelCase)" : $"unknown property (known: {string.Join(", ", known)})");
            }
        }
    }

    protected static string SafeName(string s) => Identifiers.Printable(s.Length > 40 ? s[..40] : s);

    protected static bool Get(JsonElement obj, string name, out JsonElement value)
    {
        value = default;
        return obj.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Undefined;
    }

    public string? Str(JsonElement obj, string name, string path, bool required = false, bool nullable = true)
    {
        if (!Get(obj, name, out var v)) { if (required) Err($"{path}.{name}", "is required"); return null; }
        if (v.ValueKind == JsonValueKind.Null) { if (required || !nullable) Err($"{path}.{name}", "must not be null"); return null; }
        if (v.ValueKind != JsonValueKind.String) { Err($"{path}.{name}", $"must be a string, not {Kind(v)}"); return null; }
        var s = v.GetString()!;
        foreach (char c in s)
            if ((c < 32 && c is not '\n' and not '\t') || c == 127) { Err($"{path}.{name}", $"contains control character U+{(int)c:X4}"); return null; }
        return s;
    }

    public int? Int(JsonElement obj, string name, string path, bool required = false, bool nullable = false)
    {
        if (!Get(obj, name, out var v)) { if (required) Err($"{path}.{name}", "is required"); return null; }
        if (v.ValueKind == JsonValueKind.Null) { if (required || !nullable) Err($"{path}.{name}", "must not be null"); return null; }
        if (v.ValueKind != JsonValueKind.Number) { Err($"{path}.{name}", $"must be an integer, not {Kind(v)}"); return null; }
        if (!v.TryGetInt32(out int i))
        {
            Err($"{path}.{name}", v.TryGetDouble(out var d) && double.IsFinite(d) && Math.Abs(d) < int.MaxValue ? $"must be an integer, not {v.GetRawText()}" : $"{v.GetRawText()} is out of range");
            return null;
        }
        return i;
    }

    public double? Num(JsonElement obj, string name, string path, bool nullable = false)
    {
        if (!Get(obj, name, out var v)) return null;
        if (v.ValueKind == JsonValueKind.Null) { if (!nullable) Err($"{path}.{name}", "must not be null"); return null; }
        if (v.ValueKind != JsonValueKind.Number) { Err($"{path}.{name}", $"must be a number, not {Kind(v)}"); return null; }
        if (!v.TryGetDouble(out var d) || !double.IsFinite(d)) { Err($"{path}.{name}", $"{v.GetRawText()} is not a finite number"); return null; }
        return d;
    }

    public bool Bool(JsonElement obj, string name, string path, bool required = false)
    {
        if (!Get(obj, name, out var v)) { if (required) Err($"{path}.{name}", "is required"); return false; }
        if (v.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) { Err($"{path}.{name}", $"must be true or false, not {Kind(v)}"); return false; }
        return v.GetBoolean();
    }

    public double NumIn(JsonElement obj, string name, string path, double def, double lo, double hi)
    {
        var v = Num(obj, name, path);
        if (v is null) return def;
        if (v < lo || v > hi) { Err($"{path}.{name}", $"{v} is outside {lo}..{hi}"); return def; }
        return v.Value;
    }

    public string Known(JsonElement obj, string name, string path, string def, IReadOnlyList<string> known, string what, bool required = false)
    {
        var s = Str(obj, name, path, required, nullable: false);
        if (s is null) return def;
        if (!known.Contains(s)) { Err($"{path}.{name}", $"unknown {what} '{Identifiers.Printable(s)}' (known: {SpecVocabulary.OneOf(known)})"); return def; }
        return s;
    }

    public bool IsObject(JsonElement e, string path, string what)
    {
        if (e.ValueKind == JsonValueKind.Object) return true;
        Err(path, $"must be {what} object, not {Kind(e)}");
        return false;
    }

    public List<JsonElement> Array(JsonElement obj, string name, string path, int max, bool required = false, int minItems = 0)
    {
        if (!Get(obj, name, out var v) || v.ValueKind == JsonValueKind.Null) { if (required) Err($"{path}.{name}", v.ValueKind == JsonValueKind.Null ? "must not be null" : "is required"); return []; }
        if (v.ValueKind != JsonValueKind.Array) { Err($"{path}.{name}", $"must be an array, not {Kind(v)}"); return []; }
        int n = v.GetArrayLength();
        if (n > max) { Err($"{path}.{name}", $"has {n} entries; at most {max}"); return []; }
        if (n < minItems) { Err($"{path}.{name}", $"has {n} entries; at least {minItems}"); return []; }
        return v.EnumerateArray().ToList();
    }

    /// <summary>The JSON document, or null and one problem: null, empty or too long text, or where the syntax breaks.</summary>
    public static JsonDocument? Open(string? json, string what, int maxChars, JsonDocumentOptions options, out string problem)
    {
        problem = json is null ? $"{what} is null"
            : json.Length > maxChars ? $"{what} is {json.Length} characters; the limit is {maxChars}"
            : string.IsNullOrWhiteSpace(json) ? $"{what} is empty" : "";
        if (problem.Length > 0) return null;
        try { return JsonDocument.Parse(json!, options); }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } l ? $" at line {l + 1}, position {(e.BytePositionInLine ?? 0) + 1}" : "";
            var msg = e.Message;
            int cut = msg.IndexOf(" Path:", StringComparison.Ordinal);
            if (cut > 0) msg = msg[..cut];
            problem = $"malformed JSON{where}: {msg}";
            return null;
        }
    }

    public static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object", JsonValueKind.Array => "an array", JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number", JsonValueKind.True or JsonValueKind.False => "a boolean", JsonValueKind.Null => "null", _ => "nothing",
    };
}
