using Microsoft.ML.OnnxRuntime;

namespace Talos.Gpu.Protoforge;

/// <summary>
/// How PROTOFORGE's fetched models are opened with ONNX Runtime (CPU): <paramref name="threads"/> intra-op threads, one
/// inter-op thread, sequential execution, so the same input gives the same output bit for bit. A model that does not
/// load, or lacks an input or output Talos feeds or reads, is one <see cref="ProtoforgeException"/> naming it.
/// </summary>
public static class OnnxSessions
{
    public static InferenceSession Open(byte[] model, string title, int threads, IReadOnlyCollection<string> inputs, IReadOnlyCollection<string> outputs)
    {
        var options = new SessionOptions { IntraOpNumThreads = Math.Max(1, threads), InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        InferenceSession session;
        try { session = new InferenceSession(model, options); }
        catch (OnnxRuntimeException e) { throw new ProtoforgeException($"{title} is not a loadable ONNX model: {e.Message.Split('\n')[0].Trim()}", e); }
        finally { options.Dispose(); }
        var missing = inputs.Where(i => !session.InputMetadata.ContainsKey(i)).Concat(outputs.Where(o => !session.OutputMetadata.ContainsKey(o))).ToList();
        if (missing.Count == 0) return session;
        var have = $"inputs [{string.Join(", ", session.InputMetadata.Keys)}], outputs [{string.Join(", ", session.OutputMetadata.Keys)}]";
        session.Dispose();
        throw new ProtoforgeException($"{title} has {have}; it lacks {string.Join(", ", missing)}");
    }
}
