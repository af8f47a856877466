using Talos.Gpu.Imaging;
using Talos.Gpu.Kernels;

namespace Talos.Gpu.Stokes;

public enum ParticleKind : byte { Ember, Spark, Mote }

/// <summary>
/// Sparks, embers and magic motes: points carried by the fluid's velocity (midpoint rule on the staggered field),
/// spawned by active emitters with hash-seeded randomness (seed, emitter, substep, index), so a run is a pure function
/// of its inputs and resumes bit-exactly from <see cref="Write"/>/<see cref="Read"/>. A fixed-capacity structure of
/// arrays; dead particles are compacted in order (deterministic). Host-side: a few thousand points cost microseconds.
/// </summary>
public sealed class Particles
{
    public const int Capacity = 4096;
    readonly float[] _x = new float[Capacity], _y = new float[Capacity], _age = new float[Capacity], _life = new float[Capacity];
    readonly float[] _vx = new float[Capacity], _vy = new float[Capacity];
    readonly ParticleKind[] _kind = new ParticleKind[Capacity];
    public int Count { get; private set; }

    public (float x, float y, float age, float life, ParticleKind kind) this[int n] => (_x[n], _y[n], _age[n], _life[n], _kind[n]);

    /// <summary>Adds the particles of one substep for every active emitter (fire: embers and sparks; magic: motes).</summary>
    public void Spawn(FluidGrid g, ReadOnlySpan<Emitter> emitters, int frame, int substep, float dt, uint seed)
    {
        float shortSide = Math.Min(g.Nx, g.Ny);
        int tick = frame * 16 + substep;
        foreach (var e in emitters)
        {
            if (!e.ActiveAt(frame) || e.Strength <= 0f) continue;
            float rate = e.Kind switch { EffectKind.Fire => 60f, EffectKind.Magic => 40f, _ => 0f } * e.Strength;
            if (e.Kind == EffectKind.Fire && e.Burst) rate *= 6f;
            if (rate <= 0f) continue;
            // expected count rate·dt, with the fractional part decided by a hash (seeded, reproducible)
            float expected = rate * dt;
            int n = (int)expected + (Noise.Unit(Noise.Hash(e.Index, tick, -1, seed)) < expected - (int)expected ? 1 : 0);
            float cx = e.X * g.Nx + 0.5f, cy = e.Y * g.Ny + 0.5f;
            for (int p = 0; p < n && Count < Capacity; p++)
            {
                float r1 = Noise.Signed(Noise.Hash(e.Index, tick, 4 * p, seed)), r2 = Noise.Signed(Noise.Hash(e.Index, tick, 4 * p + 1, seed));
                float r3 = Noise.Unit(Noise.Hash(e.Index, tick, 4 * p + 2, seed)), r4 = Noise.Signed(Noise.Hash(e.Index, tick, 4 * p + 3, seed));
                int c = Count++;
                if (e.Kind == EffectKind.Magic)
                {
                    float ang = MathF.PI * r1, rad = 0.12f * shortSide * (0.3f + 0.7f * r3);
                    _x[c] = cx + rad * MathF.Cos(ang); _y[c] = cy + 0.6f * rad * MathF.Sin(ang);
                    _vx[c] = 0.05f * shortSide * r2; _vy[c] = -0.05f * shortSide * (0.5f + 0.5f * r3);
                    _kind[c] = ParticleKind.Mote; _life[c] = 0.8f + 1.2f * r3;
                }
                else
                {
                    bool spark = r3 < 0.3f;
                    _x[c] = cx + 0.06f * shortSide * r1; _y[c] = cy + 0.03f * shortSide * r2;
                    _vx[c] = (spark ? 0.25f : 0.06f) * shortSide * r4 * (e.Burst ? 3f : 1f);
                    _vy[c] = -(spark ? 0.5f : 0.1f) * shortSide * (0.5f + 0.5f * r3) * (e.Burst ? 2f : 1f);
                    _kind[c] = spark ? ParticleKind.Spark : ParticleKind.Ember; _life[c] = spark ? 0.35f + 0.4f * r3 : 0.9f + 1.1f * r3;
                }
                _age[c] = 0f;
            }
        }
    }

