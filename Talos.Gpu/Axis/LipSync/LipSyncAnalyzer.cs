using Talos.Gpu.Cuttura.Audio;

namespace Talos.Gpu.Axis.LipSync;

/// <summary>
/// Mouth cues from a line's audio, in Rhubarb Lip Sync's shapes. Where speech is comes from Silero VAD (its segments,
/// edges refined on the 10 ms loudness envelope); which shape comes from the signal every 10 ms (<see cref="SpeechFeatures"/>):
/// nasal murmur and the closure before a labial burst close the lips (A), frication opens them a little (B; weak, flat
/// frication is F/V: G), vowels by their formants (high F1: D; mid F1: C, or E when F2 is low; low F1: B for EE, F for
/// OO/W, H for L-like low F2 with damped highs). Runs shorter than <see cref="MinCueSeconds"/> join a neighbour, except a
/// closure (A), which a plosive needs however short. Same audio, same cues.
/// </summary>
public static class LipSyncAnalyzer
{
    /// <summary>The shortest cue other than a closure: 60 ms, about one and a half frames at 24 fps (Rhubarb uses 70 ms slots).</summary>
    public const double MinCueSeconds = 0.06;
    /// <summary>The shortest closure kept (a plosive's lips meet for at least this long on screen).</summary>
    public const double MinClosureSeconds = 0.04;

    /// <summary>The shortest speech kept (Silero's default of 250 ms would drop a short word such as "pop").</summary>
    public const double MinSpeechSeconds = 0.09;

    /// <summary>Analyses <paramref name="audio"/> (any rate; resampled by the caller to 16 kHz through AudioDecoder).</summary>
    public static MouthTrack Analyze(PcmAudio audio, SileroVad vad)
    {
        ArgumentNullException.ThrowIfNull(audio);
        ArgumentNullException.ThrowIfNull(vad);
        var segments = SileroVad.Segments(vad.Probabilities(audio), minSpeech: MinSpeechSeconds);
        var features = new SpeechFeatures(audio.Samples);
        return Cues(features, Refine(segments, features), audio.Seconds);
    }

    /// <summary>
    /// VAD segments with their edges moved onto the loudness envelope: the start to the first 10 ms frame within
    /// −40 dB of the segment's peak (searched from 96 ms before the VAD's start, whose 32 ms windows lag the sound), the end
    /// to the last such frame (searched up to 96 ms past the VAD's end). Overlapping segments merge.
    /// </summary>
    public static List<SpeechSegment> Refine(IReadOnlyList<SpeechSegment> segments, SpeechFeatures f)
    {
        var refined = new List<SpeechSegment>();
        const double slack = 0.096, below = 40;
        foreach (var s in segments)
        {
            int a = Math.Max(0, Frame(s.Start - slack)), b = Math.Min(f.Count - 1, Frame(s.End + slack));
            if (b <= a) continue;
            float peak = -120;
            for (int i = a; i <= b; i++) peak = Math.Max(peak, f.Db[i]);
            float gate = Math.Max(peak - (float)below, -70f);
            int first = a, last = b;
            while (first < b && f.Db[first] < gate) first++;
            while (last > first && f.Db[last] < gate) last--;
            var r = new SpeechSegment(first * SpeechFeatures.HopSeconds, (last + 1) * SpeechFeatures.HopSeconds);
            if (refined.Count > 0 && r.Start <= refined[^1].End) refined[^1] = new SpeechSegment(refined[^1].Start, Math.Max(r.End, refined[^1].End));
            else refined.Add(r);
        }
        return refined;
    }

    static int Frame(double seconds) => (int)Math.Floor(seconds / SpeechFeatures.HopSeconds);

