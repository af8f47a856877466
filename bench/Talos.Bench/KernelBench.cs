using System.Diagnostics;
using Talos.Gpu.Anima;
using Talos.Gpu.Axis;
using Talos.Gpu.Chroma;
using Talos.Gpu.Imaging;
using Talos.Gpu.Stokes;
using Talos.Messages.Specs;

namespace Talos.Bench;

/// <summary>
/// Stage kernels at frame size, each against a peer run in the same invocation: the straightforward way to do the
/// same job (written here, in the benchmark only), so the ratio says what the Talos path buys on this machine.
/// </summary>
public static class KernelBench
{
    public static int Run(int width, int height, int repeat)
    {
        Console.WriteLine($"# kernels at {width}x{height}, median of {repeat}, {Environment.ProcessorCount} cores");
        Console.WriteLine();
        Console.WriteLine("| kernel | Talos (ms) | peer | peer (ms) | speed-up |");
        Console.WriteLine("|---|---|---|---|---|");

        var drawing = LineArt.Draw(Rigs.Get("lanky"), PoseLibrary.Resolve("walk", "joy", 0), 0.5, 1, CameraState.Wide, width, height);
        var palette = Rigs.Get("lanky").DefaultPalette;
        var ink = Rgb.FromHex("#1b1620");
        Row("CHROMA fill (one character)", () => ChromaFill.Fill(drawing.Lines, drawing.Seeds, palette, ink, out _),
            "per-seed BFS flood fill over the whole frame", () => NaiveFill(drawing.Lines, drawing.Seeds, palette), repeat);

        var layers = Enumerable.Range(0, 3).Select(i => new Layer(Gradient(width, height, i))).ToList();
        Row("ANIMA composite + sRGB (3 layers)", () => Compositor.ToSrgb8(Compositor.Composite(width, height, layers), 1f),
            "scalar per-pixel over + MathF.Pow sRGB", () => NaiveComposite(width, height, layers), repeat);

        Row("AXIS line art (one character)",
            () => LineArt.Draw(Rigs.Get("stocky"), PoseLibrary.Resolve("run", "fear", 0), 0.4, -1, CameraState.Wide, width, height),
            "(no peer)", null, repeat);

        var bg = Talos.Gpu.Raygen.Backgrounds.Render(Talos.Gpu.Aether.AetherPresets.Background("dusk"),
            Talos.Gpu.Aether.AetherPresets.Lighting("sunset"), CameraState.Wide, width, height, height * 0.82f);
        var encoded = FrameCodec.EncodeRgba(bg);
        var tfr1 = Tfr1(bg);
        // ZstdSharp's loops reach optimised code only after some dozens of calls (tiered JIT), as they do early in any render
        for (int i = 0; i < 40; i++) FrameCodec.DecodeRgba(FrameCodec.EncodeRgba(bg));
        Row($"vault frame codec: encode a background layer (TFR2 {encoded.Length / 1024} KiB, {(double)tfr1.Length / encoded.Length:F1}x smaller than TFR1's {tfr1.Length / 1024} KiB)",
            () => FrameCodec.EncodeRgba(bg), "TFR1: planar halfs, zlib fastest", () => Tfr1(bg), repeat);
        Row("vault frame codec: decode a background layer", () => FrameCodec.DecodeRgba(encoded),
            "the same layer's TFR1 blob", () => FrameCodec.DecodeRgba(tfr1), repeat);
        Row("RAYGEN background", () => Talos.Gpu.Raygen.Backgrounds.Render(Talos.Gpu.Aether.AetherPresets.Background("dusk"),
            Talos.Gpu.Aether.AetherPresets.Lighting("sunset"), CameraState.Wide, width, height, height * 0.82f), "(no peer)", null, repeat);

        // RAYGEN light with depth and ANIMA delivery, on one lit character over the dusk background.
        var character = ChromaFill.Fill(drawing.Lines, drawing.Seeds, palette, ink, out _);
        var rig = Talos.Gpu.Aether.AetherPresets.Lighting("sunset");
        Row("RAYGEN light map + shade (one character)", () => Talos.Gpu.Raygen.Lighting.LightLayer(character, rig), "(no peer)", null, repeat);
        Row("RAYGEN cast shadow (one character)", () => { var b = bg.Clone(); Talos.Gpu.Raygen.Lighting.CastShadow(b, character, rig, drawing.GroundY); return b; },
            "(no peer)", null, repeat);
        var lens = new CameraState(1, 0, Focus: 1.0, Aperture: 0.02);
        var depth = new float[width * height];
        Talos.Gpu.Raygen.Backgrounds.Render(Talos.Gpu.Aether.AetherPresets.Background("dusk"), rig, lens, width, height, height * 0.82f, depth);
        var coc = depth.Select(d => Talos.Gpu.Raygen.DepthOfField.Coc(d, lens, height)).ToArray();
        Row("RAYGEN depth of field, background (focus 1, aperture 0.02)", () => Talos.Gpu.Raygen.DepthOfField.ApplyCpu(bg, coc),
            "every pixel of the disc, same occlusion rule", () => NaiveBokeh(bg, coc), repeat);
        var (ux, uy) = (new float[width * height], new float[width * height]);
        Array.Fill(ux, 10f);
        Row("ANIMA motion blur (one character, 10 px/frame)", () => MotionBlur.ApplyCpu(character, ux, uy), "(no peer)", null, repeat);
        Row("ANIMA HDR10 signal (PQ, BT.2020, 16-bit)", () => DeliveryPixels.ToPq48(bg), "(no peer)", null, repeat);
        Row("ANIMA 16-bit SDR RGBA (ProRes/PNG16)", () => DeliveryPixels.ToSdr64(bg), "(no peer)", null, repeat);

        var effects = new[] { new EffectSpec { Type = "fire", X = 0.5, Y = 0.85 }, new EffectSpec { Type = "smoke", X = 0.3, Y = 0.8 } };
        var sim = new EffectsSimulation(effects, 24, (double)width / height);
        int frame = 0;
        sim.AdvanceTo(12);
        frame = 12;
        Row("STOKES step (one frame) + render", () => { sim.AdvanceTo(++frame); return sim.Render(width, height); },
            "(no peer: see issue 3's C reference)", null, repeat);
        return 0;
    }

