// SMPTE ST 12-1 timecode. Drop-frame (29.97 only): frame numbers ;00 and ;01 are skipped at the start of every minute
// except minutes divisible by 10, so 17982 frames label exactly 10 minutes (ten 1800-frame minutes less 9 × 2).
using System.Globalization;

namespace Talos.Gpu.Cuttura;

/// <summary>
/// A timeline's frame rate as an editor names it. <paramref name="Nominal"/> is the integer count per timecode second
/// (the film's fps); NTSC rates run at Nominal × 1000/1001 and label the same frames.
/// </summary>
/// <param name="Name">23.976, 24, 25, 29.97, 30, or another integer rate.</param>
public sealed record TimecodeRate(string Name, int Nominal, int Numerator, int Denominator, bool DropFrame)
{
    /// <summary>The rates <c>--rate</c> accepts.</summary>
    public static readonly IReadOnlyList<string> Names = ["23.976", "24", "25", "29.97", "30"];

    /// <summary>Frames per second as OTIO writes a rate (30000/1001 = 29.97002997…).</summary>
    public double PerSecond => (double)Numerator / Denominator;

    /// <summary>
    /// The rate for a film of <paramref name="fps"/> frames a second: <paramref name="name"/> (one of <see cref="Names"/>),
    /// or null for the film's own integer rate. 23.976 and 29.97 label a 24 and 30 fps film at 24000/1001 and 30000/1001.
    /// </summary>
    /// <exception cref="ArgumentException">an unknown name, or one whose frame count per second is not the film's.</exception>
    public static TimecodeRate For(int fps, string? name = null)
    {
        if (fps is <= 0 or > 1000) throw new ArgumentException($"a film of {fps} fps has no timecode", nameof(fps));
        var rate = name switch
        {
            null => new TimecodeRate(fps.ToString(CultureInfo.InvariantCulture), fps, fps, 1, false),
            "23.976" => new TimecodeRate(name, 24, 24000, 1001, false),
            "29.97" => new TimecodeRate(name, 30, 30000, 1001, true),
            "24" or "25" or "30" => new TimecodeRate(name, int.Parse(name, CultureInfo.InvariantCulture), int.Parse(name, CultureInfo.InvariantCulture), 1, false),
            _ => throw new ArgumentException($"rate '{name}' is unknown; expected one of {string.Join(", ", Names)}", nameof(name)),
        };
        if (rate.Nominal != fps) throw new ArgumentException($"rate {rate.Name} counts {rate.Nominal} frames a second but the film has {fps}", nameof(name));
        return rate;
    }

    /// <summary>HH:MM:SS:FF (drop-frame HH:MM:SS;FF) of frame <paramref name="frame"/> counted from 00:00:00:00.</summary>
    public string Format(long frame)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frame);
        if (DropFrame)
        {
            long tens = frame / 17982, rest = frame % 17982; // 17982 frames per 10 minutes; the first minute of each keeps its 1800
            frame += 18 * tens + (rest > 1 ? 2 * ((rest - 2) / 1798) : 0);
        }
        long ff = frame % Nominal, s = frame / Nominal;
        return string.Create(CultureInfo.InvariantCulture, $"{s / 3600:00}:{s / 60 % 60:00}:{s % 60:00}{(DropFrame ? ';' : ':')}{ff:00}");
    }

    /// <summary>The frame a timecode labels (the inverse of <see cref="Format"/>).</summary>
    /// <exception cref="FormatException">not HH:MM:SS:FF with the separator and ranges of this rate, or a dropped label.</exception>
    public long Parse(string timecode)
    {
        var p = timecode.Split(':', ';');
        if (p.Length != 4 || p.Any(x => x.Length != 2 || !x.All(char.IsAsciiDigit)) || (timecode[8] == ';') != DropFrame)
            throw new FormatException($"'{timecode}' is not a {Name} timecode");
        int h = int.Parse(p[0], CultureInfo.InvariantCulture), m = int.Parse(p[1], CultureInfo.InvariantCulture),
            s = int.Parse(p[2], CultureInfo.InvariantCulture), f = int.Parse(p[3], CultureInfo.InvariantCulture);
        if (m > 59 || s > 59 || f >= Nominal || (DropFrame && s == 0 && f < 2 && m % 10 != 0))
            throw new FormatException($"'{timecode}' is not a {Name} timecode");
        long frame = ((long)h * 3600 + m * 60 + s) * Nominal + f;
        if (DropFrame) { long minutes = h * 60L + m; frame -= 2 * (minutes - minutes / 10); }
        return frame;
    }
}
