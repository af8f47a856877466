using Talos.Gpu.Axis;
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Flux;

/// <summary>Two keys, the true middle frame and the true flow A→B, with A's figure pixels marked.</summary>
public sealed record PaperPair(RgbaImage A, RgbaImage Middle, RgbaImage B, FlowField Truth, bool[] FigureA);

/// <summary>
/// Synthetic drawn figures moving over faintly textured paper, with exact ground truth, for FLUX's benchmark and
/// tests. The figure is one layer (straight colour and coverage) moved rigidly — translated by (dx, dy) and turned by
/// an angle about its centre — and composited over a static paper: a warm off-white with a slight gradient and a
/// seeded texture of a few grey levels (pixel grain, soft blotches, horizontal fibres). The true flow A→B is the rigid
/// motion on A's figure pixels (coverage ≥ ½) and zero on the paper, including paper that B's figure covers (the
/// paper does not move; it is hidden). Frames are quantised to 8-bit sRGB, as a PNG would carry them.
/// </summary>
public static class PaperPairs
{
    /// <summary>The ink colour (linear) the rig drawings are stroked in.</summary>
    public static readonly Rgb Ink = new(0.02f, 0.02f, 0.03f);

    /// <summary>A rig drawing as a layer: regions flood-filled from their seeds with <paramref name="palette"/> (none: lines only), lines on top.</summary>
    public static RgbaImage FigureLayer(LineDrawing d, IReadOnlyDictionary<string, Rgb>? palette)
    {
        int w = d.Lines.Width, h = d.Lines.Height;
        var img = new RgbaImage(w, h);
        var fill = new Rgb?[w * h];
        var seen = new bool[w * h];
        foreach (var s in d.Seeds)
        {
            if (palette is null || !palette.TryGetValue(s.Region, out var col)) continue;
            var stack = new Stack<int>();
            stack.Push(Math.Clamp((int)s.Y, 0, h - 1) * w + Math.Clamp((int)s.X, 0, w - 1));
            while (stack.Count > 0)
            {
                int i = stack.Pop();
                if (seen[i] || d.Lines.Data[i] >= 0.5f) continue;
                seen[i] = true; fill[i] = col;
                int x = i % w, y = i / w;
                if (x > 0) stack.Push(i - 1);
                if (x < w - 1) stack.Push(i + 1);
                if (y > 0) stack.Push(i - w);
                if (y < h - 1) stack.Push(i + w);
            }
        }
        for (int i = 0; i < w * h; i++)
        {
            float line = d.Lines.Data[i];
            if (fill[i] is { } f)
            {
                img.R[i] = f.R * (1 - line) + Ink.R * line; img.G[i] = f.G * (1 - line) + Ink.G * line; img.B[i] = f.B * (1 - line) + Ink.B * line; img.A[i] = 1;
            }
            else { img.R[i] = Ink.R; img.G[i] = Ink.G; img.B[i] = Ink.B; img.A[i] = line; }
        }
        return img;
    }

    /// <summary>The layer over a background: colour·coverage + background·(1 − coverage), opaque.</summary>
    public static RgbaImage Over(RgbaImage layer, Func<int, int, Rgb> background)
    {
        int w = layer.Width, h = layer.Height;
        var img = new RgbaImage(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                var bg = background(x, y);
                float a = layer.A[i];
                img.R[i] = layer.R[i] * a + bg.R * (1 - a); img.G[i] = layer.G[i] * a + bg.G * (1 - a); img.B[i] = layer.B[i] * a + bg.B * (1 - a); img.A[i] = 1;
            }
        return img;
    }

    /// <summary>Seeded paper (linear RGB): off-white, a slight gradient, and ±<paramref name="grain"/> grey levels of texture.</summary>
    public static Rgb[] Paper(int w, int h, int seed, float grain = 4f)
    {
        var rng = new Random(seed);
        float[] Grid(int cw, int ch, out int gw)
        {
            gw = w / cw + 2;
            var g = new float[gw * (h / ch + 2)];
            for (int i = 0; i < g.Length; i++) g[i] = (float)(rng.NextDouble() * 2 - 1);
            return g;
        }
        var blotch = Grid(16, 16, out int bw);
        var fibre = Grid(28, 3, out int fw);
        var paper = new Rgb[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                float levels = 0.35f * grain * (float)(rng.NextDouble() * 2 - 1)
                               + 0.4f * grain * Smooth(blotch, bw, x / 16f, y / 16f)
                               + 0.35f * grain * Smooth(fibre, fw, x / 28f, y / 3f);
                float shade = levels / 255f + 0.025f * (x / (float)w - 0.5f) - 0.02f * (y / (float)h - 0.5f);
                paper[y * w + x] = new Rgb(Lin(0.93f + shade), Lin(0.91f + shade), Lin(0.86f + shade));
            }
        return paper;

        static float Smooth(float[] g, int gw, float gx, float gy)
        {
            int x0 = (int)gx, y0 = (int)gy;
            float fx = gx - x0, fy = gy - y0;
            fx = fx * fx * (3 - 2 * fx); fy = fy * fy * (3 - 2 * fy);
            float top = g[y0 * gw + x0] + (g[y0 * gw + x0 + 1] - g[y0 * gw + x0]) * fx;
            float bot = g[(y0 + 1) * gw + x0] + (g[(y0 + 1) * gw + x0 + 1] - g[(y0 + 1) * gw + x0]) * fx;
            return top + (bot - top) * fy;
        }
    }

