namespace Talos.Gpu.Anima;

/// <summary>One row of a layer (s, scaled by opacity) blended into the composite (d): the CPU path of <see cref="BlendPixel"/>.</summary>
static class BlendRow
{
    public static void Blend(BlendMode mode, ReadOnlySpan<float> sr, ReadOnlySpan<float> sg, ReadOnlySpan<float> sb, ReadOnlySpan<float> sa,
        Span<float> dr, Span<float> dg, Span<float> db, Span<float> da, float op)
    {
        int m = (int)mode;
        for (int i = 0; i < dr.Length; i++)
        {
            // An empty source pixel leaves "over" exactly as it was: skip it (most of a character layer is empty).
            if (mode == BlendMode.Normal && sa[i] == 0f && sr[i] == 0f && sg[i] == 0f && sb[i] == 0f) continue;
            var p = BlendPixel.Blend(m, new Px(dr[i], dg[i], db[i], da[i]), new Px(sr[i], sg[i], sb[i], sa[i]), op);
            dr[i] = p.R; dg[i] = p.G; db[i] = p.B; da[i] = p.A;
        }
    }
}
