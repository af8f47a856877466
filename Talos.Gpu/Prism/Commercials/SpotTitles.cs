using System.Globalization;
using System.Text;
using Talos.Gpu.Cuttura.Titles;

namespace Talos.Gpu.Prism.Commercials;

/// <summary>
/// A planned spot's titles as CUTTURA's title layer draws them: each <see cref="SpotTitle"/> becomes a
/// <see cref="TitleElement"/> (type fitted into its rectangle) or a <see cref="LogoElement"/> (logo, product plate, and the
/// end card's plain ground as a one-rectangle SVG the size of the frame). Entrances only fade, scale up or reveal words —
/// none moves an element outside the box it rests in, so the placed boxes in the layout hold at every frame.
/// </summary>
public static class SpotTitles
{
    public static TitleScene ToScene(Spot spot)
    {
        int fps = spot.Shots[0].Fps;
        int Frames(double seconds, int available) => Math.Clamp((int)Math.Round(seconds * fps), 1, Math.Max(1, available / 2));
        var elements = new List<SceneElement>();
        foreach (var t in spot.Titles)
        {
            int end = t.Out + 1, length = end - t.In;
            var box = FrameBox.Pixels(t.Region.MinX, t.Region.MinY, t.Region.MaxX - t.Region.MinX, t.Region.MaxY - t.Region.MinY);
            if (t.Plate)
            {
                elements.Add(new LogoElement(PlateSvg(spot.Format.Width, spot.Format.Height, t.Colour), FrameBox.Full, t.In, end));
                continue;
            }
            if (t.Image is { Bytes: { } bytes })
            {
                elements.Add(new LogoElement(bytes, box, t.In, end) { Animation = new TitleAnimation { In = TitleEffect.Fade, InFrames = Frames(0.3, length), Ease = "ease-out" } });
                continue;
            }
            var style = new TextStyle { Size = t.Size, Color = t.Colour, Weight = t.Weight, Align = TextAlign.Center };
            var fitted = SafeAreas.FitInto(new TitleElement(t.Text!, style, box, t.In, end), box.ToPixels(spot.Format.Width, spot.Format.Height), spot.Format.Width, spot.Format.Height);
            var animation = (t.ShotId, t.Role) switch
            {
                ("tagline", _) => new TitleAnimation { In = TitleEffect.RevealWords, InFrames = Frames(0.8, length), Ease = "ease-out" },
                (_, SpotPlanner.Roles.Product) => new TitleAnimation { In = TitleEffect.Scale, InFrames = Frames(0.4, length), Ease = "ease-out" },
                _ => new TitleAnimation { In = TitleEffect.Fade, InFrames = Frames(0.35, length), Ease = "ease-in-out" },
            };
            elements.Add(fitted with { Animation = animation });
        }
        return new TitleScene(elements);
    }

    /// <summary>Every title's placed ink box at rest (what it can touch, shadow and outline included), in the spot's order.</summary>
    public static IReadOnlyList<LayoutTitle> Placed(Spot spot, TitleScene scene)
    {
        var placed = scene.Layout(spot.Format.Width, spot.Format.Height);
        if (placed.Count != spot.Titles.Count) throw new InvalidOperationException($"scene has {placed.Count} elements for {spot.Titles.Count} titles");
        return spot.Titles.Select((t, i) =>
        {
            var ink = placed[i].Ink;
            return new LayoutTitle(t.ShotId, t.Role, t.Text, new LayoutBox(Math.Round(ink.Left, 2), Math.Round(ink.Top, 2), Math.Round(ink.Right, 2), Math.Round(ink.Bottom, 2)), t.In, t.Out);
        }).ToList();
    }

    /// <summary>A plain plate: an SVG of one rectangle of <paramref name="colour"/> the frame's size.</summary>
    public static byte[] PlateSvg(int width, int height, string colour) => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
        $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\"><rect x=\"0\" y=\"0\" width=\"{width}\" height=\"{height}\" fill=\"{colour}\"/></svg>"));
}
