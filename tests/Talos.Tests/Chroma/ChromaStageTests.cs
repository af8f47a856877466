using Talos.Actors.Pipeline;
using Talos.Actors.Pipeline.Stages;
using Talos.Gpu.Chroma;
using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;
using Talos.Messages.Commands;
using Talos.Messages.Specs;
using Talos.Tests.Support;
using Talos.Vault;
using Xunit;

namespace Talos.Tests.Chroma;

/// <summary>The CHROMA stage as the pipeline runs it: a coloured first key colours the shot; the mood cue grades the fills.</summary>
public sealed class ChromaStageTests : IDisposable
{
    const int W = 320, H = 180;
    readonly string _dir = Repo.TempDir("chroma-stage");
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    static ChunkContext Context(ShotSpec spec, IBlobVault vault, string fluxManifest, int first, int count) =>
        new(spec, new ChunkPlan(Talos.Messages.Stages.Chroma, 0, first, count), vault,
            new Dictionary<string, IReadOnlyList<string>> { [Talos.Messages.Stages.Flux] = [fluxManifest] },
            new Dictionary<int, string>(), 0, new Dictionary<int, float>(), CancellationToken.None);

    static string Flux(IBlobVault vault, IEnumerable<(GrayImage Lines, IReadOnlyList<RegionSeed> Seeds)> drawings) =>
        new ChunkManifest(Talos.Messages.Stages.Flux, 0, 0, drawings.Select((d, f) => new FrameOutputs(f,
            new Dictionary<string, string> { ["c0"] = vault.Put(FrameCodec.EncodeGray(d.Lines), "flux-lines") },
            System.Text.Json.JsonSerializer.Serialize(new List<CharacterFrameMeta> { new(0, d.Seeds, H * 0.82f, d.Seeds.Count == 0) }, Talos.Messages.Serialization.ShotEventSerializer.Json))).ToList()).Store(vault);

    [Fact]
    public void A_coloured_first_key_colours_every_later_frame_of_a_chunk()
    {
        using var vault = BlobVault.Open(_dir);
        var (frames, table) = RigSequence.Walk("stocky", W, H, 6);
        var key = Colorizer.Render(frames[0].Lines, frames[0].Truth, table, ColourModel.DefaultInk);
        vault.PutAsset("keys/k0.png", KeyImages.WriteRgba(key), "keyframe-image");
        var spec = new ShotSpec
        {
            Id = "colour-key", Production = "chroma", Fps = 24, Resolution = new Resolution(W, H), DurationSeconds = 0.25,
            Characters = [new CharacterSpec { Name = "ARTIST", Rig = "stocky", KeyframeImages = [new KeyframeImage(0, "keys/k0.png"), new KeyframeImage(5, "keys/k1.png")] }],
        };
        var flux = Flux(vault, frames.Select(f => (f.Lines, (IReadOnlyList<RegionSeed>)[])));
        // A chunk of the later frames only: it replays the chain from the key on its own.
        var manifest = new ChromaStage().Run(Context(spec, vault, flux, 3, 3));
        foreach (var out_ in manifest.Frames)
        {
            var layer = FrameCodec.DecodeRgba(vault.Get(out_.Blobs["c0"]));
            var truth = Colorizer.Render(frames[out_.Frame].Lines, frames[out_.Frame].Truth, table, ColourModel.DefaultInk);
            int n = 0, same = 0;
            for (int i = 0; i < layer.PixelCount; i++)
            {
                if (truth.A[i] < 1f || frames[out_.Frame].Lines.Data[i] > 0f) continue;
                n++;
                if (layer.A[i] == 1f && MathF.Abs(layer.R[i] - truth.R[i]) < 0.01f && MathF.Abs(layer.B[i] - truth.B[i]) < 0.01f) same++;
            }
            Assert.True(n > 1000 && same >= 0.97 * n, $"frame {out_.Frame}: {same}/{n} fill pixels in the key's colours");
        }
    }

    [Fact]
    public void The_shot_mood_grades_the_fills_and_calm_does_not()
    {
        using var vault = BlobVault.Open(_dir);
        var (frames, table) = RigSequence.Walk("round", W, H, 1, "idle");
        var flux = Flux(vault, [(frames[0].Lines, frames[0].Seeds)]);
        RgbaImage Layer(string? mood)
        {
            var spec = new ShotSpec
            {
                Id = "mood", Production = "chroma", Fps = 24, Resolution = new Resolution(W, H), DurationSeconds = 0.04, Mood = mood,
                Characters = [new CharacterSpec { Name = "R", Rig = "round" }],
            };
            var m = new ChromaStage().Run(Context(spec, vault, flux, 0, 1));
            return FrameCodec.DecodeRgba(vault.Get(m.Frames[0].Blobs["c0"]));
        }
        var calm = Layer(null);
        var sad = Layer("sadness");
        Assert.Equal(calm.A, sad.A); // same regions filled
        var graded = ColourModel.ToDictionary(MoodGrade.Grade(table, "sadness"));
        var seed = frames[0].Seeds[0];
        int i = (int)seed.Y * W + (int)seed.X;
        Assert.Equal(table.Single(e => e.Name == seed.Region).Colour.R, calm.R[i], 2);
        Assert.Equal(graded[seed.Region].R, sad.R[i], 2);
        Assert.Equal(graded[seed.Region].B, sad.B[i], 2);
        Assert.NotEqual(calm.B[i], sad.B[i]);
    }
}
