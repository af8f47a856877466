namespace Talos.Gpu.Stokes;

/// <summary>
/// The stable-fluids kernels on a <see cref="FluidGrid"/> layout (nx × ny interior cells plus a border, h = 1,
/// velocities in cells per second). Each step is one static function; rows run in parallel only where every
/// cell is computed independently from the step's inputs (Jacobi sweeps, semi-Lagrangian advection), so results
/// are bit-identical whatever the thread count. No step allocates buffers.
/// </summary>
public static class StableFluids
{
    /// <summary>What a field is, for its wall condition: scalars copy, velocity components reflect at walls.</summary>
    public enum Bound { Scalar, U, V }

    // Stam 2003, "Real-Time Fluid Dynamics for Games", set_bnd: closed box; the normal velocity is mirrored, scalars copied.
    public static void SetBoundary(Bound b, float[] x, int nx, int ny)
    {
        int s = nx + 2;
        float sx = b == Bound.U ? -1f : 1f, sy = b == Bound.V ? -1f : 1f;
        for (int i = 1; i <= nx; i++)
        {
            x[i] = sy * x[i + s];
            x[i + s * (ny + 1)] = sy * x[i + s * ny];
        }
        for (int j = 1; j <= ny; j++)
        {
            x[s * j] = sx * x[1 + s * j];
            x[nx + 1 + s * j] = sx * x[nx + s * j];
        }
        x[0] = 0.5f * (x[1] + x[s]);
        x[nx + 1] = 0.5f * (x[nx] + x[nx + 1 + s]);
        x[s * (ny + 1)] = 0.5f * (x[1 + s * (ny + 1)] + x[s * ny]);
        x[nx + 1 + s * (ny + 1)] = 0.5f * (x[nx + s * (ny + 1)] + x[nx + 1 + s * ny]);
    }

    // Stam 1999, "Stable Fluids" §2.3: semi-Lagrangian advection, d(x) = d0(x − dt·u(x)) with bilinear interpolation.
    public static void Advect(Bound b, float[] d, float[] d0, float[] u, float[] v, float dt, int nx, int ny)
    {
        int s = nx + 2;
        float maxX = nx + 0.5f, maxY = ny + 0.5f;
        Parallel.For(1, ny + 1, j =>
        {
            for (int i = 1; i <= nx; i++)
            {
                int k = i + s * j;
                float x = Math.Clamp(i - dt * u[k], 0.5f, maxX);
                float y = Math.Clamp(j - dt * v[k], 0.5f, maxY);
                int i0 = (int)x, j0 = (int)y;
                float fx = x - i0, fy = y - j0;
                int a = i0 + s * j0;
                float top = d0[a] + (d0[a + 1] - d0[a]) * fx;
                float bottom = d0[a + s] + (d0[a + s + 1] - d0[a + s]) * fx;
                d[k] = top + (bottom - top) * fy;
            }
        });
        SetBoundary(b, d, nx, ny);
    }

    // Stam 1999 §2.2: implicit diffusion (I − ν·dt·∇²)x = x0, here by Jacobi sweeps (x0 and tmp must differ from x).
    public static void Diffuse(Bound b, float[] x, float[] x0, float[] tmp, float viscosity, float dt, int iterations, int nx, int ny)
    {
        float a = viscosity * dt;
        Array.Copy(x0, x, x.Length);
        SolveJacobi(b, x, x0, tmp, a, 1f + 4f * a, iterations, nx, ny);
    }

    // Stam 1999 §2.4 (Helmholtz–Hodge): u ← u − ∇p with ∇²p = ∇·u, p by Jacobi sweeps warm-started from the last p.
    public static void Project(float[] u, float[] v, float[] p, float[] div, float[] tmp, int iterations, int nx, int ny)
    {
        int s = nx + 2;
        Parallel.For(1, ny + 1, j =>
        {
            for (int i = 1; i <= nx; i++)
            {
                int k = i + s * j;
                div[k] = -0.5f * (u[k + 1] - u[k - 1] + v[k + s] - v[k - s]);
            }
        });
        SetBoundary(Bound.Scalar, div, nx, ny);
        SetBoundary(Bound.Scalar, p, nx, ny);
        SolveJacobi(Bound.Scalar, p, div, tmp, 1f, 4f, iterations, nx, ny);
        Parallel.For(1, ny + 1, j =>
        {
            for (int i = 1; i <= nx; i++)
            {
                int k = i + s * j;
                u[k] -= 0.5f * (p[k + 1] - p[k - 1]);
                v[k] -= 0.5f * (p[k + s] - p[k - s]);
            }
        });
        SetBoundary(Bound.U, u, nx, ny);
        SetBoundary(Bound.V, v, nx, ny);
    }

