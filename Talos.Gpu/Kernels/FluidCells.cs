using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Algorithms;

namespace Talos.Gpu.Kernels;

/// <summary>
/// The per-element maths of the STOKES solver, written once. Every function computes one output element from
/// fields read through <see cref="IField"/>; the CPU path (<see cref="CpuFluidOps"/>) calls it in row loops over
/// host arrays, the ILGPU kernels (<see cref="IlgpuFluidOps"/>) call the very same function once per thread.
/// Rules that keep them compilable by ILGPU: no allocation, no System.Math/MathF (IntrinsicMath/XMath instead),
/// no Vector3, no exceptions, only structs and primitives.
///
/// Grid: a staggered (MAC) layout in (nx + 2)·(ny + 2) arrays, cell (i, j) at k = i + (nx + 2)·j, interior
/// i = 1..nx, j = 1..ny, one ghost ring; y grows downwards (image rows). Scalars live at cell centres (i, j);
/// U[k] is the velocity through the face between cells (i, j) and (i + 1, j), i.e. at (i + ½, j); V[k] through the
/// face between (i, j) and (i, j + 1), at (i, j + ½). h = 1 cell, velocities in cells per second.
/// </summary>
public static class FluidCells
{
    public const int Scalar = 0, U = 1, V = 2;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Clamp(float x, float lo, float hi) => x < lo ? lo : (x > hi ? hi : x);

    /// <summary>
    /// Bilinear interpolation at array coordinates (i + fx, j + fy), written as w₀a + w₁b so that a mirrored grid
    /// gives bit-identical mirrored results (fx ↔ 1 − fx are both exact).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Lerp2<TF>(TF f, int a, float gx, float fx, float gy, float fy, int s) where TF : struct, IField
    {
        float top = f[a] * gx + f[a + 1] * fx;
        float bottom = f[a + s] * gx + f[a + s + 1] * fx;
        return top * gy + bottom * fy;
    }

    /// <summary>Bilinear interpolation at array coordinates (x, y) ≥ 0 (already clamped inside the array).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Bilinear<TF>(TF f, float x, float y, int s) where TF : struct, IField
    {
        int i = (int)x, j = (int)y;
        float fx = x - i, fy = y - j;
        return Lerp2(f, i + s * j, 1f - fx, fx, 1f - fy, fy, s);
    }

    /// <summary>A point (px, py) in cell coordinates as clamped array coordinates of a field of the given kind.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ToArrayCoords(int kind, float px, float py, int nx, int ny, out float x, out float y)
    {
        if (kind == U) { x = Clamp(px - 0.5f, 0f, nx); y = Clamp(py, 0.5f, ny + 0.5f); }
        else if (kind == V) { x = Clamp(px, 0.5f, nx + 0.5f); y = Clamp(py - 0.5f, 0f, ny); }
        else { x = Clamp(px, 0.5f, nx + 0.5f); y = Clamp(py, 0.5f, ny + 0.5f); }
    }

    /// <summary>Samples a field of the given kind at a point in cell coordinates.</summary>
    public static float SampleAt<TF>(TF f, int kind, float px, float py, int nx, int ny) where TF : struct, IField
    {
        ToArrayCoords(kind, px, py, nx, ny, out float x, out float y);
        return Bilinear(f, x, y, nx + 2);
    }

    /// <summary>
    /// Element index + offset d as an integer index and the bilinear weights of it and the next element, clamped to
    /// [lo + loF, hi + hiF]. The weights come from |d| (r = |d| − ⌊|d|⌋ is exact), so an offset and its mirror image
    /// −d get exactly swapped weights and a mirrored grid rounds identically.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Split(int index, float d, int lo, float loF, int hi, float hiF, out int at, out float w0, out float w1)
    {
        float ad = d < 0f ? -d : d;
        int fl = (int)ad;
        float r = ad - fl;
        if (d >= 0f || r == 0f) { at = index + (d >= 0f ? fl : -fl); w0 = 1f - r; w1 = r; }
        else { at = index - fl - 1; w0 = r; w1 = 1f - r; }
        if (at < lo || (at == lo && w1 < loF)) { at = lo; w0 = 1f - loF; w1 = loF; }
        if (at > hi || (at == hi && w1 > hiF)) { at = hi; w0 = 1f - hiF; w1 = hiF; }
    }

