using Talos.Gpu.Imaging;

namespace Talos.Gpu.Echo;

/// <summary>
/// A frame's linear luma reduced to 1/4 size by 4×4 box averages (what motion estimation works on), and the exact
/// mean luma of the full frame. Built from interleaved 8-bit sRGB.
/// </summary>
public sealed class LumaPlane
{
    public const int Factor = 4;
    static readonly float[] Linear = BuildLut();

    public int Width { get; }
    public int Height { get; }
    public float[] Data { get; }
    public float Mean { get; }

    LumaPlane(int w, int h, float[] data, float mean) { Width = w; Height = h; Data = data; Mean = mean; }

    public static LumaPlane FromRgb24(byte[] rgb, int width, int height)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"frame size {width}x{height} must be positive");
        if (rgb.Length != (long)width * height * 3) throw new ArgumentException($"rgb24 buffer of {rgb.Length} bytes does not match {width}x{height}");
        int qw = Math.Max(1, width / Factor), qh = Math.Max(1, height / Factor);
        var data = new float[qw * qh];
        var rowSums = new double[height];
        // quarter rows are independent: each owns its 4 source rows and its output row; sums are combined in order below
        Parallel.For(0, qh, qy =>
        {
            int y0 = qy * Factor, y1 = qy == qh - 1 ? height : y0 + Factor;
            Span<float> acc = qw <= 1024 ? stackalloc float[qw] : new float[qw];
            acc.Clear();
            for (int y = y0; y < y1; y++)
            {
                int o = y * width * 3;
                double rowSum = 0;
                for (int x = 0; x < width; x++, o += 3)
                {
                    float l = 0.2126f * Linear[rgb[o]] + 0.7152f * Linear[rgb[o + 1]] + 0.0722f * Linear[rgb[o + 2]];
                    rowSum += l;
                    if (y < y0 + Factor) acc[Math.Min(x / Factor, qw - 1)] += l;
                }
                rowSums[y] = rowSum;
            }
            int ry = Math.Min(Factor, height), rx = Math.Min(Factor, width);
            for (int qx = 0; qx < qw; qx++)
            {
                int cols = qx == qw - 1 ? width - qx * Factor : rx;
                data[qy * qw + qx] = acc[qx] / (cols * ry);
            }
        });
        double total = 0;
        for (int y = 0; y < height; y++) total += rowSums[y];
        return new LumaPlane(qw, qh, data, (float)(total / ((double)width * height)));
    }

    static float[] BuildLut()
    {
        var lut = new float[256];
        for (int i = 0; i < 256; i++) lut[i] = ColorMath.SrgbToLinear(i / 255f);
        return lut;
    }
}