    /// <summary>The cue track: X outside speech, a shape per 10 ms inside it, short runs merged.</summary>
    public static MouthTrack Cues(SpeechFeatures f, IReadOnlyList<SpeechSegment> speech, double duration)
    {
        var shapes = new MouthShape[f.Count];
        Array.Fill(shapes, MouthShape.X);
        foreach (var s in speech)
        {
            int a = Frame(s.Start), b = Math.Min(f.Count - 1, Frame(s.End) - 1);
            if (b < a) continue;
            float peak = -120;
            for (int i = a; i <= b; i++) peak = Math.Max(peak, f.Db[i]);
            for (int i = a; i <= b; i++) shapes[i] = Classify(f, i, peak);
            Closures(f, shapes, a, b, peak);
        }
        return new MouthTrack(Runs(shapes, duration), duration);
    }

    /// <summary>One 10 ms frame of speech.</summary>
    static MouthShape Classify(SpeechFeatures f, int i, float peak)
    {
        float rel = f.Db[i] - peak;
        if (rel < -30) return MouthShape.A; // a gap inside speech: a stop's closure (refined by Closures)
        bool voiced = f.LowShare[i] > 0.2f && f.Zcr[i] < 0.2f;
        if (!voiced && f.HighShare[i] > 0.4f) return rel < -18 && f.Centroid[i] < 4500 ? MouthShape.G : MouthShape.B;
        if (Murmur(f, i, rel)) return MouthShape.A; // nasal murmur (M; N and NG are drawn the same)
        float f1 = f.F1[i], f2 = f.F2[i];
        if (f1 > 680) return MouthShape.D;
        if (f1 > 500) return f2 < 1300 ? MouthShape.E : MouthShape.C;
        if (f2 > 1800) return MouthShape.B;
        if (f2 < 1150) return MouthShape.F;
        if (f.HighShare[i] < 0.02f && rel < -6) return MouthShape.H;
        return MouthShape.C;
    }

    /// <summary>
    /// A stretch of closure (quiet frames inside speech, or the start of speech) stays A only when the sound after it
    /// opens with a labial release (a burst whose spectral centroid is low, or nasal murmur); before a T/K/S release the
    /// teeth are together with the lips apart (B).
    /// </summary>
    static void Closures(SpeechFeatures f, MouthShape[] shapes, int a, int b, float peak)
    {
        int i = a;
        while (i <= b)
        {
            if (shapes[i] != MouthShape.A) { i++; continue; }
            int j = i;
            while (j + 1 <= b && shapes[j + 1] == MouthShape.A) j++;
            bool quiet = f.Db[i] - peak < -30;
            if (quiet)
            {
                int r = j + 1;
                // the quiet start of speech shows what it opens into (P/B/M onsets are LabialOnset's); its quiet end holds
                // the last shape; a quiet gap inside is a stop's closure: lips shut before a labial release, teeth (B) before others
                MouthShape fill = i == a ? (r <= b ? shapes[r] : MouthShape.B)
                    : r > b ? shapes[i - 1]
                    : f.Centroid[r] < 1500 || Murmur(f, r, f.Db[r] - peak) ? MouthShape.A : MouthShape.B;
                for (int k = i; k <= j; k++) shapes[k] = fill;
            }
            i = j + 1;
        }
        // Speech that starts with the lips together (P, B, M after silence) shows the closed lips first.
        if (LabialOnset(f, a, b))
            for (int k = a; k <= Math.Min(b, a + 3); k++) shapes[k] = MouthShape.A;
    }

    /// <summary>
    /// Does speech starting at frame <paramref name="a"/> open from closed lips? A voiceless labial burst (P) is weak and
    /// low in frequency (centroid under 1.2 kHz, little voicing), unlike T's hiss or H's breath; a voiced labial onset (B,
    /// M) is low-frequency murmur with few zero crossings whose second formant starts low (under 1.7 kHz over 10..50 ms),
    /// where G, DH and W start high.
    /// </summary>
    static bool LabialOnset(SpeechFeatures f, int a, int b)
    {
        if (b - a < 5) return false;
        if (f.Centroid[a] < 1200 && f.LowShare[a] < 0.4f && f.HighShare[a] < 0.15f) return true;
        double low = 0, zcr = 0, f2 = 0;
        for (int k = a; k < a + 4; k++) { low += f.LowShare[k] / 4; zcr += f.Zcr[k] / 4; }
        for (int k = a + 1; k <= a + 4; k++) f2 += f.F2[k] / 4;
        return low > 0.6 && zcr < 0.12 && f2 < 1700;
    }

