using Talos.Gpu.Flux;
using Talos.Gpu.Kernels;
using Xunit;

namespace Talos.Tests.Flux;

/// <summary>
/// <see cref="OpticalFlow.Sweep"/> updates the interior of each row in <c>Vector&lt;float&gt;</c> runs; the maths is
/// <see cref="FlowCells.Sor"/>'s (which the ILGPU kernel also calls). A reference red–black sweep written here from
/// <see cref="FlowCells.Sor"/> alone, pixel by pixel, must give the same bits: on the Parallel.For path and on worker
/// teams of 1–3 threads, for widths around the vector length and odd heights, with negative zeros among the flows.
/// <see cref="OpticalFlow.Linearise"/> gathers runs of 8 pixels with AVX2: its terms and trace must be the bits of a
/// reference written from <see cref="FlowCells.Tap"/> and <see cref="FlowCells.AddPlane"/> alone — with NaN flows among
/// them, which the gathers must not follow outside the planes.
/// </summary>
public sealed class FlowSorVectorTests
{
    static (float[] U, float[] V, FlowSystem Sys) Inputs(int w, int h, int seed)
    {
        var rng = new Random(seed);
        float F(double scale) => (float)((rng.NextDouble() * 2 - 1) * scale);
        var sys = new FlowSystem(w, h);
        var (u, v) = (new float[w * h], new float[w * h]);
        for (int i = 0; i < w * h; i++)
        {
            sys.J11[i] = (float)rng.NextDouble() * 3; sys.J22[i] = (float)rng.NextDouble() * 3; sys.J12[i] = F(1);
            sys.B1[i] = F(2); sys.B2[i] = F(2);
            u[i] = i % 7 == 3 ? -0f : F(4); v[i] = i % 5 == 1 ? -0f : F(4);
        }
        return (u, v, sys);
    }

    static void Reference(float[] u, float[] v, FlowSystem sys, float alpha2)
    {
        int w = sys.W, h = sys.H;
        HostField hu = new(u), hv = new(v), j11 = new(sys.J11), j12 = new(sys.J12), j22 = new(sys.J22), b1 = new(sys.B1), b2 = new(sys.B2);
        for (int colour = 0; colour < 2; colour++)
            for (int y = 0; y < h; y++)
                for (int x = FlowCells.FirstOfColour(y, colour); x < w; x += 2)
                {
                    var r = FlowCells.Sor(hu, hv, j11, j12, j22, b1, b2, x, y, w, h, alpha2);
                    u[y * w + x] = r.U; v[y * w + x] = r.V;
                }
    }

