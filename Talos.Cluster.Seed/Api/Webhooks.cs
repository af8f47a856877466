using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Talos.Actors.Hosting;
using Talos.Messages.Api;

namespace Talos.Cluster.Seed.Api;

/// <summary>A production's webhook: where to POST when one of its shots finishes or fails, and the HMAC key that signs it.</summary>
public sealed record WebhookRegistration(string Id, string Production, string Url, string Secret, string By, DateTimeOffset Created);

/// <summary>What the API shows of a webhook (never the secret, except once when it is generated).</summary>
public sealed record WebhookView(string Id, string Production, string Url, DateTimeOffset Created, string? Secret = null);

/// <summary>Webhooks kept in <c>webhooks.json</c> under the seed's work dir (written atomically: temp file + rename; mode 0600, as it holds the secrets).</summary>
public sealed class WebhookStore
{
    readonly string _path;
    readonly Lock _lock = new();
    List<WebhookRegistration> _hooks;

    public WebhookStore(TalosNodeOptions node)
    {
        _path = Path.Combine(node.WorkDir, "webhooks.json");
        _hooks = File.Exists(_path) ? JsonSerializer.Deserialize<List<WebhookRegistration>>(File.ReadAllText(_path), ShotJson.Options) ?? [] : [];
        if (File.Exists(_path) && !OperatingSystem.IsWindows()) File.SetUnixFileMode(_path, UnixFileMode.UserRead | UnixFileMode.UserWrite); // one written before 0600
    }

    public bool Any { get { lock (_lock) return _hooks.Count > 0; } }

    public IReadOnlyList<WebhookRegistration> For(string production) { lock (_lock) return _hooks.Where(h => h.Production == production).ToList(); }

    public void Add(WebhookRegistration hook)
    {
        lock (_lock) Save(_hooks.Append(hook).ToList());
    }

    public bool Remove(string production, string id)
    {
        lock (_lock)
        {
            var next = _hooks.Where(h => !(h.Production == production && h.Id == id)).ToList();
            if (next.Count == _hooks.Count) return false;
            Save(next);
            return true;
        }
    }

    /// <summary>Writes the list (it holds the signing secrets: owner read/write only) to a temp file, renames it over the old one, then keeps it.</summary>
    void Save(List<WebhookRegistration> next)
    {
        var tmp = _path + ".tmp";
        File.Delete(tmp); // a leftover from a crash must not lend its mode to the new file
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var file = new FileStream(tmp, create)) JsonSerializer.Serialize(file, next, ShotJson.Options);
        File.Move(tmp, _path, overwrite: true);
        _hooks = next;
    }
}

/// <summary>
/// Where a webhook may point. Unless an operator allows it (<see cref="ApiOptions.WebhookAllowPrivate"/>,
/// TALOS_WEBHOOK_ALLOW_PRIVATE), every address the URL's host resolves to must be public: not loopback, unspecified
/// (0.0.0.0/8, ::), RFC 1918, CGNAT (100.64/10), link-local (169.254/16, fe80::/10), site-local (fec0::/10),
/// unique-local (fc00::/7), nor IPv4-mapped IPv6 (::ffff:a.b.c.d, a way round the IPv4 checks). Otherwise a pipeline
/// token could make the seed POST into the network behind its ingress. Checked when a webhook is registered and again
/// on every connection a delivery opens (<see cref="Connect"/>): a name may resolve elsewhere by then.
/// </summary>
public static class WebhookTargets
{
    /// <summary>What kind of non-public address <paramref name="a"/> is, or null for a public one.</summary>
    public static string? PrivateKind(IPAddress a)
    {
        if (a.IsIPv4MappedToIPv6) return "an IPv4-mapped IPv6 address";
        if (a.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = a.GetAddressBytes();
            return (b[0], b[1]) switch
            {
                (0, _) => "an unspecified address (0.0.0.0/8)",
                (127, _) => "a loopback address",
                (10, _) or (172, >= 16 and <= 31) or (192, 168) => "a private address (RFC 1918)",
                (169, 254) => "a link-local address (169.254.0.0/16)",
                (100, >= 64 and <= 127) => "a shared CGNAT address (100.64.0.0/10)",
                _ => null,
            };
        }
        if (a.Equals(IPAddress.IPv6Any)) return "an unspecified address (::)";
        if (a.Equals(IPAddress.IPv6Loopback)) return "a loopback address";
        if (a.IsIPv6LinkLocal) return "a link-local address (fe80::/10)";
        if (a.IsIPv6SiteLocal) return "a site-local address (fec0::/10)";
        if ((a.GetAddressBytes()[0] & 0xFE) == 0xFC) return "a unique-local address (fc00::/7)";
        return null;
    }

