using ILGPU;
using ILGPU.Runtime;

namespace Talos.Gpu.Kernels;

/// <summary>
/// The ILGPU path of <see cref="FluidOps"/>: one GPU thread per element, each calling the same
/// <see cref="FluidCells"/> function the CPU path calls. Runs on CUDA in production and on ILGPU's CPU accelerator
/// (a GPU simulator) in parity tests. Each host array gets a device buffer; data moves only on first use, after
/// <see cref="HostWrote"/>, and on <see cref="ToHost"/>.
/// </summary>
public sealed class IlgpuFluidOps : FluidOps
{
    enum Fresh { Both, Host, Device }
    sealed class Mirror(MemoryBuffer1D<float, Stride1D.Dense> buffer) { public readonly MemoryBuffer1D<float, Stride1D.Dense> Buffer = buffer; public Fresh State; }

    readonly Accelerator _acc;
    readonly Dictionary<float[], Mirror> _mirrors = new(ReferenceEqualityComparer.Instance);
    readonly MemoryBuffer1D<double, Stride1D.Dense> _rowSum;
    readonly double[] _hostSum;
    readonly float[] _unit; // stands in for an absent fluid mask

    readonly Action<Index1D, DeviceField, ArrayView<float>, int, int, int, int> _boundary;
    readonly Action<Index2D, DeviceField, DeviceField, DeviceField, ArrayView<float>, int, float, int, int> _advect;
    readonly Action<Index2D, DeviceField, DeviceField, DeviceField, DeviceField, DeviceField, ArrayView<float>, int, float, int, int> _macCormack;
    readonly Action<Index2D, DeviceField, DeviceField, ArrayView<float>, float, float, float, int, int> _relax;
    readonly Action<Index2D, DeviceField, DeviceField, DeviceField, ArrayView<float>, int, int> _negDiv;
    readonly Action<Index2D, DeviceField, DeviceField, DeviceField, DeviceField, ArrayView<float>, ArrayView<float>, int, int> _gradient;
    readonly Action<Index2D, DeviceField, DeviceField, ArrayView<float>, float, int> _buoyancy;
    readonly Action<Index2D, DeviceField, DeviceField, ArrayView<float>, int> _curl;
    readonly Action<Index2D, DeviceField, ArrayView<float>, ArrayView<float>, float, int> _confine;
    readonly Action<Index2D, DeviceField, DeviceField, DeviceField, DeviceField, ArrayView<float>, ArrayView<float>, float, int> _faceForce;
    readonly Action<Index2D, DeviceField, DeviceField, DeviceField, DeviceField, ArrayView<float>, ArrayView<float>, float, int> _turbulence;
    readonly Action<Index1D, DeviceField, DeviceField, DeviceField, DeviceField, ArrayView<float>> _presence;
    readonly Action<Index2D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float, float, float, int> _burn;
    readonly Action<Index1D, ArrayView<float>, float> _scale;
    readonly Action<Index1D, DeviceField, ArrayView<double>, int, int> _sumRows;
    readonly Action<Index2D, DeviceField, ArrayView<float>, float, float, int, float, int, int> _light;

