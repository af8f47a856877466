using Talos.Gpu.Flux;

namespace Talos.Gpu.Cuttura.Titles;

/// <summary>How an element comes in or goes out.</summary>
public enum TitleEffect { None, Fade, Slide, Scale, RevealWords, RevealLetters }

/// <summary>Which way a slide moves: an entrance moving Up starts below its place, an exit moving Up leaves upwards.</summary>
public enum SlideDirection { Left, Right, Up, Down }

/// <summary>
/// An element's entrance and exit. The entrance runs over the first <see cref="InFrames"/> frames from the element's
/// start, the exit over the last <see cref="OutFrames"/> before its end, each through FLUX's easing curve
/// <see cref="Ease"/> (<see cref="Easing.Names"/>): progress p = Ease((frame − start) / InFrames) coming in and
/// Ease((end − frame) / OutFrames) going out, so p is 0 at the start frame and 1 once the entrance is over.
/// Fade: opacity p. Slide: offset (1 − p) × <see cref="SlideDistance"/> (a fraction of the frame's width or height) along
/// the direction of motion <see cref="Slide"/>. Scale: size p about the element's centre. Reveal: the first ⌊p × N⌋ of N words or letters show.
/// </summary>
public sealed record TitleAnimation
{
    public TitleEffect In { get; init; } = TitleEffect.None;
    public int InFrames { get; init; }
    public TitleEffect Out { get; init; } = TitleEffect.None;
    public int OutFrames { get; init; }
    public string Ease { get; init; } = "ease-out";
    public SlideDirection Slide { get; init; } = SlideDirection.Up;
    public double SlideDistance { get; init; } = 0.1;

    public static TitleAnimation None { get; } = new();

    /// <summary>A fade in and out over the given frames.</summary>
    public static TitleAnimation Fade(int inFrames, int outFrames, string ease = "ease-in-out") =>
        new() { In = TitleEffect.Fade, InFrames = inFrames, Out = TitleEffect.Fade, OutFrames = outFrames, Ease = ease };

    public string? Problem(int elementFrames)
    {
        if (!Easing.Names.Contains(Ease)) return $"unknown ease '{Ease}'; known eases: {string.Join(", ", Easing.Names)}";
        if (InFrames < 0 || OutFrames < 0) return $"animation frames in {InFrames} / out {OutFrames} must not be negative";
        if (In != TitleEffect.None && InFrames == 0) return $"entrance '{In}' needs InFrames > 0";
        if (Out != TitleEffect.None && OutFrames == 0) return $"exit '{Out}' needs OutFrames > 0";
        if ((long)InFrames + OutFrames > elementFrames) return $"entrance ({InFrames}) and exit ({OutFrames}) frames exceed the element's {elementFrames} frames";
        if (!double.IsFinite(SlideDistance) || Math.Abs(SlideDistance) > 2) return $"slide distance {SlideDistance} is outside -2..2 (frame sizes)";
        return null;
    }

    /// <summary>The animation's state at <paramref name="frame"/> of an element shown on [start, end).</summary>
    public AnimationState At(int frame, int start, int end)
    {
        var s = AnimationState.Still;
        if (In != TitleEffect.None && InFrames > 0 && frame - start < InFrames)
            s = Apply(s, In, Easing.Apply(Ease, (frame - start) / (double)InFrames), entering: true);
        if (Out != TitleEffect.None && OutFrames > 0 && end - frame <= OutFrames)
            s = Apply(s, Out, Easing.Apply(Ease, (end - frame) / (double)OutFrames), entering: false);
        return s;
    }

    AnimationState Apply(AnimationState s, TitleEffect effect, double p, bool entering)
    {
        switch (effect)
        {
            case TitleEffect.Fade: return s with { Opacity = s.Opacity * p };
            case TitleEffect.Scale: return s with { Scale = s.Scale * p };
            case TitleEffect.Slide:
            {
                double d = (1 - p) * SlideDistance;
                // The motion vector; an entrance starts behind its place along it, an exit ends ahead of it.
                var (dx, dy) = Slide switch
                {
                    SlideDirection.Left => (-d, 0.0),
                    SlideDirection.Right => (d, 0.0),
                    SlideDirection.Up => (0.0, -d),
                    _ => (0.0, d),
                };
                if (entering) { dx = -dx; dy = -dy; }
                return s with { OffsetX = s.OffsetX + dx, OffsetY = s.OffsetY + dy };
            }
            case TitleEffect.RevealWords: return s with { WordsShown = Math.Min(s.WordsShown, p), RevealUnit = TitleEffect.RevealWords };
            case TitleEffect.RevealLetters: return s with { LettersShown = Math.Min(s.LettersShown, p), RevealUnit = TitleEffect.RevealLetters };
            default: return s;
        }
    }
}

/// <summary>
/// An element's look at one frame: opacity and scale in [0, 1], offset in fractions of the frame (x of its width, y of
/// its height), and the revealed fraction of its words and letters (1: all).
/// </summary>
public sealed record AnimationState(double Opacity, double Scale, double OffsetX, double OffsetY, double WordsShown, double LettersShown, TitleEffect RevealUnit)
{
    public static AnimationState Still { get; } = new(1, 1, 0, 0, 1, 1, TitleEffect.None);

    /// <summary>How many of <paramref name="count"/> units show at fraction <paramref name="p"/>: ⌊p × count⌋ (all at p = 1).</summary>
    public static int Shown(double p, int count) => p >= 1 ? count : Math.Clamp((int)Math.Floor(p * count + 1e-9), 0, count);
}
