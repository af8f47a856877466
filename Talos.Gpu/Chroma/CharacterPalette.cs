using Talos.Gpu.Axis;
using Talos.Gpu.Imaging;
using Talos.Messages.Specs;

namespace Talos.Gpu.Chroma;

/// <summary>The palette CHROMA fills one character with.</summary>
public static class CharacterPalette
{
    /// <summary>The rig's defaults, then the shot-wide overrides, then the character's own.</summary>
    public static IReadOnlyDictionary<string, Rgb> For(ShotSpec spec, CharacterSpec c)
    {
        var palette = new Dictionary<string, Rgb>(Rigs.Get(c.Rig).DefaultPalette);
        foreach (var overrides in new[] { spec.Palette, c.Palette })
            if (overrides is not null)
                foreach (var (region, hex) in overrides) palette[region] = Rgb.FromHex(hex);
        return palette;
    }
}
