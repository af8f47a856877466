using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;
using Talos.Messages.Specs;
using Xunit;

namespace Talos.Tests.Flux;

public sealed class EasingAndCameraTests
{
    [Theory]
    [InlineData("linear")]
    [InlineData("ease-in")]
    [InlineData("ease-out")]
    [InlineData("ease-in-out")]
    [InlineData("hold")]
    public void Easing_curves_run_monotonically_from_zero_to_one(string ease)
    {
        Assert.Equal(0, Easing.Apply(ease, 0));
        Assert.Equal(1, Easing.Apply(ease, 1));
        double prev = 0;
        for (int i = 0; i <= 100; i++)
        {
            double v = Easing.Apply(ease, i / 100.0);
            Assert.InRange(v, prev, 1);
            prev = v;
        }
    }

    [Fact]
    public void Easing_shapes_differ_as_named()
    {
        Assert.Equal(0.25, Easing.Apply("linear", 0.25), 12);
        Assert.True(Easing.Apply("ease-in", 0.25) < 0.25);
        Assert.True(Easing.Apply("ease-out", 0.25) > 0.25);
        Assert.Equal(0.5, Easing.Apply("ease-in-out", 0.5), 12);
        Assert.True(Easing.Apply("ease-in-out", 0.1) < 0.1 && Easing.Apply("ease-in-out", 0.9) > 0.9);
        Assert.Equal(0, Easing.Apply("hold", 0.99));
    }

    [Fact]
    public void Unknown_ease_throws_naming_it()
    {
        var e = Assert.Throws<ArgumentException>(() => Easing.Apply("bounce", 0.5));
        Assert.Contains("'bounce'", e.Message);
        Assert.Contains("ease-in-out", e.Message);
    }

    [Fact]
    public void No_camera_moves_is_the_wide_shot()
    {
        Assert.Equal(CameraState.Wide, CameraPath.At([], 12));
    }

    [Fact]
    public void Camera_holds_outside_its_keys_and_eases_between_them()
    {
        CameraMove[] moves = [new() { Frame = 40, Zoom = 2.0, PanX = 0.2 }, new() { Frame = 10, Zoom = 1.0, PanX = 0.0 }];
        Assert.Equal(new CameraState(1.0, 0.0), CameraPath.At(moves, 0));
        Assert.Equal(new CameraState(1.0, 0.0), CameraPath.At(moves, 10));
        Assert.Equal(new CameraState(2.0, 0.2), CameraPath.At(moves, 40));
        Assert.Equal(new CameraState(2.0, 0.2), CameraPath.At(moves, 90));
        var mid = CameraPath.At(moves, 25);
        Assert.Equal(1.5, mid.Zoom, 9);
        Assert.Equal(0.1, mid.PanX, 9);
        double prev = 1.0, firstStep = CameraPath.At(moves, 11).Zoom - 1.0;
        for (int f = 10; f <= 40; f++)
        {
            double z = CameraPath.At(moves, f).Zoom;
            Assert.True(z >= prev);
            prev = z;
        }
        Assert.True(firstStep < 1.0 / 30, "the move eases in: its first step is smaller than a linear one");
    }
}
