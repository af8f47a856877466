using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Talos.Cluster.Seed.Api;
using Talos.Messages.Api;
using Talos.Messages;
using Talos.Messages.Queries;
using Talos.Tests.Actors;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Api;

/// <summary>
/// Webhooks may not point into the seed's own network unless an operator allows it (TALOS_WEBHOOK_ALLOW_PRIVATE):
/// refused at registration (400 naming $.url) and again when a delivery connects; deliveries retry through Polly.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ApiWebhookTests
{
    static readonly (string Url, string Kind)[] PrivateTargets =
    [
        ("http://127.0.0.1:9/hook", "loopback"),
        ("http://127.8.9.10/", "loopback"),
        ("http://[::1]/", "loopback"),
        ("http://localhost:8080/", "loopback"), // a name: refused for what it resolves to
        ("http://10.0.0.7/", "RFC 1918"),
        ("http://172.16.0.1/", "RFC 1918"),
        ("http://172.31.255.254/", "RFC 1918"),
        ("http://192.168.1.20/", "RFC 1918"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[fe80::1]/", "link-local"),
        ("http://[febf::1]/", "link-local"),
        ("http://[fc00::1]/", "unique-local"),
        ("https://[fd12:3456::1]/", "unique-local"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://[::]/", "unspecified"),
        ("http://[::ffff:127.0.0.1]/", "IPv4-mapped"),
        ("http://[::ffff:10.0.0.1]/", "IPv4-mapped"),
        ("http://100.64.0.1/", "CGNAT"),
        ("http://100.127.255.254/", "CGNAT"),
    ];

    [Fact]
    public void Public_addresses_are_not_mistaken_for_private_ones()
    {
        foreach (var a in new[] { "8.8.8.8", "1.1.1.1", "172.15.255.255", "172.32.0.1", "192.169.0.1", "100.63.255.255", "100.128.0.1", "169.255.0.1",
                     "11.0.0.1", "2001:4860:4860::8888", "2606:4700::1111", "2a00:1450::1" })
            Assert.True(WebhookTargets.PrivateKind(IPAddress.Parse(a)) is null, a);
        Assert.Contains("site-local", WebhookTargets.PrivateKind(IPAddress.Parse("fec0::1")));
    }

    [Fact]
    public void TALOS_WEBHOOK_ALLOW_PRIVATE_is_read_as_a_flag()
    {
        bool Read(string? v) => ApiOptions.FromEnvironment(k => k == "TALOS_WEBHOOK_ALLOW_PRIVATE" ? v : null).WebhookAllowPrivate;
        Assert.False(Read(null));
        Assert.False(Read("0"));
        Assert.False(Read("false"));
        Assert.True(Read("1"));
        Assert.True(Read("true"));
        Assert.True(Read("TRUE"));
        Assert.Contains("TALOS_WEBHOOK_ALLOW_PRIVATE", Assert.Throws<ArgumentException>(() => Read("yes")).Message);
        Assert.Contains("TALOS_WEBHOOK_ALLOW_PRIVATE", ApiOptions.Variables);
    }

    [Fact]
    public async Task Registration_refuses_every_class_of_private_address_unless_the_seed_allows_them()
    {
        await using (var seed = await ApiSeed.StartAsync("hooks-refused"))
        {
            using var pipeline = seed.Client(ApiSeed.PipelineToken);
            foreach (var (url, kind) in PrivateTargets)
            {
                var r = await pipeline.PostAsync("/api/v1/productions/p/webhooks", Body(url), TestContext.Current.CancellationToken);
                var text = await r.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
                Assert.True(r.StatusCode == HttpStatusCode.BadRequest, $"{url}: {(int)r.StatusCode} {text}");
                Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
                var problem = await ApiSeed.Json(r);
                Assert.Equal("$.url", problem.GetProperty("field").GetString());
                var detail = problem.GetProperty("detail").GetString()!;
                Assert.True(detail.Contains(kind) && detail.Contains("TALOS_WEBHOOK_ALLOW_PRIVATE"), $"{url}: {detail}");
            }
            // A public address is taken (registration resolves, it does not call); nothing private was kept.
            Assert.Equal(HttpStatusCode.Created, (await pipeline.PostAsync("/api/v1/productions/p/webhooks", Body("https://93.184.215.14/hook"),
                TestContext.Current.CancellationToken)).StatusCode);
            var kept = await ApiSeed.Json(await pipeline.GetAsync("/api/v1/productions/p/webhooks", TestContext.Current.CancellationToken));
            Assert.Equal(["https://93.184.215.14/hook"], kept.EnumerateArray().Select(h => h.GetProperty("url").GetString()));
        }
        await using (var seed = await ApiSeed.StartAsync("hooks-allowed", o => o with { WebhookAllowPrivate = true }))
        {
            using var pipeline = seed.Client(ApiSeed.PipelineToken);
            foreach (var url in new[] { "http://127.0.0.1:9/hook", "http://10.0.0.7/", "http://[fd12:3456::1]/" })
                Assert.Equal(HttpStatusCode.Created, (await pipeline.PostAsync("/api/v1/productions/p/webhooks", Body(url), TestContext.Current.CancellationToken)).StatusCode);
        }
    }

    static StringContent Body(string url) => new($"{{\"url\": \"{url}\"}}", Encoding.UTF8, "application/json");

    static readonly ShotResource Shot = ShotResource.From(new ShotView("p--s", "s", "p", 1, null, 12, 12, ShotStatus.Completed, null,
        new Dictionary<string, Talos.Messages.Commands.StageProgress>(), null, null, null, null, 0));

    /// <summary>
    /// Delivers one event to a receiver on 127.0.0.1 that answers its n-th request (0-based) with <paramref name="status"/>(n)
    /// (a 302 points elsewhere on it); the hook's URL is the receiver's, as <paramref name="url"/> rewrites it. Retries 20 ms apart.
    /// </summary>
    static async Task<(bool Delivered, long Attempts, List<string> Paths)> Deliver(Func<int, int> status, bool allowPrivate = true, Func<string, string>? url = null)
    {
        var paths = new List<string>();
        await using var receiver = new LocalHttpServer(ctx =>
        {
            int n;
            lock (paths) { n = paths.Count; paths.Add(ctx.Request.Url!.AbsolutePath); }
            ctx.Response.StatusCode = status(n);
            if (ctx.Response.StatusCode == 302) ctx.Response.RedirectLocation = "/elsewhere";
            return Task.CompletedTask;
        });
        // The store is never written here: its work dir need not exist.
        using var dispatcher = new WebhookDispatcher(new WebhookStore(new Talos.Actors.Hosting.TalosNodeOptions { WorkDir = Path.Combine(Path.GetTempPath(), "talos-no-hooks") }),
            new ApiOptions { WebhookAllowPrivate = allowPrivate, WebhookAttempts = 4, WebhookRetryDelay = TimeSpan.FromMilliseconds(20) },
            NullLogger<WebhookDispatcher>.Instance);
        var hook = new WebhookRegistration("h1", "p", (url ?? (u => u))(receiver.BaseUrl + "/hook/"), "a-webhook-secret-of-some-length", "ci", DateTimeOffset.UtcNow);
        var delivered = await dispatcher.DeliverAsync(hook, "shot.finished", Shot);
        lock (paths) return (delivered, dispatcher.Attempts, paths.ToList());
    }

    [Theory]
    [InlineData(0, true, 1)]
    [InlineData(2, true, 3)]   // fails twice, answers the third attempt
    [InlineData(3, true, 4)]   // the last attempt
    [InlineData(99, false, 4)] // never: gives up after 4
    public async Task Deliveries_are_retried_until_a_2xx_answer_or_the_last_attempt(int failures, bool delivered, int attempts)
    {
        var d = await Deliver(n => n < failures ? 503 : 204);
        Assert.Equal((delivered, attempts, attempts), (d.Delivered, d.Attempts, d.Paths.Count));
    }

    [Fact]
    public async Task A_redirect_is_a_failed_attempt_and_is_not_followed()
    {
        var d = await Deliver(_ => 302);
        Assert.False(d.Delivered);
        Assert.Equal(["/hook/", "/hook/", "/hook/", "/hook/"], d.Paths);
    }

    [Fact]
    public async Task A_delivery_to_a_private_address_is_refused_when_it_connects_and_not_retried()
    {
        // As if the name resolved to a public address at registration and to this one now.
        foreach (var host in new[] { "127.0.0.1", "localhost" })
        {
            var d = await Deliver(_ => 204, allowPrivate: false, url: u => u.Replace("127.0.0.1", host));
            Assert.Equal((false, 1L), (d.Delivered, d.Attempts));
            Assert.Empty(d.Paths);
        }
    }
}