    /// <summary>Why <paramref name="url"/> may not be a webhook (a private address, or a host that does not resolve), or null when it may.</summary>
    public static async Task<string?> RefusalAsync(Uri url, bool allowPrivate, CancellationToken ct)
    {
        if (allowPrivate) return null;
        try { return Refusal(url.IdnHost, await ResolveAsync(url.IdnHost, ct)); }
        catch (SocketException e) { return $"its host '{url.IdnHost}' does not resolve ({e.SocketErrorCode})"; }
    }

    /// <summary>
    /// The delivery client's connect step: resolves the host itself, refuses it as at registration (throws
    /// <see cref="WebhookTargetRefused"/>) and connects to the addresses it checked, so no second lookup can differ.
    /// </summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> Connect(bool allowPrivate) => async (context, ct) =>
    {
        var host = context.DnsEndPoint.Host;
        var addresses = await ResolveAsync(host, ct);
        if (!allowPrivate && Refusal(host, addresses) is { } why) throw new WebhookTargetRefused(why);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch { socket.Dispose(); throw; }
    };

    static string? Refusal(string host, IReadOnlyList<IPAddress> addresses) =>
        addresses.Select(a => (Address: a, Kind: PrivateKind(a))).FirstOrDefault(x => x.Kind is not null) is { Kind: { } kind } hit
            ? $"'{host}' {(IPAddress.TryParse(host, out _) ? "is" : $"resolves to {hit.Address},")} {kind}: webhooks may not call into the seed's own network (an operator may allow it with TALOS_WEBHOOK_ALLOW_PRIVATE=1)"
            : null;

    static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct) =>
        IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
}

/// <summary>A delivery's connection went to a private address (<see cref="WebhookTargets"/>); not retried.</summary>
public sealed class WebhookTargetRefused(string reason) : Exception(reason);

/// <summary>
/// Fires webhooks: POST of <c>{"event": "shot.finished"|"shot.failed", "delivery", "at", "shot"}</c> with headers
/// <c>X-Talos-Event</c>, <c>X-Talos-Delivery</c> and <c>X-Talos-Signature: sha256=HEX</c>, the HMAC-SHA256 of the exact
/// body bytes under the registration's secret. Polly retries a failed attempt (no answer, a timeout, a non-2xx answer)
/// with exponential backoff and jitter from <see cref="ApiOptions.WebhookRetryDelay"/>, up to
/// <see cref="ApiOptions.WebhookAttempts"/> attempts; a private target (<see cref="WebhookTargets"/>) is not retried.
/// </summary>
public sealed class WebhookDispatcher : IDisposable
{
    public const string SignatureHeader = "X-Talos-Signature";
    readonly WebhookStore _store;
    readonly ILogger<WebhookDispatcher> _log;
    readonly HttpClient _http;
    readonly ResiliencePipeline<HttpResponseMessage> _retry;
    readonly CancellationTokenSource _stopping = new();
    long _attempts;

