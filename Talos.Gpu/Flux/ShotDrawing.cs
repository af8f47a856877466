using Talos.Gpu.Axis;
using Talos.Gpu.Axis.LipSync;
using Talos.Gpu.Imaging;
using Talos.Messages.Specs;

namespace Talos.Gpu.Flux;

/// <summary>
/// FLUX for one shot: every frame's drawing of each character. Rig characters are inbetweened in rig space (eased pose,
/// position and camera) and drawn; characters given as artists' keyframe images are inbetweened in image space between
/// the two drawn keys around the frame (optical flow both ways, occlusion-aware warping; <see cref="ImageInbetweener"/>),
/// the first key held before it, the last after it. With <c>flux: "rife"</c> in the spec the RIFE v4.6 network
/// (<see cref="OnnxInterpolator.LoadRife"/>) draws the inbetweens instead; else a model configured by TALOS_FLUX_MODEL does. One instance serves a run of frames (it keeps each key pair's flow);
/// disposing it gives every kept pair's flows and occlusion masks back to <see cref="FramePool"/>.
/// </summary>
public sealed class ShotDrawing : IDisposable
{
    readonly ShotSpec _spec;
    readonly OnnxInterpolator? _model;
    readonly ShotLipSync? _lips;
    readonly Func<string, byte[]?>? _asset;
    readonly Dictionary<(string, string), ImageInbetweener> _pairs = new();

    /// <param name="lips">the shot's lip-sync (mouth drawings per frame while a line sounds); null: every mouth is the pose's own</param>
    /// <param name="asset">a vault asset's bytes by name, for rig files named by content (<see cref="RigAssets.Resolve"/>); null: built-in rigs only</param>
    public ShotDrawing(ShotSpec spec, ShotLipSync? lips = null, Func<string, byte[]?>? asset = null)
    {
        _spec = spec;
        _lips = lips;
        _asset = asset;
        _model = !spec.Characters.Any(FromImages) ? null
            : UsesRife(spec) ? OnnxInterpolator.LoadRife() : OnnxInterpolator.FromEnvironment();
    }

    /// <summary>The spec's <c>flux</c> that asks for the RIFE v4.6 network (<see cref="OnnxInterpolator.LoadRife"/>).</summary>
    public const string Rife = "rife";

    /// <summary>Whether FLUX will run RIFE for this shot: it asks for it and has a character drawn from keyframe images.</summary>
    public static bool UsesRife(ShotSpec spec) => spec.Flux == Rife && spec.Characters.Any(FromImages);

    /// <summary>A character drawn from artists' keyframe images (no rig keys).</summary>
    public static bool FromImages(CharacterSpec ch) => ch.Keyframes.Count == 0 && ch.KeyframeImages.Count > 0;

    /// <summary>A rig character at a frame: its eased state drawn through the camera, with the lip-sync mouth heard on that frame.</summary>
    public LineDrawing Rig(int character, int frame)
    {
        var ch = _spec.Characters[character];
        var rig = RigAssets.Resolve(ch.Rig, _asset);
        var state = MotionInterpolator.Evaluate(ch, frame, _spec.Fps, rig); // a rig file's own poses, emotions and drawings
        return LineArt.Draw(rig, state.Pose, state.X, state.Facing, CameraPath.At(_spec.Camera, frame),
            _spec.Resolution.Width, _spec.Resolution.Height, _lips?.MouthAt(character, frame));
    }

    /// <summary>
    /// Where a frame of an image-key character comes from, given its drawn keys' frames in ascending order: the key it
    /// holds (<c>From == To</c>: a key on the frame, the first before it, the last after it) or the two keys around it
    /// and how far between them (0 &lt; T &lt; 1).
    /// </summary>
    public static (int From, int To, double T) Span(IReadOnlyList<int> keyFrames, int frame)
    {
        if (keyFrames.Count == 0) throw new ArgumentException("no drawn key", nameof(keyFrames));
        int exact = -1, after = -1;
        for (int i = 0; i < keyFrames.Count; i++)
        {
            if (keyFrames[i] == frame) exact = i;
            if (after < 0 && keyFrames[i] > frame) after = i;
        }
        if (exact >= 0) return (exact, exact, 0);
        if (after <= 0) return after == 0 ? (0, 0, 0) : (keyFrames.Count - 1, keyFrames.Count - 1, 0);
        return (after - 1, after, (double)(frame - keyFrames[after - 1]) / (keyFrames[after] - keyFrames[after - 1]));
    }

    /// <summary>The drawing at <paramref name="t"/> between two key drawings; <paramref name="pair"/> names them (their flow is kept per pair).</summary>
    public GrayImage Inbetween((string A, string B) pair, GrayImage a, GrayImage b, double t)
    {
        if (_model is not null) return _model.Interpolate(a, b, t);
        if (!_pairs.TryGetValue(pair, out var between)) _pairs[pair] = between = ImageInbetweener.FromInk(a, b);
        return between.InkAt(t);
    }

    public void Dispose()
    {
        _model?.Dispose();
        foreach (var between in _pairs.Values) between.Dispose();
        _pairs.Clear();
    }
}
