using StbImageWriteSharp;
using Talos.Gpu.Aether;
using Talos.Gpu.Anima;
using Talos.Gpu.Axis;
using Talos.Gpu.Chroma;
using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;
using Talos.Gpu.Raygen;
using Talos.Messages.Specs;

namespace Talos.Gpu.Prism.Boards;

/// <summary>One shot of the board: where it sits in the graph and the shot spec PRISM planned for it.</summary>
public sealed record BoardShot(SceneNode Scene, ShotNode Shot, ShotSpec Spec);

/// <summary>An 8-bit sRGB picture, rows top to bottom, 3 bytes a pixel.</summary>
public sealed record Rgb24(byte[] Data, int Width, int Height)
{
    public byte[] ToPng()
    {
        using var ms = new MemoryStream();
        new ImageWriter().WritePng(Data, Width, Height, ColorComponents.RedGreenBlue, ms);
        return ms.ToArray();
    }
}

/// <summary>
/// PRISM's storyboard: every shot drawn like a frame of the film at its first frame — the AETHER background (or the
/// shot's background plate) under the shot's light rig, the characters posed by AXIS and filled by CHROMA, lit and shadowed by RAYGEN, framed by the shot's
/// camera and composited by ANIMA (no STOKES effects: a board shows staging) — lettered with the built-in
/// <see cref="BitmapFont"/>. <see cref="ContactSheet"/> lays the panels out in a grid; <see cref="AnimaticFrame"/> is one
/// panel at video size with a caption.
/// </summary>
public static class Storyboard
{
    static readonly Rgb Ink = Rgb.FromHex("#1b1620");
    static readonly (byte, byte, byte) Paper = (246, 243, 236), PanelBorder = (20, 20, 24), TextInk = (28, 28, 34), Accent = (150, 40, 30),
        Grey = (95, 95, 105), White = (255, 255, 255);

    /// <summary>The shots of scenes <paramref name="firstScene"/>…<paramref name="lastScene"/> with their specs planned at the given size.</summary>
    /// <param name="cast">dresses the planned characters (docs/cast.md): its rigs and palettes are drawn on the panels</param>
    public static List<BoardShot> Shots(SceneGraph graph, int width, int height, int fps, int? firstScene = null, int? lastScene = null, Cast? cast = null)
    {
        var specs = ShotPlanner.ToShotSpecs(graph, new RenderSettings(width, height, fps, firstScene, lastScene, Cast: cast));
        var shots = graph.Scenes.Where(s => s.Number >= (firstScene ?? 1) && s.Number <= (lastScene ?? int.MaxValue))
            .SelectMany(s => s.Shots.Select(x => (s, x))).ToList();
        if (shots.Count != specs.Count) throw new InvalidOperationException($"planned {specs.Count} specs for {shots.Count} shots");
        return shots.Select((p, i) => new BoardShot(p.s, p.x, specs[i])).ToList();
    }

    /// <summary>
    /// Frame <paramref name="frame"/> of a shot spec, drawn by the same stage code the render pipeline chains: its characters
    /// in their rigs (a rig file's by content, <c>sha256/HASH</c>) and palettes, over its AETHER preset or background plate.
    /// </summary>
    /// <param name="asset">an asset's bytes by name (null when absent), for rig files, their drawings and plate images; null: built-in rigs and presets only</param>
    public static Rgb24 RenderFrame(ShotSpec spec, int frame = 0, Func<string, byte[]?>? asset = null)
    {
        int w = spec.Resolution.Width, h = spec.Resolution.Height;
        var camera = CameraPath.At(spec.Camera, frame);
        var light = AetherPresets.Lighting(spec.Lighting);
        var layers = new List<(RgbaImage Layer, float GroundY)>();
        foreach (var ch in spec.Characters)
        {
            if (ch.Keyframes.Count == 0) continue; // artists' drawings are not on a board planned from text
            var rig = RigAssets.Resolve(ch.Rig, asset);
            var state = MotionInterpolator.Evaluate(ch, frame, spec.Fps, rig);
            var drawing = LineArt.Draw(rig, state.Pose, state.X, state.Facing, camera, w, h);
            var filled = ChromaFill.Fill(drawing.Lines, drawing.Seeds, CharacterPalette.For(spec, ch, asset), Ink, out _);
            layers.Add((filled, drawing.GroundY));
        }
        float groundY = layers.Count > 0 ? layers[0].GroundY : LineArt.GroundLine(camera, h);
        var bg = spec.Plate is { } plate
            ? PlatePainter.Render(Plate.Load(plate, asset ?? (name => throw new InvalidDataException($"background plate image '{name}': a board of a plate shot needs its images"))), camera, w, h, groundY, null, light)
            : Backgrounds.Render(spec.Background, light, camera, w, h, groundY, null); // none: over black, as the SDR film
        var stack = new List<Layer> { new(bg) };
        foreach (var (layer, ground) in layers)
        {
            Lighting.CastShadow(bg, layer, light, ground);
            stack.Add(new Layer(Lighting.LightLayer(layer, light)));
        }
        return new Rgb24(Compositor.ToSrgb8(Compositor.Composite(w, h, stack), 1f), w, h);
    }