    public WebhookDispatcher(WebhookStore store, ApiOptions options, ILogger<WebhookDispatcher> log)
    {
        _store = store; _log = log;
        // No redirects: a receiver's 3xx must not send the signed body (and its shot) on to another host; it counts as a
        // failed attempt. No proxy: the address checked must be the address connected to.
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false, UseProxy = false, ConnectCallback = WebhookTargets.Connect(options.WebhookAllowPrivate),
        }) { Timeout = TimeSpan.FromSeconds(10) };
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>();
        if (options.WebhookAttempts > 1)
            pipeline.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.WebhookAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.WebhookRetryDelay,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>(e => e.InnerException is not WebhookTargetRefused)
                    .Handle<TaskCanceledException>(e => e.InnerException is TimeoutException) // HttpClient.Timeout, not shutdown
                    .HandleResult(r => !r.IsSuccessStatusCode),
                OnRetry = a =>
                {
                    var hook = a.Context.Properties.GetValue(HookKey, null!);
                    _log.LogWarning("webhook {Id} ({Url}) attempt {Attempt} failed: {Outcome}; next in {Delay}", hook.Id, hook.Url, a.AttemptNumber + 1,
                        a.Outcome.Exception?.Message ?? $"answered {(int)a.Outcome.Result!.StatusCode}", a.RetryDelay);
                    a.Outcome.Result?.Dispose();
                    return default;
                },
            });
        _retry = pipeline.Build();
    }

    static readonly ResiliencePropertyKey<WebhookRegistration> HookKey = new("talos.webhook");

    /// <summary>Requests sent (every attempt of every delivery).</summary>
    public long Attempts => Interlocked.Read(ref _attempts);

    public static string Sign(string secret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    public void Fire(string evt, ShotResource shot)
    {
        foreach (var hook in _store.For(shot.Production)) _ = DeliverAsync(hook, evt, shot);
    }

    /// <summary>Delivers one event to one webhook, retrying as configured; true once it answered 2xx.</summary>
    public async Task<bool> DeliverAsync(WebhookRegistration hook, string evt, ShotResource shot)
    {
        var delivery = Guid.NewGuid().ToString("N");
        var body = JsonSerializer.SerializeToUtf8Bytes(new { @event = evt, delivery, at = DateTimeOffset.UtcNow, webhook = hook.Id, shot }, ShotJson.Options);
        var context = ResilienceContextPool.Shared.Get(_stopping.Token);
        context.Properties.Set(HookKey, hook);
        try
        {
            using var res = await _retry.ExecuteAsync(async ctx =>
            {
                Interlocked.Increment(ref _attempts);
                using var req = new HttpRequestMessage(HttpMethod.Post, hook.Url) { Content = new ByteArrayContent(body) };
                req.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                req.Headers.Add("X-Talos-Event", evt);
                req.Headers.Add("X-Talos-Delivery", delivery);
                req.Headers.Add(SignatureHeader, Sign(hook.Secret, body));
                return await _http.SendAsync(req, ctx.CancellationToken);
            }, context);
            if (res.IsSuccessStatusCode) return true;
            _log.LogWarning("webhook {Id} ({Url}) gave up on {Event} of {Shot}: the last answer was {Status}", hook.Id, hook.Url, evt, shot.Key, (int)res.StatusCode);
        }
        catch (HttpRequestException e) when (e.InnerException is WebhookTargetRefused refused)
        {
            _log.LogWarning("webhook {Id} ({Url}) refused for {Event} of {Shot}: {Reason}", hook.Id, hook.Url, evt, shot.Key, refused.Message);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or ObjectDisposedException) // no answer, a timeout, the seed stopping
        {
            _log.LogWarning("webhook {Id} ({Url}) gave up on {Event} of {Shot}: {Reason}", hook.Id, hook.Url, evt, shot.Key, e.Message);
        }
        finally { ResilienceContextPool.Shared.Return(context); }
        return false;
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _http.Dispose();
    }
}

/// <summary>JSON as the API writes it (camelCase, like minimal APIs).</summary>
public static class ShotJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
