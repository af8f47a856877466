using Talos.Gpu.Cuttura.Audio;
using Talos.Messages.Specs;

namespace Talos.Gpu.Prism;

/// <summary>How a scene graph becomes shot specs: output format, scene range (1-based, inclusive), total length cap, production name,
/// and the cast that dresses the characters (null: built-in rigs round-robin).</summary>
public sealed record RenderSettings(int Width = 1280, int Height = 720, int Fps = 24, int? FirstScene = null, int? LastScene = null,
    double? MaxSeconds = null, string Production = "film", Cast? Cast = null);

/// <summary>
/// <see cref="SceneGraph"/> → the <see cref="ShotSpec"/>s the cluster renders, in cut order (docs/scenegraph.md, "Planning"):
/// ids sc01-sh02, Sequence 1…n; rigs lanky/stocky/round round-robin by first appearance in the whole graph, except the characters
/// the settings' <see cref="Cast"/> names, who wear its rig, palette and voice (a cast name not in the graph is an error); characters spread
/// across the frame facing the centre; key poses from the shot's beats (walkers and runners cross the frame, speakers gesture
/// while they talk); camera moves from the camera direction; effects from cues; dialogue with frame ranges.
/// </summary>
public static class ShotPlanner
{
    public static IReadOnlyList<ShotSpec> ToShotSpecs(SceneGraph graph, RenderSettings settings)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(settings);
        Validate(settings);
        if (graph.Scenes.Count == 0) throw new PrismException("the scene graph has no scenes");

        int first = settings.FirstScene ?? 1, last = settings.LastScene ?? int.MaxValue;
        var selected = graph.Scenes.Where(s => s.Number >= first && s.Number <= last).ToList();
        if (selected.Count == 0)
            throw new PrismException($"scene range {first}-{(settings.LastScene is { } l ? l.ToString() : "end")} selects no scene: '{graph.Source}' has {graph.Scenes.Count} scene(s)");