    /// <summary>
    /// Semi-Lagrangian departure point (Stam 1999 §2.3) of element (i, j) of a field of the given kind: its position
    /// minus dt times the velocity there (one Euler step back), as the base array index and bilinear fractions.
    /// Velocity averages pair mirror-image terms first, so a mirror-symmetric flow stays bit-symmetric.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Departure<TF>(TF u, TF v, int kind, int i, int j, float dt, int nx, int ny, out int a, out float gx, out float fx, out float gy, out float fy) where TF : struct, IField
    {
        int s = nx + 2, k = i + s * j;
        float uu, vv;
        if (kind == U) { uu = u[k]; vv = 0.25f * ((v[k] + v[k + 1]) + (v[k - s] + v[k + 1 - s])); }
        else if (kind == V) { vv = v[k]; uu = 0.25f * ((u[k - 1] + u[k]) + (u[k - 1 + s] + u[k + s])); }
        else { uu = 0.5f * (u[k - 1] + u[k]); vv = 0.5f * (v[k - s] + v[k]); }
        // array coordinates of the field's own elements are (i, j); valid ranges: scalars [0.5, n + 0.5], faces [0, n]
        Split(i, -dt * uu, 0, kind == U ? 0f : 0.5f, nx, kind == U ? 0f : 0.5f, out int ai, out gx, out fx);
        Split(j, -dt * vv, 0, kind == V ? 0f : 0.5f, ny, kind == V ? 0f : 0.5f, out int aj, out gy, out fy);
        a = ai + s * aj;
    }

    /// <summary>Semi-Lagrangian advection of element (i, j): q carried along (u, v) for dt.</summary>
    public static float Advect<TF>(TF q, TF u, TF v, int kind, int i, int j, float dt, int nx, int ny) where TF : struct, IField
    {
        Departure(u, v, kind, i, j, dt, nx, ny, out int a, out float gx, out float fx, out float gy, out float fy);
        return Lerp2(q, a, gx, fx, gy, fy, nx + 2);
    }

    /// <summary>
    /// MacCormack correction (Selle, Fedkiw, Kim, Liu &amp; Rossignac 2008): hat = A(φ), tilde = A⁻¹(hat);
    /// φ ← hat + (φ − tilde)/2, clamped to the range of the four φ samples the forward step interpolated, which keeps
    /// it unconditionally stable and free of new extrema.
    /// </summary>
    public static float MacCormack<TF>(TF phi, TF hat, TF tilde, TF u, TF v, int kind, int i, int j, float dt, int nx, int ny) where TF : struct, IField
    {
        int s = nx + 2, k = i + s * j;
        Departure(u, v, kind, i, j, dt, nx, ny, out int a, out _, out _, out _, out _);
        float p0 = phi[a], p1 = phi[a + 1], p2 = phi[a + s], p3 = phi[a + s + 1];
        float lo = IntrinsicMath.Min(IntrinsicMath.Min(p0, p1), IntrinsicMath.Min(p2, p3));
        float hi = IntrinsicMath.Max(IntrinsicMath.Max(p0, p1), IntrinsicMath.Max(p2, p3));
        return Clamp(hat[k] + 0.5f * (phi[k] - tilde[k]), lo, hi);
    }

    /// <summary>How many elements a boundary pass visits (pass 0: walls/edges, pass 1: ghosts/corners that read pass 0).</summary>
    public static int BoundaryCount(int kind, int pass, int nx, int ny) => kind switch
    {
        U => pass == 0 ? 3 * ny : 2 * (nx + 2),
        V => pass == 0 ? 3 * nx : 2 * (ny + 2),
        _ => pass == 0 ? 2 * (nx + ny) : 4,
    };

    /// <summary>
    /// Element t of a boundary pass: which array element k to write and its value. Closed box (Stam 2003 set_bnd,
    /// adapted to the staggered grid): wall-normal face velocities are 0; ghost rows of the tangential velocity and
    /// ghost cells of scalars copy their interior neighbour (free slip, zero gradient); scalar corners average.
    /// </summary>
    public static float Boundary<TF>(TF x, int kind, int pass, int t, int nx, int ny, out int k) where TF : struct, IField
    {
        int s = nx + 2;
        if (kind == U)
        {
            if (pass == 0)
            {
                int j = t % ny + 1, w = t / ny; // w: 0 left wall face, 1 right wall face, 2 the unused column
                k = (w == 0 ? 0 : w == 1 ? nx : nx + 1) + s * j;
                return 0f;
            }
            int i = t % (nx + 2);
            if (t < nx + 2) { k = i; return x[i + s]; }
            k = i + s * (ny + 1);
            return x[i + s * ny];
        }
        if (kind == V)
        {
            if (pass == 0)
            {
                int i = t % nx + 1, w = t / nx;
                k = i + s * (w == 0 ? 0 : w == 1 ? ny : ny + 1);
                return 0f;
            }
            int j = t % (ny + 2);
            if (t < ny + 2) { k = s * j; return x[1 + s * j]; }
            k = nx + 1 + s * j;
            return x[nx + s * j];
        }
        if (pass == 0)
        {
            if (t < nx) { k = t + 1; return x[t + 1 + s]; }
            if (t < 2 * nx) { int i = t - nx + 1; k = i + s * (ny + 1); return x[i + s * ny]; }
            int r = t - 2 * nx;
            if (r < ny) { k = s * (r + 1); return x[1 + s * (r + 1)]; }
            int jj = r - ny + 1;
            k = nx + 1 + s * jj;
            return x[nx + s * jj];
        }
        if (t == 0) { k = 0; return 0.5f * (x[1] + x[s]); }
        if (t == 1) { k = nx + 1; return 0.5f * (x[nx] + x[nx + 1 + s]); }
        if (t == 2) { k = s * (ny + 1); return 0.5f * (x[1 + s * (ny + 1)] + x[s * ny]); }
        k = nx + 1 + s * (ny + 1);
        return 0.5f * (x[nx + s * (ny + 1)] + x[nx + 1 + s * ny]);
    }

