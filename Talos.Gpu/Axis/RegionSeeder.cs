using System.Buffers;
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Axis;

/// <summary>
/// Seeds every visible piece of every part: each 4-connected area of a part's own pixels with ink below 0.5 (the
/// area a fill from inside it would paint) gets one seed on a clean (ink &lt; 0.05) pixel near its middle.
/// Pieces too small to seed cleanly are closed with ink so no unpainted hole is left.
/// </summary>
internal static class RegionSeeder
{
    const float FillLimit = 0.5f, Clean = 0.05f;
    const int MinArea = 4;

    internal static List<RegionSeed> Seed(StrokeRasterizer raster, IReadOnlyList<string> regionOfPart)
    {
        int w = raster.Width, h = raster.Height;
        float[] ink = raster.Ink.Data;
        var owners = raster.Owners;
        var visited = ArrayPool<bool>.Shared.Rent(ink.Length);
        var queue = ArrayPool<int>.Shared.Rent(ink.Length); // a piece holds at most every pixel once
        try
        {
            Array.Clear(visited, 0, ink.Length);
            var seeds = new List<RegionSeed>();
            for (int part = 1; part <= raster.PartCount; part++)
            {
                var (x0, y0, x1, y1) = raster.PartRect(part);
                for (int y = y0; y < y1; y++)
                    for (int x = x0; x < x1; x++)
                    {
                        int start = y * w + x;
                        if (visited[start] || owners[start] != part || ink[start] >= FillLimit) continue;
                        var piece = queue.AsSpan(0, Collect(start, part, owners, ink, visited, queue, w, h));
                        if (Pick(piece, part, owners, ink, w, h) is int at)
                            seeds.Add(new RegionSeed(at % w + 0.5f, at / w + 0.5f, regionOfPart[part]));
                        else
                            foreach (int i in piece) ink[i] = 1f;
                    }
            }
            return seeds;
        }
        finally
        {
            ArrayPool<bool>.Shared.Return(visited);
            ArrayPool<int>.Shared.Return(queue);
        }
    }

    /// <summary>The piece around <paramref name="start"/> into <paramref name="queue"/>, breadth first (left, right, up, down); returns its size.</summary>
    static int Collect(int start, int part, int[] owners, float[] ink, bool[] visited, int[] queue, int w, int h)
    {
        int n = 0;
        queue[n++] = start;
        visited[start] = true;
        for (int q = 0; q < n; q++)
        {
            int i = queue[q], y = i / w, x = i - y * w;
            if (x > 0 && Open(i - 1)) queue[n++] = i - 1;
            if (x < w - 1 && Open(i + 1)) queue[n++] = i + 1;
            if (y > 0 && Open(i - w)) queue[n++] = i - w;
            if (y < h - 1 && Open(i + w)) queue[n++] = i + w;
        }
        return n;

        bool Open(int j)
        {
            if (visited[j] || owners[j] != part || ink[j] >= FillLimit) return false;
            return visited[j] = true;
        }
    }

    /// <summary>The clean pixel nearest the piece's centroid, preferring ones whose 4 neighbours are also in the piece.</summary>
    static int? Pick(ReadOnlySpan<int> piece, int part, int[] owners, float[] ink, int w, int h)
    {
        if (piece.Length < MinArea) return null;
        double sx = 0, sy = 0;
        foreach (int i in piece)
        {
            int y = i / w;
            sx += i - y * w; sy += y;
        }
        double cx = sx / piece.Length, cy = sy / piece.Length;
        int best = -1, fallback = -1;
        double bestD = double.MaxValue, fallbackD = double.MaxValue;
        foreach (int i in piece)
        {
            if (ink[i] >= Clean) continue;
            int y = i / w, x = i - y * w;
            double d = (x - cx) * (x - cx) + (y - cy) * (y - cy);
            bool interior = x > 0 && x < w - 1 && y > 0 && y < h - 1
                && In(i - 1) && In(i + 1) && In(i - w) && In(i + w);
            if (interior && d < bestD) { bestD = d; best = i; }
            if (d < fallbackD) { fallbackD = d; fallback = i; }
        }
        return best >= 0 ? best : fallback >= 0 ? fallback : null;

        bool In(int j) => owners[j] == part && ink[j] < FillLimit;
    }
}
