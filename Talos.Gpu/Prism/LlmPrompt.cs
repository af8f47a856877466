using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Talos.Gpu.Prism;

/// <summary>An OpenAI-compatible chat endpoint for prompts: <paramref name="Url"/> is the API base (".../v1") or the full
/// ".../chat/completions" address; the key (TALOS_LLM_KEY) is sent as a bearer token when set.</summary>
public sealed record LlmSettings(string Url, string Model, string? Key = null, double TimeoutSeconds = 60);

/// <summary>
/// Prompt → scene graph by an LLM: one chat completion (temperature 0) asked to answer with scene graph JSON following
/// docs/scenegraph.schema.json, which is checked (<see cref="SceneGraphJson.Parse"/>). When the endpoint cannot be reached,
/// fails, times out or answers junk, the warning says why and the rule-based <see cref="PromptParser"/> graph is used.
/// </summary>
public static class LlmPrompt
{
    public const string SystemPrompt =
        "You are PRISM, the director of an animation pipeline. Turn the user's prompt into a scene graph: scenes of shots with " +
        "characters (upper-case names), spoken lines timed in seconds from the start of each shot, poses, emotion, camera, effects, " +
        "lighting and transitions. Answer with one JSON object and nothing else. It must follow this JSON Schema:\n";

    public static async Task<SceneGraph> BuildAsync(string prompt, LlmSettings settings, Action<string> warn, CancellationToken ct = default, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(warn);
        var fallback = PromptParser.Build(prompt); // the prompt itself must be valid either way
        if (!Uri.TryCreate(settings.Url, UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https"))
            throw new PrismException($"--llm-url '{settings.Url}' is not an http(s) URL");
        if (string.IsNullOrWhiteSpace(settings.Model)) throw new PrismException("--llm-model is required with --llm-url");
        var endpoint = baseUri.AbsolutePath.TrimEnd('/').EndsWith("/chat/completions", StringComparison.Ordinal)
            ? baseUri : new Uri(baseUri.ToString().TrimEnd('/') + "/chat/completions");
        try
        {
            var graph = await AskAsync(prompt, settings, endpoint, ct, handler);
            return graph;
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is HttpRequestException or TaskCanceledException or JsonException or PrismException or InvalidOperationException)
        {
            var why = e switch
            {
                TaskCanceledException => $"no answer within {settings.TimeoutSeconds:0} s",
                HttpRequestException h when h.StatusCode is { } code => $"HTTP {(int)code} {code}",
                HttpRequestException h => $"unreachable ({h.Message})",
                _ => e.Message,
            };
            warn($"LLM at {endpoint}: {why}; using the rule-based prompt parser instead");
            return fallback;
        }
    }

    static async Task<SceneGraph> AskAsync(string prompt, LlmSettings settings, Uri endpoint, CancellationToken ct, HttpMessageHandler? handler)
    {
        using var http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        http.Timeout = TimeSpan.FromSeconds(settings.TimeoutSeconds);
        var body = new JsonObject
        {
            ["model"] = settings.Model,
            ["temperature"] = 0,
            ["response_format"] = new JsonObject { ["type"] = "json_object" },
            ["messages"] = new JsonArray
            {
                new JsonObject { ["role"] = "system", ["content"] = SystemPrompt + SceneGraphJson.SchemaText },
                new JsonObject { ["role"] = "user", ["content"] = prompt },
            },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        if (!string.IsNullOrEmpty(settings.Key)) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.Key);
        using var response = await http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"HTTP {(int)response.StatusCode}", null, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(ct);
        string content;
        try
        {
            using var doc = JsonDocument.Parse(text);
            content = doc.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString() ?? "";
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or IndexOutOfRangeException or InvalidOperationException)
        {
            throw new PrismException($"the answer is not an OpenAI-style chat completion ({e.Message})");
        }
        return SceneGraphJson.Parse(StripFence(content));
    }

    /// <summary>Models like to wrap JSON in ```json fences.</summary>
    static string StripFence(string s)
    {
        var t = s.Trim();
        if (!t.StartsWith("```", StringComparison.Ordinal)) return t;
        int nl = t.IndexOf('\n');
        int end = t.LastIndexOf("```", StringComparison.Ordinal);
        return nl > 0 && end > nl ? t[(nl + 1)..end].Trim() : t;
    }
}
