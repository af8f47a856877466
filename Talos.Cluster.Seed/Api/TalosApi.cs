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
    public const string Prefix = Talos.Messages.Api.ApiPaths.Prefix;

    public static IHostBuilder AddTalosApi(this IHostBuilder host, ApiOptions options) =>
        host.ConfigureWebHost(web =>
        {
            web.UseKestrel(k =>
            {
                k.AddServerHeader = false;
                // Each route enforces its own limit (413 problem+json) before reading; Kestrel's cap sits well above so
                // that it can still drain a refused body and deliver the 413 instead of resetting the connection.
                k.Limits.MaxRequestBodySize = Math.Max(options.MaxAssetBytes, options.MaxJsonBytes) * 4 + (1 << 20);
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
        s.AddSingleton<AuditJournal>();
        s.AddSingleton<ShotHistory>();
        s.AddSingleton<WebhookStore>();
        s.AddSingleton<WebhookDispatcher>();
        s.AddSingleton<ProgressWatcher>();
        s.AddHostedService(sp => sp.GetRequiredService<ProgressWatcher>());
        s.AddRouting();
        // Problems the framework raises itself (no route, wrong method, a Content-Type the route does not accept) name their field too.
        s.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            var p = ctx.ProblemDetails;
            if (p.Extensions.ContainsKey("field")) return;
            (string Field, string Detail)? named = p.Status switch
            {
                404 => ("path", $"no route {ctx.HttpContext.Request.Path}"),
                405 => ("method", $"{ctx.HttpContext.Request.Method} is not allowed on {ctx.HttpContext.Request.Path}"),
                415 => ("Content-Type", $"Content-Type '{ctx.HttpContext.Request.ContentType}' is not accepted here (send application/json)"),
                _ => null,
            };
            if (named is { } n) { p.Extensions["field"] = n.Field; p.Detail ??= n.Detail; }
        });
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
        api.MapProductionRoutes();
        api.MapAssetRoutes();
        api.MapEventRoutes();
        endpoints.MapOperatorRoutes();
        return endpoints;
    }
}
