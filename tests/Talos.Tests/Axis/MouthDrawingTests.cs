using Talos.Gpu.Axis;
using Talos.Gpu.Axis.LipSync;
using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Axis;

/// <summary>The nine mouth drawings (Rhubarb's A–H and X) on every built-in rig.</summary>
public sealed class MouthDrawingTests(ITestOutputHelper output)
{
    const int W = 360, H = 640;

    static GrayImage Draw(string rig, MouthShape? mouth, string emotion = "calm") =>
        LineArt.Draw(Rigs.Get(rig), PoseLibrary.Resolve("idle", emotion, 0), 0.5, 1, new CameraState(1, 0), W, H, mouth).Lines;

    [Fact]
    public void Nine_mouths_are_nine_different_drawings_in_the_mouth_region_of_every_rig()
    {
        var shapes = Enum.GetValues<MouthShape>();
        var sheetRows = new List<(GrayImage[] Drawings, (int X0, int Y0, int X1, int Y1) Box)>();
        foreach (var rig in Rigs.Names)
        {
            var drawings = shapes.Select(m => Draw(rig, m)).ToArray();
            var box = InkTools.DiffBox(drawings);
            Assert.True(box.X1 >= 0, $"{rig}: the mouths are all the same drawing");
            // the mouth is on the face: a small box in the upper part of the character
            Assert.InRange(box.X1 - box.X0, 3, W / 6);
            Assert.InRange(box.Y1 - box.Y0, 2, H / 12);
            Assert.InRange(box.Y0, H / 8, H / 2);
            for (int a = 0; a < shapes.Length; a++)
                for (int b = a + 1; b < shapes.Length; b++)
                {
                    double diff = Diff(drawings[a], drawings[b], box);
                    Assert.True(diff > 4, $"{rig}: mouths {shapes[a]} and {shapes[b]} differ by only {diff:0.0} ink in the mouth region");
                }
            // outside the mouth region the drawings are the same pixels: a cue swaps the mouth, nothing else
            for (int k = 1; k < shapes.Length; k++)
                for (int i = 0; i < W * H; i++)
                {
                    int x = i % W, y = i / W;
                    if (x >= box.X0 && x <= box.X1 && y >= box.Y0 && y <= box.Y1) continue;
                    Assert.True(MathF.Abs(drawings[k].Data[i] - drawings[0].Data[i]) <= 0.25f, $"{rig}: mouth {shapes[k]} changed pixel ({x}, {y}) outside the mouth");
                }
            sheetRows.Add((drawings, box));
        }
        var path = Path.Combine(Repo.TempDir("mouths"), "mouth-shapes.png");
        File.WriteAllBytes(path, KeyImages.WriteInk(Sheet(sheetRows)));
        output.WriteLine($"mouth sheet: {path}");
    }

    [Fact]
    public void Rest_mouth_X_is_the_pose_own_mouth_and_the_emotion_still_shows()
    {
        foreach (var rig in Rigs.Names)
        {
            Assert.Equal(Draw(rig, null).Data, Draw(rig, MouthShape.X).Data);
            Assert.NotEqual(Draw(rig, MouthShape.C, "joy").Data, Draw(rig, MouthShape.C, "sadness").Data);
        }
    }

    static double Diff(GrayImage a, GrayImage b, (int X0, int Y0, int X1, int Y1) box)
    {
        double sum = 0;
        for (int y = box.Y0; y <= box.Y1; y++)
            for (int x = box.X0; x <= box.X1; x++) sum += MathF.Abs(a[x, y] - b[x, y]);
        return sum;
    }

    /// <summary>Rows of rigs, columns A..X: 48x40 pixels around each mouth, enlarged 4x (nearest).</summary>
    static GrayImage Sheet(List<(GrayImage[] Drawings, (int X0, int Y0, int X1, int Y1) Box)> rows)
    {
        const int cw = 48, ch = 40, scale = 4, pad = 6;
        var sheet = new GrayImage(rows[0].Drawings.Length * (cw * scale + pad), rows.Count * (ch * scale + pad));
        for (int r = 0; r < rows.Count; r++)
        {
            var (drawings, box) = rows[r];
            int cx = (box.X0 + box.X1) / 2, cy = (box.Y0 + box.Y1) / 2 - 6;
            for (int c = 0; c < drawings.Length; c++)
                for (int y = 0; y < ch * scale; y++)
                    for (int x = 0; x < cw * scale; x++)
                        sheet[c * (cw * scale + pad) + x, r * (ch * scale + pad) + y] =
                            drawings[c][Math.Clamp(cx - cw / 2 + x / scale, 0, W - 1), Math.Clamp(cy - ch / 2 + y / scale, 0, H - 1)];
        }
        return sheet;
    }
}
