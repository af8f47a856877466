using Talos.Gpu.Imaging;

namespace Talos.Gpu.Aether;

/// <summary>
/// A painted backdrop: sky (or wall) gradient above the ground line, ground (or floor) gradient below it, and
/// scenery drawn back to front. Colours are linear light.
/// </summary>
public sealed record BackgroundPreset(
    string Name,
    Rgb SkyTop, Rgb SkyHorizon,
    Rgb GroundFar, Rgb GroundNear,
    IReadOnlyList<Scenery> Scenery);

/// <summary>
/// One scenery element. <see cref="Depth"/> sets parallax: 0 = at infinity (does not move with the camera),
/// 1 = in the characters' plane (moves and zooms with the camera).
/// </summary>
public abstract record Scenery(float Depth);

/// <summary>
/// A rolling silhouette (hills, mountains, dunes) standing on the ground line. Heights are fractions of the frame
/// height: the ridge sits at <paramref name="Height"/> ± <paramref name="Amplitude"/>, with wiggles of about
/// <paramref name="Wavelength"/> frame heights. <paramref name="Haze"/> blends it towards the sky horizon colour.
/// </summary>
public sealed record Ridge(float Depth, Rgb Colour, float Height, float Amplitude, float Wavelength, uint Seed, float Haze = 0f)
    : Scenery(Depth);

/// <summary>
/// A row of buildings on the ground line: widths around <paramref name="Width"/> and heights between
/// <paramref name="MinHeight"/> and <paramref name="MaxHeight"/> (frame heights); a share <paramref name="LitWindows"/>
/// of the windows glows with <paramref name="WindowColour"/>.
/// </summary>
public sealed record Skyline(float Depth, Rgb Colour, float Width, float MinHeight, float MaxHeight, uint Seed,
    Rgb WindowColour, float LitWindows, float Haze = 0f) : Scenery(Depth);

/// <summary>
/// The sun or the moon, placed in the sky on the key light's side. <paramref name="Radius"/> in frame heights;
/// <paramref name="Glow"/> is the strength of the halo around it.
/// </summary>
public sealed record Celestial(float Depth, Rgb Colour, float Radius, float Glow) : Scenery(Depth);

/// <summary>Stars on a jittered grid (cell size in frame heights); fade out towards the horizon.</summary>
public sealed record Stars(float Depth, float Cell, float Density, float Brightness, uint Seed) : Scenery(Depth);

/// <summary>Soft flat-bottomed clouds drifting at <paramref name="Height"/> (frame heights above the ground line).</summary>
public sealed record Clouds(float Depth, Rgb Colour, float Height, float Size, float Spacing, uint Seed) : Scenery(Depth);

/// <summary>
/// A window in an interior wall, showing sky: centre x in frame widths (0 = centre), bottom and top in frame heights
/// above the ground line, width in frame heights; <paramref name="Frame"/> is the colour of the frame and mullions.
/// The window repeats along the wall every <paramref name="Repeat"/> frame widths (0 = only one).
/// </summary>
public sealed record Window(float Depth, float CentreX, float Bottom, float Top, float Width, Rgb Frame, Rgb SkyTop, Rgb SkyBottom,
    float Repeat = 0f) : Scenery(Depth);

/// <summary>Floor boards: planks of <paramref name="PlankWidth"/> frame heights with seams of <paramref name="Seam"/> colour.</summary>
public sealed record Planks(float Depth, float PlankWidth, Rgb Seam, uint Seed) : Scenery(Depth);

/// <summary>A studio cyclorama: no horizon line, the wall sweeps into the floor over <paramref name="Sweep"/> frame heights.</summary>
public sealed record Cyclorama(float Depth, float Sweep, float Vignette) : Scenery(Depth);
