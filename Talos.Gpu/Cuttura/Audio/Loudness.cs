using System.Globalization;
using System.Text.Json;
using Talos.Gpu.Processes;

namespace Talos.Gpu.Cuttura.Audio;

/// <summary>Integrated loudness (LUFS, ITU-R BS.1770 / EBU R128 gating) and true peak (dBTP, 4x oversampled) of a sound.</summary>
public sealed record LoudnessReading(double IntegratedLufs, double TruePeakDb);

/// <summary>
/// Measures loudness with ffmpeg's loudnorm analysis pass (print_format=json: the same BS.1770 meter as ebur128, two
/// decimals). Nothing is changed by the measurement: Talos applies its own linear gain and peak limit (<see cref="FilmMix"/>),
/// because loudnorm's second pass silently turns dynamic when a pure gain would break its true-peak or range limits.
/// </summary>
public static class Loudness
{
    /// <summary>What ffmpeg reports for silence or sound entirely under the -70 LUFS gate.</summary>
    public const double Silent = -70;

    public static LoudnessReading Measure(PcmAudio audio)
    {
        var tmp = Path.Combine(Path.GetTempPath(), $"talos-loudness-{Guid.NewGuid():N}.wav");
        try
        {
            File.WriteAllBytes(tmp, AudioDecoder.ToWav16(audio));
            return Measure(tmp);
        }
        finally { File.Delete(tmp); }
    }

    /// <summary>Measures the first audio stream of <paramref name="path"/> (a WAV, a film).</summary>
    public static LoudnessReading Measure(string path)
    {
        var ffmpeg = FfmpegTools.EnsureAvailable();
        ProcessResult r;
        try
        {
            r = ProcessRunner.Run(ffmpeg, ["-hide_banner", "-nostdin", "-nostats", "-i", path, "-map", "0:a:0", "-af", "loudnorm=print_format=json", "-f", "null", "-"],
                timeout: TimeSpan.FromMinutes(10));
        }
        catch (ProcessException e) { throw new CutturaException($"loudness of {Path.GetFileName(path)} cannot be measured: {e.Message}", e); }
        var text = r.Error;
        int open = text.LastIndexOf('{'), close = text.LastIndexOf('}');
        if (open < 0 || close < open) throw new CutturaException("ffmpeg's loudnorm printed no measurement");
        try
        {
            using var doc = JsonDocument.Parse(text[open..(close + 1)]);
            double Get(string name)
            {
                var s = doc.RootElement.GetProperty(name).GetString();
                if (s is "-inf" or null) return Silent;
                return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? Math.Max(v, Silent) : Silent;
            }
            return new LoudnessReading(Get("input_i"), Get("input_tp"));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new CutturaException($"ffmpeg's loudnorm measurement could not be read: {e.Message}", e);
        }
    }
}