    public IlgpuFluidOps(Accelerator accelerator, int nx, int ny) : base(nx, ny)
    {
        _acc = accelerator;
        _rowSum = _acc.Allocate1D<double>(ny + 2);
        _hostSum = new double[ny + 2];
        _unit = new float[(nx + 2) * (ny + 2)];
        _boundary = KernelLoader.Load<Action<Index1D, DeviceField, ArrayView<float>, int, int, int, int>>(_acc, BoundaryKernel);
        _advect = KernelLoader.Load<Action<Index2D, DeviceField, DeviceField, DeviceField, ArrayView<float>, int, float, int, int>>(_acc, AdvectKernel);
        _macCormack = KernelLoader.Load<Action<Index2D, DeviceField, DeviceField, DeviceField, DeviceField, DeviceField, ArrayView<float>, int, float, int, int>>(_acc, MacCormackKernel);
        _relax = KernelLoader.Load<Action<Index2D, DeviceField, DeviceField, ArrayView<float>, float, float, float, int, int>>(_acc, RelaxKernel);
        _negDiv = KernelLoader.Load<Action<Index2D, DeviceField, DeviceField, DeviceField, ArrayView<float>, int, int>>(_acc, NegDivKernel);
        _gradient = KernelLoader.Load<Action<Index2D, DeviceField, DeviceField, DeviceField, DeviceField, ArrayView<float>, ArrayView<float>, int, int>>(_acc, GradientKernel);
        _buoyancy = KernelLoader.Load<Action<Index2D, DeviceField, DeviceField, ArrayView<float>, float, int>>(_acc, BuoyancyKernel);
        _curl = KernelLoader.Load<Action<Index2D, DeviceField, DeviceField, ArrayView<float>, int>>(_acc, CurlKernel);
        _confine = KernelLoader.Load<Action<Index2D, DeviceField, ArrayView<float>, ArrayView<float>, float, int>>(_acc, ConfineKernel);
        _faceForce = KernelLoader.Load<Action<Index2D, DeviceField, DeviceField, DeviceField, DeviceField, ArrayView<float>, ArrayView<float>, float, int>>(_acc, FaceForceKernel);
        _turbulence = KernelLoader.Load<Action<Index2D, DeviceField, DeviceField, DeviceField, DeviceField, ArrayView<float>, ArrayView<float>, float, int>>(_acc, TurbulenceKernel);
        _presence = KernelLoader.Load<Action<Index1D, DeviceField, DeviceField, DeviceField, DeviceField, ArrayView<float>>>(_acc, PresenceKernel);
        _burn = KernelLoader.Load<Action<Index2D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float, float, float, int>>(_acc, BurnKernel);
        _scale = KernelLoader.Load<Action<Index1D, ArrayView<float>, float>>(_acc, ScaleKernel);
        _sumRows = KernelLoader.Load<Action<Index1D, DeviceField, ArrayView<double>, int, int>>(_acc, SumRowsKernel);
        _light = KernelLoader.Load<Action<Index2D, DeviceField, ArrayView<float>, float, float, int, float, int, int>>(_acc, LightKernel);
    }

    public override string Describe => $"ilgpu {_acc.AcceleratorType} ({_acc.Name})";

    Index2D Interior => new(Nx, Ny);

    // ---- host/device mirrors ----
    ArrayView<float> View(float[] a, bool write)
    {
        if (!_mirrors.TryGetValue(a, out var m))
        {
            m = new Mirror(_acc.Allocate1D<float>(a.Length)) { State = Fresh.Host };
            _mirrors[a] = m;
        }
        if (m.State == Fresh.Host) { m.Buffer.CopyFromCPU(a); m.State = Fresh.Both; }
        if (write) m.State = Fresh.Device;
        return m.Buffer.View;
    }

    DeviceField F(float[] a) => new(View(a, false));
    ArrayView<float> W(float[] a) => View(a, true);

    public override void ToHost(params ReadOnlySpan<float[]> fields)
    {
        foreach (var a in fields)
            if (_mirrors.TryGetValue(a, out var m) && m.State == Fresh.Device)
            {
                _acc.Synchronize();
                m.Buffer.CopyToCPU(a);
                m.State = Fresh.Both;
            }
    }

    public override void HostWrote(params ReadOnlySpan<float[]> fields)
    {
        foreach (var a in fields)
            if (_mirrors.TryGetValue(a, out var m)) m.State = Fresh.Host;
    }

    // ---- operations ----
    public override void Boundary(int kind, float[] x)
    {
        for (int pass = 0; pass < 2; pass++)
        {
            var view = W(x);
            _boundary(FluidCells.BoundaryCount(kind, pass, Nx, Ny), new DeviceField(view), view, kind, pass, Nx, Ny);
        }
    }

    public override void Advect(int kind, float[] dst, float[] src, float[] u, float[] v, float dt) =>
        _advect(Interior, F(src), F(u), F(v), W(dst), kind, dt, Nx, Ny);

    public override void MacCormack(int kind, float[] dst, float[] phi, float[] hat, float[] tilde, float[] u, float[] v, float dt) =>
        _macCormack(Interior, F(phi), F(hat), F(tilde), F(u), F(v), W(dst), kind, dt, Nx, Ny);

    public override void Relax(float[] x, float[] rhs, float a, float invC, float omega, int colour)
    {
        var view = W(x);
        _relax(new Index2D((Nx + 1) / 2, Ny), new DeviceField(view), F(rhs), view, a, invC, omega, colour, Nx);
    }

    public override void NegDivergence(float[] u, float[] v, float[] rhs, float[]? fluid) =>
        _negDiv(Interior, F(u), F(v), F(fluid ?? _unit), W(rhs), fluid is null ? 0 : 1, Nx);

