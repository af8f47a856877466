namespace Talos.Gpu.Stokes;

/// <summary>
/// Stateless hash noise: the same (coordinates, seed) always give the same value on every machine and thread,
/// so turbulence and sparkles are reproducible without any shared random generator.
/// </summary>
public static class Noise
{
    /// <summary>Integer hash of three coordinates and a seed (xorshift-multiply finaliser).</summary>
    public static uint Hash(int x, int y, int z, uint seed)
    {
        uint h = seed ^ 0x9E3779B9u;
        h = Mix(h ^ (uint)x * 0x85EBCA6Bu);
        h = Mix(h ^ (uint)y * 0xC2B2AE35u);
        h = Mix(h ^ (uint)z * 0x27D4EB2Fu);
        return h;
    }

    static uint Mix(uint h)
    {
        h ^= h >> 16; h *= 0x7FEB352Du;
        h ^= h >> 15; h *= 0x846CA68Bu;
        h ^= h >> 16;
        return h;
    }

    /// <summary>Hash mapped to [0, 1).</summary>
    public static float Unit(uint h) => (h >> 8) * (1f / 16777216f);

    /// <summary>Hash mapped to [-1, 1).</summary>
    public static float Signed(uint h) => Unit(h) * 2f - 1f;

    /// <summary>Smooth value noise in [-1, 1] over (x, y, t), lattice spacing 1 in each coordinate.</summary>
    public static float Value(float x, float y, float t, uint seed)
    {
        int x0 = (int)MathF.Floor(x), y0 = (int)MathF.Floor(y), t0 = (int)MathF.Floor(t);
        float fx = Smooth(x - x0), fy = Smooth(y - y0), ft = Smooth(t - t0);
        float Plane(int tt)
        {
            float a = Signed(Hash(x0, y0, tt, seed)), b = Signed(Hash(x0 + 1, y0, tt, seed));
            float c = Signed(Hash(x0, y0 + 1, tt, seed)), d = Signed(Hash(x0 + 1, y0 + 1, tt, seed));
            float top = a + (b - a) * fx, bottom = c + (d - c) * fx;
            return top + (bottom - top) * fy;
        }
        float p0 = Plane(t0), p1 = Plane(t0 + 1);
        return p0 + (p1 - p0) * ft;
    }

    static float Smooth(float f) => f * f * (3f - 2f * f);
}
