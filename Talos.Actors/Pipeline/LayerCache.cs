using Talos.Gpu.Imaging;
using Talos.Vault;

namespace Talos.Actors.Pipeline;

/// <summary>
/// Decoded RGBA layers of this node, by vault hash: a layer that many frames share (a still shot's background, the same
/// blob on every frame) is read and decoded once instead of once per frame. The hash names the bytes, so a kept image is
/// the blob's image whichever vault holds it. Bounded in bytes (the least recently used go first); the images are shared
/// and must not be changed.
/// </summary>
public static class LayerCache
{
    /// <summary>At most this many bytes of decoded pixels are kept: two 1280×720 layers (one per chunk slot).</summary>
    public const long Budget = 2L * 1280 * 720 * 16;

    static readonly object Gate = new();
    static readonly LinkedList<(string Hash, RgbaImage Image)> Entries = new();
    static long held;

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
        long size = image.PixelCount * 16L;
        if (size > Budget) return image;
        lock (Gate)
        {
            if (Entries.Any(e => e.Hash == hash)) return image; // decoded side by side: the kept one is the same pixels
            Entries.AddFirst((hash, image));
            held += size;
            while (held > Budget)
            {
                held -= Entries.Last!.Value.Image.PixelCount * 16L;
                Entries.RemoveLast();
            }
        }
        return image;
    }
}