    static float Lin(float srgb) => ColorMath.SrgbToLinear(Math.Clamp(srgb, 0f, 1f));

    /// <summary>
    /// The pair: <paramref name="figure"/> (a layer of the frame's size) composited over <paramref name="paper"/> as is
    /// (A), moved half-way (the true middle: half the translation and half the turn) and all the way (B).
    /// </summary>
    public static PaperPair Make(RgbaImage figure, Rgb[] paper, float dx, float dy, float degrees)
    {
        int w = figure.Width, h = figure.Height;
        double cx = 0, cy = 0, mass = 0;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) { float a = figure.A[y * w + x]; cx += a * x; cy += a * y; mass += a; }
        (cx, cy) = mass > 0 ? (cx / mass, cy / mass) : (w / 2.0, h / 2.0);
        var centre = ((float)cx, (float)cy);

        var truth = new FlowField(w, h);
        var figureA = new bool[w * h];
        float rad = degrees * MathF.PI / 180f, cos = MathF.Cos(rad), sin = MathF.Sin(rad);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                if (figure.A[i] < 0.5f) continue;
                figureA[i] = true;
                float rx = x - centre.Item1, ry = y - centre.Item2;
                truth.U[i] = centre.Item1 + dx + cos * rx - sin * ry - x;
                truth.V[i] = centre.Item2 + dy + sin * rx + cos * ry - y;
            }
        return new PaperPair(Frame(figure, paper, centre, 0, 0, 0), Frame(figure, paper, centre, dx / 2, dy / 2, rad / 2),
            Frame(figure, paper, centre, dx, dy, rad), truth, figureA);
    }

    /// <summary>The figure moved by (dx, dy) and turned by rad about the centre (sampled back, bilinear, premultiplied), over the paper, 8-bit.</summary>
    static RgbaImage Frame(RgbaImage figure, Rgb[] paper, (float X, float Y) c, float dx, float dy, float rad)
    {
        int w = figure.Width, h = figure.Height;
        var pr = new float[w * h]; var pg = new float[w * h]; var pb = new float[w * h];
        for (int i = 0; i < pr.Length; i++) { pr[i] = figure.R[i] * figure.A[i]; pg[i] = figure.G[i] * figure.A[i]; pb[i] = figure.B[i] * figure.A[i]; }
        float cos = MathF.Cos(-rad), sin = MathF.Sin(-rad);
        var img = new RgbaImage(w, h);
        Parallel.For(0, h, y =>
        {
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                float qx = x - c.X - dx, qy = y - c.Y - dy;
                float sx = c.X + cos * qx - sin * qy, sy = c.Y + sin * qx + cos * qy;
                bool inside = sx >= 0 && sy >= 0 && sx <= w - 1 && sy <= h - 1;
                float a = inside ? OpticalFlow.Bilinear(figure.A, w, h, sx, sy) : 0;
                float r = inside ? OpticalFlow.Bilinear(pr, w, h, sx, sy) : 0, g = inside ? OpticalFlow.Bilinear(pg, w, h, sx, sy) : 0,
                    b = inside ? OpticalFlow.Bilinear(pb, w, h, sx, sy) : 0;
                var p = paper[i];
                img.R[i] = Quantise(r + p.R * (1 - a)); img.G[i] = Quantise(g + p.G * (1 - a)); img.B[i] = Quantise(b + p.B * (1 - a)); img.A[i] = 1;
            }
        });
        return img;
    }

    static float Quantise(float linear) => ColorMath.SrgbToLinear(MathF.Round(255f * ColorMath.LinearToSrgb(Math.Clamp(linear, 0f, 1f))) / 255f);
}
