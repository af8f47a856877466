using Talos.Gpu.Axis;
using Talos.Messages.Specs;

namespace Talos.Gpu.Prism.Commercials;

/// <summary>
/// A line of type, a logo or a picture the title layer sets over the film: what it says or shows, the role it plays in the
/// spot, the rectangle (frame pixels) it is fitted into, its size (pixels) and colour, and the film frames it is on
/// (<see cref="In"/> to <see cref="Out"/> inclusive, animated in and out with FLUX's easing).
/// </summary>
public sealed record SpotTitle(string ShotId, string Role, string? Text, BriefAsset? Image, Bounds Region, float Size, string Colour, int Weight, int In, int Out)
{
    /// <summary>A full-frame plain plate of <see cref="Colour"/> (the end card's ground) rather than type or a picture.</summary>
    public bool Plate => Role == SpotPlanner.Roles.Ground;
}

/// <summary>A planned spot in one format: the shots in cut order, the titles over them, the format and its title-safe area.</summary>
public sealed record Spot(IReadOnlyList<ShotSpec> Shots, IReadOnlyList<SpotTitle> Titles, Deliverable Format, Bounds TitleSafe)
{
    public int FrameCount => Shots.Sum(s => s.FrameCount);
    /// <summary>The film frame a shot starts at (cuts: shots follow each other without overlap).</summary>
    public int StartOf(string shotId) => Shots.TakeWhile(s => s.Id != shotId).Sum(s => s.FrameCount);
}

/// <summary>
/// PRISM's storyboard for a commercial: a brief and a format become four shots whose lengths add up to exactly
/// durationSeconds × fps frames — the <b>hook</b> (the cast waving and gesturing, reframed for the format; with no cast a
/// STOKES fluid-art opening), the <b>product</b> (the product image as a plate, else the product's name set big), the
/// <b>tagline</b> (type animated in, read by a voice-over: its dialogue line is the subtitle) and the <b>end card</b> (logo,
/// tagline, call to action and brand on a plain ground of the palette's background colour). Type sizes follow the frame's
/// shorter side and every title's rectangle lies inside the title-safe area, laid out again for each format. Pure:
/// the same brief and format give the same plan.
/// </summary>
public static class SpotPlanner
{
    public static class Roles
    {
        public const string Ground = "ground", Logo = "logo", Tagline = "tagline", CallToAction = "callToAction", Brand = "brand",
            Product = "product", ProductImage = "productImage";
    }

    /// <summary>Shares of the spot: hook, product, tagline, end card.</summary>
    static readonly double[] Shares = [0.25, 0.25, 0.2, 0.3];

    public static Spot Plan(Brief brief, Deliverable format, int fps, string production, Bounds titleSafe)
    {
        ArgumentNullException.ThrowIfNull(brief);
        if (Limits.FpsProblem(fps) is { } bad) throw new PrismException($"fps {bad}");
        int total = brief.DurationSeconds * fps;
        var frames = new int[4];
        for (int i = 0; i < 3; i++) frames[i] = (int)Math.Round(total * Shares[i], MidpointRounding.AwayFromZero);
        frames[3] = total - frames[0] - frames[1] - frames[2];
        var size = new Resolution(format.Width, format.Height);
        ShotSpec Shot(string id, int seq, int n) => new()
        {
            Id = id, Production = production, Sequence = seq, Fps = fps, Resolution = size, Frames = new FrameRange(0, n - 1),
            Title = id, Transition = "cut",
        };

        var hook = brief.Cast.Count > 0
            ? Shot("hook", 1, frames[0]) with { Background = "day", Lighting = "key-left", Mood = "joy", Characters = Cast(brief, frames[0]),
                Camera = [new CameraMove { Frame = 0, Move = "static", Zoom = 1.0 }, new CameraMove { Frame = frames[0] - 1, Move = "dolly", Zoom = 1.08 }] }
            : Shot("hook", 1, frames[0]) with { Background = "night", Lighting = "moody", Effects = FluidArt(frames[0]) };
        hook = Reframing.Reframe(hook, format.Width, format.Height, titleSafe);
        string voice = brief.Cast.Count > 0 ? brief.Cast[0].Name : "VO";
        var shots = new List<ShotSpec>
        {
            hook,
            Shot("product", 2, frames[1]) with { Background = "studio", Lighting = "noon" },
            Shot("tagline", 3, frames[2]) with { Background = "dusk", Lighting = "sunset",
                Dialogue = [new DialogueLine(voice, brief.Tagline, Math.Min(frames[2] - 1, fps / 4), frames[2] - 1)] },
            Shot("endcard", 4, frames[3]) with { Background = "none", Lighting = "noon",
                Dialogue = [new DialogueLine(voice, brief.CallToAction, Math.Min(frames[3] - 1, fps / 2), frames[3] - 1)] },
        };
        if (brief.Music is { } music) shots[0] = shots[0] with { Audio = new AudioSpec(music.Name) };

        var spot = new Spot(shots, [], format, titleSafe);
        return spot with { Titles = Titles(brief, spot) };
    }

