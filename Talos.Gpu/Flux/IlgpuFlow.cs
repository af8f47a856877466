using ILGPU;
using ILGPU.Runtime;
using Talos.Gpu.Kernels;

namespace Talos.Gpu.Flux;

/// <summary>Sizes of a level on the device: w×h pixels, n = w·h, and the number of feature planes.</summary>
public struct FlowShape
{
    public int W, H, N, Channels;
}

/// <summary>
/// FLUX's flow solver on an ILGPU accelerator (CUDA on GPU nodes; ILGPU's CPU simulator in parity tests): per warp a
/// thread per pixel linearises the data term (<see cref="FlowCells.AddPlane"/>), a thread per row sums its trace (in
/// row order on the host after, as on the CPU), and each red–black SOR half-sweep is one launch with a thread per
/// pixel of that colour (<see cref="FlowCells.Sor"/>). The flow (u, v) stays on the device for a whole level.
/// Pyramid building, gradients and the coarse-to-fine upsampling stay on the host (once per level).
/// Device layout: a level's planes, x-gradients and y-gradients packed one after another ([P | Gx | Gy], each
/// Channels·N); the system packed [J11 | J12 | J22 | B1 | B2].
/// </summary>
public sealed class IlgpuFlow : IDisposable
{
    sealed class Loaded(Accelerator acc)
    {
        public readonly Action<Index2D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, FlowShape> Linearise =
            KernelLoader.Load<Action<Index2D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, FlowShape>>(acc, LineariseKernel);
        public readonly Action<Index1D, ArrayView<float>, ArrayView<double>, FlowShape> Trace =
            KernelLoader.Load<Action<Index1D, ArrayView<float>, ArrayView<double>, FlowShape>>(acc, TraceKernel);
        public readonly Action<Index2D, ArrayView<float>, ArrayView<float>, ArrayView<float>, FlowShape, float, int> Sor =
            KernelLoader.Load<Action<Index2D, ArrayView<float>, ArrayView<float>, ArrayView<float>, FlowShape, float, int>>(acc, SorKernel);
    }

    static readonly Talos.Gpu.Kernels.KernelCache<Loaded> Cache = new(a => new Loaded(a));

    readonly Accelerator _acc;
    readonly Loaded _k;
    readonly FlowShape _shape;
    readonly MemoryBuffer1D<float, Stride1D.Dense> _a, _b, _u, _v, _sys;
    readonly MemoryBuffer1D<double, Stride1D.Dense> _rows;
    readonly double[] _hostRows;

