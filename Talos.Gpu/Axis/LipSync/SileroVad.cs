using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Talos.Gpu.Cuttura.Audio;
using Talos.Gpu.Protoforge;

namespace Talos.Gpu.Axis.LipSync;

/// <summary>A stretch of speech, in seconds from the start of the audio.</summary>
public readonly record struct SpeechSegment(double Start, double End)
{
    public double Seconds => End - Start;
}

/// <summary>
/// Silero VAD v5 (<see cref="ModelRegistry.SileroVad"/>) run with ONNX Runtime on the CPU, one thread, sequential: the
/// same audio gives the same probabilities bit for bit. 16 kHz audio goes in 512-sample (32 ms) windows, each preceded by
/// the previous window's last 64 samples (the context the model was trained with, as in Silero's own utils_vad.py); the
/// recurrent state [2, 1, 128] is carried from window to window and reset per file.
/// </summary>
public sealed class SileroVad : IDisposable
{
    public const int SampleRate = 16_000, Window = 512, Context = 64;
    /// <summary>Seconds per window (32 ms).</summary>
    public const double WindowSeconds = (double)Window / SampleRate;

    readonly InferenceSession _session;
    readonly object _gate = new();

    SileroVad(InferenceSession session) => _session = session;

    /// <summary>The pinned model, fetched into the cache first when it is not there yet.</summary>
    public static SileroVad LoadDefault(Action<string>? log = null) => Load(NpmFetcher.Ensure(ModelRegistry.SileroVad, log: log));

    public static SileroVad Load(string path)
    {
        if (!File.Exists(path)) throw new ProtoforgeException($"Silero VAD model file '{path}' does not exist");
        return Load(File.ReadAllBytes(path), Path.GetFileName(path));
    }

    /// <summary>A model from its bytes; a corrupt file or a model with other inputs is one <see cref="ProtoforgeException"/> naming it.</summary>
    public static SileroVad Load(byte[] model, string name)
    {
        var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        InferenceSession session;
        try { session = new InferenceSession(model, options); }
        catch (OnnxRuntimeException e) { throw new ProtoforgeException($"Silero VAD model '{name}' is not a loadable ONNX model: {e.Message.Split('\n')[0].Trim()}", e); }
        finally { options.Dispose(); }
        string[] want = ["input", "state", "sr"];
        if (!want.All(session.InputMetadata.ContainsKey) || !session.OutputMetadata.ContainsKey("output") || !session.OutputMetadata.ContainsKey("stateN"))
        {
            var got = string.Join(", ", session.InputMetadata.Keys);
            session.Dispose();
            throw new ProtoforgeException($"Silero VAD model '{name}' has inputs [{got}]; expected input, state, sr → output, stateN");
        }
        return new SileroVad(session);
    }

    /// <summary>Speech probability of every 32 ms window of <paramref name="audio"/> (16 kHz mono); window i covers samples [512 i, 512 i + 512).</summary>
    public float[] Probabilities(PcmAudio audio)
    {
        ArgumentNullException.ThrowIfNull(audio);
        if (audio.SampleRate != SampleRate) throw new ArgumentException($"Silero VAD takes {SampleRate} Hz audio, not {audio.SampleRate} Hz", nameof(audio));
        var x = audio.Samples;
        int windows = (x.Length + Window - 1) / Window;
        var probs = new float[windows];
        var state = new float[2 * 128];
        var input = new float[Context + Window];
        var sr = new DenseTensor<long>(new long[] { SampleRate }, []);
        lock (_gate)
            for (int w = 0; w < windows; w++)
            {
                // input = last 64 samples of the previous window (zeros before the first) + this window (zero-padded at the end)
                Array.Copy(input, Window, input, 0, Context);
                int at = w * Window, n = Math.Min(Window, x.Length - at);
                Array.Copy(x, at, input, Context, n);
                if (n < Window) Array.Clear(input, Context + n, Window - n);
                var feeds = new List<NamedOnnxValue>
                {
                    NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>((float[])input.Clone(), [1, Context + Window])),
                    NamedOnnxValue.CreateFromTensor("state", new DenseTensor<float>((float[])state.Clone(), [2, 1, 128])),
                    NamedOnnxValue.CreateFromTensor("sr", sr),
                };
                using var results = _session.Run(feeds, ["output", "stateN"]);
                probs[w] = results[0].AsTensor<float>().GetValue(0);
                var next = results[1].AsTensor<float>();
                if (next.Length != state.Length) throw new ProtoforgeException($"Silero VAD returned a state of {next.Length} values; expected {state.Length}");
                int k = 0;
                foreach (var v in next) state[k++] = v;
            }
        return probs;
    }

    /// <summary>
    /// Speech segments by Silero's own rules (utils_vad.get_speech_timestamps): speech starts at a window with p ≥ 0.5 and
    /// ends once p stays below 0.35 for 100 ms; segments under 250 ms are dropped. No padding here: the caller refines the
    /// edges on the waveform (<see cref="LipSyncAnalyzer"/>).
    /// </summary>
    public static List<SpeechSegment> Segments(IReadOnlyList<float> probs, double threshold = 0.5, double minSilence = 0.1, double minSpeech = 0.25)
    {
        var segments = new List<SpeechSegment>();
        double neg = threshold - 0.15;
        int start = -1, silentFrom = -1;
        int minSilentWindows = (int)Math.Ceiling(minSilence / WindowSeconds);
        void Close(int endWindow)
        {
            var s = new SpeechSegment(start * WindowSeconds, endWindow * WindowSeconds);
            if (s.Seconds >= minSpeech) segments.Add(s);
            start = -1; silentFrom = -1;
        }
        for (int i = 0; i < probs.Count; i++)
        {
            float p = probs[i];
            if (start < 0) { if (p >= threshold) start = i; continue; }
            if (p >= threshold) { silentFrom = -1; continue; }
            if (p < neg)
            {
                if (silentFrom < 0) silentFrom = i;
                if (i - silentFrom + 1 >= minSilentWindows) Close(silentFrom);
            }
        }
        if (start >= 0) Close(silentFrom >= 0 ? silentFrom : probs.Count);
        return segments;
    }

    public void Dispose() => _session.Dispose();
}
