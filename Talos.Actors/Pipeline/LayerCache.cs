using Talos.Gpu.Imaging;
using Talos.Vault;

namespace Talos.Actors.Pipeline;

/// <summary>
/// Decoded RGBA layers of this node, by vault hash: a layer that many frames share (a still shot's background, the same
/// blob on every frame) is read and decoded once instead of once per frame. The hash names the bytes, so a kept image is
/// the blob's image whichever vault holds it. Bounded in layers, whatever their size (the least recently used go first: a
/// 3840×2160 background is the one most worth keeping); the images are shared and must not be changed.
/// </summary>
public static class LayerCache
{
    /// <summary>At most this many layers are kept: one per chunk slot of a node (two by default).</summary>
    public const int Kept = 2;

    static readonly object Gate = new();
    static readonly LinkedList<(string Hash, RgbaImage Image)> Entries = new();

    /// <summary>The RGBA layer stored under <paramref name="hash"/>: kept, or read from <paramref name="vault"/> and decoded.</summary>
    public static RgbaImage Rgba(IBlobVault vault, string hash)
    {
        ArgumentNullException.ThrowIfNull(vault);
        lock (Gate)
            for (var node = Entries.First; node is not null; node = node.Next)
                if (node.Value.Hash == hash)
                {
                    Entries.Remove(node);
                    Entries.AddFirst(node);
                    return node.Value.Image;
                }
        var image = FrameCodec.DecodeRgba(vault.Get(hash));
        lock (Gate)
        {
            if (Entries.Any(e => e.Hash == hash)) return image; // decoded side by side: the kept one is the same pixels
            Entries.AddFirst((hash, image));
            while (Entries.Count > Kept) Entries.RemoveLast();
        }
        return image;
    }

    static readonly LinkedList<(string Hash, int ExposureBits, byte[] Srgb)> SrgbEntries = new();

    /// <summary>
    /// The 8-bit sRGB bytes of the layer stored under <paramref name="hash"/> alone at <paramref name="exposure"/> (ANIMA's
    /// tone map of a still shot's background, the same on every frame): kept, or made by <paramref name="make"/>. At most
    /// <see cref="Kept"/> are kept (the least recently used go first); the bytes are shared and must not be changed.
    /// </summary>
    public static byte[] Srgb(string hash, float exposure, Func<byte[]> make)
    {
        ArgumentNullException.ThrowIfNull(make);
        int bits = BitConverter.SingleToInt32Bits(exposure);
        lock (Gate)
            for (var node = SrgbEntries.First; node is not null; node = node.Next)
                if (node.Value.Hash == hash && node.Value.ExposureBits == bits)
                {
                    SrgbEntries.Remove(node);
                    SrgbEntries.AddFirst(node);
                    return node.Value.Srgb;
                }
        var srgb = make();
        lock (Gate)
        {
            if (SrgbEntries.Any(e => e.Hash == hash && e.ExposureBits == bits)) return srgb; // made side by side: the same bytes
            SrgbEntries.AddFirst((hash, bits, srgb));
            while (SrgbEntries.Count > Kept) SrgbEntries.RemoveLast();
        }
        return srgb;
    }

    /// <summary>Drops every kept layer and sRGB image (a node about to edit a film, which reads none of them: at 3840×2160
    /// they are ~0.3 GB); a caller still using one keeps it, and the next <see cref="Rgba"/> decodes afresh.</summary>
    public static void Clear()
    {
        lock (Gate) { Entries.Clear(); SrgbEntries.Clear(); }
    }
}
