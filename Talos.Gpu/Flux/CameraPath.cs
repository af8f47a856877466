using Talos.Gpu.Imaging;
using Talos.Messages.Specs;

namespace Talos.Gpu.Flux;

/// <summary>The camera over a shot: zoom and pan eased in and out between camera keys, held before the first and after the last.</summary>
public static class CameraPath
{
    public static CameraState At(IReadOnlyList<CameraMove> moves, int frame)
    {
        if (moves is null || moves.Count == 0) return CameraState.Wide;
        var keys = moves.OrderBy(m => m.Frame).ToList();
        if (frame <= keys[0].Frame) return State(keys[0]);
        if (frame >= keys[^1].Frame) return State(keys[^1]);
        int b = keys.FindIndex(k => k.Frame > frame);
        var (ka, kb) = (keys[b - 1], keys[b]);
        double e = Easing.SmoothStep((double)(frame - ka.Frame) / (kb.Frame - ka.Frame));
        var (fa, aa) = Lens(ka);
        var (fb, ab) = Lens(kb);
        return new CameraState(ka.Zoom + (kb.Zoom - ka.Zoom) * e, ka.PanX + (kb.PanX - ka.PanX) * e, fa + (fb - fa) * e, aa + (ab - aa) * e);
    }

    static CameraState State(CameraMove m)
    {
        var (focus, aperture) = Lens(m);
        return new(m.Zoom, m.PanX, focus, aperture);
    }

    /// <summary>A key without a focus is a pinhole focused on the characters' plane.</summary>
    static (double Focus, double Aperture) Lens(CameraMove m) => m.Focus is { } f ? (f, m.Aperture) : (1.0, 0.0);
}
