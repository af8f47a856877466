using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Talos.Cluster.Seed.Api;

/// <summary>
/// Request bodies are read here, before anything is sent to an actor: over the route's limit is a 413 (checked on
/// Content-Length first, then while reading), empty or malformed is a 400 — each as problem+json naming the problem.
/// </summary>
public static class ApiBody
{
    public readonly record struct Read(byte[]? Bytes, IResult? Problem);

    public static async Task<Read> ReadAsync(HttpRequest request, long limit, string what, CancellationToken ct)
    {
        if (request.ContentLength is long declared && declared > limit)
            return new(null, Problems.TooLarge($"{what} is {declared} bytes; the limit is {limit} bytes"));
        using var buffer = new MemoryStream();
        var chunk = new byte[1 << 16];
        try
        {
            int n;
            while ((n = await request.Body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + n > limit) return new(null, Problems.TooLarge($"{what} is larger than the limit of {limit} bytes"));
                buffer.Write(chunk, 0, n);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return new(null, Problems.TooLarge($"{what} is larger than the server's limit: {e.Message}"));
        }
        if (buffer.Length == 0) return new(null, Problems.BadRequest($"{what} is empty", "body"));
        return new(buffer.ToArray(), null);
    }

    /// <summary>Reads a JSON body as text (UTF-8), checking that it parses; a syntax error names its line and byte.</summary>
    public static async Task<(string? Json, JsonElement Root, IResult? Problem)> ReadJsonAsync(HttpRequest request, long limit, string what, CancellationToken ct)
    {
        if (request.ContentType is { Length: > 0 } type && !type.Contains("json", StringComparison.OrdinalIgnoreCase))
            return (null, default, Problems.Unsupported($"{what} must be application/json, not '{type}'", "Content-Type"));
        var read = await ReadAsync(request, limit, what, ct);
        if (read.Problem is not null) return (null, default, read.Problem);
        string text;
        try { text = new UTF8Encoding(false, true).GetString(read.Bytes!); }
        catch (DecoderFallbackException) { return (null, default, Problems.BadRequest($"{what} is not UTF-8 text", "body")); }
        try
        {
            using var doc = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 64 });
            return (text, doc.RootElement.Clone(), null);
        }
        catch (JsonException e)
        {
            return (null, default, Problems.BadRequest($"{what} is not valid JSON: {e.Message}", e.Path is { Length: > 0 } p ? p : "$",
                new Dictionary<string, object?> { ["line"] = e.LineNumber + 1, ["bytePositionInLine"] = e.BytePositionInLine }));
        }
    }
}
