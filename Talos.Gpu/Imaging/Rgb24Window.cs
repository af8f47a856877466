namespace Talos.Gpu.Imaging;

/// <summary>
/// A consumer's window of decoded 8-bit frames (interleaved RGB24): frame i is decoded (<see cref="FrameCodec.DecodeRgb24(byte[], Span{byte}, FrameCodec.Box)"/>)
/// into buffer <c>i mod Slots</c>, which the window owns for its whole life, so a stage that reads a clip's frames in order
/// (ECHO, CUTTURA) allocates <see cref="Slots"/> frames, not one per frame, and no buffer outlives its consumer. The array
/// returned for frame i holds it until a frame j ≠ i with j ≡ i (mod <see cref="Slots"/>) is asked for; asking for frame
/// i again meanwhile returns the same array without decoding. The arrays are the window's: a caller reads them and
/// copies what it keeps longer (or changes).
/// </summary>
public sealed class Rgb24Window
{
    readonly Func<int, byte[]> _blob;
    readonly byte[]?[] _buffers;
    readonly int[] _frames;
    readonly FrameCodec.Box[] _written;

    /// <param name="slots">How many frames may be in use at once (a temporal window of three frames needs three).</param>
    /// <param name="width">The frames' width; a blob of another size is an error.</param>
    /// <param name="height">The frames' height.</param>
    /// <param name="blob">Frame i's blob (TFR2 or TFR1, RGB24).</param>
    public Rgb24Window(int slots, int width, int height, Func<int, byte[]> blob)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentNullException.ThrowIfNull(blob);
        (Slots, Width, Height, _blob) = (slots, width, height, blob);
        _buffers = new byte[slots][];
        _frames = new int[slots];
        Array.Fill(_frames, -1);
        _written = new FrameCodec.Box[slots];
    }

    public int Slots { get; }
    public int Width { get; }
    public int Height { get; }

    /// <summary>Frames decoded so far (asking again for a frame still in its buffer does not count).</summary>
    public int Decoded { get; private set; }

    /// <summary>Frame <paramref name="i"/>'s bytes, in the window's buffer for it (see the class remarks for how long they hold).</summary>
    public byte[] this[int i]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(i);
            int s = i % Slots;
            if (_frames[s] == i) return _buffers[s]!;
            var blob = _blob(i);
            var (_, w, h) = FrameCodec.ReadHeader(blob);
            if (w != Width || h != Height) throw new InvalidDataException($"frame {i} is {w}x{h}, the clip {Width}x{Height}");
            var buffer = _buffers[s] ??= new byte[checked(Width * Height * 3)];
            _frames[s] = -1;
            // a decode that fails part-way may leave bytes anywhere: the next one clears the whole buffer
            var written = _written[s];
            _written[s] = new FrameCodec.Box(0, 0, Width, Height);
            _written[s] = FrameCodec.DecodeRgb24(blob, buffer, written);
            _frames[s] = i;
            Decoded++;
            return buffer;
        }
    }
}
