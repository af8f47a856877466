namespace Talos.Gpu.Flux;

/// <summary>Easing curves mapping time fraction t in [0, 1] to progress in [0, 1]; all monotonic, 0 at 0 and 1 at 1.</summary>
public static class Easing
{
    public static IReadOnlyList<string> Names { get; } = ["linear", "ease-in", "ease-out", "ease-in-out", "hold"];

    /// <summary>Progress of <paramref name="ease"/> at <paramref name="t"/> (clamped to [0, 1]). "hold" stays at 0 until t reaches 1.</summary>
    public static double Apply(string ease, double t)
    {
        t = Math.Clamp(t, 0.0, 1.0);
        return ease switch
        {
            "linear" => t,
            "ease-in" => t * t * t,
            "ease-out" => 1 - (1 - t) * (1 - t) * (1 - t),
            "ease-in-out" => SmoothStep(t),
            "hold" => t >= 1 ? 1 : 0,
            _ => throw new ArgumentException($"unknown ease '{ease}'; known eases: {string.Join(", ", Names)}", nameof(ease)),
        };
    }

    public static double SmoothStep(double t) => t * t * (3 - 2 * t);
}
