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
        // the layer and label planes every character of every frame of the chunk reuses (the layer and the line images
        // from FramePool, given back when the chunk is done: the next chunk's planes are already faulted in)
        using var fill = new FillBuffers();
        try
        {
            foreach (int frame in ctx.Frames)
            {
                ctx.Cancellation.ThrowIfCancellationRequested();
                var flux = ctx.Input(Stages.Flux, frame);
                var blobs = new Dictionary<string, string>();
                foreach (var meta in StageIo.ReadMeta<List<CharacterFrameMeta>>(flux))
                {
                    string name = StageIo.CharacterBlob(meta.Character);
                    if (!buffers.TryGetValue(name, out var own)) buffers[name] = own = new LineBuffers();
                    var lines = own.Decode(ctx.Vault.Get(flux.Blobs[name]), out var stored);
                    // painted into the chunk's one reused layer (encoded before the next character is painted); the lines
                    // are zero outside the blob's stored box, so the ink is searched only there
                    var layer = colouring.Layer(meta.Character, frame, lines, stored, meta.Seeds,
                        f => Lines(ctx, ctx.Input(Stages.Flux, f), name), fill, out var painted, ctx.Cancellation);
                    // the layer is zero outside the painted rectangle: the codec reads only that (same bytes, fewer pages touched)
                    blobs[name] = ctx.Vault.Put(FrameCodec.EncodeRgba(layer, painted), "chroma-layer");
                }
                frames.Add(new FrameOutputs(frame, blobs, flux.Meta));
            }
        }
        finally
        {
            foreach (var own in buffers.Values) own.Dispose();
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
    sealed class LineBuffers : IDisposable
    {
        readonly GrayImage?[] _images = new GrayImage?[2];
        readonly FrameCodec.Box[] _written = new FrameCodec.Box[2];
        int _next;

        /// <summary>The blob's lines; every pixel outside <paramref name="stored"/> (the blob's stored box) is zero.</summary>
        public GrayImage Decode(byte[] blob, out FrameCodec.Box stored)
        {
            var (_, w, h) = FrameCodec.ReadHeader(blob);
            int k = _next;
            _next = 1 - k;
            if (_images[k] is not { } img || img.Width != w || img.Height != h)
            {
                FramePool.Return(_images[k], _written[k]);
                (_images[k], _written[k]) = (img = FramePool.RentGray(w, h), default);
            }
            var written = _written[k];
            _written[k] = new FrameCodec.Box(0, 0, w, h); // a decode that fails part-way: the next clears everything
            _written[k] = stored = FrameCodec.DecodeGray(blob, img, written);
            return img;
        }

        /// <summary>Gives both images back to <see cref="FramePool"/> (each zero outside the box it last wrote).</summary>
        public void Dispose()
        {
            for (int k = 0; k < 2; k++)
            {
                FramePool.Return(_images[k], _written[k]);
                (_images[k], _written[k]) = (null, default);
            }
        }
    }
}
