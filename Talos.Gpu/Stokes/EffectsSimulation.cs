using Talos.Gpu.Imaging;
using Talos.Gpu.Kernels;
using Talos.Messages.Specs;
using static Talos.Gpu.Kernels.FluidCells;

namespace Talos.Gpu.Stokes;

/// <summary>Everything about an effects simulation besides its effects and frame rate.</summary>
public sealed record StokesSettings
{
    /// <summary>Cells on the short side of the grid (the long side follows the aspect ratio).</summary>
    public int GridShortSide { get; init; } = EffectsSimulation.DefaultShortSide;
    public double Aspect { get; init; } = 16.0 / 9.0;
    public SolverOptions Solver { get; init; } = new();
    /// <summary>Solid obstacles (e.g. character mattes) as an nx × ny mask of the grid, ≥ 0.5 = solid; or null.</summary>
    public float[]? Obstacles { get; init; }
    /// <summary>Direction the key light shines from (towards the light), in frame coordinates (y down).</summary>
    public (float X, float Y) KeyLight { get; init; } = (-0.45f, -0.9f);
    public bool Particles { get; init; } = true;
    public uint Seed { get; init; } = EffectsSimulation.DefaultSeed;
}

/// <summary>What one frame's simulation did (for `talos stokes --stats`).</summary>
public readonly record struct StepStats(int Frame, double RmsDivergence, double MaxDivergence, double TotalDensity, int PressureIterations, double SecondsPerStep, int Particles);

/// <summary>
/// The shot's effects as one stable-fluids simulation (Stam 1999/2003 with buoyancy and vorticity confinement from
/// Fedkiw, Stam &amp; Jensen 2001, MacCormack advection, pressure to a tolerance, fuel combustion, obstacles and
/// particles), its kernels on the process's compute device. Time only runs forward: <see cref="AdvanceTo"/> steps
/// whole frames of <see cref="SubstepsPerFrame"/> fixed substeps. The state after frame f is a pure function of
/// (effects, fps, settings), and <see cref="SaveState"/>/<see cref="LoadState"/> round-trip it bit-exactly.
/// </summary>
public sealed class EffectsSimulation : IDisposable
{
    public const int SubstepsPerFrame = 2;
    /// <summary>Cells on the short side of the frame by default (160 × 90 at 16:9).</summary>
    public const int DefaultShortSide = 90;
    public const uint DefaultSeed = 0x5705E5u;
    const int DiffusionIterations = 4;

    // Behaviour of the kinds, per second, for a 90-cell short side; lengths scale with the grid (see _scale).
    // Lifts: cells/s² per unit of stuff. Fades: 1/s. Spreads: cells²/s.
    const float HeatLift = 12f, SmokeLift = 14f, MagicLift = 2f, MistWeight = 2.5f;
    const float Cooling = 2.2f, SmokeFade = 0.22f, MagicFade = 0.55f, MistFade = 0.18f, FuelFade = 1.5f;
    const float SmokeSpread = 0.4f, MistSpread = 2.5f;
    const float Ignition = 0.25f, BurnRate = 7f, HeatPerFuel = 0.9f, SmokePerFuel = 0.12f;
    const float Confinement = 2.5f, Turbulence = 14f, TurbulenceScale = 7f, TurbulencePeriod = 1.2f;
    /// <summary>Grid short side / 90: the constants above are tuned for 90 cells.</summary>
    readonly float _scale;

    readonly FluidGrid _grid;
    readonly FluidSolver _solver;
    readonly Emitter[] _emitters;
    readonly StokesSettings _settings;
    readonly Particles _particles = new();
    readonly EffectRenderer _renderer = new();
    readonly float[] _light;
    double _stepSeconds;

    public int Fps { get; }
    /// <summary>The frame whose state the simulation holds; -1 before the first <see cref="AdvanceTo"/>.</summary>
    public int Frame { get; private set; } = -1;
    /// <summary>The fields, for diagnostics and tests; call <see cref="SyncToHost"/> first on a GPU device.</summary>
    public FluidGrid Grid => _grid;
    public FluidSolver Solver => _solver;
    public Particles ParticleSystem => _particles;
    public StokesSettings Settings => _settings;

    public EffectsSimulation(IReadOnlyList<EffectSpec> effects, int fps, double aspect)
        : this(effects, fps, aspect, DefaultShortSide) { }

    /// <summary>As the main constructor with an explicit grid resolution (cells on the short side), e.g. small grids in tests.</summary>
    public EffectsSimulation(IReadOnlyList<EffectSpec> effects, int fps, double aspect, int gridShortSide)
        : this(effects, fps, new StokesSettings { Aspect = aspect, GridShortSide = gridShortSide }) { }

