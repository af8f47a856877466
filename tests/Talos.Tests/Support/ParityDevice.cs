using ILGPU;
using ILGPU.Runtime;
using Talos.Gpu.Kernels;

namespace Talos.Tests.Support;

/// <summary>
/// The accelerator the kernel parity tests run their ILGPU side on: ILGPU's CPU accelerator (a GPU simulator) by
/// default, so the suite proves the kernels on any machine; with <c>TALOS_PARITY_DEVICE=cuda</c> the first CUDA device,
/// so the same tests, with the same tolerances, check the kernels on real GPU hardware (docs/KERNELS.md says how).
/// </summary>
public static class ParityDevice
{
    public static bool Cuda => string.Equals(Environment.GetEnvironmentVariable("TALOS_PARITY_DEVICE"), "cuda", StringComparison.OrdinalIgnoreCase);

    public static (Context context, Accelerator accelerator) Create()
    {
        if (!Cuda) return ComputeDevice.CreateSimulator();
        return ComputeDevice.CreateCuda() ?? throw new InvalidOperationException("TALOS_PARITY_DEVICE=cuda but ILGPU finds no CUDA device");
    }
}
