using System.Text;
using Akka.Actor;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Talos.Messages.Events;
using Talos.Cluster.Seed.Api;
using Talos.Tests.Flux;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Api;

/// <summary>The API's pieces without a cluster: token store and settings from the environment, asset sniffing, webhook signatures.</summary>
public sealed class ApiPartsTests
{
    [Fact]
    public void Tokens_come_from_a_file_of_hashes_and_plain_environment_values()
    {
        var dir = Repo.TempDir("tokens");
        try
        {
            var file = Path.Combine(dir, "tokens.json");
            File.WriteAllText(file, $$"""[{"name": "ci", "scope": "pipeline", "sha256": "{{ApiToken.Hash("ci-secret")}}"}]""");
            var env = new Dictionary<string, string> { ["TALOS_API_TOKENS_FILE"] = file, ["TALOS_API_TOKEN_OPERATOR"] = "op", ["TALOS_API_URL"] = "http://127.0.0.1:9000" };
            var o = ApiOptions.FromEnvironment(k => env.GetValueOrDefault(k));
            Assert.Equal("http://127.0.0.1:9000", o.Url);
            Assert.Equal(("ci", "pipeline"), (o.Tokens.Find("ci-secret")!.Name, o.Tokens.Find("ci-secret")!.Scope));
            Assert.Equal("operator", o.Tokens.Find("op")!.Scope);
            Assert.Null(o.Tokens.Find("nope"));
            Assert.DoesNotContain("ci-secret", File.ReadAllText(file)); // only the hash is stored

            File.WriteAllText(file, $$"""[{"name": "x", "scope": "admin", "sha256": "{{ApiToken.Hash("x")}}"}]""");
            Assert.Contains("unknown scope 'admin'", Assert.Throws<ArgumentException>(() => ApiOptions.FromEnvironment(k => env.GetValueOrDefault(k))).Message);
            File.WriteAllText(file, "{not json");
            Assert.Contains("TALOS_API_TOKENS_FILE", Assert.Throws<ArgumentException>(() => ApiOptions.FromEnvironment(k => env.GetValueOrDefault(k))).Message);
            Assert.Contains("TALOS_API_URL", Assert.Throws<ArgumentException>(() => ApiOptions.FromEnvironment(k => k == "TALOS_API_URL" ? "ftp://x" : null)).Message);
            Assert.Contains("TALOS_API_RATE_LIMIT", Assert.Throws<ArgumentException>(() => ApiOptions.FromEnvironment(k => k == "TALOS_API_RATE_LIMIT" ? "0" : null)).Message);
            Assert.True(ApiScopes.Allows("operator", "pipeline"));
            Assert.False(ApiScopes.Allows("pipeline", "operator"));
        }
        finally { Directory.Delete(dir, true); }
    }

    static byte[] Wav()
    {
        using var ms = new MemoryStream();
        using var w = new BinaryWriter(ms);
        w.Write("RIFF"u8); w.Write(36 + 8); w.Write("WAVE"u8); w.Write("fmt "u8); w.Write(16); w.Write((short)1); w.Write((short)1);
        w.Write(16000); w.Write(32000); w.Write((short)2); w.Write((short)16); w.Write("data"u8); w.Write(8); w.Write(new byte[8]);
        return ms.ToArray();
    }

    [Fact]
    public void Assets_are_recognised_by_their_bytes_and_refused_with_the_reason()
    {
        string Kind(byte[] b) => AssetSniffer.TrySniff(b, out var k, out var why) ? k : "refused: " + why;
        Assert.Equal(AssetSniffer.Wav, Kind(Wav()));
        Assert.Equal(AssetSniffer.Onnx, Kind(OnnxModels.LinearBlend()));
        Assert.Equal(AssetSniffer.Palette, Kind(Encoding.UTF8.GetBytes(" {\"coat\": \"#264653\"}")));
        Assert.Equal(AssetSniffer.Png, Kind(File.ReadAllBytes(Path.Combine(Repo.Root, "examples", "pipeline", "key-000.png"))));
        Assert.Contains("not WAVE", Kind(Encoding.ASCII.GetBytes("RIFF\0\0\0\0AVI LIST")));
        Assert.Contains("'coat'", Kind(Encoding.UTF8.GetBytes("{\"coat\": 3}")));
        Assert.Contains("empty palette", Kind(Encoding.UTF8.GetBytes("{}")));
        Assert.Contains("unrecognised", Kind(Encoding.UTF8.GetBytes("just text")));
        Assert.Contains("unrecognised", Kind(OnnxModels.LinearBlend()[..^3])); // a truncated model is not a model
    }

