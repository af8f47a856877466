using Talos.Gpu.Imaging;

namespace Talos.Tests.Chroma;

/// <summary>Anti-aliased line art drawn from distance functions, for fill and lighting tests.</summary>
static class LineArt
{
    /// <summary>Ink of the given thickness along the curve where <paramref name="distance"/> is zero (max with what is there).</summary>
    public static void Stroke(GrayImage g, float thickness, Func<float, float, float> distance)
    {
        for (int y = 0; y < g.Height; y++)
            for (int x = 0; x < g.Width; x++)
            {
                float d = MathF.Abs(distance(x + 0.5f, y + 0.5f));
                float c = Math.Clamp(thickness * 0.5f - d + 0.5f, 0f, 1f);
                if (c > g[x, y]) g[x, y] = c;
            }
    }

    public static void Circle(GrayImage g, float cx, float cy, float r, float thickness) =>
        Stroke(g, thickness, (x, y) => MathF.Sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy)) - r);

    public static void Ellipse(GrayImage g, float cx, float cy, float rx, float ry, float thickness) =>
        Stroke(g, thickness, (x, y) =>
        {
            float k = MathF.Sqrt((x - cx) * (x - cx) / (rx * rx) + (y - cy) * (y - cy) / (ry * ry));
            return (k - 1f) * MathF.Min(rx, ry);
        });

    public static void Rectangle(GrayImage g, float x0, float y0, float x1, float y1, float thickness) =>
        Stroke(g, thickness, (x, y) =>
        {
            float dx = MathF.Max(x0 - x, x - x1), dy = MathF.Max(y0 - y, y - y1);
            return dx <= 0f && dy <= 0f ? MathF.Max(dx, dy) : MathF.Sqrt(MathF.Max(dx, 0f) * MathF.Max(dx, 0f) + MathF.Max(dy, 0f) * MathF.Max(dy, 0f));
        });

    /// <summary>Erases ink in a box (to open a gap in an outline).</summary>
    public static void Erase(GrayImage g, int x0, int y0, int x1, int y1)
    {
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++) g[x, y] = 0f;
    }

    /// <summary>A simple cartoon figure standing with its feet on <paramref name="groundY"/>: head, body, two legs.</summary>
    public static (GrayImage Lines, List<RegionSeed> Seeds) Figure(int w, int h, float cx, float groundY, float height)
    {
        var g = new GrayImage(w, h);
        float t = MathF.Max(2f, height * 0.012f);
        float legH = height * 0.28f, bodyH = height * 0.45f, headR = height * 0.14f;
        float bodyTop = groundY - legH - bodyH;
        Rectangle(g, cx - height * 0.11f, groundY - legH - 4, cx - height * 0.03f, groundY - t * 0.5f, t);
        Rectangle(g, cx + height * 0.03f, groundY - legH - 4, cx + height * 0.11f, groundY - t * 0.5f, t);
        // Body drawn after the legs: clear the legs' tops inside the body so the body stays one region.
        var body = new GrayImage(w, h);
        Ellipse(body, cx, bodyTop + bodyH * 0.5f, height * 0.2f, bodyH * 0.5f, t);
        for (int i = 0; i < g.Data.Length; i++)
        {
            float x = i % w + 0.5f, y = i / w + 0.5f;
            float k = (x - cx) * (x - cx) / (height * 0.2f * height * 0.2f) + (y - bodyTop - bodyH * 0.5f) * (y - bodyTop - bodyH * 0.5f) / (bodyH * bodyH * 0.25f);
            if (k < 1f) g.Data[i] = 0f;
            g.Data[i] = MathF.Max(g.Data[i], body.Data[i]);
        }
        Circle(g, cx, bodyTop - headR + 0.3f * t, headR, t);
        var seeds = new List<RegionSeed>
        {
            new(cx, bodyTop - headR, "skin"),
            new(cx, bodyTop + bodyH * 0.5f, "shirt"),
            new(cx - height * 0.07f, groundY - legH * 0.4f, "trousers"),
            new(cx + height * 0.07f, groundY - legH * 0.4f, "trousers"),
        };
        return (g, seeds);
    }
}
