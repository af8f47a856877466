namespace Talos.Gpu.Kernels;

/// <summary>
/// The STOKES kernels as operations on whole fields of one nx × ny grid (layout in <see cref="FluidCells"/>). Fields
/// are named by their host arrays: the CPU implementation works on them in place; the ILGPU implementation keeps a
/// device copy of each and moves data only when the host asks for it (<see cref="ToHost"/>) or says it wrote
/// (<see cref="HostWrote"/>). Every implementation calls the same <see cref="FluidCells"/> functions, in the same
/// order per element, so results agree (parity tests: max abs difference &lt; 1e-5 at 64²); the CPU path's hottest rows
/// run eight elements a step through <see cref="FluidRows"/>, each lane the function's operations (the same bits).
/// </summary>
public abstract class FluidOps : IDisposable
{
    public int Nx { get; }
    public int Ny { get; }
    protected int S => Nx + 2;

    protected FluidOps(int nx, int ny) { Nx = nx; Ny = ny; }

    /// <summary>The fast CPU path (threads ≤ 0: all cores).</summary>
    public static FluidOps Cpu(int nx, int ny, int threads = 0) => new CpuFluidOps(nx, ny, threads);

    /// <summary>For the process's device: CPU path, or ILGPU on CUDA.</summary>
    public static FluidOps For(ComputeDevice device, int nx, int ny, int threads = 0) =>
        device.Accelerator is { } acc ? new IlgpuFluidOps(acc, nx, ny) : new CpuFluidOps(nx, ny, threads);

    public abstract string Describe { get; }

    /// <summary>Closed-box boundary of a field of kind <see cref="FluidCells.Scalar"/>, U or V.</summary>
    public abstract void Boundary(int kind, float[] x);
    /// <summary>dst ← src advected along (u, v) for dt (interior only; call Boundary after).</summary>
    public abstract void Advect(int kind, float[] dst, float[] src, float[] u, float[] v, float dt);
    /// <summary>dst ← MacCormack-corrected value from φ, hat = A(φ), tilde = A⁻¹(hat).</summary>
    public abstract void MacCormack(int kind, float[] dst, float[] phi, float[] hat, float[] tilde, float[] u, float[] v, float dt);
    /// <summary>One colour (0 red, 1 black: (i + j) mod 2) of an SOR sweep of x = (rhs + a·Σ neighbours)·invC.</summary>
    public abstract void Relax(float[] x, float[] rhs, float a, float invC, float omega, int colour);
    /// <summary>A whole red-black sweep (red, then black) of <see cref="Relax"/>.</summary>
    public virtual void RelaxSweep(float[] x, float[] rhs, float a, float invC, float omega)
    {
        Relax(x, rhs, a, invC, omega, 0);
        Relax(x, rhs, a, invC, omega, 1);
    }
    public abstract void NegDivergence(float[] u, float[] v, float[] rhs, float[]? fluid);
    public abstract void SubtractGradient(float[] u, float[] v, float[] p, float[]? fluid);
    public abstract void Buoyancy(float[] v, float[] q, float dtLift);
    public abstract void Curl(float[] u, float[] v, float[] curl);
    public abstract void Confinement(float[] curl, float[] fx, float[] fy, float epsilon);
    public abstract void FaceForce(float[] u, float[] v, float[] fx, float[] fy, float dt);
    public abstract void Turbulence(float[] u, float[] v, float[] psi, float[] presence, float dtAmount);
    public abstract void Presence(float[] dst, float[] smoke, float[] heat, float[] magic, float[] mist);
    /// <summary>Combustion: burnt = Burn(fuel, heat); fuel −= burnt; heat += heatPerFuel·burnt; smoke += smokePerFuel·burnt.</summary>
    public abstract void Burn(float[] fuel, float[] heat, float[] smoke, float ignition, float fraction, float heatPerFuel, float smokePerFuel);
    /// <summary>x ← x·f over the whole array.</summary>
    public abstract void Scale(float[] x, float f);
    public abstract void Copy(float[] src, float[] dst);
    /// <summary>Σ over interior cells in double, row sums added in row order (deterministic on every device).</summary>
    public abstract double Sum(float[] x);
    /// <summary>Σ x² over interior cells, in the same deterministic order.</summary>
    public abstract double SumSquares(float[] x);
    /// <summary>light ← transmittance towards the key light (see <see cref="FluidCells.Light{TF}"/>), interior cells.</summary>
    public abstract void Light(float[] smoke, float[] light, float dx, float dy, int steps, float kappa);

    /// <summary>
    /// Whether every element of x is known to be +0 (its bits all zero), so that an operation which maps zeros to +0
    /// can be skipped; false when that is not known without reading the device (the ILGPU path).
    /// </summary>
    public virtual bool IsZero(float[] x) => false;

    /// <summary>Makes the host arrays current (device → host where the device holds newer data).</summary>
    public virtual void ToHost(params ReadOnlySpan<float[]> fields) { }
    /// <summary>The host changed these arrays; the device copy is stale.</summary>
    public virtual void HostWrote(params ReadOnlySpan<float[]> fields) { }

    public virtual void Dispose() { }
}