    /// <summary>
    /// One Gauss–Seidel/SOR update of x = (rhs + a·Σ neighbours) / c (red-black ordering makes a colour's updates
    /// independent, so it is parallel-safe and deterministic). Diffusion: a = ν·dt, c = 1 + 4a; pressure: rhs = −∇·u, a = 1, c = 4.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Relax<TF>(TF x, TF rhs, int k, int s, float a, float invC, float omega) where TF : struct, IField
    {
        float gs = (rhs[k] + a * (x[k - 1] + x[k + 1] + x[k - s] + x[k + s])) * invC;
        float old = x[k];
        return old + omega * (gs - old);
    }

    /// <summary>
    /// Gauss–Seidel update of the pressure equation with face weights (the multigrid's smoother, on every level):
    /// Σₙ wₙ(p − pₙ) = b, so p = (b + Σ wₙpₙ) / Σ wₙ. wx[k] weighs the face between cells k and k + 1, wy[k] the face
    /// between k and k + s (0 at walls and solids, 1 between fluid cells on the finest grid). A cell with no open
    /// face keeps 0. Mirror-image terms are added in pairs, so a mirrored grid rounds identically.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float RelaxWeighted<TF>(TF p, TF b, TF wx, TF wy, int k, int s) where TF : struct, IField
    {
        float wl = wx[k - 1], wr = wx[k], wu = wy[k - s], wd = wy[k];
        float d = (wl + wr) + (wu + wd);
        if (d == 0f) return 0f;
        return (b[k] + ((wl * p[k - 1] + wr * p[k + 1]) + (wu * p[k - s] + wd * p[k + s]))) / d;
    }

    /// <summary>Σₙ wₙ(p − pₙ) in cell k: the left-hand side of <see cref="RelaxWeighted{TF}"/>'s equation (a weighted −∇²p).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float LaplacianWeighted<TF>(TF p, TF wx, TF wy, int k, int s) where TF : struct, IField
    {
        float pk = p[k];
        return (wx[k - 1] * (pk - p[k - 1]) + wx[k] * (pk - p[k + 1])) + (wy[k - s] * (pk - p[k - s]) + wy[k] * (pk - p[k + s]));
    }

    /// <summary>−∇·u of cell k (the pressure equation's right-hand side); 0 in solids when a fluid mask is given.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float NegDivergence<TF>(TF u, TF v, int k, int s) where TF : struct, IField =>
        -(u[k] - u[k - 1] + v[k] - v[k - s]);

