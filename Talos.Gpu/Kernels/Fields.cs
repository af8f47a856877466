using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;

namespace Talos.Gpu.Kernels;

/// <summary>
/// Read access to a flat float field, the one thing a kernel's per-element function needs from memory. The CPU path
/// passes a <see cref="HostField"/> (a float[] without bounds checks), ILGPU kernels a <see cref="DeviceField"/>
/// (an ArrayView in accelerator memory). Element functions are generic over this interface with a struct
/// constraint, so each path gets its own specialised, inlined copy of the same maths.
/// </summary>
public interface IField
{
    float this[int k] { get; }
}

/// <summary>A host array read without bounds checks: callers index only inside the (nx + 2)·(ny + 2) layout.</summary>
public readonly struct HostField(float[] data) : IField
{
    public float this[int k]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(data), k);
    }
}

/// <summary>A field in accelerator memory (CUDA, or ILGPU's CPU simulator in parity tests).</summary>
public readonly struct DeviceField(ArrayView<float> view) : IField
{
    readonly ArrayView<float> _view = view;
    public float this[int k] => _view[k];
}
