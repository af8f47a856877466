namespace Talos.Messages.Specs;

/// <summary>Every vault asset a spec names, with its kind: keyframe drawings, rig files (<c>sha256/HASH</c>), background plates
/// (layer images and depth maps), and sound (music, recorded dialogue, sound effects). A rig's drawings are named inside its file
/// by their content, so the rig's hash covers them.</summary>
public static class SpecAssets
{
    public const string KeyframeImage = "keyframe-image", PlateImage = "plate-image", DepthMap = "depth-map", Audio = "audio", Rig = "rig";

    public static IEnumerable<(string Name, string Kind)> Of(ShotSpec spec) =>
        spec.Characters.Where(c => Identifiers.IsHashName(c.Rig)).Select(c => (c.Rig, Rig))
            .Concat(spec.Characters.SelectMany(c => c.KeyframeImages.Select(k => (k.Asset, KeyframeImage))))
            .Concat((spec.Plate?.Layers ?? []).Select(l => (l.Image, PlateImage)))
            .Concat((spec.Plate?.Layers ?? []).Where(l => l.DepthMap is not null).Select(l => (l.DepthMap!, DepthMap)))
            .Concat(spec.Audio is { } a ? [(a.Asset, Audio)] : [])
            .Concat(spec.Dialogue.Where(d => d.Audio is not null).Select(d => (d.Audio!, Audio)))
            .Concat(spec.Sounds.Where(c => c.Asset is not null).Select(c => (c.Asset!, Audio)));
}
