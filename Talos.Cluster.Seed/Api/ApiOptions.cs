using System.Globalization;

namespace Talos.Cluster.Seed.Api;

/// <summary>
/// The seed's HTTP API settings, from environment variables so a container needs no file edits:
/// TALOS_API_URL (listen address, default http://0.0.0.0:8080), TALOS_API_TOKENS_FILE (JSON array of
/// {name, scope, sha256} entries), TALOS_API_TOKEN_OPERATOR / TALOS_API_TOKEN_PIPELINE (plain tokens, hashed at
/// start), TALOS_API_RATE_LIMIT (requests per minute per token or client address, default 1200),
/// TALOS_API_MAX_JSON_BYTES (default 1 MiB), TALOS_API_MAX_ASSET_BYTES (default 64 MiB), TALOS_WEBHOOK_ALLOW_PRIVATE
/// (1/true: webhooks may target loopback and private addresses; default refused).
/// </summary>
public sealed record ApiOptions
{
    public static readonly IReadOnlyList<string> Variables =
        ["TALOS_API_URL", "TALOS_API_TOKENS_FILE", "TALOS_API_TOKEN_OPERATOR", "TALOS_API_TOKEN_PIPELINE", "TALOS_API_RATE_LIMIT",
         "TALOS_API_MAX_JSON_BYTES", "TALOS_API_MAX_ASSET_BYTES", "TALOS_WEBHOOK_ALLOW_PRIVATE"];

    public string Url { get; init; } = "http://0.0.0.0:8080";
    public ApiTokenStore Tokens { get; init; } = new([]);
    /// <summary>Requests per minute per token (or per client address without one).</summary>
    public int RateLimitPerMinute { get; init; } = 1200;
    public long MaxJsonBytes { get; init; } = 1 << 20;
    public long MaxAssetBytes { get; init; } = 64L << 20;
    /// <summary>How often the progress watcher polls Hephaestus's registry for the SSE stream and webhooks.</summary>
    public TimeSpan WatchInterval { get; init; } = TimeSpan.FromMilliseconds(500);
    /// <summary>Whether webhooks may target loopback, private, link-local or CGNAT addresses (<see cref="WebhookTargets"/>); off, a pipeline token could make the seed call into its own network.</summary>
    public bool WebhookAllowPrivate { get; init; }
    /// <summary>Attempts per webhook delivery (the first and its retries).</summary>
    public int WebhookAttempts { get; init; } = 4;
    /// <summary>The first retry's delay; each next one doubles it (with jitter).</summary>
    public TimeSpan WebhookRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    public static ApiOptions FromEnvironment(Func<string, string?>? read = null)
    {
        read ??= Environment.GetEnvironmentVariable;
        var defaults = new ApiOptions();
        var url = read("TALOS_API_URL") ?? defaults.Url;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new ArgumentException($"TALOS_API_URL '{url}' is not an http:// or https:// URL");
        var tokens = new List<ApiToken>();
        if (read("TALOS_API_TOKENS_FILE") is { } file) tokens.AddRange(ApiTokenStore.LoadFile(file));
        if (read("TALOS_API_TOKEN_OPERATOR") is { Length: > 0 } op) tokens.Add(ApiToken.FromPlain("operator", ApiScopes.Operator, op));
        if (read("TALOS_API_TOKEN_PIPELINE") is { Length: > 0 } pl) tokens.Add(ApiToken.FromPlain("pipeline", ApiScopes.Pipeline, pl));
        return new ApiOptions
        {
            Url = url,
            Tokens = new ApiTokenStore(tokens),
            RateLimitPerMinute = Int(read, "TALOS_API_RATE_LIMIT", defaults.RateLimitPerMinute, 1, 1_000_000),
            MaxJsonBytes = Int(read, "TALOS_API_MAX_JSON_BYTES", defaults.MaxJsonBytes, 1024, 256 << 20),
            MaxAssetBytes = Int(read, "TALOS_API_MAX_ASSET_BYTES", defaults.MaxAssetBytes, 1024, int.MaxValue),
            WebhookAllowPrivate = Flag(read, "TALOS_WEBHOOK_ALLOW_PRIVATE"),
        };
    }

    /// <summary>1/true on, 0/false/empty or unset off; anything else is a mistake worth stopping for.</summary>
    static bool Flag(Func<string, string?> read, string name) => read(name)?.Trim().ToLowerInvariant() switch
    {
        null or "" or "0" or "false" => false,
        "1" or "true" => true,
        var text => throw new ArgumentException($"{name} '{text}' is not 1, true, 0 or false"),
    };

    static T Int<T>(Func<string, string?> read, string name, T fallback, T min, T max) where T : System.Numerics.IBinaryInteger<T>
    {
        var text = read(name);
        if (text is null) return fallback;
        if (!T.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
            throw new ArgumentException($"{name} '{text}' is not a whole number in {min}..{max}");
        return v;
    }
}