    /// <summary>"SC 3  SHOT 2  MEDIUM · 2.4 S".</summary>
    public static string Label(BoardShot b) =>
        $"SC {b.Scene.Number}{(b.Scene.SceneNumber is { } n ? $" (#{n})" : "")}  SHOT {b.Shot.Index}  {b.Shot.Camera.ToUpperInvariant()}  {b.Shot.DurationSeconds:0.0}S";

    /// <summary>The first dialogue line ("BRICK: Are they cold?"), else the start of the action.</summary>
    public static string Caption(BoardShot b) =>
        b.Shot.Lines.Count > 0 ? $"{b.Shot.Lines[0].Character}: {b.Shot.Lines[0].Text}" : b.Shot.Action.Length > 0 ? b.Shot.Action : "";

    /// <summary>A contact sheet: a title line, then one panel per shot in rows of <paramref name="columns"/>, each with a black
    /// border and, under it, the scene heading, the shot number with its camera direction, and the first dialogue line.</summary>
    /// <param name="cast">dresses the characters (their rigs and palettes on the panels)</param>
    public static Rgb24 ContactSheet(SceneGraph graph, int? firstScene = null, int? lastScene = null, int columns = 4, int panelWidth = 240, int panelHeight = 136, Cast? cast = null)
    {
        if (columns is < 1 or > 64) throw new PrismException($"columns {columns} must be from 1 to 64");
        if (panelWidth is < 64 or > 1920 || panelHeight is < 36 or > 1080) throw new PrismException($"panel size {panelWidth}x{panelHeight} is out of range (64x36 … 1920x1080)");
        var shots = Shots(graph, panelWidth & ~1, panelHeight & ~1, 24, firstScene, lastScene, cast);
        const int margin = 16, gap = 14, border = 2, header = 34;
        int captionLines = 4, caption = 6 + captionLines * BitmapFont.LineHeight;
        int cellW = panelWidth + 2 * border, cellH = panelHeight + 2 * border + caption;
        int cols = Math.Min(columns, shots.Count), rows = (shots.Count + cols - 1) / cols;
        int w = 2 * margin + cols * cellW + (cols - 1) * gap;
        int h = 2 * margin + header + rows * cellH + (rows - 1) * gap;
        if ((long)w * h > 200_000_000) throw new PrismException($"the board would be {w}x{h} pixels: select fewer scenes (--scenes) or more columns");
        var sheet = new byte[w * h * 3];
        Fill(sheet, w, 0, 0, w, h, Paper);

        var title = graph.Title ?? graph.Source;
        var range = firstScene is null && lastScene is null ? "" : $"  SCENES {firstScene ?? 1}-{lastScene?.ToString() ?? graph.Scenes.Count.ToString()}";
        BitmapFont.Draw(sheet, w, h, margin, margin, title, TextInk, 2);
        BitmapFont.Draw(sheet, w, h, margin, margin + 2 * BitmapFont.GlyphHeight + 5,
            $"STORYBOARD  {shots.Count} SHOTS  {shots.Sum(s => s.Shot.DurationSeconds):0.0} S{range}", Grey);

        int maxChars = (cellW + 1) / BitmapFont.Advance;
        for (int i = 0; i < shots.Count; i++)
        {
            var b = shots[i];
            int cx = margin + (i % cols) * (cellW + gap), cy = margin + header + (i / cols) * (cellH + gap);
            Fill(sheet, w, cx, cy, cellW, panelHeight + 2 * border, PanelBorder);
            var panel = RenderFrame(b.Spec, 0, cast is null ? null : cast.Asset);
            for (int y = 0; y < panel.Height; y++)
                Buffer.BlockCopy(panel.Data, y * panel.Width * 3, sheet, ((cy + border + y) * w + cx + border) * 3, panel.Width * 3);
            // Shot number in the panel's corner, as boards are marked.
            var tag = $"{b.Scene.Number}.{b.Shot.Index}";
            Fill(sheet, w, cx + border, cy + border, BitmapFont.Measure(tag) + 6, BitmapFont.GlyphHeight + 6, PanelBorder);
            BitmapFont.Draw(sheet, w, h, cx + border + 3, cy + border + 3, tag, White);

            int ty = cy + panelHeight + 2 * border + 5;
            var heading = b.Scene.Heading.Length > 0 ? b.Scene.Heading : "(BEFORE THE FIRST SCENE)";
            BitmapFont.Draw(sheet, w, h, cx, ty, BitmapFont.Wrap(heading, maxChars, 1).FirstOrDefault() ?? "", TextInk);
            var label = Label(b) + (b.Shot.TransitionIn != "cut" ? $"  {b.Shot.TransitionIn.ToUpperInvariant()} IN" : "");
            BitmapFont.Draw(sheet, w, h, cx, ty + BitmapFont.LineHeight, BitmapFont.Wrap(label, maxChars, 1).FirstOrDefault() ?? "", Accent);
            var lines = BitmapFont.Wrap(Caption(b), maxChars, captionLines - 2);
            for (int k = 0; k < lines.Count; k++)
                BitmapFont.Draw(sheet, w, h, cx, ty + (2 + k) * BitmapFont.LineHeight, lines[k], b.Shot.Lines.Count > 0 ? TextInk : Grey);
        }
        return new Rgb24(sheet, w, h);
    }

    /// <summary>One animatic frame: the shot's panel at video size with its label at the top and the first dialogue line as a subtitle.</summary>
    /// <param name="asset">as for <see cref="RenderFrame"/>: rig files, drawings and plate images by name</param>
    public static Rgb24 AnimaticFrame(BoardShot b, Func<string, byte[]?>? asset = null)
    {
        var frame = RenderFrame(b.Spec, 0, asset);
        int w = frame.Width, h = frame.Height;
        int scale = Math.Max(1, h / 240);
        int lineH = BitmapFont.LineHeight * scale;
        var label = Label(b);
        Shade50(frame.Data, w, 0, 0, BitmapFont.Measure(label, scale) + 8 * scale, lineH + 4 * scale);
        BitmapFont.Draw(frame.Data, w, h, 4 * scale, 3 * scale, label, White, scale);
        if (b.Shot.Lines.Count > 0)
        {
            var lines = BitmapFont.Wrap(Caption(b), (w - 16 * scale) / (BitmapFont.Advance * scale), 2);
            int y0 = h - (lines.Count * lineH + 8 * scale);
            Shade50(frame.Data, w, 0, y0, w, h - y0);
            for (int k = 0; k < lines.Count; k++)
                BitmapFont.Draw(frame.Data, w, h, (w - BitmapFont.Measure(lines[k], scale)) / 2, y0 + 4 * scale + k * lineH, lines[k], White, scale);
        }
        return frame;
    }

    static void Fill(byte[] rgb, int width, int x, int y, int w, int h, (byte R, byte G, byte B) c)
    {
        int height = rgb.Length / 3 / width;
        for (int yy = Math.Max(0, y); yy < Math.Min(height, y + h); yy++)
            for (int xx = Math.Max(0, x); xx < Math.Min(width, x + w); xx++)
            {
                int o = (yy * width + xx) * 3;
                rgb[o] = c.R; rgb[o + 1] = c.G; rgb[o + 2] = c.B;
            }
    }

    static void Shade50(byte[] rgb, int width, int x, int y, int w, int h)
    {
        int height = rgb.Length / 3 / width;
        for (int yy = Math.Max(0, y); yy < Math.Min(height, y + h); yy++)
            for (int xx = Math.Max(0, x); xx < Math.Min(width, x + w); xx++)
            {
                int o = (yy * width + xx) * 3;
                rgb[o] = (byte)(rgb[o] * 2 / 5); rgb[o + 1] = (byte)(rgb[o + 1] * 2 / 5); rgb[o + 2] = (byte)(rgb[o + 2] * 2 / 5);
            }
    }
}
