using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Talos.Cluster.Seed.Api;

/// <summary>
/// Makes the served OpenAPI document independent of the request (no server list: the checked-in copy under docs/
/// must equal what any seed serves) and declares the bearer token.
/// </summary>
public sealed class OpenApiDocumentShape : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Talos pipeline API",
            Version = "v1",
            Description = "Submit shots, productions and assets to a Talos render farm, follow progress, fetch results. " +
                          "Bearer tokens with scope 'pipeline' or 'operator'; errors are RFC 7807 problem+json with a 'field'.",
        };
        document.Servers = [];
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
        {
            ["bearer"] = new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "bearer", Description = "a token with scope pipeline or operator" },
        };
        return Task.CompletedTask;
    }
}
