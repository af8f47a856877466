using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Talos.Gpu.Prism;
using Talos.Messages.Commands;
using Talos.Messages.Queries;
using Talos.Messages.Specs;

namespace Talos.Cli.Farm;

/// <summary>
/// The seed's pipeline API as the CLI uses it (<c>talos render --farm</c>): upload assets, submit a production,
/// poll it, download the film. Errors come back as the API's problem+json detail.
/// </summary>
public sealed class FarmClient : IDisposable
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    readonly HttpClient _http;

    public FarmClient(string url, string token)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new UsageException($"farm URL '{url}' is not an http:// or https:// URL");
        _http = new HttpClient { BaseAddress = uri, Timeout = TimeSpan.FromMinutes(10) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    /// <summary><c>--farm DIR</c> (a directory with farm.json) or <c>--farm URL --token T</c> (token also from TALOS_TOKEN).</summary>
    public static FarmClient Open(string farm, string? token)
    {
        if (Directory.Exists(farm) || File.Exists(Path.Combine(farm, FarmInfo.FileName)))
        {
            var info = FarmInfo.Read(farm);
            return new FarmClient(info.Url, token ?? info.Token);
        }
        if (!farm.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !farm.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            throw new UsageException($"--farm '{farm}' is neither a farm directory (with {FarmInfo.FileName}) nor an http:// URL");
        token ??= Environment.GetEnvironmentVariable("TALOS_TOKEN");
        if (string.IsNullOrEmpty(token)) throw new UsageException("--farm URL needs --token T (or TALOS_TOKEN)");
        return new FarmClient(farm, token);
    }

    async Task<JsonElement> Send(HttpRequestMessage req, CancellationToken ct)
    {
        using var res = await Reach(() => _http.SendAsync(req, ct), ct);
        var body = await res.Content.ReadAsStringAsync(ct);
        if (!res.IsSuccessStatusCode)
        {
            string detail = body;
            try
            {
                using var doc = JsonDocument.Parse(body);
                detail = doc.RootElement.TryGetProperty("detail", out var d) ? d.GetString() ?? body : body;
                if (doc.RootElement.TryGetProperty("field", out var f)) detail += $" ({f.GetString()})";
            }
            catch (JsonException) { }
            throw new UsageException($"the farm refused {req.Method} {req.RequestUri}: {(int)res.StatusCode} {detail}");
        }
        if (body.Length == 0) return default;
        try { return JsonDocument.Parse(body).RootElement.Clone(); }
        catch (JsonException) { throw new FarmUnreachableException($"the farm at {_http.BaseAddress} answered {req.Method} {req.RequestUri} with something that is not JSON: is it a Talos seed?"); }
    }

    /// <summary>Sends, turning a refused connection and an HTTP timeout (not the caller's cancellation) into <see cref="FarmUnreachableException"/>.</summary>
    async Task<HttpResponseMessage> Reach(Func<Task<HttpResponseMessage>> send, CancellationToken ct)
    {
        try { return await send(); }
        catch (HttpRequestException e) { throw new FarmUnreachableException($"the farm at {_http.BaseAddress} is not reachable: {e.Message}"); }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        { throw new FarmUnreachableException($"the farm at {_http.BaseAddress} did not answer in {_http.Timeout.TotalSeconds:0} s"); }
    }

    public async Task<string> UploadAssetAsync(string name, byte[] bytes, CancellationToken ct)
    {
        using var req = new HttpRequestMessage(HttpMethod.Post, "api/v1/assets?name=" + Uri.EscapeDataString(name)) { Content = new ByteArrayContent(bytes) };
        req.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return (await Send(req, ct)).GetProperty("hash").GetString()!;
    }

    public async Task<IReadOnlyList<string>> SubmitProductionAsync(string production, IReadOnlyList<ShotSpec> specs, string? audioAsset, double audioOffset, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["production"] = production,
            ["shots"] = JsonNode.Parse(ShotSpecJson.SerializeMany(specs)),
            ["audioAsset"] = audioAsset,
            ["audioOffsetSeconds"] = audioOffset,
        };
        using var req = new HttpRequestMessage(HttpMethod.Post, "api/v1/productions") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        var accepted = await Send(req, ct);
        return accepted.GetProperty("shotKeys").EnumerateArray().Select(k => k.GetString()!).ToList();
    }

    sealed record RemoteShot(string Key, string Id, string Production, int Sequence, string? Title, int FrameCount, int Fps, string Status, string? Reason,
        Dictionary<string, StageProgress>? Stages, string? FramesHash, string? VideoHash, string? ReportHash, bool? QualityPassed, int Revisions);
    sealed record RemoteProduction(string Production, string Status, string? Reason, List<RemoteShot> Shots, string? FilmHash, int FilmFrames);

    public async Task<ProductionView> GetProductionAsync(string production, CancellationToken ct)
    {
        using var req = new HttpRequestMessage(HttpMethod.Get, "api/v1/productions/" + Uri.EscapeDataString(production));
        var p = (await Send(req, ct)).Deserialize<RemoteProduction>(Json)!;
        return new ProductionView(p.Production, p.Status, p.Reason, p.Shots.Select(s => new ShotView(s.Key, s.Id, s.Production, s.Sequence, s.Title,
            s.FrameCount, s.Fps, s.Status, s.Reason, s.Stages ?? new Dictionary<string, StageProgress>(), s.FramesHash, s.VideoHash, s.ReportHash,
            s.QualityPassed, s.Revisions)).ToList(), p.FilmHash, p.FilmFrames);
    }

    public async Task DownloadFilmAsync(string production, string path, CancellationToken ct)
    {
        using var res = await Reach(() => _http.GetAsync("api/v1/productions/" + Uri.EscapeDataString(production) + "/film", HttpCompletionOption.ResponseHeadersRead, ct), ct);
        if (!res.IsSuccessStatusCode) throw new UsageException($"the farm did not hand over the film: {(int)res.StatusCode} {await res.Content.ReadAsStringAsync(ct)}");
        await using var file = File.Create(path);
        await res.Content.CopyToAsync(file, ct);
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>The farm could not be reached, did not answer in time, or answered with something that is not the API's JSON; CliErrors prints it as one line (exit 1, as the operator commands do).</summary>
public sealed class FarmUnreachableException(string message) : Exception(message);