    public EffectsSimulation(IReadOnlyList<EffectSpec> effects, int fps, StokesSettings settings)
        : this(effects, fps, GridFor(settings.Aspect, settings.GridShortSide), -1, settings) { }

    EffectsSimulation(IReadOnlyList<EffectSpec> effects, int fps, FluidGrid grid, int frame, StokesSettings settings)
    {
        ArgumentNullException.ThrowIfNull(effects);
        ArgumentNullException.ThrowIfNull(settings);
        if (fps is < 1 or > 1000) throw new ArgumentOutOfRangeException(nameof(fps), $"fps {fps} must be 1..1000");
        Fps = fps;
        _grid = grid;
        _settings = settings;
        _emitters = effects.Select(Emitter.From).ToArray();
        _scale = Math.Min(grid.Nx, grid.Ny) / (float)DefaultShortSide;
        _solver = new FluidSolver(grid, settings.Solver);
        if (settings.Obstacles is { } mask) _solver.SetObstacles(mask);
        _light = new float[grid.Count];
        Frame = frame;
    }

    /// <summary>The grid size a short side and aspect give (long side rounded), as the simulation will use it.</summary>
    public static (int nx, int ny) GridSize(double aspect, int shortSide)
    {
        if (!double.IsFinite(aspect) || aspect <= 0) throw new ArgumentOutOfRangeException(nameof(aspect), $"aspect {aspect} must be a positive number");
        if (shortSide is < 8 or > 1024) throw new ArgumentOutOfRangeException(nameof(shortSide), $"grid short side {shortSide} must be 8..1024");
        aspect = Math.Clamp(aspect, 0.2, 5.0);
        return aspect >= 1
            ? ((int)Math.Min(1024, Math.Round(shortSide * aspect)), shortSide)
            : (shortSide, (int)Math.Min(1024, Math.Round(shortSide / aspect)));
    }

    static FluidGrid GridFor(double aspect, int shortSide)
    {
        var (nx, ny) = GridSize(aspect, shortSide);
        return new FluidGrid(nx, ny);
    }

    /// <summary>Steps forward until the state is that of <paramref name="frame"/>; frames only increase.</summary>
    public void AdvanceTo(int frame)
    {
        if (frame < Frame) throw new InvalidOperationException($"the simulation is at frame {Frame} and cannot go back to frame {frame}");
        while (Frame < frame)
        {
            Frame++;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (int s = 0; s < SubstepsPerFrame; s++) Step(Frame, s);
            _stepSeconds = clock.Elapsed.TotalSeconds / SubstepsPerFrame;
        }
    }

    /// <summary>Statistics of the current frame (divergence measured on the host, independently of the solver).</summary>
    public StepStats Stats()
    {
        SyncToHost();
        var (rms, max) = FluidSolver.RelativeDivergence(_grid, _solver.Fluid);
        double total = StableFluids.Total(_grid.Smoke, _grid.Nx, _grid.Ny) + StableFluids.Total(_grid.Heat, _grid.Nx, _grid.Ny)
                     + StableFluids.Total(_grid.Magic, _grid.Nx, _grid.Ny) + StableFluids.Total(_grid.Mist, _grid.Nx, _grid.Ny);
        return new StepStats(Frame, rms, max, total, _solver.LastProjection.Iterations, _stepSeconds, _particles.Count);
    }

    /// <summary>Makes the host copies of every field current (a no-op on the CPU path).</summary>
    public void SyncToHost() => _solver.Ops.ToHost(_grid.StateFields);

    /// <summary>The VFX layer at the current frame: premultiplied linear RGBA (HDR: emissive values above 1), transparent where there is nothing.</summary>
    public RgbaImage Render(int width, int height) => Render(width, height, out _);

    /// <summary>
    /// <see cref="Render(int, int)"/>, also giving a box outside which every pixel of the layer is zero (for
    /// <see cref="FrameCodec.EncodeRgba(RgbaImage, FrameCodec.Box)"/>). The image comes from <see cref="FramePool"/> on
    /// the CPU path; the caller may return it once encoded.
    /// </summary>
    public RgbaImage Render(int width, int height, out FrameCodec.Box written)
    {
        var g = _grid;
        var (lx, ly) = _settings.KeyLight;
        float len = MathF.Sqrt(lx * lx + ly * ly);
        if (len < 1e-6f) { lx = 0f; ly = -1f; len = 1f; }
        int steps = (int)(0.8f * Math.Max(g.Nx, g.Ny));
        _solver.Ops.Light(g.Smoke, _light, lx / len, ly / len, steps, 0.35f);
        _solver.Ops.ToHost(_light);
        SyncToHost();
        var img = _renderer.Render(g, _light, Math.Max(Frame, 0), width, height, _settings.Seed, out written);
        if (_settings.Particles) written = Union(written, _particles.Render(img, g));
        return img;
    }

