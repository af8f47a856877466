using SkiaSharp;
using Talos.Messages.Specs;

namespace Talos.Gpu.Cuttura.Titles;

/// <summary>
/// Titles, lower thirds, subtitles, end cards and logos over a film: a list of elements, each drawn on its frames with
/// its animation. <see cref="Layout"/> places every element in a frame of a given size (the layout data tests and the
/// commercial's checks read); <see cref="Draw"/> composites the elements visible at a frame onto an RGB24 frame
/// (anti-aliased; per text: shadow, then outline, then fill). Layouts and decoded logos are cached per frame size; a scene
/// may be drawn from several threads.
/// </summary>
public sealed class TitleScene
{
    readonly FontLibrary _fonts;
    readonly object _gate = new();
    readonly Dictionary<(int W, int H), IReadOnlyList<ElementLayout>> _layouts = [];
    readonly Dictionary<int, LogoImage> _logos = [];
    readonly Dictionary<(int W, int H, int Index), List<(PlacedGlyph Glyph, SKPath Path)>> _paths = [];

    public IReadOnlyList<SceneElement> Elements { get; }

    public TitleScene(IEnumerable<SceneElement> elements, FontLibrary? fonts = null)
    {
        ArgumentNullException.ThrowIfNull(elements);
        Elements = elements.ToList();
        _fonts = fonts ?? FontLibrary.Shared;
        for (int i = 0; i < Elements.Count; i++)
        {
            var e = Elements[i] ?? throw new CutturaException($"scene element #{i} is null");
            if (e.StartFrame < 0 || e.EndFrame <= e.StartFrame)
                throw new CutturaException($"scene element #{i} shows on frames [{e.StartFrame}, {e.EndFrame}); it needs 0 <= start < end");
            if (e.Animation.Problem(e.EndFrame - e.StartFrame) is { } p) throw new CutturaException($"scene element #{i}: {p}");
            if (e is TitleElement t && t.Text is null) throw new CutturaException($"scene element #{i} has no text");
            if (e is LogoElement l) _logos[i] = LogoImage.Decode(l.Image);
        }
    }

    /// <summary>The frame after the last one any element shows on (0 for an empty scene).</summary>
    public int EndFrame => Elements.Count == 0 ? 0 : Elements.Max(e => e.EndFrame);

    /// <summary>Every element placed in a <paramref name="width"/>×<paramref name="height"/> frame, at rest (no animation).</summary>
    public IReadOnlyList<ElementLayout> Layout(int width, int height)
    {
        CheckSize(width, height);
        lock (_gate)
            if (_layouts.TryGetValue((width, height), out var known)) return known;
        var list = new List<ElementLayout>(Elements.Count);
        for (int i = 0; i < Elements.Count; i++) list.Add(Place(i, width, height));
        lock (_gate) _layouts[(width, height)] = list;
        return list;
    }

    /// <summary>The elements visible at <paramref name="frame"/>, with their boxes and glyphs moved and scaled by the animation at that frame.</summary>
    public IReadOnlyList<ElementLayout> Boxes(int width, int height, int frame)
    {
        var result = new List<ElementLayout>();
        foreach (var l in Layout(width, height))
        {
            if (!l.Element.VisibleAt(frame)) continue;
            var m = Transform(l, width, height, l.Element.Animation.At(frame, l.Element.StartFrame, l.Element.EndFrame));
            result.Add(l with
            {
                Box = m.MapRect(l.Box),
                Ink = m.MapRect(l.Ink),
                Glyphs = l.Glyphs.Select(g => g with { Origin = m.MapPoint(g.Origin), Box = m.MapRect(g.Box) }).ToList(),
            });
        }
        return result;
    }

