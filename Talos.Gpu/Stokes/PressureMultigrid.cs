using Talos.Gpu.Kernels;

namespace Talos.Gpu.Stokes;

/// <summary>
/// The pressure equation of the projection, Σₙ wₙ(p − pₙ) = −∇·u on the cell-centred pressure of the MAC grid
/// (<see cref="FluidCells.RelaxWeighted{TF}"/>), solved by conjugate gradients preconditioned with one multigrid
/// V-cycle per iteration (MGPCG, McAdams, Sifakis &amp; Teran 2010). Face weights wₙ are 1 between fluid cells and 0
/// at walls and solids, so the closed box and obstacles are the same equation. Each coarser level merges 2 × 2 cells
/// (cell-centred coarsening): its right-hand side is the sum of the children's residuals, its face weight a fixed
/// fraction of the fine faces it covers, its correction is added back to each child unchanged (piecewise constant).
/// Such a V-cycle alone converges slowly (≈ 0.5 per cycle); as a symmetric preconditioner of CG it gives ≈ 10× per
/// iteration at every grid size. Smoothing is red-black Gauss–Seidel, red then black before the coarse correction and
/// black then red after it (symmetric), so every update within a colour is independent, and dot products are summed
/// per row and then in row order: the result does not depend on the thread count. Odd sizes pair cells from both
/// ends towards the middle, which keeps the middle cell alone, so a mirror-symmetric problem stays symmetric.
///
/// The solve works in place on the solver's Pressure (the warm start) and reads its Divergence array; the cost of an
/// iteration is about ten passes over the fine grid whatever its size, where SOR needs O(n) sweeps for the same
/// reduction. Runs on host arrays (both device paths hand it their pressure; see <see cref="FluidSolver.Project"/>).
/// </summary>
public sealed class PressureMultigrid
{
    /// <summary>Sweeps of each colour pair before and after the coarse correction; sweeps on the coarsest level.</summary>
    const int PreSmooth = 2, PostSmooth = 2, CoarsestSweeps = 40;
    /// <summary>Levels stop coarsening at this many cells along the shorter side.</summary>
    const int CoarsestSide = 4;
    /// <summary>
    /// Coarse face weight per fine face it covers: ½ is the Laplacian of the doubled spacing (a coarse difference spans
    /// two fine ones); measured on 64 × 36 and 512², CG with it reaches 1e-4 of the initial residual in 3–4 iterations
    /// (0.7: 6–8).
    /// </summary>
    const float CoarseFactor = 0.5f;

    sealed class Level
    {
        public readonly int Nx, Ny, S;
        public float[] P, B;
        public readonly float[] Wx, Wy;
        /// <summary>For this level's column i / row j: the coarser level's cell that holds it (empty on the coarsest).</summary>
        public int[] ParentX = [], ParentY = [];
        /// <summary>For coarse column I / row J: its first and last child on this (finer) level's grid.</summary>
        public int[] FirstX = [], LastX = [], FirstY = [], LastY = [];
        public readonly double[] RowSum, RowMax;

        public Level(int nx, int ny, float[]? p = null, float[]? b = null)
        {
            Nx = nx; Ny = ny; S = nx + 2;
            int count = (nx + 2) * (ny + 2);
            P = p ?? new float[count]; B = b ?? new float[count];
            Wx = new float[count]; Wy = new float[count];
            RowSum = new double[ny + 2]; RowMax = new double[ny + 2];
        }
    }

    readonly Level[] _levels;
    readonly WorkerTeam _team;
    /// <summary>CG vectors on the finest grid: residual, preconditioned residual, search direction, A·direction.</summary>
    readonly float[] _r, _z, _d, _q;

    /// <summary>A hierarchy for an nx × ny grid; fluid = the solver's fluid mask (null: all interior cells fluid).</summary>
    public PressureMultigrid(int nx, int ny, float[]? fluid, WorkerTeam team)
    {
        _team = team;
        var levels = new List<Level> { new(nx, ny, [], []) }; // the finest level works on the caller's arrays
        while (Math.Min(levels[^1].Nx, levels[^1].Ny) > CoarsestSide)
        {
            var f = levels[^1];
            var (px, fx, lx) = Pairs(f.Nx);
            var (py, fy, ly) = Pairs(f.Ny);
            f.ParentX = px; f.ParentY = py;
            var c = new Level(fx.Length - 2, fy.Length - 2) { FirstX = fx, LastX = lx, FirstY = fy, LastY = ly };
            levels.Add(c);
        }
        _levels = [.. levels];
        int count = (nx + 2) * (ny + 2);
        _r = new float[count]; _z = new float[count]; _d = new float[count]; _q = new float[count];
        SetFluid(fluid);
    }

