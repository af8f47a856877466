using Talos.Messages.Specs;

namespace Talos.Tests.Support;

public static class Samples
{
    /// <summary>A small but complete shot: two rig characters with keys, palette, smoke, camera, dialogue.</summary>
    public static ShotSpec Shot(string id = "sh01", string production = "test", int width = 160, int height = 90, int fps = 12,
        double seconds = 2, bool effects = true) => new()
    {
        Id = id,
        Production = production,
        Fps = fps,
        Resolution = new Resolution(width, height),
        DurationSeconds = seconds,
        Title = "EXT. HARBOUR - NIGHT",
        Background = "dusk",
        Lighting = "key-left",
        Characters =
        [
            new CharacterSpec
            {
                Name = "MARA", Rig = "lanky",
                Keyframes = [new PoseKey { Frame = 0, Pose = "idle", X = 0.3 }, new PoseKey { Frame = (int)(seconds * fps) - 1, Pose = "walk", Emotion = "joy", X = 0.55 }],
                Palette = new Dictionary<string, string> { ["shirt"] = "#aa3322" },
            },
            new CharacterSpec
            {
                Name = "TOBIAS", Rig = "stocky",
                Keyframes = [new PoseKey { Frame = 0, Pose = "gesture", Emotion = "anger", X = 0.75, Facing = -1 }],
            },
        ],
        Effects = effects ? [new EffectSpec { Type = "smoke", X = 0.5, Y = 0.8, StartFrame = 0 }] : [],
        Camera = [new CameraMove { Frame = 0, Move = "wide" }],
        Dialogue = [new DialogueLine("MARA", "The tide is turning.", 0, 10, "quietly")],
    };
}

public static class Repo
{
    /// <summary>The repository root (the folder with Talos.sln), found by walking up from the test binaries.</summary>
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Talos.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("Talos.sln not found above " + AppContext.BaseDirectory);
        }
    }

    public static string Corpus(string name) => Path.Combine(Root, "..", "shared", "corpus", "fountain", name);

    public static string TempDir(string prefix)
    {
        var d = Path.Combine(Path.GetTempPath(), $"talos-{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(d);
        return d;
    }
}
