using Talos.Messages.Specs;

namespace Talos.Gpu.Stokes;

public enum EffectKind { Smoke, Fire, Magic, Mist }

/// <summary>One effect of the shot as a source on the grid: where, when, how strong.</summary>
public readonly record struct Emitter(EffectKind Kind, float X, float Y, int StartFrame, int? EndFrame, float Strength, int Index)
{
    /// <summary>An explosion: a fire whose first frames burst (a big puff of fuel and heat, a shower of sparks), then die down.</summary>
    public bool Burst { get; init; }

    /// <summary>The effect names a shot may use; each maps onto one of the four simulated kinds.</summary>
    public static readonly IReadOnlyList<string> Names = ["smoke", "fire", "magic", "mist", "steam", "explosion"];

    public bool ActiveAt(int frame) => frame >= StartFrame && (EndFrame is not { } end || frame <= end);

    public static Emitter From(EffectSpec e, int index)
    {
        var name = e.Type.Trim().ToLowerInvariant();
        var kind = name switch
        {
            "smoke" => EffectKind.Smoke,
            "fire" or "explosion" => EffectKind.Fire,
            "magic" => EffectKind.Magic,
            "mist" or "steam" => EffectKind.Mist,
            _ => throw new ArgumentException($"effect {index}: unknown type '{e.Type}' (expected {string.Join(", ", Names)})"),
        };
        if (!double.IsFinite(e.X) || !double.IsFinite(e.Y) || !double.IsFinite(e.Strength))
            throw new ArgumentException($"effect {index}: position and strength must be finite numbers");
        return new Emitter(kind, (float)Math.Clamp(e.X, 0, 1), (float)Math.Clamp(e.Y, 0, 1), e.StartFrame, e.EndFrame,
            (float)Math.Clamp(e.Strength, 0, 10), index) { Burst = name == "explosion" };
    }
}

/// <summary>
/// Sources: each active emitter adds its stuff to the fields in a soft elliptical footprint and steers the velocity
/// there towards the motion of its kind (rising smoke and flame, a swirling magic vortex, mist spreading sideways).
/// </summary>
public static class Emitters
{
    /// <summary>How fast velocity inside a footprint is pulled towards the emitter's target velocity (1/s).</summary>
    const float Steer = 6f;

    public static void AddSources(FluidGrid g, ReadOnlySpan<Emitter> emitters, int frame, float time, float dt, int fps = 24)
    {
        float shortSide = Math.Min(g.Nx, g.Ny);
        foreach (var e in emitters)
        {
            if (!e.ActiveAt(frame) || e.Strength <= 0f) continue;
            float cx = e.X * g.Nx + 0.5f, cy = e.Y * g.Ny + 0.5f;
            float s = e.Strength;
            float phase = e.Index * 1.7f;
            switch (e.Kind)
            {
                case EffectKind.Smoke:
                {
                    float r = 0.045f * shortSide;
                    // a slow wobble of the source keeps the column from looking like a straight pipe
                    float wob = 0.25f * r * MathF.Sin(2.3f * time + phase);
                    Splat(g, cx + wob, cy, r, r, (k, w) =>
                    {
                        g.Smoke[k] += dt * 5f * s * w;
                        SteerVelocity(g, k, w, dt, 0f, -0.35f * shortSide * MathF.Sqrt(s));
                    });
                    break;
                }
                case EffectKind.Fire:
                {
                    float r = 0.07f * shortSide;
                    float flick = 1f + 0.3f * MathF.Sin(17f * time + phase) * MathF.Sin(7.1f * time);
                    // an explosion bursts over its first half second (bigger, much more fuel), then burns on low
                    float since = time - e.StartFrame / (float)Math.Max(1, fps);
                    float burst = e.Burst ? 1f + 5f * MathF.Max(0f, 1f - 2f * since) : 1f;
                    float size = e.Burst ? 1f + MathF.Max(0f, 1f - 2f * since) : 1f;
                    Splat(g, cx, cy, 1.2f * r * size, 0.7f * r * size, (k, w) =>
                    {
                        g.Fuel[k] += dt * 24f * s * burst * w;          // fuel burns into heat and smoke (EffectsSimulation)
                        g.Heat[k] += dt * 10f * s * flick * w;          // the pilot flame that lights it
                        g.Smoke[k] += dt * 0.3f * s * w;
                        SteerVelocity(g, k, w, dt, 0f, -0.45f * shortSide * MathF.Sqrt(s * burst));
                    });
                    break;
                }
                case EffectKind.Magic:
                {
                    float r = 0.035f * shortSide, orbit = 0.1f * shortSide;
                    float ox = cx + orbit * MathF.Cos(4f * time + phase), oy = cy + 0.6f * orbit * MathF.Sin(4f * time + phase);
                    float cyan = 0.5f + 0.5f * MathF.Sin(1.9f * time + phase);
                    float spin = 0.5f * shortSide * MathF.Sqrt(s);
                    Splat(g, ox, oy, r, r, (k, w) =>
                    {
                        g.Magic[k] += dt * 5f * s * w;
                        g.MagicCyan[k] += dt * 5f * s * w * cyan;
                    });
                    // the vortex around the emitter: tangential velocity, strongest at 2r
                    Splat(g, cx, cy, 3f * r, 3f * r, (k, w) =>
                    {
                        int i = k % g.Stride, j = k / g.Stride;
                        float dx = i - cx, dy = j - cy, d = MathF.Sqrt(dx * dx + dy * dy) + 1e-3f;
                        float ring = MathF.Min(1f, d / (2f * r));
                        SteerVelocity(g, k, 0.5f * w, dt, -dy / d * spin * ring, dx / d * spin * ring - 0.3f * spin);
                    });
                    break;
                }
                case EffectKind.Mist:
                {
                    float rx = 0.22f * g.Nx, ry = 0.05f * g.Ny;
                    float drift = 0.06f * shortSide * MathF.Sqrt(s);
                    Splat(g, cx, cy, rx, ry, (k, w) =>
                    {
                        g.Mist[k] += dt * 0.9f * s * w;
                        int i = k % g.Stride;
                        SteerVelocity(g, k, 0.5f * w, dt, drift * Math.Clamp((i - cx) / rx, -1f, 1f), 0f);
                    });
                    break;
                }
            }
        }
    }

    static void SteerVelocity(FluidGrid g, int k, float w, float dt, float tu, float tv)
    {
        float a = MathF.Min(1f, Steer * w * dt);
        g.U[k] += (tu - g.U[k]) * a;
        g.V[k] += (tv - g.V[k]) * a;
    }

    /// <summary>Visits the interior cells within 2 radii of (cx, cy) with a Gaussian weight exp(−d²/r²).</summary>
    static void Splat(FluidGrid g, float cx, float cy, float rx, float ry, Action<int, float> add)
    {
        rx = MathF.Max(rx, 0.75f); ry = MathF.Max(ry, 0.75f);
        int i0 = Math.Max(1, (int)MathF.Floor(cx - 2f * rx)), i1 = Math.Min(g.Nx, (int)MathF.Ceiling(cx + 2f * rx));
        int j0 = Math.Max(1, (int)MathF.Floor(cy - 2f * ry)), j1 = Math.Min(g.Ny, (int)MathF.Ceiling(cy + 2f * ry));
        for (int j = j0; j <= j1; j++)
            for (int i = i0; i <= i1; i++)
            {
                float dx = (i - cx) / rx, dy = (j - cy) / ry;
                float w = MathF.Exp(-(dx * dx + dy * dy));
                if (w > 0.02f) add(i + g.Stride * j, w);
            }
    }
}
