using System.Text.Json;
using System.Text.Json.Serialization;
using Talos.Gpu.Axis;
using Talos.Messages.Specs;

namespace Talos.Gpu.Prism.Commercials;

/// <summary>A rectangle in frame pixels: [X0, X1) × [Y0, Y1), y down.</summary>
public sealed record LayoutBox(double X0, double Y0, double X1, double Y1)
{
    public static LayoutBox From(Bounds b) => new(Math.Round(b.MinX, 2), Math.Round(b.MinY, 2), Math.Round(b.MaxX, 2), Math.Round(b.MaxY, 2));
    public bool Inside(LayoutBox outer) => X0 >= outer.X0 && Y0 >= outer.Y0 && X1 <= outer.X1 && Y1 <= outer.Y1;
}

/// <summary>A title's placed box (what it really covers once set) on the film frames <see cref="In"/>..<see cref="Out"/>.</summary>
public sealed record LayoutTitle(string Shot, string Role, string? Text, LayoutBox Box, int In, int Out);

public sealed record LayoutKey(int Frame, LayoutBox Box);

/// <summary>A character in a shot: its box at each key and over all of the shot's frames.</summary>
public sealed record LayoutCharacter(string Name, IReadOnlyList<LayoutKey> Keys, LayoutBox Extent);

/// <summary>A shot of the deliverable: where it starts in the film, its length, its camera, its characters.</summary>
public sealed record LayoutShot(string Id, int Start, int Frames, string Background, IReadOnlyList<CameraMove> Camera, IReadOnlyList<LayoutCharacter> Characters);

/// <summary>
/// What a deliverable's frame holds, written beside its video as <c>NAME.layout.json</c>: the frame size and rate, the
/// title-safe and action-safe rectangles, every shot's characters' ink boxes (from AXIS's drawing, at every key and over
/// the whole shot) and every title's placed box. Tests and reviewers read it to check that nothing leaves the safe area.
/// </summary>
public sealed record DeliverableLayout(string Format, int Width, int Height, int Fps, int Frames, LayoutBox TitleSafe, LayoutBox ActionSafe,
    IReadOnlyList<LayoutShot> Shots, IReadOnlyList<LayoutTitle> Titles)
{
    static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>The layout of <paramref name="specs"/> (in cut order, already at the format's size) with the titles set over them.</summary>
    public static DeliverableLayout Of(string format, IReadOnlyList<ShotSpec> specs, Bounds titleSafe, Bounds actionSafe, IReadOnlyList<LayoutTitle> titles)
    {
        int start = 0;
        var shots = new List<LayoutShot>();
        foreach (var s in specs)
        {
            var chars = Reframing.Measure(s).Select(m => new LayoutCharacter(m.Character,
                m.Keys.Select(k => new LayoutKey(k.Frame, LayoutBox.From(k.Box))).ToList(), LayoutBox.From(m.Extent))).ToList();
            shots.Add(new LayoutShot(s.Id, start, s.FrameCount, s.Background, s.Camera, chars));
            start += s.FrameCount;
        }
        var first = specs[0];
        return new DeliverableLayout(format, first.Resolution.Width, first.Resolution.Height, first.Fps, start,
            LayoutBox.From(titleSafe), LayoutBox.From(actionSafe), shots, titles);
    }

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    public static DeliverableLayout Parse(string json) =>
        JsonSerializer.Deserialize<DeliverableLayout>(json, Options) ?? throw new InvalidDataException("layout JSON is null");

    /// <summary>Beside a video: spot.9x16.mp4 → spot.9x16.layout.json.</summary>
    public static string PathFor(string video) =>
        Path.Combine(Path.GetDirectoryName(video) ?? "", Path.GetFileNameWithoutExtension(video) + ".layout.json");
}
