using Talos.Gpu.Imaging;

namespace Talos.Gpu.Echo;

/// <summary>A CIE L*a*b* colour (D65 white).</summary>
public readonly record struct Lab(float L, float A, float B);

/// <summary>
/// Colour differences the way a colour supervisor sees them: linear-light Rec.709 RGB to CIE L*a*b* (D65), and the
/// CIEDE2000 difference (Sharma, Wu and Dalal 2005). ΔE00 ≈ 1 is a just-noticeable difference; a palette entry painted
/// in the wrong colour is tens.
/// </summary>
public static class ColourDifference
{
    static readonly float[] Linear = BuildLut();

    /// <summary>The linear value of every 8-bit sRGB code (<see cref="ToLinear"/>), for loops that index it themselves; not to be written.</summary>
    internal static float[] LinearTable => Linear;

    /// <summary>The linear value of an 8-bit sRGB code.</summary>
    public static float ToLinear(byte srgb) => Linear[srgb];

    /// <summary>Linear-light Rec.709 RGB (0..1) to L*a*b*.</summary>
    public static Lab ToLab(float r, float g, float b)
    {
        float x = (0.4124564f * r + 0.3575761f * g + 0.1804375f * b) / 0.95047f;
        float y = 0.2126729f * r + 0.7151522f * g + 0.0721750f * b;
        float z = (0.0193339f * r + 0.1191920f * g + 0.9503041f * b) / 1.08883f;
        float fx = F(x), fy = F(y), fz = F(z);
        return new Lab(116f * fy - 16f, 500f * (fx - fy), 200f * (fy - fz));
    }

    public static Lab ToLab(Rgb c) => ToLab(c.R, c.G, c.B);

    /// <summary>L*a*b* back to linear-light RGB (not clamped).</summary>
    public static Rgb FromLab(Lab lab)
    {
        float fy = (lab.L + 16f) / 116f, fx = fy + lab.A / 500f, fz = fy - lab.B / 200f;
        float x = 0.95047f * Finv(fx), y = Finv(fy), z = 1.08883f * Finv(fz);
        return new Rgb(3.2404542f * x - 1.5371385f * y - 0.4985314f * z,
            -0.9692660f * x + 1.8760108f * y + 0.0415560f * z,
            0.0556434f * x - 0.2040259f * y + 1.0572252f * z);
    }

    /// <summary>Euclidean ΔE*ab (CIE76): cheap, used where only "clearly different" matters.</summary>
    public static float DeltaE76(Lab p, Lab q) => MathF.Sqrt(SquaredDeltaE76(p, q));

    /// <summary>The square of <see cref="DeltaE76"/> as it sums it (the same float before its square root).</summary>
    public static float SquaredDeltaE76(Lab p, Lab q)
    {
        float dl = p.L - q.L, da = p.A - q.A, db = p.B - q.B;
        return dl * dl + da * da + db * db;
    }

    /// <summary>
    /// The bound on <see cref="SquaredDeltaE76"/> that decides <c>DeltaE76(p, q) &lt;= limit</c> without the square root:
    /// the largest float whose rounded square root is at most <paramref name="limit"/> (the float square root is
    /// correctly rounded, so monotonic: <c>DeltaE76(p, q) &lt;= limit</c> exactly when <c>SquaredDeltaE76(p, q) &lt;= bound</c>,
    /// NaN false both ways). A negative limit gives −1 (no sum of squares is within it).
    /// </summary>
    public static float SquaredBound(float limit)
    {
        if (float.IsNaN(limit) || limit < 0) return -1f;
        if (float.IsPositiveInfinity(limit)) return limit;
        float x = limit * limit;
        while (x > 0 && MathF.Sqrt(x) > limit) x = MathF.BitDecrement(x);
        while (!float.IsPositiveInfinity(x) && MathF.Sqrt(MathF.BitIncrement(x)) <= limit) x = MathF.BitIncrement(x);
        return x;
    }

