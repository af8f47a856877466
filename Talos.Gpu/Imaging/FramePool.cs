using System.Runtime.InteropServices;

namespace Talos.Gpu.Imaging;

/// <summary>
/// Full-frame planes kept for reuse, so a stage's per-frame images (a decoded layer, a light map, a composite) come from
/// planes already faulted in instead of fresh large-object-heap arrays that the GC zeroes, the kernel faults in page
/// by page, and a tight heap limit hands back again (docs/BENCHMARKS.md, issue 19). Every array handed out is all zero
/// bits, exactly as a new one: <see cref="Return(float[])"/> clears what was written before the array is kept, so no
/// pixel of one frame can reach another. Only an owner that no longer reads or writes an array may return it; an array
/// never returned is simply collected. The pool keeps at most <see cref="Budget"/> bytes (a quarter of the GC heap's
/// limit, and no more than the <see cref="Cap"/> a render host sets from its frames and chunk slots): beyond it a
/// returned array is left to the GC.
/// </summary>
public static class FramePool
{
    static readonly object Gate = new();
    static readonly Dictionary<int, Stack<float[]>> Floats = new();
    static readonly Dictionary<int, Stack<byte[]>> Bytes = new();
    static long kept;

    /// <summary>The most bytes of arrays kept for reuse: a quarter of what the GC may use now (a render sets its heap
    /// limit after start, <c>GC.RefreshMemoryLimit</c>), at least 64 MiB, and never more than <see cref="Cap"/>.</summary>
    public static long Budget => Math.Min(Cap, Math.Max(64L << 20, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4));

    static long _cap = long.MaxValue;

    /// <summary>
    /// The most bytes kept whatever the heap limit (none until a host sets it): a render sizes it by the frames its chunk
    /// slots work on at once (<c>RenderMemory</c>), since what the pool keeps beyond that is live memory no stage is about
    /// to rent — the README film's pool held 143 MB at its peak RSS (docs/BENCHMARKS.md, issue 19). Arrays kept already
    /// stay until rented.
    /// </summary>
    public static long Cap
    {
        get => Interlocked.Read(ref _cap);
        set { ArgumentOutOfRangeException.ThrowIfNegative(value); Interlocked.Exchange(ref _cap, value); }
    }

    /// <summary>The bytes kept now (for tests and measurements).</summary>
    public static long KeptBytes { get { lock (Gate) return kept; } }

    /// <summary>An all-zero float array of exactly <paramref name="length"/> elements: a kept one, else new.</summary>
    public static float[] RentPlane(int length) => Take(Floats, length) ?? new float[length];

    /// <summary>An all-zero byte array of exactly <paramref name="length"/> elements: a kept one, else new.</summary>
    public static byte[] RentBytes(int length) => Take(Bytes, length) ?? new byte[length];

    /// <summary>An all-zero (transparent black) image, its planes from the pool.</summary>
    public static RgbaImage Rent(int width, int height)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}x{height} must be positive");
        int n = checked(width * height);
        return new RgbaImage(width, height, RentPlane(n), RentPlane(n), RentPlane(n), RentPlane(n));
    }

    /// <summary>An all-zero gray image, its plane from the pool.</summary>
    public static GrayImage RentGray(int width, int height)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}x{height} must be positive");
        return new GrayImage(width, height, RentPlane(checked(width * height)));
    }

    /// <summary>Gives back a gray image that is zero bits outside <paramref name="within"/>: only the box is cleared. The caller must not use it again.</summary>
    public static void Return(GrayImage? image, FrameCodec.Box within)
    {
        if (image is null) return;
        Return(image.Data, image.Width, within);
    }

    /// <summary>Gives an image's planes back; the caller (and anyone it shared the image with) must not use it again.</summary>
    public static void Return(RgbaImage? image)
    {
        if (image is null) return;
        Return(image.R); Return(image.G); Return(image.B); Return(image.A);
    }

    /// <summary>
    /// Gives an image back whose every pixel outside <paramref name="within"/> is zero bits (the caller drew or decoded
    /// only there: a decoded layer's stored box, a renderer's drawn box): only the box is cleared, the rest of each plane
    /// is neither searched nor written. The caller must not use the image again.
    /// </summary>
    public static void Return(RgbaImage? image, FrameCodec.Box within)
    {
        if (image is null) return;
        foreach (var plane in (ReadOnlySpan<float[]>)[image.R, image.G, image.B, image.A]) Return(plane, image.Width, within);
    }

    /// <summary>Gives back a plane of rows <paramref name="width"/> long that is zero bits outside <paramref name="within"/>: only the box is cleared.</summary>
    public static void Return(float[]? plane, int width, FrameCodec.Box within)
    {
        if (plane is null || plane.Length == 0) return;
        int height = width > 0 ? plane.Length / width : 0;
        if (width <= 0 || plane.Length != width * height || within.X < 0 || within.Y < 0 || within.W < 0 || within.H < 0
            || within.X > width - within.W || within.Y > height - within.H)
            throw new ArgumentOutOfRangeException(nameof(within), $"box {within} is not inside a {width}-wide plane of {plane.Length}");
        for (int y = within.Y; y < within.Y + within.H; y++) plane.AsSpan(y * width + within.X, within.W).Clear();
        Keep(Floats, plane, 4L * plane.Length);
    }

    /// <summary>Gives a float array back (cleared here); the caller must not use it again.</summary>
    public static void Return(float[]? plane)
    {
        if (plane is null || plane.Length == 0) return;
        Clear(MemoryMarshal.Cast<float, uint>(plane.AsSpan()));
        Keep(Floats, plane, 4L * plane.Length);
    }

    /// <summary>Gives a byte array back (cleared here); the caller must not use it again.</summary>
    public static void Return(byte[]? bytes)
    {
        if (bytes is null || bytes.Length == 0) return;
        Clear<byte>(bytes);
        Keep(Bytes, bytes, bytes.Length);
    }

    /// <summary>Drops every kept array (tests; a process that is done rendering).</summary>
    public static void Trim()
    {
        lock (Gate) { Floats.Clear(); Bytes.Clear(); kept = 0; }
    }

    /// <summary>
    /// Zeroes every bit that is not zero: the span from the first to the last non-zero element is cleared, what lies
    /// outside it is only read (a character's layer is zero above and below its box, so most of it is never written).
    /// </summary>
    static void Clear<T>(Span<T> data) where T : unmanaged, IEquatable<T>
    {
        int first = data.IndexOfAnyExcept(default(T));
        if (first < 0) return;
        int last = data.LastIndexOfAnyExcept(default(T));
        data[first..(last + 1)].Clear();
    }

    static T[]? Take<T>(Dictionary<int, Stack<T[]>> pools, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        lock (Gate)
        {
            if (!pools.TryGetValue(length, out var stack) || stack.Count == 0) return null;
            var array = stack.Pop();
            kept -= (long)length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
            return array;
        }
    }

    static void Keep<T>(Dictionary<int, Stack<T[]>> pools, T[] array, long bytes)
    {
        long budget = Budget;
        lock (Gate)
        {
            if (kept + bytes > budget) return;
            if (!pools.TryGetValue(array.Length, out var stack)) pools[array.Length] = stack = new Stack<T[]>();
            foreach (var held in stack)
                if (ReferenceEquals(held, array)) throw new InvalidOperationException("an array was returned to the frame pool twice");
            stack.Push(array);
            kept += bytes;
        }
    }
}

