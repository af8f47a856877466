namespace Talos.Gpu.Imaging;

/// <summary>
/// Planar float32 linear-light RGBA, premultiplied alpha. Pixel (x,y) is at index y*Width+x in each plane.
/// This is the frame type every pixel stage passes around in memory; frames cross actors only as vault hashes.
/// </summary>
public sealed class RgbaImage
{
    public int Width { get; }
    public int Height { get; }
    public float[] R { get; }
    public float[] G { get; }
    public float[] B { get; }
    public float[] A { get; }

    public RgbaImage(int width, int height)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}x{height} must be positive");
        Width = width; Height = height;
        int n = checked(width * height);
        R = new float[n]; G = new float[n]; B = new float[n]; A = new float[n];
    }

    /// <summary>An image over planes the caller made (<see cref="FramePool"/>): each of exactly width·height floats.</summary>
    internal RgbaImage(int width, int height, float[] r, float[] g, float[] b, float[] a)
    {
        Width = width; Height = height;
        int n = checked(width * height);
        if (r.Length != n || g.Length != n || b.Length != n || a.Length != n) throw new ArgumentException($"planes of a {width}x{height} image must hold {n} floats");
        R = r; G = g; B = b; A = a;
    }

    public int PixelCount => Width * Height;

    /// <summary>A copy, its planes from <see cref="FramePool"/> (the copy's owner may return it there).</summary>
    public RgbaImage Clone()
    {
        var c = FramePool.Rent(Width, Height);
        R.CopyTo(c.R, 0); G.CopyTo(c.G, 0); B.CopyTo(c.B, 0); A.CopyTo(c.A, 0);
        return c;
    }
}

/// <summary>Single-channel float32 image (line coverage in [0,1], depth, masks...).</summary>
public sealed class GrayImage
{
    public int Width { get; }
    public int Height { get; }
    public float[] Data { get; }

    public GrayImage(int width, int height)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}x{height} must be positive");
        Width = width; Height = height;
        Data = new float[checked(width * height)];
    }

    /// <summary>An image over a plane the caller made (<see cref="FramePool"/>): exactly width·height floats.</summary>
    internal GrayImage(int width, int height, float[] data)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}x{height} must be positive");
        if (data.Length != checked(width * height)) throw new ArgumentException($"the plane of a {width}x{height} image must hold {width * height} floats");
        Width = width; Height = height;
        Data = data;
    }

    public float this[int x, int y]
    {
        get => Data[y * Width + x];
        set => Data[y * Width + x] = value;
    }
}

/// <summary>Region index image: 0 = line/unassigned, 1..N = regions.</summary>
public sealed class LabelImage
{
    public int Width { get; }
    public int Height { get; }
    public int[] Data { get; }
    public int RegionCount { get; set; }

    public LabelImage(int width, int height)
    {
        Width = width; Height = height;
        Data = new int[checked(width * height)];
    }
}
