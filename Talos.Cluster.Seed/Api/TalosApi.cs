using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Talos.Cluster.Seed.Api;

/// <summary>
/// The seed's HTTP API: ASP.NET Core minimal APIs on the same generic host as the seed's Akka node (Kestrel starts
/// after the actor system). Everything lives under <c>/api/v1</c>; the OpenAPI document is at <c>/openapi.json</c>.
/// Middleware order: problem details for errors → routing → bearer authentication → rate limiter (per token, or per
/// client address without one) → scope authorization → endpoint.
/// </summary>
public static class TalosApi
{
    public const string Prefix = "/api/v1";

    public static IHostBuilder AddTalosApi(this IHostBuilder host, ApiOptions options) =>
        host.ConfigureWebHost(web =>
        {
            web.UseKestrel(k =>
            {
                k.AddServerHeader = false;
                k.Limits.MaxRequestBodySize = Math.Max(options.MaxAssetBytes, options.MaxJsonBytes);
            });
            web.UseUrls(options.Url);
            web.ConfigureServices(s => AddServices(s, options));
            web.Configure(app =>
            {
                app.UseExceptionHandler();
                app.UseStatusCodePages();
                app.UseRouting();
                app.UseAuthentication();
                app.UseRateLimiter();
                app.UseAuthorization();
                app.UseEndpoints(e => e.MapTalosApi());
            });
        });

    static void AddServices(IServiceCollection s, ApiOptions options)
    {
        s.AddSingleton(options);
        s.AddSingleton(options.Tokens);
        s.AddSingleton<HephaestusGateway>();
        s.AddRouting();
        s.AddProblemDetails();
        s.AddAuthentication(BearerAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerAuthenticationHandler>(BearerAuthenticationHandler.SchemeName, null);
        s.AddAuthorization(ScopeExtensions.AddScopePolicies);
        s.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                RateLimitPartition.GetFixedWindowLimiter(
                    http.User.Identity?.IsAuthenticated == true ? "token:" + http.User.Who() : "address:" + http.Connection.RemoteIpAddress,
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = options.RateLimitPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            o.OnRejected = (ctx, _) =>
            {
                if (ctx.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after))
                    ctx.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return new ValueTask(Problems.WriteAsync(ctx.HttpContext, StatusCodes.Status429TooManyRequests, "Too many requests",
                    $"more than {options.RateLimitPerMinute} requests per minute from this client; retry later"));
            };
        });
        s.AddOpenApi("v1", o => o.AddDocumentTransformer<OpenApiDocumentShape>());
    }

    /// <summary>Every route of the seed: the pipeline API, then the operator hook.</summary>
    public static IEndpointRouteBuilder MapTalosApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapOpenApi("/openapi.json");
        var api = endpoints.MapGroup(Prefix);
        api.MapShotRoutes();
        endpoints.MapOperatorRoutes();
        return endpoints;
    }
}
