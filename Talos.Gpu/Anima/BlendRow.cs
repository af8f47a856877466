namespace Talos.Gpu.Anima;

/// <summary>One row of a layer (s, scaled by opacity) blended into the composite (d), premultiplied linear light.</summary>
static class BlendRow
{
    public static void Over(ReadOnlySpan<float> sr, ReadOnlySpan<float> sg, ReadOnlySpan<float> sb, ReadOnlySpan<float> sa,
        Span<float> dr, Span<float> dg, Span<float> db, Span<float> da, float op)
    {
        for (int i = 0; i < dr.Length; i++)
        {
            float a = sa[i] * op;
            if (a == 0f && sr[i] == 0f && sg[i] == 0f && sb[i] == 0f) continue;
            float k = 1f - a;
            dr[i] = sr[i] * op + dr[i] * k;
            dg[i] = sg[i] * op + dg[i] * k;
            db[i] = sb[i] * op + db[i] * k;
            da[i] = a + da[i] * k;
        }
    }

    public static void Add(ReadOnlySpan<float> sr, ReadOnlySpan<float> sg, ReadOnlySpan<float> sb, ReadOnlySpan<float> sa,
        Span<float> dr, Span<float> dg, Span<float> db, Span<float> da, float op)
    {
        for (int i = 0; i < dr.Length; i++)
        {
            float a = sa[i] * op;
            dr[i] += sr[i] * op; dg[i] += sg[i] * op; db[i] += sb[i] * op;
            da[i] = a + da[i] * (1f - a);
        }
    }

    public static void Multiply(ReadOnlySpan<float> sr, ReadOnlySpan<float> sg, ReadOnlySpan<float> sb, ReadOnlySpan<float> sa,
        Span<float> dr, Span<float> dg, Span<float> db, Span<float> da, float op)
    {
        for (int i = 0; i < dr.Length; i++)
        {
            float a = sa[i] * op;
            float r = sr[i] * op, g = sg[i] * op, b = sb[i] * op;
            float ks = 1f - da[i], kd = 1f - a;
            dr[i] = r * dr[i] + r * ks + dr[i] * kd;
            dg[i] = g * dg[i] + g * ks + dg[i] * kd;
            db[i] = b * db[i] + b * ks + db[i] * kd;
            da[i] = a + da[i] * kd;
        }
    }
}
