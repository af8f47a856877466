using Talos.Gpu.Cuttura.Audio;
using Talos.Messages.Specs;

namespace Talos.Gpu.Prism;

/// <summary>
/// Shots for `talos visualize --style characters`: the three built-in rigs (lanky, stocky, round) side by side, each
/// hitting a new pose on every beat (keys on the beat frames, eased in so the move lands on the beat) and turning on
/// each downbeat; the track cut into shots of at most <see cref="ShotSeconds"/> seconds. A plain function of the music.
/// </summary>
public static class DancePlanner
{
    public const double ShotSeconds = 8;
    static readonly string[] Rigs = ["lanky", "stocky", "round"];
    static readonly double[] Xs = [0.25, 0.5, 0.75];
    /// <summary>The dance: poses that differ in arms and legs, so that each beat is a visible change.</summary>
    static readonly string[] Moves = ["wave", "fight", "point", "gesture", "idle", "run"];
    static readonly string[] Moods = ["joy", "surprise", "joy", "calm"];

    public static IReadOnlyList<ShotSpec> Shots(MusicFrames music, int width, int height, string production)
    {
        if (music.BeatFrames.Length == 0) throw new ArgumentException("no beats to dance to", nameof(music));
        int fps = music.Fps, total = music.Frames, per = (int)(ShotSeconds * fps);
        var down = music.DownbeatFrames.ToHashSet();
        var shots = new List<ShotSpec>();
        for (int start = 0, i = 0; start < total; start += per, i++)
        {
            int n = Math.Min(per, total - start);
            var beats = music.BeatFrames.Where(f => f >= start && f < start + n).ToArray();
            var characters = Rigs.Select((rig, c) =>
            {
                int facing = c == 0 ? 1 : c == 2 ? -1 : 1;
                int beatIndex = Array.FindLastIndex(music.BeatFrames, f => f < start);
                var keys = new List<PoseKey> { Key(0, beatIndex, c, facing, "hold") }; // the pose of the beat before the shot (-1: before the first)
                foreach (var f in beats)
                {
                    int b = Array.IndexOf(music.BeatFrames, f);
                    if (down.Contains(f) && c == 1) facing = -facing; // the middle dancer turns on the bar
                    if (f - start == 0) { keys[0] = Key(0, b, c, facing, "hold"); continue; }
                    keys.Add(Key(f - start, b, c, facing, "ease-in"));
                }
                return new CharacterSpec { Name = rig.ToUpperInvariant(), Rig = rig, Keyframes = keys };
            }).ToList();
            shots.Add(new ShotSpec
            {
                Id = $"dance-{i + 1:000}", Production = production, Sequence = i, Fps = fps,
                Resolution = new Resolution(width, height), Frames = new FrameRange(0, n - 1),
                Characters = characters, Background = "studio", Lighting = "key-left", Mood = Moods[i % Moods.Length],
                Camera = [new CameraMove { Frame = 0, Move = "wide", Zoom = 1.1 }],
                Title = $"dance {i + 1}",
            });
        }
        return shots;
    }

    static PoseKey Key(int frame, int beat, int character, int facing, string ease) => new()
    {
        Frame = frame, Pose = Moves[((beat + 2 * character) % Moves.Length + Moves.Length) % Moves.Length], Emotion = "joy",
        X = Xs[character], Facing = facing, Ease = ease,
    };
}
