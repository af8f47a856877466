using Microsoft.AspNetCore.Routing;

namespace Talos.Cluster.Seed.Api;

/// <summary>
/// Hook for the operator side of the seed (operator palette endpoints, the dashboard at <c>/</c>). Called once with
/// the application's root route builder, after the pipeline API is mapped. Conventions: API routes go under
/// <c>endpoints.MapGroup("/api/v1")</c> and declare their scope with <c>.RequireScope(ApiScopes.Operator)</c>;
/// errors are <see cref="Problems"/> (problem+json naming the field); Hephaestus is reached through
/// <see cref="HephaestusGateway"/> (a service).
/// </summary>
public static class OperatorRoutes
{
    public static IEndpointRouteBuilder MapOperatorRoutes(this IEndpointRouteBuilder endpoints) => endpoints;
}
