using System.Net;
using System.Text;
using System.Text.Json;
using Talos.Tests.Actors;
using Talos.Tests.Prism;
using Xunit;

namespace Talos.Tests.Api;

/// <summary>
/// A production submitted through the API with a <c>cast</c>: the rig file goes up as an asset (recognised as a rig by its
/// bytes and loaded on the way in), the cast names it by its upload name, and the shots' first frames show its magenta
/// jacket and BRICK's cast palette (a cyan dress);
/// a cast naming a rig that was never uploaded, a region the rig does not paint, or a character the screenplay lacks is a
/// 400 on <c>$.cast</c> before anything is admitted.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ApiCastTests
{
    const string Screenplay = "EXT. YARD - DAY\n\nSTEEL waves at BRICK.\n\nSTEEL\nBeer's ready!\n\nBRICK\nAre they cold?\n";

    static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    static string Production(string cast, string name = "cast") =>
        $$"""{ "production": "{{name}}", "fountain": {{JsonSerializer.Serialize(Screenplay)}}, "width": 96, "height": 54, "fps": 4, "cast": {{cast}} }""";

    [Fact]
    public async Task A_production_with_a_cast_renders_the_uploaded_rig_and_a_bad_cast_is_refused()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var seed = await ApiSeed.StartAsync("api-cast");
        using var pipeline = seed.Client(ApiSeed.PipelineToken);

        // A rig file is sniffed as a rig and loaded; a file with two rigs is refused with the loader's reason.
        var up = await pipeline.PostAsync("/api/v1/assets?name=rigs/steel.rig.json", new ByteArrayContent(Encoding.UTF8.GetBytes(TestCast.SteelRig())), ct);
        var stored = await ApiSeed.Json(up);
        Assert.True(up.StatusCode == HttpStatusCode.Created, stored.ToString());
        Assert.Equal("rig", stored.GetProperty("kind").GetString());
        var two = $"{{ \"rigs\": [ {TestCast.RigBody("a", 1.2)}, {TestCast.RigBody("b", 1.3)} ] }}";
        var refused = await pipeline.PostAsync("/api/v1/assets", new ByteArrayContent(Encoding.UTF8.GetBytes(two)), ct);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, refused.StatusCode);
        Assert.Contains("exactly one rig", await refused.Content.ReadAsStringAsync(ct));

        async Task Refused(string cast, string expect)
        {
            var r = await pipeline.PostAsync("/api/v1/productions", Json(Production(cast, "bad")), ct);
            var body = await r.Content.ReadAsStringAsync(ct);
            Assert.True(r.StatusCode == HttpStatusCode.BadRequest, body);
            Assert.Equal("$.cast", JsonDocument.Parse(body).RootElement.GetProperty("field").GetString());
            Assert.Contains(expect, body);
        }
        await Refused("""{ "characters": { "STEEL": { "rig": "rigs/nobody.rig.json" } } }""", "unknown rig asset 'rigs/nobody.rig.json': upload the rig file first");
        await Refused("""{ "characters": { "STEEL": { "rig": "rigs/steel.rig.json", "palette": { "coat": "#000000" } } } }""", "region 'coat' is not one rig 'steel-tall' paints");
        await Refused("""{ "characters": { "STEAL": { "rig": "round" } } }""", "the cast names 'STEAL', who is not in");
        await Refused("""{ "characters": { "STEEL": { "rig": "blobby" } } }""", "unknown built-in rig 'blobby'");
        var listed = await ApiSeed.Json(await pipeline.GetAsync("/api/v1/shots?production=bad", ct));
        Assert.Equal(0, listed.GetProperty("shots").GetArrayLength());

        var submit = await pipeline.PostAsync("/api/v1/productions", Json(Production("""
            { "characters": { "steel": { "rig": "rigs/steel.rig.json", "voice": "m3" }, "BRICK": { "rig": "round", "palette": { "dress": "#00ffff" } } } }
            """)), ct);
        Assert.True(submit.StatusCode == HttpStatusCode.Accepted, await submit.Content.ReadAsStringAsync(ct));
        var keys = (await ApiSeed.Json(submit)).GetProperty("shotKeys").EnumerateArray().Select(k => k.GetString()!).ToList();

        JsonElement view;
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(4);
        while (true)
        {
            view = await ApiSeed.Json(await pipeline.GetAsync("/api/v1/productions/cast", ct));
            if (view.GetProperty("status").GetString() is "completed" or "failed" or "cancelled") break;
            Assert.True(DateTime.UtcNow < until, "the production did not finish: " + view);
            await Task.Delay(200, ct);
        }
        Assert.True(view.GetProperty("status").GetString() == "completed", view.ToString());
        int magenta = 0, cyan = 0;
        foreach (var key in keys)
        {
            var thumb = await pipeline.GetByteArrayAsync($"/api/v1/shots/{key}/frames/0/thumbnail?width=96", ct);
            var img = StbImageSharp.ImageResult.FromMemory(thumb, StbImageSharp.ColorComponents.RedGreenBlue);
            for (int i = 0; i + 2 < img.Data.Length; i += 3)
            {
                int r = img.Data[i], g = img.Data[i + 1], b = img.Data[i + 2];
                if (r > 150 && b > 150 && g < r / 2 && g < b / 2) magenta++;
                if (g > 150 && b > 150 && r < g / 3 && r < b / 3) cyan++;
            }
        }
        Assert.True(magenta > 20, $"STEEL's uploaded rig (magenta jacket) is not in the frame: {magenta} magenta pixels");
        Assert.True(cyan > 20, $"BRICK's cyan dress is not in the frame: {cyan} cyan pixels");
    }
}
