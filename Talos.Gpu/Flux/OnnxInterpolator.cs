using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Flux;

/// <summary>
/// The FLUX model slot: a RIFE-style frame interpolation network run with ONNX Runtime. The model takes two frames
/// as float tensors [1, 3, H, W] (sRGB-encoded, 0..1) and the time t as a float tensor [1] (inputs in that order:
/// frame A, frame B, t), and returns the frame at t as [1, 3, H, W]. Used in place of the optical-flow inbetweener
/// when a model path is configured (<see cref="EnvironmentVariable"/> or an explicit path).
/// </summary>
public sealed class OnnxInterpolator : IDisposable
{
    public const string EnvironmentVariable = "TALOS_FLUX_MODEL";

    readonly InferenceSession session;
    readonly string inputA, inputB, inputT, output;

    public string ModelName { get; }

    OnnxInterpolator(InferenceSession session, string name)
    {
        this.session = session;
        ModelName = name;
        var inputs = session.InputMetadata.Keys.ToList();
        if (inputs.Count != 3)
            throw new InvalidDataException($"FLUX model '{name}' has {inputs.Count} inputs; a RIFE-style model takes three (frame A, frame B, t)");
        (inputA, inputB, inputT) = (inputs[0], inputs[1], inputs[2]);
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

    static string FirstLine(string s) => s.Split('\n')[0].Trim();

    /// <summary>The frame between <paramref name="a"/> and <paramref name="b"/> at time <paramref name="t"/>.</summary>
    public RgbaImage Interpolate(RgbaImage a, RgbaImage b, double t)
    {
        if (a.Width != b.Width || a.Height != b.Height) throw new ArgumentException($"frames differ in size: {a.Width}x{a.Height} vs {b.Width}x{b.Height}");
        int w = a.Width, h = a.Height, n = w * h;
        var inputs = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor(inputA, ToTensor(a)),
            NamedOnnxValue.CreateFromTensor(inputB, ToTensor(b)),
            NamedOnnxValue.CreateFromTensor(inputT, new DenseTensor<float>(new[] { (float)t }, [1])),
        };
        using var results = session.Run(inputs, [output]);
        var tensor = results.First().AsTensor<float>();
        var dims = tensor.Dimensions.ToArray();
        if (dims.Length != 4 || dims[0] != 1 || dims[1] != 3 || dims[2] != h || dims[3] != w)
            throw new InvalidDataException($"FLUX model '{ModelName}' returned a tensor of shape [{string.Join(", ", dims)}], expected [1, 3, {h}, {w}]");
        var img = new RgbaImage(w, h);
        var flat = tensor.ToArray();
        for (int i = 0; i < n; i++)
        {
            img.R[i] = ColorMath.SrgbToLinear(Math.Clamp(flat[i], 0f, 1f));
            img.G[i] = ColorMath.SrgbToLinear(Math.Clamp(flat[n + i], 0f, 1f));
            img.B[i] = ColorMath.SrgbToLinear(Math.Clamp(flat[2 * n + i], 0f, 1f));
            img.A[i] = 1f;
        }
        return img;
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

    /// <summary>Premultiplied linear RGBA composited over white, sRGB-encoded, planar [1, 3, H, W].</summary>
    static DenseTensor<float> ToTensor(RgbaImage img)
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
        return new DenseTensor<float>(data, [1, 3, img.Height, img.Width]);
    }

    public void Dispose() => session.Dispose();
}
