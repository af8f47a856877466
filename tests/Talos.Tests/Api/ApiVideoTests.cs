using System.Net;
using System.Net.Http.Headers;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Tests.Actors;
using Talos.Vault;
using Xunit;

namespace Talos.Tests.Api;

/// <summary>
/// A shot's review clip is made the first time it is asked for (<c>ShotClips</c>). A browser's player asks several times
/// at once (a plain GET, then ranges for the header and the moov atom): every one of those first asks gets the one clip,
/// whole or the range it named, from one encode that an ask dropped on the way does not cancel.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ApiVideoTests
{
    [Fact]
    public async Task Concurrent_first_requests_for_a_fresh_shots_video_all_get_the_same_clip()
    {
        await using var seed = await ApiSeed.StartAsync("api-video");
        var spec = ShotLifecycleTests.SmallShot() with { Id = "clip-1", Production = "video" };
        var accepted = Assert.IsType<SubmitAccepted>(await seed.App.Node.AskHephaestus<object>(new SubmitShot(spec)));
        var key = accepted.ShotKeys[0];
        var view = await ShotLifecycleTests.WaitFor(seed.App.Node, key, v => ShotStatus.IsTerminal(v.Status), TimeSpan.FromMinutes(3));
        Assert.True(view.Status == ShotStatus.Completed, view.Reason);
        var name = DerivedAssets.ShotClip(view.FramesHash!, view.Fps);
        Assert.Null(seed.App.Node.Vault.ResolveAsset(name)); // the render made no clip: these are the first asks

        // A player that drops its first ask (the page moved on) does not take the encode with it: it goes on for the others.
        long encodes = Talos.Actors.Pipeline.ShotClips.Encodes;
        using (var dropped = new CancellationTokenSource())
        using (var dropping = seed.Client(ApiSeed.PipelineToken))
        {
            var first = dropping.GetAsync($"/api/v1/shots/{key}/video", dropped.Token);
            for (var until = DateTime.UtcNow.AddMinutes(1); Talos.Actors.Pipeline.ShotClips.Encodes == encodes && DateTime.UtcNow < until;)
                await Task.Delay(5, TestContext.Current.CancellationToken);
            dropped.Cancel(); // while its encode is under way
            try { (await first).Dispose(); }
            catch (OperationCanceledException) { }
        }

        // Each on its own connection, all sent at once: whole-file asks and the ranges a player sends.
        (long From, long? To)?[] ranges = [null, (0, null), (0, 1), (0, 1023), (100, 499), (2048, null), null, (0, null), (512, 4095), (0, null)];
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var asks = ranges.Select(async range =>
        {
            using var client = seed.Client(ApiSeed.PipelineToken);
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/shots/{key}/video");
            if (range is { } r) request.Headers.Range = new RangeHeaderValue(r.From, r.To);
            await go.Task;
            using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
            return (Range: range, response.StatusCode, Body: await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        }).ToList();
        go.SetResult();
        var answers = await Task.WhenAll(asks);

        var hash = seed.App.Node.Vault.ResolveAsset(name);
        Assert.NotNull(hash);
        var clip = seed.App.Node.Vault.Get(hash);
        Assert.Equal("ftyp", System.Text.Encoding.ASCII.GetString(clip, 4, 4));
        Assert.True(clip.Length > 4096, $"a {clip.Length}-byte clip is too short for these ranges");
        foreach (var (range, status, body) in answers)
        {
            if (range is not { } r)
            {
                Assert.True(status == HttpStatusCode.OK, $"whole clip: {(int)status} {System.Text.Encoding.UTF8.GetString(body)}");
                Assert.Equal(clip, body);
                continue;
            }
            Assert.True(status == HttpStatusCode.PartialContent, $"range {r.From}-{r.To}: {(int)status} {System.Text.Encoding.UTF8.GetString(body)}");
            long to = Math.Min(r.To ?? clip.Length - 1, clip.Length - 1);
            Assert.Equal(clip[(int)r.From..(int)(to + 1)], body);
        }

        Assert.Equal(1, Talos.Actors.Pipeline.ShotClips.Encodes - encodes); // one encode for all of them

        // Later asks reuse the kept clip.
        using var later = seed.Client(ApiSeed.PipelineToken);
        Assert.Equal(clip, await later.GetByteArrayAsync($"/api/v1/shots/{key}/video", TestContext.Current.CancellationToken));
        Assert.Equal(hash, seed.App.Node.Vault.ResolveAsset(name));
        Assert.Equal(1, Talos.Actors.Pipeline.ShotClips.Encodes - encodes);
    }
}
