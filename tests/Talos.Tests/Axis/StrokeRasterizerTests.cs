using Talos.Gpu.Axis;
using Talos.Gpu.Imaging;
using Xunit;

namespace Talos.Tests.Axis;

public sealed class StrokeRasterizerTests
{
    [Fact]
    public void A_stroke_is_solid_on_its_line_soft_at_its_edge_and_touches_nothing_far_away()
    {
        var r = new StrokeRasterizer(64, 64);
        r.Stroke(new Capsule(10.5f, 32.5f, 50.5f, 32.5f, 0, 0), 2f);
        Assert.Equal(1f, r.Ink[30, 32]);
        Assert.Equal(1f, r.Ink[30, 33]);               // 1 px from the line: inside the half width
        Assert.Equal(0.5f, r.Ink[30, 34], 4);          // 2 px: clamp(2 - 2 + 0.5), the anti-aliased rim
        Assert.Equal(0f, r.Ink[30, 35]);
        Assert.Equal(0f, r.Ink[60, 32]);
    }

    [Fact]
    public void A_part_erases_what_it_covers_and_strokes_its_outline()
    {
        var r = new StrokeRasterizer(64, 64);
        r.Stroke(new Capsule(2.5f, 32.5f, 60.5f, 32.5f, 0, 0), 1f);
        int part = r.Part(new Ellipse(32.5f, 32.5f, 12, 12), 1f);
        Assert.Equal(0f, r.Ink[32, 32]);   // the line behind the circle is hidden
        Assert.Equal(1f, r.Ink[5, 32]);    // outside the circle it stays
        Assert.Equal(1f, r.Ink[44, 32]);   // the circle's outline
        Assert.Equal(part, r.OwnerAt(32, 32));
        Assert.Equal(0, r.OwnerAt(5, 32));
    }

    [Fact]
    public void Filled_ink_covers_the_inside_of_a_shape()
    {
        var r = new StrokeRasterizer(32, 32);
        r.FillInk(new Ellipse(16, 16, 5, 3));
        Assert.Equal(1f, r.Ink[16, 16]);
        Assert.Equal(0f, r.Ink[16, 24]);
    }

    [Fact]
    public void A_sampled_shape_holds_the_per_pixel_distance_within_reach_and_the_reach_with_its_sign_beyond()
    {
        // Polygons and polylines sample edge by edge in bands, and combinations fold clamped samples: every value must be
        // the float Distance gives at the pixel centre, clamped to ±(reach + 1) — self-intersecting outlines, rounded
        // corners, vertices on pixel centres and far outside the frame included.
        var rng = new Random(19);
        (float, float) Point(bool far)
        {
            float x = rng.NextSingle() * (far ? 400 : 80) - (far ? 170 : 10), y = rng.NextSingle() * (far ? 300 : 64) - (far ? 130 : 8);
            return rng.Next(4) == 0 ? (MathF.Round(x) + 0.5f, MathF.Round(y) + 0.5f) : (x, y);
        }
        List<(float X, float Y)> Points(int min, int max)
        {
            bool far = rng.Next(6) == 0;
            var pts = Enumerable.Range(0, rng.Next(min, max)).Select(_ => Point(far)).ToList();
            if (rng.Next(3) == 0) // a ring, as a flattened arc is
            {
                float cx = rng.NextSingle() * 60, cy = rng.NextSingle() * 44, r = 2 + rng.NextSingle() * 20;
                pts = Enumerable.Range(0, 64).Select(k => (cx + r * MathF.Cos(k * MathF.Tau / 64), cy + r * 0.7f * MathF.Sin(k * MathF.Tau / 64))).ToList();
            }
            return pts;
        }
        Shape Poly() => new Polygon(Points(3, 30), rng.Next(3) == 0 ? rng.NextSingle() * 3 : 0f);
        Shape Any() => rng.Next(6) switch
        {
            0 => new Polyline(Points(2, 12)),
            1 => new Union(Poly(), Poly(), Poly()),
            2 => new Subtract(Poly(), Poly()),
            3 => new Intersect(Poly(), Poly()),
            4 => new Capsule(rng.NextSingle() * 64, rng.NextSingle() * 48, rng.NextSingle() * 64, rng.NextSingle() * 48, 3, 3), // the general (quadtree) way
            _ => Poly(),
        };
        for (int trial = 0; trial < 300; trial++)
        {
            var shape = Any();
            float reach = 0.5f + rng.NextSingle() * 4;
            var raster = new StrokeRasterizer(64, 48);
            using var sampled = raster.Sample(shape, reach);
            for (int y = 0; y < sampled.Height; y++)
                for (int x = 0; x < sampled.Width; x++)
                {
                    float expected = Math.Clamp(shape.Distance(sampled.X0 + x + 0.5f, sampled.Y0 + y + 0.5f), -(reach + 1), reach + 1);
                    float actual = sampled.Distances[y * sampled.Width + x];
                    if (BitConverter.SingleToInt32Bits(expected) != BitConverter.SingleToInt32Bits(actual) && expected != actual)
                        Assert.Fail($"trial {trial} ({shape.GetType().Name}), pixel ({sampled.X0 + x}, {sampled.Y0 + y}): {actual:R}, per pixel {expected:R}");
                }
        }
    }

