using System.Net;
using Talos.Cli.Render;
using Talos.Gpu.Aether;
using Talos.Gpu.Axis;
using Talos.Gpu.Imaging;
using Talos.Gpu.Prism;
using Talos.Gpu.Raygen;
using Talos.Messages.Specs;
using Talos.Tests.Api;
using Talos.Tests.Cuttura;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Raygen;

/// <summary>
/// Background plates (docs/plates.md): multiplane layers moving by their depth factor under a camera pan, measured from the
/// rendered film; characters standing on the plate's declared ground line; a depth map driving RAYGEN's depth of field; and
/// bad input (huge, corrupt, wrong depth maps, too many layers, escaping paths, unknown hashes) refused with one clear error.
/// The films' frames are copied to /tmp/plates-*.png for eyes.
/// </summary>
public sealed class PlateTests : IDisposable
{
    readonly string _dir = Repo.TempDir("plates");
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    const int W = 320, H = 180;

    /// <summary>An 8-bit RGBA PNG painted by <paramref name="paint"/>.</summary>
    internal static byte[] Png(int w, int h, Func<int, int, (byte R, byte G, byte B, byte A)> paint)
    {
        var data = new byte[4 * w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                var (r, g, b, a) = paint(x, y);
                int o = 4 * (y * w + x);
                (data[o], data[o + 1], data[o + 2], data[o + 3]) = (r, g, b, a);
            }
        using var ms = new MemoryStream();
        new StbImageWriteSharp.ImageWriter().WritePng(data, w, h, StbImageWriteSharp.ColorComponents.RedGreenBlueAlpha, ms);
        return ms.ToArray();
    }

    /// <summary>Seeded block noise (3-pixel cells) tinted by <paramref name="tint"/>, opaque in rows [y0, y1), transparent elsewhere.</summary>
    static byte[] NoiseLayer(int w, int h, uint seed, int y0, int y1, (int R, int G, int B) tint) => Png(w, h, (x, y) =>
    {
        if (y < y0 || y >= y1) return (0, 0, 0, 0);
        uint v = Hash((uint)(x / 3), (uint)(y / 3), seed);
        int k = 40 + (int)(v % 200);
        return ((byte)(k * tint.R / 255), (byte)(k * tint.G / 255), (byte)(k * tint.B / 255), 255);
    });

    static uint Hash(uint x, uint y, uint seed)
    {
        uint h = x * 0x8da6b343u ^ y * 0xd8163841u ^ seed * 0xcb1ab31fu;
        h ^= h >> 13; h *= 0x5bd1e995u; h ^= h >> 15;
        return h;
    }

    /// <summary>Luma of a png16 film frame (RGBA 16-bit samples), row-major.</summary>
    static float[] Luma(ushort[] rgba)
    {
        var l = new float[rgba.Length / 4];
        for (int i = 0; i < l.Length; i++) l[i] = (0.2126f * rgba[4 * i] + 0.7152f * rgba[4 * i + 1] + 0.0722f * rgba[4 * i + 2]) / 65535f;
        return l;
    }

    /// <summary>
    /// How far rows [y0, y1) of <paramref name="b"/> moved left against <paramref name="a"/> (pixels, sub-pixel): block matching
    /// over every integer shift 0..<paramref name="maxShift"/> by mean squared difference, refined by a parabola through the
    /// best shift and its neighbours.
    /// </summary>
    static double ShiftLeft(float[] a, float[] b, int w, int y0, int y1, int maxShift)
    {
        var cost = new double[maxShift + 1];
        for (int s = 0; s <= maxShift; s++)
        {
            double sum = 0; int n = 0;
            for (int y = y0; y < y1; y++)
                for (int x = 8; x + s < w - 8; x++) { double d = b[y * w + x] - a[y * w + x + s]; sum += d * d; n++; }
            cost[s] = sum / n;
        }
        int best = Array.IndexOf(cost, cost.Min());
        if (best == 0 || best == maxShift) return best;
        double c0 = cost[best - 1], c1 = cost[best], c2 = cost[best + 1];
        return best + 0.5 * (c0 - c2) / (c0 - 2 * c1 + c2);
    }