    static void Row(string name, Func<object> talos, string peerName, Func<object>? peer, int repeat)
    {
        double t = Median(talos, repeat);
        if (peer is null) { Console.WriteLine($"| {name} | {t:F2} | {peerName} | - | - |"); return; }
        double p = Median(peer, Math.Max(3, repeat / 4));
        Console.WriteLine($"| {name} | {t:F2} | {peerName} | {p:F2} | {p / t:F1}x |");
    }

    static double Median(Func<object> f, int n)
    {
        f(); f(); // warm up the JIT
        var times = new List<double>();
        for (int i = 0; i < n; i++)
        {
            var sw = Stopwatch.StartNew();
            GC.KeepAlive(f());
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }

    /// <summary>Peer: the depth-of-field gather over every pixel of each disc (no sample spiral), same occlusion rule.</summary>
    static RgbaImage NaiveBokeh(RgbaImage img, float[] coc)
    {
        int w = img.Width, h = img.Height;
        var o = new RgbaImage(w, h);
        Parallel.For(0, h, y =>
        {
            for (int x = 0; x < w; x++)
            {
                int p = y * w + x;
                float r = coc[p];
                int R = (int)MathF.Ceiling(r);
                float sr = 0, sg = 0, sb = 0, sa = 0, sw = 0;
                for (int dy = -R; dy <= R; dy++)
                    for (int dx = -R; dx <= R; dx++)
                    {
                        float dist = MathF.Sqrt(dx * dx + dy * dy);
                        if (dist > r && (dx != 0 || dy != 0)) continue;
                        int q = Math.Clamp(y + dy, 0, h - 1) * w + Math.Clamp(x + dx, 0, w - 1);
                        float wq = dx == 0 && dy == 0 ? 1f : Math.Clamp(coc[q] - dist + 0.5f, 0f, 1f);
                        sr += img.R[q] * wq; sg += img.G[q] * wq; sb += img.B[q] * wq; sa += img.A[q] * wq; sw += wq;
                    }
                o.R[p] = sr / sw; o.G[p] = sg / sw; o.B[p] = sb / sw; o.A[p] = sa / sw;
            }
        });
        return o;
    }

    /// <summary>The codec before TFR2, for a full-frame layer: a 16-byte header and the planar halfs through zlib's fastest level.</summary>
    static byte[] Tfr1(RgbaImage img)
    {
        var halves = new Half[img.PixelCount * 4];
        var planes = new[] { img.R, img.G, img.B, img.A };
        for (int p = 0; p < 4; p++) System.Numerics.Tensors.TensorPrimitives.ConvertToHalf(planes[p], halves.AsSpan(p * img.PixelCount, img.PixelCount));
        using var ms = new MemoryStream();
        var header = new byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(header, 0x31524654);
        header[4] = (byte)FrameCodec.Kind.RgbaHalf;
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), img.Width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(12), img.Height);
        ms.Write(header);
        using (var z = new System.IO.Compression.ZLibStream(ms, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
            z.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(halves.AsSpan()));
        return ms.ToArray();
    }

