using Talos.Actors.Hosting;
using Talos.Actors.Pipeline;
using Talos.Gpu.Prism;
using Talos.Gpu.Imaging;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Events;
using Talos.Messages.Queries;
using Talos.Messages.Specs;
using Talos.Tests.Actors;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Stokes;

/// <summary>Effects named in screenplay action and in shot specs reach the film as STOKES layers.</summary>
[Collection(ClusterCollection.Name)]
public sealed class StokesPipelineTests : IDisposable
{
    readonly string _dir = Repo.TempDir("stokes-pipeline");
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    [Fact]
    public async Task Effects_from_action_and_specs_render_as_vfx_layers()
    {
        // Action words → effect cues (PRISM's lexicon): smoke, fire, mist (steam), magic, fire (explosion).
        const string prompt = "Smoke rises from the chimney.\n\nFlames burn in the fireplace.\n\nSteam drifts over the kettle.\n\n" +
                              "The wizard casts a magic spell.\n\nAn explosion rocks the yard.";
        var fromAction = InputLoader.Load(prompt, new RenderSettings(96, 54, 12, MaxSeconds: 20));
        var cues = fromAction.SelectMany(s => s.Effects.Select(e => e.Type)).ToHashSet();
        Assert.Superset(new HashSet<string> { "smoke", "fire", "mist", "magic" }, cues);

        // Spec names (steam, explosion) are accepted as they are.
        var named = new[] { "steam", "explosion" }.Select((type, i) => ShotLifecycleTests.SmallShot() with
        {
            Id = $"fx-{type}", Production = "fx", Sequence = 10 + i,
            Effects = [new EffectSpec { Type = type, X = 0.5, Y = 0.8 }],
        });
        var specs = fromAction.Select((s, i) => s with { Production = "fx", Sequence = i, Id = $"act-{i}" }).Concat(named).ToList();
        foreach (var s in specs) ShotSpecJson.Parse(ShotSpecJson.Serialize(s));

        var runners = new Dictionary<string, IStageRunner>(StageRunners.Create());
        var stokes = new CapturingRunner(runners[Stages.Stokes]);
        runners[Stages.Stokes] = stokes;
        await using var node = await TalosNode.StartAsync(new TalosNodeOptions { WorkDir = _dir, SerializeMessages = true,
            Render = new RenderSettingsOptions { ChunkFrames = 12, ChunkSlots = 2 } }, runners);
        Assert.IsType<SubmitAccepted>(await node.AskHephaestus<object>(new SubmitProduction("fx", specs)));
        ProductionView view;
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(4);
        do
        {
            await Task.Delay(200);
            view = (ProductionView)await node.AskHephaestus<object>(new GetProduction("fx"));
            Assert.True(DateTime.UtcNow < until, "the effects production did not finish");
        } while (!ShotStatus.IsTerminal(view.Status));
        Assert.True(view.Status == ShotStatus.Completed, view.Reason);

        var journal = SqliteJournal.ShotEvents(_dir);
        Assert.NotEmpty(stokes.Manifests);
        foreach (var spec in specs.Where(x => x.Effects.Count > 0))
        {
            var shot = view.Shots.Single(v => v.ShotId == spec.Id);
            Assert.Equal(shot.FrameCount, shot.Stages[Stages.Stokes].DoneFrames);
            // The VFX layer of the shot's last frame holds smoke, fire, steam or magic: coverage or emitted light.
            // From the journal: a shot whose effect simulates exactly as another's (an explosion is fire) took that
            // shot's STOKES chunks back by content instead of rendering them, so its runner never saw them.
            var lastChunk = journal[shot.ShotKey].OfType<ChunkCompleted>().Where(c => c.Stage == Stages.Stokes).MaxBy(c => c.Chunk)!;
            var last = ChunkManifest.Load(node.Vault, lastChunk.Hash).Frames.MaxBy(f => f.Frame)!;
            var layer = FrameCodec.DecodeRgba(node.Vault.Get(last.Blobs["vfx"]));
            double energy = 0;
            for (int i = 0; i < layer.PixelCount; i++) energy += layer.A[i] + layer.R[i] + layer.G[i] + layer.B[i];
            Assert.True(energy / layer.PixelCount > 0.002, $"{spec.Id} ({string.Join(",", spec.Effects.Select(e => e.Type))}): empty VFX layer");
        }
        Assert.True(node.Vault.Contains(view.FilmHash!));
    }

    sealed class CapturingRunner(IStageRunner inner) : WrappedRunner(inner)
    {
        public System.Collections.Concurrent.ConcurrentBag<(string Shot, ChunkManifest Manifest)> Manifests { get; } = new();

        public override ChunkManifest Run(ChunkContext context)
        {
            var m = Inner.Run(context);
            Manifests.Add((context.Spec.Id, m));
            return m;
        }
    }
}
