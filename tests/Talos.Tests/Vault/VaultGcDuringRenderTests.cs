using Microsoft.Data.Sqlite;
using Talos.Actors.Hosting;
using Talos.Actors.Pipeline;
using Talos.Messages;
using Talos.Messages.Api;
using Talos.Messages.Commands;
using Talos.Messages.Queries;
using Talos.Messages.Specs;
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

    static async Task<ProductionView> Render(TalosNode node, string production, IReadOnlyList<ShotSpec> specs, CancellationToken ct)
    {
        Assert.IsType<SubmitAccepted>(await node.AskHephaestus<object>(new SubmitProduction(production, specs)));
        ProductionView view;
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        do
        {
            await Task.Delay(200, ct);
            view = (ProductionView)await node.AskHephaestus<object>(new GetProduction(production));
            Assert.True(DateTime.UtcNow < until, $"{production} did not finish beside gc");
        } while (!ShotStatus.IsTerminal(view.Status));
        Assert.True(view.Status == ShotStatus.Completed, view.Reason);
        Assert.All(view.Shots, s => Assert.Equal(ShotStatus.Completed, s.Status));
        return view;
    }

    [Fact]
    public async Task Gc_in_a_loop_beside_a_render_sweeps_nothing_the_render_needs()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = await TalosNode.StartAsync(new TalosNodeOptions { WorkDir = _dir, SerializeMessages = true,
            Render = new RenderSettingsOptions { ChunkFrames = 6, ChunkSlots = 2 } }, ct: ct);
        // A second handle on the same vault, as `talos vault gc --work-dir` in another process, with no grace at all:
        // only references (and writes touching their rows) keep what the render writes.
        using var sweeper = BlobVault.Open(node.Options.VaultPath);
        VaultGcReport Sweep(string keep) => sweeper.Collect(VaultGcOptions.From(new VaultGcRequest(1, keep, 0), _ => null));

        // A delivered production first: under `none` the loop sweeps all but its film while the next one renders —
        // whose first shot has the same pictures, so the render writes again the very bytes being swept.
        var shot = ShotLifecycleTests.SmallShot() with { Id = "gc-1" };
        var first = await Render(node, "gc-a", [shot with { Production = "gc-a" }], ct);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var sweeps = new List<VaultGcReport>();
        var loop = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                sweeps.Add(Sweep(VaultKeep.None));
                await Task.Delay(20, CancellationToken.None);
            }
        }, CancellationToken.None);
        var second = await Render(node, "gc-b", [shot with { Production = "gc-b" }, shot with { Id = "gc-2", Production = "gc-b", Sequence = 2, Background = "day" }], ct);
        stop.Cancel();
        await loop;

        TestContext.Current.TestOutputHelper?.WriteLine($"{sweeps.Count} sweeps during the render, {sweeps.Sum(s => s.BlobsSwept)} blobs swept");
        Assert.True(sweeps.Count >= 3, $"only {sweeps.Count} sweeps ran");
        Assert.True(sweeps.Sum(s => s.BlobsSwept) > 0, "the sweeps beside the render swept nothing");
        var frames = await FrameGrab.DecodeAsync(node.Vault.PathOf(second.FilmHash!), 96, 54);
        Assert.True(frames.Count >= 2 * shot.FrameCount, $"the film decodes to {frames.Count} frames");

        // Delivered, both productions keep their films and nothing else under `none` (the loop may have swept it all already).
        Assert.Equal(2, Sweep(VaultKeep.None).BlobsAfter);
        Assert.True(node.Vault.Contains(first.FilmHash!) && node.Vault.Contains(second.FilmHash!));
        Assert.Equal(frames.Count, (await FrameGrab.DecodeAsync(node.Vault.PathOf(second.FilmHash!), 96, 54)).Count);
    }
}
