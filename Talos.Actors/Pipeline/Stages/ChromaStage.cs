using Talos.Gpu.Chroma;
using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Specs;

namespace Talos.Actors.Pipeline.Stages;

using Stages = Talos.Messages.Stages;

/// <summary>
/// CHROMA: each character's line art labelled into regions (gaps in leaky lines closed, trapped-ball) and filled.
/// <list type="bullet">
/// <item>Rig characters: from their palette at the seeds AXIS/FLUX place in each part.</item>
/// <item>Characters drawn as artists' keyframe images: when the first key image is coloured, its colours are taken per
/// region and carried frame by frame along the optical flow to every later drawing ("colour one frame, colour the
/// shot"); each chunk replays the chain from the first key (deterministic; chunks stay independent). Grey keys stay
/// unfilled ink as before.</item>
/// <item>The shot's mood cue grades the palette (Reinhard lαβ transfer, <see cref="MoodGrade"/>) before the fill.</item>
/// </list>
/// </summary>
public sealed class ChromaStage : IStageRunner
{
    static readonly Rgb Ink = Rgb.FromHex("#1b1620");

    public string Stage => Stages.Chroma;
    public IReadOnlyList<string> DependsOn => [Stages.Flux];
    public IReadOnlyList<ChunkPlan> Plan(ShotSpec spec, int chunkFrames) => ChunkPlans.ByFrames(Stage, spec.FrameCount, chunkFrames);

    public ChunkManifest Run(ChunkContext ctx)
    {
        var spec = ctx.Spec;
        string? mood = MoodGrade.Knows(spec.Mood) ? spec.Mood : null;
        var palettes = spec.Characters.Select(c => MoodGrade.Grade(CharacterPalette.For(spec, c), mood)).ToList();
        var chains = new Dictionary<int, KeyChain?>();
        var frames = new List<FrameOutputs>();
        foreach (int frame in ctx.Frames)
        {
            ctx.Cancellation.ThrowIfCancellationRequested();
            var flux = ctx.Input(Stages.Flux, frame);
            var metas = StageIo.ReadMeta<List<CharacterFrameMeta>>(flux);
            var blobs = new Dictionary<string, string>();
            foreach (var meta in metas)
            {
                string name = StageIo.CharacterBlob(meta.Character);
                var lines = FrameCodec.DecodeGray(ctx.Vault.Get(flux.Blobs[name]));
                RgbaImage layer;
                if (meta.Seeds.Count == 0 && Chain(ctx, chains, meta.Character, mood) is { } chain)
                    layer = Colorizer.Render(lines, chain.At(ctx, frame, lines), chain.Table, Ink);
                else
                    layer = ChromaFill.Fill(lines, meta.Seeds, palettes[meta.Character], Ink, out _);
                blobs[name] = ctx.Vault.Put(FrameCodec.EncodeRgba(layer), "chroma-layer");
            }
            frames.Add(new FrameOutputs(frame, blobs, flux.Meta));
        }
        return new ChunkManifest(Stage, ctx.Plan.Chunk, ctx.Plan.FirstFrame, frames);
    }

    /// <summary>The propagation chain of a character whose first keyframe image is coloured; null otherwise.</summary>
    static KeyChain? Chain(ChunkContext ctx, Dictionary<int, KeyChain?> chains, int character, string? mood)
    {
        if (chains.TryGetValue(character, out var chain)) return chain;
        var ch = ctx.Spec.Characters[character];
        var first = ch.KeyframeImages.OrderBy(k => k.Frame).FirstOrDefault();
        chain = null;
        if (ch.Keyframes.Count == 0 && first is not null && ctx.Vault.ResolveAsset(first.Asset) is { } hash)
        {
            var bytes = ctx.Vault.Get(hash);
            if (KeyImages.IsColour(bytes, first.Asset))
            {
                var key = Resize(KeyImages.ReadRgba(bytes, first.Asset), ctx.Spec.Resolution.Width, ctx.Spec.Resolution.Height);
                var table = MoodGrade.Grade(ColourModel.FromPalette(CharacterPalette.For(ctx.Spec, ch)).Table, mood).ToList();
                chain = new KeyChain(character, Math.Max(0, first.Frame), key, table);
            }
        }
        return chains[character] = chain;
    }

    static RgbaImage Resize(RgbaImage src, int w, int h)
    {
        if (src.Width == w && src.Height == h) return src;
        var dst = new RgbaImage(w, h);
        for (int y = 0; y < h; y++)
        {
            int sy = Math.Min(src.Height - 1, (int)((y + 0.5) * src.Height / h));
            for (int x = 0; x < w; x++)
            {
                int sx = Math.Min(src.Width - 1, (int)((x + 0.5) * src.Width / w)), i = y * w + x, j = sy * src.Width + sx;
                (dst.R[i], dst.G[i], dst.B[i], dst.A[i]) = (src.R[j], src.G[j], src.B[j], src.A[j]);
            }
        }
        return dst;
    }

    /// <summary>Region paints carried from the coloured first key, frame by frame; remembers the last frame it reached.</summary>
    sealed class KeyChain(int character, int keyFrame, RgbaImage key, List<PaletteEntry> table)
    {
        public List<PaletteEntry> Table { get; } = table;
        int _frame = -1;
        GrayImage? _lines;
        RegionColours? _regions;

        public RegionColours At(ChunkContext ctx, int frame, GrayImage lines)
        {
            if (frame <= keyFrame) return LabelPropagation.FromKey(lines, key, Table);
            if (_regions is null || _frame >= frame || _frame < keyFrame)
            {
                _frame = keyFrame;
                _lines = Lines(ctx, keyFrame);
                _regions = LabelPropagation.FromKey(_lines, key, Table);
            }
            while (_frame < frame)
            {
                ctx.Cancellation.ThrowIfCancellationRequested();
                var next = _frame + 1 == frame ? lines : Lines(ctx, _frame + 1);
                _regions = LabelPropagation.Propagate(_lines!, _regions!, next, out _);
                _lines = next;
                _frame++;
            }
            return _regions!;
        }

        GrayImage Lines(ChunkContext ctx, int frame) =>
            FrameCodec.DecodeGray(ctx.Vault.Get(ctx.Input(Stages.Flux, frame).Blobs[StageIo.CharacterBlob(character)]));
    }
}
