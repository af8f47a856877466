using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
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
/// Fires webhooks: POST of <c>{"event": "shot.finished"|"shot.failed", "delivery", "at", "shot"}</c> with headers
/// <c>X-Talos-Event</c>, <c>X-Talos-Delivery</c> and <c>X-Talos-Signature: sha256=HEX</c>, the HMAC-SHA256 of the exact
/// body bytes under the registration's secret. Up to 4 attempts with backoff (1, 2, 4 s) until a 2xx answer.
/// </summary>
public sealed class WebhookDispatcher(WebhookStore store, ILogger<WebhookDispatcher> log)
{
    public const string SignatureHeader = "X-Talos-Signature";
    // No redirects: a receiver's 3xx must not send the signed body (and its shot) on to another host; it counts as a failed attempt.
    static readonly HttpClient Http = new(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(10) };

    public static string Sign(string secret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    public void Fire(string evt, ShotResource shot)
    {
        foreach (var hook in store.For(shot.Production)) _ = DeliverAsync(hook, evt, shot);
    }

    async Task DeliverAsync(WebhookRegistration hook, string evt, ShotResource shot)
    {
        var delivery = Guid.NewGuid().ToString("N");
        var body = JsonSerializer.SerializeToUtf8Bytes(new { @event = evt, delivery, at = DateTimeOffset.UtcNow, webhook = hook.Id, shot }, ShotJson.Options);
        for (int attempt = 1; attempt <= 4; attempt++)
        {
            try
            {
                using var req = new HttpRequestMessage(HttpMethod.Post, hook.Url) { Content = new ByteArrayContent(body) };
                req.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                req.Headers.Add("X-Talos-Event", evt);
                req.Headers.Add("X-Talos-Delivery", delivery);
                req.Headers.Add(SignatureHeader, Sign(hook.Secret, body));
                using var res = await Http.SendAsync(req);
                if (res.IsSuccessStatusCode) return;
                log.LogWarning("webhook {Id} ({Url}) answered {Status} to {Event} of {Shot} (attempt {Attempt})", hook.Id, hook.Url, (int)res.StatusCode, evt, shot.Key, attempt);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                log.LogWarning("webhook {Id} ({Url}) failed for {Event} of {Shot} (attempt {Attempt}): {Reason}", hook.Id, hook.Url, evt, shot.Key, attempt, e.Message);
            }
            if (attempt < 4) await Task.Delay(TimeSpan.FromSeconds(1 << (attempt - 1)));
        }
    }
}

/// <summary>JSON as the API writes it (camelCase, like minimal APIs).</summary>
public static class ShotJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
