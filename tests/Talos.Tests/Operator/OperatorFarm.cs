using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Talos.Actors.Hosting;
using Talos.Actors.Pipeline;
using Talos.Gpu.Prism;
using Talos.Cli.Operator;
using Talos.Cluster.Seed.Api;
using Talos.Tests.Support;

namespace Talos.Tests.Operator;

/// <summary>What one operator command line printed and returned.</summary>
public sealed record CliRun(int Exit, string Out, string Err)
{
    public JsonElement Json => JsonDocument.Parse(Out).RootElement.Clone();
    public override string ToString() => $"exit {Exit}\n--- out\n{Out}\n--- err\n{Err}";
}

/// <summary>An in-process seed with its API (roles core+gpu, every message serialized) for operator tests, and the CLI run against it.</summary>
public sealed class OperatorFarm : IAsyncDisposable
{
    public const string OperatorToken = "ops-token-0123456789";
    public const string PipelineToken = "pipe-token-0123456789";

    public required SeedApp Seed { get; init; }
    public required string Dir { get; init; }
    readonly List<TalosNode> _members = new();

    public static async Task<OperatorFarm> StartAsync(string prefix)
    {
        var dir = Repo.TempDir(prefix);
        var seed = await SeedApp.StartAsync(new TalosNodeOptions
        {
            WorkDir = dir,
            SerializeMessages = true,
            DownAfter = TimeSpan.FromSeconds(5),
            Render = new RenderSettingsOptions { ChunkFrames = 6, ChunkSlots = 1, MinBackoff = TimeSpan.FromMilliseconds(50) },
        }, new ApiOptions
        {
            Url = "http://127.0.0.1:0",
            Tokens = new ApiTokenStore([ApiToken.FromPlain("ops-alice", ApiScopes.Operator, OperatorToken),
                                        ApiToken.FromPlain("pipeline-ci", ApiScopes.Pipeline, PipelineToken)]),
        });
        return new OperatorFarm { Seed = seed, Dir = dir };
    }

    /// <summary>Another member with no roles (a client node) joined to the seed; returns its host:port.</summary>
    public async Task<(TalosNode Node, string HostPort)> JoinMemberAsync()
    {
        var self = Akka.Cluster.Cluster.Get(Seed.Node.System).SelfAddress;
        var node = await TalosNode.StartAsync(new TalosNodeOptions
        {
            WorkDir = Path.Combine(Dir, "member-" + _members.Count), Roles = [], Seeds = [self.ToString()],
            SerializeMessages = true, DownAfter = TimeSpan.FromSeconds(5),
        });
        _members.Add(node);
        var a = Akka.Cluster.Cluster.Get(node.System).SelfAddress;
        return (node, $"{a.Host}:{a.Port}");
    }

    public Task<CliRun> Cli(params string[] args) => CliWith(OperatorToken, default, args);

    public async Task<CliRun> CliWith(string? token, CancellationToken ct, params string[] args)
    {
        var all = new List<string>(args) { "--url", Seed.Url };
        if (token is not null) { all.Add("--token"); all.Add(token); }
        return await Run([.. all], ct);
    }

    public static async Task<CliRun> Run(string[] args, CancellationToken ct = default)
    {
        var o = new StringWriter(); var e = new StringWriter();
        int exit = await OperatorCommands.RunAsync(args, new OperatorConsole(o, e, terminal: false), ct);
        return new CliRun(exit, o.ToString(), e.ToString());
    }

    public HttpClient Client(string token)
    {
        var c = new HttpClient { BaseAddress = new Uri(Seed.Url), Timeout = TimeSpan.FromMinutes(2) };
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return c;
    }

    /// <summary>Submits a shot spec through the API (POST /api/v1/shots) and returns its key.</summary>
    public async Task<string> SubmitAsync(Talos.Messages.Specs.ShotSpec spec)
    {
        using var c = Client(PipelineToken);
        var r = await c.PostAsync("/api/v1/shots", new StringContent(ShotSpecJson.Serialize(spec), Encoding.UTF8, "application/json"));
        var body = await r.Content.ReadAsStringAsync();
        if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"submit: {(int)r.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("key").GetString()!;
    }

    public async Task<JsonElement> WaitForShot(string key, Func<JsonElement, bool> done, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var r = await Cli("shot", "show", key, "--json");
            if (r.Exit == 0 && done(r.Json)) return r.Json;
            if (DateTime.UtcNow > until) throw new TimeoutException($"shot {key} did not get there in {timeout}: {r}");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var m in _members) { try { await m.DisposeAsync(); } catch (Exception) { /* a downed member is already stopped */ } }
        await Seed.DisposeAsync();
        try { Directory.Delete(Dir, true); } catch (IOException) { }
    }
}