    static bool Murmur(SpeechFeatures f, int i, float rel) => f.LowShare[i] > 0.8f && rel < -8 && f.Zcr[i] < 0.1f && f.F2[i] < 1300;

    /// <summary>10 ms shapes to contiguous cues: runs shorter than the minimum join the longer speech neighbour; a closure (A)
    /// shorter than its minimum is widened into its neighbours instead, as far as they allow. X never grows or shrinks.</summary>
    static List<MouthCue> Runs(MouthShape[] shapes, double duration)
    {
        var runs = new List<(int Start, int End, MouthShape Shape)>();
        for (int i = 0; i < shapes.Length;)
        {
            int j = i;
            while (j + 1 < shapes.Length && shapes[j + 1] == shapes[i]) j++;
            runs.Add((i, j + 1, shapes[i]));
            i = j + 1;
        }
        int minRun = (int)Math.Round(MinCueSeconds / SpeechFeatures.HopSeconds), minClosure = (int)Math.Round(MinClosureSeconds / SpeechFeatures.HopSeconds);
        var kept = new HashSet<int>(); // starts of short runs that can be neither merged nor widened
        static int Len((int Start, int End, MouthShape) r) => r.End - r.Start;
        bool Speech(int k) => k >= 0 && k < runs.Count && runs[k].Shape != MouthShape.X;
        while (true)
        {
            int pick = -1;
            for (int k = 0; k < runs.Count; k++)
            {
                var r = runs[k];
                if (r.Shape == MouthShape.X || kept.Contains(r.Start) || Len(r) >= (r.Shape == MouthShape.A ? minClosure : minRun)) continue;
                if (pick < 0 || Len(r) < Len(runs[pick])) pick = k; // shortest first: the result never depends on scan order
            }
            if (pick < 0) break;
            var p = runs[pick];
            if (p.Shape == MouthShape.A)
            {
                int grow = minClosure - Len(p);
                int left = Speech(pick - 1) ? Math.Min((grow + 1) / 2, Len(runs[pick - 1]) - 1) : 0;
                int right = Speech(pick + 1) ? Math.Min(grow - left, Len(runs[pick + 1]) - 1) : 0;
                if (left + right < grow && Speech(pick - 1)) left = Math.Min(grow - right, Len(runs[pick - 1]) - 1);
                if (left > 0) runs[pick - 1] = (runs[pick - 1].Start, runs[pick - 1].End - left, runs[pick - 1].Shape);
                if (right > 0) runs[pick + 1] = (runs[pick + 1].Start + right, runs[pick + 1].End, runs[pick + 1].Shape);
                runs[pick] = (p.Start - left, p.End + right, p.Shape);
                if (left + right < grow) kept.Add(p.Start - left);
                continue;
            }
            int into = Speech(pick - 1) && Speech(pick + 1) ? (Len(runs[pick - 1]) >= Len(runs[pick + 1]) ? pick - 1 : pick + 1)
                : Speech(pick - 1) ? pick - 1 : Speech(pick + 1) ? pick + 1 : -1;
            if (into < 0) { kept.Add(p.Start); continue; }
            var t = runs[into];
            runs[into] = (Math.Min(t.Start, p.Start), Math.Max(t.End, p.End), t.Shape);
            runs.RemoveAt(pick);
            for (int k = runs.Count - 1; k > 0; k--)
                if (runs[k].Shape == runs[k - 1].Shape) { runs[k - 1] = (runs[k - 1].Start, runs[k].End, runs[k].Shape); runs.RemoveAt(k); }
        }
        var cues = new List<MouthCue>(runs.Count);
        foreach (var (s, e, shape) in runs)
        {
            double start = s * SpeechFeatures.HopSeconds, end = Math.Min(duration, e * SpeechFeatures.HopSeconds);
            if (end > start) cues.Add(new MouthCue(start, end, shape));
        }
        if (cues.Count > 0 && cues[^1].End < duration) cues[^1] = cues[^1] with { End = duration };
        return cues;
    }
}
