using Talos.Gpu.Chroma;
using Xunit;

namespace Talos.Tests.Chroma;

/// <summary>"Colour one frame, colour the shot" on rig-rendered sequences whose true colours come from the rig's seeds.</summary>
public sealed class PropagationTests
{
    [Theory]
    [InlineData("lanky", "walk")]
    [InlineData("stocky", "walk")]
    [InlineData("round", "wave")]
    public void A_coloured_first_frame_colours_the_sequence_correctly_and_without_flicker(string rig, string pose)
    {
        var (frames, table) = RigSequence.Walk(rig, 480, 270, 12, pose);
        var current = frames[0].Truth; // the artist colours the first frame only
        var results = new List<RegionColours> { current };
        double wrong = 0, counted = 0, changed = 0, stable = 0;
        for (int f = 1; f < frames.Count; f++)
        {
            current = LabelPropagation.Propagate(frames[f - 1].Lines, current, frames[f].Lines, out var stats);
            results.Add(current);
            var (w, n) = RigSequence.Errors(frames[f], current);
            var (c, s) = RigSequence.Flicker(frames[f - 1], results[f - 1], frames[f], current);
            wrong += w; counted += n; changed += c; stable += s;
            Console.WriteLine($"{rig} {pose} frame {f}: wrong {w}/{n}, flicker {c}/{s}, {stats}");
        }
        Assert.True(counted > 10_000 && stable > 10_000);
        Assert.True(wrong / counted < 0.01, $"{wrong / counted:P2} of region pixels coloured wrong over the sequence");
        Assert.True(changed / stable < 0.005, $"{changed / stable:P2} of region pixels change colour between consecutive frames");
    }

    [Fact]
    public void Without_propagation_the_first_frames_colours_would_be_wrong_for_a_moving_figure()
    {
        // The check above can fail: painting frame 5 with frame 0's region paints by region number is far off.
        var (frames, table) = RigSequence.Walk("lanky", 480, 270, 6, "walk");
        var naive = new RegionColours(LabelPropagation.FromSeeds(frames[5].Lines, [], table).Labels, frames[0].Truth.EntryOfRegion);
        var fixedLabels = naive.Labels;
        var entries = new int[fixedLabels.RegionCount + 1];
        for (int l = 1; l < entries.Length; l++) entries[l] = l < frames[0].Truth.EntryOfRegion.Length ? frames[0].Truth.EntryOfRegion[l] : -1;
        var (w, n) = RigSequence.Errors(frames[5], new RegionColours(fixedLabels, entries));
        Assert.True(w / (double)n > 0.05, $"{w}/{n}");
    }
}
