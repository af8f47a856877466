using Talos.Tests.Support;
using ILGPU;
using ILGPU.Runtime;
using Talos.Gpu.Kernels;
using Talos.Gpu.Stokes;
using Xunit;
using static Talos.Gpu.Kernels.FluidCells;

namespace Talos.Tests.Stokes;

/// <summary>One ILGPU CPU accelerator (a GPU simulator) and its loaded kernels, shared by the parity tests.</summary>
public sealed class SimulatorFixture : IDisposable
{
    public const int N = 64;
    readonly Context _context;
    public Accelerator Accelerator { get; }
    public IlgpuFluidOps Ops { get; }

    public SimulatorFixture()
    {
        (_context, Accelerator) = ParityDevice.Create();
        Ops = new IlgpuFluidOps(Accelerator, N, N);
    }

    public void Dispose()
    {
        Ops.Dispose();
        Accelerator.Dispose();
        _context.Dispose();
    }
}

/// <summary>
/// Each STOKES kernel's CPU path against the same kernel compiled by ILGPU and run on its CPU accelerator, at 64²:
/// they call the same per-element function, so they must agree (max abs difference &lt; 1e-5).
/// </summary>
public sealed class KernelParityTests(SimulatorFixture sim) : IClassFixture<SimulatorFixture>
{
    const int N = SimulatorFixture.N;
    const double Tolerance = 1e-5;

    /// <summary>Two identical grids: one for the CPU path, one for the simulator.</summary>
    static (FluidGrid cpu, FluidGrid gpu) Pair()
    {
        var a = StableFluidsTests.Stirred(N, N);
        for (int k = 0; k < a.Count; k++)
        {
            a.Heat[k] = 0.5f + 0.5f * MathF.Sin(0.37f * k);
            a.Fuel[k] = 0.5f + 0.5f * MathF.Cos(0.21f * k);
            a.Psi[k] = MathF.Sin(0.05f * k);
            a.Mist[k] = 0.25f * MathF.Cos(0.11f * k);
        }
        var b = new FluidGrid(N, N);
        foreach (var (x, y) in Fields(a).Zip(Fields(b))) Array.Copy(x, y, x.Length);
        return (a, b);
    }

    static float[][] Fields(FluidGrid g) => [.. g.StateFields, g.Psi];

    void AssertSame(FluidGrid cpu, FluidGrid gpu, string what)
    {
        sim.Ops.ToHost(Fields(gpu));
        sim.Ops.ToHost(gpu.Divergence, gpu.Curl, gpu.U0, gpu.V0, gpu.Scratch);
        float[][] a = [.. Fields(cpu), cpu.Divergence, cpu.Curl, cpu.U0, cpu.V0, cpu.Scratch];
        float[][] b = [.. Fields(gpu), gpu.Divergence, gpu.Curl, gpu.U0, gpu.V0, gpu.Scratch];
        double worst = 0;
        for (int f = 0; f < a.Length; f++)
            for (int k = 0; k < a[f].Length; k++) worst = Math.Max(worst, Math.Abs(a[f][k] - b[f][k]));
        Assert.True(worst < Tolerance, $"{what}: CPU path and ILGPU differ by {worst:E2}");
    }

    void Check(string what, Action<FluidOps, FluidGrid> op)
    {
        var (cpu, gpu) = Pair();
        var cpuOps = FluidOps.Cpu(N, N, 2);
        sim.Ops.HostWrote(Fields(gpu));
        op(cpuOps, cpu);
        op(sim.Ops, gpu);
        AssertSame(cpu, gpu, what);
    }

