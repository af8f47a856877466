using Talos.Gpu.Imaging;

namespace Talos.Gpu.Axis;

/// <summary>The built-in rigs: "lanky" (tall and thin), "stocky" (short and broad, in a coat), "round" (round body in a dress).</summary>
public static class Rigs
{
    public static readonly Rig Lanky = new()
    {
        Name = "lanky", Height = 1.06f,
        HeadRx = 0.068f, HeadRy = 0.082f, Neck = 0.04f, NeckRadius = 0.018f,
        TorsoLength = 0.31f, ShoulderHalfWidth = 0.075f, HipHalfWidth = 0.058f,
        UpperArm = 0.175f, LowerArm = 0.165f, ArmRadius = 0.021f, HandRadius = 0.024f,
        UpperLeg = 0.225f, LowerLeg = 0.225f, LegRadius = 0.03f, ShoeLength = 0.085f, ShoeHeight = 0.03f,
        Outfit = Outfit.Shirt, Hair = HairStyle.Spiky,
        ArmRegion = "shirt", BodyRegion = "shirt", LegRegion = "trousers", FootRegion = "shoes",
        DefaultPalette = Palette(("skin", "#f2c29b"), ("hair", "#6b3f22"), ("shirt", "#3f8fd0"),
            ("trousers", "#3a4a6b"), ("shoes", "#8a4b2a"), ("eyes", "#f7f7f2")),
    };

    public static readonly Rig Stocky = new()
    {
        Name = "stocky", Height = 1.1f,
        HeadRx = 0.095f, HeadRy = 0.1f, Neck = 0.02f, NeckRadius = 0.035f,
        TorsoLength = 0.29f, ShoulderHalfWidth = 0.14f, HipHalfWidth = 0.11f,
        UpperArm = 0.15f, LowerArm = 0.14f, ArmRadius = 0.042f, HandRadius = 0.04f,
        UpperLeg = 0.165f, LowerLeg = 0.16f, LegRadius = 0.055f, ShoeLength = 0.11f, ShoeHeight = 0.045f,
        Outfit = Outfit.Coat, Hair = HairStyle.Crew,
        ArmRegion = "coat", BodyRegion = "coat", LegRegion = "trousers", FootRegion = "boots",
        DefaultPalette = Palette(("skin", "#d9a27a"), ("hair", "#2e2a28"), ("coat", "#b5532f"),
            ("trousers", "#4d5a3a"), ("boots", "#3b2a20"), ("eyes", "#f7f7f2")),
    };

    public static readonly Rig Round = new()
    {
        Name = "round", Height = 1.08f,
        HeadRx = 0.105f, HeadRy = 0.105f, Neck = 0.015f, NeckRadius = 0.025f,
        TorsoLength = 0.3f, ShoulderHalfWidth = 0.1f, HipHalfWidth = 0.12f,
        UpperArm = 0.14f, LowerArm = 0.13f, ArmRadius = 0.028f, HandRadius = 0.032f,
        UpperLeg = 0.15f, LowerLeg = 0.14f, LegRadius = 0.032f, ShoeLength = 0.085f, ShoeHeight = 0.035f,
        Outfit = Outfit.Dress, Hair = HairStyle.Bob,
        ArmRegion = "skin", BodyRegion = "dress", LegRegion = "skin", FootRegion = "shoes",
        DefaultPalette = Palette(("skin", "#f5cfae"), ("hair", "#c9652b"), ("dress", "#4fa86b"),
            ("shoes", "#b83a55"), ("eyes", "#f7f7f2")),
    };

    static readonly Dictionary<string, Rig> ByName = new(StringComparer.Ordinal)
    {
        [Lanky.Name] = Lanky, [Stocky.Name] = Stocky, [Round.Name] = Round,
    };

    /// <summary>The rig names, in a stable order.</summary>
    public static IReadOnlyList<string> Names { get; } = ["lanky", "stocky", "round"];

    /// <summary>The rig called <paramref name="name"/>; throws ArgumentException naming it and the known rigs otherwise.</summary>
    public static Rig Get(string name) =>
        name is not null && ByName.TryGetValue(name, out var rig) ? rig
            : throw new ArgumentException($"unknown rig '{name}'; known rigs: {string.Join(", ", Names)}", nameof(name));

    static IReadOnlyDictionary<string, Rgb> Palette(params (string Region, string Hex)[] entries)
    {
        var d = new Dictionary<string, Rgb>(StringComparer.Ordinal);
        foreach (var (region, hex) in entries) d.Add(region, Rgb.FromHex(hex));
        return d;
    }
}
