using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Axis;

/// <summary>
/// Seeds every visible piece of every part: each 4-connected area of a part's own pixels with ink below 0.5 (the
/// area a fill from inside it would paint) gets one seed on a clean (ink &lt; 0.05) pixel near its middle.
/// Pieces too small to seed cleanly are closed with ink so no unpainted hole is left.
/// </summary>
/// <remarks>
/// A piece's seed is defined by a breadth-first flood from its first pixel in raster order: the clean pixel nearest
/// its centroid, preferring ones whose 4 neighbours are also in it, the flood's first on a tie. Pieces are found as runs
/// of a row's open pixels joined to the runs they touch in the row above (union–find), which visits each pixel once in
/// order; the flood itself runs only for a piece whose nearest pixels tie, to break the tie as it would.
/// </remarks>
internal static class RegionSeeder
{
    const float FillLimit = 0.5f, Clean = 0.05f;
    const int MinArea = 4;

    /// <summary>A row's run of open pixels [X0, X1) and the piece it belongs to (the index of the piece's first run).</summary>
    record struct Run(int Y, int X0, int X1, int Piece);

    /// <summary>What a piece holds and its nearest clean pixels so far (interior and any), with whether each nearest ties.</summary>
    struct Piece
    {
        public int Count;
        public long SumX, SumY;
        public double Cx, Cy;
        public double BestD, FallbackD;
        public int Best, Fallback;
        public bool BestTie, FallbackTie;
    }