/// <summary>
/// What one frame's work took from <see cref="FramePool"/> (or made itself and no longer needs), given back together
/// when the frame is done: each image or array once, however often it was added. Add only what nothing else holds — never
/// a cached image (a kept background, a shared layer).
/// </summary>
public sealed class FrameLease : IDisposable
{
    readonly List<object> owned = [];
    readonly Dictionary<object, FrameCodec.Box> boxes = new(ReferenceEqualityComparer.Instance);

    /// <summary>Adds <paramref name="image"/> (null is ignored) and hands it back.</summary>
    public RgbaImage? Own(RgbaImage? image)
    {
        if (image is not null) { boxes.Remove(image); owned.Add(image); }
        return image;
    }

    /// <summary>
    /// Adds <paramref name="image"/>, zero bits outside <paramref name="within"/> (or null: anywhere), and hands it back:
    /// given back through <see cref="FramePool.Return(RgbaImage, FrameCodec.Box)"/>, only the box cleared (if it is also
    /// added without a box, the whole image is).
    /// </summary>
    public RgbaImage? Own(RgbaImage? image, FrameCodec.Box? within)
    {
        if (image is null) return image;
        if (within is not { } box) return Own(image);
        if (boxes.TryGetValue(image, out var had))
        {
            // added twice with boxes: their union is cleared
            int x0 = Math.Min(had.X, box.X), y0 = Math.Min(had.Y, box.Y);
            boxes[image] = had.Count == 0 ? box : box.Count == 0 ? had
                : new FrameCodec.Box(x0, y0, Math.Max(had.X + had.W, box.X + box.W) - x0, Math.Max(had.Y + had.H, box.Y + box.H) - y0);
        }
        else if (!owned.Contains(image, ReferenceEqualityComparer.Instance)) boxes[image] = box; // else added before without one: all of it
        owned.Add(image);
        return image;
    }

    /// <summary>Adds <paramref name="plane"/> (null is ignored) and hands it back.</summary>
    public float[]? Own(float[]? plane) { if (plane is not null) owned.Add(plane); return plane; }

    /// <summary>Adds <paramref name="bytes"/> (null is ignored) and hands it back.</summary>
    public byte[]? Own(byte[]? bytes) { if (bytes is not null) owned.Add(bytes); return bytes; }

    /// <summary>Returns everything added, each once.</summary>
    public void Dispose()
    {
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        foreach (var item in owned)
        {
            if (!seen.Add(item)) continue;
            switch (item)
            {
                case RgbaImage image when boxes.TryGetValue(image, out var box): FramePool.Return(image, box); break;
                case RgbaImage image: FramePool.Return(image); break;
                case float[] plane: FramePool.Return(plane); break;
                case byte[] bytes: FramePool.Return(bytes); break;
            }
        }
        owned.Clear();
        boxes.Clear();
    }
}
