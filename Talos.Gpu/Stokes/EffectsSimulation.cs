using Talos.Gpu.Imaging;
using Talos.Messages.Specs;

namespace Talos.Gpu.Stokes;

/// <summary>
/// The shot's effects as one stable-fluids simulation (Stam 1999/2003 with buoyancy and vorticity confinement from
/// Fedkiw, Stam &amp; Jensen 2001). Time only runs forward: <see cref="AdvanceTo"/> steps whole frames of
/// <see cref="SubstepsPerFrame"/> fixed substeps. The state after frame f is a pure function of (effects, fps, grid),
/// and <see cref="SaveState"/>/<see cref="LoadState"/> round-trip it bit-exactly, so a resumed run renders the same bytes.
/// </summary>
public sealed class EffectsSimulation
{
    public const int SubstepsPerFrame = 2;
    /// <summary>Cells on the short side of the frame by default (160 × 90 at 16:9).</summary>
    public const int DefaultShortSide = 90;
    const int PressureIterations = 25, DiffusionIterations = 4;
    const uint Seed = 0x5705E5u;

    // Behaviour of the four kinds, per second, for a 90-cell short side; lengths scale with the grid (see _scale).
    // Lifts: cells/s² per unit of stuff. Fades: 1/s. Spreads: cells²/s.
    const float HeatLift = 12f, SmokeLift = 10f, MagicLift = 2f, MistWeight = 2.5f;
    const float Cooling = 2.5f, SmokeFade = 0.22f, MagicFade = 0.55f, MistFade = 0.18f;
    const float SmokeSpread = 0.4f, MistSpread = 2.5f;
    const float Confinement = 2.5f, Turbulence = 14f, TurbulenceScale = 7f, TurbulencePeriod = 1.2f;
    /// <summary>Grid short side / 90: the constants above are tuned for 90 cells.</summary>
    readonly float _scale;

    readonly FluidGrid _grid;
    readonly Emitter[] _emitters;
    readonly EffectRenderer _renderer = new();

    public int Fps { get; }
    /// <summary>The frame whose state the simulation holds; -1 before the first <see cref="AdvanceTo"/>.</summary>
    public int Frame { get; private set; } = -1;
    /// <summary>The fields, for diagnostics and tests; treat as read-only.</summary>
    public FluidGrid Grid => _grid;

    public EffectsSimulation(IReadOnlyList<EffectSpec> effects, int fps, double aspect)
        : this(effects, fps, aspect, DefaultShortSide) { }

    /// <summary>As the main constructor with an explicit grid resolution (cells on the short side), e.g. small grids in tests.</summary>
    public EffectsSimulation(IReadOnlyList<EffectSpec> effects, int fps, double aspect, int gridShortSide)
        : this(effects, fps, GridFor(aspect, gridShortSide), -1) { }

    EffectsSimulation(IReadOnlyList<EffectSpec> effects, int fps, FluidGrid grid, int frame)
    {
        ArgumentNullException.ThrowIfNull(effects);
        if (fps is < 1 or > 1000) throw new ArgumentOutOfRangeException(nameof(fps), $"fps {fps} must be 1..1000");
        Fps = fps;
        _grid = grid;
        _emitters = effects.Select(Emitter.From).ToArray();
        _scale = Math.Min(grid.Nx, grid.Ny) / (float)DefaultShortSide;
        Frame = frame;
    }

    static FluidGrid GridFor(double aspect, int shortSide)
    {
        if (!double.IsFinite(aspect) || aspect <= 0) throw new ArgumentOutOfRangeException(nameof(aspect), $"aspect {aspect} must be a positive number");
        if (shortSide is < 8 or > 512) throw new ArgumentOutOfRangeException(nameof(shortSide), $"grid short side {shortSide} must be 8..512");
        aspect = Math.Clamp(aspect, 0.2, 5.0);
        return aspect >= 1
            ? new FluidGrid((int)Math.Round(shortSide * aspect), shortSide)
            : new FluidGrid(shortSide, (int)Math.Round(shortSide / aspect));
    }

    /// <summary>Steps forward until the state is that of <paramref name="frame"/>; frames only increase.</summary>
    public void AdvanceTo(int frame)
    {
        if (frame < Frame) throw new InvalidOperationException($"the simulation is at frame {Frame} and cannot go back to frame {frame}");
        while (Frame < frame)
        {
            Frame++;
            for (int s = 0; s < SubstepsPerFrame; s++) Step(Frame, s);
        }
    }

