using System.Runtime.CompilerServices;
using ILGPU.Runtime;

namespace Talos.Gpu.Kernels;

/// <summary>
/// Kernels loaded once per accelerator. Entries live as long as their accelerator does (a weak table), so tests that
/// create and dispose simulators do not pile up kernels of dead accelerators. Thread-safe.
/// </summary>
public sealed class KernelCache<T>(Func<Accelerator, T> load) where T : class
{
    readonly ConditionalWeakTable<Accelerator, T> _loaded = new();

    public T For(Accelerator accelerator) => _loaded.GetValue(accelerator, a => load(a));
}
