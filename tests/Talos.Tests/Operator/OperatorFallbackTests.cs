using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Talos.Cluster.Seed.Api;
using Xunit;

namespace Talos.Tests.Operator;

/// <summary>The palette's fallback shot routes stand aside when the pipeline API maps the same path (no ambiguous routes after a merge).</summary>
public sealed class OperatorFallbackTests
{
    static List<RouteEndpoint> Endpoints(IEndpointRouteBuilder e) => e.DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>().ToList();

    static WebApplication App()
    {
        var b = WebApplication.CreateSlimBuilder();
        b.Services.AddRouting();
        b.Services.AddAuthorization();
        // The handlers' services, registered (never resolved here) so their parameters bind as services.
        b.Services.AddSingleton<HephaestusGateway>(_ => null!);
        b.Services.AddSingleton<Talos.Vault.IBlobVault>(_ => null!);
        b.Services.AddSingleton<Akka.Actor.ActorSystem>(_ => null!);
        b.Services.AddSingleton(new ApiOptions());
        return b.Build();
    }

    [Fact]
    public void Fallbacks_are_mapped_only_for_routes_nobody_mapped()
    {
        var app = App();
        var shots = app.MapGroup("/api/v1").MapGroup("/shots");
        shots.MapPost("", () => "pipeline submit");
        shots.MapPost("/{id}/retry", (string id) => id);          // another parameter name: still the same route
        shots.MapGet("/{key}/history", (string key) => key);
        app.MapOperatorFallbacks();

        var routes = Endpoints(app).Select(r => (Method: r.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods[0],
            Pattern: r.RoutePattern.RawText!.Replace("{id}", "{key}").TrimEnd('/'))).ToList();
        foreach (var g in routes.GroupBy(r => r)) Assert.True(g.Count() == 1, $"{g.Key} is mapped {g.Count()} times");
        // the ones nobody mapped are there
        foreach (var verb in new[] { "cancel", "pause", "resume", "priority" }) Assert.Contains(("POST", $"/api/v1/shots/{{key}}/{verb}"), routes);
        Assert.Contains(("GET", "/api/v1/shots/{key}/video"), routes);
    }

    [Fact]
    public void Without_a_pipeline_api_every_fallback_is_mapped()
    {
        var app = App();
        app.MapOperatorFallbacks();
        Assert.Equal(8, Endpoints(app).Count); // submit, video, history, retry, cancel, pause, resume, priority
    }
}
