using Talos.Gpu.Stokes;
using Xunit;
using static Talos.Gpu.Stokes.StableFluids;

namespace Talos.Tests.Stokes;

public sealed class StableFluidsTests
{
    const int Nx = 64, Ny = 36;

    /// <summary>
    /// A swirly velocity field with strong local divergence, like what emitters and buoyancy leave in one step:
    /// a rotation plus a few Gaussian jets (sources where they start, sinks where they stop).
    /// </summary>
    static FluidGrid Stirred()
    {
        var g = new FluidGrid(Nx, Ny);
        (float x, float y, float u, float v)[] jets = [(16, 28, 0, -30), (44, 10, 25, 10), (30, 20, -20, 15), (54, 26, 0, -40)];
        for (int j = 1; j <= Ny; j++)
            for (int i = 1; i <= Nx; i++)
            {
                int k = g.Ix(i, j);
                g.U[k] = 0.3f * (j - Ny / 2f);
                g.V[k] = -0.3f * (i - Nx / 2f);
                foreach (var jet in jets)
                {
                    float w = MathF.Exp(-((i - jet.x) * (i - jet.x) + (j - jet.y) * (j - jet.y)) / 9f);
                    g.U[k] += w * jet.u; g.V[k] += w * jet.v;
                }
            }
        SetBoundary(Bound.U, g.U, Nx, Ny);
        SetBoundary(Bound.V, g.V, Nx, Ny);
        return g;
    }

    [Fact]
    public void Project_removes_most_of_the_divergence()
    {
        var g = Stirred();
        double before = MeanAbsDivergence(g.U, g.V, Nx, Ny);
        Project(g.U, g.V, g.Pressure, g.Divergence, g.Scratch, 30, Nx, Ny);
        double once = MeanAbsDivergence(g.U, g.V, Nx, Ny);
        // warm-started from the last pressure, repeated projections keep converging
        for (int n = 0; n < 5; n++) Project(g.U, g.V, g.Pressure, g.Divergence, g.Scratch, 30, Nx, Ny);
        double more = MeanAbsDivergence(g.U, g.V, Nx, Ny);
        Assert.True(before > 0.5, $"test field should be divergent, was {before}");
        // 30 Jacobi sweeps only reach a few cells; warm starts (as the simulation does every substep) carry on from there
        Assert.True(once < 0.6 * before, $"one projection: divergence {before:F4} -> {once:F4}");
        Assert.True(more < 0.25 * before, $"warm-started projections: divergence {before:F4} -> {more:F4}");
    }

    [Fact]
    public void Mass_is_roughly_conserved_in_a_closed_box_without_sources()
    {
        var g = Stirred();
        Project(g.U, g.V, g.Pressure, g.Divergence, g.Scratch, 40, Nx, Ny);
        for (int j = 12; j <= 24; j++)
            for (int i = 20; i <= 40; i++) g.Smoke[g.Ix(i, j)] = 1f;
        double mass0 = Total(g.Smoke, Nx, Ny);
        var start = (float[])g.Smoke.Clone();
        const float dt = 1f / 48f;
        for (int step = 0; step < 48; step++)
        {
            Array.Copy(g.Smoke, g.Scratch, g.Count);
            Advect(Bound.Scalar, g.Smoke, g.Scratch, g.U, g.V, dt, Nx, Ny);
            Array.Copy(g.U, g.U0, g.Count); Array.Copy(g.V, g.V0, g.Count);
            Advect(Bound.U, g.U, g.U0, g.U0, g.V0, dt, Nx, Ny);
            Advect(Bound.V, g.V, g.V0, g.U0, g.V0, dt, Nx, Ny);
            Project(g.U, g.V, g.Pressure, g.Divergence, g.Scratch, 30, Nx, Ny);
        }
        double mass1 = Total(g.Smoke, Nx, Ny);
        Assert.True(mass1 / mass0 is > 0.85 and < 1.15, $"mass {mass0:F2} -> {mass1:F2}");
        // and the blob did move about
        double moved = 0;
        for (int k = 0; k < g.Count; k++) moved += Math.Abs(g.Smoke[k] - start[k]);
        Assert.True(moved > 0.3 * mass0, $"blob barely moved ({moved:F1} of {mass0:F1})");
    }

    [Fact]
    public void Diffusion_spreads_but_keeps_the_total()
    {
        var g = new FluidGrid(Nx, Ny);
        g.Scratch[g.Ix(32, 18)] = 100f;
        Diffuse(Bound.Scalar, g.Mist, g.Scratch, g.Divergence, 2f, 0.5f, 20, Nx, Ny);
        Assert.True(g.Mist[g.Ix(32, 18)] < 100f && g.Mist[g.Ix(34, 18)] > 0f);
        Assert.InRange(Total(g.Mist, Nx, Ny), 95.0, 100.5);
    }

    [Fact]
    public void Vorticity_confinement_strengthens_a_vortex()
    {
        var g = new FluidGrid(Nx, Ny);
        for (int j = 1; j <= Ny; j++)
            for (int i = 1; i <= Nx; i++)
            {
                float dx = i - 32f, dy = j - 18f, r2 = dx * dx + dy * dy;
                float w = 10f * MathF.Exp(-r2 / 25f);
                g.U[g.Ix(i, j)] = -dy * w; g.V[g.Ix(i, j)] = dx * w;
            }
        static double Spin(FluidGrid g) { double s = 0; for (int j = 14; j <= 22; j++) for (int i = 28; i <= 36; i++) { int k = g.Ix(i, j); s += (i - 32) * g.V[k] - (j - 18) * g.U[k]; } return s; }
        double before = Spin(g);
        ConfineVorticity(g.U, g.V, g.Curl, 5f, 0.05f, Nx, Ny);
        Assert.True(Spin(g) > before, $"angular momentum {before} -> {Spin(g)}");
    }
}
