using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Talos.Cluster.Seed.Api;

/// <summary>Token scopes: <c>pipeline</c> submits and reads; <c>operator</c> also drives shots (and may do pipeline things).</summary>
public static class ApiScopes
{
    public const string Pipeline = "pipeline";
    public const string Operator = "operator";
    public const string ClaimType = "talos:scope";

    public static bool IsKnown(string scope) => scope is Pipeline or Operator;

    /// <summary>Whether a token of scope <paramref name="held"/> may use a route that requires <paramref name="required"/>.</summary>
    public static bool Allows(string held, string required) => held == required || (held == Operator && required == Pipeline);
}

/// <summary>One bearer token as the seed keeps it: a name (who, for the audit trail), a scope and the SHA-256 of the secret.</summary>
public sealed record ApiToken(string Name, string Scope, string Sha256)
{
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
    public static ApiToken FromPlain(string name, string scope, string token) => new(name, scope, Hash(token));
}

/// <summary>The tokens the seed accepts, looked up by the hash of what a request presents (secrets are never stored).</summary>
public sealed class ApiTokenStore
{
    readonly Dictionary<string, ApiToken> _byHash = new(StringComparer.Ordinal);

    public ApiTokenStore(IEnumerable<ApiToken> tokens)
    {
        foreach (var t in tokens)
        {
            if (!ApiScopes.IsKnown(t.Scope)) throw new ArgumentException($"token '{t.Name}': unknown scope '{t.Scope}' (known: pipeline, operator)");
            if (t.Sha256.Length != 64 || !t.Sha256.All(Uri.IsHexDigit))
                throw new ArgumentException($"token '{t.Name}': sha256 must be 64 hex digits");
            _byHash[t.Sha256.ToLowerInvariant()] = t;
        }
    }

    public int Count => _byHash.Count;

    public ApiToken? Find(string presented) => _byHash.GetValueOrDefault(ApiToken.Hash(presented));

    /// <summary>Reads <c>[{"name": "...", "scope": "pipeline|operator", "sha256": "hex"}]</c>.</summary>
    public static IReadOnlyList<ApiToken> LoadFile(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new ArgumentException($"TALOS_API_TOKENS_FILE '{path}' cannot be read: {e.Message}"); }
        List<ApiToken>? list;
        try { list = JsonSerializer.Deserialize<List<ApiToken>>(text, new JsonSerializerOptions(JsonSerializerDefaults.Web)); }
        catch (JsonException e) { throw new ArgumentException($"TALOS_API_TOKENS_FILE '{path}' is not a JSON array of {{name, scope, sha256}}: {e.Message}"); }
        if (list is null || list.Any(t => t is null || string.IsNullOrWhiteSpace(t.Name) || t.Scope is null || t.Sha256 is null))
            throw new ArgumentException($"TALOS_API_TOKENS_FILE '{path}': every entry needs name, scope and sha256");
        return list;
    }
}