    public override void SubtractGradient(float[] u, float[] v, float[] p, float[]? fluid)
    {
        var uv = W(u); var vv = W(v);
        _gradient(Interior, new DeviceField(uv), new DeviceField(vv), F(p), F(fluid ?? _unit), uv, vv, fluid is null ? 0 : 1, Nx);
    }

    public override void Buoyancy(float[] v, float[] q, float dtLift)
    {
        var vv = W(v);
        _buoyancy(Interior, new DeviceField(vv), F(q), vv, dtLift, Nx);
    }

    public override void Curl(float[] u, float[] v, float[] curl) => _curl(Interior, F(u), F(v), W(curl), Nx);

    public override void Confinement(float[] curl, float[] fx, float[] fy, float epsilon) =>
        _confine(Interior, F(curl), W(fx), W(fy), epsilon, Nx);

    public override void FaceForce(float[] u, float[] v, float[] fx, float[] fy, float dt)
    {
        var uv = W(u); var vv = W(v);
        _faceForce(Interior, new DeviceField(uv), new DeviceField(vv), F(fx), F(fy), uv, vv, dt, Nx);
    }

    public override void Turbulence(float[] u, float[] v, float[] psi, float[] presence, float dtAmount)
    {
        var uv = W(u); var vv = W(v);
        _turbulence(Interior, new DeviceField(uv), new DeviceField(vv), F(psi), F(presence), uv, vv, dtAmount, Nx);
    }

    public override void Presence(float[] dst, float[] smoke, float[] heat, float[] magic, float[] mist) =>
        _presence(dst.Length, F(smoke), F(heat), F(magic), F(mist), W(dst));

    public override void Burn(float[] fuel, float[] heat, float[] smoke, float ignition, float fraction, float heatPerFuel, float smokePerFuel) =>
        _burn(Interior, W(fuel), W(heat), W(smoke), ignition, fraction, heatPerFuel, smokePerFuel, Nx);

    public override void Scale(float[] x, float f) => _scale(x.Length, W(x), f);

    public override void Copy(float[] src, float[] dst) => View(src, false).CopyTo(W(dst));

    public override double Sum(float[] x) => RowSums(x, 0);
    public override double SumSquares(float[] x) => RowSums(x, 1);

    double RowSums(float[] x, int squares)
    {
        _sumRows(Ny, F(x), _rowSum.View, Nx, squares);
        _acc.Synchronize();
        _rowSum.CopyToCPU(_hostSum);
        double total = 0;
        for (int j = 1; j <= Ny; j++) total += _hostSum[j];
        return total;
    }

    public override void Light(float[] smoke, float[] light, float dx, float dy, int steps, float kappa) =>
        _light(Interior, F(smoke), W(light), dx, dy, steps, kappa, Nx, Ny);

    public override void Dispose()
    {
        foreach (var m in _mirrors.Values) m.Buffer.Dispose();
        _mirrors.Clear();
        _rowSum.Dispose();
    }

    // ---- kernels: one thread per element, each a call of the shared FluidCells function ----
    static void BoundaryKernel(Index1D t, DeviceField x, ArrayView<float> xw, int kind, int pass, int nx, int ny)
    {
        float val = FluidCells.Boundary(x, kind, pass, t, nx, ny, out int k);
        xw[k] = val;
    }

    static void AdvectKernel(Index2D e, DeviceField q, DeviceField u, DeviceField v, ArrayView<float> dst, int kind, float dt, int nx, int ny)
    {
        int i = e.X + 1, j = e.Y + 1;
        dst[i + (nx + 2) * j] = FluidCells.Advect(q, u, v, kind, i, j, dt, nx, ny);
    }

    static void MacCormackKernel(Index2D e, DeviceField phi, DeviceField hat, DeviceField tilde, DeviceField u, DeviceField v, ArrayView<float> dst, int kind, float dt, int nx, int ny)
    {
        int i = e.X + 1, j = e.Y + 1;
        dst[i + (nx + 2) * j] = FluidCells.MacCormack(phi, hat, tilde, u, v, kind, i, j, dt, nx, ny);
    }

    static void RelaxKernel(Index2D e, DeviceField x, DeviceField rhs, ArrayView<float> xw, float a, float invC, float omega, int colour, int nx)
    {
        int j = e.Y + 1, i = 1 + ((1 + j + colour) & 1) + 2 * e.X;
        if (i > nx) return;
        int s = nx + 2, k = i + s * j;
        xw[k] = FluidCells.Relax(x, rhs, k, s, a, invC, omega);
    }

