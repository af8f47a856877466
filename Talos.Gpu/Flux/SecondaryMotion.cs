using Talos.Gpu.Axis;

namespace Talos.Gpu.Flux;

/// <summary>
/// Motion layered over the keyed pose, as offsets driven by the shot time: the gait cycle of walk and run (legs and
/// arms swing with a sine of time, about 1 stride/s walking and 2.5 strides/s running, with a small bob), a waving
/// forearm, and a slow breathing sway for everything else so held poses are never frozen frames.
/// </summary>
public static class SecondaryMotion
{
    public const double WalkStridesPerSecond = 1.0, RunStridesPerSecond = 2.5, BreathsPerSecond = 0.25, WavesPerSecond = 1.5;

    static readonly Pose WalkBase = PoseLibrary.Resolve("walk", "calm", 0);
    static readonly Pose RunBase = PoseLibrary.Resolve("run", "calm", 0);

    /// <summary>
    /// Offsets for time <paramref name="seconds"/> given how much of the current pose is walk, run and wave
    /// (weights in [0, 1]); the rest of the weight breathes.
    /// </summary>
    public static Pose Offset(double seconds, float walk, float run, float wave)
    {
        var sum = Pose.Neutral;
        if (walk > 0) sum += Scale(Delta(Gait(seconds * WalkStridesPerSecond, 26, 4, 28, 22, 18, 0.006f), WalkBase), walk);
        if (run > 0) sum += Scale(Delta(Gait(seconds * RunStridesPerSecond, 46, 22, 70, 48, 85, 0.03f), RunBase), run);
        if (wave > 0) sum += Scale(new Pose { LowerArmR = 22f * (float)Math.Sin(2 * Math.PI * WavesPerSecond * seconds) }, wave);
        float still = Math.Clamp(1f - walk - run, 0f, 1f);
        if (still > 0) sum += Scale(Breath(seconds), still);
        return sum;
    }

    /// <summary>Limb angles at gait cycle position <paramref name="cycles"/>: legs swing ±<paramref name="leg"/>°, knees bend most while swinging forward, arms counter-swing.</summary>
    static Pose Gait(double cycles, float leg, float knee0, float knee1, float arm, float elbow, float bob)
    {
        double phi = 2 * Math.PI * cycles;
        float s = (float)Math.Sin(phi), c = (float)Math.Cos(phi);
        return new Pose
        {
            HipOffset = bob * MathF.Abs(c),
            UpperLegL = leg * s, LowerLegL = -knee0 - knee1 * MathF.Max(0f, c),
            UpperLegR = -leg * s, LowerLegR = -knee0 - knee1 * MathF.Max(0f, -c),
            UpperArmL = -arm * s, LowerArmL = elbow + 0.25f * elbow * MathF.Max(0f, -s),
            UpperArmR = arm * s, LowerArmR = elbow + 0.25f * elbow * MathF.Max(0f, s),
        };
    }

    /// <summary>The gait's limb angles minus the library stride, so emotion offsets on top of the stride are kept.</summary>
    static Pose Delta(Pose gait, Pose stride) => gait with
    {
        UpperLegL = gait.UpperLegL - stride.UpperLegL, LowerLegL = gait.LowerLegL - stride.LowerLegL,
        UpperLegR = gait.UpperLegR - stride.UpperLegR, LowerLegR = gait.LowerLegR - stride.LowerLegR,
        UpperArmL = gait.UpperArmL - stride.UpperArmL, LowerArmL = gait.LowerArmL - stride.LowerArmL,
        UpperArmR = gait.UpperArmR - stride.UpperArmR, LowerArmR = gait.LowerArmR - stride.LowerArmR,
        HipOffset = gait.HipOffset - stride.HipOffset,
    };

    static Pose Breath(double seconds)
    {
        double phi = 2 * Math.PI * BreathsPerSecond * seconds;
        float s = (float)Math.Sin(phi), lag = (float)Math.Sin(phi - 0.6);
        return new Pose
        {
            ShoulderLift = 0.004f * s, TorsoLean = 0.8f * lag, HeadTilt = 1.2f * lag,
            UpperArmL = 1.5f * s, UpperArmR = -1.5f * s, LowerArmL = 1f * lag, LowerArmR = 1f * lag,
        };
    }

    static Pose Scale(Pose d, float w) => Pose.Lerp(Pose.Neutral, d, w);
}
