using System.Net.Http.Headers;
using System.Text.Json;
using Talos.Actors.Hosting;
using Talos.Actors.Pipeline;
using Talos.Cluster.Seed.Api;
using Talos.Tests.Support;

namespace Talos.Tests.Api;

/// <summary>A seed with its HTTP API in-process (embedded single-node cluster, every message serialized) on a free port.</summary>
public sealed class ApiSeed : IAsyncDisposable
{
    public const string OperatorToken = "op-secret-0123456789";
    public const string PipelineToken = "pipe-secret-0123456789";

    public required SeedApp App { get; init; }
    public required string Dir { get; init; }
    public string Url => App.Url;

    public static async Task<ApiSeed> StartAsync(string prefix, Func<ApiOptions, ApiOptions>? tweak = null, RenderSettingsOptions? render = null)
    {
        var dir = Repo.TempDir(prefix);
        var api = new ApiOptions
        {
            Url = "http://127.0.0.1:0",
            Tokens = new ApiTokenStore([
                ApiToken.FromPlain("ops-alice", ApiScopes.Operator, OperatorToken),
                ApiToken.FromPlain("pipeline-ci", ApiScopes.Pipeline, PipelineToken)]),
            WatchInterval = TimeSpan.FromMilliseconds(100),
        };
        api = tweak?.Invoke(api) ?? api;
        var app = await SeedApp.StartAsync(new TalosNodeOptions
        {
            WorkDir = dir,
            SerializeMessages = true,
            Render = render ?? new RenderSettingsOptions { ChunkFrames = 6, ChunkSlots = 1, MinBackoff = TimeSpan.FromMilliseconds(50) },
        }, api);
        return new ApiSeed { App = app, Dir = dir };
    }

    public HttpClient Client(string? token)
    {
        var c = new HttpClient { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromMinutes(3) };
        if (token is not null) c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return c;
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        try { Directory.Delete(Dir, true); } catch (IOException) { }
    }

    public static async Task<JsonElement> Json(HttpResponseMessage r) =>
        JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone();
}
