using System.Text.Json;
using StbImageWriteSharp;
using Talos.Gpu.Imaging;
using Talos.Vault;

namespace Talos.Cluster.Seed.Api;

/// <summary>A final frame (8-bit sRGB in the vault) scaled down with a box filter and written as PNG.</summary>
public static class Thumbnails
{
    public static byte[] Png(IBlobVault vault, string framesHash, int frame, int width)
    {
        var frames = JsonSerializer.Deserialize<List<string>>(vault.Get(framesHash)) ?? throw new InvalidDataException("frame list is empty");
        var (rgb, w, h) = FrameCodec.DecodeRgb24(vault.Get(frames[frame]));
        int tw = Math.Min(width, w), th = Math.Max(1, (int)Math.Round((double)h * tw / w));
        var small = new byte[tw * th * 3];
        for (int y = 0; y < th; y++)
        {
            int y0 = y * h / th, y1 = Math.Max(y0 + 1, (y + 1) * h / th);
            for (int x = 0; x < tw; x++)
            {
                int x0 = x * w / tw, x1 = Math.Max(x0 + 1, (x + 1) * w / tw);
                int r = 0, g = 0, b = 0, n = 0;
                for (int yy = y0; yy < y1; yy++)
                    for (int xx = x0; xx < x1; xx++)
                    {
                        int i = (yy * w + xx) * 3;
                        r += rgb[i]; g += rgb[i + 1]; b += rgb[i + 2]; n++;
                    }
                int o = (y * tw + x) * 3;
                small[o] = (byte)((r + n / 2) / n); small[o + 1] = (byte)((g + n / 2) / n); small[o + 2] = (byte)((b + n / 2) / n);
            }
        }
        using var ms = new MemoryStream();
        new ImageWriter().WritePng(small, tw, th, ColorComponents.RedGreenBlue, ms);
        return ms.ToArray();
    }
}
