using Talos.Gpu.Kernels;
using static Talos.Gpu.Kernels.FluidCells;

namespace Talos.Gpu.Stokes;

public enum AdvectionScheme { SemiLagrangian, MacCormack }

/// <summary>How the solver runs; defaults are what the effects simulation uses.</summary>
public sealed record SolverOptions
{
    public AdvectionScheme Advection { get; init; } = AdvectionScheme.MacCormack;
    /// <summary>Pressure solved until RMS divergence ≤ this × RMS speed / h (relative, h = 1 cell).</summary>
    public double PressureTolerance { get; init; } = 2e-4;
    /// <summary>When set, the pressure is solved until RMS divergence ≤ this × the RMS divergence before the projection instead.</summary>
    public double? PressureReduction { get; init; }
    /// <summary>Most MGPCG iterations per projection.</summary>
    public int MaxPressureIterations { get; init; } = 50;
    /// <summary>Rescale each advected scalar so its total is what it was before advection (mass conservation).</summary>
    public bool Conservative { get; init; }
    /// <summary>CPU threads (≤ 0: all cores).</summary>
    public int Threads { get; init; }
    /// <summary>Where kernels run; null: <see cref="ComputeDevice.Current"/>.</summary>
    public ComputeDevice? Device { get; init; }
}

/// <summary>What the last pressure projection did.</summary>
/// <param name="Iterations">Conjugate-gradient iterations run (one multigrid V-cycle each).</param>
/// <param name="RmsBefore">RMS divergence of the velocity before the projection.</param>
public readonly record struct ProjectionStats(int Iterations, double RmsDivergence, double MaxDivergence, double RmsSpeed, double RmsBefore)
{
    /// <summary>RMS divergence left relative to the RMS divergence before (the fraction of it the solve left).</summary>
    public double Reduction => RmsBefore > 0 ? RmsDivergence / RmsBefore : 0;
    /// <summary>RMS divergence relative to RMS speed / grid spacing (h = 1).</summary>
    public double RelativeRms => RmsSpeed > 0 ? RmsDivergence / RmsSpeed : 0;
    public double RelativeMax => RmsSpeed > 0 ? MaxDivergence / RmsSpeed : 0;
}

/// <summary>
/// The stable-fluids steps (Stam 1999) on a staggered <see cref="FluidGrid"/>, run through <see cref="FluidOps"/>
/// (CPU path or ILGPU). Advection is semi-Lagrangian, optionally MacCormack-corrected; diffusion is implicit,
/// by red-black Gauss–Seidel; the pressure projection runs multigrid-preconditioned conjugate gradients until the
/// divergence left is below a tolerance relative to the flow's speed, and reports its iterations. An optional solid mask (1 = solid) closes
/// cells to the flow: their faces carry no velocity and the pressure sees them as walls.
/// </summary>
public sealed class FluidSolver : IDisposable
{
    public FluidGrid Grid { get; }
    public FluidOps Ops { get; }
    public SolverOptions Options { get; }
    /// <summary>Fluid weights (1 fluid, 0 solid or ghost ring) when there are obstacles; null otherwise.</summary>
    public float[]? Fluid { get; private set; }
    public ProjectionStats LastProjection { get; private set; }
    readonly bool _ownsOps;
    readonly WorkerTeam _team;
    readonly bool _ownsTeam;
    PressureMultigrid? _multigrid;

    public FluidSolver(FluidGrid grid, SolverOptions? options = null, FluidOps? ops = null)
    {
        Grid = grid;
        Options = options ?? new SolverOptions();
        _ownsOps = ops is null;
        Ops = ops ?? FluidOps.For(Options.Device ?? ComputeDevice.Current, grid.Nx, grid.Ny, Options.Threads);
        _ownsTeam = Ops is not CpuFluidOps;
        _team = Ops is CpuFluidOps cpu ? cpu.Team : new WorkerTeam(Options.Threads);
    }

