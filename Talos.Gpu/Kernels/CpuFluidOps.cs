using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Talos.Gpu.Kernels;

/// <summary>
/// The CPU path of <see cref="FluidOps"/>: rows of the grid in parallel (or in one thread), each row a tight loop
/// calling the <see cref="FluidCells"/> function per element on bounds-check-free <see cref="HostField"/>s.
/// Results do not depend on the thread count (rows are independent within each operation; reductions are per row
/// then summed in row order). Nothing is allocated per call beyond Parallel.For's own bookkeeping.
/// </summary>
public sealed class CpuFluidOps : FluidOps
{
    readonly double[] _rowSum;

    public CpuFluidOps(int nx, int ny, int threads = 0) : base(nx, ny)
    {
        Team = new WorkerTeam(threads);
        _rowSum = new double[ny + 2];
    }

    /// <summary>The threads the kernels run on (shared with the pressure multigrid).</summary>
    public WorkerTeam Team { get; }

    public override string Describe => $"cpu ({Team.Threads} thread{(Team.Threads == 1 ? "" : "s")})";

    /// <summary>Runs body over rows 1..ny, split into one block of rows per thread.</summary>
    void Rows(Action<int, int> body) => Team.For(1, Ny + 1, body);

    public override void Dispose() => Team.Dispose();

