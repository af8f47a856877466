namespace Talos.Gpu.Prism;

/// <summary>
/// The names a shot spec may use, in one place. PRISM validates against these lists and plans shots with them;
/// the stage libraries (AXIS rigs/poses, AETHER presets, STOKES effects, CUTTURA transitions) must accept every name here.
/// Sizes, rates and identifier rules are <see cref="Talos.Messages.Specs.Limits"/> and <see cref="Talos.Messages.Specs.Identifiers"/>.
/// </summary>
public static class SpecVocabulary
{
    public static readonly IReadOnlyList<string> Rigs = ["lanky", "stocky", "round"];
    public static readonly IReadOnlyList<string> Poses = ["idle", "walk", "run", "point", "wave", "sit", "gesture", "fall", "fight"];
    public static readonly IReadOnlyList<string> Emotions = ["calm", "joy", "anger", "fear", "sadness", "surprise"];
    public static readonly IReadOnlyList<string> Eases = ["linear", "ease-in", "ease-out", "ease-in-out", "hold"];
    public static readonly IReadOnlyList<string> Effects = ["smoke", "fire", "magic", "mist", "steam", "explosion"]; // steam → mist, explosion → a bursting fire (STOKES Emitter.From)
    public static readonly IReadOnlyList<string> Backgrounds = ["day", "dusk", "night", "interior", "studio", "none"]; // none → transparent (Raygen.Backgrounds.None)
    public static readonly IReadOnlyList<string> Lightings = ["key-left", "key-right", "noon", "sunset", "moody"];
    public static readonly IReadOnlyList<string> Transitions = ["cut", "dissolve", "fade"];
    public static readonly IReadOnlyList<string> Deliveries = ["sdr", "hdr10", "prores", "png16"];
    /// <summary>Formats of the render passes (<c>layers</c>): OpenEXR or 16-bit PNG sequences.</summary>
    public static readonly IReadOnlyList<string> LayerFormats = ["exr", "png16"];
    /// <summary>FLUX's inbetweeners of keyframe images (<c>flux</c>): Talos's optical flow, or the RIFE v4.6 network.</summary>
    public static readonly IReadOnlyList<string> FluxMethods = ["classic", "rife"];
    public static readonly IReadOnlyList<string> CameraMoves = ["static", "pan", "dolly", "wide", "medium", "close"];

    /// <summary>A character's rig: a built-in (<see cref="Rigs"/>) or a rig file in the vault by its content, <c>sha256/HASH</c>.</summary>
    public static bool IsRig(string? rig) => rig is not null && (Rigs.Contains(rig) || Talos.Messages.Specs.Identifiers.IsHashName(rig));

    /// <summary>Why <paramref name="rig"/> is not a rig a spec may name.</summary>
    public static string RigProblem(string? rig) =>
        $"unknown rig '{Talos.Messages.Specs.Identifiers.Printable(rig)}' (a built-in rig: {OneOf(Rigs)}; or an uploaded rig file by its content, sha256/HASH)";

    /// <summary>"#rrggbb" (sRGB hex).</summary>
    public static bool IsColour(string? s)
    {
        if (s is null || s.Length != 7 || s[0] != '#') return false;
        for (int i = 1; i < 7; i++) if (!char.IsAsciiHexDigit(s[i])) return false;
        return true;
    }

    public static string OneOf(IReadOnlyList<string> names) => string.Join(", ", names);
}
