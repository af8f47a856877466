using System.Text;
using SkiaSharp;
using Svg.Skia;

namespace Talos.Gpu.Cuttura.Titles;

/// <summary>A decoded logo: a vector picture (SVG) or a raster image (PNG), with its natural size in pixels.</summary>
public sealed class LogoImage : IDisposable
{
    readonly SKPicture? _picture;
    readonly SKImage? _image;
    readonly SKSvg? _svg;

    public float Width { get; }
    public float Height { get; }
    public bool IsVector => _picture is not null;

    LogoImage(SKSvg svg, SKPicture picture, SKRect cull)
    {
        _svg = svg;
        _picture = picture;
        Width = cull.Width;
        Height = cull.Height;
        Origin = new SKPoint(cull.Left, cull.Top);
    }

    LogoImage(SKImage image)
    {
        _image = image;
        Width = image.Width;
        Height = image.Height;
    }

    SKPoint Origin { get; }

    /// <summary>Decodes SVG or PNG bytes (told apart by their first bytes); anything else, or a file that does not parse, is a clear error.</summary>
    public static LogoImage Decode(byte[] bytes)
    {
        if (bytes is null || bytes.Length == 0) throw new CutturaException("logo image is empty");
        if (bytes.Length > 64 << 20) throw new CutturaException($"logo image has {bytes.Length} bytes; at most 64 MiB are allowed");
        if (IsPng(bytes))
        {
            var image = SKImage.FromEncodedData(bytes);
            if (image is null || image.Width <= 0 || image.Height <= 0)
            {
                image?.Dispose();
                throw new CutturaException("logo PNG is corrupt: Skia cannot decode it");
            }
            return new LogoImage(image);
        }
        if (IsSvg(bytes))
        {
            var svg = new SKSvg();
            SKPicture? picture;
            try
            {
                using var stream = new MemoryStream(bytes, writable: false);
                picture = svg.Load(stream);
            }
            catch (Exception e)
            {
                svg.Dispose();
                throw new CutturaException($"logo SVG does not parse: {e.Message}", e);
            }
            var cull = picture?.CullRect ?? SKRect.Empty;
            if (picture is null || cull.Width <= 0 || cull.Height <= 0)
            {
                svg.Dispose();
                throw new CutturaException("logo SVG does not parse into a drawing with a size (give the <svg> a width and height or a viewBox)");
            }
            return new LogoImage(svg, picture, cull);
        }
        throw new CutturaException("logo image is neither a PNG nor an SVG document");
    }

    public static bool IsPng(ReadOnlySpan<byte> b) => b.Length >= 8 && b[..8].SequenceEqual<byte>([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);

    /// <summary>An XML document whose first element is &lt;svg&gt; (after a BOM, an XML declaration, comments, a doctype).</summary>
    public static bool IsSvg(byte[] b)
    {
        var head = Encoding.UTF8.GetString(b, 0, Math.Min(b.Length, 4096)).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        return head.StartsWith('<') && head.Contains("<svg", StringComparison.Ordinal);
    }

    /// <summary>The rectangle the image takes when fitted (aspect kept) into <paramref name="box"/> at <paramref name="anchor"/>.</summary>
    public SKRect Fit(SKRect box, Anchor anchor)
    {
        float s = Math.Min(box.Width / Width, box.Height / Height);
        float w = Width * s, h = Height * s;
        var p = FrameBox.Place(box, w, h, anchor);
        return SKRect.Create(p.X, p.Y, w, h);
    }

    /// <summary>Draws the image into <paramref name="dest"/> (bicubic for rasters), through <paramref name="paint"/> (opacity).</summary>
    public void Draw(SKCanvas canvas, SKRect dest, SKPaint? paint)
    {
        if (_picture is not null)
        {
            var m = SKMatrix.CreateScale(dest.Width / Width, dest.Height / Height);
            m = m.PreConcat(SKMatrix.CreateTranslation(-Origin.X, -Origin.Y));
            m = m.PostConcat(SKMatrix.CreateTranslation(dest.Left, dest.Top));
            canvas.DrawPicture(_picture, in m, paint);
        }
        else if (_image is not null)
        {
            canvas.DrawImage(_image, dest, new SKSamplingOptions(SKCubicResampler.Mitchell), paint);
        }
    }

    public void Dispose()
    {
        _image?.Dispose();
        _svg?.Dispose();
    }
}
