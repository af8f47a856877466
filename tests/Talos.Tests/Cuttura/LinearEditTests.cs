using Talos.Gpu.Cuttura;
using Talos.Gpu.Imaging;
using Xunit;

namespace Talos.Tests.Cuttura;

/// <summary>The film edit on linear-light frames (HDR, ProRes, PNG16 deliveries): same windows as the 8-bit edit, mixed in float.</summary>
public sealed class LinearEditTests
{
    static RgbaImage Solid(float v)
    {
        var img = new RgbaImage(4, 2);
        Array.Fill(img.R, v); Array.Fill(img.G, v); Array.Fill(img.B, v); Array.Fill(img.A, 1f);
        return img;
    }

    [Fact]
    public void Dissolves_and_fades_mix_linear_frames_and_keep_highlights()
    {
        // Clip A holds a 4.0 highlight (above SDR white), clip B is 0.5; frames are named by value.
        var frames = new Dictionary<string, RgbaImage> { ["a"] = Solid(4f), ["b"] = Solid(0.5f) };
        var clips = new[]
        {
            new ShotClip("A", Enumerable.Repeat("a", 6).ToList(), "cut", 24),
            new ShotClip("B", Enumerable.Repeat("b", 6).ToList(), "dissolve", 24),
            new ShotClip("C", Enumerable.Repeat("b", 6).ToList(), "fade", 24),
        };
        var film = FilmEditor.EditLinear(clips, h => frames[h], 4).ToList();
        Assert.Equal(18, film.Count);
        var r = film.Select(f => f.R[0]).ToList();
        Assert.Equal(4f, r[0]);                         // untouched before the dissolve, highlight intact
        Assert.InRange(r[4], 0.5f, 4f);                 // mixing across the cut
        Assert.True(r[4] > r[5] && r[5] > r[6] && r[6] > r[7], string.Join(", ", r));
        Assert.Equal(0.5f, r[9]);
        Assert.Equal(0f, r[11]);                        // dip to black on B's last frame before the fade
        Assert.Equal(0f, r[12]);                        // and C's first
        Assert.Equal(1f, film[11].A[0]);                // black, still opaque
        // The weights are those of the 8-bit edit: the same eased window.
        Assert.Equal(FilmEditor.FrameCount(clips), film.Count);
        Assert.Throws<CutturaException>(() => FilmEditor.EditLinear([new ShotClip("X", ["a"], "wipe", 24)], h => frames[h], 4));
    }

    [Fact]
    public void Released_frames_are_every_loaded_and_mixed_image_once_after_the_consumer_is_done_with_them()
    {
        var values = new Dictionary<string, float> { ["a"] = 4f, ["b"] = 0.5f, ["c"] = 0.125f };
        var clips = new[]
        {
            new ShotClip("A", Enumerable.Repeat("a", 6).ToList(), "cut", 24),
            new ShotClip("B", Enumerable.Repeat("b", 7).ToList(), "dissolve", 24),
            new ShotClip("C", Enumerable.Repeat("c", 5).ToList(), "fade", 24),
            new ShotClip("D", Enumerable.Repeat("a", 4).ToList(), "dissolve", 24),
        };
        var expected = FilmEditor.EditLinear(clips, h => Solid(values[h]), 4).Select(f => (f.R[0], f.A[0])).ToList();
        var loaded = new List<RgbaImage>();
        var released = new List<RgbaImage>();
        var yielded = new List<RgbaImage>();
        var got = new List<(float, float)>();
        foreach (var f in FilmEditor.EditLinear(clips, h => { var img = Solid(values[h]); loaded.Add(img); return img; }, 4, released.Add))
        {
            // nothing handed out so far is released before the consumer asks for the next frame
            Assert.DoesNotContain(f, released);
            got.Add((f.R[0], f.A[0]));
            yielded.Add(f);
        }
        Assert.Equal(expected, got);
        // every image loaded or mixed is released, each exactly once
        var all = loaded.Concat(yielded).Distinct(ReferenceEqualityComparer.Instance).Cast<RgbaImage>().ToList();
        Assert.Equal(all.Count, released.Count);
        Assert.Equal(released.Count, released.Distinct(ReferenceEqualityComparer.Instance).Count());
        Assert.All(all, img => Assert.Contains(img, released));
    }
}
