namespace Talos.Messages.Specs;

/// <summary>Every vault asset a spec names, with its kind: keyframe drawings, and sound (music, recorded dialogue, sound effects).</summary>
public static class SpecAssets
{
    public const string KeyframeImage = "keyframe-image", Audio = "audio";

    public static IEnumerable<(string Name, string Kind)> Of(ShotSpec spec) =>
        spec.Characters.SelectMany(c => c.KeyframeImages.Select(k => (k.Asset, KeyframeImage)))
            .Concat(spec.Audio is { } a ? [(a.Asset, Audio)] : [])
            .Concat(spec.Dialogue.Where(d => d.Audio is not null).Select(d => (d.Audio!, Audio)))
            .Concat(spec.Sounds.Where(c => c.Asset is not null).Select(c => (c.Asset!, Audio)));
}
