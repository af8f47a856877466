using Talos.Gpu.Chroma;
using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;
using Xunit;

namespace Talos.Tests.Chroma;

public sealed class PropagationTests
{
    [Theory]
    [InlineData("lanky", "walk")]
    [InlineData("stocky", "walk")]
    [InlineData("stocky", "run")]
    [InlineData("round", "wave")]
    public void Colour_one_frame_colour_the_shot(string rig, string pose)
    {
        var (frames, table) = RigSequence.Walk(rig, 320, 180, 12, pose);
        var current = frames[0].Truth;
        var results = new List<RegionColours> { current };
        double worst = 0, worstFlicker = 0;
        for (int f = 1; f < frames.Count; f++)
        {
            current = LabelPropagation.Propagate(frames[f - 1].Lines, current, frames[f].Lines, out var stats);
            results.Add(current);
            double err = RigSequence.ErrorShare(frames[f], current);
            double flicker = RigSequence.FlickerShare(frames[f - 1], results[f - 1], frames[f], current);
            Console.WriteLine($"{rig} {pose} frame {f}: error {err:P3} flicker {flicker:P3} {stats}");
            worst = Math.Max(worst, err);
            worstFlicker = Math.Max(worstFlicker, flicker);
        }
        Assert.True(worst < 0.01, $"worst frame has {worst:P2} of pixels wrong");
        Assert.True(worstFlicker < 0.005, $"worst flicker {worstFlicker:P2}");
    }
}
