using Talos.Cli.Commercial;
using Talos.Gpu.Cuttura;
using Talos.Gpu.Imaging;
using Talos.Gpu.Prism.Commercials;
using Talos.Tests.Actors;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Commercials;

/// <summary>
/// <c>talos commercial examples/brief.json --deliverables 16x9,9x16,1x1 --height 144</c> end to end, checked from outside:
/// three files of the right sizes and length; from each layout JSON the end card's logo and tagline inside the title-safe
/// area and every character inside it too; and from the pixels, the end card's last frame differs from its plain ground
/// only inside the title-safe area, and the hook's ink lies inside the characters' boxes.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class CommercialTests : IDisposable
{
    const int Fps = 12, Seconds = 6;
    readonly string _dir = Repo.TempDir("commercial");
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    static readonly (string Name, int W, int H)[] Formats = [("16x9", 256, 144), ("9x16", 144, 256), ("1x1", 144, 144)];

    [Fact]
    public async Task The_example_brief_makes_three_reframed_deliverables_with_type_and_cast_inside_title_safe()
    {
        var brief = BriefJson.Load(Path.Combine(Repo.Root, "examples", "brief.json"));
        var spot = Path.Combine(_dir, "spot.mp4");
        var (code, error) = await CliRunner.Run([CommercialCommand.Create()], "commercial", Path.Combine(Repo.Root, "examples", "brief.json"),
            "--deliverables", "16x9,9x16,1x1", "--height", "144", "--fps", Fps.ToString(), "--out", spot, "--work-dir", Path.Combine(_dir, "work"));
        Assert.True(code == 0, error);
        Assert.False(File.Exists(spot), "several deliverables each go to their own file, none to --out itself");

        foreach (var (name, w, h) in Formats)
        {
            var file = Path.Combine(_dir, $"spot.{name}.mp4");
            var info = await MediaProbe.ProbeAsync(file);
            Assert.Equal((w, h), (info.Width, info.Height));
            Assert.InRange(info.FrameCount, Seconds * Fps - 1, Seconds * Fps + 1);

            var layout = DeliverableLayout.Parse(File.ReadAllText(Path.Combine(_dir, $"spot.{name}.layout.json")));
            Assert.Equal((w, h, name), (layout.Width, layout.Height, layout.Format));
            var safe = layout.TitleSafe;
            Assert.Equal(new LayoutBox(0.05 * w, 0.05 * h, 0.95 * w, 0.95 * h), safe, (a, b) => Math.Abs(a.X0 - b.X0) < 0.5 && Math.Abs(a.Y1 - b.Y1) < 0.5);
            var end = layout.Titles.Where(t => t.Shot == "endcard").ToList();
            var logo = Assert.Single(end, t => t.Role == SpotPlanner.Roles.Logo);
            var tagline = Assert.Single(end, t => t.Role == SpotPlanner.Roles.Tagline);
            Assert.Equal(brief.Tagline, tagline.Text);
            foreach (var t in new[] { logo, tagline, Assert.Single(end, t => t.Role == SpotPlanner.Roles.CallToAction) })
                Assert.True(t.Box.Inside(safe), $"{name}: {t.Role} {t.Box} leaves title-safe {safe}");
            var frame = new LayoutBox(0, 0, w, h);
            var hook = layout.Shots.Single(s => s.Id == "hook");
            Assert.Equal(["MARA", "JUNO"], hook.Characters.Select(c => c.Name));
            foreach (var c in hook.Characters)
            {
                Assert.True(c.Extent.Inside(frame) && c.Extent.Inside(safe), $"{name}: {c.Name} {c.Extent} leaves the frame or title-safe {safe}");
                Assert.All(c.Keys, k => Assert.True(k.Box.Inside(c.Extent)));
            }

            var frames = await FrameGrab.DecodeAsync(file, w, h);
            Assert.InRange(frames.Count, Seconds * Fps - 1, Seconds * Fps + 1);
            EndCardDiffersOnlyInsideTitleSafe(frames[^1], w, h, brief.Palette.Background, safe, name);
            HookInkLiesInsideCharacterBoxes(frames[hook.Start + hook.Frames / 2], w, h, hook, name);
        }
    }

    /// <summary>Every pixel of the end card's last frame that is not its plain ground lies inside the title-safe area (a codec's ringing of a few levels is not a difference).</summary>
    void EndCardDiffersOnlyInsideTitleSafe(byte[] f, int w, int h, string ground, LayoutBox safe, string name)
    {
        var (r, g, b) = (Convert.ToByte(ground[1..3], 16), Convert.ToByte(ground[3..5], 16), Convert.ToByte(ground[5..7], 16));
        int outside = 0, inside = 0;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = (y * w + x) * 3;
                bool differs = Math.Max(Math.Abs(f[i] - r), Math.Max(Math.Abs(f[i + 1] - g), Math.Abs(f[i + 2] - b))) > 40;
                if (!differs) continue;
                if (x >= safe.X0 && x + 1 <= safe.X1 && y >= safe.Y0 && y + 1 <= safe.Y1) inside++; else outside++;
            }
        if (outside > 0 || inside < 50) FrameGrab.SavePng(f, w, h, Path.Combine(Path.GetTempPath(), $"talos-endcard-{name}.png"));
        Assert.True(outside == 0, $"{name}: {outside} pixels of the end card differ from its ground outside title-safe");
        Assert.True(inside > 50, $"{name}: only {inside} pixels of type and logo on the end card");
    }

    /// <summary>In a hook frame, the dark ink of the characters' lines lies inside the characters' boxes from the layout.</summary>
    void HookInkLiesInsideCharacterBoxes(byte[] f, int w, int h, LayoutShot hook, string name)
    {
        int ink = 0, stray = 0;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = (y * w + x) * 3;
                if (f[i] > 60 || f[i + 1] > 60 || f[i + 2] > 60) continue; // line ink (#1b1620, lit) is the darkest paint on the frame
                ink++;
                if (!hook.Characters.Any(c => x >= c.Extent.X0 - 1 && x <= c.Extent.X1 && y >= c.Extent.Y0 - 1 && y <= c.Extent.Y1)) stray++;
            }
        if (stray > 0 || ink < 30) FrameGrab.SavePng(f, w, h, Path.Combine(Path.GetTempPath(), $"talos-hook-{name}.png"));
        Assert.True(ink >= 30, $"{name}: only {ink} ink pixels in the hook");
        Assert.True(stray == 0, $"{name}: {stray} of {ink} ink pixels lie outside every character's box");
    }
}
