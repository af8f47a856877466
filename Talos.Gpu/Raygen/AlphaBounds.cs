using Talos.Gpu.Imaging;

namespace Talos.Gpu.Raygen;

/// <summary>The rectangle [X0,X1)×[Y0,Y1) holding every pixel of a layer with alpha above zero.</summary>
readonly record struct AlphaBounds(int X0, int Y0, int X1, int Y1)
{
    public int Width => X1 - X0;
    public int Height => Y1 - Y0;

    public static bool Find(RgbaImage layer, out AlphaBounds bounds)
    {
        int w = layer.Width, h = layer.Height;
        var a = layer.A;
        int x0 = w, y0 = h, x1 = -1, y1 = -1;
        for (int y = 0; y < h; y++)
        {
            int row = y * w, first = -1;
            for (int x = 0; x < w; x++) if (a[row + x] > 0f) { first = x; break; }
            if (first < 0) continue;
            int last = first;
            for (int x = w - 1; x > first; x--) if (a[row + x] > 0f) { last = x; break; }
            if (y0 == h) y0 = y;
            y1 = y;
            x0 = Math.Min(x0, first); x1 = Math.Max(x1, last);
        }
        bounds = new AlphaBounds(x0, y0, x1 + 1, y1 + 1);
        return y1 >= 0;
    }

    /// <summary>Grown by m pixels on every side and clipped to w×h.</summary>
    public AlphaBounds Grow(int m, int w, int h) =>
        new(Math.Max(0, X0 - m), Math.Max(0, Y0 - m), Math.Min(w, X1 + m), Math.Min(h, Y1 + m));
}