    /// <summary>
    /// Draws every element visible at <paramref name="frame"/> over <paramref name="rgb24"/> (a width×height RGB24 frame,
    /// rows top to bottom). Pixels outside the visible elements' ink are not touched.
    /// </summary>
    public void Draw(Span<byte> rgb24, int width, int height, int frame)
    {
        CheckSize(width, height);
        if (rgb24.Length != (long)width * height * 3)
            throw new CutturaException($"frame buffer has {rgb24.Length} bytes; a {width}x{height} RGB24 frame has {(long)width * height * 3}");
        var visible = new List<(ElementLayout Layout, AnimationState State, SKMatrix M)>();
        SKRect region = SKRect.Empty;
        foreach (var l in Layout(width, height))
        {
            if (!l.Element.VisibleAt(frame)) continue;
            var s = l.Element.Animation.At(frame, l.Element.StartFrame, l.Element.EndFrame);
            if (s.Opacity <= 0 || s.Scale <= 0) continue;
            var m = Transform(l, width, height, s);
            visible.Add((l, s, m));
            var ink = m.MapRect(l.Ink);
            if (region.IsEmpty) region = ink;
            else region.Union(ink);
        }
        if (visible.Count == 0) return;
        var outward = new SKRectI((int)Math.Floor(region.Left), (int)Math.Floor(region.Top), (int)Math.Ceiling(region.Right), (int)Math.Ceiling(region.Bottom));
        var r = SKRectI.Intersect(outward, new SKRectI(0, 0, width, height));
        if (r.Width <= 0 || r.Height <= 0) return;

        using var bitmap = new SKBitmap(new SKImageInfo(r.Width, r.Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var px = bitmap.GetPixelSpan();
        var pixels = System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(px), px.Length);
        CopyRegion(rgb24, width, r, pixels, intoBitmap: true);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Translate(-r.Left, -r.Top);
            foreach (var (l, s, m) in visible) DrawElement(canvas, l, s, m, width, height);
        }
        CopyRegion(rgb24, width, r, pixels, intoBitmap: false);
    }

    /// <summary>Copies rectangle <paramref name="r"/> of an RGB24 frame into an opaque RGBA bitmap of its size, or back.</summary>
    static void CopyRegion(Span<byte> rgb24, int width, SKRectI r, Span<byte> rgba, bool intoBitmap)
    {
        for (int y = 0; y < r.Height; y++)
        {
            var frame = rgb24.Slice(((r.Top + y) * width + r.Left) * 3, r.Width * 3);
            var bitmap = rgba.Slice(y * r.Width * 4, r.Width * 4);
            for (int x = 0; x < r.Width; x++)
            {
                if (intoBitmap)
                {
                    frame.Slice(x * 3, 3).CopyTo(bitmap.Slice(x * 4, 3));
                    bitmap[x * 4 + 3] = 255;
                }
                else bitmap.Slice(x * 4, 3).CopyTo(frame.Slice(x * 3, 3));
            }
        }
    }

    /// <summary>A new RGB24 frame of <paramref name="background"/> ("#rrggbb") with the scene drawn at <paramref name="frame"/>.</summary>
    public byte[] Render(int width, int height, int frame, string background = "#000000")
    {
        CheckSize(width, height);
        var bg = Colors.Parse(background);
        var rgb = new byte[width * height * 3];
        for (int i = 0; i < rgb.Length; i += 3) { rgb[i] = bg.Red; rgb[i + 1] = bg.Green; rgb[i + 2] = bg.Blue; }
        Draw(rgb, width, height, frame);
        return rgb;
    }

    static void CheckSize(int width, int height)
    {
        if (Limits.WidthProblem(width) is { } w && width is < 1 or > Limits.MaxWidth) throw new CutturaException($"frame width {w}");
        if (Limits.HeightProblem(height) is { } h && height is < 1 or > Limits.MaxHeight) throw new CutturaException($"frame height {h}");
    }

    ElementLayout Place(int index, int width, int height)
    {
        var e = Elements[index];
        if (e.Box.Problem(width, height) is { } bp) throw new CutturaException($"scene element #{index}: {bp}");
        var box = e.Box.ToPixels(width, height);
        switch (e)
        {
            case TitleElement t:
            {
                if (t.Style.Problem(height) is { } sp) throw new CutturaException($"scene element #{index}: {sp}");
                // The block is set and anchored inside the box less the ink margin, so outline and shadow stay in the box too.
                float margin = Math.Min(t.Style.InkMargin, Math.Min(box.Width, box.Height) / 2 - 0.5f);
                var inner = box;
                inner.Inflate(-Math.Max(0, margin), -Math.Max(0, margin));
                var layout = Typesetter.Layout(t.Text, t.Style, Math.Max(1, inner.Width), _fonts);
                var at = FrameBox.Place(inner, layout.Width, layout.Height, t.Anchor);
                var block = SKRect.Create(at.X, at.Y, layout.Width, layout.Height);
                var glyphs = layout.GlyphsAt(at.X, at.Y).ToList();
                var ink = block;
                foreach (var g in glyphs) if (!g.Blank) ink.Union(g.Box);
                ink.Inflate(t.Style.InkMargin, t.Style.InkMargin);
                return new ElementLayout(index, e, block, ink, glyphs, layout);
            }
            case LogoElement:
            {
                var dest = _logos[index].Fit(box, e.Anchor);
                var ink = dest;
                ink.Inflate(1, 1);
                return new ElementLayout(index, e, dest, ink, [], null);
            }
            default:
                throw new CutturaException($"scene element #{index} is a {e.GetType().Name}, which a title scene cannot draw");
        }
    }