    [Fact] public void Boundary() => Check("boundary", (o, g) => { o.Boundary(U, g.U); o.Boundary(V, g.V); o.Boundary(Scalar, g.Smoke); });
    [Fact] public void Advect() => Check("advect", (o, g) => { o.Advect(U, g.U0, g.U, g.U, g.V, 0.05f); o.Advect(V, g.V0, g.V, g.U, g.V, 0.05f); o.Advect(Scalar, g.Scratch, g.Smoke, g.U, g.V, 0.05f); });
    [Fact] public void MacCormack() => Check("maccormack", (o, g) => { o.Advect(Scalar, g.Heat, g.Smoke, g.U, g.V, 0.05f); o.Advect(Scalar, g.Fuel, g.Heat, g.U, g.V, -0.05f); o.MacCormack(Scalar, g.Scratch, g.Smoke, g.Heat, g.Fuel, g.U, g.V, 0.05f); });
    [Fact] public void Diffuse_red_black() => Check("diffuse", (o, g) => { for (int n = 0; n < 4; n++) { o.RelaxSweep(g.Smoke, g.Heat, 0.3f, 1f / 2.2f, 1f); o.Boundary(Scalar, g.Smoke); } });
    [Fact] public void Divergence_and_gradient() => Check("divergence/gradient", (o, g) => { o.NegDivergence(g.U, g.V, g.Divergence, null); o.SubtractGradient(g.U, g.V, g.Heat, null); });
    [Fact] public void Divergence_and_gradient_masked() => Check("divergence/gradient masked", (o, g) =>
    {
        var fluid = MaskFor(g);
        o.HostWrote(fluid);
        o.NegDivergence(g.U, g.V, g.Divergence, fluid);
        o.SubtractGradient(g.U, g.V, g.Heat, fluid);
    });
    [Fact] public void Buoyancy() => Check("buoyancy", (o, g) => o.Buoyancy(g.V, g.Heat, 0.3f));
    [Fact] public void Vorticity() => Check("vorticity", (o, g) => { o.Curl(g.U, g.V, g.Curl); o.Boundary(Scalar, g.Curl); o.Confinement(g.Curl, g.U0, g.V0, 2f); o.FaceForce(g.U, g.V, g.U0, g.V0, 0.05f); });
    [Fact] public void Turbulence() => Check("turbulence", (o, g) => { o.Presence(g.Divergence, g.Smoke, g.Heat, g.Magic, g.Mist); o.Turbulence(g.U, g.V, g.Psi, g.Divergence, 0.4f); });
    [Fact] public void Burn_and_scale() => Check("burn", (o, g) => { o.Burn(g.Fuel, g.Heat, g.Smoke, 0.4f, 0.2f, 0.9f, 0.1f); o.Scale(g.Heat, 0.97f); o.Copy(g.Heat, g.Mist); });
    [Fact] public void Self_shadowing_light() => Check("light", (o, g) => o.Light(g.Smoke, g.Scratch, -0.45f, -0.9f, 40, 0.35f));

    [Fact]
    public void Reductions_match()
    {
        var (cpu, gpu) = Pair();
        sim.Ops.HostWrote(Fields(gpu));
        var c = FluidOps.Cpu(N, N, 2);
        Assert.Equal(c.Sum(cpu.Smoke), sim.Ops.Sum(gpu.Smoke), 1e-9);
        Assert.Equal(c.SumSquares(cpu.U), sim.Ops.SumSquares(gpu.U), 1e-6);
    }

    /// <summary>Whole solver steps (MacCormack, pressure to tolerance, buoyancy, confinement) on both paths.</summary>
    [Fact]
    public void Solver_steps_match()
    {
        var (cpu, gpu) = Pair();
        sim.Ops.HostWrote(Fields(gpu));
        using var a = new FluidSolver(cpu, new SolverOptions(), FluidOps.Cpu(N, N, 2));
        using var b = new FluidSolver(gpu, new SolverOptions(), sim.Ops);
        foreach (var s in new[] { a, b })
            for (int n = 0; n < 2; n++)
            {
                s.AddBuoyancy(s.Grid.Heat, 5f, 0.02f);
                s.ConfineVorticity(2f, 0.02f);
                s.Project();
                s.AdvectVelocity(0.02f);
                s.Project();
                s.AdvectScalar(s.Grid.Smoke, 0.02f);
            }
        Assert.Equal(a.LastProjection.Iterations, b.LastProjection.Iterations);
        AssertSame(cpu, gpu, "solver steps");
    }

    static float[] MaskFor(FluidGrid g)
    {
        var fluid = new float[g.Count];
        for (int j = 1; j <= g.Ny; j++)
            for (int i = 1; i <= g.Nx; i++) fluid[g.Ix(i, j)] = (i is > 20 and < 30 && j is > 25 and < 40) ? 0f : 1f;
        return fluid;
    }
}