    [Theory]
    [InlineData(8, 8, 2)]
    [InlineData(37, 11, 4)]
    [InlineData(64, 40, 4)]
    [InlineData(1, 9, 2)]
    public void Vector_linearisation_gives_the_scalar_terms_bits(int w, int h, int planes)
    {
        var rng = new Random(w * 31 + h);
        float[][] Planes() => Enumerable.Range(0, planes).Select(_ => Enumerable.Range(0, w * h).Select(_ => (float)rng.NextDouble()).ToArray()).ToArray();
        var (a, b) = (FlowLevel.Of(w, h, Planes()), FlowLevel.Of(w, h, Planes()));
        // flows that land between samples, on the border, and outside the frame (those pixels get no data term)
        var u = Enumerable.Range(0, w * h).Select(i => i % 19 == 5 ? float.NaN : i % 11 == 0 ? -0f : i % 13 == 0 ? -(i % w) - 0.5f : (float)(rng.NextDouble() * 6 - 3)).ToArray();
        var v = Enumerable.Range(0, w * h).Select(i => i % 17 == 0 ? h - i / w - 1f : (float)(rng.NextDouble() * 6 - 3)).ToArray();
        var sys = new FlowSystem(w, h);
        double trace = OpticalFlow.Linearise(a, b, u, v, sys);

        var want = new FlowSystem(w, h);
        double wantTrace = 0;
        int outside = 0;
        for (int y = 0; y < h; y++)
        {
            double row = 0;
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                float px = x + u[i], py = y + v[i];
                var t = new FlowTerms();
                if (FlowCells.Inside(px, py, w, h))
                {
                    var at = FlowCells.Tap(w, h, px, py);
                    for (int c = 0; c < planes; c++)
                        t = FlowCells.AddPlane(new HostField(a.P[c]), new HostField(a.Gx[c]), new HostField(a.Gy[c]),
                            new HostField(b.P[c]), new HostField(b.Gx[c]), new HostField(b.Gy[c]), 0, i, at, u[i], v[i], t);
                }
                else outside++;
                want.J11[i] = t.S11; want.J12[i] = t.S12; want.J22[i] = t.S22; want.B1[i] = t.R1; want.B2[i] = t.R2;
                row += t.S11 + t.S22;
            }
            wantTrace += row;
        }
        Assert.True(outside > 0 && outside < w * h, $"{outside} pixels warped outside");
        foreach (var (got, exp, name) in new[] { (sys.J11, want.J11, "J11"), (sys.J12, want.J12, "J12"), (sys.J22, want.J22, "J22"), (sys.B1, want.B1, "B1"), (sys.B2, want.B2, "B2") })
            for (int i = 0; i < w * h; i++)
                Assert.True(BitConverter.SingleToInt32Bits(got[i]) == BitConverter.SingleToInt32Bits(exp[i]), $"{name}[{i}] {got[i]:R} vs {exp[i]:R}");
        Assert.Equal(BitConverter.DoubleToInt64Bits(wantTrace), BitConverter.DoubleToInt64Bits(trace));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 5)]
    [InlineData(9, 7)]
    [InlineData(10, 33)]
    [InlineData(17, 18)]
    [InlineData(18, 17)]
    [InlineData(67, 41)]
    [InlineData(160, 90)]
    public void Vector_sweeps_give_the_scalar_sweeps_bits(int w, int h)
    {
        const float alpha2 = 0.37f;
        var (u0, v0, sys) = Inputs(w, h, w * 1000 + h);
        var (ru, rv) = ((float[])u0.Clone(), (float[])v0.Clone());
        for (int s = 0; s < 3; s++) Reference(ru, rv, sys, alpha2);
        Assert.True(w * h < 4 || !ru.AsSpan().SequenceEqual(u0), "the sweeps changed the flow");
        for (int threads = 0; threads <= 3; threads++)
        {
            var (cu, cv) = ((float[])u0.Clone(), (float[])v0.Clone());
            using (var team = threads == 0 ? null : new WorkerTeam(threads))
                for (int s = 0; s < 3; s++) OpticalFlow.Sweep(cu, cv, sys, alpha2, team);
            for (int i = 0; i < w * h; i++)
            {
                Assert.True(BitConverter.SingleToInt32Bits(cu[i]) == BitConverter.SingleToInt32Bits(ru[i]), $"u[{i}] {cu[i]:R} vs {ru[i]:R} ({threads} threads)");
                Assert.True(BitConverter.SingleToInt32Bits(cv[i]) == BitConverter.SingleToInt32Bits(rv[i]), $"v[{i}] {cv[i]:R} vs {rv[i]:R} ({threads} threads)");
            }
        }
    }

    /// <summary>
    /// <see cref="OpticalFlow.Sweeps"/> (on one thread: several sweeps in one wavefront pass over the rows) gives the bits
    /// of that many reference sweeps one after another, for counts of 1 to 12 and heights below and above 2·count.
    /// </summary>
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 5)]
    [InlineData(10, 33)]
    [InlineData(18, 17)]
    [InlineData(67, 41)]
    [InlineData(160, 90)]
    public void Sweeps_in_one_pass_give_the_bits_of_sweeps_one_after_another(int w, int h)
    {
        const float alpha2 = 0.29f;
        foreach (int count in new[] { 1, 2, 3, 8, 12 })
        {
            var (u0, v0, sys) = Inputs(w, h, w * 977 + h + count);
            var (ru, rv) = ((float[])u0.Clone(), (float[])v0.Clone());
            for (int s = 0; s < count; s++) Reference(ru, rv, sys, alpha2);
            for (int threads = 0; threads <= 2; threads++)
            {
                var (cu, cv) = ((float[])u0.Clone(), (float[])v0.Clone());
                using (var team = threads == 0 ? null : new WorkerTeam(threads))
                    OpticalFlow.Sweeps(cu, cv, sys, alpha2, count, team);
                for (int i = 0; i < w * h; i++)
                {
                    Assert.True(BitConverter.SingleToInt32Bits(cu[i]) == BitConverter.SingleToInt32Bits(ru[i]), $"u[{i}] {cu[i]:R} vs {ru[i]:R} ({count} sweeps, {threads} threads)");
                    Assert.True(BitConverter.SingleToInt32Bits(cv[i]) == BitConverter.SingleToInt32Bits(rv[i]), $"v[{i}] {cv[i]:R} vs {rv[i]:R} ({count} sweeps, {threads} threads)");
                }
            }
        }
    }
}
