using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Talos.Messages.Queries;

namespace Talos.Cluster.Seed.Api;

/// <summary>Pipeline routes for shots: list, get.</summary>
public static class ShotRoutes
{
    public static RouteGroupBuilder MapShotRoutes(this RouteGroupBuilder api)
    {
        var shots = api.MapGroup("/shots").WithTags("shots").RequireScope(ApiScopes.Pipeline);

        shots.MapGet("", async (string? production, HephaestusGateway heph) =>
        {
            if (production is not null && !IsValidId(production)) return Problems.BadRequest($"production '{production}' is not a valid id", "production");
            return await Call(heph, new ListShots(production), answer => answer is ShotListing l
                ? TypedResults.Ok(new ShotList(l.Shots.Select(ShotResource.From).ToList())) : null);
        }).WithName("ListShots").WithSummary("List shots (optionally of one production) with per-stage progress")
          .Produces<ShotList>().ProducesProblem(400);

        shots.MapGet("/{key}", async (string key, HephaestusGateway heph) =>
        {
            if (!IsValidKey(key)) return Problems.BadRequest($"'{key}' is not a shot key (production--id)", "key");
            return await Call(heph, new GetShot(key), answer => answer switch
            {
                ShotView v => TypedResults.Ok(ShotResource.From(v)),
                ShotNotFound => Problems.NotFound($"no shot '{key}'", "key"),
                _ => null,
            });
        }).WithName("GetShot").WithSummary("One shot with per-stage progress").Produces<ShotResource>().ProducesProblem(404);

        return api;
    }

    /// <summary>Asks Hephaestus and maps the answer; a timeout (no singleton reachable yet) is a 503.</summary>
    public static async Task<IResult> Call(HephaestusGateway heph, Talos.Messages.ITalosMessage message, Func<object, IResult?> map)
    {
        object answer;
        try { answer = await heph.Ask(message); }
        catch (AskTimeoutException) { return Problems.Unavailable("Hephaestus did not answer in time; the cluster may still be forming"); }
        return map(answer) ?? Problems.Result(500, "Unexpected answer", $"Hephaestus answered {answer.GetType().Name}");
    }

    static bool IsId(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-';
    public static bool IsValidId(string s) => s.Length is > 0 and <= 64 && char.IsAsciiLetterOrDigit(s[0]) && s.All(IsId);
    public static bool IsValidKey(string s) => s.Length <= 130 && s.Split("--", 2) is [var p, var i] && IsValidId(p) && IsValidId(i);
}
