using System.Text.Json;
using System.Text.Json.Serialization;
using Talos.Gpu.Axis;
using Talos.Messages.Specs;

namespace Talos.Gpu.Flux;

/// <summary>One character's motion sampled at every frame of a shot: position, facing and every pose channel.</summary>
public sealed record CharacterCurves(string Name, string Rig, IReadOnlyList<int> KeyFrames, IReadOnlyList<double> X,
    IReadOnlyList<int> Facing, IReadOnlyDictionary<string, float[]> Pose, IReadOnlyDictionary<string, float[]> KeyedPose);

/// <summary>A shot's motion curves: every character's channels and the camera's zoom and pan, one sample per frame.</summary>
public sealed record ShotCurves(string Shot, int Fps, int Frames, IReadOnlyList<CharacterCurves> Characters,
    IReadOnlyList<double> CameraZoom, IReadOnlyList<double> CameraPanX);

/// <summary>
/// FLUX's motion curves for inspection: exactly what <see cref="MotionInterpolator"/> and <see cref="CameraPath"/>
/// give the renderer at each frame, so an animator can plot spacing, eases, holds and the gait cycle.
/// </summary>
public static class MotionCurves
{
    static readonly System.Reflection.PropertyInfo[] Channels =
        typeof(Pose).GetProperties().Where(p => p.PropertyType == typeof(float) && p.CanRead).OrderBy(p => p.MetadataToken).ToArray();

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static ShotCurves Sample(ShotSpec spec)
    {
        int n = spec.FrameCount;
        var characters = spec.Characters.Select(c =>
        {
            var states = Enumerable.Range(0, n).Select(f => MotionInterpolator.Evaluate(c, f, spec.Fps)).ToList();
            Dictionary<string, float[]> Channel(Func<MotionState, Pose> pick) =>
                Channels.ToDictionary(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name), p => states.Select(s => (float)p.GetValue(pick(s))!).ToArray());
            return new CharacterCurves(c.Name, c.Rig, c.Keyframes.Select(k => k.Frame).ToList(), states.Select(s => s.X).ToList(),
                states.Select(s => s.Facing).ToList(), Channel(s => s.Pose), Channel(s => s.KeyedPose));
        }).ToList();
        var camera = Enumerable.Range(0, n).Select(f => CameraPath.At(spec.Camera, f)).ToList();
        return new ShotCurves(spec.Id, spec.Fps, n, characters, camera.Select(c => c.Zoom).ToList(), camera.Select(c => c.PanX).ToList());
    }

    public static string ToJson(IReadOnlyList<ShotCurves> shots) => JsonSerializer.Serialize(shots, Json);
}