    /// <summary>Sets solid cells from a mask of interior cells (row-major nx × ny, ≥ 0.5 = solid); null clears them.</summary>
    public void SetObstacles(ReadOnlySpan<float> solidMask)
    {
        var g = Grid;
        if (solidMask.Length != g.Nx * g.Ny) throw new ArgumentException($"obstacle mask has {solidMask.Length} cells, the grid {g.Nx}x{g.Ny} needs {g.Nx * g.Ny}");
        var fluid = Fluid ?? new float[g.Count];
        Array.Clear(fluid);
        for (int j = 1; j <= g.Ny; j++)
            for (int i = 1; i <= g.Nx; i++) fluid[g.Ix(i, j)] = solidMask[(j - 1) * g.Nx + (i - 1)] >= 0.5f ? 0f : 1f;
        Fluid = fluid;
        Ops.HostWrote(fluid);
        _multigrid?.SetFluid(fluid);
    }

    public void AddBuoyancy(float[] q, float lift, float dt)
    {
        Ops.Buoyancy(Grid.V, q, dt * lift);
        Ops.Boundary(V, Grid.V);
    }

    /// <summary>Vorticity confinement (Fedkiw, Stam &amp; Jensen 2001 §4); uses Curl, U0, V0 as scratch.</summary>
    public void ConfineVorticity(float epsilon, float dt)
    {
        var g = Grid;
        Ops.Curl(g.U, g.V, g.Curl);
        Ops.Boundary(Scalar, g.Curl);
        Ops.Confinement(g.Curl, g.U0, g.V0, epsilon);
        Ops.Boundary(Scalar, g.U0);
        Ops.Boundary(Scalar, g.V0);
        Ops.FaceForce(g.U, g.V, g.U0, g.V0, dt);
        Ops.Boundary(U, g.U);
        Ops.Boundary(V, g.V);
    }

    /// <summary>Curl-noise push from the stream function in Psi, weighted by presence.</summary>
    public void AddTurbulence(float[] presence, float amount, float dt)
    {
        var g = Grid;
        Ops.Turbulence(g.U, g.V, g.Psi, presence, dt * amount);
        Ops.Boundary(U, g.U);
        Ops.Boundary(V, g.V);
    }

    /// <summary>Advects a scalar field in place along the current velocity (Scratch, Scratch2, Scratch3 as scratch).</summary>
    public void AdvectScalar(float[] q, float dt)
    {
        var g = Grid;
        double before = Options.Conservative ? Ops.Sum(q) : 0;
        Ops.Copy(q, g.Scratch);
        AdvectInto(Scalar, q, g.Scratch, g.U, g.V, dt, g.Scratch2, g.Scratch3);
        if (Options.Conservative)
        {
            double after = Ops.Sum(q);
            if (after > 1e-12 && before > 0) Ops.Scale(q, (float)(before / after));
        }
        if (Fluid is { } fluid) ZeroSolids(q, fluid);
    }

    /// <summary>Self-advection of the velocity (U0, V0 and scratch fields are overwritten).</summary>
    public void AdvectVelocity(float dt)
    {
        var g = Grid;
        Ops.Copy(g.U, g.U0);
        Ops.Copy(g.V, g.V0);
        AdvectInto(U, g.U, g.U0, g.U0, g.V0, dt, g.Scratch, g.Scratch2);
        AdvectInto(V, g.V, g.V0, g.U0, g.V0, dt, g.Scratch, g.Scratch2);
    }

    void AdvectInto(int kind, float[] dst, float[] src, float[] u, float[] v, float dt, float[] hat, float[] tilde)
    {
        if (Options.Advection == AdvectionScheme.SemiLagrangian)
        {
            Ops.Advect(kind, dst, src, u, v, dt);
            Ops.Boundary(kind, dst);
            return;
        }
        Ops.Advect(kind, hat, src, u, v, dt);
        Ops.Boundary(kind, hat);
        Ops.Advect(kind, tilde, hat, u, v, -dt);
        Ops.Boundary(kind, tilde);
        Ops.MacCormack(kind, dst, src, hat, tilde, u, v, dt);
        Ops.Boundary(kind, dst);
    }

    void ZeroSolids(float[] q, float[] fluid)
    {
        // fluid is 0/1, so multiplying keeps fluid cells exact; on the host for simplicity (masks are rare and small)
        Ops.ToHost(q);
        for (int k = 0; k < q.Length; k++) q[k] *= fluid[k];
        Ops.HostWrote(q);
    }