    /// <summary>CIEDE2000 colour difference (kL = kC = kH = 1).</summary>
    public static float DeltaE2000(Lab p, Lab q)
    {
        double l1 = p.L, a1 = p.A, b1 = p.B, l2 = q.L, a2 = q.A, b2 = q.B;
        double c1 = Math.Sqrt(a1 * a1 + b1 * b1), c2 = Math.Sqrt(a2 * a2 + b2 * b2);
        double cBar = 0.5 * (c1 + c2), cBar7 = Math.Pow(cBar, 7);
        double g = 0.5 * (1 - Math.Sqrt(cBar7 / (cBar7 + 6103515625.0))); // 25^7
        double a1p = (1 + g) * a1, a2p = (1 + g) * a2;
        double c1p = Math.Sqrt(a1p * a1p + b1 * b1), c2p = Math.Sqrt(a2p * a2p + b2 * b2);
        double h1p = Hue(b1, a1p), h2p = Hue(b2, a2p);
        double dLp = l2 - l1, dCp = c2p - c1p;
        double dhp = 0;
        if (c1p * c2p != 0)
        {
            dhp = h2p - h1p;
            if (dhp > 180) dhp -= 360; else if (dhp < -180) dhp += 360;
        }
        double dHp = 2 * Math.Sqrt(c1p * c2p) * Math.Sin(Rad(dhp / 2));
        double lBarp = 0.5 * (l1 + l2), cBarp = 0.5 * (c1p + c2p);
        double hBarp = h1p + h2p;
        if (c1p * c2p != 0)
        {
            if (Math.Abs(h1p - h2p) <= 180) hBarp = 0.5 * (h1p + h2p);
            else hBarp = h1p + h2p < 360 ? 0.5 * (h1p + h2p + 360) : 0.5 * (h1p + h2p - 360);
        }
        double t = 1 - 0.17 * Math.Cos(Rad(hBarp - 30)) + 0.24 * Math.Cos(Rad(2 * hBarp)) + 0.32 * Math.Cos(Rad(3 * hBarp + 6))
                   - 0.20 * Math.Cos(Rad(4 * hBarp - 63));
        double dTheta = 30 * Math.Exp(-Math.Pow((hBarp - 275) / 25, 2));
        double cBarp7 = Math.Pow(cBarp, 7);
        double rc = 2 * Math.Sqrt(cBarp7 / (cBarp7 + 6103515625.0));
        double l50 = (lBarp - 50) * (lBarp - 50);
        double sl = 1 + 0.015 * l50 / Math.Sqrt(20 + l50), sc = 1 + 0.045 * cBarp, sh = 1 + 0.015 * cBarp * t;
        double rt = -Math.Sin(Rad(2 * dTheta)) * rc;
        double vl = dLp / sl, vc = dCp / sc, vh = dHp / sh;
        return (float)Math.Sqrt(vl * vl + vc * vc + vh * vh + rt * vc * vh);
    }

    /// <summary>CIEDE2000 between two linear-light colours.</summary>
    public static float DeltaE2000(Rgb p, Rgb q) => DeltaE2000(ToLab(p), ToLab(q));

    static double Hue(double b, double a)
    {
        if (a == 0 && b == 0) return 0;
        double h = Math.Atan2(b, a) * 180 / Math.PI;
        return h < 0 ? h + 360 : h;
    }

    static double Rad(double deg) => deg * Math.PI / 180;

    static float F(float t) => t > 216f / 24389f ? Cbrt(t) : (24389f / 27f * t + 16f) / 116f;

    static readonly double[] CbrtFactor = [1.0 / 1.5874010519681994748, 1.0 / 1.2599210498948731648, 1.0, 1.2599210498948731648, 1.5874010519681994748];

    /// <summary>
    /// The cube root as glibc's <c>cbrtf</c> (sysdeps/ieee754/flt-32/s_cbrtf.c, glibc 2.36 here, what <see cref="MathF.Cbrt"/>
    /// calls on Linux) computes it, in managed code without its <c>frexpf</c>/<c>ldexpf</c> calls: the mantissa's cube root
    /// by a quadratic guess and one Halley step in double, scaled by the exponent's third. The same float for every
    /// input in [2⁻⁸, 16) (compared for each of those 100,663,296 floats; EchoKernelTests samples them), and
    /// <see cref="MathF.Cbrt"/> itself outside it: ECHO's L*a*b* (inputs up to about 1) keep their bits.
    /// </summary>
    public static float Cbrt(float x)
    {
        uint bits = BitConverter.SingleToUInt32Bits(x);
        // a positive normal float in [2^-8, 16): biased exponents 119..130
        if (bits - 0x3B800000u >= 0x41800000u - 0x3B800000u) return MathF.Cbrt(x);
        int xe = (int)(bits >> 23) - 126;
        float xm = BitConverter.UInt32BitsToSingle((bits & 0x007FFFFFu) | (126u << 23)); // frexpf: x = xm × 2^xe, xm in [0.5, 1)
        float u = (float)(0.492659620528969547 + (0.697570460207922770 - 0.191502161678719066 * xm) * xm);
        float t2 = u * u * u;
        float ym = (float)(u * (t2 + 2.0 * xm) / (2.0 * t2 + xm) * CbrtFactor[2 + xe % 3]);
        // ldexpf(ym, xe / 3): ym is normal and so is the result, so adding to the exponent is exact
        return BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(ym) + (uint)((xe / 3) << 23));
    }

    static float Finv(float f) => f * f * f > 216f / 24389f ? f * f * f : (116f * f - 16f) / (24389f / 27f);

    static float[] BuildLut()
    {
        var lut = new float[256];
        for (int i = 0; i < 256; i++) lut[i] = ColorMath.SrgbToLinear(i / 255f);
        return lut;
    }
}