    public int Levels => _levels.Length;

    /// <summary>
    /// Fine-to-coarse map of n cells (1..n): pairs from both ends towards the middle, an odd middle cell alone.
    /// Returns parent[i] and, for each coarse cell, its first and last child.
    /// </summary>
    static (int[] parent, int[] first, int[] last) Pairs(int n)
    {
        int half = n / 2, side = (half + 1) / 2, m = 2 * side + (n & 1);
        var parent = new int[n + 2];
        var first = new int[m + 2]; var last = new int[m + 2];
        for (int i = 1; i <= n; i++)
        {
            int c = i <= half ? (i + 1) / 2 : (n & 1) == 1 && i == half + 1 ? side + 1 : m + 1 - (n + 2 - i) / 2;
            parent[i] = c;
            if (first[c] == 0) first[c] = i;
            last[c] = i;
        }
        return (parent, first, last);
    }

    /// <summary>Sets the face weights of every level from the fluid mask (null: closed box, no obstacles).</summary>
    public void SetFluid(float[]? fluid)
    {
        var f = _levels[0];
        int s = f.S;
        Array.Clear(f.Wx); Array.Clear(f.Wy);
        float At(int i, int j) => i < 1 || j < 1 || i > f.Nx || j > f.Ny ? 0f : fluid is null ? 1f : fluid[i + s * j];
        for (int j = 1; j <= f.Ny; j++)
            for (int i = 1; i <= f.Nx; i++)
            {
                int k = i + s * j;
                f.Wx[k] = At(i, j) * At(i + 1, j);
                f.Wy[k] = At(i, j) * At(i, j + 1);
            }
        for (int l = 1; l < _levels.Length; l++)
        {
            var fine = _levels[l - 1]; var c = _levels[l];
            int fs = fine.S, cs = c.S;
            for (int J = 1; J <= c.Ny; J++)
                for (int I = 1; I <= c.Nx; I++)
                {
                    int ix = c.LastX[I], jy = c.LastY[J];
                    // faces crossing the coarse cell's right side (one per child row) and bottom side (one per child column)
                    float wx = fine.Wx[ix + fs * c.FirstY[J]] + (c.LastY[J] != c.FirstY[J] ? fine.Wx[ix + fs * jy] : 0f);
                    float wy = fine.Wy[c.FirstX[I] + fs * jy] + (c.LastX[I] != c.FirstX[I] ? fine.Wy[c.LastX[I] + fs * jy] : 0f);
                    c.Wx[I + cs * J] = I < c.Nx ? CoarseFactor * wx : 0f;
                    c.Wy[I + cs * J] = J < c.Ny ? CoarseFactor * wy : 0f;
                }
        }
    }

    /// <summary>
    /// Conjugate gradients on p (in place, the warm start) for right-hand side b = −∇·u until the RMS residual over the
    /// nx·ny cells is ≤ target or maxIterations ran. Returns the iterations run and the RMS and max |residual| of the
    /// returned p (recomputed from p, not the recurrence).
    /// </summary>
    public (int iterations, double rms, double max) Solve(float[] p, float[] b, double target, int maxIterations)
    {
        var f = _levels[0];
        int nx = f.Nx, s = f.S;
        double cells = nx * (double)f.Ny;
        var (sum, max) = Residual(p, b);
        int iterations = 0;
        // the recurrence's residual drifts from the true one in float; restart from the true residual while that is
        // still above the target and the last run made progress
        while (Math.Sqrt(sum / cells) > target && iterations < maxIterations)
        {
            double last = sum;
            iterations = Descend(p, target * target * cells, maxIterations, iterations, sum);
            (sum, max) = Residual(p, b);
            if (!(sum < 0.5 * last)) break;
        }
        return (iterations, Math.Sqrt(sum / cells), max);
    }

