using System.Linq.Expressions;
using System.Reflection;
using System.Text.RegularExpressions;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace Talos.Gpu.Kernels;

/// <summary>
/// The one way Talos loads an ILGPU kernel: an implicitly grouped kernel launched on the accelerator's default stream
/// (what ILGPU's <c>LoadAutoGroupedStreamKernel</c> gives), with one difference on CUDA. There the PTX is compiled
/// here and every single- and double-precision <c>add</c>, <c>sub</c> and <c>mul</c> gets the explicit round-to-nearest
/// modifier (<see cref="RoundedPtx"/>) before the driver sees it. Without it, ptxas may fuse a multiply and an add
/// into one FMA (one rounding instead of two), which the CPU path never does, so a CUDA node's FLUX and STOKES
/// differed from a CPU node's in the last bits (docs/KERNELS.md). With it, each operation is the IEEE operation the
/// CPU path performs: one definition of the maths, the same bits on either device.
/// </summary>
public static class KernelLoader
{
    /// <summary>Loads <paramref name="kernel"/> (a static kernel method) on <paramref name="accelerator"/>.</summary>
    public static TKernel Load<TKernel>(Accelerator accelerator, TKernel kernel) where TKernel : Delegate
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        ArgumentNullException.ThrowIfNull(kernel);
        var parameters = typeof(TKernel).GetMethod("Invoke")!.GetParameters()
            .Select(p => Expression.Parameter(p.ParameterType, p.Name)).ToArray();
        var launcherType = Expression.GetActionType([typeof(AcceleratorStream), .. parameters.Select(p => p.Type)]);
        var launcher = accelerator is CudaAccelerator cuda
            ? LoadRounded(cuda, kernel.Method, launcherType)
            : LoadLauncher(accelerator, kernel.Method, launcherType);
        // The launcher takes a stream first; bind the accelerator's default stream, as ILGPU's stream kernels do.
        var call = Expression.Invoke(
            Expression.Constant(launcher, launcherType),
            [Expression.Property(Expression.Constant(accelerator), nameof(Accelerator.DefaultStream)), .. parameters]);
        return Expression.Lambda<TKernel>(call, parameters).Compile();
    }

    static Delegate LoadLauncher(Accelerator accelerator, MethodInfo method, Type launcherType) =>
        (Delegate)LoadAutoGrouped.MakeGenericMethod(launcherType).Invoke(accelerator, [method])!;

    static Delegate LoadRounded(CudaAccelerator cuda, MethodInfo method, Type launcherType)
    {
        var compiled = CompileRounded(cuda.Backend, method);
        var kernel = cuda.LoadAutoGroupedKernel(compiled);
        return (Delegate)CreateLauncher.MakeGenericMethod(launcherType).Invoke(kernel, null)!;
    }

    /// <summary>
    /// Compiles an implicitly grouped kernel to PTX with <paramref name="backend"/> and returns it with
    /// <see cref="RoundedPtx.Apply"/> applied. Needs no GPU (the tests compile every Talos kernel this way).
    /// </summary>
    public static PTXCompiledKernel CompileRounded(PTXBackend backend, MethodInfo method)
    {
        var compiled = (PTXCompiledKernel)backend.Compile(
            EntryPointDescription.FromImplicitlyGroupedKernel(method), KernelSpecialization.Empty);
        // ILGPU 1.5.3 has no public way to build a PTXCompiledKernel from PTX text: its constructor and the entry
        // point it needs are internal. Both are reached by reflection, checked once here; a version of ILGPU that
        // renames them fails the KernelLoaderTests, which compile every kernel through this path on any machine.
        var entryPoint = EntryPointProperty.GetValue(compiled)
            ?? throw new InvalidOperationException("ILGPU's compiled kernel has no entry point.");
        return (PTXCompiledKernel)PtxKernelConstructor.Invoke(
            [compiled.Context, entryPoint, compiled.Info, RoundedPtx.Apply(compiled.PTXAssembly)]);
    }

    static readonly MethodInfo LoadAutoGrouped = typeof(Accelerator).GetMethods()
        .Single(m => m.Name == nameof(Accelerator.LoadAutoGroupedKernel) && m.IsGenericMethodDefinition
                     && m.GetParameters() is [{ ParameterType: var p }] && p == typeof(MethodInfo));

    static readonly MethodInfo CreateLauncher = typeof(Kernel).GetMethod(nameof(Kernel.CreateLauncherDelegate))!;

    static readonly PropertyInfo EntryPointProperty =
        typeof(ILGPU.Backends.CompiledKernel).GetProperty("EntryPoint", BindingFlags.Instance | BindingFlags.NonPublic)
        ?? throw new MissingMemberException("ILGPU.Backends.CompiledKernel", "EntryPoint");

    static readonly ConstructorInfo PtxKernelConstructor =
        typeof(PTXCompiledKernel).GetConstructors(BindingFlags.Instance | BindingFlags.NonPublic)
            .SingleOrDefault(c => c.GetParameters().Length == 4 && c.GetParameters()[3].ParameterType == typeof(string))
        ?? throw new MissingMemberException("ILGPU.Backends.PTX.PTXCompiledKernel", ".ctor(Context, EntryPoint, KernelInfo, string)");
}

/// <summary>
/// PTX with contraction ruled out: <c>add</c>, <c>sub</c> and <c>mul</c> on <c>.f32</c>/<c>.f64</c> without a rounding
/// modifier get <c>.rn</c>. The PTX ISA lets the code generator fuse only un-modified multiplies and adds ("mul/add
/// sequences with no rounding modifiers may be optimized... into fma"); with <c>.rn</c> each stays its own IEEE
/// operation, rounded to nearest even, which is what the CPU does. Nothing else in the text changes.
/// </summary>
public static partial class RoundedPtx
{
    [GeneratedRegex(@"\b(add|sub|mul)((?:\.ftz)?(?:\.sat)?)\.(f32|f64)\b")]
    private static partial Regex Unrounded();

    public static string Apply(string ptx) => Unrounded().Replace(ptx, "$1.rn$2.$3");

    /// <summary>How many un-modified f32/f64 add, sub and mul instructions <paramref name="ptx"/> holds.</summary>
    public static int CountUnrounded(string ptx) => Unrounded().Count(ptx);
}
