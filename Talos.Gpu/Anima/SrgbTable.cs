using Talos.Gpu.Imaging;

namespace Talos.Gpu.Anima;

/// <summary>
/// Linear [0,1] → 8-bit sRGB through a 4096-entry table. The table is indexed by √v rather than v, which spends
/// its entries where the sRGB curve is steep (the darks), so night skies do not band.
/// </summary>
static class SrgbTable
{
    const int Size = 4096;
    static readonly byte[] Table = Build();

    static byte[] Build()
    {
        var t = new byte[Size];
        for (int i = 0; i < Size; i++)
        {
            float s = i / (float)(Size - 1);
            float v = s * s;
            t[i] = (byte)Math.Clamp((int)MathF.Round(ColorMath.LinearToSrgb(v) * 255f), 0, 255);
        }
        return t;
    }

    public static byte Encode(float linear)
    {
        if (!(linear > 0f)) return 0;
        if (linear >= 1f) return Table[Size - 1];
        return Table[(int)(MathF.Sqrt(linear) * (Size - 1) + 0.5f)];
    }
}