    [Fact]
    public void Webhook_signatures_are_HMAC_SHA256_of_the_body()
    {
        var body = Encoding.UTF8.GetBytes("{\"event\":\"shot.finished\"}");
        var expected = "sha256=" + Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes("k"), body));
        Assert.Equal(expected, WebhookDispatcher.Sign("k", body));
        Assert.NotEqual(expected, WebhookDispatcher.Sign("k2", body));
    }

    [Fact]
    public async Task The_audit_ledger_journals_every_action_while_its_idle_actors_stop_and_restart()
    {
        // Audit actors stop after 30 ms idle; actions keep arriving around that moment. Before the ledger handled the
        // stop, an action forwarded to a stopping actor went to dead letters and its ask timed out.
        using var system = ActorSystem.Create("audit-ledger-test");
        var ledger = system.ActorOf(AuditLedgerActor.Props(TimeSpan.FromMilliseconds(30)));
        var random = new Random(7);
        for (int round = 0; round < 40; round++)
        {
            await Task.Delay(25 + random.Next(15));
            var asks = Enumerable.Range(0, 3).Select(i => ledger.Ask<OperatorActionStored>(new RecordOperatorAction(
                new OperatorActionRecorded($"p--s{i % 2}", "pause", "ops", null, true, "ok", DateTimeOffset.UtcNow)), TimeSpan.FromSeconds(5)));
            Assert.All(await Task.WhenAll(asks), a => Assert.StartsWith("p--s", a.ShotKey));
        }
        await system.Terminate();
    }

    [Fact]
    public async Task A_member_request_is_read_under_the_JSON_limit_even_when_chunked()
    {
        var options = new ApiOptions { MaxJsonBytes = 1024 };
        async Task<(MemberRequest?, int?)> Read(string body)
        {
            var http = new DefaultHttpContext();
            http.Request.ContentType = "application/json";
            http.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body)); // no Content-Length, as with a chunked body
            var (m, problem) = await OperatorRoutes.ReadMember(http.Request, options, default);
            return (m, (problem as ProblemHttpResult)?.StatusCode);
        }
        Assert.Equal(413, (await Read($$"""{"address": "{{new string('a', 4000)}}"}""")).Item2);
        Assert.Equal("akka.tcp://talos@h:1", (await Read("""{"address": "akka.tcp://talos@h:1", "timeoutSeconds": 5}""")).Item1!.Address);
        Assert.Equal(400, (await Read("""{"address": 5}""")).Item2);
        Assert.Equal(400, (await Read("""["akka.tcp://talos@h:1"]""")).Item2);
        Assert.Equal(400, (await Read("""{"timeoutSeconds": 5}""")).Item2);
        Assert.Equal(400, (await Read("{nope")).Item2);
    }

    [Fact]
    public void Webhooks_are_kept_in_an_owner_only_file_across_adds_and_removes()
    {
        var dir = Repo.TempDir("webhooks");
        try
        {
            var path = Path.Combine(dir, "webhooks.json");
            var store = new WebhookStore(new Talos.Actors.Hosting.TalosNodeOptions { WorkDir = dir });
            store.Add(new WebhookRegistration("a1", "p", "http://h/a", "secret-aaaaaaaaaaaa", "ops", DateTimeOffset.UtcNow));
            store.Add(new WebhookRegistration("b2", "p", "http://h/b", "secret-bbbbbbbbbbbb", "ops", DateTimeOffset.UtcNow));
            if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.True(store.Remove("p", "a1"));
            Assert.False(store.Remove("p", "a1"));
            Assert.False(File.Exists(path + ".tmp"));
            var reloaded = new WebhookStore(new Talos.Actors.Hosting.TalosNodeOptions { WorkDir = dir });
            Assert.Equal(["b2"], reloaded.For("p").Select(h => h.Id));
            if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        finally { Directory.Delete(dir, true); }
    }
}