    static ref float At(float[] a, int k) => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(a), k);

    public override void Boundary(int kind, float[] x)
    {
        var f = new HostField(x);
        for (int pass = 0; pass < 2; pass++)
        {
            int n = FluidCells.BoundaryCount(kind, pass, Nx, Ny);
            for (int t = 0; t < n; t++)
            {
                float val = FluidCells.Boundary(f, kind, pass, t, Nx, Ny, out int k);
                x[k] = val;
            }
        }
    }

    public override void Advect(int kind, float[] dst, float[] src, float[] u, float[] v, float dt)
    {
        int nx = Nx, ny = Ny, s = S;
        Rows((j0, j1) =>
        {
            var q = new HostField(src); var hu = new HostField(u); var hv = new HostField(v);
            for (int j = j0; j < j1; j++)
                for (int i = 1 + FluidRows.Advect(kind, dst, src, u, v, 1, nx, j, dt, nx, ny); i <= nx; i++)
                    At(dst, i + s * j) = FluidCells.Advect(q, hu, hv, kind, i, j, dt, nx, ny);
        });
    }

    public override void MacCormack(int kind, float[] dst, float[] phi, float[] hat, float[] tilde, float[] u, float[] v, float dt)
    {
        int nx = Nx, ny = Ny, s = S;
        Rows((j0, j1) =>
        {
            var p = new HostField(phi); var h = new HostField(hat); var t = new HostField(tilde);
            var hu = new HostField(u); var hv = new HostField(v);
            for (int j = j0; j < j1; j++)
                for (int i = 1 + FluidRows.MacCormack(kind, dst, phi, hat, tilde, u, v, 1, nx, j, dt, nx, ny); i <= nx; i++)
                    At(dst, i + s * j) = FluidCells.MacCormack(p, h, t, hu, hv, kind, i, j, dt, nx, ny);
        });
    }

    public override void Relax(float[] x, float[] rhs, float a, float invC, float omega, int colour)
    {
        int nx = Nx, s = S;
        Rows((j0, j1) =>
        {
            var hx = new HostField(x); var hr = new HostField(rhs);
            for (int j = j0; j < j1; j++)
                for (int i = 1 + ((1 + j + colour) & 1); i <= nx; i += 2)
                {
                    int k = i + s * j;
                    At(x, k) = FluidCells.Relax(hx, hr, k, s, a, invC, omega);
                }
        });
    }

    /// <summary>
    /// Both colours in one pass over memory: red row j, then black row j − 1 (whose red neighbours are all final by
    /// then). The black rows at the ends of each thread's block need the neighbouring block's red rows, so they follow
    /// in a second call. Bit-identical to the two colour passes of the base class.
    /// </summary>
    public override void RelaxSweep(float[] x, float[] rhs, float a, float invC, float omega)
    {
        int nx = Nx, s = S;
        void Row(int j, int colour)
        {
            var hx = new HostField(x); var hr = new HostField(rhs);
            for (int i = 1 + ((1 + j + colour) & 1); i <= nx; i += 2)
            {
                int k = i + s * j;
                At(x, k) = FluidCells.Relax(hx, hr, k, s, a, invC, omega);
            }
        }
        Rows((j0, j1) =>
        {
            for (int j = j0; j < j1; j++)
            {
                Row(j, 0);
                if (j - 1 > j0) Row(j - 1, 1);
            }
        });
        Rows((j0, j1) =>
        {
            Row(j0, 1);
            if (j1 - 1 > j0) Row(j1 - 1, 1);
        });
    }

    public override void NegDivergence(float[] u, float[] v, float[] rhs, float[]? fluid)
    {
        int nx = Nx, s = S;
        Rows((j0, j1) =>
        {
            var hu = new HostField(u); var hv = new HostField(v);
            for (int j = j0; j < j1; j++)
                for (int i = 1; i <= nx; i++)
                {
                    int k = i + s * j;
                    float d = FluidCells.NegDivergence(hu, hv, k, s);
                    At(rhs, k) = fluid is null ? d : d * fluid[k];
                }
        });
    }

    public override void SubtractGradient(float[] u, float[] v, float[] p, float[]? fluid)
    {
        int nx = Nx, s = S;
        bool masked = fluid is not null;
        var fl = fluid ?? p; // unused when not masked
        Rows((j0, j1) =>
        {
            var hu = new HostField(u); var hv = new HostField(v); var hp = new HostField(p); var hf = new HostField(fl);
            for (int j = j0; j < j1; j++)
                for (int i = 1; i <= nx; i++)
                {
                    int k = i + s * j;
                    float nu = FluidCells.GradientU(hu, hp, hf, k, masked);
                    float nv = FluidCells.GradientV(hv, hp, hf, k, s, masked);
                    At(u, k) = nu; At(v, k) = nv;
                }
        });
    }

    public override void Buoyancy(float[] v, float[] q, float dtLift)
    {
        int nx = Nx, s = S;
        Rows((j0, j1) =>
        {
            var hv = new HostField(v); var hq = new HostField(q);
            for (int j = j0; j < j1; j++)
                for (int i = 1; i <= nx; i++) { int k = i + s * j; At(v, k) = FluidCells.Buoyancy(hv, hq, k, s, dtLift); }
        });
    }

    public override void Curl(float[] u, float[] v, float[] curl)
    {
        int nx = Nx, s = S;
        Rows((j0, j1) =>
        {
            var hu = new HostField(u); var hv = new HostField(v);
            for (int j = j0; j < j1; j++)
                for (int i = 1; i <= nx; i++) { int k = i + s * j; At(curl, k) = FluidCells.Curl(hu, hv, k, s); }
        });
    }

    public override void Confinement(float[] curl, float[] fx, float[] fy, float epsilon)
    {
        int nx = Nx, s = S;
        Rows((j0, j1) =>
        {
            var hc = new HostField(curl);
            for (int j = j0; j < j1; j++)
                for (int i = 1; i <= nx; i++)
                {
                    int k = i + s * j;
                    At(fx, k) = FluidCells.Confinement(hc, k, s, epsilon, 0);
                    At(fy, k) = FluidCells.Confinement(hc, k, s, epsilon, 1);
                }
        });
    }

    public override void FaceForce(float[] u, float[] v, float[] fx, float[] fy, float dt)
    {
        int nx = Nx, s = S;
        Rows((j0, j1) =>
        {
            var hu = new HostField(u); var hv = new HostField(v); var hx = new HostField(fx); var hy = new HostField(fy);
            for (int j = j0; j < j1; j++)
                for (int i = 1; i <= nx; i++)
                {
                    int k = i + s * j;
                    float nu = FluidCells.FaceForce(hu, hx, FluidCells.U, k, s, dt);
                    float nv = FluidCells.FaceForce(hv, hy, FluidCells.V, k, s, dt);
                    At(u, k) = nu; At(v, k) = nv;
                }
        });
    }

    public override void Turbulence(float[] u, float[] v, float[] psi, float[] presence, float dtAmount)
    {
        int nx = Nx, s = S;
        Rows((j0, j1) =>
        {
            var hu = new HostField(u); var hv = new HostField(v); var hp = new HostField(psi); var hw = new HostField(presence);
            for (int j = j0; j < j1; j++)
                for (int i = 1; i <= nx; i++)
                {
                    int k = i + s * j;
                    float nu = FluidCells.Turbulence(hu, hp, hw, FluidCells.U, k, s, dtAmount);
                    float nv = FluidCells.Turbulence(hv, hp, hw, FluidCells.V, k, s, dtAmount);
                    At(u, k) = nu; At(v, k) = nv;
                }
        });
    }

    public override void Presence(float[] dst, float[] smoke, float[] heat, float[] magic, float[] mist)
    {
        var a = new HostField(smoke); var b = new HostField(heat); var c = new HostField(magic); var d = new HostField(mist);
        for (int k = 0; k < dst.Length; k++) dst[k] = FluidCells.Presence(a, b, c, d, k);
    }

    public override void Burn(float[] fuel, float[] heat, float[] smoke, float ignition, float fraction, float heatPerFuel, float smokePerFuel)
    {
        int nx = Nx, s = S;
        Rows((j0, j1) =>
        {
            var hf = new HostField(fuel); var hh = new HostField(heat);
            for (int j = j0; j < j1; j++)
                for (int i = 1; i <= nx; i++)
                {
                    int k = i + s * j;
                    float b = FluidCells.Burn(hf, hh, k, ignition, fraction);
                    fuel[k] -= b; heat[k] += heatPerFuel * b; smoke[k] += smokePerFuel * b;
                }
        });
    }

    public override void Scale(float[] x, float f)
    {
        var span = x.AsSpan();
        int k = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated)
        {
            var vs = MemoryMarshal.Cast<float, System.Numerics.Vector<float>>(span);
            for (int n = 0; n < vs.Length; n++) vs[n] *= f;
            k = vs.Length * System.Numerics.Vector<float>.Count;
        }
        for (; k < span.Length; k++) span[k] *= f;
    }

    public override void Copy(float[] src, float[] dst) => Array.Copy(src, dst, src.Length);

    public override double Sum(float[] x) => RowSums(x, false);
    public override double SumSquares(float[] x) => RowSums(x, true);

    double RowSums(float[] x, bool squares)
    {
        int nx = Nx, s = S;
        Rows((j0, j1) =>
        {
            for (int j = j0; j < j1; j++)
            {
                double sum = 0;
                for (int i = 1; i <= nx; i++) { double e = x[i + s * j]; sum += squares ? e * e : e; }
                _rowSum[j] = sum;
            }
        });
        double total = 0;
        for (int j = 1; j <= Ny; j++) total += _rowSum[j];
        return total;
    }

    public override void Light(float[] smoke, float[] light, float dx, float dy, int steps, float kappa)
    {
        int nx = Nx, ny = Ny, s = S;
        // the box of the smoke's non-zero elements: the rays sample only there (the same bits; FluidCells.Light)
        var (bx0, by0, bx1, by1) = NonZeroBox(smoke);
        Rows((j0, j1) =>
        {
            var hs = new HostField(smoke);
            for (int j = j0; j < j1; j++)
            {
                // eight rays at a time where the CPU has the vectors (the same bits), the rest one by one
                for (int i = 1 + FluidRows.Light(smoke, light, 1, nx, j, dx, dy, steps, kappa, nx, ny, bx0, by0, bx1, by1); i <= nx; i++)
                    At(light, i + s * j) = FluidCells.Light(hs, i, j, dx, dy, steps, kappa, nx, ny, bx0, by0, bx1, by1);
            }
        });
    }

    /// <summary>
    /// The inclusive array box (i0, j0, i1, j1) of the elements of x that are not +0 or −0 (NaN counts as non-zero);
    /// an empty box (i0 &gt; i1) when there is none.
    /// </summary>
    internal (int I0, int J0, int I1, int J1) NonZeroBox(float[] x)
    {
        int s = S, rows = Ny + 2, i0 = s, j0 = rows, i1 = -1, j1 = -1;
        var bits = MemoryMarshal.Cast<float, int>(x.AsSpan(0, s * rows));
        for (int j = 0; j < rows; j++)
        {
            var row = bits.Slice(j * s, s);
            // +0 is 0 and −0 is int.MinValue as bits
            int first = row.IndexOfAnyExcept(0, int.MinValue);
            if (first < 0) continue;
            int last = row.LastIndexOfAnyExcept(0, int.MinValue);
            if (j0 == rows) j0 = j;
            j1 = j;
            i0 = Math.Min(i0, first); i1 = Math.Max(i1, last);
        }
        return j1 < 0 ? (1, 1, 0, 0) : (i0, j0, i1, j1);
    }

    /// <summary>Whether every element of x is +0 (as bits).</summary>
    public override bool IsZero(float[] x) => MemoryMarshal.Cast<float, int>(x.AsSpan()).IndexOfAnyExcept(0) < 0;
}
