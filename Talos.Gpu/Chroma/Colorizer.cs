using System.Text.Json;
using StbImageWriteSharp;
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Chroma;

/// <summary>CHROMA's outputs of a coloured frame: the colour layer, the region-index image and the palette table.</summary>
public static class Colorizer
{
    /// <summary>The colour layer: regions painted from the table, the ink composited over them (premultiplied linear).</summary>
    public static RgbaImage Render(GrayImage lines, RegionColours regions, IReadOnlyList<PaletteEntry> table, Rgb ink) =>
        ChromaFill.Paint(lines, regions.Labels, regions.Paints(table), ink);

    /// <summary><see cref="Render(GrayImage, RegionColours, IReadOnlyList{PaletteEntry}, Rgb)"/> into <paramref name="buffers"/> when given; zero outside <paramref name="painted"/>.</summary>
    public static RgbaImage Render(GrayImage lines, RegionColours regions, IReadOnlyList<PaletteEntry> table, Rgb ink, FillBuffers? buffers, out FrameCodec.Box painted) =>
        ChromaFill.Paint(lines, regions.Labels, regions.Paints(table), ink, buffers, out painted);

    /// <summary><see cref="Render(GrayImage, RegionColours, IReadOnlyList{PaletteEntry}, Rgb, FillBuffers?, out FrameCodec.Box)"/> of lines that are zero outside <paramref name="linesWithin"/>.</summary>
    public static RgbaImage Render(GrayImage lines, FrameCodec.Box linesWithin, RegionColours regions, IReadOnlyList<PaletteEntry> table, Rgb ink, FillBuffers? buffers, out FrameCodec.Box painted) =>
        ChromaFill.Paint(lines, linesWithin, regions.Labels, regions.Paints(table), ink, buffers, out painted);

    /// <summary>The region-index image as an RGB PNG: index = R·65536 + G·256 + B (0 = ink or outside).</summary>
    public static byte[] RegionIndexPng(LabelImage labels)
    {
        var px = new byte[labels.Data.Length * 3];
        for (int i = 0; i < labels.Data.Length; i++)
        {
            int l = labels.Data[i];
            px[3 * i] = (byte)(l >> 16); px[3 * i + 1] = (byte)(l >> 8); px[3 * i + 2] = (byte)l;
        }
        using var ms = new MemoryStream();
        new ImageWriter().WritePng(px, labels.Width, labels.Height, ColorComponents.RedGreenBlue, ms);
        return ms.ToArray();
    }

    /// <summary>The palette table as JSON: every entry of the table, and per region its index, entry and pixel count.</summary>
    public static string PaletteTableJson(RegionColours regions, IReadOnlyList<PaletteEntry> table)
    {
        var area = new int[regions.Labels.RegionCount + 1];
        foreach (int l in regions.Labels.Data) area[l]++;
        var doc = new
        {
            entries = table.Select((e, k) => new { index = k, name = e.Name, colour = Hex(e.Colour) }).ToList(),
            regions = Enumerable.Range(1, regions.Labels.RegionCount).Select(l => new
            {
                index = l,
                pixels = area[l],
                entry = regions.EntryOfRegion[l] >= 0 ? table[regions.EntryOfRegion[l]].Name : null,
                colour = regions.EntryOfRegion[l] >= 0 ? Hex(table[regions.EntryOfRegion[l]].Colour) : null,
            }).ToList(),
        };
        return JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true });
    }

    public static string Hex(Rgb c)
    {
        int B(float v) => (int)MathF.Round(255f * ColorMath.LinearToSrgb(Math.Clamp(v, 0f, 1f)));
        return $"#{B(c.R):x2}{B(c.G):x2}{B(c.B):x2}";
    }
}

/// <summary>"Colour one frame, colour the shot": a sequence of drawings coloured from an artist's coloured first frame.</summary>
public static class SequenceColorizer
{
    /// <summary>
    /// Frame 0's regions take the key's colours (<see cref="LabelPropagation.FromKey"/>); every later frame takes the
    /// previous one's along the flow (<see cref="LabelPropagation.Propagate(GrayImage, RegionColours, GrayImage, out PropagationStats, int, Talos.Gpu.Flux.FlowOptions?)"/>).
    /// Colours the key shows that the table lacks are appended to <paramref name="table"/>. Frames are yielded as they are done.
    /// </summary>
    public static IEnumerable<(RegionColours Regions, PropagationStats? Stats)> Run(IReadOnlyList<GrayImage> frames, RgbaImage key,
        List<PaletteEntry> table, int gapRadius = RegionLabeller.DefaultGapRadius, CancellationToken cancel = default)
    {
        if (frames.Count == 0) yield break;
        var current = LabelPropagation.FromKey(frames[0], key, table, gapRadius);
        yield return (current, null);
        for (int f = 1; f < frames.Count; f++)
        {
            cancel.ThrowIfCancellationRequested();
            if (frames[f].Width != frames[0].Width || frames[f].Height != frames[0].Height)
                throw new InvalidDataException($"frame {f} is {frames[f].Width}x{frames[f].Height}, frame 0 is {frames[0].Width}x{frames[0].Height}");
            current = LabelPropagation.Propagate(frames[f - 1], current, frames[f], out var stats, gapRadius);
            yield return (current, stats);
        }
    }
}
