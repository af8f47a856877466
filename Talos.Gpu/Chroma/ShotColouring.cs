using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;
using Talos.Messages.Specs;

namespace Talos.Gpu.Chroma;

/// <summary>
/// CHROMA for one shot: each character's line art labelled into regions (gaps in leaky lines closed, trapped-ball)
/// and filled, the palette graded by the shot's mood cue (<see cref="MoodGrade"/>).
/// <list type="bullet">
/// <item>Rig characters: from their palette at the seeds AXIS/FLUX place in each part.</item>
/// <item>Characters drawn as artists' keyframe images: when the first key image is coloured, its colours are taken per
/// region and carried frame by frame along the optical flow to every later drawing ("colour one frame, colour the
/// shot"); a frame replays the chain from the first key (deterministic: any range of frames can be coloured on its
/// own). Grey keys stay unfilled ink.</item>
/// </list>
/// One instance colours a run of frames in order (the chains remember the last frame they reached).
/// </summary>
public sealed class ShotColouring
{
    readonly ShotSpec _spec;
    readonly string? _mood;
    readonly IReadOnlyList<IReadOnlyDictionary<string, Rgb>> _palettes;
    readonly Func<string, byte[]?> _asset;
    readonly Dictionary<int, KeyChain?> _chains = new();

    /// <param name="asset">An asset's bytes by name; null when unknown.</param>
    public ShotColouring(ShotSpec spec, Func<string, byte[]?> asset)
    {
        _spec = spec; _asset = asset;
        _mood = MoodGrade.Knows(spec.Mood) ? spec.Mood : null;
        _palettes = spec.Characters.Select(c => MoodGrade.Grade(CharacterPalette.For(spec, c, asset), _mood)).ToList();
    }

    /// <summary>
    /// A character's colour layer for a frame from its line art and region seeds. <paramref name="linesAt"/> gives the
    /// character's line art at an earlier frame (a key-image chain replays from its key).
    /// </summary>
    public RgbaImage Layer(int character, int frame, GrayImage lines, IReadOnlyList<RegionSeed> seeds, Func<int, GrayImage> linesAt,
        CancellationToken ct = default) =>
        Layer(character, frame, lines, seeds, linesAt, null, out _, ct);

    /// <summary>
    /// <see cref="Layer(int, int, GrayImage, IReadOnlyList{RegionSeed}, Func{int, GrayImage}, CancellationToken)"/> painted
    /// into <paramref name="buffers"/> when given (the layer is theirs, good until their next use); the layer is zero
    /// outside <paramref name="painted"/> (<see cref="ChromaFill.LayerBounds"/>).
    /// </summary>
    public RgbaImage Layer(int character, int frame, GrayImage lines, IReadOnlyList<RegionSeed> seeds, Func<int, GrayImage> linesAt,
        FillBuffers? buffers, out FrameCodec.Box painted, CancellationToken ct = default) =>
        Layer(character, frame, lines, new FrameCodec.Box(0, 0, lines.Width, lines.Height), seeds, linesAt, buffers, out painted, ct);

    /// <summary>
    /// <see cref="Layer(int, int, GrayImage, IReadOnlyList{RegionSeed}, Func{int, GrayImage}, FillBuffers?, out FrameCodec.Box, CancellationToken)"/>
    /// of lines whose every pixel outside <paramref name="linesWithin"/> is zero (the stored box of the blob they were
    /// decoded from): the ink is searched only there, the same layer and box as searching the whole frame.
    /// </summary>
    public RgbaImage Layer(int character, int frame, GrayImage lines, FrameCodec.Box linesWithin, IReadOnlyList<RegionSeed> seeds,
        Func<int, GrayImage> linesAt, FillBuffers? buffers, out FrameCodec.Box painted, CancellationToken ct = default) =>
        seeds.Count == 0 && Chain(character) is { } chain
            ? Colorizer.Render(lines, linesWithin, chain.At(frame, lines, linesAt, ct), chain.Table, ColourModel.DefaultInk, buffers, out painted)
            : ChromaFill.Fill(lines, linesWithin, seeds, _palettes[character], ColourModel.DefaultInk, buffers, out _, out painted);

    /// <summary>The propagation chain of a character whose first keyframe image is coloured; null otherwise.</summary>
    KeyChain? Chain(int character)
    {
        if (_chains.TryGetValue(character, out var chain)) return chain;
        var ch = _spec.Characters[character];
        var first = ch.KeyframeImages.OrderBy(k => k.Frame).FirstOrDefault();
        if (ch.Keyframes.Count == 0 && first is not null && _asset(first.Asset) is { } bytes && KeyImages.IsColour(bytes, first.Asset))
        {
            var key = KeyImages.ReadRgba(bytes, first.Asset, _spec.Resolution.Width, _spec.Resolution.Height);
            var table = MoodGrade.Grade(ColourModel.FromPalette(CharacterPalette.For(_spec, ch, _asset)).Table, _mood).ToList();
            chain = new KeyChain(Math.Max(0, first.Frame), key, table);
        }
        return _chains[character] = chain;
    }

    /// <summary>Region paints carried from the coloured first key, frame by frame; remembers the last frame it reached.</summary>
    sealed class KeyChain(int keyFrame, RgbaImage key, List<PaletteEntry> table)
    {
        public List<PaletteEntry> Table { get; } = table;
        int _frame = -1;
        GrayImage? _lines;
        RegionColours? _regions;

        public RegionColours At(int frame, GrayImage lines, Func<int, GrayImage> linesAt, CancellationToken ct)
        {
            if (frame <= keyFrame) return LabelPropagation.FromKey(lines, key, Table);
            if (_regions is null || _frame >= frame || _frame < keyFrame)
            {
                _frame = keyFrame;
                _lines = linesAt(keyFrame);
                _regions = LabelPropagation.FromKey(_lines, key, Table);
            }
            while (_frame < frame)
            {
                ct.ThrowIfCancellationRequested();
                var next = _frame + 1 == frame ? lines : linesAt(_frame + 1);
                _regions = LabelPropagation.Propagate(_lines!, _regions!, next, out _);
                _lines = next;
                _frame++;
            }
            return _regions!;
        }
    }
}
