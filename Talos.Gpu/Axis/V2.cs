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

