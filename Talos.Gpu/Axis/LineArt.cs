using Talos.Gpu.Imaging;

namespace Talos.Gpu.Axis;

/// <summary>
/// A character's line art: ink coverage, a seed inside every closed region, the ground line's pixel row, and a box outside
/// which the ink is zero (for <see cref="FrameCodec.EncodeGray(GrayImage, FrameCodec.Box)"/> and <see cref="FramePool.Return(GrayImage, FrameCodec.Box)"/>).
/// </summary>
public sealed record LineDrawing(GrayImage Lines, IReadOnlyList<RegionSeed> Seeds, float GroundY, FrameCodec.Box Written);

/// <summary>
/// Draws a posed rig as clean cartoon line art. Framing: at zoom 1 the feet stand on y = 0.82·height and the
/// nominal character is 0.55·height tall; <c>x</c> in [0, 1] of the frame width is the character's centre. The camera
/// zooms about the frame centre and pans by PanX frame widths: screen = centre + (world − centre − pan)·zoom.
/// Facing −1 mirrors the character. The rig's parts are drawn back to front from its data (<see cref="Rigging.RigArt"/>),
/// each erasing what it covers before its outline is stroked, so every region stays closed.
/// </summary>
public static class LineArt
{
    public const float GroundFraction = 0.82f, HeightFraction = 0.55f;

    /// <summary>The ground line with no character drawn: 0.82 of the height at zoom 1, scaled about the centre.</summary>
    public static float GroundLine(CameraState camera, int height) => (float)(height * 0.5 + (0.82 - 0.5) * height * camera.Zoom);

    /// <param name="mouth">a lip-sync cue's mouth drawing (swapped in for the pose's own mouth), or null for the pose's mouth</param>
    public static LineDrawing Draw(Rig rig, Pose pose, double x, int facing, CameraState camera, int width, int height, LipSync.MouthShape? mouth = null)
    {
        var (sketch, groundY) = Compose(rig, pose, x, facing, camera, width, height, mouth);
        var (lines, seeds, written) = sketch.Render(width, height);
        return new LineDrawing(lines, seeds, groundY, written);
    }

    /// <summary>
    /// The box in frame pixels that <see cref="Draw"/>'s ink of the same character stays inside, worked out from the
    /// drawing's shapes without rasterizing them and not clipped to the frame (so a character partly outside shows it):
    /// how PRISM's reframing keeps characters inside a format's safe area.
    /// </summary>
    public static Bounds InkBounds(Rig rig, Pose pose, double x, int facing, CameraState camera, int width, int height) =>
        Compose(rig, pose, x, facing, camera, width, height).Sketch.InkBounds()!.Value;

    static (Sketch Sketch, float GroundY) Compose(Rig rig, Pose pose, double x, int facing, CameraState camera, int width, int height, LipSync.MouthShape? mouth = null)
    {
        ArgumentNullException.ThrowIfNull(rig);
        ArgumentNullException.ThrowIfNull(pose);
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"frame size {width}x{height} must be positive");
        double zoom = camera.Zoom;
        float originX = (float)(width * 0.5 + (x * width - width * 0.5 - camera.PanX * width) * zoom);
        float groundY = (float)(height * 0.5 + (GroundFraction - 0.5) * height * zoom);
        float scale = (float)(HeightFraction * height * rig.Height * zoom);
        float lineUnit = (float)(height * zoom / 720.0);
        var sketch = new Sketch(originX, groundY, scale, facing < 0 ? -1 : 1, lineUnit);
        // How far the character has travelled along its facing, in rig units (camera-independent): places planted feet.
        float travel = (float)(x * width / (HeightFraction * height * rig.Height)) * (facing < 0 ? -1 : 1);
        Rigging.RigArt.Compose(sketch, rig.Body, pose, mouth, travel);
        return (sketch, groundY);
    }
}
