using ILGPU;
using ILGPU.Algorithms;
using Talos.Gpu.Kernels;

namespace Talos.Gpu.Flux;

/// <summary>The linearised data term of one pixel: the 2×2 system J and right-hand side b it adds to the SOR.</summary>
public struct FlowTerms
{
    public float S11, S12, S22, R1, R2;
}

/// <summary>A bilinear sample's four pixel indices (rows y0, y1; columns x0, x1) and weights (<see cref="FlowCells.Tap"/>).</summary>
public struct BilinearTap
{
    public int I00, I01, I10, I11;
    public float Fx, Fy;
}

/// <summary>A pixel's flow (u, v).</summary>
public struct FlowUV
{
    public float U, V;
}

/// <summary>
/// FLUX's per-pixel optical-flow maths, once: the CPU rows in <see cref="OpticalFlow"/> and the ILGPU kernels in
/// <see cref="IlgpuFlow"/> both call these. Generic over <see cref="IField"/> (a host array or a device view); a plane
/// is read at offset <c>o</c> so the device path can pack several planes in one buffer. No System.Math/MathF, no
/// allocation (ILGPU compiles it).
/// </summary>
public static class FlowCells
{
    /// <summary>The Charbonnier data term's ε.</summary>
    public const float Epsilon = 0.02f;
    /// <summary>The SOR over-relaxation factor.</summary>
    public const float Omega = 1.8f;

    /// <summary>Bilinear sample of the w×h plane at offset o, at (x, y), with clamped borders.</summary>
    public static float Bilinear<TF>(TF img, int o, int w, int h, float x, float y) where TF : struct, IField => Sample(img, o, Tap(w, h, x, y));

    /// <summary>
    /// Where a bilinear sample of a w×h plane at (x, y) reads, with clamped borders: the four pixels' indices and the
    /// weights. Planes of the same size sampled at the same point share one tap (<see cref="Sample"/>).
    /// </summary>
    public static BilinearTap Tap(int w, int h, float x, float y)
    {
        x = IntrinsicMath.Min(IntrinsicMath.Max(x, 0f), w - 1); y = IntrinsicMath.Min(IntrinsicMath.Max(y, 0f), h - 1);
        int x0 = IntrinsicMath.Min((int)x, w - 2 < 0 ? 0 : w - 2), y0 = IntrinsicMath.Min((int)y, h - 2 < 0 ? 0 : h - 2);
        int x1 = IntrinsicMath.Min(x0 + 1, w - 1), y1 = IntrinsicMath.Min(y0 + 1, h - 1);
        return new BilinearTap { I00 = y0 * w + x0, I01 = y0 * w + x1, I10 = y1 * w + x0, I11 = y1 * w + x1, Fx = x - x0, Fy = y - y0 };
    }

    /// <summary>The bilinear sample of the plane at offset o through <paramref name="s"/> (<see cref="Tap"/>).</summary>
    public static float Sample<TF>(TF img, int o, BilinearTap s) where TF : struct, IField
    {
        float top = img[o + s.I00] + (img[o + s.I01] - img[o + s.I00]) * s.Fx;
        float bot = img[o + s.I10] + (img[o + s.I11] - img[o + s.I10]) * s.Fx;
        return top + (bot - top) * s.Fy;
    }

    /// <summary>Central difference along x (clamped at the borders) of the plane at offset o, at pixel (x, y).</summary>
    public static float GradX<TF>(TF p, int o, int w, int x, int y) where TF : struct, IField =>
        0.5f * (p[o + y * w + IntrinsicMath.Min(w - 1, x + 1)] - p[o + y * w + IntrinsicMath.Max(0, x - 1)]);

    /// <summary>Central difference along y (clamped at the borders) of the plane at offset o, at pixel (x, y).</summary>
    public static float GradY<TF>(TF p, int o, int w, int h, int x, int y) where TF : struct, IField =>
        0.5f * (p[o + IntrinsicMath.Min(h - 1, y + 1) * w + x] - p[o + IntrinsicMath.Max(0, y - 1) * w + x]);

    /// <summary>Whether the point warped to (px, py) lies inside the w×h image (only those pixels get a data term).</summary>
    public static bool Inside(float px, float py, int w, int h) => px >= 0 && py >= 0 && px <= w - 1 && py <= h - 1;

    /// <summary>
    /// One feature plane's contribution at pixel i, warped to the point whose bilinear tap is <paramref name="at"/>
    /// (<see cref="Tap"/> of the pixel moved by (u, v), one for every plane): the second image b and its gradients
    /// sampled backward along the flow, averaged with the first image's gradients, a robust (Charbonnier) weight on the
    /// brightness difference, and the linearised terms added to <paramref name="t"/>.
    /// </summary>
    public static FlowTerms AddPlane<TF>(TF a, TF aGx, TF aGy, TF b, TF bGx, TF bGy, int o, int i,
        BilinearTap at, float u, float v, FlowTerms t) where TF : struct, IField
    {
        float bw = Sample(b, o, at);
        float gx = 0.5f * (aGx[o + i] + Sample(bGx, o, at));
        float gy = 0.5f * (aGy[o + i] + Sample(bGy, o, at));
        float it = bw - a[o + i];
        float wt = 1f / XMath.Sqrt(it * it + Epsilon * Epsilon);
        float r0 = it - gx * u - gy * v;
        t.S11 += wt * gx * gx; t.S12 += wt * gx * gy; t.S22 += wt * gy * gy;
        t.R1 += wt * gx * r0; t.R2 += wt * gy * r0;
        return t;
    }

    /// <summary>
    /// The red–black SOR update of pixel (x, y) (i = y·w + x): solve its 2×2 system (data term plus alpha2 times the
    /// 4-neighbour smoothness, neighbours all of the other colour) and over-relax towards it.
    /// </summary>
    public static FlowUV Sor<TF>(TF u, TF v, TF j11, TF j12, TF j22, TF b1, TF b2, int x, int y, int w, int h, float alpha2)
        where TF : struct, IField
    {
        int i = y * w + x;
        float su = 0, sv = 0; int nb = 0;
        if (x > 0) { su += u[i - 1]; sv += v[i - 1]; nb++; }
        if (x < w - 1) { su += u[i + 1]; sv += v[i + 1]; nb++; }
        if (y > 0) { su += u[i - w]; sv += v[i - w]; nb++; }
        if (y < h - 1) { su += u[i + w]; sv += v[i + w]; nb++; }
        float a11 = j11[i] + alpha2 * nb, a22 = j22[i] + alpha2 * nb, a12 = j12[i];
        float q1 = alpha2 * su - b1[i], q2 = alpha2 * sv - b2[i];
        float det = a11 * a22 - a12 * a12;
        float nu = (a22 * q1 - a12 * q2) / det, nv = (a11 * q2 - a12 * q1) / det;
        float ui = u[i], vi = v[i];
        return new FlowUV { U = ui + Omega * (nu - ui), V = vi + Omega * (nv - vi) };
    }

    /// <summary>The first x of colour <paramref name="colour"/> on row y (red–black: (x + y + colour) even).</summary>
    public static int FirstOfColour(int y, int colour) => (y + colour) & 1;
}
