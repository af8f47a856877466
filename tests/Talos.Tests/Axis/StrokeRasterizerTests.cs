using Talos.Gpu.Axis;
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
}