    static FrameCodec.Box Union(FrameCodec.Box a, FrameCodec.Box b)
    {
        if (a.Count == 0) return b;
        if (b.Count == 0) return a;
        int x0 = Math.Min(a.X, b.X), y0 = Math.Min(a.Y, b.Y);
        return new FrameCodec.Box(x0, y0, Math.Max(a.X + a.W, b.X + b.W) - x0, Math.Max(a.Y + a.H, b.Y + b.H) - y0);
    }

    public byte[] SaveState()
    {
        SyncToHost();
        return SimulationState.Write(_grid, Fps, Frame, SimulationState.Fingerprint(_emitters), _particles);
    }

    /// <summary>Resumes a simulation saved by <see cref="SaveState"/>; corrupt, truncated or mismatched bytes throw InvalidDataException.</summary>
    public static EffectsSimulation LoadState(byte[] state, IReadOnlyList<EffectSpec> effects, int fps, StokesSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(effects);
        var emitters = effects.Select(Emitter.From).ToArray();
        var particles = new Particles();
        var (grid, frame) = SimulationState.Read(state, fps, SimulationState.Fingerprint(emitters), particles);
        var sim = new EffectsSimulation(effects, fps, grid, frame, settings ?? new StokesSettings());
        sim._particles.CopyFrom(particles);
        return sim;
    }

    void Step(int frame, int substep)
    {
        var g = _grid;
        var ops = _solver.Ops;
        float dt = 1f / (Fps * SubstepsPerFrame);
        float time = (frame + substep / (float)SubstepsPerFrame) / Fps;

        // sources and particles on the host
        ops.ToHost(g.StateFields);
        Emitters.AddSources(g, _emitters, frame, time, dt, Fps);
        if (_settings.Particles)
        {
            _particles.Spawn(g, _emitters, frame, substep, dt, _settings.Seed);
            _particles.Advance(g, dt);
        }
        if (substep == 0) StableFluids.FillStreamFunction(g.Psi, TurbulenceScale * _scale, frame / (TurbulencePeriod * Fps), _settings.Seed, g.Nx, g.Ny);
        ops.HostWrote(g.StateFields);
        ops.HostWrote(g.Psi);

        // combustion: hot fuel burns into heat and smoke
        ops.Burn(g.Fuel, g.Heat, g.Smoke, Ignition, 1f - MathF.Exp(-BurnRate * dt), HeatPerFuel, SmokePerFuel);

        // forces
        float L = _scale;
        _solver.AddBuoyancy(g.Heat, HeatLift * L, dt);
        _solver.AddBuoyancy(g.Smoke, SmokeLift * L, dt);
        _solver.AddBuoyancy(g.Magic, MagicLift * L, dt);
        _solver.AddBuoyancy(g.Mist, -MistWeight * L, dt);
        _solver.ConfineVorticity(Confinement * L, dt);
        ops.Presence(g.Divergence, g.Smoke, g.Heat, g.Magic, g.Mist);
        _solver.AddTurbulence(g.Divergence, Turbulence * L, dt);

        // velocity: project, self-advect, project
        _solver.Project();
        _solver.AdvectVelocity(dt);
        _solver.Project();

        // stuff carried by the flow
        Carry(g.Heat, 0f, Cooling, dt);
        Carry(g.Fuel, 0f, FuelFade, dt);
        Carry(g.Smoke, SmokeSpread * _scale * _scale, SmokeFade, dt);
        Carry(g.Magic, 0f, MagicFade, dt);
        Carry(g.MagicCyan, 0f, MagicFade, dt);
        Carry(g.Mist, MistSpread * _scale * _scale, MistFade, dt);
    }

    void Carry(float[] q, float spread, float fade, float dt)
    {
        // a field that is all +0 stays all +0 through advection (bilinear and MacCormack weights times zeros), the
        // closed-box boundary, diffusion and the fade: skipped (the same state; the scratch fields they would write
        // are written again before they are read). A shot's other kinds of stuff stay zero (a fire has no mist).
        if (_solver.Ops.IsZero(q)) return;
        _solver.AdvectScalar(q, dt);
        if (spread > 0f) _solver.Diffuse(Scalar, q, spread, dt, DiffusionIterations);
        if (fade > 0f) _solver.Ops.Scale(q, MathF.Exp(-fade * dt));
    }

    public void Dispose() => _solver.Dispose();
}