    /// <summary>
    /// A rasterizer's ink plane comes from <see cref="FramePool"/> and its owner map is kept between drawings, cleared
    /// only where parts claimed pixels: the next rasterizer of the size starts with no ink and no owner anywhere.
    /// </summary>
    [Fact]
    public void A_rasterizer_after_another_starts_with_no_ink_and_no_owner()
    {
        const int w = 97, h = 61; // a size no other test draws at
        using (var first = new StrokeRasterizer(w, h))
        {
            first.Part(new Ellipse(30.5f, 30.5f, 20, 14), 1.5f);
            first.Part(new Capsule(5.5f, 50.5f, 90.5f, 10.5f, 3, 6), 1f);
            first.Stroke(new Capsule(0.5f, 0.5f, 96.5f, 60.5f, 0, 0), 2f);
            Assert.NotEqual(0, first.OwnerAt(30, 30));
            Assert.NotEqual(0, first.OwnerAt(88, 12));
            FramePool.Return(first.Ink.Data);
        }
        using var second = new StrokeRasterizer(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                Assert.Equal(0, second.OwnerAt(x, y));
                Assert.Equal(0f, second.Ink[x, y]);
            }
    }

    /// <summary>A drawing made after another whose ink went back to the pool is the same drawing as made first.</summary>
    [Fact]
    public void A_drawing_over_reused_planes_is_the_same_drawing()
    {
        const int w = 331, h = 187;
        var rig = Rigs.Get("lanky");
        LineDrawing Draw(double x, string pose, CameraState camera) => LineArt.Draw(rig, PoseLibrary.Resolve(rig, pose, "joy", 0), x, 1, camera, w, h);
        var first = Draw(0.6, "walk", CameraState.Wide);
        var (lines, seeds) = ((float[])first.Lines.Data.Clone(), first.Seeds.ToList());
        FramePool.Return(first.Lines.Data);
        var other = Draw(0.35, "wave", new CameraState(2, 0.05));
        Assert.NotEqual(lines, other.Lines.Data);
        FramePool.Return(other.Lines, other.Written); // only its inked box cleared, as FLUX gives it back

        var again = Draw(0.6, "walk", CameraState.Wide);
        Assert.Equal(lines, again.Lines.Data);
        Assert.Equal(seeds, again.Seeds);
    }

    /// <summary>
    /// The box a drawing says it inked holds every non-zero pixel (characters partly outside the frame and close-ups
    /// included), so encoding only that box gives the same bytes as searching the whole frame.
    /// </summary>
    [Fact]
    public void A_drawing_s_written_box_holds_all_its_ink_and_encodes_to_the_same_bytes()
    {
        const int w = 320, h = 180;
        int checkedDrawings = 0;
        foreach (var name in new[] { "lanky", "stocky", "round" })
        {
            var rig = Rigs.Get(name);
            foreach (var (x, pose, camera) in new[] { (0.5, "walk", CameraState.Wide), (0.02, "wave", CameraState.Wide), (0.97, "walk", new CameraState(2, 0.1)), (0.4, "wave", new CameraState(3, -0.05)) })
            {
                var d = LineArt.Draw(rig, PoseLibrary.Resolve(rig, pose, "joy", 0), x, 1, camera, w, h);
                var box = d.Written;
                bool inked = d.Lines.Data.Any(v => v != 0f);
                Assert.Equal(inked, box.Count > 0); // a character off the frame inks nothing and says so
                Assert.True(box.X >= 0 && box.Y >= 0 && box.X + box.W <= w && box.Y + box.H <= h, $"{name} at {x}: box {box} outside the frame");
                for (int py = 0; py < h; py++)
                    for (int px = 0; px < w; px++)
                        if (px < box.X || px >= box.X + box.W || py < box.Y || py >= box.Y + box.H)
                            Assert.True(BitConverter.SingleToInt32Bits(d.Lines[px, py]) == 0, $"{name} at {x}: ink at ({px}, {py}) outside {box}");
                Assert.Equal(FrameCodec.EncodeGray(d.Lines), FrameCodec.EncodeGray(d.Lines, box));
                FramePool.Return(d.Lines, box);
                if (inked) checkedDrawings++;
            }
        }
        Assert.True(checkedDrawings >= 9, $"only {checkedDrawings} of 12 drawings inked");
    }
}
