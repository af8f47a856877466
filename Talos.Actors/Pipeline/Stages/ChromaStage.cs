using Talos.Gpu.Chroma;
using Talos.Gpu.Imaging;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Specs;

namespace Talos.Actors.Pipeline.Stages;

using Stages = Talos.Messages.Stages;

/// <summary>
/// CHROMA: each character's FLUX line art filled into a colour layer (<see cref="ShotColouring"/>: seeds and palette for
/// rig characters, colours carried from a coloured first key image otherwise, graded by the shot's mood).
/// </summary>
public sealed class ChromaStage : IStageRunner
{
    public string Stage => Stages.Chroma;
    public IReadOnlyList<string> DependsOn => [Stages.Flux];
    public IReadOnlyList<ChunkPlan> Plan(ShotSpec spec, int chunkFrames) => ChunkPlans.ByFrames(Stage, spec.FrameCount, chunkFrames);

    public ChunkManifest Run(ChunkContext ctx)
    {
        var colouring = new ShotColouring(ctx.Spec, ctx.Asset);
        var frames = new List<FrameOutputs>();
        var buffers = new Dictionary<string, LineBuffers>();
        var fill = new FillBuffers(); // the layer and label planes every character of every frame of the chunk reuses
        foreach (int frame in ctx.Frames)
        {
            ctx.Cancellation.ThrowIfCancellationRequested();
            var flux = ctx.Input(Stages.Flux, frame);
            var blobs = new Dictionary<string, string>();
            foreach (var meta in StageIo.ReadMeta<List<CharacterFrameMeta>>(flux))
            {
                string name = StageIo.CharacterBlob(meta.Character);
                if (!buffers.TryGetValue(name, out var own)) buffers[name] = own = new LineBuffers();
                var lines = own.Decode(ctx.Vault.Get(flux.Blobs[name]));
                // painted into the chunk's one reused layer (encoded before the next character is painted)
                var layer = colouring.Layer(meta.Character, frame, lines, meta.Seeds,
                    f => Lines(ctx, ctx.Input(Stages.Flux, f), name), fill, out var painted, ctx.Cancellation);
                // the layer is zero outside the painted rectangle: the codec reads only that (same bytes, fewer pages touched)
                blobs[name] = ctx.Vault.Put(FrameCodec.EncodeRgba(layer, painted), "chroma-layer");
            }
            frames.Add(new FrameOutputs(frame, blobs, flux.Meta));
        }
        return new ChunkManifest(Stage, ctx.Plan.Chunk, ctx.Plan.FirstFrame, frames);
    }

    static GrayImage Lines(ChunkContext ctx, FrameOutputs flux, string name) => FrameCodec.DecodeGray(ctx.Vault.Get(flux.Blobs[name]));

    /// <summary>
    /// A character's line images for one chunk: each frame's lines are decoded into the one of two images the previous
    /// frame did not use (<see cref="FrameCodec.DecodeGray(byte[], GrayImage, FrameCodec.Box)"/>), so a chunk allocates two
    /// planes per character instead of one per frame, and the previous frame's lines — which a propagation chain keeps
    /// (<see cref="ShotColouring"/>) to carry paints onto the next — are never overwritten while they are still read.
    /// </summary>
    sealed class LineBuffers
    {
        readonly GrayImage?[] _images = new GrayImage?[2];
        readonly FrameCodec.Box[] _written = new FrameCodec.Box[2];
        int _next;

        public GrayImage Decode(byte[] blob)
        {
            var (_, w, h) = FrameCodec.ReadHeader(blob);
            int k = _next;
            _next = 1 - k;
            if (_images[k] is not { } img || img.Width != w || img.Height != h)
                (_images[k], _written[k]) = (img = new GrayImage(w, h), default);
            var written = _written[k];
            _written[k] = new FrameCodec.Box(0, 0, w, h); // a decode that fails part-way: the next clears everything
            _written[k] = FrameCodec.DecodeGray(blob, img, written);
            return img;
        }
    }
}