    /// <summary>Implicit diffusion (I − ν·dt·∇²)x = x₀ by red-black Gauss–Seidel sweeps; x is the field, kind its boundary.</summary>
    public void Diffuse(int kind, float[] x, float viscosity, float dt, int iterations)
    {
        var g = Grid;
        float a = viscosity * dt;
        Ops.Copy(x, g.Scratch);
        for (int it = 0; it < iterations; it++)
        {
            Ops.RelaxSweep(x, g.Scratch, a, 1f / (1f + 4f * a), 1f);
            Ops.Boundary(kind, x);
        }
    }

    /// <summary>
    /// Helmholtz–Hodge projection (Stam 1999 §2.4): solve ∇²p = ∇·u, then u ← u − ∇p. On the staggered grid the
    /// divergence left is exactly the pressure equation's residual; multigrid-preconditioned CG (<see cref="PressureMultigrid"/>,
    /// on host arrays for either device path) runs until it is below the tolerance. The pressure warm-starts from the
    /// last solution.
    /// </summary>
    public ProjectionStats Project()
    {
        var g = Grid;
        var fluid = Fluid;
        if (fluid is not null) MaskFaces(fluid);
        Ops.NegDivergence(g.U, g.V, g.Divergence, fluid);
        double cells = g.Nx * (double)g.Ny;
        double rmsSpeed = Math.Sqrt((Ops.SumSquares(g.U) + Ops.SumSquares(g.V)) / cells);
        double rmsBefore = Math.Sqrt(Ops.SumSquares(g.Divergence) / cells);
        double target = Options.PressureReduction is { } reduction ? reduction * rmsBefore : Options.PressureTolerance * rmsSpeed;
        Ops.ToHost(g.Pressure, g.Divergence);
        var (iterations, rms, max) = Multigrid.Solve(g.Pressure, g.Divergence, target, Options.MaxPressureIterations);
        Ops.HostWrote(g.Pressure);
        if (fluid is null) Ops.Boundary(Scalar, g.Pressure);
        Ops.SubtractGradient(g.U, g.V, g.Pressure, fluid);
        Ops.Boundary(U, g.U);
        Ops.Boundary(V, g.V);
        LastProjection = new ProjectionStats(iterations, rms, max, rmsSpeed, rmsBefore);
        return LastProjection;
    }

    PressureMultigrid Multigrid => _multigrid ??= new PressureMultigrid(Grid.Nx, Grid.Ny, Fluid, _team);

    void MaskFaces(float[] fluid)
    {
        var g = Grid;
        Ops.ToHost(g.U, g.V);
        int s = g.Stride;
        for (int j = 1; j <= g.Ny; j++)
            for (int i = 1; i <= g.Nx; i++)
            {
                int k = i + s * j;
                g.U[k] *= fluid[k] * fluid[k + 1];
                g.V[k] *= fluid[k] * fluid[k + s];
            }
        Ops.HostWrote(g.U, g.V);
    }

    /// <summary>
    /// Divergence of the current velocity, measured independently of the solver: (RMS, max) of ∇·u over fluid cells,
    /// each relative to RMS speed / h. A diagnostic on host arrays (call after <see cref="FluidOps.ToHost"/>).
    /// </summary>
    public static (double rmsRelative, double maxRelative) RelativeDivergence(FluidGrid g, float[]? fluid = null)
    {
        int s = g.Stride;
        double sum = 0, max = 0, speed = 0;
        int cells = 0;
        for (int j = 1; j <= g.Ny; j++)
            for (int i = 1; i <= g.Nx; i++)
            {
                int k = i + s * j;
                speed += (double)g.U[k] * g.U[k] + (double)g.V[k] * g.V[k];
                if (fluid is not null && fluid[k] == 0f) continue;
                double d = g.U[k] - g.U[k - 1] + g.V[k] - g.V[k - s];
                sum += d * d; max = Math.Max(max, Math.Abs(d)); cells++;
            }
        double rmsSpeed = Math.Sqrt(speed / (g.Nx * (double)g.Ny));
        if (rmsSpeed == 0 || cells == 0) return (0, 0);
        return (Math.Sqrt(sum / cells) / rmsSpeed, max / rmsSpeed);
    }

    public void Dispose()
    {
        if (_ownsOps) Ops.Dispose();
        if (_ownsTeam) _team.Dispose();
    }
}
