using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Talos.Gpu.Imaging;
using Talos.Gpu.Protoforge;

namespace Talos.Gpu.Anima;

/// <summary>
/// Real-CUGAN 2× (<see cref="ModelRegistry.RealCugan"/>, fetched with <c>talos models fetch realcugan</c>) run with ONNX
/// Runtime on the CPU, in tiles so any frame size fits in memory. It works as realcugan-ncnn-vulkan's CPU path does
/// without its sync-gap mode (<c>-c 0</c>): the frame is cut into tiles of <see cref="TileSize"/> pixels; each tile goes
/// through the network with <see cref="Context"/> pixels of its neighbours around it (the overlap; mirrored where the
/// frame ends, and one more on the right or bottom when the tile is odd), and the network's output, already cropped by
/// its unpadded convolutions, is the tile at twice the size. The squeeze-and-excitation blocks average over their tile,
/// so tiles see slightly different statistics: the tile size is part of the result and fixed per upscaler.
/// </summary>
public sealed class RealCuganUpscaler : IDisposable
{
    public const int Scale = 2;
    /// <summary>Pixels of context around each tile (realcugan-ncnn-vulkan's prepadding for 2×): the network crops 2 × 18 at its output's scale.</summary>
    public const int Context = 18;
    public const int DefaultTileSize = 256;

    readonly InferenceSession _session;
    public int TileSize { get; }

    RealCuganUpscaler(InferenceSession session, int tileSize) => (_session, TileSize) = (session, tileSize);

    /// <summary>
    /// The fetched Real-CUGAN model (checked against its pinned SHA-256). Not fetched or corrupt: one clear
    /// <see cref="ProtoforgeException"/> saying to run <c>talos models fetch realcugan</c>.
    /// </summary>
    public static RealCuganUpscaler Load(string? cacheDir = null, int threads = 1, int tileSize = DefaultTileSize)
    {
        if (tileSize < 32) throw new ArgumentOutOfRangeException(nameof(tileSize), $"a tile of {tileSize} pixels; at least 32");
        var (path, bytes) = Model(cacheDir);
        return new RealCuganUpscaler(OnnxSessions.Open(bytes, $"the Real-CUGAN model {Path.GetFileName(path)}", threads, ["in0"], ["out0"]), tileSize);
    }

    /// <summary>The fetched model file, checked (<see cref="NpmFetcher.Load"/>): not fetched or corrupt, one clear error naming <c>talos models fetch realcugan</c>.</summary>
    public static (string Path, byte[] Bytes) Model(string? cacheDir = null) => NpmFetcher.Load(ModelRegistry.RealCugan, "the Real-CUGAN model", cacheDir);

    /// <summary>
    /// A planar RGB frame (three planes of <paramref name="width"/> × <paramref name="height"/>, sRGB-encoded 0..1) at
    /// twice the size, planar, unclamped as the network returned it.
    /// </summary>
    public float[] UpscalePlanar(float[] rgb, int width, int height)
    {
        if (width <= 0 || height <= 0 || rgb.Length != 3 * width * height)
            throw new ArgumentException($"a planar RGB frame of {width}×{height} has {3 * width * height} values, not {rgb.Length}");
        int n = width * height, ow = Scale * width, oh = Scale * height, on = ow * oh;
        var result = new float[3 * on];
        for (int y0 = 0; y0 < height; y0 += TileSize)
            for (int x0 = 0; x0 < width; x0 += TileSize)
            {
                int tw = Math.Min(TileSize, width - x0), th = Math.Min(TileSize, height - y0);
                int iw = tw + 2 * Context + tw % 2, ih = th + 2 * Context + th % 2;
                var tile = new float[3 * iw * ih];
                for (int c = 0; c < 3; c++)
                    for (int y = 0; y < ih; y++)
                    {
                        int sy = Mirror(y0 - Context + y, height);
                        for (int x = 0; x < iw; x++)
                            tile[(c * ih + y) * iw + x] = rgb[c * n + sy * width + Mirror(x0 - Context + x, width)];
                    }
                using var results = _session.Run([NamedOnnxValue.CreateFromTensor("in0", new DenseTensor<float>(tile, [1, 3, ih, iw]))]);
                var t = results.First().AsTensor<float>();
                var dims = t.Dimensions.ToArray();
                int rw = Scale * iw - 4 * Context, rh = Scale * ih - 4 * Context;
                if (dims is not [1, 3, var h2, var w2] || h2 != rh || w2 != rw)
                    throw new ProtoforgeException($"the Real-CUGAN model returned [{string.Join(", ", dims)}] for a tile of {iw}×{ih}; expected [1, 3, {rh}, {rw}]");
                var o = t is DenseTensor<float> dense ? dense.Buffer.Span : t.ToArray();
                for (int c = 0; c < 3; c++)
                    for (int y = 0; y < Scale * th; y++)
                        o.Slice((c * rh + y) * rw, Scale * tw).CopyTo(result.AsSpan(c * on + (Scale * y0 + y) * ow + Scale * x0, Scale * tw));
            }
        return result;
    }

