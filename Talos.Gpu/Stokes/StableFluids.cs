namespace Talos.Gpu.Stokes;

/// <summary>Host-side helpers of the solver that are not per-frame kernels: the turbulence stream function and field totals.</summary>
public static class StableFluids
{
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