    /// <summary>Face velocity after subtracting the pressure gradient; faces touching a solid (or a wall) are 0 when masked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float GradientU<TF>(TF u, TF p, TF fluid, int k, bool masked) where TF : struct, IField
    {
        float r = u[k] - (p[k + 1] - p[k]);
        return masked ? r * fluid[k] * fluid[k + 1] : r;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float GradientV<TF>(TF v, TF p, TF fluid, int k, int s, bool masked) where TF : struct, IField
    {
        float r = v[k] - (p[k + s] - p[k]);
        return masked ? r * fluid[k] * fluid[k + s] : r;
    }

    /// <summary>Fedkiw, Stam &amp; Jensen 2001 eq. 8 on a V face: v ← v − dt·lift·q (up is −y), q averaged from the two cells.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Buoyancy<TF>(TF v, TF q, int k, int s, float dtLift) where TF : struct, IField =>
        v[k] - dtLift * 0.5f * (q[k] + q[k + s]);

    /// <summary>Vorticity ω = ∂v/∂x − ∂u/∂y at a cell centre, from cell-centred velocities.</summary>
    public static float Curl<TF>(TF u, TF v, int k, int s) where TF : struct, IField
    {
        float vr = 0.5f * (v[k + 1 - s] + v[k + 1]), vl = 0.5f * (v[k - 1 - s] + v[k - 1]);
        float ud = 0.5f * (u[k + s - 1] + u[k + s]), uu = 0.5f * (u[k - s - 1] + u[k - s]);
        return 0.5f * (vr - vl) - 0.5f * (ud - uu);
    }

    /// <summary>Fedkiw, Stam &amp; Jensen 2001 §4: confinement force ε·(N × ω) at a cell centre, N = ∇|ω| / |∇|ω||; axis 0 → x, 1 → y.</summary>
    public static float Confinement<TF>(TF curl, int k, int s, float epsilon, int axis) where TF : struct, IField
    {
        float gx = 0.5f * (IntrinsicMath.Abs(curl[k + 1]) - IntrinsicMath.Abs(curl[k - 1]));
        float gy = 0.5f * (IntrinsicMath.Abs(curl[k + s]) - IntrinsicMath.Abs(curl[k - s]));
        float inv = 1f / (XMath.Sqrt(gx * gx + gy * gy) + 1e-5f);
        float w = curl[k];
        return axis == 0 ? epsilon * gy * inv * w : -epsilon * gx * inv * w;
    }

    /// <summary>A cell-centred force (fx, fy) averaged onto face k of the given kind and applied for dt.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float FaceForce<TF>(TF vel, TF f, int kind, int k, int s, float dt) where TF : struct, IField =>
        vel[k] + dt * 0.5f * (f[k] + f[kind == U ? k + 1 : k + s]);

    /// <summary>
    /// Curl noise (Bridson, Hourihan &amp; Nordenstam 2007): u = (∂ψ/∂y, −∂ψ/∂x) of a cell-centred stream function,
    /// on face k, weighted by the presence of stuff (min 1) so still air stays still.
    /// </summary>
    public static float Turbulence<TF>(TF vel, TF psi, TF presence, int kind, int k, int s, float dtAmount) where TF : struct, IField
    {
        if (kind == U)
        {
            float w = IntrinsicMath.Min(1f, 0.5f * (presence[k] + presence[k + 1]));
            return vel[k] + dtAmount * w * 0.25f * (psi[k + s] + psi[k + 1 + s] - psi[k - s] - psi[k + 1 - s]);
        }
        float wv = IntrinsicMath.Min(1f, 0.5f * (presence[k] + presence[k + s]));
        return vel[k] - dtAmount * wv * 0.25f * (psi[k + 1] + psi[k + 1 + s] - psi[k - 1] - psi[k - 1 + s]);
    }

    /// <summary>How much visible stuff a cell holds (weights the turbulence).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Presence<TF>(TF smoke, TF heat, TF magic, TF mist, int k) where TF : struct, IField =>
        2f * (smoke[k] + heat[k] + magic[k]) + mist[k];

    /// <summary>Fuel burnt in cell k this step: a fraction of the fuel where the cell is hotter than ignition.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Burn<TF>(TF fuel, TF heat, int k, float ignition, float fraction) where TF : struct, IField =>
        heat[k] > ignition ? fuel[k] * fraction : 0f;

    /// <summary>
    /// Light reaching cell (i, j) from the key light through the smoke: exp(−κ·∫ smoke ds) marched in unit steps along
    /// (dx, dy) (towards the light) until the ray leaves the grid. exp(−x) is the (1 + x/4)^−4 approximation.
    /// </summary>
    public static float Light<TF>(TF smoke, int i, int j, float dx, float dy, int steps, float kappa, int nx, int ny) where TF : struct, IField =>
        Light(smoke, i, j, dx, dy, steps, kappa, nx, ny, 0, 0, nx + 1, ny + 1);

    /// <summary>
    /// <see cref="Light{TF}(TF, int, int, float, float, int, float, int, int)"/> of smoke whose every element outside the
    /// array box [bx0, bx1] × [by0, by1] (inclusive) is +0 or −0: a step whose four bilinear samples all lie outside the
    /// box adds +0 to the depth (non-negative weights times zeros), so it is not sampled — the same bits. The ray is
    /// still stepped by the same additions, so the positions it samples inside the box are the same too.
    /// </summary>
    public static float Light<TF>(TF smoke, int i, int j, float dx, float dy, int steps, float kappa, int nx, int ny,
        int bx0, int by0, int bx1, int by1) where TF : struct, IField
    {
        float depth = 0f;
        float x = i, y = j;
        for (int n = 0; n < steps; n++)
        {
            x += dx; y += dy;
            if (x < 0.5f || y < 0.5f || x > nx + 0.5f || y > ny + 0.5f) break;
            int ci = (int)x, cj = (int)y; // Bilinear's cell: it reads (ci, cj) to (ci + 1, cj + 1)
            if (ci + 1 < bx0 || ci > bx1 || cj + 1 < by0 || cj > by1) continue;
            depth += Bilinear(smoke, x, y, nx + 2);
        }
        float t = 1f + 0.25f * kappa * depth, t2 = t * t;
        return 1f / (t2 * t2);
    }
}
