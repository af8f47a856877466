using System.Diagnostics;
using Talos.Gpu.Kernels;
using Talos.Gpu.Stokes;
using static Talos.Gpu.Kernels.FluidCells;

namespace Talos.Bench;

/// <summary>
/// Talos's fluid solver configured like Stam 2003's demo (bench/stokes/stam.c): N × N grid, semi-Lagrangian advection,
/// 20 Gauss–Seidel-type sweeps (red-black here) for each diffusion, the same step structure (velocity: source,
/// diffuse u and v, project, advect, project; density: source, diffuse, advect). Stam projects with 20 Gauss–Seidel
/// sweeps from zero, which does not converge; Talos projects with multigrid until the RMS divergence left is at most
/// `reduction` × the RMS divergence before (bench/stokes/run passes the best fraction the C reference reached).
/// Prints "N threads ms_per_step smoke_total worst_reduction iterations": the best step after two warm-ups, the
/// largest fraction of divergence any projection left, and the mean CG iterations per projection.
/// </summary>
public static class StokesBench
{
    public static int Run(int n, int steps, int threads, double reduction)
    {
        using var cpu = ComputeDevice.Create(DeviceKind.Cpu);
        var (best, smoke, worst, iterations) = Simulate(n, steps, threads, reduction, cpu);
        Console.WriteLine($"{n} {threads} {best:F3} {StableFluids.Total(smoke, n, n):G6} {worst:G3} {iterations:F1}");
        return 0;
    }

    /// <summary>
    /// Stam's configuration on <paramref name="device"/>: the best step's milliseconds (after two warm-ups), the smoke
    /// field after the last step, the largest fraction of divergence a projection left, mean iterations per projection.
    /// </summary>
    public static (double BestMs, float[] Smoke, double WorstReduction, double Iterations) Simulate(int n, int steps, int threads, double reduction, ComputeDevice device)
    {
        var g = new FluidGrid(n, n);
        var options = new SolverOptions
        {
            Advection = AdvectionScheme.SemiLagrangian, PressureReduction = reduction, Threads = threads, Device = device,
        };
        using var solver = new FluidSolver(g, options);
        const float dt = 0.1f, visc = 0.0001f, diff = 0.0001f;
        float nu = visc * n * n, kappa = diff * n * n; // Stam's a = dt·diff·N² in cell units
        var sd = new float[g.Count]; var sv = new float[g.Count]; var su = new float[g.Count];
        for (int j = n * 3 / 4; j < n * 3 / 4 + n / 16 + 1; j++)
            for (int i = n / 2 - n / 16; i <= n / 2 + n / 16; i++) { sd[g.Ix(i, j)] = 100f; sv[g.Ix(i, j)] = -5f * n; su[g.Ix(i, j)] = 0.5f * n; }
        double best = double.MaxValue, worst = 0;
        int iterations = 0;
        for (int s = 0; s < steps; s++)
        {
            var clock = Stopwatch.StartNew();
            solver.Ops.ToHost(g.U, g.V);
            Add(g.U, su, dt); Add(g.V, sv, dt);
            solver.Ops.HostWrote(g.U, g.V); // the sources are added on the host (a CUDA solver keeps its fields on the device)
            solver.Diffuse(U, g.U, nu, dt, 20);
            solver.Diffuse(V, g.V, nu, dt, 20);
            var first = solver.Project();
            solver.AdvectVelocity(dt);
            var second = solver.Project();
            iterations += first.Iterations + second.Iterations;
            solver.Ops.ToHost(g.Smoke);
            Add(g.Smoke, sd, dt);
            solver.Ops.HostWrote(g.Smoke);
            solver.Diffuse(Scalar, g.Smoke, kappa, dt, 20);
            solver.AdvectScalar(g.Smoke, dt);
            double ms = clock.Elapsed.TotalMilliseconds;
            if (s >= 2) best = Math.Min(best, ms);
            worst = Math.Max(worst, Math.Max(first.Reduction, second.Reduction));
        }
        solver.Ops.ToHost(g.Smoke);
        return (best, g.Smoke, worst, iterations / (2.0 * steps));
    }

    static void Add(float[] x, float[] s, float dt)
    {
        for (int k = 0; k < x.Length; k++) x[k] += dt * s[k];
    }
}