    /// <summary>CG iterations from the residual in r until Σ r² ≤ targetSum; returns the iteration count so far.</summary>
    int Descend(float[] p, double targetSum, int maxIterations, int iterations, double start)
    {
        var f = _levels[0];
        int nx = f.Nx, s = f.S;
        double rho = Precondition();
        Array.Copy(_z, _d, _z.Length);
        while (true)
        {
            // q = A d, α = ρ / (d·q); p += α d, r −= α q
            double dq = Reduce(f, j =>
            {
                var d = new HostField(_d); var wx = new HostField(f.Wx); var wy = new HostField(f.Wy);
                // q = A d: eight cells a step where the CPU has the vectors (the same bits), then the row's sum in order
                int done = FluidRows.LaplacianWeighted(_d, f.Wx, f.Wy, j, nx, _q.AsSpan(1 + s * j, nx));
                for (int i = 1 + done, k = i + s * j; i <= nx; i++, k++) _q[k] = FluidCells.LaplacianWeighted(d, wx, wy, k, s);
                double acc = 0;
                for (int i = 1, k = 1 + s * j; i <= nx; i++, k++) acc += (double)_d[k] * _q[k];
                return acc;
            });
            if (!(dq > 0)) return iterations; // nothing left that the equation can reduce
            float alpha = (float)(rho / dq);
            double rr = Reduce(f, j =>
            {
                double acc = 0;
                for (int i = 1, k = 1 + s * j; i <= nx; i++, k++)
                {
                    p[k] += alpha * _d[k];
                    float r = _r[k] - alpha * _q[k];
                    _r[k] = r;
                    acc += (double)r * r;
                }
                return acc;
            });
            iterations++;
            if (rr <= targetSum || iterations >= maxIterations || !(rr < start)) return iterations;
            double next = Precondition();
            float beta = (float)(next / rho);
            rho = next;
            Rows(f, 1, f.Ny + 1, (j0, j1) =>
            {
                for (int j = j0; j < j1; j++)
                    for (int i = 1, k = 1 + s * j; i <= nx; i++, k++) _d[k] = _z[k] + beta * _d[k];
            });
        }
    }

    /// <summary>r ← b − A p (kept for the iterations); returns Σ r² and max |r|.</summary>
    (double sum, double max) Residual(float[] p, float[] b)
    {
        var f = _levels[0];
        int nx = f.Nx, s = f.S;
        double sum = Reduce(f, j =>
        {
            var hp = new HostField(p); var wx = new HostField(f.Wx); var wy = new HostField(f.Wy);
            var row = _r.AsSpan(1 + s * j, nx);
            int done = FluidRows.LaplacianWeighted(p, f.Wx, f.Wy, j, nx, row);
            for (int i = 1 + done, k = i + s * j; i <= nx; i++, k++) _r[k] = FluidCells.LaplacianWeighted(hp, wx, wy, k, s);
            double acc = 0, max = 0;
            for (int i = 1, k = 1 + s * j; i <= nx; i++, k++)
            {
                float r = b[k] - _r[k];
                _r[k] = r;
                acc += (double)r * r;
                max = Math.Max(max, Math.Abs(r));
            }
            f.RowMax[j] = max;
            return acc;
        });
        double maxAll = 0;
        for (int j = 1; j <= f.Ny; j++) maxAll = Math.Max(maxAll, f.RowMax[j]);
        return (sum, maxAll);
    }

    /// <summary>z ← one V-cycle from zero on A z = r; returns r·z.</summary>
    double Precondition()
    {
        var f = _levels[0];
        Array.Clear(_z);
        f.P = _z; f.B = _r;
        Correct(0);
        int nx = f.Nx, s = f.S;
        return Reduce(f, j =>
        {
            double acc = 0;
            for (int i = 1, k = 1 + s * j; i <= nx; i++, k++) acc += (double)_r[k] * _z[k];
            return acc;
        });
    }

    /// <summary>Σ over rows 1..ny of row(j), rows in parallel, added in row order.</summary>
    double Reduce(Level v, Func<int, double> row)
    {
        Rows(v, 1, v.Ny + 1, (j0, j1) =>
        {
            for (int j = j0; j < j1; j++) v.RowSum[j] = row(j);
        });
        double total = 0;
        for (int j = 1; j <= v.Ny; j++) total += v.RowSum[j];
        return total;
    }

    /// <summary>Solves level l (its B set, its P zero) approximately, by a V-cycle from it down.</summary>
    void Correct(int l)
    {
        if (l == _levels.Length - 1)
        {
            for (int n = 0; n < CoarsestSweeps; n++) { Smooth(l, 0); Smooth(l, 1); }
            for (int n = 0; n < CoarsestSweeps; n++) { Smooth(l, 1); Smooth(l, 0); }
            return;
        }
        for (int n = 0; n < PreSmooth; n++) { Smooth(l, 0); Smooth(l, 1); }
        RestrictResidual(l);
        Correct(l + 1);
        Prolong(l);
        for (int n = 0; n < PostSmooth; n++) { Smooth(l, 1); Smooth(l, 0); }
    }

