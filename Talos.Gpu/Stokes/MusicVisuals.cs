using Talos.Gpu.Cuttura.Audio;
using Talos.Gpu.Imaging;
using Talos.Messages.Specs;

namespace Talos.Gpu.Stokes;

/// <summary>
/// Music-driven fluid art (`talos visualize --style fluid`): STOKES emitters that fire on the beats and colours that
/// follow the spectrum. Plain functions of the music's frames; the same track gives the same film.
/// </summary>
public static class MusicVisuals
{
    /// <summary>Where the beat emitters sit (x, y in frame fractions); successive beats walk through them.</summary>
    static readonly (double X, double Y)[] Spots = [(0.3, 0.8), (0.7, 0.8), (0.5, 0.65), (0.5, 0.9)];

    /// <summary>
    /// The effects: a low mist bed the whole time, and on every beat a two-frame burst at the next spot — an explosion on
    /// a downbeat, magic on the other beats — whose strength follows the low band (the kick) at that frame.
    /// </summary>
    public static IReadOnlyList<EffectSpec> BeatEffects(MusicFrames music)
    {
        var effects = new List<EffectSpec> { new() { Type = "mist", X = 0.5, Y = 0.95, StartFrame = 0, Strength = 0.6 } };
        var down = music.DownbeatFrames.ToHashSet();
        for (int i = 0; i < music.BeatFrames.Length; i++)
        {
            int f = music.BeatFrames[i];
            var (x, y) = Spots[i % Spots.Length];
            bool bar = down.Contains(f);
            effects.Add(new EffectSpec
            {
                Type = bar ? "explosion" : "magic", X = x, Y = y, StartFrame = f, EndFrame = f + 1,
                Strength = Math.Round((bar ? 1.5 : 2.5) * (0.5 + music.Low[f]), 3),
            });
        }
        return effects;
    }

    /// <summary>
    /// One video frame: the VFX layer tinted by the spectrum (a low centroid warm, a high one cool; the high band adds
    /// white sparkle), brightened by the beat pulse, over a backdrop whose brightness follows the low band.
    /// </summary>
    public static byte[] Colour(RgbaImage layer, MusicFrames music, int frame)
    {
        float c = music.Centroid[Math.Min(frame, music.Frames - 1)], pulse = music.Pulse(frame);
        float high = music.High[Math.Min(frame, music.Frames - 1)], low = music.Low[Math.Min(frame, music.Frames - 1)];
        // centroid 0..1 → hue from amber through magenta to cyan
        float r = 1.2f - 0.8f * c, g = 0.5f + 0.4f * MathF.Abs(c - 0.5f) * 2f * (c > 0.5f ? 1 : 0.3f), b = 0.3f + 1.0f * c;
        float gain = 1f + 1.5f * pulse;
        float white = 0.3f * high;
        float bg = 0.01f + 0.05f * low * low + 0.04f * pulse;
        var rgb = new byte[layer.PixelCount * 3];
        for (int k = 0; k < layer.PixelCount; k++)
        {
            float a = Math.Clamp(layer.A[k], 0f, 1f), lum = (layer.R[k] + layer.G[k] + layer.B[k]) / 3f;
            float mix(float ch, float tint) => gain * (ch * (1 - white) * tint + white * lum) + bg * (1 - a) * tint * 0.6f + bg * 0.4f * (1 - a);
            rgb[3 * k] = Encode(mix(layer.R[k], r));
            rgb[3 * k + 1] = Encode(mix(layer.G[k], g));
            rgb[3 * k + 2] = Encode(mix(layer.B[k], b));
        }
        return rgb;

        static byte Encode(float v) => EffectColours.DisplayByte(v);
    }

    /// <summary>The film's frames (RGB24), simulated and coloured one after another.</summary>
    public static IEnumerable<byte[]> Frames(MusicFrames music, int width, int height, int gridShortSide, Action<int>? progress = null, CancellationToken ct = default)
    {
        using var sim = new EffectsSimulation(BeatEffects(music), music.Fps, new StokesSettings { Aspect = (double)width / height, GridShortSide = gridShortSide });
        for (int f = 0; f < music.Frames; f++)
        {
            ct.ThrowIfCancellationRequested();
            sim.AdvanceTo(f);
            yield return Colour(sim.Render(width, height), music, f);
            progress?.Invoke(f + 1);
        }
    }
}