    /// <summary>The animation's move and scale (about the block's centre) as a matrix.</summary>
    static SKMatrix Transform(ElementLayout l, int width, int height, AnimationState s)
    {
        var m = SKMatrix.CreateTranslation((float)(s.OffsetX * width), (float)(s.OffsetY * height));
        if (s.Scale != 1) m = m.PreConcat(SKMatrix.CreateScale((float)s.Scale, (float)s.Scale, l.Box.MidX, l.Box.MidY));
        return m;
    }

    void DrawElement(SKCanvas canvas, ElementLayout l, AnimationState s, SKMatrix m, int width, int height)
    {
        canvas.Save();
        canvas.Concat(in m);
        byte alpha = (byte)Math.Clamp(Math.Round(s.Opacity * 255), 0, 255);
        if (l.Element is LogoElement)
        {
            using var paint = alpha < 255 ? new SKPaint { Color = SKColors.White.WithAlpha(alpha) } : null;
            _logos[l.Index].Draw(canvas, l.Box, paint);
        }
        else if (l.Text is { } text)
        {
            var style = text.Style;
            using var path = GlyphPath(l, width, height, s);
            if (alpha < 255)
            {
                using var layer = new SKPaint { Color = SKColors.White.WithAlpha(alpha) };
                canvas.SaveLayer(l.Ink, layer);
            }
            if (style.HasShadow)
            {
                using var shadow = new SKPaint
                {
                    IsAntialias = true, Color = Colors.Parse(style.ShadowColor),
                    Style = style.OutlineWidth > 0 ? SKPaintStyle.StrokeAndFill : SKPaintStyle.Fill, StrokeWidth = 2 * style.OutlineWidth,
                    StrokeJoin = SKStrokeJoin.Round,
                    MaskFilter = style.ShadowBlur > 0 ? SKMaskFilter.CreateBlur(SKBlurStyle.Normal, style.ShadowBlur) : null,
                };
                canvas.Save();
                canvas.Translate(style.ShadowX, style.ShadowY);
                canvas.DrawPath(path, shadow);
                canvas.Restore();
            }
            if (style.OutlineWidth > 0)
            {
                using var outline = new SKPaint
                {
                    IsAntialias = true, Color = Colors.Parse(style.OutlineColor), Style = SKPaintStyle.Stroke,
                    StrokeWidth = 2 * style.OutlineWidth, StrokeJoin = SKStrokeJoin.Round, StrokeCap = SKStrokeCap.Round,
                };
                canvas.DrawPath(path, outline);
            }
            using (var fill = new SKPaint { IsAntialias = true, Color = Colors.Parse(style.Color), Style = SKPaintStyle.Fill })
                canvas.DrawPath(path, fill);
            if (alpha < 255) canvas.Restore();
        }
        canvas.Restore();
    }

    /// <summary>The outlines of the glyphs that show in state <paramref name="s"/> (all, or the first words or letters of a reveal), in frame pixels.</summary>
    SKPath GlyphPath(ElementLayout l, int width, int height, AnimationState s)
    {
        var text = l.Text!;
        List<(PlacedGlyph Glyph, SKPath Path)> paths;
        lock (_gate)
        {
            if (!_paths.TryGetValue((width, height, l.Index), out paths!))
            {
                paths = [];
                foreach (var group in l.Glyphs.GroupBy(g => g.Typeface))
                {
                    using var font = Typesetter.MakeFont(group.Key, text.Style.Size);
                    foreach (var g in group)
                    {
                        if (font.GetGlyphPath(g.GlyphId) is { } p) paths.Add((g, p));
                    }
                }
                _paths[(width, height, l.Index)] = paths;
            }
        }
        int words = AnimationState.Shown(s.WordsShown, text.WordCount), letters = AnimationState.Shown(s.LettersShown, text.LetterCount);
        using var result = new SKPathBuilder();
        foreach (var (g, p) in paths)
        {
            if (g.SourceIndex < text.Text.Length)
            {
                int w = text.WordOf[g.SourceIndex], k = text.LetterOf[g.SourceIndex];
                if (w >= words || k >= letters) continue;
            }
            result.AddPath(p, g.Origin.X, g.Origin.Y, SKPathAddMode.Append);
        }
        return result.Detach();
    }
}
