using Talos.Gpu.Kernels;
using Talos.Gpu.Stokes;
using Xunit;

namespace Talos.Tests.Stokes;

/// <summary>The pressure solve (MGPCG): iterations that do not grow with the grid, obstacles, determinism across threads.</summary>
public sealed class PressureMultigridTests
{
    /// <summary>From zero pressure, the iterations to leave 1e-4 of the divergence of a stirred field.</summary>
    static (int iterations, double reduction) SolveStirred(int nx, int ny, float[]? fluid = null, int threads = 1)
    {
        var g = StableFluidsTests.Stirred(nx, ny);
        using var ops = FluidOps.Cpu(nx, ny, 1);
        ops.NegDivergence(g.U, g.V, g.Divergence, fluid);
        double before = Math.Sqrt(ops.SumSquares(g.Divergence) / (nx * (double)ny));
        using var team = new WorkerTeam(threads);
        var mg = new PressureMultigrid(nx, ny, fluid, team);
        var (iterations, rms, _) = mg.Solve(g.Pressure, g.Divergence, 1e-4 * before, 50);
        return (iterations, rms / before);
    }

    [Fact]
    public void Iterations_do_not_grow_with_the_grid()
    {
        var sizes = new[] { (33, 33), (64, 36), (128, 128), (455, 256) };
        var results = sizes.Select(s => SolveStirred(s.Item1, s.Item2)).ToArray();
        string report = string.Join(", ", sizes.Zip(results, (s, r) => $"{s.Item1}x{s.Item2}: {r.iterations} it, {r.reduction:E1}"));
        Assert.All(results, r => Assert.True(r.reduction <= 1e-4, report));
        // SOR needed O(n) sweeps (hundreds at 256); MGPCG stays at a handful of iterations on every grid
        Assert.All(results, r => Assert.True(r.iterations is >= 2 and <= 10, report));
        Assert.True(results[^1].iterations <= results[0].iterations + 4, report);
    }

    [Fact]
    public void Obstacles_converge_like_the_open_box()
    {
        const int nx = 96, ny = 64;
        var solid = new float[nx * ny];
        for (int j = 1; j <= ny; j++)
            for (int i = 1; i <= nx; i++)
            {
                bool wall = i is > 40 and <= 44 && j is > 8 and <= 56; // a thin wall with gaps above and below
                bool disc = (i - 70) * (i - 70) + (j - 30) * (j - 30) < 100;
                solid[(j - 1) * nx + i - 1] = wall || disc ? 1f : 0f;
            }
        var g = StableFluidsTests.Stirred(nx, ny);
        using var solver = new FluidSolver(g, new SolverOptions { PressureReduction = 1e-4, Threads = 1, Device = ComputeDevice.Create(DeviceKind.Cpu) });
        solver.SetObstacles(solid);
        var stats = solver.Project();
        Assert.True(stats.Reduction <= 1e-4 && stats.Iterations <= 12, $"{stats.Iterations} iterations, {stats.Reduction:E2} of the divergence left");
        Assert.True(FluidSolver.RelativeDivergence(g, solver.Fluid).rmsRelative < 1e-3);
    }

    [Fact]
    public void Result_does_not_depend_on_the_thread_count()
    {
        float[] Run(int threads)
        {
            var g = StableFluidsTests.Stirred(160, 90);
            using var ops = FluidOps.Cpu(160, 90, threads);
            ops.NegDivergence(g.U, g.V, g.Divergence, null);
            var mg = new PressureMultigrid(160, 90, null, ((CpuFluidOps)ops).Team);
            mg.Solve(g.Pressure, g.Divergence, 0, 3);
            return g.Pressure;
        }
        Assert.Equal(Run(1), Run(2));
    }

    [Fact]
    public void Fused_red_black_sweep_equals_the_two_colour_passes()
    {
        var a = StableFluidsTests.Stirred(70, 50);
        var b = StableFluidsTests.Stirred(70, 50);
        using var ops = FluidOps.Cpu(70, 50, 2);
        for (int n = 0; n < 3; n++)
        {
            ops.RelaxSweep(a.Smoke, a.U, 0.7f, 1f / 3.8f, 1f);
            ops.Relax(b.Smoke, b.U, 0.7f, 1f / 3.8f, 1f, 0);
            ops.Relax(b.Smoke, b.U, 0.7f, 1f / 3.8f, 1f, 1);
        }
        Assert.Equal(b.Smoke, a.Smoke);
    }
}
