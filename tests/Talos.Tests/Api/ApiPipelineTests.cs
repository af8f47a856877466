using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Talos.Cluster.Seed.Api;
using Talos.Gpu.Axis;
using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;
using Talos.Messages.Queries;
using Talos.Tests.Actors;
using Xunit;

namespace Talos.Tests.Api;

/// <summary>
/// The pipeline API against an in-process seed (roles core+gpu, every message serialized): refusals (401, 403, 413,
/// 400, 415, 429) as problem+json that never reach an actor; a shot submitted with uploaded keyframe drawings and a
/// palette renders, streams its progress over SSE, fires a signed webhook, serves its video and thumbnails; operator
/// actions are journalled in its history with who did them.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ApiPipelineTests
{
    const int W = 96, H = 54;

    static byte[] Key(string pose, double x) =>
        KeyImages.WriteInk(LineArt.Draw(Rigs.Get("round"), PoseLibrary.Resolve(pose, "calm", 0), x, 1, CameraState.Wide, W, H).Lines);

    static string Spec(string id, string key0, string key1, int fps = 12) => $$"""
        { "id": "{{id}}", "production": "api", "fps": {{fps}}, "resolution": { "width": {{W}}, "height": {{H}} }, "durationSeconds": 1,
          "background": "dusk", "lighting": "key-left",
          "characters": [ { "name": "ARTIST", "rig": "round", "palette": { "hair": "#112233" },
                            "keyframeImages": [ { "frame": 1, "asset": "{{key0}}" }, { "frame": 9, "asset": "{{key1}}" } ] } ],
          "camera": [ { "frame": 0, "move": "wide" } ] }
        """;

    static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    static async Task<JsonElement> Problem(HttpResponseMessage r, HttpStatusCode status, string field)
    {
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(status == r.StatusCode, $"{(int)r.StatusCode} {body}");
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        var p = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal((int)status, p.GetProperty("status").GetInt32());
        Assert.True(p.TryGetProperty("field", out var f), body);
        Assert.Equal(field, f.GetString());
        return p;
    }

    [Fact]
    public async Task Refused_requests_get_problem_json_and_never_reach_an_actor()
    {
        await using var seed = await ApiSeed.StartAsync("api-refusals", o => o with { MaxJsonBytes = 4096, MaxAssetBytes = 8192, RateLimitPerMinute = 60 });
        using var anonymous = seed.Client(null);
        using var wrong = seed.Client("wrong-token");
        using var pipeline = seed.Client(ApiSeed.PipelineToken);
        var spec = Spec("r1", "a.png", "b.png");

        await Problem(await anonymous.PostAsync("/api/v1/shots", Json(spec)), HttpStatusCode.Unauthorized, "Authorization");
        await Problem(await wrong.PostAsync("/api/v1/shots", Json(spec)), HttpStatusCode.Unauthorized, "Authorization");
        using (var basic = new HttpRequestMessage(HttpMethod.Get, "/api/v1/shots"))
        {
            basic.Headers.Authorization = new AuthenticationHeaderValue("Basic", "dXNlcjpwdw==");
            await Problem(await anonymous.SendAsync(basic), HttpStatusCode.Unauthorized, "Authorization");
        }
        // A pipeline token on operator routes: 403 naming the scope.
        foreach (var verb in new[] { "retry", "cancel", "pause", "resume" })
        {
            var p = await Problem(await pipeline.PostAsync($"/api/v1/shots/api--r1/{verb}", null), HttpStatusCode.Forbidden, "Authorization");
            Assert.Contains("scope 'operator'", p.GetProperty("detail").GetString());
        }
        await Problem(await pipeline.PostAsync("/api/v1/shots/api--r1/priority", Json("{\"priority\":3}")), HttpStatusCode.Forbidden, "Authorization");

        // Oversized: by Content-Length, and streamed without one.
        var big = Spec("r1", "a.png", "b.png").Replace("\"dusk\"", "\"dusk\"" + new string(' ', 5000));
        var p413 = await Problem(await pipeline.PostAsync("/api/v1/shots", Json(big)), HttpStatusCode.RequestEntityTooLarge, "body");
        Assert.Contains("4096", p413.GetProperty("detail").GetString());
        var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(big)));
        chunked.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using (var req = new HttpRequestMessage(HttpMethod.Post, "/api/v1/shots") { Content = chunked })
        {
            req.Headers.TransferEncodingChunked = true;
            await Problem(await pipeline.SendAsync(req), HttpStatusCode.RequestEntityTooLarge, "body");
        }
        await Problem(await pipeline.PostAsync("/api/v1/assets", new ByteArrayContent(new byte[9000])), HttpStatusCode.RequestEntityTooLarge, "body");

        // Malformed: broken JSON (line named), a spec that breaks the rules (path named), wrong types, junk assets, no body.
        var broken = await Problem(await pipeline.PostAsync("/api/v1/shots", Json("{\n \"id\": \"x\",\n \"fps\": }")), HttpStatusCode.BadRequest, "$");
        Assert.Equal(3, broken.GetProperty("line").GetInt32());
        var rules = await Problem(await pipeline.PostAsync("/api/v1/shots", Json(spec.Replace("\"fps\": 12", "\"fps\": 500"))), HttpStatusCode.BadRequest, "$.fps");
        Assert.Contains("$.fps", rules.GetProperty("detail").GetString());
        var upscale = await Problem(await pipeline.PostAsync("/api/v1/shots", Json(spec.Replace("\"fps\": 12", "\"fps\": 12, \"upscale\": 4"))), HttpStatusCode.BadRequest, "$.upscale");
        Assert.Contains("4 is not an upscale factor (known: 1, 2)", upscale.GetProperty("detail").GetString());
        await Problem(await pipeline.PostAsync("/api/v1/shots", Json(spec)), HttpStatusCode.BadRequest, "$.characters[0].keyframeImages[0].asset");
        await Problem(await pipeline.PostAsync("/api/v1/shots", new StringContent("id=x", Encoding.UTF8, "application/x-www-form-urlencoded")),
            HttpStatusCode.UnsupportedMediaType, "Content-Type");
        await Problem(await pipeline.PostAsync("/api/v1/shots", Json("")), HttpStatusCode.BadRequest, "body");
        await Problem(await pipeline.PostAsync("/api/v1/productions", Json("{\"prompt\": \"MARA walks.\", \"fountain\": \"X\"}")), HttpStatusCode.BadRequest, "$");
        await Problem(await pipeline.PostAsync("/api/v1/productions", Json("{\"prompt\": \"MARA walks.\", \"fps\": \"fast\"}")), HttpStatusCode.BadRequest, "$.fps");
        await Problem(await pipeline.PostAsync("/api/v1/productions", Json("{\"prompt\": \"MARA walks.\", \"colour\": 1}")), HttpStatusCode.BadRequest, "$.colour");
        // The limits and identifier rules the CLI and PRISM use (Talos.Messages.Specs), in the same words.
        foreach (var (body, field, detail) in new[]
        {
            ("\"width\": 100000", "$.width", "width 100000 is outside 16..7680"), ("\"height\": 181", "$.height", "height 181 is odd"),
            ("\"fps\": 0", "$.fps", "fps 0 is outside 1..120"), ("\"scenes\": \"3-1\"", "$.scenes", "scenes '3-1' is not a range like 1-2 or 3 (it ends before it starts)"),
            ("\"production\": \"a b\"", "$.production", "production 'a b' contains ' '"), ("\"audioAsset\": \"../x.wav\"", "$.audioAsset", "audioAsset '../x.wav' has a '..' segment"),
        })
        {
            var bad = await Problem(await pipeline.PostAsync("/api/v1/productions", Json($"{{\"prompt\": \"MARA walks.\", {body}}}")), HttpStatusCode.BadRequest, field);
            Assert.StartsWith(detail, bad.GetProperty("detail").GetString());
        }
        await Problem(await pipeline.PostAsync("/api/v1/shots/api--r1/priority", Json("{}")), HttpStatusCode.Forbidden, "Authorization");
        await Problem(await pipeline.PostAsync("/api/v1/assets", new ByteArrayContent(Encoding.UTF8.GetBytes("GIF89a not a png"))), HttpStatusCode.UnsupportedMediaType, "body");
        var png = Key("idle", 0.3);
        await Problem(await pipeline.PostAsync("/api/v1/assets", new ByteArrayContent(png[..20])), HttpStatusCode.UnsupportedMediaType, "body");
        await Problem(await pipeline.PostAsync("/api/v1/assets", new ByteArrayContent(Encoding.UTF8.GetBytes("{\"dress\": \"red\"}"))), HttpStatusCode.UnsupportedMediaType, "body");
        await Problem(await pipeline.PostAsync("/api/v1/assets?name=../etc/passwd", new ByteArrayContent(png)), HttpStatusCode.BadRequest, "name");
        await Problem(await pipeline.PostAsync("/api/v1/productions/api/webhooks", Json("{\"url\": \"ftp://x\"}")), HttpStatusCode.BadRequest, "$.url");

        Assert.Equal(0, seed.App.Gateway.Sent);
        var listing = Assert.IsType<ShotListing>(await seed.App.Node.AskHephaestus<object>(new ListShots()));
        Assert.Empty(listing.Shots);

        // Rate limit: 60 a minute per token; the rest get 429 problem+json with Retry-After.
        HttpResponseMessage? limited = null;
        for (int i = 0; i < 70 && limited is null; i++)
        {
            var r = await pipeline.GetAsync("/api/v1/assets/" + new string('0', 64));
            if (r.StatusCode == HttpStatusCode.TooManyRequests) limited = r;
        }
        Assert.NotNull(limited);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.True(limited.Headers.RetryAfter is not null);
    }

    [Fact]
    public async Task A_shot_with_uploaded_drawings_and_palette_renders_streams_progress_fires_a_signed_webhook_and_is_audited()
    {
        await using var seed = await ApiSeed.StartAsync("api-pipeline", o => o with { WebhookAllowPrivate = true }); // the receiver is on 127.0.0.1
        using var pipeline = seed.Client(ApiSeed.PipelineToken);
        using var ops = seed.Client(ApiSeed.OperatorToken);

        // A webhook receiver on this machine.
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0)) { probe.Start(); port = ((IPEndPoint)probe.LocalEndpoint).Port; }
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/hook/");
        listener.Start();
        var hookSeen = Task.Run(async () =>
        {
            var ctx = await listener.GetContextAsync();
            using var ms = new MemoryStream();
            await ctx.Request.InputStream.CopyToAsync(ms);
            var result = (Body: ms.ToArray(), Signature: ctx.Request.Headers[WebhookDispatcher.SignatureHeader], Event: ctx.Request.Headers["X-Talos-Event"]);
            ctx.Response.StatusCode = 204;
            ctx.Response.Close();
            return result;
        });
        const string secret = "a-webhook-secret-of-some-length";
        var hook = await pipeline.PostAsync("/api/v1/productions/api/webhooks", Json($"{{\"url\": \"http://127.0.0.1:{port}/hook/\", \"secret\": \"{secret}\"}}"));
        Assert.Equal(HttpStatusCode.Created, hook.StatusCode);

        // Assets: two drawings (one by name, one by hash) and a palette.
        async Task<JsonElement> Upload(byte[] bytes, string? name = null)
        {
            var r = await pipeline.PostAsync("/api/v1/assets" + (name is null ? "" : "?name=" + name), new ByteArrayContent(bytes));
            Assert.True(r.StatusCode == HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
            return await ApiSeed.Json(r);
        }
        var k0 = Key("idle", 0.3);
        var a0 = await Upload(k0, "drawings/k0.png");
        Assert.Equal(Talos.Vault.BlobVault.HashOf(k0), a0.GetProperty("hash").GetString());
        Assert.Equal(AssetSniffer.Png, a0.GetProperty("kind").GetString());
        var a1 = await Upload(Key("gesture", 0.6));
        var pal = await Upload(Encoding.UTF8.GetBytes("{ \"dress\": \"#2a9d8f\", \"hair\": \"#ffffff\" }"));
        Assert.Equal(AssetSniffer.Palette, pal.GetProperty("kind").GetString());

        var submit = await pipeline.PostAsync($"/api/v1/shots?palette={pal.GetProperty("hash").GetString()}",
            Json(Spec("drawn", "drawings/k0.png", a1.GetProperty("asset").GetString()!)));
        Assert.True(submit.StatusCode == HttpStatusCode.Accepted, await submit.Content.ReadAsStringAsync());
        var key = (await ApiSeed.Json(submit)).GetProperty("key").GetString()!;
        Assert.Equal("api--drawn", key);

        // Operators pause and resume it (journalled with the token's name); a pipeline token may read it all.
        var pause = await ops.PostAsync($"/api/v1/shots/{key}/pause", null);
        Assert.True(pause.StatusCode == HttpStatusCode.OK, await pause.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await ops.PostAsync($"/api/v1/shots/{key}/resume", null)).StatusCode);

        // Progress over SSE until the per-shot stream ends with the terminal state.
        var events = new List<JsonElement>();
        using (var stream = await pipeline.GetStreamAsync($"/api/v1/shots/{key}/events"))
        using (var reader = new StreamReader(stream))
        {
            string? line, evt = null;
            while ((line = await reader.ReadLineAsync()) is not null)
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal)) evt = line[7..];
                else if (line.StartsWith("data: ", StringComparison.Ordinal) && evt == "shot") events.Add(JsonDocument.Parse(line[6..]).RootElement.Clone());
            }
        }
        var last = events[^1];
        Assert.True(last.GetProperty("status").GetString() == "completed", last.ToString());
        var progress = events.Select(e => e.GetProperty("progress").GetDouble()).ToList();
        Assert.Equal(1.0, progress[^1]);
        // It streamed the way there, not just the end: the shot rendering, short of done, before it completed. Which values
        // in between show is the machine's: the stream publishes what each poll of the registry (every WatchInterval) finds
        // changed, so stages that finish between two polls show as one step (in a full suite run the polls were once
        // starved for a whole render: 0, 0, 1, 1).
        var streamed = string.Join(", ", events.Select(e => $"{e.GetProperty("status").GetString()} {e.GetProperty("progress").GetDouble()}"));
        Assert.True(events.SkipLast(1).Any(e => e.GetProperty("status").GetString() == Talos.Messages.ShotStatus.Rendering && e.GetProperty("progress").GetDouble() < 1),
            "streamed: " + streamed);

        // The signed webhook.
        var seen = await hookSeen.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("shot.finished", seen.Event);
        Assert.Equal(WebhookDispatcher.Sign(secret, seen.Body), seen.Signature);
        Assert.NotEqual(WebhookDispatcher.Sign(secret + "x", seen.Body), seen.Signature);
        Assert.Equal(key, JsonDocument.Parse(seen.Body).RootElement.GetProperty("shot").GetProperty("key").GetString());

        // Video and thumbnails.
        var video = await pipeline.GetByteArrayAsync($"/api/v1/shots/{key}/video");
        Assert.Equal("ftyp", Encoding.ASCII.GetString(video, 4, 4));
        var thumb = await pipeline.GetByteArrayAsync($"/api/v1/shots/{key}/frames/5/thumbnail?width=48");
        var img = StbImageSharp.ImageResult.FromMemory(thumb, StbImageSharp.ColorComponents.RedGreenBlue);
        Assert.Equal((48, 27), (img.Width, img.Height));
        Assert.True(img.Data.Distinct().Count() > 8, "the thumbnail is a picture, not a flat colour");
        await Problem(await pipeline.GetAsync($"/api/v1/shots/{key}/frames/99/thumbnail"), HttpStatusCode.BadRequest, "frame");

        // Operator verbs on a finished shot are refused (409) and still journalled; priority is sent.
        await Problem(await ops.PostAsync($"/api/v1/shots/{key}/pause", null), HttpStatusCode.Conflict, "key");
        var priority = await ops.PostAsync($"/api/v1/shots/{key}/priority", Json("{\"priority\": 7}"));
        Assert.True(priority.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted or HttpStatusCode.Conflict, await priority.Content.ReadAsStringAsync());
        await Problem(await ops.PostAsync("/api/v1/shots/api--nope/cancel", null), HttpStatusCode.NotFound, "key");

        var history = await ApiSeed.Json(await pipeline.GetAsync($"/api/v1/shots/{key}/history"));
        var entries = history.GetProperty("events").EnumerateArray().ToList();
        string Name(JsonElement e) => e.GetProperty("event").GetString()!;
        Assert.Equal("talos.hephaestus.shot-admitted.v1", Name(entries[0]));
        Assert.Contains(entries, e => Name(e) == "talos.shot.chunk-completed.v1");
        Assert.Contains(entries, e => Name(e) == "talos.shot.paused.v1");
        var audit = entries.Where(e => e.GetProperty("source").GetString() == "audit").Select(e => e.GetProperty("data")).ToList();
        Assert.Equal(["pause", "resume", "pause", "priority"], audit.Select(a => a.GetProperty("action").GetString()));
        Assert.All(audit, a => Assert.Equal("ops-alice", a.GetProperty("by").GetString()));
        Assert.Equal([true, true, false], audit.Take(3).Select(a => a.GetProperty("accepted").GetBoolean()));
        var times = entries.Where(e => e.GetProperty("at").ValueKind == JsonValueKind.String).Select(e => e.GetProperty("at").GetDateTimeOffset()).ToList();
        Assert.Equal(times.OrderBy(t => t), times);
    }
}
