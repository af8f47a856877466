using Talos.Gpu.Chroma;
using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;
using Xunit;

namespace Talos.Tests.Chroma;

public sealed class DebugDump
{
    [Fact]
    public void Dump()
    {
        string rig = Environment.GetEnvironmentVariable("DRIG") ?? "lanky", pose = Environment.GetEnvironmentVariable("DPOSE") ?? "walk";
        var (frames, table) = RigSequence.Walk(rig, 320, 180, 4, pose);
        var ink = ColourModel.DefaultInk;
        var cur = frames[0].Truth;
        for (int f = 1; f < 4; f++)
        {
            cur = LabelPropagation.Propagate(frames[f - 1].Lines, cur, frames[f].Lines, out _);
            var img = Colorizer.Render(frames[f].Lines, cur, table, ink);
            var t = frames[f].Truth.EntryMap(frames[f].Lines); var g = cur.EntryMap(frames[f].Lines);
            for (int i = 0; i < t.Length; i++)
                if (t[i] != g[i] && t[i] != LabelPropagation.InkMark && !(t[i] < 0 && g[i] < 0)) { img.R[i] = 1; img.G[i] = 0; img.B[i] = 1; img.A[i] = 1; }
            File.WriteAllBytes($"/tmp/chroma/p{f}.png", KeyImages.WriteRgba(img));
            File.WriteAllBytes($"/tmp/chroma/t{f}.png", KeyImages.WriteRgba(Colorizer.Render(frames[f].Lines, frames[f].Truth, table, ink)));
        }
    }
}
