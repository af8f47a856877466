using Talos.Gpu.Imaging;

namespace Talos.Gpu.Chroma;

/// <summary>
/// The frame-sized planes one colouring loop reuses from frame to frame (<see cref="ChromaFill.Fill(GrayImage, IReadOnlyList{RegionSeed}, IReadOnlyDictionary{string, Rgb}, Rgb, FillBuffers?, out LabelImage, out FrameCodec.Box, int)"/>,
/// <see cref="ShotColouring.Layer(int, int, GrayImage, IReadOnlyList{RegionSeed}, Func{int, GrayImage}, FillBuffers?, out FrameCodec.Box, CancellationToken)"/>):
/// the colour layer and the two label images, instead of a fresh 14.7 MB layer and one or two 3.7 MB label images per
/// character per frame at 1280x720. Each plane remembers the rectangle it last wrote; taking it again clears only that
/// (what the new use does not write over), so a plane is all zero outside what its current use writes — the same
/// contents as a fresh one. The layer comes from <see cref="FramePool"/> and goes back there on <see cref="Dispose"/>
/// (a stage's chunks reuse one another's pages); the label images go back, cleared, to a few kept for the next buffers
/// for the same reason. What a call returns from these buffers is good until the next call
/// that uses them, or the buffers' disposal; not for use by two threads at once.
/// </summary>
public sealed class FillBuffers : IDisposable
{
    RgbaImage? _layer;
    FrameCodec.Box _layerWritten;

    internal LabelPlane Plain { get; } = new();
    internal LabelPlane Closed { get; } = new();

    /// <summary>The layer, zero everywhere except possibly inside <paramref name="box"/>, which the caller writes whole.</summary>
    internal RgbaImage TakeLayer(int width, int height, FrameCodec.Box box)
    {
        if (_layer is not { } img || img.Width != width || img.Height != height)
        {
            FramePool.Return(_layer, _layerWritten);
            (_layer, _layerWritten) = (img = FramePool.Rent(width, height), default);
        }
        var old = _layerWritten;
        _layerWritten = box;
        ClearOutside(img.Width, old, box, img.R, img.G, img.B, img.A);
        return img;
    }

    /// <summary>
    /// Gives the layer back to <see cref="FramePool"/> (it is zero outside the box it last wrote, so only that is
    /// cleared); what these buffers returned must not be used afterwards.
    /// </summary>
    public void Dispose()
    {
        FramePool.Return(_layer, _layerWritten);
        (_layer, _layerWritten) = (null, default);
        Plain.Return();
        Closed.Return();
    }

    /// <summary>Zeroes the rows of <paramref name="old"/> that lie outside <paramref name="keep"/>.</summary>
    static void ClearOutside<T>(int width, FrameCodec.Box old, FrameCodec.Box keep, params T[][] planes)
    {
        if (old.Count == 0) return;
        int kx0 = keep.X, kx1 = keep.X + keep.W, ky0 = keep.Y, ky1 = keep.Y + keep.H;
        bool keepAny = keep.Count > 0;
        for (int y = old.Y; y < old.Y + old.H; y++)
        {
            int a = old.X, b = old.X + old.W;
            foreach (var p in planes)
            {
                var row = p.AsSpan(y * width, width);
                if (!keepAny || y < ky0 || y >= ky1) { row[a..b].Clear(); continue; }
                if (a < kx0) row[a..Math.Min(b, kx0)].Clear();
                if (b > kx1) row[Math.Max(a, kx1)..b].Clear();
            }
        }
    }

    /// <summary>A reused label image; <see cref="RegionLabeller.Label"/> writes every pixel of its window (0 on ink and
    /// outside), so only what the previous window held outside the new one is cleared.</summary>
    internal sealed class LabelPlane
    {
        LabelImage? _image;
        FrameCodec.Box _written;

        /// <summary>Label images given back by disposed buffers, all zero (the next chunk's buffers take them, pages and all).</summary>
        static readonly System.Collections.Concurrent.ConcurrentBag<LabelImage> Spare = new();
        const int MostSpare = 4;

        public LabelImage Take(int width, int height, FrameCodec.Box window)
        {
            if (_image is not { } img || img.Width != width || img.Height != height)
            {
                Return();
                if (!Spare.TryTake(out img) || img.Width != width || img.Height != height) img = new LabelImage(width, height);
                (_image, _written) = (img, default);
            }
            ClearOutside(width, _written, window, img.Data);
            _written = window;
            img.RegionCount = 0;
            return img;
        }

        /// <summary>Clears what the image last held and keeps it for the next buffers (a few at most); the plane has none after.</summary>
        public void Return()
        {
            if (_image is not { } img) return;
            ClearOutside(img.Width, _written, default, img.Data);
            img.RegionCount = 0;
            (_image, _written) = (null, default);
            if (Spare.Count < MostSpare) Spare.Add(img);
        }
    }
}
