using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Talos.Cluster.Seed.Api;

/// <summary>RFC 7807 problem+json answers. <c>field</c> names the request part at fault (a JSON path, a header, a parameter).</summary>
public static class Problems
{
    public const string ContentType = "application/problem+json";

    public static ProblemDetails Details(int status, string title, string detail, string? field = null)
    {
        var p = new ProblemDetails { Status = status, Title = title, Detail = detail, Type = $"https://talos.dev/problems/{Slug(title)}" };
        if (field is not null) p.Extensions["field"] = field;
        return p;
    }

    public static IResult Result(int status, string title, string detail, string? field = null, IDictionary<string, object?>? extra = null)
    {
        var p = Details(status, title, detail, field);
        if (extra is not null) foreach (var (k, v) in extra) p.Extensions[k] = v;
        return TypedResults.Problem(p);
    }

    public static IResult BadRequest(string detail, string? field = null, IDictionary<string, object?>? extra = null) =>
        Result(StatusCodes.Status400BadRequest, "Bad request", detail, field, extra);
    public static IResult NotFound(string detail, string? field = null) => Result(StatusCodes.Status404NotFound, "Not found", detail, field);
    public static IResult Conflict(string detail, string? field = null) => Result(StatusCodes.Status409Conflict, "Conflict", detail, field);
    public static IResult TooLarge(string detail, string? field = "body") => Result(StatusCodes.Status413PayloadTooLarge, "Payload too large", detail, field);
    public static IResult Unsupported(string detail, string? field = "body") => Result(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", detail, field);
    public static IResult Unavailable(string detail) => Result(StatusCodes.Status503ServiceUnavailable, "Service unavailable", detail);

    /// <summary>Writes a problem outside an endpoint (authentication, rate limiting).</summary>
    public static Task WriteAsync(HttpContext http, int status, string title, string detail, string? field = null)
    {
        http.Response.StatusCode = status;
        return http.Response.WriteAsJsonAsync(Details(status, title, detail, field), (System.Text.Json.JsonSerializerOptions?)null, ContentType);
    }

    static string Slug(string title) => title.ToLowerInvariant().Replace(' ', '-');
}
