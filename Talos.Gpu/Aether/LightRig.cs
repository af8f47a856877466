using Talos.Gpu.Imaging;

namespace Talos.Gpu.Aether;

/// <summary>
/// A shot's lighting. <see cref="KeyX"/>/<see cref="KeyY"/> point from the subject towards the key light in the image
/// plane (x right, y up, normalised on construction by the presets); <see cref="KeyElevation"/> is the angle of the key
/// above the image plane in radians (π/2 = light from the camera's side, straight on).
/// Shadows: <see cref="ShadowLength"/> = horizontal reach of the cast shadow per pixel of height,
/// <see cref="ShadowSquash"/> = how far down (towards the camera) it reaches per pixel of height,
/// <see cref="ShadowSoftness"/> = blur radius as a fraction of the frame height, <see cref="ShadowOpacity"/> in [0,1].
/// </summary>
public sealed record LightRig(
    string Name,
    float KeyX, float KeyY, float KeyElevation,
    Rgb KeyColour, float KeyIntensity,
    Rgb Ambient,
    Rgb RimColour, float RimIntensity,
    float ShadowLength, float ShadowSquash, float ShadowSoftness, float ShadowOpacity)
{
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
