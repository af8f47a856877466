using Talos.Gpu.Imaging;

namespace Talos.Gpu.Anima;

/// <summary>How a layer combines with what is under it (all in premultiplied linear light).</summary>
public enum BlendMode
{
    /// <summary>Premultiplied "over".</summary>
    Normal,
    /// <summary>Light added on top (fire, magic, glows); alpha combines like screen.</summary>
    Add,
    /// <summary>Darkens what is under by the layer's colour where the layer is opaque.</summary>
    Multiply,
    /// <summary>Lightens what is under by the layer's colour (s + d − s·d): haze, mist, soft glows.</summary>
    Screen,
}

/// <summary>One layer of a composite; <paramref name="Opacity"/> scales the whole layer (colour and alpha).</summary>
public sealed record Layer(RgbaImage Image, BlendMode Mode = BlendMode.Normal, float Opacity = 1f)
{
    /// <summary>
    /// Where the layer may be non-zero, when its producer knows (the box a decoded layer was stored in): every pixel
    /// outside it is zero bits, so the CPU compositor reads only its rows and columns. Null: anywhere.
    /// </summary>
    public FrameCodec.Box? Within { get; init; }

    /// <summary>
    /// With <see cref="Within"/>, each of its rows' span when the producer knows it (a decoded layer:
    /// <see cref="FrameCodec.DecodeRgba(byte[], out FrameCodec.Box, out int[])"/>): row <c>Within.Y + k</c> is zero bits
    /// outside the columns [<c>RowSpans[2k]</c>, <c>RowSpans[2k + 1]</c>), whose first and last pixels are not (equal: the
    /// row is all zero bits), so the CPU compositor need not search the row. Null: searched.
    /// </summary>
    public int[]? RowSpans { get; init; }
}
