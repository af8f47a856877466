namespace Talos.Gpu.Raygen;

/// <summary>Seeded integer hash for scenery placement: same seed and cell → same value, on every machine.</summary>
static class Hash
{
    static uint Mix(uint x)
    {
        x ^= x >> 16; x *= 0x7feb352dU;
        x ^= x >> 15; x *= 0x846ca68bU;
        x ^= x >> 16;
        return x;
    }

    /// <summary>A value in [0,1) for (seed, i).</summary>
    public static float Unit(uint seed, int i) => (Mix(seed * 0x9e3779b9U ^ Mix((uint)i)) >> 8) * (1f / 16777216f);

    /// <summary>A value in [0,1) for (seed, i, j).</summary>
    public static float Unit(uint seed, int i, int j) => Unit(seed ^ Mix((uint)j + 0x632be5abU), i);
}
