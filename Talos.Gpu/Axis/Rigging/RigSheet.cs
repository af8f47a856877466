using Talos.Gpu.Axis.LipSync;
using Talos.Gpu.Chroma;
using Talos.Gpu.Cuttura.Titles;
using Talos.Gpu.Imaging;
using Talos.Gpu.Prism.Boards;

namespace Talos.Gpu.Axis.Rigging;

/// <summary>
/// A rig's model sheet: every pose (rows) × every emotion (columns), the mouth set (A–H and X, close on the mouth) and
/// the palette swatches, each labelled, drawn by the same AXIS line art and CHROMA fill as a shot and lettered by
/// CUTTURA's title typesetting. The sheet shows the poses and emotions the rig file names.
/// </summary>
public static class RigSheet
{
    public const int Cell = 200, MouthCell = 120, Margin = 16, LabelWidth = 96, HeaderHeight = 26, TitleHeight = 40, SwatchWidth = 96;

    static readonly Rgb Ink = ColourModel.DefaultInk;
    static readonly Rgb Paper = Rgb.FromHex("#f6f3ec");
    const string TextColour = "#1c1c22";

    /// <summary>The pose names and emotion names the sheet shows for <paramref name="rig"/>.</summary>
    public static (IReadOnlyList<string> Poses, IReadOnlyList<string> Emotions) Names(Rig rig) =>
        (rig.Body.Poses.Keys.ToList(), rig.Body.Emotions.Count > 0 ? rig.Body.Emotions.Keys.ToList() : ["(none)"]);

    /// <summary>Does the rig draw a swappable mouth (a part in the mouth slot)?</summary>
    public static bool HasMouth(Rig rig) => rig.Body.Parts.Any(p => p.Slot == "mouth");

    public static Rgb24 Render(Rig rig)
    {
        ArgumentNullException.ThrowIfNull(rig);
        var (poses, emotions) = Names(rig);
        var palette = rig.DefaultPalette;
        var mouths = Enum.GetValues<MouthShape>();
        int gridW = LabelWidth + emotions.Count * Cell;
        int mouthW = LabelWidth + mouths.Length * MouthCell;
        int swatchW = LabelWidth + palette.Count * SwatchWidth;
        int w = 2 * Margin + Math.Max(Math.Max(gridW, mouthW), swatchW);
        int gridTop = Margin + TitleHeight + HeaderHeight;
        int mouthTop = gridTop + poses.Count * Cell + Margin;
        bool hasMouth = HasMouth(rig);
        int swatchTop = mouthTop + (hasMouth ? HeaderHeight + MouthCell + Margin : 0);
        int h = swatchTop + HeaderHeight + 48 + Margin;
        if ((long)w * h > 64L << 20) throw new ArgumentException($"rig sheet of {poses.Count} poses x {emotions.Count} emotions would be {w}x{h} pixels; too large");

        var rgb = new byte[w * h * 3];
        Fill(rgb, w, 0, 0, w, h, Paper);
        var labels = new List<SceneElement>
        {
            Label($"{rig.Name} — {poses.Count} poses × {emotions.Count} emotions", Margin, Margin, w - 2 * Margin, TitleHeight, 22, Anchor.Left, 700),
        };
        for (int e = 0; e < emotions.Count; e++)
            labels.Add(Label(emotions[e], Margin + LabelWidth + e * Cell, Margin + TitleHeight, Cell, HeaderHeight, 15, Anchor.Center, 700));
        for (int p = 0; p < poses.Count; p++)
        {
            labels.Add(Label(poses[p], Margin, gridTop + p * Cell, LabelWidth, Cell, 15, Anchor.Left, 700));
            for (int e = 0; e < emotions.Count; e++)
            {
                var pose = PoseLibrary.Resolve(rig, poses[p], emotions[e], 0);
                var cell = Draw(rig, pose, Cell, Cell, null);
                Blit(rgb, w, cell, Cell, Margin + LabelWidth + e * Cell, gridTop + p * Cell, 0, 0, Cell, Cell);
            }
        }
        if (hasMouth)
        {
            labels.Add(Label("mouths", Margin, mouthTop, LabelWidth, HeaderHeight + MouthCell, 15, Anchor.Left, 700));
            var rest = PoseLibrary.Resolve(rig, poses.Contains("idle") ? "idle" : poses[0], emotions.Contains("calm") ? "calm" : emotions[0], 0);
            const int big = 560; // drawn large, then cropped around the mouth
            var (mx, my) = MouthPoint(rig, rest, big, big);
            for (int m = 0; m < mouths.Length; m++)
            {
                var frame = Draw(rig, rest, big, big, mouths[m]);
                int cx = Math.Clamp((int)MathF.Round(mx) - MouthCell / 2, 0, big - MouthCell), cy = Math.Clamp((int)MathF.Round(my) - MouthCell / 2, 0, big - MouthCell);
                int x0 = Margin + LabelWidth + m * MouthCell;
                labels.Add(Label(mouths[m].ToString(), x0, mouthTop, MouthCell, HeaderHeight, 15, Anchor.Center, 700));
                Blit(rgb, w, frame, big, x0, mouthTop + HeaderHeight, cx, cy, MouthCell, MouthCell);
            }
        }
        labels.Add(Label("palette", Margin, swatchTop, LabelWidth, HeaderHeight + 48, 15, Anchor.Left, 700));
        int s = 0;
        foreach (var (region, colour) in palette)
        {
            int x0 = Margin + LabelWidth + s++ * SwatchWidth;
            Fill(rgb, w, x0 + 4, swatchTop + HeaderHeight, SwatchWidth - 8, 44, colour);
            labels.Add(Label(region, x0, swatchTop, SwatchWidth, HeaderHeight, 13, Anchor.Center, 400));
        }
        new TitleScene(labels).Draw(rgb, w, h, 0);
        return new Rgb24(rgb, w, h);
    }

