using Talos.Cli.Render;
using Talos.Gpu.Prism;
using Talos.Messages;
using Talos.Messages.Events;
using Talos.Messages.Specs;
using Talos.Tests.Actors;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Cli;

/// <summary>
/// ICHOR's incremental re-render as a user meets it: <c>talos render</c> a three-shot film, change one character's
/// palette in the spec file, <c>talos render</c> again with the same work dir. Counted from the journal: only CHROMA and
/// the stages after it render again, and only in that character's shots; AXIS, FLUX and STOKES come back from the vault
/// by content (journalled as reused); the other shot is not touched and its frames are the same blobs.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class IncrementalRenderTests : IDisposable
{
    readonly string _dir = Repo.TempDir("incremental");
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    static CharacterSpec Mara(string? coat = null) => new()
    {
        Name = "MARA", Rig = "lanky",
        Keyframes = [new PoseKey { Frame = 0, Pose = "idle", X = 0.3 }, new PoseKey { Frame = 11, Pose = "walk", X = 0.5 }],
        Palette = coat is null ? null : new Dictionary<string, string> { ["shirt"] = coat },
    };

    static CharacterSpec Teo() => new() { Name = "TEO", Rig = "round", Keyframes = [new PoseKey { Frame = 0, Pose = "wave", X = 0.7, Facing = -1 }] };

    static IReadOnlyList<ShotSpec> Film(string? maraSkin) =>
    [
        new ShotSpec { Id = "cliff", Sequence = 1, Fps = 12, Frames = new FrameRange(0, 11), Characters = [Mara(maraSkin), Teo()],
            Effects = [new EffectSpec { Type = "smoke", X = 0.5, StartFrame = 0 }] },
        new ShotSpec { Id = "lamp", Sequence = 2, Fps = 12, Frames = new FrameRange(0, 11), Background = "interior", Characters = [Teo()] },
        new ShotSpec { Id = "ship", Sequence = 3, Fps = 12, Frames = new FrameRange(0, 11), Background = "night", Characters = [Mara(maraSkin)] },
    ];

    async Task Render(string spec, string output)
    {
        var (code, error) = await CliRunner.Run([RenderCommand.Create()],
            "render", spec, "--out", output, "--width", "128", "--height", "72", "--work-dir", Path.Combine(_dir, "work"));
        Assert.True(code == 0, error);
    }

    Dictionary<string, List<ITalosEvent>> Journal() => SqliteJournal.ShotEvents(Path.Combine(_dir, "work"));

    [Fact]
    public async Task A_palette_change_renders_only_colour_and_what_follows_in_that_characters_shots()
    {
        var spec = Path.Combine(_dir, "film.json");
        File.WriteAllText(spec, ShotSpecJson.SerializeMany(Film(maraSkin: null)));
        await Render(spec, Path.Combine(_dir, "a.mp4"));
        var before = Journal();
        Assert.Equal(3, before.Count);

        File.WriteAllText(spec, ShotSpecJson.SerializeMany(Film(maraSkin: "#d04020")));
        await Render(spec, Path.Combine(_dir, "b.mp4"));
        var after = Journal();

        var lamp = after.Keys.Single(k => k.EndsWith("--lamp", StringComparison.Ordinal));
        Assert.Equal(before[lamp].Count, after[lamp].Count); // not touched: not one event more
        foreach (var key in after.Keys.Where(k => k != lamp))
        {
            var revision = after[key].Skip(before[key].Count).ToList();
            var revised = Assert.IsType<ShotSpecRevised>(revision[0]);
            Assert.Equal(2, revised.Revision);
            Assert.All(revised.Changes, c => Assert.Matches(@"^\$\.characters\[0\]\.palette", c));
            var chunks = revision.OfType<ChunkCompleted>().ToList();
            var rendered = chunks.Where(c => !c.Reused).Select(c => c.Stage).Distinct().ToHashSet();
            var reused = chunks.Where(c => c.Reused).Select(c => c.Stage).Distinct().ToHashSet();
            Assert.Equal(new HashSet<string> { Stages.Prism, Stages.Chroma, Stages.Raygen, Stages.Anima, Stages.Cuttura, Stages.Echo }, rendered);
            Assert.Superset(new HashSet<string> { Stages.Axis, Stages.Flux }, reused);
            Assert.DoesNotContain(Stages.Axis, rendered);
            Assert.DoesNotContain(Stages.Flux, rendered);
            Assert.DoesNotContain(Stages.Stokes, rendered);
            // The reused chunks are the same manifests as before: the same frames.
            var first = before[key].OfType<ChunkCompleted>().Where(c => c.Stage is Stages.Axis or Stages.Flux or Stages.Stokes).Select(c => (c.Stage, c.Chunk, c.Hash)).ToHashSet();
            Assert.All(chunks.Where(c => c.Reused), c => Assert.Contains((c.Stage, c.Chunk, c.Hash), first));
        }

        // The untouched shot's frames are bit for bit the same (the same blobs); the revised shots' are not.
        static string Frames(List<ITalosEvent> events) => events.OfType<ShotRenderCompleted>().Last().FramesHash;
        var ship = after.Keys.Single(k => k.EndsWith("--ship", StringComparison.Ordinal));
        Assert.Equal(Frames(before[lamp]), Frames(after[lamp]));
        Assert.NotEqual(Frames(before[ship]), Frames(after[ship]));
        Assert.False(File.ReadAllBytes(Path.Combine(_dir, "a.mp4")).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(_dir, "b.mp4"))), "the film was not re-edited");
    }
}