    /// <summary>Moves every particle with the flow (plus its own decaying velocity) and drops the dead or departed.</summary>
    public void Advance(FluidGrid g, float dt)
    {
        var u = new HostField(g.U); var v = new HostField(g.V);
        int nx = g.Nx, ny = g.Ny, alive = 0;
        float drag = MathF.Exp(-2.5f * dt);
        for (int n = 0; n < Count; n++)
        {
            float x = _x[n], y = _y[n];
            // midpoint rule through the staggered velocity field
            float u1 = FluidCells.SampleAt(u, FluidCells.U, x, y, nx, ny), v1 = FluidCells.SampleAt(v, FluidCells.V, x, y, nx, ny);
            float xm = x + 0.5f * dt * (u1 + _vx[n]), ym = y + 0.5f * dt * (v1 + _vy[n]);
            float u2 = FluidCells.SampleAt(u, FluidCells.U, xm, ym, nx, ny), v2 = FluidCells.SampleAt(v, FluidCells.V, xm, ym, nx, ny);
            x += dt * (u2 + _vx[n]); y += dt * (v2 + _vy[n]);
            float age = _age[n] + dt;
            if (age >= _life[n] || x < 0.5f || y < 0.5f || x > nx + 0.5f || y > ny + 0.5f) continue;
            _x[alive] = x; _y[alive] = y; _age[alive] = age; _life[alive] = _life[n];
            _vx[alive] = _vx[n] * drag; _vy[alive] = _vy[n] * drag + (_kind[n] == ParticleKind.Spark ? 0.3f * Math.Min(nx, ny) * dt : 0f);
            _kind[alive] = _kind[n];
            alive++;
        }
        Count = alive;
    }

    /// <summary>
    /// Adds each particle as a small emissive (HDR) glow into a premultiplied layer of the frame's size; returns the box
    /// of the pixels it may have written (0×0 when none).
    /// </summary>
    public FrameCodec.Box Render(RgbaImage img, FluidGrid g)
    {
        int bx0 = img.Width, by0 = img.Height, bx1 = 0, by1 = 0;
        float sx = img.Width / (float)g.Nx, sy = img.Height / (float)g.Ny;
        float radius = MathF.Max(1.2f, 0.6f * MathF.Min(sx, sy));
        for (int n = 0; n < Count; n++)
        {
            float t = _age[n] / _life[n], fade = (1f - t) * MathF.Min(1f, 8f * t + 0.2f);
            (float r, float gg, float b) c = _kind[n] switch
            {
                ParticleKind.Spark => (6f, 3.6f, 1.2f),
                ParticleKind.Ember => (3.2f, 1.0f, 0.15f),
                _ => (1.6f, 1.2f, 3.4f),
            };
            float px = (_x[n] - 0.5f) * sx, py = (_y[n] - 0.5f) * sy;
            int x0 = Math.Max(0, (int)(px - 2 * radius)), x1 = Math.Min(img.Width - 1, (int)(px + 2 * radius));
            int y0 = Math.Max(0, (int)(py - 2 * radius)), y1 = Math.Min(img.Height - 1, (int)(py + 2 * radius));
            if (x0 <= x1 && y0 <= y1) { bx0 = Math.Min(bx0, x0); by0 = Math.Min(by0, y0); bx1 = Math.Max(bx1, x1 + 1); by1 = Math.Max(by1, y1 + 1); }
            for (int y = y0; y <= y1; y++)
                for (int x = x0; x <= x1; x++)
                {
                    float dx = (x + 0.5f - px) / radius, dy = (y + 0.5f - py) / radius;
                    float w = fade * EffectColours.ExpNeg(2.5f * (dx * dx + dy * dy));
                    if (w < 0.01f) continue;
                    int k = y * img.Width + x;
                    img.R[k] += c.r * w; img.G[k] += c.gg * w; img.B[k] += c.b * w; img.A[k] = MathF.Max(img.A[k], MathF.Min(0.3f, 0.15f * w)); // emissive: adds light, hides little
                }
        }
        return bx1 > bx0 && by1 > by0 ? new FrameCodec.Box(bx0, by0, bx1 - bx0, by1 - by0) : new FrameCodec.Box(0, 0, 0, 0);
    }

    public void CopyFrom(Particles other)
    {
        int n = other.Count;
        Array.Copy(other._x, _x, n); Array.Copy(other._y, _y, n); Array.Copy(other._vx, _vx, n); Array.Copy(other._vy, _vy, n);
        Array.Copy(other._age, _age, n); Array.Copy(other._life, _life, n); Array.Copy(other._kind, _kind, n);
        Count = n;
    }

    public const int FloatsPerParticle = 7;

    public void Write(Span<float> dst)
    {
        for (int n = 0; n < Count; n++)
        {
            var o = dst.Slice(n * FloatsPerParticle, FloatsPerParticle);
            o[0] = _x[n]; o[1] = _y[n]; o[2] = _vx[n]; o[3] = _vy[n]; o[4] = _age[n]; o[5] = _life[n]; o[6] = (float)_kind[n];
        }
    }

    public void Read(ReadOnlySpan<float> src, int count)
    {
        if (count is < 0 or > Capacity) throw new InvalidDataException($"corrupt STOKES state: {count} particles");
        for (int n = 0; n < count; n++)
        {
            var o = src.Slice(n * FloatsPerParticle, FloatsPerParticle);
            if (o[6] is not (0f or 1f or 2f)) throw new InvalidDataException("corrupt STOKES state: bad particle kind");
            _x[n] = o[0]; _y[n] = o[1]; _vx[n] = o[2]; _vy[n] = o[3]; _age[n] = o[4]; _life[n] = o[5]; _kind[n] = (ParticleKind)(int)o[6];
        }
        Count = count;
    }
}