    internal static List<RegionSeed> Seed(StrokeRasterizer raster, IReadOnlyList<string> regionOfPart)
    {
        int w = raster.Width, h = raster.Height;
        float[] ink = raster.Ink.Data;
        var owners = raster.Owners;
        var seeds = new List<RegionSeed>();
        var runs = new List<Run>();
        var pieces = new List<Piece>();
        bool[]? visited = null;
        int[]? queue = null;
        try
        {
            for (int part = 1; part <= raster.PartCount; part++)
            {
                var (x0, y0, x1, y1) = raster.PartRect(part);
                runs.Clear();
                int above = 0, aboveEnd = 0; // the runs of the row above
                for (int y = y0; y < y1; y++)
                {
                    int rowStart = runs.Count, row = y * w;
                    for (int x = x0; x < x1; x++)
                    {
                        x = Scan(owners, ink, part, row + x, row + x1, open: true) - row;
                        if (x >= x1) break;
                        int end = Scan(owners, ink, part, row + x + 1, row + x1, open: false) - row;
                        int id = runs.Count;
                        runs.Add(new Run(y, x, end, id));
                        // join every run above that shares a column (4-connected)
                        for (int k = above; k < aboveEnd; k++)
                            if (runs[k].X0 < end && x < runs[k].X1) Join(k, id);
                        x = end;
                    }
                    (above, aboveEnd) = (rowStart, runs.Count);
                }
                if (runs.Count == 0) continue;

                // each piece is named by its first run, the raster-first pixel the scan of the original flood starts from
                pieces.Clear();
                var pieceOf = new int[runs.Count];
                var firstRun = new List<int>();
                for (int k = 0; k < runs.Count; k++)
                {
                    int root = Find(k);
                    if (root == k)
                    {
                        pieceOf[k] = pieces.Count;
                        pieces.Add(new Piece { BestD = double.MaxValue, FallbackD = double.MaxValue, Best = -1, Fallback = -1 });
                        firstRun.Add(k);
                    }
                    else pieceOf[k] = pieceOf[root];
                    var run = runs[k];
                    var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(pieces);
                    ref var piece = ref span[pieceOf[k]];
                    int n = run.X1 - run.X0;
                    piece.Count += n;
                    piece.SumX += (long)(run.X0 + run.X1 - 1) * n / 2;
                    piece.SumY += (long)run.Y * n;
                }
                var all = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(pieces);
                for (int p = 0; p < all.Length; p++)
                {
                    // (integer sums: exact in a double, as the flood's running double sums are)
                    all[p].Cx = (double)all[p].SumX / all[p].Count;
                    all[p].Cy = (double)all[p].SumY / all[p].Count;
                }
                for (int k = 0; k < runs.Count; k++)
                {
                    var run = runs[k];
                    ref var piece = ref all[pieceOf[k]];
                    if (piece.Count < MinArea) continue;
                    int y = run.Y;
                    double dy = (y - piece.Cy) * (y - piece.Cy);
                    for (int x = run.X0; x < run.X1; x++)
                    {
                        int i = y * w + x;
                        if (ink[i] >= Clean) continue;
                        double d = (x - piece.Cx) * (x - piece.Cx) + dy;
                        // whether the pixel is interior matters only where it could be (or tie) the nearest interior one
                        if (d <= piece.BestD && x > 0 && x < w - 1 && y > 0 && y < h - 1
                            && Open(i - 1) && Open(i + 1) && Open(i - w) && Open(i + w))
                        {
                            if (d < piece.BestD) (piece.BestD, piece.Best, piece.BestTie) = (d, i, false);
                            else if (d == piece.BestD) piece.BestTie = true;
                        }
                        if (d < piece.FallbackD) (piece.FallbackD, piece.Fallback, piece.FallbackTie) = (d, i, false);
                        else if (d == piece.FallbackD) piece.FallbackTie = true;
                    }
                }
                for (int p = 0; p < all.Length; p++)
                {
                    ref var piece = ref all[p];
                    int? at = piece.Count < MinArea ? null
                        : piece.Best >= 0 ? (piece.BestTie ? Flood(firstRun[p]) : piece.Best)
                        : piece.Fallback >= 0 ? (piece.FallbackTie ? Flood(firstRun[p]) : piece.Fallback)
                        : null;
                    if (at is int seed) seeds.Add(new RegionSeed(seed % w + 0.5f, seed / w + 0.5f, regionOfPart[part]));
                    else
                        for (int k = firstRun[p]; k < runs.Count; k++)
                            if (pieceOf[k] == p) ink.AsSpan(runs[k].Y * w + runs[k].X0, runs[k].X1 - runs[k].X0).Fill(1f);
                }

                // the breadth-first flood from the piece's first pixel and its pick, where nearest pixels tie
                int? Flood(int first)
                {
                    if (visited is null) { visited = ArrayPool<bool>.Shared.Rent(ink.Length); Array.Clear(visited, 0, ink.Length); }
                    queue ??= ArrayPool<int>.Shared.Rent(ink.Length);
                    var piece = queue.AsSpan(0, Collect(runs[first].Y * w + runs[first].X0, part, owners, ink, visited, queue, w, h));
                    var at = Pick(piece, part, owners, ink, w, h);
                    foreach (int i in piece) visited[i] = false;
                    return at;
                }

                // a pixel of this part that a fill from inside it paints (the same test in the scan and the pick)
                bool Open(int i) => owners[i] == part && ink[i] < FillLimit;
            }
            return seeds;
        }
        finally
        {
            if (queue is not null) ArrayPool<int>.Shared.Return(queue);
            if (visited is not null) ArrayPool<bool>.Shared.Return(visited);
        }

        int Find(int k)
        {
            while (runs[k].Piece != k)
            {
                int up = runs[k].Piece;
                runs[k] = runs[k] with { Piece = runs[up].Piece }; // halve the path
                k = up;
            }
            return k;
        }

        void Join(int a, int b)
        {
            int ra = Find(a), rb = Find(b);
            if (ra == rb) return;
            var (lo, hi) = ra < rb ? (ra, rb) : (rb, ra);
            runs[hi] = runs[hi] with { Piece = lo };
        }
    }

    /// <summary>
    /// The first index in [<paramref name="i"/>, <paramref name="end"/>) whose pixel is open for <paramref name="part"/>
    /// (its owner and ink below <see cref="FillLimit"/>; <paramref name="open"/>) or not (otherwise), or
    /// <paramref name="end"/>: the scan's per-pixel test eight pixels at a time.
    /// </summary>
    static int Scan(int[] owners, float[] ink, int part, int i, int end, bool open)
    {
        if (Vector256.IsHardwareAccelerated)
        {
            var vpart = Vector256.Create(part);
            var limit = Vector256.Create(FillLimit);
            ref int o = ref MemoryMarshal.GetArrayDataReference(owners);
            ref float k = ref MemoryMarshal.GetArrayDataReference(ink);
            for (; i + 8 <= end; i += 8)
            {
                var isOpen = Vector256.Equals(Vector256.LoadUnsafe(ref o, (nuint)i), vpart)
                    & Vector256.LessThan(Vector256.LoadUnsafe(ref k, (nuint)i), limit).AsInt32();
                uint bits = (open ? isOpen : ~isOpen).ExtractMostSignificantBits();
                if (bits != 0) return i + BitOperations.TrailingZeroCount(bits);
            }
        }
        for (; i < end; i++)
            if ((owners[i] == part && ink[i] < FillLimit) == open) return i;
        return end;
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