        settings.Cast?.CheckNames(graph.Characters, $"'{graph.Source}'");
        var rigs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var c in graph.Characters) rigs[c] = SpecVocabulary.Rigs[rigs.Count % SpecVocabulary.Rigs.Count];

        int fps = settings.Fps;
        long budget = settings.MaxSeconds is { } m ? (long)Math.Floor(m * fps + 1e-9) : long.MaxValue;
        var specs = new List<ShotSpec>();
        foreach (var scene in selected)
            foreach (var shot in scene.Shots)
            {
                if (budget <= 0) return specs;
                int frames = Math.Max(1, (int)Math.Round(shot.DurationSeconds * fps, MidpointRounding.AwayFromZero));
                if (frames > budget) frames = (int)budget; // the last shot is trimmed; the rest is dropped
                budget -= frames;
                specs.Add(Plan(graph, scene, shot, frames, specs.Count + 1, settings, rigs));
            }
        return specs;
    }

    static void Validate(RenderSettings s)
    {
        if (Limits.WidthProblem(s.Width) is { } w) throw new PrismException($"width {w}");
        if (Limits.HeightProblem(s.Height) is { } h) throw new PrismException($"height {h}");
        if (Limits.FpsProblem(s.Fps) is { } f) throw new PrismException($"fps {f}");
        if (s.FirstScene is < 1) throw new PrismException($"first scene {s.FirstScene} must be 1 or more");
        if (s.LastScene is < 1) throw new PrismException($"last scene {s.LastScene} must be 1 or more");
        if (s.FirstScene is { } a && s.LastScene is { } b && a > b) throw new PrismException($"scene range {a}-{b} is inverted");
        if (s.MaxSeconds is { } m && (!double.IsFinite(m) || m <= 0)) throw new PrismException($"max seconds {m} must be a positive number");
        if (!Identifiers.IsSafeId(s.Production, out var why)) throw new PrismException($"production name {why}");
    }

    static ShotSpec Plan(SceneGraph graph, SceneNode scene, ShotNode shot, int frames, int sequence, RenderSettings settings, Dictionary<string, string> rigs)
    {
        int lastFrame = frames - 1;
        int fps = settings.Fps;
        int ToFrame(double seconds) => Math.Clamp((int)Math.Round(seconds * fps, MidpointRounding.AwayFromZero), 0, lastFrame);

        var dialogue = shot.Lines
            .Where(l => ToFrame(l.StartSeconds) <= lastFrame && l.StartSeconds * fps < frames)
            .Select(l =>
            {
                int a = ToFrame(l.StartSeconds);
                int b = Math.Clamp((int)Math.Round(l.EndSeconds * fps, MidpointRounding.AwayFromZero) - 1, a, lastFrame);
                return new DialogueLine(l.Character, l.Text, a, b, l.Parenthetical);
            }).ToList();

        int n = shot.Characters.Count;
        var characters = new List<CharacterSpec>(n);
        for (int i = 0; i < n; i++)
        {
            var name = shot.Characters[i];
            double x = n == 1 ? 0.5 : 0.2 + 0.6 * i / (n - 1);
            int facing = x < 0.5 ? 1 : x > 0.5 ? -1 : (i == 0 ? 1 : -1);
            var pose = shot.Beats.FirstOrDefault(b => b.Character == name)?.Pose ?? "idle";
            var character = new CharacterSpec
            {
                Name = name,
                Rig = rigs.TryGetValue(name, out var rig) ? rig : SpecVocabulary.Rigs[0],
                Keyframes = Keys(name, pose, x, facing, shot.Emotion, lastFrame, dialogue),
            };
            characters.Add(settings.Cast?.Dress(character) ?? character);
        }

        var effects = shot.Effects.Select((type, k) => new EffectSpec
        {
            Type = type,
            X = shot.Effects.Count == 1 ? 0.5 : 0.25 + 0.5 * k / (shot.Effects.Count - 1),
            Y = type == "mist" ? 0.6 : 0.85,
            StartFrame = 0,
            EndFrame = lastFrame,
            Strength = 1.0,
        }).ToList();

        double focusX = FocusX(shot, characters);
        var camera = Camera(shot.Camera, lastFrame, focusX);

        var title = scene.Heading.Length > 0 ? scene.Heading : graph.Title ?? $"scene {scene.Number}";
        return new ShotSpec
        {
            Id = $"sc{scene.Number:00}-sh{shot.Index:00}",
            Production = settings.Production,
            Sequence = sequence,
            Fps = fps,
            Resolution = new Resolution(settings.Width, settings.Height),
            DurationSeconds = frames / (double)fps,
            Characters = characters,
            Background = scene.Background,
            Lighting = shot.Lighting,
            Effects = effects,
            Camera = camera,
            Dialogue = dialogue,
            // PRISM's sound cues come from the shot's action, which opens the shot: each plays from frame 0 (ambiences fill the shot).
            // Cues a studio's lexicon adds that the effects library lacks need an asset, which a screenplay cannot name: they are left out.
            Sounds = shot.Sounds.Where(SoundEffects.Names.Contains).Select(n => new SoundCue(n, 0)).ToList(),
            Transition = shot.TransitionIn,
            Title = title.Length > 200 ? title[..200] : title,
            Mood = shot.Emotion,
        };
    }

    /// <summary>Key poses for one character. Walk/run: crosses 0.3 of the frame in the facing direction, linear. Speaker: gestures
    /// from the start of each of their lines and returns to their pose after it. Everyone holds their pose otherwise.</summary>
    static List<PoseKey> Keys(string name, string pose, double x, int facing, string emotion, int lastFrame, List<DialogueLine> dialogue)
    {
        var keys = new SortedDictionary<int, PoseKey>();
        bool moves = pose is "walk" or "run";
        keys[0] = new PoseKey { Frame = 0, Pose = pose, Emotion = emotion, X = x, Facing = facing, Ease = moves ? "linear" : "ease-in-out" };
        if (moves && lastFrame > 0)
        {
            double travel = pose == "run" ? 0.4 : 0.25;
            double endX = Math.Clamp(x + facing * travel, 0.05, 0.95);
            keys[lastFrame] = new PoseKey { Frame = lastFrame, Pose = pose, Emotion = emotion, X = endX, Facing = facing, Ease = "linear" };
            return keys.Values.ToList(); // a walker keeps walking while talking
        }
        var rest = pose == "gesture" ? "idle" : pose;
        if (dialogue.Any(d => d.Character == name))
        {
            keys[0] = keys[0] with { Pose = rest };
            foreach (var d in dialogue.Where(d => d.Character == name))
            {
                keys[d.StartFrame] = new PoseKey { Frame = d.StartFrame, Pose = "gesture", Emotion = emotion, X = x, Facing = facing };
                if (d.EndFrame + 1 <= lastFrame && !keys.ContainsKey(d.EndFrame + 1))
                    keys[d.EndFrame + 1] = new PoseKey { Frame = d.EndFrame + 1, Pose = rest, Emotion = emotion, X = x, Facing = facing };
            }
        }
        return keys.Values.ToList();
    }

    /// <summary>Where the camera looks: the first on-screen speaker, else the centre.</summary>
    static double FocusX(ShotNode shot, List<CharacterSpec> characters)
    {
        foreach (var l in shot.Lines)
            if (characters.FirstOrDefault(c => c.Name == l.Character) is { Keyframes.Count: > 0 } c) return c.Keyframes[0].X;
        return 0.5;
    }

    static List<CameraMove> Camera(string move, int lastFrame, double focusX)
    {
        double pan = Math.Round(focusX - 0.5, 4);
        return move switch
        {
            "close" => [new CameraMove { Frame = 0, Move = "close", Zoom = 2.0, PanX = pan }],
            "medium" => [new CameraMove { Frame = 0, Move = "medium", Zoom = 1.4, PanX = Math.Round(pan * 0.5, 4) }],
            "wide" => [new CameraMove { Frame = 0, Move = "wide", Zoom = 1.0, PanX = 0 }],
            "pan" when lastFrame > 0 => [new CameraMove { Frame = 0, Move = "pan", Zoom = 1.2, PanX = -0.1 }, new CameraMove { Frame = lastFrame, Move = "pan", Zoom = 1.2, PanX = 0.1 }],
            "dolly" when lastFrame > 0 => [new CameraMove { Frame = 0, Move = "dolly", Zoom = 1.0, PanX = 0 }, new CameraMove { Frame = lastFrame, Move = "dolly", Zoom = 1.6, PanX = pan }],
            _ => [new CameraMove { Frame = 0, Move = "static", Zoom = 1.0, PanX = 0 }],
        };
    }
}