    static RgbaImage Gradient(int w, int h, int seed)
    {
        var img = new RgbaImage(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                float a = seed == 0 ? 1f : ((x + y * seed) % 97) / 97f;
                img.R[i] = a * x / w; img.G[i] = a * y / h; img.B[i] = a * 0.3f; img.A[i] = a;
            }
        return img;
    }

    /// <summary>Peer: the textbook fill — a queue flood fill from every seed, then a full-frame ink pass.</summary>
    static RgbaImage NaiveFill(GrayImage lines, IReadOnlyList<RegionSeed> seeds, IReadOnlyDictionary<string, Rgb> palette)
    {
        int w = lines.Width, h = lines.Height;
        var img = new RgbaImage(w, h);
        var seen = new bool[w * h];
        foreach (var s in seeds)
        {
            int sx = (int)s.X, sy = (int)s.Y;
            if (sx < 0 || sy < 0 || sx >= w || sy >= h || seen[sy * w + sx] || lines.Data[sy * w + sx] >= 0.5f) continue;
            var c = palette.TryGetValue(s.Region, out var p) ? p : new Rgb(0.5f, 0.5f, 0.5f);
            var q = new Queue<int>();
            q.Enqueue(sy * w + sx);
            seen[sy * w + sx] = true;
            while (q.Count > 0)
            {
                int i = q.Dequeue();
                img.R[i] = c.R; img.G[i] = c.G; img.B[i] = c.B; img.A[i] = 1;
                int x = i % w, y = i / w;
                foreach (var (nx, ny) in new[] { (x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1) })
                {
                    if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
                    int j = ny * w + nx;
                    if (seen[j] || lines.Data[j] >= 0.5f) continue;
                    seen[j] = true;
                    q.Enqueue(j);
                }
            }
        }
        for (int i = 0; i < w * h; i++)
        {
            float cov = lines.Data[i];
            if (cov <= 0) continue;
            img.R[i] = img.R[i] * (1 - cov) + 0.01f * cov; img.G[i] = img.G[i] * (1 - cov) + 0.008f * cov;
            img.B[i] = img.B[i] * (1 - cov) + 0.012f * cov; img.A[i] = Math.Max(img.A[i], cov);
        }
        return img;
    }

    /// <summary>Peer: one pixel at a time, layer over layer, sRGB by the formula.</summary>
    static byte[] NaiveComposite(int w, int h, IReadOnlyList<Layer> layers)
    {
        var rgb = new byte[w * h * 3];
        for (int i = 0; i < w * h; i++)
        {
            float r = 0, g = 0, b = 0, a = 0;
            foreach (var l in layers)
            {
                var s = l.Image;
                float k = 1 - s.A[i];
                r = s.R[i] + r * k; g = s.G[i] + g * k; b = s.B[i] + b * k; a = s.A[i] + a * k;
            }
            rgb[i * 3] = (byte)Math.Clamp(MathF.Round(ColorMath.LinearToSrgb(Math.Clamp(r, 0, 1)) * 255), 0, 255);
            rgb[i * 3 + 1] = (byte)Math.Clamp(MathF.Round(ColorMath.LinearToSrgb(Math.Clamp(g, 0, 1)) * 255), 0, 255);
            rgb[i * 3 + 2] = (byte)Math.Clamp(MathF.Round(ColorMath.LinearToSrgb(Math.Clamp(b, 0, 1)) * 255), 0, 255);
        }
        return rgb;
    }
}
