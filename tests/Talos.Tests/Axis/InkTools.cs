using Talos.Gpu.Axis;
using Talos.Gpu.Imaging;

namespace Talos.Tests.Axis;

/// <summary>Measurements on line art used by the AXIS and FLUX tests.</summary>
internal static class InkTools
{
    public const float FillLimit = 0.5f;

    public static LineDrawing Draw(string rig = "lanky", string pose = "idle", string emotion = "calm", double x = 0.5, int facing = 1,
        double zoom = 1, int w = 320, int h = 180) =>
        LineArt.Draw(Rigs.Get(rig), PoseLibrary.Resolve(pose, emotion, 0), x, facing, new CameraState(zoom, 0), w, h);

    /// <summary>4-connected flood over pixels with ink below 0.5; returns the pixel indices and whether it reached the frame border.</summary>
    public static (HashSet<int> Pixels, bool TouchesBorder) Flood(GrayImage ink, float sx, float sy)
    {
        int w = ink.Width, h = ink.Height;
        var seen = new HashSet<int>();
        var stack = new Stack<int>();
        stack.Push((int)sy * w + (int)sx);
        bool border = false;
        while (stack.Count > 0)
        {
            int i = stack.Pop();
            if (ink.Data[i] >= FillLimit || !seen.Add(i)) continue;
            int x = i % w, y = i / w;
            if (x == 0 || y == 0 || x == w - 1 || y == h - 1) { border = true; continue; }
            stack.Push(i - 1); stack.Push(i + 1); stack.Push(i - w); stack.Push(i + w);
        }
        return (seen, border);
    }

    /// <summary>The box around every pixel where any drawing differs from the first by more than a quarter of ink; X1 = -1 when none does.</summary>
    public static (int X0, int Y0, int X1, int Y1) DiffBox(IReadOnlyList<GrayImage> drawings)
    {
        int w = drawings[0].Width, h = drawings[0].Height;
        int x0 = w, y0 = h, x1 = -1, y1 = -1;
        for (int i = 0; i < w * h; i++)
            if (drawings.Any(d => MathF.Abs(d.Data[i] - drawings[0].Data[i]) > 0.25f))
            {
                int x = i % w, y = i / w;
                x0 = Math.Min(x0, x); x1 = Math.Max(x1, x); y0 = Math.Min(y0, y); y1 = Math.Max(y1, y);
            }
        return (x0, y0, x1, y1);
    }

    /// <summary>Bounding rows/columns of pixels with ink above 0.5.</summary>
    public static (int Left, int Top, int Right, int Bottom) InkBounds(GrayImage ink)
    {
        int l = int.MaxValue, t = int.MaxValue, r = -1, b = -1;
        for (int y = 0; y < ink.Height; y++)
            for (int x = 0; x < ink.Width; x++)
                if (ink[x, y] > FillLimit) { l = Math.Min(l, x); r = Math.Max(r, x); t = Math.Min(t, y); b = Math.Max(b, y); }
        return (l, t, r, b);
    }

    public static double MeanAbsDifference(GrayImage a, GrayImage b) => a.Data.Zip(b.Data, (p, q) => Math.Abs(p - q)).Average();
}
