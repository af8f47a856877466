using System.Net;
using System.Text;
using System.Text.Json;
using Talos.Gpu.Prism;
using Talos.Tests.Actors;
using Xunit;

namespace Talos.Tests.Api;

/// <summary>
/// Spec revisions through the API: a production's shot renders and is cut; the same shot POSTed again with an edited
/// spec is revision 2 (<c>GET /shots/{key}</c> says so, <c>/history</c> lists the revision with what changed), renders
/// again, and the production's film is cut again from it.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ApiRevisionTests
{
    static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    [Fact]
    public async Task An_edited_shot_posted_again_is_revision_2_in_its_history_and_in_a_film_cut_again()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var seed = await ApiSeed.StartAsync("api-revision");
        using var pipeline = seed.Client(ApiSeed.PipelineToken);
        var spec = ShotLifecycleTests.SmallShot() with { Id = "r1", Production = "revised" };

        async Task<JsonElement> Finished()
        {
            var until = DateTime.UtcNow + TimeSpan.FromMinutes(3);
            while (true)
            {
                var view = await ApiSeed.Json(await pipeline.GetAsync("/api/v1/productions/revised", ct));
                if (view.GetProperty("status").GetString() is "completed" or "failed" or "cancelled") return view;
                Assert.True(DateTime.UtcNow < until, "the production did not finish: " + view);
                await Task.Delay(200, ct);
            }
        }

        var submit = await pipeline.PostAsync("/api/v1/productions", Json($"{{\"shots\": [{ShotSpecJson.Serialize(spec)}]}}"), ct);
        Assert.True(submit.StatusCode == HttpStatusCode.Accepted, await submit.Content.ReadAsStringAsync(ct));
        var first = await Finished();
        Assert.True(first.GetProperty("status").GetString() == "completed", first.ToString());
        var key = "revised--r1";
        var shot1 = await ApiSeed.Json(await pipeline.GetAsync($"/api/v1/shots/{key}", ct));
        Assert.Equal(1, shot1.GetProperty("revision").GetInt32());

        // The same shot again, unchanged: nothing new. Edited (another background): revision 2.
        Assert.Equal(HttpStatusCode.Accepted, (await pipeline.PostAsync("/api/v1/shots", Json(ShotSpecJson.Serialize(spec)), ct)).StatusCode);
        Assert.Equal(1, (await ApiSeed.Json(await pipeline.GetAsync($"/api/v1/shots/{key}", ct))).GetProperty("revision").GetInt32());
        var again = await pipeline.PostAsync("/api/v1/shots", Json(ShotSpecJson.Serialize(spec with { Background = "day" })), ct);
        Assert.True(again.StatusCode == HttpStatusCode.Accepted, await again.Content.ReadAsStringAsync(ct));
        Assert.Equal(key, (await ApiSeed.Json(again)).GetProperty("key").GetString());
        var shot2 = await ApiSeed.Json(await pipeline.GetAsync($"/api/v1/shots/{key}", ct));
        Assert.Equal(2, shot2.GetProperty("revision").GetInt32());
        Assert.NotEqual("completed", shot2.GetProperty("status").GetString());
        var during = await ApiSeed.Json(await pipeline.GetAsync("/api/v1/productions/revised", ct));
        Assert.NotEqual("completed", during.GetProperty("status").GetString());

        var history = (await ApiSeed.Json(await pipeline.GetAsync($"/api/v1/shots/{key}/history", ct))).GetProperty("events").EnumerateArray().ToList();
        var revised = Assert.Single(history, e => e.GetProperty("event").GetString() == "talos.hephaestus.shot-revised.v1").GetProperty("data");
        Assert.Equal(2, revised.GetProperty("revision").GetInt32());
        Assert.Equal(["$.background"], revised.GetProperty("changes").EnumerateArray().Select(c => c.GetString()));

        // Revision 2 renders (the shot entity's side) and the film is cut again from it.
        var second = await Finished();
        Assert.True(second.GetProperty("status").GetString() == "completed", second.ToString());
        var shot = await ApiSeed.Json(await pipeline.GetAsync($"/api/v1/shots/{key}", ct));
        Assert.Equal((2, "completed"), (shot.GetProperty("revision").GetInt32(), shot.GetProperty("status").GetString()));
        Assert.NotEqual(shot1.GetProperty("framesHash").GetString(), shot.GetProperty("framesHash").GetString());
        Assert.NotEqual(first.GetProperty("filmHash").GetString(), second.GetProperty("filmHash").GetString());
    }
}
