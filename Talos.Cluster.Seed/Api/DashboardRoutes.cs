using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Talos.Cluster.Seed.Api;

/// <summary>
/// The dashboard at <c>/</c>: three plain files (HTML, CSS, JS; no framework, no CDN) embedded in the seed's assembly
/// and served from memory. The page itself needs no token; it asks for one and sends it to the API as a bearer header
/// (and as <c>?access_token=</c> where the browser cannot set headers: EventSource, video).
/// </summary>
public static class DashboardRoutes
{
    static readonly (string Path, string Resource, string Type)[] Files =
    [
        ("/", "index.html", "text/html; charset=utf-8"),
        ("/dashboard/app.css", "app.css", "text/css; charset=utf-8"),
        ("/dashboard/app.js", "app.js", "text/javascript; charset=utf-8"),
    ];

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder endpoints)
    {
        foreach (var (path, resource, type) in Files)
        {
            var bytes = Read(resource);
            endpoints.MapGet(path, (HttpContext http) =>
            {
                http.Response.Headers.CacheControl = "no-cache";
                http.Response.Headers["Content-Security-Policy"] = "default-src 'self'; img-src 'self' data:; media-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self'";
                return TypedResults.Bytes(bytes, type);
            }).ExcludeFromDescription().AllowAnonymous();
        }
        return endpoints;
    }

    static byte[] Read(string name)
    {
        using var s = Assembly.GetExecutingAssembly().GetManifestResourceStream("Talos.Dashboard." + name)
            ?? throw new InvalidOperationException($"dashboard file {name} is not embedded in the seed");
        using var m = new MemoryStream();
        s.CopyTo(m);
        return m.ToArray();
    }
}
