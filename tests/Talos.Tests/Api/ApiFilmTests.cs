using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Talos.Messages.Api;
using Talos.Cluster.Seed.Api;
using Talos.Gpu.Prism;
using Talos.Messages.Queries;
using Talos.Tests.Actors;
using Talos.Tests.Support;
using Talos.Vault;
using Xunit;

namespace Talos.Tests.Api;

/// <summary>
/// <c>GET /productions/{p}/film</c> carries the production's delivery: MP4 for sdr and hdr10, MOV for prores, a zip of
/// the 16-bit PNG sequence for png16, each named <c>&lt;production&gt;.&lt;ext&gt;</c>; the production's view names its delivery.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ApiFilmTests
{
    [Theory]
    [InlineData("sdr", "video/mp4", "reel.mp4")]
    [InlineData("hdr10", "video/mp4", "reel.mp4")]
    [InlineData("prores", "video/quicktime", "reel.mov")]
    [InlineData("png16", "application/zip", "reel.zip")]
    public async Task Each_delivery_is_served_with_its_content_type_and_file_name(string delivery, string type, string name)
    {
        var dir = Repo.TempDir("film-" + delivery);
        try
        {
            using var vault = BlobVault.Open(dir);
            var bytes = Encoding.ASCII.GetBytes("the film of " + delivery);
            var view = new ProductionView("reel", "completed", null, [], vault.Put(bytes, "film"), 24, delivery);
            var http = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
            var body = new MemoryStream();
            http.Response.Body = body;
            await FilmDownload.For(view, vault).ExecuteAsync(http);

            Assert.Equal(type, http.Response.ContentType);
            var disposition = System.Net.Http.Headers.ContentDispositionHeaderValue.Parse(http.Response.Headers.ContentDisposition.ToString());
            Assert.Equal(name, disposition.FileNameStar ?? disposition.FileName);
            Assert.Equal(bytes, body.ToArray());
            Assert.Equal(delivery, ProductionResource.From(view).Delivery);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void An_unknown_delivery_is_refused_by_name() =>
        Assert.Contains("'webm'", Assert.Throws<ArgumentException>(() => FilmDownload.Of("webm")).Message);

    [Fact]
    public async Task A_png16_production_hands_over_its_film_as_a_zip_of_16_bit_PNGs()
    {
        await using var seed = await ApiSeed.StartAsync("api-film");
        using var pipeline = seed.Client(ApiSeed.PipelineToken);
        var spec = ShotSpecJson.Serialize(ShotLifecycleTests.SmallShot() with { Id = "z1", Production = "zipped", Delivery = "png16" });
        var submit = await pipeline.PostAsync("/api/v1/productions",
            new StringContent($"{{\"shots\": [{spec}]}}", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        Assert.True(submit.StatusCode == HttpStatusCode.Accepted, await submit.Content.ReadAsStringAsync());

        JsonElement view;
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (true)
        {
            view = await ApiSeed.Json(await pipeline.GetAsync("/api/v1/productions/zipped", TestContext.Current.CancellationToken));
            var status = view.GetProperty("status").GetString();
            if (status is "completed" or "failed" or "cancelled") break;
            Assert.True(DateTime.UtcNow < until, "the production did not finish: " + view);
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
        Assert.True(view.GetProperty("status").GetString() == "completed", view.ToString());
        Assert.Equal("png16", view.GetProperty("delivery").GetString());

        using var film = await pipeline.GetAsync(view.GetProperty("filmHref").GetString(), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, film.StatusCode);
        Assert.Equal("application/zip", film.Content.Headers.ContentType?.MediaType);
        Assert.Equal("zipped.zip", film.Content.Headers.ContentDisposition?.FileNameStar ?? film.Content.Headers.ContentDisposition?.FileName);
        using var zip = new ZipArchive(new MemoryStream(await film.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken)));
        Assert.Equal(view.GetProperty("filmFrames").GetInt32(), zip.Entries.Count);
        foreach (var entry in zip.Entries)
        {
            Assert.EndsWith(".png", entry.Name);
            using var png = new BinaryReader(entry.Open());
            var head = png.ReadBytes(25); // signature (8), IHDR length+type (8), width, height (8), bit depth (1)
            Assert.Equal((byte)0x89, head[0]);
            Assert.Equal(16, head[24]);
        }
    }
}
