using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace Talos.Gpu.Kernels;

/// <summary>Which processor runs Talos's kernels: <c>auto</c> (CUDA when ILGPU finds a device, else CPU), <c>cpu</c> or <c>cuda</c>.</summary>
public enum DeviceKind { Auto, Cpu, Cuda }

/// <summary>The user asked for a device this machine does not have (e.g. <c>--device cuda</c> without a CUDA GPU).</summary>
public sealed class DeviceUnavailableException(string message) : Exception(message);

/// <summary>
/// The compute device of this process, chosen once at start (<see cref="Select"/>) and then shared by every stage.
/// On <see cref="DeviceKind.Cpu"/> kernels run their fast CPU path (Span, Vector&lt;T&gt;, Parallel.For over rows);
/// on <see cref="DeviceKind.Cuda"/> they run as ILGPU kernels on the first CUDA accelerator. ILGPU's own CPU
/// accelerator (a GPU simulator, hundreds of times slower) is never chosen here: only parity tests create it.
/// </summary>
public sealed class ComputeDevice : IDisposable
{
    static readonly Lock Gate = new();
    static ComputeDevice? _current;

    public DeviceKind Requested { get; }
    /// <summary>Cpu or Cuda: what kernels actually run on.</summary>
    public DeviceKind Kind { get; }
    /// <summary>Human-readable name: the CPU, or the CUDA device's name and memory.</summary>
    public string Name { get; }
    /// <summary>The ILGPU accelerator for CUDA; null on the CPU path.</summary>
    public Accelerator? Accelerator { get; }
    readonly Context? _context;

    ComputeDevice(DeviceKind requested, DeviceKind kind, string name, Context? context, Accelerator? accelerator)
    {
        Requested = requested; Kind = kind; Name = name; _context = context; Accelerator = accelerator;
    }

    /// <summary>The device chosen at start; the CPU until <see cref="Select"/> is called.</summary>
    public static ComputeDevice Current
    {
        get { lock (Gate) return _current ??= CpuDevice(DeviceKind.Cpu); }
    }

    public static DeviceKind Parse(string? text) => (text ?? "auto").Trim().ToLowerInvariant() switch
    {
        "auto" or "" => DeviceKind.Auto,
        "cpu" => DeviceKind.Cpu,
        "cuda" or "gpu" => DeviceKind.Cuda,
        _ => throw new ArgumentException($"unknown device '{text}' (expected auto, cpu or cuda)"),
    };

    /// <summary>
    /// Chooses the process's device once. Auto takes CUDA when ILGPU finds a CUDA device, else the CPU;
    /// Cuda without a device throws <see cref="DeviceUnavailableException"/>. A second call with the same
    /// request returns the existing device; a different request after the choice is made throws.
    /// </summary>
    public static ComputeDevice Select(DeviceKind requested)
    {
        lock (Gate)
        {
            if (_current is { } existing)
            {
                if (existing.Requested == requested || requested == DeviceKind.Auto || existing.Kind == requested) return existing;
                throw new InvalidOperationException($"the compute device was already chosen ({existing.Kind}); it cannot change to {requested}");
            }
            _current = Create(requested);
            return _current;
        }
    }

    /// <summary>Makes a device without making it the process's choice (tests, `talos info`).</summary>
    public static ComputeDevice Create(DeviceKind requested)
    {
        if (requested == DeviceKind.Cpu) return CpuDevice(requested);
        Context? context = null;
        try
        {
            context = Context.Create(b => b.Cuda().EnableAlgorithms());
            if (FirstCuda(context) is { } acc)
                return new ComputeDevice(requested, DeviceKind.Cuda, $"{acc.Name} ({acc.MemorySize / (1 << 20)} MiB, CUDA via ILGPU)", context, acc);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            context?.Dispose();
            if (requested == DeviceKind.Cuda) throw new DeviceUnavailableException($"--device cuda: CUDA could not be started ({e.Message})");
            return CpuDevice(requested);
        }
        context.Dispose();
        if (requested == DeviceKind.Cuda) throw new DeviceUnavailableException("--device cuda: no CUDA device found (ILGPU sees none); use --device cpu or auto");
        return CpuDevice(requested);
    }

    static ComputeDevice CpuDevice(DeviceKind requested) =>
        new(requested, DeviceKind.Cpu, $"CPU, {Environment.ProcessorCount} threads (Parallel.For, Vector<float> x{System.Numerics.Vector<float>.Count})", null, null);

    /// <summary>ILGPU's CPU accelerator (a GPU simulator): parity tests only, small sizes.</summary>
    /// <summary>
    /// A context and accelerator on the first CUDA device, not made the process's choice (the parity tests run on it
    /// with <c>TALOS_PARITY_DEVICE=cuda</c>); null when ILGPU finds none.
    /// </summary>
    public static (Context context, Accelerator accelerator)? CreateCuda()
    {
        var context = Context.Create(b => b.Cuda().EnableAlgorithms());
        if (FirstCuda(context) is { } acc) return (context, acc);
        context.Dispose();
        return null;
    }

    static Accelerator? FirstCuda(Context context)
    {
        var cuda = context.GetCudaDevices();
        return cuda.Count > 0 ? cuda[0].CreateAccelerator(context) : null;
    }

    public static (Context context, Accelerator accelerator) CreateSimulator()
    {
        var context = Context.Create(b => b.CPU().EnableAlgorithms());
        return (context, context.CreateCPUAccelerator(0));
    }

    public void Dispose()
    {
        Accelerator?.Dispose();
        _context?.Dispose();
    }
}
