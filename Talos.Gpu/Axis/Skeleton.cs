namespace Talos.Gpu.Axis;

/// <summary>A 2D point or direction.</summary>
public readonly record struct V2(float X, float Y)
{
    public static V2 operator +(V2 a, V2 b) => new(a.X + b.X, a.Y + b.Y);
    public static V2 operator -(V2 a, V2 b) => new(a.X - b.X, a.Y - b.Y);
    public static V2 operator *(V2 a, float s) => new(a.X * s, a.Y * s);
    public static V2 operator -(V2 a) => new(-a.X, -a.Y);

    /// <summary>The unit direction <paramref name="degrees"/> forward of straight down.</summary>
    public static V2 Down(float degrees)
    {
        float r = degrees * MathF.PI / 180f;
        return new(MathF.Sin(r), -MathF.Cos(r));
    }
}

/// <summary>
/// Forward kinematics of a posed rig in rig units: x forward (the facing direction), y up, the ground at y = 0 and
/// the character's centre at x = 0. The hip height is chosen so the lowest foot (or the seat, when sitting) rests on
/// the ground, plus the pose's <see cref="Pose.HipOffset"/>.
/// </summary>
public sealed class Skeleton
{
    public V2 Hip { get; }
    public V2 Neck { get; }
    /// <summary>Torso axis (up) and its forward normal.</summary>
    public V2 Up { get; }
    public V2 Forward { get; }
    public V2 HeadCentre { get; }
    public V2 HeadUp { get; }
    public V2 HeadForward { get; }
    /// <summary>Limb chains, index 0 = far (L), 1 = near (R).</summary>
    public V2[] Shoulder { get; } = new V2[2];
    public V2[] Elbow { get; } = new V2[2];
    public V2[] Wrist { get; } = new V2[2];
    public V2[] HipJoint { get; } = new V2[2];
    public V2[] Knee { get; } = new V2[2];
    public V2[] Ankle { get; } = new V2[2];
    /// <summary>Shoe heel and toe centres and the shoe's forward direction.</summary>
    public V2[] Heel { get; } = new V2[2];
    public V2[] Toe { get; } = new V2[2];
    public float[] ForearmAngle { get; } = new float[2];

    public Skeleton(Rig rig, Pose pose)
    {
        float leanR = pose.TorsoLean * MathF.PI / 180f;
        Up = new V2(MathF.Sin(leanR), MathF.Cos(leanR));
        Forward = new V2(MathF.Cos(leanR), -MathF.Sin(leanR));
        float headR = (pose.TorsoLean + pose.HeadTilt) * MathF.PI / 180f;
        HeadUp = new V2(MathF.Sin(headR), MathF.Cos(headR));
        HeadForward = new V2(MathF.Cos(headR), -MathF.Sin(headR));

        // Legs from a hip at height 0, then lift everything so the lowest point touches the ground.
        float[] upperLeg = [pose.UpperLegL, pose.UpperLegR], lowerLeg = [pose.LowerLegL, pose.LowerLegR];
        float lowest = -rig.HipHalfWidth * 0.9f; // the seat
        float sh = rig.ShoeHeight * 0.5f;
        for (int s = 0; s < 2; s++)
        {
            float side = s == 0 ? 0.45f : -0.45f;
            HipJoint[s] = Forward * (rig.HipHalfWidth * side);
            Knee[s] = HipJoint[s] + V2.Down(upperLeg[s]) * rig.UpperLeg;
            float shin = upperLeg[s] + lowerLeg[s];
            Ankle[s] = Knee[s] + V2.Down(shin) * rig.LowerLeg;
            float footR = shin * 0.6f * MathF.PI / 180f;
            var foot = new V2(MathF.Cos(footR), MathF.Sin(footR));
            var footUp = new V2(-foot.Y, foot.X);
            var sole = Ankle[s] - footUp * (sh * 0.55f);
            Heel[s] = sole - foot * (rig.ShoeLength * 0.12f);
            Toe[s] = sole + foot * (rig.ShoeLength * 0.72f);
            lowest = MathF.Min(lowest, MathF.Min(Heel[s].Y - sh * 0.95f, Toe[s].Y - sh * 1.05f));
        }
        var lift = new V2(0f, -lowest + pose.HipOffset);
        for (int s = 0; s < 2; s++)
        {
            HipJoint[s] += lift; Knee[s] += lift; Ankle[s] += lift; Heel[s] += lift; Toe[s] += lift;
        }
        Hip = lift;
        Neck = Hip + Up * rig.TorsoLength;
        HeadCentre = Neck + HeadUp * (rig.Neck + rig.HeadRy * 0.92f);

        float[] upperArm = [pose.UpperArmL, pose.UpperArmR], lowerArm = [pose.LowerArmL, pose.LowerArmR];
        var shoulderBase = Neck - Up * (0.03f - pose.ShoulderLift);
        for (int s = 0; s < 2; s++)
        {
            float side = s == 0 ? 1f : -1f;
            Shoulder[s] = shoulderBase + Forward * (side * (rig.ShoulderHalfWidth - rig.ArmRadius * 0.9f));
            Elbow[s] = Shoulder[s] + LimbDir(upperArm[s]) * rig.UpperArm;
            ForearmAngle[s] = pose.TorsoLean + upperArm[s] + lowerArm[s];
            Wrist[s] = Elbow[s] + LimbDir(upperArm[s] + lowerArm[s]) * rig.LowerArm;
        }
    }

    /// <summary>Direction <paramref name="degrees"/> forward of hanging down along the torso.</summary>
    V2 LimbDir(float degrees)
    {
        float r = degrees * MathF.PI / 180f;
        return -Up * MathF.Cos(r) + Forward * MathF.Sin(r);
    }
}
