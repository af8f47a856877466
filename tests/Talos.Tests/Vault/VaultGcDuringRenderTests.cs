using Microsoft.Data.Sqlite;
using Talos.Actors.Hosting;
using Talos.Actors.Pipeline;
using Talos.Messages;
using Talos.Messages.Api;
using Talos.Messages.Commands;
using Talos.Messages.Queries;
using Talos.Tests.Actors;
using Talos.Tests.Support;
using Talos.Vault;
using Xunit;

namespace Talos.Tests.Vault;

/// <summary>gc is safe while a farm writes: sweeping in a loop beside a render, every shot still finishes and the film plays.</summary>
[Collection(ClusterCollection.Name)]
public sealed class VaultGcDuringRenderTests : IDisposable
{
    readonly string _dir = Repo.TempDir("vault-gc-render");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    [Fact]
    public async Task Gc_in_a_loop_beside_a_render_sweeps_nothing_the_render_needs()
    {
        var ct = TestContext.Current.CancellationToken;
        var specs = new[] { 1, 2 }.Select(i => ShotLifecycleTests.SmallShot() with { Id = $"gc-{i}", Production = "gcfilm", Sequence = i }).ToList();
        await using var node = await TalosNode.StartAsync(new TalosNodeOptions { WorkDir = _dir, SerializeMessages = true,
            Render = new RenderSettingsOptions { ChunkFrames = 6, ChunkSlots = 2 } }, ct: ct);
        // A second handle on the same vault, as `talos vault gc --work-dir` in another process; no grace at all, so
        // only references (and writes touching their rows) keep what the render writes.
        using var sweeper = BlobVault.Open(node.Options.VaultPath);
        Assert.IsType<SubmitAccepted>(await node.AskHephaestus<object>(new SubmitProduction("gcfilm", specs)));

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var sweeps = new List<VaultGcReport>();
        var loop = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                sweeps.Add(sweeper.Collect(VaultGcOptions.From(new VaultGcRequest(1, VaultKeep.All, 0), _ => null)));
                await Task.Delay(50, CancellationToken.None);
            }
        }, CancellationToken.None);

        ProductionView view;
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        do
        {
            await Task.Delay(200, ct);
            view = (ProductionView)await node.AskHephaestus<object>(new GetProduction("gcfilm"));
            Assert.True(DateTime.UtcNow < until, "the production did not finish beside gc");
        } while (!ShotStatus.IsTerminal(view.Status));
        stop.Cancel();
        await loop;

        Assert.True(view.Status == ShotStatus.Completed, view.Reason);
        Assert.All(view.Shots, s => Assert.Equal(ShotStatus.Completed, s.Status));
        Assert.True(sweeps.Count >= 3, $"only {sweeps.Count} sweeps ran");
        var frames = await FrameGrab.DecodeAsync(node.Vault.PathOf(view.FilmHash!), 96, 54);
        Assert.True(frames.Count >= specs[0].FrameCount, $"the film decodes to {frames.Count} frames");

        // Delivered, the policy thins it: `none` leaves the film and the user's assets.
        var none = sweeper.Collect(VaultGcOptions.From(new VaultGcRequest(1, VaultKeep.None, 0), _ => null));
        TestContext.Current.TestOutputHelper?.WriteLine($"{sweeps.Count} sweeps during the render; none: {none}");
        Assert.True(none.BlobsSwept > 0 && none.BlobsAfter < none.BlobsBefore);
        Assert.True(node.Vault.Contains(view.FilmHash!));
        Assert.Equal(frames.Count, (await FrameGrab.DecodeAsync(node.Vault.PathOf(view.FilmHash!), 96, 54)).Count);
    }
}
