using Talos.Gpu.Imaging;

namespace Talos.Gpu.Anima;

/// <summary>
/// ANIMA: stacks premultiplied linear-light layers (first at the bottom) and turns the result into 8-bit sRGB.
/// Every pixel is computed on its own, layers in order, so the result does not depend on threading.
/// </summary>
public static class Compositor
{
    public static RgbaImage Composite(int width, int height, IReadOnlyList<Layer> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (Talos.Gpu.Kernels.ComputeDevice.Current.Accelerator is { } gpu) return IlgpuCompositor.Composite(gpu, width, height, layers);
        return CompositeCpu(width, height, layers);
    }

    /// <summary>The CPU path: rows in parallel, each layer's row blended in order.</summary>
    public static RgbaImage CompositeCpu(int width, int height, IReadOnlyList<Layer> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        var o = FramePool.Rent(width, height);
        RequireLayerSize(width, height, layers);

        Parallel.For(0, height, y =>
        {
            int start = y * width;
            BlendRowOfLayers(layers, y, width, o.R.AsSpan(start, width), o.G.AsSpan(start, width), o.B.AsSpan(start, width), o.A.AsSpan(start, width));
        });
        return o;
    }

    /// <summary>
    /// <see cref="ToSrgb8"/> of <see cref="Composite"/> without the composite: on the CPU each row is blended into a row
    /// buffer and tone-mapped at once (the same operations per pixel, so the same bytes), so no full-frame linear image
    /// is written, kept or cleared (ANIMA's SDR frames need only the bytes). On an accelerator, the two steps.
    /// </summary>
    public static byte[] CompositeToSrgb8(int width, int height, IReadOnlyList<Layer> layers, float exposure)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (!float.IsFinite(exposure) || exposure < 0f) throw new ArgumentOutOfRangeException(nameof(exposure), exposure, "exposure must be finite and non-negative");
        if (Talos.Gpu.Kernels.ComputeDevice.Current.Accelerator is not null)
        {
            var composite = Composite(width, height, layers);
            try { return ToSrgb8(composite, exposure); }
            finally { FramePool.Return(composite); }
        }
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}x{height} must be positive");
        RequireLayerSize(width, height, layers);
        var rgb = FramePool.RentBytes(checked(width * height * 3)); // every byte written
        Parallel.For(0, height, () => new float[4 * width], (y, _, row) =>
        {
            Array.Clear(row);
            BlendRowOfLayers(layers, y, width, row.AsSpan(0, width), row.AsSpan(width, width), row.AsSpan(2 * width, width), row.AsSpan(3 * width, width));
            EncodeRow(row.AsSpan(0, width), row.AsSpan(width, width), row.AsSpan(2 * width, width), exposure, rgb.AsSpan(y * width * 3, width * 3));
            return row;
        }, _ => { });
        return rgb;
    }

    /// <summary>
    /// <see cref="CompositeToSrgb8(int, int, IReadOnlyList{Layer}, float)"/> when the bytes of the first
    /// <paramref name="below"/> layers alone at this exposure are known (<paramref name="belowSrgb"/>: their
    /// <see cref="CompositeToSrgb8(int, int, IReadOnlyList{Layer}, float)"/>, e.g. a still shot's background, the same on
    /// every frame): a pixel where every layer above is zero is that pixel of <paramref name="belowSrgb"/>, so each row
    /// is copied from it and only the span where a layer above is not zero is blended and tone-mapped (the same
    /// operations per pixel, so the same bytes). On an accelerator, <paramref name="belowSrgb"/> is not used.
    /// </summary>
    public static byte[] CompositeToSrgb8(int width, int height, IReadOnlyList<Layer> layers, float exposure, int below, byte[] belowSrgb)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(belowSrgb);
        if (Talos.Gpu.Kernels.ComputeDevice.Current.Accelerator is not null) return CompositeToSrgb8(width, height, layers, exposure);
        Check(width, height, layers, exposure, below, belowSrgb);
        var rgb = FramePool.RentBytes(width * height * 3); // every byte written
        CompositeOver(width, height, layers, exposure, below, belowSrgb, rgb, null);
        return rgb;
    }

    /// <summary>
    /// <see cref="CompositeToSrgb8(int, int, IReadOnlyList{Layer}, float, int, byte[])"/> into <paramref name="canvas"/>'s
    /// bytes, which it keeps from one frame to the next (a shot's frames over one background): where the canvas last
    /// held <paramref name="belowSrgb"/> (the same array) with some columns of a row written over it, only those columns
    /// are copied back from it before the row's new columns are blended — not the whole frame's bytes every frame. The
    /// same bytes as the copy; they stay the canvas's (good until its next use; on an accelerator, a fresh array).
    /// </summary>
    public static byte[] CompositeToSrgb8(int width, int height, IReadOnlyList<Layer> layers, float exposure, int below, byte[] belowSrgb, SrgbCanvas canvas)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(belowSrgb);
        ArgumentNullException.ThrowIfNull(canvas);
        if (Talos.Gpu.Kernels.ComputeDevice.Current.Accelerator is not null) return CompositeToSrgb8(width, height, layers, exposure);
        Check(width, height, layers, exposure, below, belowSrgb);
        int n = width * height * 3;
        if (canvas.Bytes is not { } rgb || rgb.Length != n || canvas.Dirty.Length != 2 * height)
        {
            FramePool.Return(canvas.Bytes);
            (canvas.Bytes, canvas.Base, canvas.Dirty) = (rgb = FramePool.RentBytes(n), null, new int[2 * height]);
        }
        // only a canvas that holds this very array's bytes outside its written columns is mended; else every row is copied
        bool mend = ReferenceEquals(canvas.Base, belowSrgb);
        canvas.Base = null; // until every row is done (a failure part-way leaves a canvas that is copied whole next time)
        CompositeOver(width, height, layers, exposure, below, belowSrgb, rgb, canvas.Dirty, mend);
        canvas.Base = belowSrgb;
        return rgb;
    }

    /// <summary>
    /// The sRGB bytes <see cref="CompositeToSrgb8(int, int, IReadOnlyList{Layer}, float, int, byte[], SrgbCanvas)"/> writes
    /// into, kept from one call to the next with the columns of each row it wrote over its layers below; give it back
    /// (<see cref="Dispose"/>) when done.
    /// </summary>
    public sealed class SrgbCanvas : IDisposable
    {
        internal byte[]? Bytes;
        internal byte[]? Base;
        internal int[] Dirty = [];

        /// <summary>The bytes back to <see cref="FramePool"/>.</summary>
        public void Dispose()
        {
            FramePool.Return(Bytes);
            (Bytes, Base, Dirty) = (null, null, []);
        }
    }

    /// <summary>Every layer is <paramref name="width"/>×<paramref name="height"/> (the CPU and ILGPU composites' one check).</summary>
    internal static void RequireLayerSize(int width, int height, IReadOnlyList<Layer> layers)
    {
        foreach (var layer in layers)
            if (layer.Image.Width != width || layer.Image.Height != height)
                throw new ArgumentException($"layer is {layer.Image.Width}x{layer.Image.Height}, composite is {width}x{height}", nameof(layers));
    }

    /// <summary>The arguments of the overloads over known bytes below (their callers have checked them for null).</summary>
    static void Check(int width, int height, IReadOnlyList<Layer> layers, float exposure, int below, byte[] belowSrgb)
    {
        if (!float.IsFinite(exposure) || exposure < 0f) throw new ArgumentOutOfRangeException(nameof(exposure), exposure, "exposure must be finite and non-negative");
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}x{height} must be positive");
        if (below < 0 || below > layers.Count) throw new ArgumentOutOfRangeException(nameof(below), below, $"{layers.Count} layers");
        if (belowSrgb.Length != checked(width * height * 3)) throw new ArgumentException($"{belowSrgb.Length} bytes are not a {width}x{height} RGB24 frame", nameof(belowSrgb));
        RequireLayerSize(width, height, layers);
    }

    /// <summary>
    /// The rows of <paramref name="rgb"/>: <paramref name="belowSrgb"/>'s, with the columns where a layer above is not zero
    /// blended and tone-mapped. With <paramref name="dirty"/> (each row's written columns [d0, d1), (0, 0): none) and
    /// <paramref name="mend"/>, the bytes are <paramref name="belowSrgb"/>'s outside those columns, so only they are copied
    /// back; without <paramref name="mend"/> the whole row is. <paramref name="dirty"/> then holds this call's columns.
    /// </summary>
    static void CompositeOver(int width, int height, IReadOnlyList<Layer> layers, float exposure, int below, byte[] belowSrgb, byte[] rgb,
        int[]? dirty, bool mend = false)
    {
        Parallel.For(0, height, () => new float[4 * width], (y, _, row) =>
        {
            var dst = rgb.AsSpan(y * width * 3, width * 3);
            var src = belowSrgb.AsSpan(y * width * 3, width * 3);
            if (mend && dirty![2 * y + 1] > dirty[2 * y])
                src[(3 * dirty[2 * y])..(3 * dirty[2 * y + 1])].CopyTo(dst[(3 * dirty[2 * y])..]);
            else if (!mend) src.CopyTo(dst);
            if (dirty is not null) (dirty[2 * y], dirty[2 * y + 1]) = (0, 0);
            // the columns where some layer above is not zero: only there can a pixel differ from the layers below alone.
            // Each layer's span is searched once and kept for its blend (x1 = 0: nothing in this row).
            int above = layers.Count - below, u0 = width, u1 = 0;
            Span<int> spans = above <= 64 ? stackalloc int[2 * above] : new int[2 * above];
            for (int l = below; l < layers.Count; l++)
            {
                int k = 2 * (l - below);
                if (RowSpan(layers[l], y, width, 0, width, out spans[k], out spans[k + 1])) (u0, u1) = (Math.Min(u0, spans[k]), Math.Max(u1, spans[k + 1]));
                else spans[k + 1] = 0;
            }
            if (u1 <= u0) return row;
            if (dirty is not null) (dirty[2 * y], dirty[2 * y + 1]) = (u0, u1);
            int n = u1 - u0;
            Span<float> dr = row.AsSpan(0, width), dg = row.AsSpan(width, width), db = row.AsSpan(2 * width, width), da = row.AsSpan(3 * width, width);
            Span<float> r = dr.Slice(u0, n), g = dg.Slice(u0, n), b = db.Slice(u0, n);
            r.Clear(); g.Clear(); b.Clear(); da.Slice(u0, n).Clear();
            // the layers below, searched in [u0, u1) as BlendRowOfLayers does; then each layer above in its kept span,
            // which lies within [u0, u1), so is the span BlendRowOfLayers would find there (the same blends, in order)
            for (int l = 0; l < below; l++)
                if (RowSpan(layers[l], y, width, u0, u1, out int x0, out int x1)) BlendSpan(layers[l], y * width, x0, x1, dr, dg, db, da);
            for (int l = below; l < layers.Count; l++)
            {
                int k = 2 * (l - below);
                if (spans[k + 1] > spans[k]) BlendSpan(layers[l], y * width, spans[k], spans[k + 1], dr, dg, db, da);
            }
            EncodeRow(r, g, b, exposure, dst.Slice(3 * u0, 3 * n));
            return row;
        }, _ => { });
    }

    /// <summary>
    /// The columns [x0, x1) of row <paramref name="y"/>, within [c0, c1), between the first and the last pixel of the
    /// layer that is not zero bits; false when there is none there or the layer's opacity is 0 (it draws nothing).
    /// </summary>
    static bool RowSpan(Layer layer, int y, int width, int c0, int c1, out int x0, out int x1)
    {
        (x0, x1) = (0, 0);
        if (Opacity(layer) == 0f) return false;
        // Outside the layer's known box every pixel is zero: its other rows are skipped, only its columns searched.
        int left = c0, right = c1;
        if (layer.Within is { } box)
        {
            if (y < box.Y || y >= box.Y + box.H || box.W <= 0) return false;
            (left, right) = (Math.Max(left, Math.Clamp(box.X, 0, width)), Math.Min(right, Math.Clamp(box.X + box.W, 0, width)));
            if (layer.RowSpans is { } spans && spans.Length >= 2 * box.H)
            {
                // the row's known span: the search's answer where it lies within [left, right), else its part in them searched
                int s0 = Math.Max(spans[2 * (y - box.Y)], 0), s1 = Math.Min(spans[2 * (y - box.Y) + 1], width);
                if (s1 <= s0) return false;
                if (s0 >= left && s1 <= right) { (x0, x1) = (s0, s1); return true; }
                (left, right) = (Math.Max(left, s0), Math.Min(right, s1));
            }
        }
        if (right <= left || !NonZeroSpan(layer.Image, y * width + left, right - left, out x0, out x1)) return false;
        (x0, x1) = (x0 + left, x1 + left);
        return true;
    }

    /// <summary>Every layer's row <paramref name="y"/> blended in order into the row (d*), in the columns [c0, c1) alone (default: all).</summary>
    static void BlendRowOfLayers(IReadOnlyList<Layer> layers, int y, int width, Span<float> dr, Span<float> dg, Span<float> db, Span<float> da,
        int c0 = 0, int c1 = int.MaxValue)
    {
        int start = y * width;
        c1 = Math.Min(c1, width);
        foreach (var layer in layers)
        {
            // A source pixel that is zero in every plane leaves the composite as it was, in every mode (BlendPixel):
            // only the span of the row between its first and last non-zero pixel is blended (characters are small).
            if (!RowSpan(layer, y, width, c0, c1, out int x0, out int x1)) continue;
            BlendSpan(layer, start, x0, x1, dr, dg, db, da);
        }
    }

    /// <summary>The layer's row starting at <paramref name="start"/> blended into the row (d*) in the columns [x0, x1).</summary>
    static void BlendSpan(Layer layer, int start, int x0, int x1, Span<float> dr, Span<float> dg, Span<float> db, Span<float> da)
    {
        int n = x1 - x0;
        var s = layer.Image;
        var sr = s.R.AsSpan(start + x0, n); var sg = s.G.AsSpan(start + x0, n);
        var sb = s.B.AsSpan(start + x0, n); var sa = s.A.AsSpan(start + x0, n);
        BlendRow.Blend(layer.Mode, sr, sg, sb, sa, dr.Slice(x0, n), dg.Slice(x0, n), db.Slice(x0, n), da.Slice(x0, n), Opacity(layer));
    }

    /// <summary>One row of <see cref="ToSrgb8"/>: tone-mapped sRGB bytes, vectors first.</summary>
    static void EncodeRow(ReadOnlySpan<float> r, ReadOnlySpan<float> g, ReadOnlySpan<float> b, float exposure, Span<byte> dst)
    {
        int x0 = SrgbTable.EncodeVectors(r, g, b, exposure, dst);
        for (int x = x0, j = 3 * x0; x < r.Length; x++, j += 3)
        {
            dst[j] = SrgbTable.Encode(ToneMap(r[x] * exposure));
            dst[j + 1] = SrgbTable.Encode(ToneMap(g[x] * exposure));
            dst[j + 2] = SrgbTable.Encode(ToneMap(b[x] * exposure));
        }
    }

    /// <summary>
    /// The columns [x0, x1) of row <paramref name="start"/>…+<paramref name="width"/> between the first and the last pixel
    /// that is not all-zero bits in some plane; false when the whole row is zero.
    /// </summary>
    internal static bool NonZeroSpan(RgbaImage img, int start, int width, out int x0, out int x1)
    {
        (x0, x1) = (width, 0);
        foreach (var plane in (ReadOnlySpan<float[]>)[img.A, img.R, img.G, img.B])
        {
            // only the columns outside the span found so far can widen it (an opaque row: the first plane's search alone)
            var bits = System.Runtime.InteropServices.MemoryMarshal.Cast<float, uint>(plane.AsSpan(start, width));
            if (x1 > x0)
            {
                int before = bits[..x0].IndexOfAnyExcept(0u), after = bits[x1..].LastIndexOfAnyExcept(0u);
                if (before >= 0) x0 = before;
                if (after >= 0) x1 += after + 1;
                continue;
            }
            int first = bits.IndexOfAnyExcept(0u);
            if (first < 0) continue;
            x0 = first;
            x1 = bits.LastIndexOfAnyExcept(0u) + 1;
        }
        return x1 > x0;
    }

    /// <summary>A layer's opacity as used: clamped to [0, 1], non-finite as 0.</summary>
    internal static float Opacity(Layer layer) => float.IsFinite(layer.Opacity) ? Math.Clamp(layer.Opacity, 0f, 1f) : 0f;

    /// <summary>
    /// Interleaved RGB24 sRGB: colour × exposure, a soft highlight shoulder (<see cref="ToneMap"/>), then the sRGB
    /// transfer through a lookup table. Premultiplied colour is shown as if over black.
    /// </summary>
    public static byte[] ToSrgb8(RgbaImage img, float exposure)
    {
        ArgumentNullException.ThrowIfNull(img);
        if (!float.IsFinite(exposure) || exposure < 0f) throw new ArgumentOutOfRangeException(nameof(exposure), exposure, "exposure must be finite and non-negative");
        int w = img.Width;
        var rgb = FramePool.RentBytes(checked(img.PixelCount * 3)); // every byte written
        Parallel.For(0, img.Height, y =>
        {
            int start = y * w;
            var r = img.R.AsSpan(start, w); var g = img.G.AsSpan(start, w); var b = img.B.AsSpan(start, w);
            EncodeRow(r, g, b, exposure, rgb.AsSpan(start * 3, w * 3));
        });
        return rgb;
    }

    /// <summary>The composite scaled by an exposure gain (colour only; alpha kept), for deliveries made from linear light.</summary>
    public static RgbaImage Expose(RgbaImage img, float exposure)
    {
        ArgumentNullException.ThrowIfNull(img);
        if (!float.IsFinite(exposure) || exposure < 0f) throw new ArgumentOutOfRangeException(nameof(exposure), exposure, "exposure must be finite and non-negative");
        if (exposure == 1f) return img;
        var o = img.Clone();
        System.Numerics.Tensors.TensorPrimitives.Multiply(img.R, exposure, o.R);
        System.Numerics.Tensors.TensorPrimitives.Multiply(img.G, exposure, o.G);
        System.Numerics.Tensors.TensorPrimitives.Multiply(img.B, exposure, o.B);
        return o;
    }

    /// <summary>Where the highlight shoulder starts; below it the tone curve is the identity.</summary>
    public const float ShoulderStart = 0.8f;

    /// <summary>
    /// Identity up to <see cref="ShoulderStart"/>, then a rational shoulder k + (1−k)·t/(1+t), t = (x−k)/(1−k):
    /// continuous slope at the knee, strictly increasing, approaching 1 without reaching it. Negative/NaN → 0.
    /// </summary>
    public static float ToneMap(float x)
    {
        if (!(x > 0f)) return 0f;
        if (x <= ShoulderStart) return x;
        const float range = 1f - ShoulderStart;
        float t = (x - ShoulderStart) / range;
        if (float.IsPositiveInfinity(t)) return 1f;
        return ShoulderStart + range * (t / (1f + t));
    }
}
