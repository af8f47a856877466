using System.Net;
using System.Text.Json;
using Talos.Messages.Commands;
using Talos.Tests.Actors;
using Xunit;

namespace Talos.Tests.Api;

/// <summary>The seed's HTTP API in-process: bearer tokens (401), problem+json, shots listed and shown from Hephaestus.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ApiSkeletonTests
{
    [Fact]
    public async Task Shots_are_listed_and_shown_only_with_a_valid_token()
    {
        await using var seed = await ApiSeed.StartAsync("api-skeleton");
        using var anonymous = seed.Client(null);
        using var wrong = seed.Client("not-a-token");
        using var pipeline = seed.Client(ApiSeed.PipelineToken);

        // No token, or a wrong one: 401 problem+json naming the Authorization header, before any actor is asked.
        foreach (var (client, detail) in new[] { (anonymous, "required"), (wrong, "not valid") })
        {
            var r = await client.GetAsync("/api/v1/shots");
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
            var p = await ApiSeed.Json(r);
            Assert.Equal(401, p.GetProperty("status").GetInt32());
            Assert.Equal("Authorization", p.GetProperty("field").GetString());
            Assert.Contains(detail, p.GetProperty("detail").GetString());
        }
        Assert.Equal(0, seed.App.Gateway.Sent);

        var empty = await ApiSeed.Json(await pipeline.GetAsync("/api/v1/shots"));
        Assert.Equal(0, empty.GetProperty("shots").GetArrayLength());

        var spec = ShotLifecycleTests.SmallShot() with { Id = "api-1", Production = "skel" };
        var accepted = Assert.IsType<SubmitAccepted>(await seed.App.Node.AskHephaestus<object>(new SubmitShot(spec)));
        var key = accepted.ShotKeys[0];

        var list = await ApiSeed.Json(await pipeline.GetAsync("/api/v1/shots?production=skel"));
        var listed = Assert.Single(list.GetProperty("shots").EnumerateArray());
        Assert.Equal(key, listed.GetProperty("key").GetString());
        Assert.Equal(spec.FrameCount, listed.GetProperty("frameCount").GetInt32());

        var one = await pipeline.GetAsync($"/api/v1/shots/{key}");
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        var shot = await ApiSeed.Json(one);
        Assert.Equal("api-1", shot.GetProperty("id").GetString());
        Assert.Contains(shot.GetProperty("status").GetString(), new[] { "queued", "rendering", "completed" });

        // The all-shots SSE stream opens with the current state of each shot of the production.
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        using (var stream = await pipeline.GetStreamAsync("/api/v1/events?production=skel", cts.Token))
        using (var reader = new StreamReader(stream))
        {
            string? line;
            while ((line = await reader.ReadLineAsync(cts.Token)) is not null && !line.StartsWith("data: ", StringComparison.Ordinal)) { }
            Assert.NotNull(line);
            Assert.Equal(key, JsonDocument.Parse(line[6..]).RootElement.GetProperty("key").GetString());
        }

        var missing = await pipeline.GetAsync("/api/v1/shots/skel--nope");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("key", (await ApiSeed.Json(missing)).GetProperty("field").GetString());

        var bad = await pipeline.GetAsync("/api/v1/shots?production=" + Uri.EscapeDataString("../x"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("production", (await ApiSeed.Json(bad)).GetProperty("field").GetString());
    }
}
