using System.Runtime.InteropServices;
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Raygen;

/// <summary>The rectangle [X0,X1)×[Y0,Y1) holding every pixel of a layer with alpha above zero (<see cref="Find"/>), or every
/// pixel with a non-zero bit in some plane (<see cref="NonZero"/>).</summary>
public readonly record struct AlphaBounds(int X0, int Y0, int X1, int Y1)
{
    public int Width => X1 - X0;
    public int Height => Y1 - Y0;

    public static bool Find(RgbaImage layer, out AlphaBounds bounds)
    {
        if (Find(layer, new FrameCodec.Box(0, 0, layer.Width, layer.Height), out bounds)) return true;
        bounds = new AlphaBounds(layer.Width, layer.Height, 0, 0); // empty, as callers of the whole-frame search have always had it
        return false;
    }

    /// <summary>
    /// <see cref="Find(RgbaImage, out AlphaBounds)"/> of a layer whose pixels outside <paramref name="within"/> are zero
    /// (a decoded layer's stored box): only that box's rows and columns are searched, the same bounds. Alpha above zero:
    /// as an int, the bits of a positive float other than NaN lie in 1..0x7F800000, which a vectorised range search finds.
    /// </summary>
    public static bool Find(RgbaImage layer, FrameCodec.Box within, out AlphaBounds bounds)
    {
        int w = layer.Width, x0 = int.MaxValue, y0 = -1, x1 = -1, y1 = -1;
        for (int y = within.Y; y < within.Y + within.H; y++)
        {
            var row = MemoryMarshal.Cast<float, int>(layer.A.AsSpan(y * w + within.X, within.W));
            int first = row.IndexOfAnyInRange(1, 0x7F800000);
            if (first < 0) continue;
            int last = row.LastIndexOfAnyInRange(1, 0x7F800000);
            if (y0 < 0) y0 = y;
            y1 = y;
            x0 = Math.Min(x0, within.X + first); x1 = Math.Max(x1, within.X + last);
        }
        bounds = y0 < 0 ? default : new AlphaBounds(x0, y0, x1 + 1, y1 + 1);
        return y0 >= 0;
    }

    /// <summary>
    /// The box of every pixel that has a bit set in some plane (−0 and NaN count): outside it all four planes are zero
    /// bits, so copying the box into an all-zero image (<see cref="CopyBox"/>) makes the same bits as a whole copy.
    /// Rows above and below the first and last non-zero element are skipped by one vectorised search per plane.
    /// </summary>
    public static bool NonZero(RgbaImage img, out AlphaBounds bounds)
    {
        int w = img.Width, h = img.Height;
        int first = int.MaxValue, last = -1;
        foreach (var plane in (ReadOnlySpan<float[]>)[img.A, img.R, img.G, img.B])
        {
            var bits = MemoryMarshal.Cast<float, uint>(plane.AsSpan());
            int f = bits.IndexOfAnyExcept(0u);
            if (f < 0) continue;
            first = Math.Min(first, f);
            last = Math.Max(last, bits.LastIndexOfAnyExcept(0u));
        }
        if (last < 0) { bounds = default; return false; }
        int y0 = first / w, y1 = last / w + 1, x0 = w, x1 = 0;
        for (int y = y0; y < y1; y++)
            foreach (var plane in (ReadOnlySpan<float[]>)[img.A, img.R, img.G, img.B])
            {
                var bits = MemoryMarshal.Cast<float, uint>(plane.AsSpan(y * w, w));
                // only the columns not yet inside the box need looking at
                int f = x0 > 0 ? bits[..x0].IndexOfAnyExcept(0u) : -1;
                if (f >= 0) x0 = f;
                if (x1 < w)
                {
                    int l = bits[x1..].LastIndexOfAnyExcept(0u);
                    if (l >= 0) x1 = x1 + l + 1;
                }
            }
        bounds = new AlphaBounds(x0, y0, x1, y1);
        return true;
    }

    /// <summary>
    /// <see cref="NonZero(RgbaImage, out AlphaBounds)"/> of an image whose every pixel outside <paramref name="within"/> is
    /// zero bits (a decoded layer's stored box): only that box is searched, the same bounds.
    /// </summary>
    public static bool NonZero(RgbaImage img, FrameCodec.Box within, out AlphaBounds bounds)
    {
        int w = img.Width, x0 = int.MaxValue, y0 = -1, x1 = -1, y1 = -1;
        for (int y = within.Y; y < within.Y + within.H; y++)
            foreach (var plane in (ReadOnlySpan<float[]>)[img.A, img.R, img.G, img.B])
            {
                var bits = MemoryMarshal.Cast<float, uint>(plane.AsSpan(y * w + within.X, within.W));
                int f = bits.IndexOfAnyExcept(0u);
                if (f < 0) continue;
                if (y0 < 0) y0 = y;
                y1 = y;
                x0 = Math.Min(x0, within.X + f);
                x1 = Math.Max(x1, within.X + bits.LastIndexOfAnyExcept(0u));
            }
        bounds = y0 < 0 ? default : new AlphaBounds(x0, y0, x1 + 1, y1 + 1);
        return y0 >= 0;
    }

    /// <summary>Copies the box's pixels of every plane of <paramref name="src"/> into <paramref name="dst"/> (same size).</summary>
    public static void CopyBox(RgbaImage src, RgbaImage dst, AlphaBounds box)
    {
        if (src.Width != dst.Width || src.Height != dst.Height) throw new ArgumentException("images differ in size", nameof(dst));
        int w = src.Width, bw = box.Width;
        if (bw <= 0 || box.Height <= 0) return;
        for (int y = box.Y0; y < box.Y1; y++)
        {
            int p = y * w + box.X0;
            src.R.AsSpan(p, bw).CopyTo(dst.R.AsSpan(p, bw)); src.G.AsSpan(p, bw).CopyTo(dst.G.AsSpan(p, bw));
            src.B.AsSpan(p, bw).CopyTo(dst.B.AsSpan(p, bw)); src.A.AsSpan(p, bw).CopyTo(dst.A.AsSpan(p, bw));
        }
    }

    /// <summary>
    /// A copy of <paramref name="src"/> with its planes from <see cref="FramePool"/>, the same bits as
    /// <see cref="RgbaImage.Clone"/>, writing only the box of its non-zero pixels (<paramref name="written"/>; an empty box
    /// when the image is all zero).
    /// </summary>
    public static RgbaImage SparseClone(RgbaImage src, out AlphaBounds written) => SparseClone(src, null, out written);

    /// <summary><see cref="SparseClone(RgbaImage, out AlphaBounds)"/> of an image zero outside <paramref name="within"/> (null:
    /// anywhere), searched there alone.</summary>
    public static RgbaImage SparseClone(RgbaImage src, FrameCodec.Box? within, out AlphaBounds written)
    {
        var o = FramePool.Rent(src.Width, src.Height);
        if (within is { } box ? NonZero(src, box, out written) : NonZero(src, out written)) CopyBox(src, o, written);
        return o;
    }

    /// <summary>The smallest box holding both (an empty box counts as none).</summary>
    public AlphaBounds Union(AlphaBounds other) =>
        Width <= 0 || Height <= 0 ? other : other.Width <= 0 || other.Height <= 0 ? this
        : new(Math.Min(X0, other.X0), Math.Min(Y0, other.Y0), Math.Max(X1, other.X1), Math.Max(Y1, other.Y1));

    /// <summary>Grown by m pixels on every side and clipped to w×h.</summary>
    public AlphaBounds Grow(int m, int w, int h) =>
        new(Math.Max(0, X0 - m), Math.Max(0, Y0 - m), Math.Min(w, X1 + m), Math.Min(h, Y1 + m));
}
