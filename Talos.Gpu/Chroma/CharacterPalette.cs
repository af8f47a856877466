using Talos.Gpu.Axis;
using Talos.Gpu.Imaging;
using Talos.Messages.Specs;

namespace Talos.Gpu.Chroma;

/// <summary>The palette CHROMA fills one character with.</summary>
public static class CharacterPalette
{
    /// <summary>The rig's defaults, then the shot-wide overrides, then the character's own. <paramref name="asset"/> reads a rig file
    /// the character names by content (<see cref="RigAssets.Resolve"/>); null where only built-in (or already loaded) rigs occur.</summary>
    public static IReadOnlyDictionary<string, Rgb> For(ShotSpec spec, CharacterSpec c, Func<string, byte[]?>? asset = null)
    {
        var palette = new Dictionary<string, Rgb>(RigAssets.Resolve(c.Rig, asset).DefaultPalette);
        foreach (var overrides in new[] { spec.Palette, c.Palette })
            if (overrides is not null)
                foreach (var (region, hex) in overrides) palette[region] = Rgb.FromHex(hex);
        return palette;
    }
}
