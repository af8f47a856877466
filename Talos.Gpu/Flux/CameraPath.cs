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
        return new CameraState(ka.Zoom + (kb.Zoom - ka.Zoom) * e, ka.PanX + (kb.PanX - ka.PanX) * e);
    }

    static CameraState State(CameraMove m) => new(m.Zoom, m.PanX);
}