    /// <summary>An 8-bit sRGB frame (interleaved RGB) at twice the size, rounded to 8 bits as realcugan-ncnn-vulkan writes it.</summary>
    public byte[] Upscale(ReadOnlySpan<byte> rgb, int width, int height)
    {
        int n = width * height;
        if (width <= 0 || height <= 0 || rgb.Length != 3 * n)
            throw new ArgumentException($"an RGB frame of {width}×{height} has {3 * n} bytes, not {rgb.Length}");
        var planar = new float[3 * n];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < 3; c++) planar[c * n + i] = rgb[3 * i + c] * (1 / 255f);
        var up = UpscalePlanar(planar, width, height);
        int on = Scale * Scale * n;
        var result = new byte[3 * on];
        for (int i = 0; i < on; i++)
            for (int c = 0; c < 3; c++) result[3 * i + c] = (byte)Math.Clamp((int)(up[c * on + i] * 255f + 0.5f), 0, 255);
        return result;
    }

    static readonly object SharedGate = new();
    static RealCuganUpscaler? shared;

    /// <summary>
    /// The process's one upscaler for rendering (<see cref="Load"/> with one intra-op thread, <see cref="DefaultTileSize"/>):
    /// loaded on first use and kept; ONNX Runtime runs a session from several threads at once, each chunk on its own, so
    /// frames are the same bit for bit however many chunks run. Not fetched: the <see cref="ProtoforgeException"/> of
    /// <see cref="Load"/>, and the next call tries again.
    /// </summary>
    public static RealCuganUpscaler Shared()
    {
        lock (SharedGate) return shared ??= Load();
    }

    /// <summary>
    /// An 8-bit sRGB frame (interleaved RGB, <paramref name="width"/> × <paramref name="height"/>) upscaled 2× (<see cref="Upscale"/>)
    /// and cropped to <paramref name="outWidth"/> × <paramref name="outHeight"/>, centred (<see cref="Crop"/>).
    /// </summary>
    public byte[] UpscaleTo(ReadOnlySpan<byte> rgb, int width, int height, int outWidth, int outHeight)
    {
        var (ox, oy) = Crop(width, height, outWidth, outHeight);
        var up = Upscale(rgb, width, height);
        if (outWidth == Scale * width && outHeight == Scale * height) return up;
        var result = new byte[3 * outWidth * outHeight];
        for (int y = 0; y < outHeight; y++)
            up.AsSpan(3 * ((y + oy) * Scale * width + ox), 3 * outWidth).CopyTo(result.AsSpan(3 * y * outWidth));
        return result;
    }

    /// <summary>
    /// A linear-light frame (premultiplied, values above 1 for highlights past SDR white) upscaled 2× and cropped to
    /// <paramref name="outWidth"/> × <paramref name="outHeight"/> as <see cref="UpscaleTo"/>. The network was trained on
    /// sRGB-encoded images in 0..1 (given 4.0 it answers about 29), so each colour is split at SDR white: the part up to 1
    /// is sRGB-encoded, upscaled by the network and decoded (negative ringing clamped to 0), and the part above 1 (the
    /// highlights of fire, magic, bright lights) is enlarged by <see cref="Bilinear2x"/> and added back, so highlights keep
    /// their level and a frame without any is the network's alone. Alpha, when any pixel is not opaque, goes through the
    /// network as a grey frame (clamped to 0..1), else stays 1.
    /// </summary>
    public RgbaImage UpscaleLinear(RgbaImage linear, int outWidth, int outHeight)
    {
        int w = linear.Width, h = linear.Height, n = w * h, ow = Scale * w, on = ow * Scale * h;
        var (ox, oy) = Crop(w, h, outWidth, outHeight);
        var planar = new float[3 * n];
        float[][] channels = [linear.R, linear.G, linear.B];
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < n; i++) planar[c * n + i] = ColorMath.LinearToSrgb(Math.Min(channels[c][i], 1f));
        var colour = UpscalePlanar(planar, w, h);
        var excess = channels.Select(ch => ch.Any(v => v > 1f) ? Bilinear2x(ch.Select(v => Math.Max(v - 1f, 0f)).ToArray(), w, h) : null).ToArray();
        float[]? alpha = null;
        if (linear.A.Any(a => a < 1f))
        {
            for (int c = 0; c < 3; c++) linear.A.CopyTo(planar, c * n);
            alpha = UpscalePlanar(planar, w, h);
        }
        var result = new RgbaImage(outWidth, outHeight);
        float[][] outs = [result.R, result.G, result.B];
        for (int y = 0; y < outHeight; y++)
            for (int x = 0; x < outWidth; x++)
            {
                int i = y * outWidth + x, j = (y + oy) * ow + x + ox;
                for (int c = 0; c < 3; c++) outs[c][i] = Math.Max(0f, ColorMath.SrgbToLinear(colour[c * on + j])) + (excess[c]?[j] ?? 0f);
                result.A[i] = alpha is null ? 1f : Math.Clamp((alpha[j] + alpha[on + j] + alpha[2 * on + j]) / 3f, 0f, 1f);
            }
        return result;
    }

    /// <summary>A plane of <paramref name="width"/> × <paramref name="height"/> values enlarged 2× by a bilinear filter (pixel
    /// centres at half-pixel offsets, edges clamped): the plain resample the network is measured against.</summary>
    public static float[] Bilinear2x(ReadOnlySpan<float> plane, int width, int height)
    {
        if (width <= 0 || height <= 0 || plane.Length != width * height)
            throw new ArgumentException($"a plane of {width}×{height} has {width * height} values, not {plane.Length}");
        int ow = Scale * width, oh = Scale * height;
        var result = new float[ow * oh];
        for (int y = 0; y < oh; y++)
        {
            float sy = Math.Clamp((y + 0.5f) / Scale - 0.5f, 0, height - 1);
            int y0 = (int)sy, y1 = Math.Min(height - 1, y0 + 1);
            float fy = sy - y0;
            for (int x = 0; x < ow; x++)
            {
                float sx = Math.Clamp((x + 0.5f) / Scale - 0.5f, 0, width - 1);
                int x0 = (int)sx, x1 = Math.Min(width - 1, x0 + 1);
                float fx = sx - x0;
                float top = plane[y0 * width + x0] * (1 - fx) + plane[y0 * width + x1] * fx;
                float bottom = plane[y1 * width + x0] * (1 - fx) + plane[y1 * width + x1] * fx;
                result[y * ow + x] = top * (1 - fy) + bottom * fy;
            }
        }
        return result;
    }

    /// <summary>
    /// Where a frame of <paramref name="outWidth"/> × <paramref name="outHeight"/> is cut from the 2× enlargement of a
    /// <paramref name="width"/> × <paramref name="height"/> one: centred (the enlargement is larger by at most a few pixels,
    /// when the delivery size halved is rounded up to even: <c>ShotSpec.RenderResolution</c>); one clear error when it is smaller.
    /// </summary>
    public static (int X, int Y) Crop(int width, int height, int outWidth, int outHeight)
    {
        int dx = Scale * width - outWidth, dy = Scale * height - outHeight;
        if (outWidth <= 0 || outHeight <= 0 || dx < 0 || dy < 0)
            throw new ArgumentException($"a {width}×{height} frame upscaled {Scale}× cannot be cut to {outWidth}×{outHeight}");
        return (dx / 2, dy / 2);
    }

    /// <summary>A coordinate mirrored into [0, n) about the edge pixels (the edge itself not repeated), as ncnn's reflect border.</summary>
    static int Mirror(int i, int n)
    {
        if (n == 1) return 0;
        while (i < 0 || i >= n) i = i < 0 ? -i : 2 * (n - 1) - i;
        return i;
    }

    public void Dispose() => _session.Dispose();
}