    /// <summary>Rows of level l in parallel when the level is big enough to pay for it.</summary>
    void Rows(Level level, int from, int to, Action<int, int> body) => _team.For(from, to, body, level.Nx * level.Ny >= 64 * 64 ? 16 : int.MaxValue);

    void Smooth(int l, int colour)
    {
        var v = _levels[l];
        // a level the team would run serially anyway is smoothed without a closure per call (the coarse levels are
        // smoothed thousands of times per step, a few cells each); the same updates in the same order
        if (Serial(v)) SmoothRows(v, colour, 1, v.Ny + 1);
        else Rows(v, 1, v.Ny + 1, (j0, j1) => SmoothRows(v, colour, j0, j1));
    }

    /// <summary>Whether <see cref="Rows"/> would run the level's rows on the caller alone.</summary>
    bool Serial(Level level) => _team.Threads == 1 || level.Nx * level.Ny < 64 * 64 || level.Ny < Math.Max(16, _team.Threads);

    static void SmoothRows(Level v, int colour, int j0, int j1)
    {
        int nx = v.Nx, s = v.S;
        var p = new HostField(v.P); var b = new HostField(v.B); var wx = new HostField(v.Wx); var wy = new HostField(v.Wy);
        for (int j = j0; j < j1; j++)
        {
            // eight cells a step where the CPU has the vectors (the same bits), the rest of the row's colour one by one
            int first = 1 + ((1 + j + colour) & 1), i = FluidRows.RelaxWeighted(v.P, v.B, v.Wx, v.Wy, j, nx, colour);
            for (i += (i - first) & 1; i <= nx; i += 2)
            {
                int k = i + s * j;
                v.P[k] = FluidCells.RelaxWeighted(p, b, wx, wy, k, s);
            }
        }
    }

    /// <summary>The residual of level l summed over each coarse cell's children into level l + 1's B (its P zeroed).</summary>
    void RestrictResidual(int l)
    {
        var f = _levels[l]; var c = _levels[l + 1];
        int fs = f.S, cs = c.S, cnx = c.Nx;
        Array.Clear(c.P);
        Rows(c, 1, c.Ny + 1, (J0, J1) =>
        {
            var p = new HostField(f.P); var wx = new HostField(f.Wx); var wy = new HostField(f.Wy);
            var b = f.B;
            int fnx = f.Nx;
            // the fine rows' residuals b − A p (index i − 1), the Laplacian eight cells a step where the CPU has the vectors
            Span<float> row0 = fnx <= 1024 ? stackalloc float[fnx] : new float[fnx];
            Span<float> row1 = fnx <= 1024 ? stackalloc float[fnx] : new float[fnx];
            void Residuals(int j, Span<float> row)
            {
                int done = FluidRows.LaplacianWeighted(f.P, f.Wx, f.Wy, j, fnx, row);
                for (int i = 1 + done; i <= fnx; i++) row[i - 1] = FluidCells.LaplacianWeighted(p, wx, wy, i + fs * j, fs);
                for (int i = 1; i <= fnx; i++) row[i - 1] = b[i + fs * j] - row[i - 1];
            }
            for (int J = J0; J < J1; J++)
            {
                int j0 = c.FirstY[J], j1 = c.LastY[J];
                Residuals(j0, row0);
                if (j1 != j0) Residuals(j1, row1);
                for (int I = 1; I <= cnx; I++)
                {
                    int i0 = c.FirstX[I] - 1, i1 = c.LastX[I] - 1;
                    float r00 = row0[i0];
                    float r10 = i1 != i0 ? row0[i1] : 0f;
                    float r01 = j1 != j0 ? row1[i0] : 0f;
                    float r11 = i1 != i0 && j1 != j0 ? row1[i1] : 0f;
                    c.B[I + cs * J] = (r00 + r10) + (r01 + r11);
                }
            }
        });
    }

    /// <summary>Adds level l + 1's correction to every cell of level l.</summary>
    void Prolong(int l)
    {
        var f = _levels[l]; var c = _levels[l + 1];
        int fs = f.S, cs = c.S, nx = f.Nx;
        Rows(f, 1, f.Ny + 1, (j0, j1) =>
        {
            for (int j = j0; j < j1; j++)
            {
                int row = cs * f.ParentY[j];
                for (int i = 1; i <= nx; i++) f.P[i + fs * j] += c.P[f.ParentX[i] + row];
            }
        });
    }
}
