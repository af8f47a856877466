using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Talos.Cli.Operator;

/// <summary>The farm an operator command talks to: the seed's URL and a token (from --url/--token, TALOS_URL/TALOS_TOKEN, or --farm DIR's farm.json).</summary>
public sealed record FarmTarget(string Url, string Token)
{
    /// <summary>Order: --url/--token, then --farm DIR (DIR/farm.json: {url, token, processes}), then TALOS_URL / TALOS_TOKEN.</summary>
    public static FarmTarget Resolve(string? url, string? token, string? farm, Func<string, string?>? env = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        string? farmUrl = null, farmToken = null;
        if (farm is not null)
        {
            var file = Directory.Exists(farm) ? Path.Combine(farm, "farm.json") : farm;
            if (!File.Exists(file)) throw new UsageException($"--farm: no farm.json at '{file}' (start one with talos farm up --work-dir DIR)");
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(file));
                farmUrl = doc.RootElement.TryGetProperty("url", out var u) ? u.GetString() : null;
                farmToken = doc.RootElement.TryGetProperty("token", out var t) ? t.GetString() : null;
            }
            catch (JsonException e) { throw new UsageException($"--farm: '{file}' is not JSON with url and token: {e.Message}"); }
        }
        var finalUrl = url ?? farmUrl ?? env("TALOS_URL")
            ?? throw new UsageException("which farm? give --url URL (or --farm DIR, or set TALOS_URL)");
        var finalToken = token ?? farmToken ?? env("TALOS_TOKEN")
            ?? throw new UsageException("no token: give --token T (or --farm DIR, or set TALOS_TOKEN)");
        if (!Uri.TryCreate(finalUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new UsageException($"'{finalUrl}' is not an http:// or https:// URL");
        return new FarmTarget(finalUrl.TrimEnd('/'), finalToken);
    }
}

/// <summary>A refusal or failure from the farm, already worded for the operator.</summary>
public sealed class FarmException(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>HTTP client of the seed's operator API; turns unreachable farms, 401, 403 and problem+json answers into one clear line.</summary>
public sealed class FarmClient(FarmTarget target) : IDisposable
{
    readonly HttpClient _http = new(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5) })
    {
        BaseAddress = new Uri(target.Url + "/"),
        Timeout = TimeSpan.FromMinutes(10),
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", target.Token) },
    };

    public FarmTarget Target => target;

    public Task<JsonElement> GetAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Get, path, null, ct);
    public Task<JsonElement> PostAsync(string path, object? body, CancellationToken ct) => SendAsync(HttpMethod.Post, path, body, ct);

    async Task<JsonElement> SendAsync(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, "api/v1/" + path.TrimStart('/'));
        if (body is not null) request.Content = JsonContent.Create(body);
        else if (method == HttpMethod.Post) request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        HttpResponseMessage response;
        try { response = await _http.SendAsync(request, ct); }
        catch (HttpRequestException e) { throw new FarmException($"cannot reach the farm at {target.Url}: {e.Message}"); }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested) { throw new FarmException($"the farm at {target.Url} did not answer in time"); }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            if (response.IsSuccessStatusCode)
            {
                try { return JsonDocument.Parse(text.Length == 0 ? "{}" : text).RootElement.Clone(); }
                catch (JsonException) { throw new FarmException($"the farm at {target.Url} answered {path} with something that is not JSON"); }
            }
            string detail = Detail(text) ?? response.ReasonPhrase ?? "";
            throw response.StatusCode switch
            {
                HttpStatusCode.Unauthorized => new FarmException($"the farm refused the token (401): {detail}"),
                HttpStatusCode.Forbidden => new FarmException($"not allowed with this token (403): {detail}"),
                HttpStatusCode.NotFound when detail.Length == 0 || text.Length == 0 => new FarmException($"the farm at {target.Url} has no route {path} (404): is it a Talos seed?"),
                _ => new FarmException($"{(int)response.StatusCode} {response.ReasonPhrase}: {detail}", (int)response.StatusCode is >= 400 and < 500 ? 2 : 1),
            };
        }
    }

    static string? Detail(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            var detail = root.TryGetProperty("detail", out var d) ? d.GetString() : root.TryGetProperty("title", out var t) ? t.GetString() : null;
            if (detail is not null && root.TryGetProperty("field", out var f) && f.GetString() is { Length: > 0 } field) detail += $" (field: {field})";
            return detail;
        }
        catch (JsonException) { return text.Length > 200 ? text[..200] : text; }
    }

    public void Dispose() => _http.Dispose();
}