    static TitleElement Label(string text, int x, int y, int width, int height, float size, Anchor anchor, int weight) =>
        new(text, new TextStyle { Size = size, Color = TextColour, Weight = weight, Align = anchor == Anchor.Left ? TextAlign.Left : TextAlign.Center },
            FrameBox.Pixels(x, y, width, height), 0, 1) { Anchor = anchor };

    /// <summary>The rig drawn and filled at the centre of a width×height frame, as sRGB bytes over paper.</summary>
    static byte[] Draw(Rig rig, Pose pose, int width, int height, MouthShape? mouth)
    {
        var drawing = LineArt.Draw(rig, pose, 0.5, 1, CameraState.Wide, width, height, mouth);
        var filled = ChromaFill.Fill(drawing.Lines, drawing.Seeds, rig.DefaultPalette, Ink, out _);
        var px = new byte[width * height * 3];
        for (int i = 0; i < width * height; i++)
        {
            float a = Math.Clamp(filled.A[i], 0f, 1f);
            px[3 * i] = Srgb(filled.R[i] + Paper.R * (1 - a));
            px[3 * i + 1] = Srgb(filled.G[i] + Paper.G * (1 - a));
            px[3 * i + 2] = Srgb(filled.B[i] + Paper.B * (1 - a));
        }
        return px;
    }

    /// <summary>Where the mouth is, in pixels of a width×height frame drawn by <see cref="Draw"/>.</summary>
    static (float X, float Y) MouthPoint(Rig rig, Pose pose, int width, int height)
    {
        var body = rig.Body;
        var posed = RigArt.Pose(body, pose, 0f);
        var part = body.Parts.First(p => p.Slot == "mouth");
        var drawing = part.Drawings["X"];
        V2 o = posed.Origin[part.Bone], d = posed.Direction[part.Bone], right = new V2(d.Y, -d.X);
        var local = drawing.Paths is { Count: > 0 } paths
            ? paths.SelectMany(sp => sp.Points).Aggregate(default(V2), (acc, p) => acc + p) * (1f / paths.Sum(sp => sp.Points.Count))
            : default;
        var at = o + d * local.X + right * local.Y;
        float scale = LineArt.HeightFraction * height * rig.Height;
        return (width * 0.5f + at.X * scale, LineArt.GroundFraction * height - at.Y * scale);
    }

    static byte Srgb(float linear) => (byte)MathF.Round(255f * ColorMath.LinearToSrgb(Math.Clamp(linear, 0f, 1f)));

    static void Fill(byte[] rgb, int w, int x0, int y0, int width, int height, Rgb colour)
    {
        byte r = Srgb(colour.R), g = Srgb(colour.G), b = Srgb(colour.B);
        for (int y = y0; y < y0 + height; y++)
            for (int x = x0; x < x0 + width; x++)
            {
                int i = 3 * (y * w + x);
                rgb[i] = r; rgb[i + 1] = g; rgb[i + 2] = b;
            }
    }

    /// <summary>Copies the (sx, sy, width, height) rectangle of a source frame <paramref name="srcW"/> wide to (dx, dy).</summary>
    static void Blit(byte[] dst, int dstW, byte[] src, int srcW, int dx, int dy, int sx, int sy, int width, int height)
    {
        for (int y = 0; y < height; y++)
            Array.Copy(src, 3 * ((sy + y) * srcW + sx), dst, 3 * ((dy + y) * dstW + dx), 3 * width);
    }
}
