using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Talos.Cluster.Seed.Api;

/// <summary>
/// <c>Authorization: Bearer TOKEN</c> checked against <see cref="ApiTokenStore"/> (by SHA-256; secrets are never kept).
/// Missing or unknown token: 401; a token whose scope does not cover the route: 403. Both as problem+json.
/// EventSource cannot set headers, so GET requests may also carry the token as <c>?access_token=</c>.
/// </summary>
public sealed class BearerAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger,
    UrlEncoder encoder, ApiTokenStore tokens) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? presented = null;
        var header = Request.Headers.Authorization.ToString();
        if (header.Length > 0)
        {
            if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
                return Task.FromResult(AuthenticateResult.Fail("the Authorization header must be 'Bearer TOKEN'"));
            presented = header["Bearer ".Length..].Trim();
        }
        else if (HttpMethods.IsGet(Request.Method) && Request.Query.TryGetValue("access_token", out var q)) presented = q.ToString();
        if (string.IsNullOrEmpty(presented)) return Task.FromResult(AuthenticateResult.NoResult());
        var token = tokens.Find(presented);
        if (token is null) return Task.FromResult(AuthenticateResult.Fail("unknown token"));
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, token.Name), new Claim(ApiScopes.ClaimType, token.Scope)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        var bad = Request.Headers.Authorization.Count > 0 || Request.Query.ContainsKey("access_token");
        return Problems.WriteAsync(Context, StatusCodes.Status401Unauthorized, "Unauthorized",
            bad ? "the bearer token is not valid" : "a bearer token is required (Authorization: Bearer TOKEN)", "Authorization");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var scope = Context.User.FindFirst(ApiScopes.ClaimType)?.Value ?? "none";
        var needed = Context.GetEndpoint()?.Metadata.GetMetadata<RequiredScope>()?.Scope ?? "another";
        return Problems.WriteAsync(Context, StatusCodes.Status403Forbidden, "Forbidden",
            $"this route needs a token with scope '{needed}'; this token has scope '{scope}'", "Authorization");
    }
}

/// <summary>Endpoint metadata: the scope a route needs.</summary>
public sealed record RequiredScope(string Scope);

public static class ScopeExtensions
{
    public static string PolicyOf(string scope) => "scope:" + scope;

    /// <summary>The route needs a bearer token whose scope covers <paramref name="scope"/> (<c>operator</c> covers <c>pipeline</c>).</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope) where TBuilder : IEndpointConventionBuilder
    {
        if (!ApiScopes.IsKnown(scope)) throw new ArgumentException($"unknown scope '{scope}'");
        builder.WithMetadata(new RequiredScope(scope));
        return builder.RequireAuthorization(PolicyOf(scope));
    }

    internal static void AddScopePolicies(AuthorizationOptions o)
    {
        foreach (var scope in new[] { ApiScopes.Pipeline, ApiScopes.Operator })
            o.AddPolicy(PolicyOf(scope), p => p.AddAuthenticationSchemes(BearerAuthenticationHandler.SchemeName).RequireAuthenticatedUser()
                .RequireAssertion(ctx => ctx.User.FindFirst(ApiScopes.ClaimType)?.Value is { } held && ApiScopes.Allows(held, scope)));
    }

    /// <summary>The token's name (who, for the audit trail).</summary>
    public static string Who(this ClaimsPrincipal user) => user.Identity?.Name ?? "anonymous";
}
