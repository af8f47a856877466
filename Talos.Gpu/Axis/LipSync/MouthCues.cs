using System.Globalization;
using System.Text;

namespace Talos.Gpu.Axis.LipSync;

/// <summary>
/// Rhubarb Lip Sync's mouth shapes. A: lips closed (M, B, P); B: slightly open, teeth together (most consonants, EE);
/// C: open (EH, AE); D: wide open (AA as in "father"); E: slightly rounded (AO, ER); F: puckered (UW, OW, W); G: upper
/// teeth on the lower lip (F, V); H: tongue up behind the teeth (long L); X: rest (silence).
/// </summary>
public enum MouthShape { A, B, C, D, E, F, G, H, X }

/// <summary>One mouth shape held from <paramref name="Start"/> to <paramref name="End"/> seconds.</summary>
public readonly record struct MouthCue(double Start, double End, MouthShape Value);

/// <summary>A line's mouth cues: contiguous, from 0 to the audio's end, with the shape at any time or frame.</summary>
public sealed class MouthTrack
{
    public IReadOnlyList<MouthCue> Cues { get; }
    public double Duration { get; }

    public MouthTrack(IReadOnlyList<MouthCue> cues, double duration)
    {
        Cues = cues;
        Duration = duration;
    }

    /// <summary>The shape heard at <paramref name="seconds"/> (X before the first cue and after the last).</summary>
    public MouthShape At(double seconds)
    {
        int lo = 0, hi = Cues.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >> 1;
            var c = Cues[mid];
            if (seconds < c.Start) hi = mid - 1;
            else if (seconds >= c.End) lo = mid + 1;
            else return c.Value;
        }
        return MouthShape.X;
    }

    /// <summary>The shape on frame <paramref name="frame"/> of a line that starts on frame <paramref name="firstFrame"/>: the sound heard during the frame's first half.</summary>
    public MouthShape AtFrame(int frame, int firstFrame, int fps) => At((frame - firstFrame + 0.25) / fps);

    /// <summary>Rhubarb Lip Sync's JSON: <c>{"metadata": {...}, "mouthCues": [{"start": 0.00, "end": 0.15, "value": "X"}, …]}</c>, seconds to 2 decimals.</summary>
    public string ToRhubarbJson(string? soundFile = null)
    {
        static string S(double v) => v.ToString("0.00", CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        sb.Append("{\n  \"metadata\": {\n");
        if (soundFile is not null) sb.Append("    \"soundFile\": ").Append(System.Text.Json.JsonSerializer.Serialize(soundFile)).Append(",\n");
        sb.Append("    \"duration\": ").Append(S(Duration)).Append("\n  },\n  \"mouthCues\": [\n");
        for (int i = 0; i < Cues.Count; i++)
        {
            var c = Cues[i];
            sb.Append("    { \"start\": ").Append(S(c.Start)).Append(", \"end\": ").Append(S(c.End)).Append(", \"value\": \"").Append(c.Value).Append("\" }");
            sb.Append(i + 1 < Cues.Count ? ",\n" : "\n");
        }
        sb.Append("  ]\n}\n");
        return sb.ToString();
    }
}
