using Talos.Gpu.Imaging;

namespace Talos.Gpu.Aether;

/// <summary>
/// A shot's lighting. <see cref="KeyX"/>/<see cref="KeyY"/> point from the subject towards the key light in the image
/// plane (x right, y up, normalised on construction by the presets); <see cref="KeyElevation"/> is the angle of the key
/// above the image plane in radians (π/2 = light from the camera's side, straight on).
/// Shadows: <see cref="ShadowLength"/> = horizontal reach of the cast shadow per pixel of height,
/// <see cref="ShadowSquash"/> = how far down (towards the camera) it reaches per pixel of height,
/// <see cref="ShadowSoftness"/> = blur radius as a fraction of the frame height, <see cref="ShadowOpacity"/> in [0,1].
/// The fill (<see cref="FillColour"/> × <see cref="FillIntensity"/>) comes from the side opposite the key, low
/// (<see cref="FillElevation"/>), and lifts the shadow side; like the ambient it is occluded in creases (ambient occlusion).
/// </summary>
public sealed record LightRig(
    string Name,
    float KeyX, float KeyY, float KeyElevation,
    Rgb KeyColour, float KeyIntensity,
    Rgb Ambient,
    Rgb RimColour, float RimIntensity,
    float ShadowLength, float ShadowSquash, float ShadowSoftness, float ShadowOpacity)
{
    /// <summary>Colour of the fill light (linear).</summary>
    public Rgb FillColour { get; init; } = new(1f, 1f, 1f);
    public float FillIntensity { get; init; }
    /// <summary>Angle of the fill above the image plane in radians.</summary>
    public float FillElevation { get; init; } = 0.35f;

    /// <summary>Unit vector towards the fill: mirrored from the key across the vertical, a little below it, at <see cref="FillElevation"/>.</summary>
    public (float X, float Y, float Z) FillVector
    {
        get
        {
            float len = MathF.Sqrt(KeyX * KeyX + KeyY * KeyY);
            float fx = len > 0f ? -KeyX / len : -1f, fy = 0.1f;
            float l2 = MathF.Sqrt(fx * fx + fy * fy);
            float c = MathF.Cos(FillElevation), s = MathF.Sin(FillElevation);
            return (fx / l2 * c, -fy / l2 * c, s);
        }
    }

    /// <summary>Unit vector towards the key in image coordinates (x right, y DOWN, z towards the viewer).</summary>
    public (float X, float Y, float Z) KeyVector
    {
        get
        {
            float len = MathF.Sqrt(KeyX * KeyX + KeyY * KeyY);
            float c = MathF.Cos(KeyElevation), s = MathF.Sin(KeyElevation);
            return len > 0f ? (KeyX / len * c, -KeyY / len * c, s) : (0f, 0f, 1f);
        }
    }
}