    /// <summary>The cast spaced across the frame, each waving and gesturing in turn, dressed in the brand's primary colour unless their own palette says otherwise.</summary>
    static IReadOnlyList<CharacterSpec> Cast(Brief brief, int frames)
    {
        int n = brief.Cast.Count, last = Math.Max(1, frames - 1);
        return brief.Cast.Select((c, i) =>
        {
            double x = n == 1 ? 0.5 : 0.2 + 0.6 * i / (n - 1);
            int facing = x <= 0.5 ? 1 : -1;
            var palette = new Dictionary<string, string> { [Rigs.Get(c.Rig).RegionOf("body")!] = brief.Palette.Primary };
            foreach (var (k, v) in c.Palette ?? new Dictionary<string, string>()) palette[k] = v;
            var (first, second) = i % 2 == 0 ? ("wave", "gesture") : ("gesture", "wave");
            return new CharacterSpec
            {
                Name = c.Name, Rig = c.Rig, Palette = palette,
                Keyframes =
                [
                    new PoseKey { Frame = 0, Pose = "idle", Emotion = "joy", X = x, Facing = facing },
                    new PoseKey { Frame = Math.Max(1, last / 3), Pose = first, Emotion = "joy", X = x, Facing = facing },
                    new PoseKey { Frame = Math.Max(2, 2 * last / 3), Pose = second, Emotion = "joy", X = x, Facing = facing },
                ],
            };
        }).ToList();
    }

    /// <summary>The opening without a cast: magic rising from two emitters, a third joining, over mist.</summary>
    static IReadOnlyList<EffectSpec> FluidArt(int frames) =>
    [
        new EffectSpec { Type = "mist", X = 0.5, Y = 0.9, StartFrame = 0, Strength = 0.8 },
        new EffectSpec { Type = "magic", X = 0.3, Y = 0.85, StartFrame = 0, Strength = 1.4 },
        new EffectSpec { Type = "magic", X = 0.7, Y = 0.85, StartFrame = Math.Min(frames - 1, frames / 4), Strength = 1.4 },
        new EffectSpec { Type = "smoke", X = 0.5, Y = 0.8, StartFrame = Math.Min(frames - 1, frames / 2), Strength = 0.9 },
    ];

    /// <summary>
    /// The type, logo and plates of every shot, laid out for the format: sizes from the shorter side, rectangles as bands
    /// of the title-safe area (in a portrait format the bands are taller, the type wraps sooner).
    /// </summary>
    static IReadOnlyList<SpotTitle> Titles(Brief brief, Spot spot)
    {
        var safe = spot.TitleSafe;
        float shorter = Math.Min(spot.Format.Width, spot.Format.Height);
        var p = brief.Palette;
        var titles = new List<SpotTitle>();
        Bounds Band(float top, float bottom, float widthShare = 1f)
        {
            float h = safe.MaxY - safe.MinY, w = (safe.MaxX - safe.MinX) * widthShare, cx = (safe.MinX + safe.MaxX) / 2;
            return new Bounds(cx - w / 2, safe.MinY + top * h, cx + w / 2, safe.MinY + bottom * h);
        }
        (int In, int Out) Span(string id)
        {
            int start = spot.StartOf(id), n = spot.Shots.Single(s => s.Id == id).FrameCount;
            return (start, start + n - 1);
        }

        var product = Span("product");
        if (brief.ProductImage is { } image)
        {
            titles.Add(new SpotTitle("product", Roles.ProductImage, null, image, Band(0.04f, 0.72f, 0.8f), 0, p.Text, 400, product.In, product.Out));
            titles.Add(new SpotTitle("product", Roles.Product, brief.Product, null, Band(0.76f, 1f), shorter * 0.08f, p.Primary, 700, product.In, product.Out));
        }
        else titles.Add(new SpotTitle("product", Roles.Product, brief.Product, null, Band(0.25f, 0.75f), shorter * 0.14f, p.Primary, 800, product.In, product.Out));

        var tagline = Span("tagline");
        titles.Add(new SpotTitle("tagline", Roles.Tagline, brief.Tagline, null, Band(0.3f, 0.7f), shorter * 0.1f, "#ffffff", 700, tagline.In, tagline.Out));

        var end = Span("endcard");
        titles.Add(new SpotTitle("endcard", Roles.Ground, null, null, new Bounds(0, 0, spot.Format.Width, spot.Format.Height), 0, p.Background, 400, end.In, end.Out));
        bool logo = brief.Logo is not null;
        if (brief.Logo is { } l) titles.Add(new SpotTitle("endcard", Roles.Logo, null, l, Band(0.02f, 0.36f, 0.6f), 0, p.Text, 400, end.In, end.Out));
        titles.Add(new SpotTitle("endcard", Roles.Tagline, brief.Tagline, null, logo ? Band(0.4f, 0.62f) : Band(0.1f, 0.5f), shorter * 0.075f, p.Text, 700, end.In, end.Out));
        titles.Add(new SpotTitle("endcard", Roles.CallToAction, brief.CallToAction, null, Band(0.66f, 0.82f), shorter * 0.06f, p.Primary, 700, end.In, end.Out));
        titles.Add(new SpotTitle("endcard", Roles.Brand, brief.Brand, null, Band(0.86f, 1f), shorter * 0.045f, p.Secondary, 400, end.In, end.Out));
        return titles;
    }
}
