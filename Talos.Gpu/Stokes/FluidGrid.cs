namespace Talos.Gpu.Stokes;

/// <summary>
/// Fields of an Nx × Ny fluid grid with a one-cell border on every side: interior cells are i = 1..Nx,
/// j = 1..Ny; row-major, j grows downwards like image rows. Staggered (MAC): scalars at cell centres, U[k] on the
/// face between cells (i, j) and (i + 1, j), V[k] on the face between (i, j) and (i, j + 1) (see
/// <see cref="Talos.Gpu.Kernels.FluidCells"/>). Units: one cell = 1, velocities in cells per second. All buffers
/// are allocated once; the solver steps never allocate.
/// </summary>
public sealed class FluidGrid
{
    public int Nx { get; }
    public int Ny { get; }
    /// <summary>Row length including the two border cells.</summary>
    public int Stride => Nx + 2;
    public int Count => (Nx + 2) * (Ny + 2);

    // Persistent state (saved by EffectsSimulation.SaveState).
    public float[] U { get; }
    public float[] V { get; }
    /// <summary>Last pressure solution; warm-starts the next projection.</summary>
    public float[] Pressure { get; }
    /// <summary>Temperature above ambient (fire).</summary>
    public float[] Heat { get; }
    public float[] Smoke { get; }
    public float[] Magic { get; }
    /// <summary>Magic density that is cyan rather than violet (density-weighted hue).</summary>
    public float[] MagicCyan { get; }
    public float[] Mist { get; }
    /// <summary>Unburnt fuel (fire): burns where it is hot, into heat and smoke.</summary>
    public float[] Fuel { get; }

    // Scratch (contents meaningless between steps).
    public float[] U0 { get; }
    public float[] V0 { get; }
    public float[] Divergence { get; }
    public float[] Curl { get; }
    public float[] Scratch { get; }
    public float[] Scratch2 { get; }
    public float[] Scratch3 { get; }
    /// <summary>Turbulence stream function of the current frame (recomputed at each frame's first substep).</summary>
    public float[] Psi { get; }

    public FluidGrid(int nx, int ny)
    {
        if (nx < 4 || ny < 4 || nx > 1024 || ny > 1024) throw new ArgumentOutOfRangeException(nameof(nx), $"fluid grid {nx}x{ny} must be 4..1024 on each side");
        Nx = nx; Ny = ny;
        float[] New() => new float[(nx + 2) * (ny + 2)];
        U = New(); V = New(); Pressure = New(); Heat = New(); Smoke = New(); Magic = New(); MagicCyan = New(); Mist = New(); Fuel = New();
        U0 = New(); V0 = New(); Divergence = New(); Curl = New(); Scratch = New(); Scratch2 = New(); Scratch3 = New(); Psi = New();
    }

    /// <summary>The fields that make up the simulation state, in serialisation order.</summary>
    public float[][] StateFields => [U, V, Pressure, Heat, Smoke, Magic, MagicCyan, Mist, Fuel];

    public int Ix(int i, int j) => i + Stride * j;
}