    /// <summary>The VFX layer at the current frame: premultiplied linear RGBA, transparent where there is nothing.</summary>
    public RgbaImage Render(int width, int height) => _renderer.Render(_grid, Math.Max(Frame, 0), width, height, Seed);

    public byte[] SaveState() => SimulationState.Write(_grid, Fps, Frame, SimulationState.Fingerprint(_emitters));

    /// <summary>Resumes a simulation saved by <see cref="SaveState"/>; corrupt, truncated or mismatched bytes throw InvalidDataException.</summary>
    public static EffectsSimulation LoadState(byte[] state, IReadOnlyList<EffectSpec> effects, int fps)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(effects);
        var emitters = effects.Select(Emitter.From).ToArray();
        var (grid, frame) = SimulationState.Read(state, fps, SimulationState.Fingerprint(emitters));
        return new EffectsSimulation(effects, fps, grid, frame);
    }

    void Step(int frame, int substep)
    {
        var g = _grid;
        int nx = g.Nx, ny = g.Ny;
        float dt = 1f / (Fps * SubstepsPerFrame);
        float time = (frame + substep / (float)SubstepsPerFrame) / Fps;

        Emitters.AddSources(g, _emitters, frame, time, dt);

        // forces
        float L = _scale;
        StableFluids.AddBuoyancy(g.V, g.Heat, HeatLift * L, dt, nx, ny);
        StableFluids.AddBuoyancy(g.V, g.Smoke, SmokeLift * L, dt, nx, ny);
        StableFluids.AddBuoyancy(g.V, g.Magic, MagicLift * L, dt, nx, ny);
        StableFluids.AddBuoyancy(g.V, g.Mist, -MistWeight * L, dt, nx, ny);
        StableFluids.ConfineVorticity(g.U, g.V, g.Curl, Confinement * L, dt, nx, ny);
        if (substep == 0) StableFluids.FillStreamFunction(g.Psi, TurbulenceScale * L, frame / (TurbulencePeriod * Fps), Seed, nx, ny);
        Presence(g);
        StableFluids.AddTurbulence(g.U, g.V, g.Psi, g.Divergence, Turbulence * L, dt, nx, ny);

        // velocity: project, self-advect, project
        StableFluids.Project(g.U, g.V, g.Pressure, g.Divergence, g.Scratch, PressureIterations, nx, ny);
        Array.Copy(g.U, g.U0, g.Count);
        Array.Copy(g.V, g.V0, g.Count);
        StableFluids.Advect(StableFluids.Bound.U, g.U, g.U0, g.U0, g.V0, dt, nx, ny);
        StableFluids.Advect(StableFluids.Bound.V, g.V, g.V0, g.U0, g.V0, dt, nx, ny);
        StableFluids.Project(g.U, g.V, g.Pressure, g.Divergence, g.Scratch, PressureIterations, nx, ny);

        // stuff carried by the flow
        Carry(g.Heat, 0f, Cooling, dt);
        Carry(g.Smoke, SmokeSpread * _scale * _scale, SmokeFade, dt);
        Carry(g.Magic, 0f, MagicFade, dt);
        Carry(g.MagicCyan, 0f, MagicFade, dt);
        Carry(g.Mist, MistSpread * _scale * _scale, MistFade, dt);
    }

    void Carry(float[] q, float spread, float fade, float dt)
    {
        var g = _grid;
        Array.Copy(q, g.Scratch, g.Count);
        StableFluids.Advect(StableFluids.Bound.Scalar, q, g.Scratch, g.U, g.V, dt, g.Nx, g.Ny);
        if (spread > 0f)
        {
            Array.Copy(q, g.Scratch, g.Count);
            StableFluids.Diffuse(StableFluids.Bound.Scalar, q, g.Scratch, g.Divergence, spread, dt, DiffusionIterations, g.Nx, g.Ny);
        }
        StableFluids.Dissipate(q, fade, dt);
    }

    /// <summary>How much there is in each cell (into Divergence as scratch), weighting the turbulence.</summary>
    static void Presence(FluidGrid g)
    {
        var p = g.Divergence;
        for (int k = 0; k < g.Count; k++) p[k] = 2f * (g.Smoke[k] + g.Heat[k] + g.Magic[k]) + g.Mist[k];
    }
}
