using System.Globalization;
using System.Text.RegularExpressions;
using Talos.Gpu.Cuttura;
using Talos.Gpu.Cuttura.Audio;
using Talos.Gpu.Processes;

namespace Talos.Tests.Sound;

/// <summary>Independent measurements of sound for the tests: ffmpeg's ebur128 meter, onsets, RMS and the level of one frequency.</summary>
static partial class SoundMeasure
{
    /// <summary>Integrated loudness (LUFS) and true peak (dBTP) of the first audio stream, read from ffmpeg ebur128's summary.</summary>
    public static (double Lufs, double TruePeak) Ebur128(string path)
    {
        var r = ProcessRunner.Run(FfmpegTools.EnsureAvailable(), ["-hide_banner", "-nostdin", "-nostats", "-i", path, "-map", "0:a:0",
            "-af", "ebur128=peak=true", "-f", "null", "-"]);
        var summary = r.Error[r.Error.LastIndexOf("Summary:", StringComparison.Ordinal)..];
        double Read(Regex re) => double.Parse(re.Match(summary).Groups[1].Value, CultureInfo.InvariantCulture);
        return (Read(Integrated()), Read(Peak()));
    }

    /// <summary>
    /// Integrated loudness (LUFS) and true peak (dBTP) from ffmpeg loudnorm's analysis (print_format=json, two decimals; -inf
    /// and anything under it read -70): the meter the mix used before it measured in process.
    /// </summary>
    public static (double Lufs, double TruePeak) Loudnorm(string path)
    {
        var r = ProcessRunner.Run(FfmpegTools.EnsureAvailable(), ["-hide_banner", "-nostdin", "-nostats", "-i", path, "-map", "0:a:0",
            "-af", "loudnorm=print_format=json", "-f", "null", "-"]);
        var text = r.Error[r.Error.LastIndexOf('{')..(r.Error.LastIndexOf('}') + 1)];
        using var doc = System.Text.Json.JsonDocument.Parse(text);
        double Get(string name) =>
            double.TryParse(doc.RootElement.GetProperty(name).GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
                ? Math.Max(v, Loudness.Silent) : Loudness.Silent;
        return (Get("input_i"), Get("input_tp"));
    }

    /// <summary>Integrated loudness (LUFS, three decimals) by ffmpeg's ebur128 filter (BS.1770's gating on every block, at the
    /// sound's own rate), its last reading of <c>lavfi.r128.I</c>; -70 when nothing passes the gate.</summary>
    public static double Ebur128Integrated(string path)
    {
        var r = ProcessRunner.Run(FfmpegTools.EnsureAvailable(), ["-hide_banner", "-nostdin", "-nostats", "-i", path, "-map", "0:a:0",
            "-af", "ebur128=metadata=1,ametadata=print:key=lavfi.r128.I", "-f", "null", "-"]);
        var last = r.Error.Split('\n').Last(l => l.Contains("lavfi.r128.I=", StringComparison.Ordinal));
        return double.TryParse(last[(last.IndexOf('=') + 1)..].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
            ? Math.Max(v, Loudness.Silent) : Loudness.Silent;
    }

    [GeneratedRegex(@"I:\s+(-?[\d.]+) LUFS")] private static partial Regex Integrated();
    [GeneratedRegex(@"Peak:\s+(-?[\d.]+|-inf) dBFS")] private static partial Regex Peak();

    /// <summary>RMS of samples [from, to) seconds.</summary>
    public static double Rms(PcmAudio a, double from, double to)
    {
        int i0 = Math.Clamp((int)(from * a.SampleRate), 0, a.Samples.Length), i1 = Math.Clamp((int)(to * a.SampleRate), 0, a.Samples.Length);
        double sum = 0;
        for (int i = i0; i < i1; i++) sum += a.Samples[i] * (double)a.Samples[i];
        return i1 > i0 ? Math.Sqrt(sum / (i1 - i0)) : 0;
    }

    /// <summary>Amplitude of the <paramref name="hz"/> component over [from, to) seconds (Goertzel; a sine of amplitude A reads A).</summary>
    public static double ToneLevel(PcmAudio a, double hz, double from, double to)
    {
        int i0 = (int)(from * a.SampleRate), i1 = Math.Min(a.Samples.Length, (int)(to * a.SampleRate));
        double w = 2 * Math.PI * hz / a.SampleRate, c = 2 * Math.Cos(w), s1 = 0, s2 = 0;
        for (int i = i0; i < i1; i++) { double s0 = a.Samples[i] + c * s1 - s2; s2 = s1; s1 = s0; }
        double power = s1 * s1 + s2 * s2 - c * s1 * s2;
        return 2 * Math.Sqrt(Math.Max(0, power)) / Math.Max(1, i1 - i0);
    }

    /// <summary>
    /// Where sound starts after the silence before it: 5 ms RMS windows from <paramref name="from"/> to <paramref name="to"/>
    /// seconds; the first window above a tenth of the loudest window there (-20 dB), and not before the quiet floor.
    /// </summary>
    public static double Onset(PcmAudio a, double from, double to)
    {
        const double win = 0.005;
        var env = new List<double>();
        for (double t = from; t + win <= to; t += win) env.Add(Rms(a, t, t + win));
        double peak = env.Max();
        int k = env.FindIndex(e => e > peak * 0.1);
        return from + k * win;
    }

    public static double Db(double ratio) => 20 * Math.Log10(ratio);
}
