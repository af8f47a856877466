using System.Globalization;
using FFMpegCore;
using Talos.Gpu.Anima;
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Cuttura;

/// <summary>
/// The deliveries made from ANIMA's linear-light frames (premultiplied, BT.709 primaries, 1.0 = SDR white):
/// <list type="bullet">
/// <item><c>hdr10</c>: HEVC Main10 (libx265, yuv420p10le) in MP4, BT.2020 primaries and matrix, PQ (SMPTE ST 2084),
/// with mastering-display (BT.2020 primaries, D65, 1000/0.0001 cd/m²) and content-light-level SEI. Linear 1.0 is
/// <see cref="DeliveryPixels.SdrWhiteNits"/>; highlights above it keep their light up to the 1000-nit peak.</item>
/// <item><c>prores</c>: ProRes 4444 (prores_ks, yuva444p10le) with alpha in MOV, BT.709, the SDR tone map at 16 bits.</item>
/// <item><c>png16</c>: a directory of 16-bit RGBA PNGs (frame_000000.png …), sRGB, the SDR tone map, straight alpha.</item>
/// </list>
/// </summary>
public static class DeliveryEncoder
{
    public static IReadOnlyList<string> Deliveries => Prism.SpecVocabulary.Deliveries;

    /// <summary>MaxCLL/MaxFALL written into the content-light-level SEI (cd/m²).</summary>
    public const int MaxCll = 1000, MaxFall = 400;

    /// <summary>The x265 HDR10 parameters: BT.2020 mastering primaries and D65 white in 0.00002 units, luminance in 0.0001 cd/m².</summary>
    static string X265Params => string.Create(CultureInfo.InvariantCulture,
        $"hdr10=1:hdr10-opt=1:repeat-headers=1:colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc:range=limited:" +
        $"master-display=G(8500,39850)B(6550,2300)R(35400,14600)WP(15635,16450)L({(int)DeliveryPixels.PeakNits * 10000},1):" +
        $"max-cll={MaxCll},{MaxFall}:log-level=error");

    /// <summary>The file name extension a delivery is written with ("" for a PNG directory).</summary>
    public static string Extension(string delivery) => delivery switch
    {
        "sdr" or "hdr10" => ".mp4",
        "prores" => ".mov",
        "png16" => "",
        _ => throw new CutturaException($"unknown delivery '{delivery}' (expected {string.Join(", ", Deliveries)})"),
    };

    /// <summary>Encodes linear-light frames as <paramref name="delivery"/> (hdr10, prores or png16; sdr goes through
    /// <see cref="VideoEncoder.EncodeH264Async"/> from 8-bit frames). png16 writes a directory and takes no audio.</summary>
    public static Task EncodeAsync(string delivery, IEnumerable<RgbaImage> linearFrames, int width, int height, int fps, string outputPath,
        string? audioPath = null, double audioOffsetSeconds = 0, Action<int>? onFrame = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(linearFrames);
        // one array of encoder pixels for the whole film: the encoder writes a frame to ffmpeg's pipe before it asks for the
        // next (a 3840×2160 HDR10 frame is 50 MB)
        IEnumerable<byte[]> Frames(Func<RgbaImage, byte[]?, byte[]> convert)
        {
            byte[]? pixels = null;
            return linearFrames.Select(f =>
            {
                if (f is null || f.Width != width || f.Height != height)
                    throw new CutturaException($"a frame is {f?.Width ?? 0}x{f?.Height ?? 0}, the delivery is {width}x{height}");
                return pixels = convert(f, pixels);
            });
        }
        switch (delivery)
        {
            case "hdr10":
                if (width % 2 != 0 || height % 2 != 0) throw new CutturaException($"video size {width}x{height} has an odd side; HEVC 4:2:0 needs even width and height");
                return VideoEncoder.EncodeRawAsync(new VideoEncoder.RawFormat("rgb48le", 48, "HEVC Main10 HDR10", "mp4"), Frames(DeliveryPixels.ToPq48),
                    width, height, fps, outputPath, audioPath, audioOffsetSeconds, onFrame, ct, o =>
                        o.WithCustomArgument("-vf scale=in_range=pc:out_color_matrix=bt2020:out_range=tv,format=yuv420p10le")
                         .WithCustomArgument("-c:v libx265 -preset fast -crf 18 -profile:v main10 -tag:v hvc1")
                         .WithPixelFormat("yuv420p10le")
                         .WithCustomArgument($"-x265-params {X265Params}")
                         .WithCustomArgument("-colorspace bt2020nc -color_primaries bt2020 -color_trc smpte2084 -color_range tv"));
            case "prores":
                return VideoEncoder.EncodeRawAsync(new VideoEncoder.RawFormat("rgba64le", 64, "ProRes 4444", "mov"), Frames(DeliveryPixels.ToSdr64),
                    width, height, fps, outputPath, audioPath, audioOffsetSeconds, onFrame, ct, o =>
                        o.WithCustomArgument("-vf scale=in_range=pc:out_color_matrix=bt709:out_range=tv,format=yuva444p10le")
                         .WithCustomArgument("-c:v prores_ks -profile:v 4444 -vendor apl0 -alpha_bits 16")
                         .WithPixelFormat("yuva444p10le")
                         .WithCustomArgument("-colorspace bt709 -color_primaries bt709 -color_trc bt709 -color_range tv"));
            case "png16":
                return VideoEncoder.EncodeRawAsync(new VideoEncoder.RawFormat("rgba64le", 64, "a 16-bit PNG sequence", "image2", Audio: false),
                    Frames(DeliveryPixels.ToSdr64), width, height, fps, outputPath, audioPath, audioOffsetSeconds, onFrame, ct, o =>
                        o.WithCustomArgument("-c:v png").WithPixelFormat("rgba64be"));
            case "sdr":
                throw new CutturaException("the sdr delivery is encoded from 8-bit frames (VideoEncoder.EncodeH264Async)");
            default:
                throw new CutturaException($"unknown delivery '{delivery}' (expected {string.Join(", ", Deliveries)})");
        }
    }
}
