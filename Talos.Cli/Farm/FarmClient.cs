using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Talos.Messages.Api;

namespace Talos.Cli.Farm;

/// <summary>The farm a command talks to: the seed's API URL and a token.</summary>
public sealed record FarmTarget(string Url, string Token)
{
    /// <summary>
    /// Each of url and token from the first that gives it: the flags (<c>--url</c>, <c>--token</c>), then <c>--farm</c>
    /// (a farm directory or its farm.json: url and token; or the API's URL), then <c>TALOS_URL</c> / <c>TALOS_TOKEN</c>.
    /// </summary>
    public static FarmTarget Resolve(string? url, string? token, string? farm, Func<string, string?>? env = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        string? farmUrl = null, farmToken = null;
        if (farm is not null)
        {
            if (IsHttp(farm)) farmUrl = farm;
            else { var info = FarmInfo.Read(farm); (farmUrl, farmToken) = (info.Url, info.Token); }
        }
        var finalUrl = url ?? farmUrl ?? env("TALOS_URL")
            ?? throw new UsageException("which farm? give --url URL or --farm DIR|URL (or set TALOS_URL)");
        var finalToken = token ?? farmToken ?? env("TALOS_TOKEN")
            ?? throw new UsageException("no token: give --token T (or --farm DIR, or set TALOS_TOKEN)");
        if (!IsHttp(finalUrl) || !Uri.TryCreate(finalUrl, UriKind.Absolute, out _))
            throw new UsageException($"'{finalUrl}' is not an http:// or https:// URL");
        return new FarmTarget(finalUrl.TrimEnd('/'), finalToken);
    }

    static bool IsHttp(string s) => s.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || s.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// A refusal or failure from the farm, worded for the user (one line). Exit 1: unreachable, silent, not a Talos seed,
/// token refused (401) or out of scope (403), a server fault; exit 2: a refused request (another 4xx).
/// </summary>
public sealed class FarmException(string message, int exitCode = CliErrors.Failed) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>
/// The CLI's client of the seed's HTTP API (operator palette, <c>talos render --farm</c>). Answers are the API's typed
/// records (Talos.Messages.Api) or raw JSON; an unreachable farm, a timeout, a non-JSON answer and a problem+json
/// refusal all become <see cref="FarmException"/>.
/// </summary>
public sealed class FarmClient : IDisposable
{
    /// <summary>The API's JSON (camelCase); nulls left out of requests, as ShotSpecJson writes specs.</summary>
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
    readonly HttpClient _http;

    public FarmClient(FarmTarget target)
    {
        Target = target;
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5) })
        {
            BaseAddress = new Uri(target.Url + ApiPaths.Prefix + "/"),
            Timeout = TimeSpan.FromMinutes(10),
            DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", target.Token) },
        };
    }

    public FarmTarget Target { get; }

    public Task<JsonElement> GetAsync(string path, CancellationToken ct) => SendJsonAsync(HttpMethod.Get, path, null, ct);
    public async Task<T> GetAsync<T>(string path, CancellationToken ct) => Read<T>(await GetAsync(path, ct), path);
    public Task<JsonElement> PostAsync(string path, object? body, CancellationToken ct) =>
        SendJsonAsync(HttpMethod.Post, path, body is null ? JsonContent.Create(new { }) : JsonContent.Create(body, body.GetType(), options: Json), ct);

    public async Task<AssetStored> UploadAssetAsync(string name, byte[] bytes, CancellationToken ct)
    {
        var path = "assets?name=" + Uri.EscapeDataString(name);
        var content = new ByteArrayContent(bytes) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } };
        return Read<AssetStored>(await SendJsonAsync(HttpMethod.Post, path, content, ct), path);
    }

    public async Task<ProductionAccepted> SubmitProductionAsync(ProductionRequest request, CancellationToken ct) =>
        Read<ProductionAccepted>(await PostAsync("productions", request, ct), "productions");

    public Task<ProductionResource> GetProductionAsync(string production, CancellationToken ct) =>
        GetAsync<ProductionResource>("productions/" + Uri.EscapeDataString(production), ct);

    /// <summary>The production's film as the farm streams it, and its media type (video/mp4, video/quicktime; png16: application/zip).</summary>
    public async Task<(Stream Body, string? MediaType)> GetFilmAsync(string production, CancellationToken ct)
    {
        var response = await SendAsync(HttpMethod.Get, "productions/" + Uri.EscapeDataString(production) + "/film", null, HttpCompletionOption.ResponseHeadersRead, ct);
        return (await response.Content.ReadAsStreamAsync(ct), response.Content.Headers.ContentType?.MediaType); // disposing the body releases the response
    }

    /// <summary>A text answer (a timeline: OTIO JSON, an EDL) as it is.</summary>
    public async Task<string> GetTextAsync(string path, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Get, path, null, HttpCompletionOption.ResponseContentRead, ct);
        return await response.Content.ReadAsStringAsync(ct);
    }

    async Task<JsonElement> SendJsonAsync(HttpMethod method, string path, HttpContent? content, CancellationToken ct)
    {
        using var response = await SendAsync(method, path, content, HttpCompletionOption.ResponseContentRead, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        try { return JsonDocument.Parse(text.Length == 0 ? "{}" : text).RootElement.Clone(); }
        catch (JsonException) { throw new FarmException($"the farm at {Target.Url} answered {path} with something that is not JSON: is it a Talos seed?"); }
    }

    /// <summary>Sends; a refused connection, the client's timeout (not the caller's cancellation) and a non-2xx answer throw <see cref="FarmException"/>.</summary>
    async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content, HttpCompletionOption completion, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/')) { Content = content };
        HttpResponseMessage response;
        try { response = await _http.SendAsync(request, completion, ct); }
        catch (HttpRequestException e) { throw new FarmException($"cannot reach the farm at {Target.Url}: {e.Message}"); }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested) { throw new FarmException($"the farm at {Target.Url} did not answer in {_http.Timeout.TotalSeconds:0} s"); }
        if (response.IsSuccessStatusCode) return response;
        using (response) throw Refusal(response, await response.Content.ReadAsStringAsync(ct), path);
    }

    FarmException Refusal(HttpResponseMessage response, string text, string path)
    {
        var detail = Detail(text) ?? response.ReasonPhrase ?? "";
        return response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => new FarmException($"the farm refused the token (401): {detail}"),
            HttpStatusCode.Forbidden => new FarmException($"not allowed with this token (403): {detail}"),
            HttpStatusCode.NotFound when detail.Length == 0 || text.Length == 0 => new FarmException($"the farm at {Target.Url} has no route {path} (404): is it a Talos seed?"),
            var code => new FarmException($"{(int)code} {response.ReasonPhrase}: {detail}", (int)code is >= 400 and < 500 ? CliErrors.BadInput : CliErrors.Failed),
        };
    }

    /// <summary>A problem+json answer's detail (or title) and the field at fault; other text, cut short.</summary>
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

    /// <summary>An answer as the API's record <typeparamref name="T"/> (for a command that also prints the raw answer).</summary>
    public T Read<T>(JsonElement answer, string path)
    {
        try { return answer.Deserialize<T>(Json) ?? throw new JsonException("null"); }
        catch (JsonException e) { throw new FarmException($"the farm at {Target.Url} answered {path} with JSON that is not a {typeof(T).Name}: {e.Message}"); }
    }

    public void Dispose() => _http.Dispose();
}