    /// <summary>Uploads one level of both images (planes and gradients) and makes room for the flow and the system.</summary>
    public IlgpuFlow(Accelerator accelerator, FlowLevel a, FlowLevel b)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        _acc = accelerator;
        _k = Cache.For(accelerator);
        int n = a.W * a.H;
        _shape = new FlowShape { W = a.W, H = a.H, N = n, Channels = a.P.Length };
        _a = accelerator.Allocate1D(Pack(a));
        _b = accelerator.Allocate1D(Pack(b));
        _u = accelerator.Allocate1D<float>(n);
        _v = accelerator.Allocate1D<float>(n);
        _sys = accelerator.Allocate1D<float>(5L * n);
        _rows = accelerator.Allocate1D<double>(a.H);
        _hostRows = new double[a.H];
    }

    static float[] Pack(FlowLevel l)
    {
        int n = l.W * l.H, c = l.P.Length;
        var packed = new float[3 * c * n];
        for (int p = 0; p < c; p++)
        {
            l.P[p].CopyTo(packed, p * n);
            l.Gx[p].CopyTo(packed, (c + p) * n);
            l.Gy[p].CopyTo(packed, (2 * c + p) * n);
        }
        return packed;
    }

    public void Upload(float[] u, float[] v) { _u.CopyFromCPU(u); _v.CopyFromCPU(v); }

    public void Download(float[] u, float[] v)
    {
        _acc.Synchronize();
        _u.CopyToCPU(u); _v.CopyToCPU(v);
    }

    /// <summary>The device's current system, into <paramref name="sys"/> (tests).</summary>
    public void Download(FlowSystem sys)
    {
        _acc.Synchronize();
        int n = _shape.N;
        var all = new float[5 * n];
        _sys.CopyToCPU(all);
        Array.Copy(all, 0, sys.J11, 0, n); Array.Copy(all, n, sys.J12, 0, n); Array.Copy(all, 2 * n, sys.J22, 0, n);
        Array.Copy(all, 3 * n, sys.B1, 0, n); Array.Copy(all, 4 * n, sys.B2, 0, n);
    }

    /// <summary>One warp's linearisation at the device's flow; returns the summed trace (rows added in order on the host).</summary>
    public double Linearise()
    {
        _k.Linearise(new Index2D(_shape.W, _shape.H), _a.View, _b.View, _u.View, _v.View, _sys.View, _shape);
        _k.Trace(_shape.H, _sys.View, _rows.View, _shape);
        _acc.Synchronize();
        _rows.CopyToCPU(_hostRows);
        double total = 0;
        for (int y = 0; y < _shape.H; y++) total += _hostRows[y];
        return total;
    }

    /// <summary>One red–black SOR sweep: a launch for the red pixels, then one for the black.</summary>
    public void Sweep(float alpha2)
    {
        var extent = new Index2D((_shape.W + 1) / 2, _shape.H);
        for (int colour = 0; colour < 2; colour++) _k.Sor(extent, _u.View, _v.View, _sys.View, _shape, alpha2, colour);
    }

    /// <summary>A level's warps and sweeps on the device, as <c>OpticalFlow</c> does them on the CPU; (u, v) in and out.</summary>
    public static void Refine(Accelerator accelerator, FlowLevel a, FlowLevel b, float[] u, float[] v, (int Warps, int Iterations) schedule, FlowOptions o)
    {
        using var flow = new IlgpuFlow(accelerator, a, b);
        flow.Upload(u, v);
        for (int warp = 0; warp < schedule.Warps; warp++)
        {
            float alpha2 = OpticalFlow.Alpha2(flow.Linearise(), a.W * a.H, o);
            for (int it = 0; it < schedule.Iterations; it++) flow.Sweep(alpha2);
        }
        flow.Download(u, v);
    }

    public void Dispose()
    {
        _a.Dispose(); _b.Dispose(); _u.Dispose(); _v.Dispose(); _sys.Dispose(); _rows.Dispose();
    }

    // ---- kernels: each a call of the shared FlowCells function ----
    static void LineariseKernel(Index2D e, ArrayView<float> a, ArrayView<float> b, ArrayView<float> u, ArrayView<float> v, ArrayView<float> sys, FlowShape s)
    {
        int x = e.X, y = e.Y, i = y * s.W + x, cn = s.Channels * s.N;
        float ui = u[i], vi = v[i];
        float px = x + ui, py = y + vi;
        var t = new FlowTerms();
        if (FlowCells.Inside(px, py, s.W, s.H))
        {
            var ap = new DeviceField(a.SubView(0, cn)); var agx = new DeviceField(a.SubView(cn, cn)); var agy = new DeviceField(a.SubView(2 * cn, cn));
            var bp = new DeviceField(b.SubView(0, cn)); var bgx = new DeviceField(b.SubView(cn, cn)); var bgy = new DeviceField(b.SubView(2 * cn, cn));
            var at = FlowCells.Tap(s.W, s.H, px, py);
            for (int c = 0; c < s.Channels; c++)
                t = FlowCells.AddPlane(ap, agx, agy, bp, bgx, bgy, c * s.N, i, at, ui, vi, t);
        }
        sys[i] = t.S11; sys[s.N + i] = t.S12; sys[2 * s.N + i] = t.S22; sys[3 * s.N + i] = t.R1; sys[4 * s.N + i] = t.R2;
    }

    static void TraceKernel(Index1D y, ArrayView<float> sys, ArrayView<double> rows, FlowShape s)
    {
        double trace = 0;
        for (int x = 0; x < s.W; x++)
        {
            int i = y * s.W + x;
            trace += sys[i] + sys[2 * s.N + i];
        }
        rows[y] = trace;
    }

    static void SorKernel(Index2D e, ArrayView<float> u, ArrayView<float> v, ArrayView<float> sys, FlowShape s, float alpha2, int colour)
    {
        int y = e.Y, x = FlowCells.FirstOfColour(y, colour) + 2 * e.X;
        if (x >= s.W) return;
        int n = s.N;
        var r = FlowCells.Sor(new DeviceField(u), new DeviceField(v), new DeviceField(sys.SubView(0, n)), new DeviceField(sys.SubView(n, n)),
            new DeviceField(sys.SubView(2 * n, n)), new DeviceField(sys.SubView(3 * n, n)), new DeviceField(sys.SubView(4 * n, n)), x, y, s.W, s.H, alpha2);
        int i = y * s.W + x;
        u[i] = r.U; v[i] = r.V;
    }
}