    /// <summary>Jacobi sweeps of x = (rhs + a·Σ neighbours(x)) / c, ping-ponging through tmp; the result ends in x.</summary>
    static void SolveJacobi(Bound b, float[] x, float[] rhs, float[] tmp, float a, float c, int iterations, int nx, int ny)
    {
        int s = nx + 2;
        float inv = 1f / c;
        float[] src = x, dst = tmp;
        for (int it = 0; it < iterations; it++)
        {
            float[] from = src, to = dst;
            Parallel.For(1, ny + 1, j =>
            {
                for (int i = 1; i <= nx; i++)
                {
                    int k = i + s * j;
                    to[k] = (rhs[k] + a * (from[k - 1] + from[k + 1] + from[k - s] + from[k + s])) * inv;
                }
            });
            SetBoundary(b, to, nx, ny);
            (src, dst) = (dst, src);
        }
        if (!ReferenceEquals(src, x)) Array.Copy(src, x, x.Length);
    }

    // Fedkiw, Stam & Jensen 2001, "Visual Simulation of Smoke" eq. 8: vertical force ∝ lift·q; up is −y on this grid.
    public static void AddBuoyancy(float[] v, float[] q, float lift, float dt, int nx, int ny)
    {
        int s = nx + 2;
        for (int j = 1; j <= ny; j++)
            for (int i = 1; i <= nx; i++)
                v[i + s * j] -= dt * lift * q[i + s * j];
    }

    // Fedkiw, Stam & Jensen 2001 §4: vorticity confinement f = ε·(N × ω), N = ∇|ω| / |∇|ω||, restores small swirls.
    public static void ConfineVorticity(float[] u, float[] v, float[] curl, float epsilon, float dt, int nx, int ny)
    {
        int s = nx + 2;
        Parallel.For(1, ny + 1, j =>
        {
            for (int i = 1; i <= nx; i++)
            {
                int k = i + s * j;
                curl[k] = 0.5f * (v[k + 1] - v[k - 1] - (u[k + s] - u[k - s]));
            }
        });
        SetBoundary(Bound.Scalar, curl, nx, ny);
        Parallel.For(1, ny + 1, j =>
        {
            for (int i = 1; i <= nx; i++)
            {
                int k = i + s * j;
                float gx = 0.5f * (MathF.Abs(curl[k + 1]) - MathF.Abs(curl[k - 1]));
                float gy = 0.5f * (MathF.Abs(curl[k + s]) - MathF.Abs(curl[k - s]));
                float inv = 1f / (MathF.Sqrt(gx * gx + gy * gy) + 1e-5f);
                float w = curl[k];
                u[k] += dt * epsilon * gy * inv * w;
                v[k] -= dt * epsilon * gx * inv * w;
            }
        });
    }

    /// <summary>Fills ψ with smooth hash value noise (lattice `scale` cells) at noise time t; the turbulence's stream function.</summary>
    public static void FillStreamFunction(float[] psi, float scale, float t, uint seed, int nx, int ny)
    {
        int s = nx + 2;
        float inv = 1f / scale;
        Parallel.For(0, ny + 2, j =>
        {
            for (int i = 0; i < s; i++) psi[i + s * j] = scale * Noise.Value(i * inv, j * inv, t, seed);
        });
    }

    // Bridson, Houriham & Nordenstam 2007, "Curl-Noise for Procedural Fluid Flow": u = (∂ψ/∂y, −∂ψ/∂x) is divergence-free;
    // the push is weighted by the local presence of stuff, so still air stays still.
    public static void AddTurbulence(float[] u, float[] v, float[] psi, float[] presence, float amount, float dt, int nx, int ny)
    {
        int s = nx + 2;
        Parallel.For(1, ny + 1, j =>
        {
            for (int i = 1; i <= nx; i++)
            {
                int k = i + s * j;
                float w = MathF.Min(1f, presence[k]);
                if (w <= 0f) continue;
                u[k] += dt * amount * w * 0.5f * (psi[k + s] - psi[k - s]);
                v[k] -= dt * amount * w * 0.5f * (psi[k + 1] - psi[k - 1]);
            }
        });
    }

    /// <summary>Exponential decay of a field: x ← x·e^(−rate·dt).</summary>
    public static void Dissipate(float[] x, float rate, float dt)
    {
        float f = MathF.Exp(-rate * dt);
        for (int k = 0; k < x.Length; k++) x[k] *= f;
    }

    /// <summary>Mean |∇·u| over the interior cells (central differences, as Project uses); a diagnostic, not a step.</summary>
    public static double MeanAbsDivergence(float[] u, float[] v, int nx, int ny)
    {
        int s = nx + 2;
        double sum = 0;
        for (int j = 1; j <= ny; j++)
            for (int i = 1; i <= nx; i++)
            {
                int k = i + s * j;
                sum += Math.Abs(0.5 * (u[k + 1] - u[k - 1] + v[k + s] - v[k - s]));
            }
        return sum / (nx * (double)ny);
    }

    /// <summary>Sum of a field over the interior cells (serial, fixed order).</summary>
    public static double Total(float[] x, int nx, int ny)
    {
        int s = nx + 2;
        double sum = 0;
        for (int j = 1; j <= ny; j++)
            for (int i = 1; i <= nx; i++) sum += x[i + s * j];
        return sum;
    }
}