    async Task<List<ushort[]>> RenderFilm(string specJson, string name, params (string Name, byte[] Bytes)[] files)
    {
        var dir = Path.Combine(_dir, name);
        Directory.CreateDirectory(dir);
        foreach (var (file, bytes) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(dir, file))!);
            File.WriteAllBytes(Path.Combine(dir, file), bytes);
        }
        var spec = Path.Combine(dir, "shot.json");
        File.WriteAllText(spec, specJson);
        var seq = Path.Combine(dir, "film");
        var (code, error) = await CliRunner.Run([RenderCommand.Create()], "render", spec, "--out", seq, "--work-dir", Path.Combine(dir, "work"));
        Assert.True(code == 0, error);
        var frames = Directory.GetFiles(seq, "*.png").Order().ToList();
        File.Copy(frames[0], Path.Combine(Path.GetTempPath(), $"plates-{name}-first.png"), true);
        File.Copy(frames[^1], Path.Combine(Path.GetTempPath(), $"plates-{name}-last.png"), true);
        return frames.Select(f => DeliveryProbe.Samples16(f, "rgba64le")).ToList();
    }

    [Fact]
    public async Task A_camera_pan_moves_each_multiplane_layer_by_its_depth_factor()
    {
        // Three layers, each three frames wide and as high as the frame (so one plate pixel is one frame pixel at zoom 1),
        // with its own seeded texture: the back one everywhere, the middle one in a band of rows, the near one at the bottom.
        double[] depths = [0.2, 0.5, 1.0];
        const double pan = 0.23; // frame widths: the near layer moves 0.23 · 320 = 73.6 px, the back one 14.72 px
        var files = new (string, byte[])[]
        {
            ("plate/sky.png", NoiseLayer(3 * W, H, 1, 0, H, (150, 190, 255))),
            ("plate/hills.png", NoiseLayer(3 * W, H, 2, 40, 100, (120, 255, 120))),
            ("plate/street.png", NoiseLayer(3 * W, H, 3, 120, H, (255, 190, 130))),
        };
        var json = $$"""
            { "id": "multiplane", "production": "plates", "fps": 12, "frames": { "start": 0, "end": 11 }, "delivery": "png16",
              "resolution": { "width": {{W}}, "height": {{H}} },
              "background": { "groundLine": 0.82, "layers": [
                { "image": "plate/sky.png", "depth": {{depths[0]}} },
                { "image": "plate/hills.png", "depth": {{depths[1]}} },
                { "image": "plate/street.png", "depth": {{depths[2]}} } ] },
              "camera": [ { "frame": 0, "move": "pan", "panX": 0 }, { "frame": 11, "move": "pan", "panX": {{pan}} } ] }
            """;
        var frames = await RenderFilm(json, "pan", files);
        var (first, last) = (Luma(frames[0]), Luma(frames[^1]));
        // Rows where each layer is the nearest one showing: the sky above the hills' band, the hills' band, the street.
        (int Y0, int Y1)[] bands = [(4, 36), (48, 92), (128, 172)];
        var report = new List<string>();
        for (int l = 0; l < 3; l++)
        {
            double expected = pan * depths[l] * W, measured = ShiftLeft(first, last, W, bands[l].Y0, bands[l].Y1, 110);
            report.Add($"layer {l} (depth {depths[l]}): {measured:F2} px, expected {expected:F2} px");
            Assert.True(Math.Abs(measured / expected - 1) < 0.05, string.Join("; ", report));
        }
        // Proportional to the depth factors: the ratios between layers are the ratios of their factors.
        TestContext.Current.SendDiagnosticMessage(string.Join("; ", report));
    }

    /// <summary>The day preset's procedural sky and ground, then a PNG street: a plate mixing both kinds of layer (docs/plates.md).</summary>
    static string MixedPlate(string extra = "") => $$"""
        { "groundLine": 0.82, "layers": [
            { "procedural": "sky", "top": "#3f86d6", "horizon": "#c4e6f7" },
            { "procedural": "ground", "far": "#93c46a", "near": "#4c8a36" },
            { "procedural": "ridge", "depth": 0.12, "colour": "#7fa7c4", "height": 0.2, "amplitude": 0.07, "wavelength": 0.55, "seed": 3 },
            { "image": "street.png", "depth": 1.0 }{{extra}} ] }
        """;

    /// <summary>A street 2 frames wide: transparent above row 0.7 of its height, magenta below.</summary>
    static byte[] Street() => Png(2 * W, H, (x, y) => y < 0.7 * H ? ((byte)0, (byte)0, (byte)0, (byte)0) : ((byte)230, (byte)20, (byte)220, (byte)255));

    [Fact]
    public async Task A_plate_mixes_procedural_layers_behind_its_images()
    {
        var json = $$"""
            { "id": "mixed", "production": "plates", "fps": 12, "frames": { "start": 0, "end": 1 }, "delivery": "png16",
              "resolution": { "width": {{W}}, "height": {{H}} }, "background": {{MixedPlate()}} }
            """;
        var spec = ShotSpecJson.Parse(json);
        Assert.Equal(["street.png"], spec.Plate!.Layers.Select(l => l.Image));
        var written = ShotSpecJson.Serialize(spec);
        Assert.Contains("\"procedural\":\"ridge\"", written.Replace(" ", "")); // written back as the layers they were read as
        Assert.Equal(written, ShotSpecJson.Serialize(ShotSpecJson.Parse(written)));

        // Painted: where the street is transparent, exactly what the procedural layers alone paint; below, the street.
        var light = AetherPresets.Lighting("key-left");
        var plate = Plate.Load(spec.Plate, name => name == "street.png" ? Street() : null);
        float groundY = LineArt.GroundLine(CameraState.Wide, H);
        var mixed = PlatePainter.Render(plate, CameraState.Wide, W, H, groundY, null, light);
        var alone = Backgrounds.Render(plate.Backdrop!, light, CameraState.Wide, W, H, groundY, null);
        int streetTop = Enumerable.Range(0, H).First(y => mixed.R[y * W + W / 2] > 0.5f && mixed.G[y * W + W / 2] < 0.05f);
        Assert.InRange(streetTop, H / 2, H - 10);
        Assert.Equal(alone.R.AsSpan(0, (streetTop - 1) * W).ToArray(), mixed.R.AsSpan(0, (streetTop - 1) * W).ToArray());
        Assert.Throws<ArgumentNullException>(() => PlatePainter.Render(plate, CameraState.Wide, W, H, groundY, null));

        // Through every stage: the procedural sky at the top of the film, the street's magenta at the bottom.
        var frame = (await RenderFilm(json, "mixed", ("street.png", Street())))[0];
        int o = 4 * (4 * W + W / 2), b = 4 * ((H - 4) * W + W / 2);
        Assert.True(frame[o + 2] > frame[o] + 5000, $"the top of the frame is not the procedural sky: {frame[o]},{frame[o + 1]},{frame[o + 2]}");
        Assert.True(frame[b] > 40000 && frame[b + 2] > 40000 && frame[b + 1] < 15000, $"the bottom of the frame is not the street: {frame[b]},{frame[b + 1]},{frame[b + 2]}");
    }

    [Theory]
    [InlineData(", { \"procedural\": \"clouds\", \"depth\": 0.1, \"colour\": \"#ffffff\", \"height\": 0.5, \"size\": 0.07, \"spacing\": 0.5, \"seed\": 1 }", "$.background.layers[4].procedural", "procedural layers come first")]
    [InlineData("BAD_SEED", "$.background.layers[2].seed", "must be an integer")]
    public void A_bad_mixed_plate_is_refused_at_its_json_path(string extra, string path, string message)
    {
        var plate = extra == "BAD_SEED" ? MixedPlate().Replace("\"seed\": 3", "\"seed\": -3") : MixedPlate(extra);
        var e = Assert.Throws<SpecValidationException>(() => ShotSpecJson.Parse($$"""{ "id": "bad", "durationSeconds": 1, "background": {{plate}} }"""));
        Assert.Contains(e.Errors, x => x.Path == path && x.Message.Contains(message));
    }

    [Fact]
    public async Task A_character_stands_on_the_ground_line_the_plate_declares()
    {
        // A plate painted sky blue above row 0.6 of its height and grass green below: its declared ground line is 0.6.
        const int pw = 480, ph = 200;
        var plate = Png(pw, ph, (x, y) => y < 0.6 * ph ? ((byte)40, (byte)90, (byte)230, (byte)255) : ((byte)30, (byte)200, (byte)40, (byte)255));
        var json = $$"""
            { "id": "stand", "production": "plates", "fps": 12, "frames": { "start": 0, "end": 1 }, "delivery": "png16",
              "resolution": { "width": {{W}}, "height": {{H}} },
              "background": { "groundLine": 0.6, "layers": [ { "image": "field.png" } ] },
              "characters": [ { "name": "MARA", "keyframes": [ { "frame": 0, "pose": "idle", "x": 0.5 } ] } ] }
            """;
        var rgba = (await RenderFilm(json, "stand", ("field.png", plate)))[0];
        bool Grass(int x, int y) { int o = 4 * (y * W + x); return rgba[o + 1] > 2 * rgba[o] + 2000 && rgba[o + 1] > 2 * rgba[o + 2] + 2000; }
        bool Sky(int x, int y) { int o = 4 * (y * W + x); return rgba[o + 2] > 2 * rgba[o] + 2000 && rgba[o + 2] > rgba[o + 1] + 2000; }
        // The painted horizon, at the frame's left edge (no character there): where sky turns to grass.
        int horizon = Enumerable.Range(1, H - 1).First(y => Grass(2, y) && Sky(2, y - 1));
        Assert.InRange(horizon, LineArt.GroundLine(CameraState.Wide, H) - 1.5, LineArt.GroundLine(CameraState.Wide, H) + 1.5);
        // The character: pixels in the middle fifth that are neither sky nor grass; its lowest row is where its feet are.
        int feet = Enumerable.Range(0, H).Where(y => Enumerable.Range(2 * W / 5, W / 5).Any(x => !Grass(x, y) && !Sky(x, y))).Max();
        Assert.True(Math.Abs(feet + 1 - horizon) <= 2, $"feet end at row {feet}, the plate's ground line is at row {horizon}");
    }

    [Fact]
    public void The_example_plate_parses_and_its_images_load()
    {
        var dir = Path.Combine(Repo.Root, "examples", "plates");
        var spec = ShotSpecJson.Parse(File.ReadAllText(Path.Combine(dir, "harbour-pan.json")));
        var plate = Plate.Load(spec.Plate!, name => File.ReadAllBytes(Path.Combine(dir, name)));
        Assert.Equal([0.1f, 0.4f, 1f], plate.Layers.Select(l => l.Depth));
        Assert.NotNull(plate.Layers[2].DepthMap);
        foreach (var f in Directory.GetFiles(dir, "*.png")) Assert.True(new FileInfo(f).Length < 200_000, $"{f} is not small");
        var frame = PlatePainter.Render(plate, new CameraState(1, 0.15), 640, 360, LineArt.GroundLine(CameraState.Wide, 360), null);
        using var fs = File.Create(Path.Combine(Path.GetTempPath(), "plates-example.png"));
        new StbImageWriteSharp.ImageWriter().WritePng(Talos.Gpu.Anima.Compositor.ToSrgb8(frame, 1f), 640, 360, StbImageWriteSharp.ColorComponents.RedGreenBlue, fs);
    }

    [Fact]
    public async Task The_API_takes_png_and_jpeg_plates_and_refuses_bad_images_storing_nothing()
    {
        await using var seed = await ApiSeed.StartAsync("api-plates");
        using var pipeline = seed.Client(ApiSeed.PipelineToken);
        var ct = TestContext.Current.CancellationToken;
        var jpeg = await pipeline.PostAsync("/api/v1/assets?name=plates/sky.jpg", new ByteArrayContent(Jpeg(64, 36)), ct);
        Assert.Equal(HttpStatusCode.Created, jpeg.StatusCode);
        Assert.Contains("jpeg-image", await jpeg.Content.ReadAsStringAsync(ct));
        foreach (var name in new[] { "huge", "corrupt-png", "corrupt-jpeg" })
        {
            var (spec, files) = BadCase(name);
            var bytes = files[spec.Layers[0].Image];
            var r = await pipeline.PostAsync("/api/v1/assets?name=plates/" + name, new ByteArrayContent(bytes), ct);
            var body = await r.Content.ReadAsStringAsync(ct);
            Assert.True(r.StatusCode == HttpStatusCode.UnsupportedMediaType, $"{name}: {(int)r.StatusCode} {body}");
            Assert.Contains(name == "huge" ? "30000x30000 pixels, larger than the limit of 16384" : "corrupt or truncated", body);
            var stored = await pipeline.GetAsync("/api/v1/assets/" + Talos.Vault.BlobVault.HashOf(bytes), ct);
            Assert.Equal(HttpStatusCode.NotFound, stored.StatusCode);
        }
    }

    static RgbaImage Blurred(Plate plate, CameraState camera, out float[] depth)
    {
        depth = new float[W * H];
        var bg = PlatePainter.Render(plate, camera, W, H, LineArt.GroundLine(camera, H), depth);
        return DepthOfField.Layer(bg, depth, camera);
    }

    /// <summary>Mean absolute horizontal luma difference of rows [y0, y1): how much fine detail is left.</summary>
    static double Detail(RgbaImage img, int y0, int y1)
    {
        double s = 0; int n = 0;
        for (int y = y0; y < y1; y++)
            for (int x = 1; x < img.Width; x++)
            {
                int p = y * img.Width + x;
                s += Math.Abs(ColorMath.Luma(img.R[p], img.G[p], img.B[p]) - ColorMath.Luma(img.R[p - 1], img.G[p - 1], img.B[p - 1])); n++;
            }
        return s / n;
    }

    [Fact]
    public void A_depth_map_makes_raygen_blur_the_far_part_of_a_plate()
    {
        // One textured plate; its depth map says the upper half is far (0, at infinity) and the lower half is on the characters' plane (1).
        var image = NoiseLayer(W, H, 7, 0, H, (255, 255, 255));
        var map = new ushort[W * H];
        for (int y = H / 2; y < H; y++) map.AsSpan(y * W, W).Fill((ushort)Math.Round(65535 / Plate.MaxDepth));
        var assets = new Dictionary<string, byte[]> { ["p.png"] = image, ["p-depth.png"] = Png16Writer.WriteGrey(W, H, map) };
        var withMap = Plate.Load(new PlateSpec { Layers = [new PlateLayer("p.png", 1.0, "p-depth.png")] }, assets.GetValueOrDefault);
        var flat = Plate.Load(new PlateSpec { Layers = [new PlateLayer("p.png", 1.0)] }, assets.GetValueOrDefault);
        var lens = new CameraState(1.0, 0.0, Focus: 1.0, Aperture: 0.02);

        var sharp = PlatePainter.Render(flat, CameraState.Wide, W, H, LineArt.GroundLine(CameraState.Wide, H), null);
        var blurred = Blurred(withMap, lens, out var depth);
        Assert.Equal(0f, depth[10 * W + 10]);
        Assert.Equal(1f, depth[(H - 10) * W + 10], 3);
        double far = Detail(blurred, 10, H / 2 - 10) / Detail(sharp, 10, H / 2 - 10), near = Detail(blurred, H / 2 + 10, H - 10) / Detail(sharp, H / 2 + 10, H - 10);
        Assert.True(far < 0.5, $"the far half keeps {far:P0} of its detail");
        Assert.True(near > 0.95, $"the near half (in focus) keeps only {near:P0} of its detail");
        // Without the map the plate is one depth (its layer's, in focus): nothing blurs.
        var noMap = Blurred(flat, lens, out _);
        Assert.True(Detail(noMap, 10, H / 2 - 10) / Detail(sharp, 10, H / 2 - 10) > 0.95);
        using var fs = File.Create(Path.Combine(Path.GetTempPath(), "plates-dof.png"));
        new StbImageWriteSharp.ImageWriter().WritePng(Talos.Gpu.Anima.Compositor.ToSrgb8(blurred, 1f), W, H, StbImageWriteSharp.ColorComponents.RedGreenBlue, fs);
    }

    [Fact]
    public void A_depth_map_keeps_cast_shadows_off_what_lies_far_behind_the_characters()
    {
        var light = AetherPresets.Lighting("key-left");
        float ground = LineArt.GroundLine(CameraState.Wide, H);
        var figure = new RgbaImage(W, H);
        for (int y = 60; y < (int)ground; y++)
            for (int x = 150; x < 170; x++) { int p = y * W + x; (figure.R[p], figure.G[p], figure.B[p], figure.A[p]) = (0.3f, 0.2f, 0.2f, 1f); }
        RgbaImage Shadowed(float[]? depth)
        {
            var bg = new RgbaImage(W, H);
            Array.Fill(bg.R, 0.5f); Array.Fill(bg.G, 0.5f); Array.Fill(bg.B, 0.5f); Array.Fill(bg.A, 1f);
            Lighting.CastShadow(bg, figure, light, ground, depth);
            return bg;
        }
        double Dark(RgbaImage img, int x0, int x1) =>
            Enumerable.Range((int)ground, H - (int)ground).SelectMany(y => Enumerable.Range(x0, x1 - x0).Select(x => 0.5 - img.R[y * W + x])).Sum();
        var near = new float[W * H];
        Array.Fill(near, 1f);
        var split = (float[])near.Clone();
        for (int y = 0; y < H; y++) split.AsSpan(y * W + 200, W - 200).Fill(0.2f); // a far valley right of x = 200
        var (none, allNear, withValley) = (Shadowed(null), Shadowed(near), Shadowed(split));
        Assert.True(Dark(none, 200, W) > 1, "the key from the left casts the shadow to the right, past x = 200");
        Assert.Equal(Dark(none, 0, W), Dark(allNear, 0, W), 3);      // ground on the characters' plane: the shadow as without a map
        Assert.Equal(0, Dark(withValley, 200, W), 6);                  // the far valley takes none
        Assert.Equal(Dark(none, 0, 200), Dark(withValley, 0, 200), 3); // the near ground keeps its share
    }

    [Fact]
    public void The_spec_takes_a_plate_object_as_its_background_and_writes_it_back_the_same()
    {
        var json = """
            { "id": "p", "durationSeconds": 1,
              "background": { "groundLine": 0.7, "layers": [ { "image": "sky.png", "depth": 0.1 }, { "image": "sha256/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "depth": 1, "depthMap": "d/depth.png" } ] } }
            """;
        var spec = ShotSpecJson.Parse(json);
        Assert.Equal(ShotSpec.PlateBackground, spec.Background);
        Assert.Equal(0.7, spec.Plate!.GroundLine);
        Assert.Equal(["sky.png", "sha256/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "d/depth.png"],
            SpecAssets.Of(spec).Select(a => a.Name));
        var again = ShotSpecJson.Serialize(spec);
        Assert.Contains("\"groundLine\": 0.7", again);
        Assert.DoesNotContain("\"plate\"", again);
        Assert.Equal(again, ShotSpecJson.Serialize(ShotSpecJson.Parse(again)));
        // A spec without a plate writes no plate field (its bytes, and its chunks' identities, are what they were).
        Assert.DoesNotContain("plate", ShotSpecJson.Serialize(spec with { Plate = null, Background = "day" }));
    }

    [Theory]
    [InlineData("""{ "layers": [] }""", "$.background.layers", "at least 1")]
    [InlineData("""{ "layers": [ {"image":"a.png"},{"image":"a.png"},{"image":"a.png"},{"image":"a.png"},{"image":"a.png"},{"image":"a.png"},{"image":"a.png"},{"image":"a.png"},{"image":"a.png"} ] }""", "$.background.layers", "has 9 entries; at most 8")]
    [InlineData("""{ "layers": [ { "image": "../outside.png" } ] }""", "$.background.layers[0].image", "'..' segment (path traversal)")]
    [InlineData("""{ "layers": [ { "image": "/etc/sky.png" } ] }""", "$.background.layers[0].image", "absolute")]
    [InlineData("""{ "groundLine": 1.2, "layers": [ { "image": "a.png" } ] }""", "$.background.groundLine", "inside (0, 1)")]
    [InlineData("""{ "layers": [ { "image": "a.png", "depth": 0.8 }, { "image": "b.png", "depth": 0.3 } ] }""", "$.background.layers[1].depth", "back to front")]
    [InlineData("""{ "layers": [ { "image": "a.png", "depth": 3 } ] }""", "$.background.layers[0].depth", "outside 0..1.5")]
    [InlineData("""{ "layers": [ { "image": "a.png", "parallax": 3 } ] }""", "$.background.layers[0].parallax", "unknown")]
    public void A_bad_plate_in_a_spec_is_one_clear_error_with_its_path(string plate, string path, string expect)
    {
        var e = Assert.Throws<SpecValidationException>(() => ShotSpecJson.Parse($$"""{ "id": "p", "durationSeconds": 1, "background": {{plate}} }"""));
        var error = Assert.Single(e.Errors);
        Assert.Equal(path, error.Path);
        Assert.Contains(expect, error.Message);
    }

    /// <summary>A PNG whose header says <paramref name="w"/>×<paramref name="h"/> and whose pixels are not there.</summary>
    static byte[] HeaderOnlyPng(int w, int h)
    {
        var good = Png(4, 4, (_, _) => (1, 2, 3, 255));
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(good.AsSpan(16), w);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(good.AsSpan(20), h);
        return good;
    }

    static byte[] Jpeg(int w, int h)
    {
        var rgb = new byte[3 * w * h];
        for (int i = 0; i < rgb.Length; i++) rgb[i] = (byte)(i * 7);
        using var ms = new MemoryStream();
        new StbImageWriteSharp.ImageWriter().WriteJpg(rgb, w, h, StbImageWriteSharp.ColorComponents.RedGreenBlue, ms, 90);
        return ms.ToArray();
    }

    public static TheoryData<string, string> BadImages => new()
    {
        { "huge", "30000x30000 pixels, larger than the limit of 16384 pixels a side" },
        { "corrupt-png", "is not a readable PNG image (corrupt or truncated)" },
        { "corrupt-jpeg", "is not a readable JPEG image (corrupt or truncated)" },
        { "text", "not a readable PNG/JPEG image" },
        { "depth-8bit", "must be a 16-bit greyscale PNG; it is an 8-bit RGBA PNG" },
        { "depth-size", "is 8x8; it must be the size of its layer's image 'good.png', 16x16" },
        { "unknown-hash", "unknown plate image asset 'sha256/" },
    };

    static (PlateSpec Spec, Dictionary<string, byte[]> Files) BadCase(string name)
    {
        var files = new Dictionary<string, byte[]> { ["good.png"] = Png(16, 16, (x, y) => ((byte)x, (byte)y, 9, 255)) };
        PlateLayer layer = name switch
        {
            "huge" => new("huge.png"),
            "corrupt-png" => new("corrupt.png"),
            "corrupt-jpeg" => new("corrupt.jpg"),
            "text" => new("notes.png"),
            "depth-8bit" => new("good.png", 1, "depth8.png"),
            "depth-size" => new("good.png", 1, "depth-small.png"),
            _ => new("sha256/" + new string('0', 64)),
        };
        files["huge.png"] = HeaderOnlyPng(30_000, 30_000);
        var png = Png(16, 16, (x, y) => ((byte)(x * 9), (byte)(y * 9), 40, 255));
        files["corrupt.png"] = png[..(png.Length / 2)].Concat(new byte[64]).ToArray();
        var jpg = Jpeg(32, 32);
        files["corrupt.jpg"] = jpg[..(jpg.Length / 3)];
        files["notes.png"] = "a plate, honest"u8.ToArray();
        files["depth8.png"] = Png(16, 16, (_, _) => (128, 128, 128, 255));
        files["depth-small.png"] = Png16Writer.WriteGrey(8, 8, new ushort[64]);
        // The good layer goes last, after the bad one: the whole plate is refused, not the first half of it taken.
        return (new PlateSpec { Layers = [layer, new PlateLayer("good.png", 1.2)] }, files);
    }

    [Theory]
    [MemberData(nameof(BadImages))]
    public void A_bad_plate_image_is_one_clear_error(string name, string expect)
    {
        var (spec, files) = BadCase(name);
        var e = Assert.Throws<InvalidDataException>(() => Plate.Load(spec, files.GetValueOrDefault));
        Assert.Contains(expect, e.Message);
    }

    [Theory]
    [MemberData(nameof(BadImages))]
    public async Task Talos_render_refuses_a_bad_plate_before_anything_reaches_the_vault(string name, string expect)
    {
        var (spec, files) = BadCase(name);
        var dir = Path.Combine(_dir, name);
        Directory.CreateDirectory(dir);
        foreach (var (file, bytes) in files) File.WriteAllBytes(Path.Combine(dir, file), bytes);
        var shot = new ShotSpec { Id = "bad", DurationSeconds = 1, Resolution = new Resolution(96, 54), Fps = 12, Plate = spec };
        var path = Path.Combine(dir, "shot.json");
        File.WriteAllText(path, ShotSpecJson.Serialize(shot));
        var work = Path.Combine(dir, "work");
        var (code, error) = await CliRunner.Run([RenderCommand.Create()], "render", path, "--out", Path.Combine(dir, "x.mp4"), "--work-dir", work);
        Assert.Equal(2, code);
        Assert.Contains(name == "unknown-hash" ? "unknown asset 'sha256/" : expect, error);
        Assert.Single(error.Trim().Split('\n'));
        if (name != "unknown-hash") Assert.False(Directory.Exists(work), "nothing started: no journal, no vault");
    }
}
