namespace Talos.Messages.Specs;

/// <summary>Every vault asset a spec names, with its kind: keyframe drawings, background plates (layer images and depth maps),
/// and sound (music, recorded dialogue, sound effects).</summary>
public static class SpecAssets
{
    public const string KeyframeImage = "keyframe-image", PlateImage = "plate-image", DepthMap = "depth-map", Audio = "audio";

    public static IEnumerable<(string Name, string Kind)> Of(ShotSpec spec) =>
        spec.Characters.SelectMany(c => c.KeyframeImages.Select(k => (k.Asset, KeyframeImage)))
            .Concat((spec.Plate?.Layers ?? []).Select(l => (l.Image, PlateImage)))
            .Concat((spec.Plate?.Layers ?? []).Where(l => l.DepthMap is not null).Select(l => (l.DepthMap!, DepthMap)))
            .Concat(spec.Audio is { } a ? [(a.Asset, Audio)] : [])
            .Concat(spec.Dialogue.Where(d => d.Audio is not null).Select(d => (d.Audio!, Audio)))
            .Concat(spec.Sounds.Where(c => c.Asset is not null).Select(c => (c.Asset!, Audio)));
}