    static void NegDivKernel(Index2D e, DeviceField u, DeviceField v, DeviceField fluid, ArrayView<float> rhs, int masked, int nx)
    {
        int s = nx + 2, k = e.X + 1 + s * (e.Y + 1);
        float d = FluidCells.NegDivergence(u, v, k, s);
        rhs[k] = masked != 0 ? d * fluid[k] : d;
    }

    static void GradientKernel(Index2D e, DeviceField u, DeviceField v, DeviceField p, DeviceField fluid, ArrayView<float> uw, ArrayView<float> vw, int masked, int nx)
    {
        int s = nx + 2, k = e.X + 1 + s * (e.Y + 1);
        float nu = FluidCells.GradientU(u, p, fluid, k, masked != 0);
        float nv = FluidCells.GradientV(v, p, fluid, k, s, masked != 0);
        uw[k] = nu; vw[k] = nv;
    }

    static void BuoyancyKernel(Index2D e, DeviceField v, DeviceField q, ArrayView<float> vw, float dtLift, int nx)
    {
        int s = nx + 2, k = e.X + 1 + s * (e.Y + 1);
        vw[k] = FluidCells.Buoyancy(v, q, k, s, dtLift);
    }

    static void CurlKernel(Index2D e, DeviceField u, DeviceField v, ArrayView<float> curl, int nx)
    {
        int s = nx + 2, k = e.X + 1 + s * (e.Y + 1);
        curl[k] = FluidCells.Curl(u, v, k, s);
    }

    static void ConfineKernel(Index2D e, DeviceField curl, ArrayView<float> fx, ArrayView<float> fy, float epsilon, int nx)
    {
        int s = nx + 2, k = e.X + 1 + s * (e.Y + 1);
        fx[k] = FluidCells.Confinement(curl, k, s, epsilon, 0);
        fy[k] = FluidCells.Confinement(curl, k, s, epsilon, 1);
    }

    static void FaceForceKernel(Index2D e, DeviceField u, DeviceField v, DeviceField fx, DeviceField fy, ArrayView<float> uw, ArrayView<float> vw, float dt, int nx)
    {
        int s = nx + 2, k = e.X + 1 + s * (e.Y + 1);
        float nu = FluidCells.FaceForce(u, fx, FluidCells.U, k, s, dt);
        float nv = FluidCells.FaceForce(v, fy, FluidCells.V, k, s, dt);
        uw[k] = nu; vw[k] = nv;
    }

    static void TurbulenceKernel(Index2D e, DeviceField u, DeviceField v, DeviceField psi, DeviceField presence, ArrayView<float> uw, ArrayView<float> vw, float dtAmount, int nx)
    {
        int s = nx + 2, k = e.X + 1 + s * (e.Y + 1);
        float nu = FluidCells.Turbulence(u, psi, presence, FluidCells.U, k, s, dtAmount);
        float nv = FluidCells.Turbulence(v, psi, presence, FluidCells.V, k, s, dtAmount);
        uw[k] = nu; vw[k] = nv;
    }

    static void PresenceKernel(Index1D k, DeviceField smoke, DeviceField heat, DeviceField magic, DeviceField mist, ArrayView<float> dst) =>
        dst[k] = FluidCells.Presence(smoke, heat, magic, mist, k);

    static void BurnKernel(Index2D e, ArrayView<float> fuel, ArrayView<float> heat, ArrayView<float> smoke, float ignition, float fraction, float heatPerFuel, float smokePerFuel, int nx)
    {
        int s = nx + 2, k = e.X + 1 + s * (e.Y + 1);
        float b = FluidCells.Burn(new DeviceField(fuel), new DeviceField(heat), k, ignition, fraction);
        fuel[k] -= b; heat[k] += heatPerFuel * b; smoke[k] += smokePerFuel * b;
    }

    static void ScaleKernel(Index1D k, ArrayView<float> x, float f) => x[k] *= f;

    static void SumRowsKernel(Index1D row, DeviceField x, ArrayView<double> sums, int nx, int squares)
    {
        int s = nx + 2, j = row + 1;
        double sum = 0;
        for (int i = 1; i <= nx; i++) { double e = x[i + s * j]; sum += squares != 0 ? e * e : e; }
        sums[j] = sum;
    }

    static void LightKernel(Index2D e, DeviceField smoke, ArrayView<float> light, float dx, float dy, int steps, float kappa, int nx, int ny)
    {
        int i = e.X + 1, j = e.Y + 1;
        light[i + (nx + 2) * j] = FluidCells.Light(smoke, i, j, dx, dy, steps, kappa, nx, ny);
    }
}
