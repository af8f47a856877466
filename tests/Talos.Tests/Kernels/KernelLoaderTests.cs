using System.Reflection;
using System.Text.RegularExpressions;
using ILGPU;
using ILGPU.Backends.PTX;
using ILGPU.Runtime.Cuda;
using Talos.Gpu.Kernels;
using Xunit;

namespace Talos.Tests.Kernels;

/// <summary>
/// <see cref="KernelLoader"/> compiles every CUDA kernel with contraction ruled out (<see cref="RoundedPtx"/>). These
/// tests need no GPU: ILGPU's PTX backend compiles here, so every Talos kernel goes through the same path a CUDA node
/// takes, including the reflection into ILGPU's internals that an ILGPU upgrade could break.
/// </summary>
public sealed class KernelLoaderTests
{
    [Theory]
    [InlineData("add.f32 %f3, %f1, %f2;", "add.rn.f32 %f3, %f1, %f2;")]
    [InlineData("sub.f32 %f3, %f1, %f2;", "sub.rn.f32 %f3, %f1, %f2;")]
    [InlineData("mul.f32 %f3, %f1, %f2;", "mul.rn.f32 %f3, %f1, %f2;")]
    [InlineData("mul.ftz.f32 %f3, %f1, %f2;", "mul.rn.ftz.f32 %f3, %f1, %f2;")]
    [InlineData("add.ftz.sat.f32 %f3, %f1, %f2;", "add.rn.ftz.sat.f32 %f3, %f1, %f2;")]
    [InlineData("@%p1 add.f64 %fd3, %fd1, %fd2;", "@%p1 add.rn.f64 %fd3, %fd1, %fd2;")]
    [InlineData("add.rn.f32 %f3, %f1, %f2;", "add.rn.f32 %f3, %f1, %f2;")]
    [InlineData("add.rz.f32 %f3, %f1, %f2;", "add.rz.f32 %f3, %f1, %f2;")]
    [InlineData("fma.rn.f32 %f4, %f1, %f2, %f3;", "fma.rn.f32 %f4, %f1, %f2, %f3;")]
    [InlineData("div.rn.f32 %f3, %f1, %f2;", "div.rn.f32 %f3, %f1, %f2;")]
    [InlineData("mul.lo.s32 %r3, %r1, %r2;", "mul.lo.s32 %r3, %r1, %r2;")]
    [InlineData("mul.wide.s32 %rd1, %r1, 4;", "mul.wide.s32 %rd1, %r1, 4;")]
    [InlineData("add.s64 %rd3, %rd1, %rd2;", "add.s64 %rd3, %rd1, %rd2;")]
    [InlineData("cvt.rn.f32.s32 %f1, %r1;", "cvt.rn.f32.s32 %f1, %r1;")]
    public void Float_adds_subs_and_muls_get_round_to_nearest_and_nothing_else_changes(string line, string expected)
    {
        Assert.Equal(expected, RoundedPtx.Apply(line));
        Assert.Equal(0, RoundedPtx.CountUnrounded(RoundedPtx.Apply(line)));
    }

    /// <summary>Every ILGPU kernel in Talos.Gpu: static methods whose first parameter is an ILGPU index.</summary>
    static IReadOnlyList<MethodInfo> TalosKernels() =>
        typeof(KernelLoader).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Where(m => m.GetParameters() is [{ ParameterType: var p }, ..] && (p == typeof(Index1D) || p == typeof(Index2D) || p == typeof(Index3D)))
            .Where(m => m.ReturnType == typeof(void))
            .OrderBy(m => m.DeclaringType!.FullName + "." + m.Name, StringComparer.Ordinal)
            .ToList();

    static string WithoutRounding(string ptx) => Regex.Replace(ptx.Replace(".rn", ""), @"_\d+\b", "_n");

    [Fact]
    public void Every_Talos_kernel_compiles_to_PTX_without_a_multiply_or_add_left_to_contract()
    {
        var kernels = TalosKernels();
        // FLUX (3), STOKES's fluid ops (16) and renderer (2), RAYGEN (2), ANIMA (2): all of them, not a sample.
        Assert.True(kernels.Count >= 25, $"found only {kernels.Count} kernels: {string.Join(", ", kernels.Select(k => k.Name))}");
        using var context = Context.Create(b => b.Cuda().EnableAlgorithms());
        using var backend = new PTXBackend(context, CudaArchitecture.SM_90, CudaInstructionSet.ISA_80, null!);
        int roundedTotal = 0;
        foreach (var kernel in kernels)
        {
            var plain = ((PTXCompiledKernel)backend.Compile(
                ILGPU.Backends.EntryPoints.EntryPointDescription.FromImplicitlyGroupedKernel(kernel), default)).PTXAssembly;
            var rounded = KernelLoader.CompileRounded(backend, kernel);
            string name = kernel.DeclaringType!.Name + "." + kernel.Name;
            Assert.True(RoundedPtx.CountUnrounded(rounded.PTXAssembly) == 0, $"{name} still has an unrounded add/sub/mul");
            // the only change is the inserted modifier (each compile numbers its values afresh, so numbers are ignored);
            // the kernel keeps its name, so the driver finds its entry
            Assert.True(WithoutRounding(plain) == WithoutRounding(rounded.PTXAssembly), $"{name}: more than the rounding modifier changed");
            Assert.Equal(kernel, rounded.SourceMethod);
            Assert.Contains(".entry " + rounded.Name, rounded.PTXAssembly);
            roundedTotal += RoundedPtx.CountUnrounded(plain);
        }
        // the flow and the fluid solver are full of multiply-adds: if none were found, the pattern is wrong
        Assert.True(roundedTotal > 200, $"only {roundedTotal} float add/sub/mul instructions rounded");
    }

    /// <summary>
    /// ILGPU folds nested float constants (<c>(x·0.6)·0.62</c> → <c>x·0.372</c>), one rounding where the CPU has two;
    /// the VFX shading keeps them apart with <see cref="PortableMath.Keep"/>. Its column kernel's PTX must hold none of
    /// the products that folding made before (0.372 = 0.62·0.6, 0.396, 0.432, 0.225 = 0.25·0.9, 0.325, 0.125, 0.3 = 0.25·1.2
    /// is also the sparkle's own constant, so it is not listed).
    /// </summary>
    [Fact]
    public void The_VFX_kernel_keeps_its_constants_apart()
    {
        var kernel = TalosKernels().Single(m => m.DeclaringType!.Name == "IlgpuEffectRenderer" && m.Name == "ColumnsKernel");
        using var context = Context.Create(b => b.Cuda().EnableAlgorithms());
        using var backend = new PTXBackend(context, CudaArchitecture.SM_90, CudaInstructionSet.ISA_80, null!);
        var ptx = KernelLoader.CompileRounded(backend, kernel).PTXAssembly;
        foreach (var folded in new[] { 0.62f * 0.6f, 0.66f * 0.6f, 0.72f * 0.6f, 0.25f * 0.9f, 0.25f * 1.3f, 0.25f * 0.5f })
            Assert.DoesNotContain($"0f{BitConverter.SingleToInt32Bits(folded):X8}", ptx);
        Assert.Contains($"0f{BitConverter.SingleToInt32Bits(0.62f):X8}", ptx);
    }
}
