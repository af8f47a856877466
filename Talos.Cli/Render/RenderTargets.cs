using System.Text.Json;
using Spectre.Console;
using Talos.Actors.Hosting;
using Talos.Cli.Farm;
using Talos.Messages;
using Talos.Messages.Api;
using Talos.Messages.Commands;
using Talos.Messages.Queries;
using Talos.Vault;

namespace Talos.Cli.Render;

/// <summary>Where <c>talos render</c> runs: the embedded single-node cluster, or a farm through its API.</summary>
interface IRenderTarget
{
    /// <summary>Said after the production's name ("" or " on the farm").</summary>
    string Where { get; }
    /// <summary>An asset a spec names: the file beside the input (<paramref name="bytes"/>), or null when there is none.</summary>
    Task PutAssetAsync(string name, string kind, byte[]? bytes, string path, CancellationToken ct);
    Task SubmitAsync(SubmitProduction submit, CancellationToken ct);
    Task<ProductionView> PollAsync(string production, CancellationToken ct);
    /// <summary>The finished film: the video file, or (png16) the zip of its PNG sequence.</summary>
    Task<Stream> FilmAsync(ProductionView view, bool sequence, CancellationToken ct);
    /// <summary>The shot's ECHO report (JSON), or null when there is none to read.</summary>
    Task<JsonElement?> ReportAsync(ShotView shot, CancellationToken ct);
    void PrintTimings(TimeSpan wall);
    /// <summary>A shot's render passes per frame (pass → blob hash), as CUTTURA filed them.</summary>
    Task<IReadOnlyList<IReadOnlyDictionary<string, string>>> LayerFramesAsync(ShotView shot, CancellationToken ct);
    Task<byte[]> BlobAsync(string hash, CancellationToken ct);
    /// <summary>A named vault asset's bytes (a brief's <c>sha256/…</c> logo, drawn by the CLI's title layer).</summary>
    Task<byte[]> AssetAsync(string name, CancellationToken ct);
}

/// <summary>The embedded node: assets and film in its vault under the work dir, Hephaestus asked directly.</summary>
sealed class EmbeddedRender(TalosNode node) : IRenderTarget
{
    public string Where => "";

    public Task PutAssetAsync(string name, string kind, byte[]? bytes, string path, CancellationToken ct)
    {
        if (bytes is not null) node.Vault.PutAsset(name, bytes, kind);
        else if (node.Vault.ResolveAsset(name) is null) throw new UsageException($"unknown asset '{name}': no file {path} and not in the vault");
        return Task.CompletedTask;
    }

    public async Task SubmitAsync(SubmitProduction submit, CancellationToken ct)
    {
        if (await node.AskHephaestus<object>(submit) is SubmitRejected rejected) throw new UsageException(rejected.Reason);
    }

    public async Task<ProductionView> PollAsync(string production, CancellationToken ct) =>
        await node.AskHephaestus<object>(new GetProduction(production)) switch
        {
            ProductionView v => v,
            var other => throw new InvalidOperationException($"Hephaestus does not know production {production}: {other}"),
        };

    // Streamed from the vault's file (a ProRes film or a png16 zip can be gigabytes), as the seed's /film route serves it.
    public Task<Stream> FilmAsync(ProductionView view, bool sequence, CancellationToken ct) => Task.FromResult<Stream>(File.OpenRead(node.Vault.PathOf(view.FilmHash!)));

    public Task<JsonElement?> ReportAsync(ShotView shot, CancellationToken ct) =>
        Task.FromResult(shot.ReportHash is null ? null : (JsonElement?)JsonSerializer.Deserialize<JsonElement>(node.Vault.Get(shot.ReportHash)));

    public Task<IReadOnlyList<IReadOnlyDictionary<string, string>>> LayerFramesAsync(ShotView shot, CancellationToken ct)
    {
        var list = shot.FramesHash is { } f && node.Vault.ResolveAsset(Talos.Actors.Pipeline.Stages.CutturaStage.LayersAsset(f)) is { } hash
            ? JsonSerializer.Deserialize<List<Dictionary<string, string>>>(node.Vault.Get(hash), Talos.Messages.Serialization.ShotEventSerializer.Json)!
            : throw new InvalidDataException($"shot '{shot.ShotId}' kept no render passes");
        return Task.FromResult<IReadOnlyList<IReadOnlyDictionary<string, string>>>(list);
    }

    public Task<byte[]> BlobAsync(string hash, CancellationToken ct) => Task.FromResult(node.Vault.Get(hash));

    public Task<byte[]> AssetAsync(string name, CancellationToken ct) =>
        Task.FromResult(node.Vault.Asset(name) ?? throw new UsageException($"unknown asset '{name}': not in the vault"));

    /// <summary>Where the time went on this run: frames and chunk time per stage (chunks run side by side, so times overlap).</summary>
    public void PrintTimings(TimeSpan wall)
    {
        var timings = node.Environment.Timings.Snapshot();
        if (timings.Count == 0) { AnsiConsole.MarkupLine($"[grey]nothing rendered: every chunk was recorded or found in the vault by its content ({wall.TotalSeconds:F1} s)[/]"); return; }
        var table = new Table().AddColumns("stage", "frames", "chunks", "chunk time (s)", "frames/s per chunk slot");
        foreach (var stage in Stages.All.Where(timings.ContainsKey))
        {
            var (frames, chunks, time) = timings[stage];
            table.AddRow(stage, frames.ToString(), chunks.ToString(), time.TotalSeconds.ToString("F2"),
                time.TotalSeconds > 0 ? (frames / time.TotalSeconds).ToString("F1") : "-");
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"[grey]wall time {wall.TotalSeconds:F1} s on {Environment.ProcessorCount} core(s)[/]");
    }
}

/// <summary>A running farm through its API (<c>--farm</c>): assets uploaded, the production submitted and polled, the film downloaded.</summary>
sealed class FarmRender(FarmClient farm) : IRenderTarget
{
    public string Where => " on the farm";

    public async Task PutAssetAsync(string name, string kind, byte[]? bytes, string path, CancellationToken ct)
    {
        if (bytes is not null) await farm.UploadAssetAsync(name, bytes, ct); // else the farm must have it: the submit names what it lacks
    }

    public Task SubmitAsync(SubmitProduction s, CancellationToken ct) => farm.SubmitProductionAsync(
        new ProductionRequest(s.Production, null, null, s.Shots, null, null, null, null, null, s.AudioAsset, s.AudioOffsetSeconds, s.TransitionFrames), ct);

    public async Task<ProductionView> PollAsync(string production, CancellationToken ct)
    {
        var p = await farm.GetProductionAsync(production, ct);
        return new ProductionView(p.Production, p.Status, p.Reason, p.Shots.Select(s => new ShotView(s.Key, s.Id, s.Production, s.Sequence, s.Title,
            s.FrameCount, s.Fps, s.Status, s.Reason, s.Stages, s.FramesHash, s.VideoHash, s.ReportHash, s.QualityPassed, s.Revisions, Revision: s.Revision)).ToList(), p.FilmHash, p.FilmFrames, p.Delivery);
    }

    public async Task<Stream> FilmAsync(ProductionView view, bool sequence, CancellationToken ct)
    {
        var (body, type) = await farm.GetFilmAsync(view.Production, ct);
        if (sequence && type != "application/zip")
        {
            await body.DisposeAsync();
            throw new FarmException($"the farm sent the png16 film as {type ?? "no media type"}, not as application/zip (its PNG sequence): is the seed older than png16 over the API?");
        }
        return body;
    }

    public async Task<JsonElement?> ReportAsync(ShotView shot, CancellationToken ct)
    {
        if (shot.ReportHash is null) return null;
        try { return await farm.GetAsync($"shots/{Uri.EscapeDataString(shot.ShotKey)}/report", ct); }
        catch (FarmException) { return null; } // the film is delivered; a report the farm does not hand over leaves its findings blank
    }

    public void PrintTimings(TimeSpan wall) { } // the farm's nodes time their own chunks

    // RenderCommand refuses --layers with --farm before submitting: the API serves no render passes yet.
    public Task<IReadOnlyList<IReadOnlyDictionary<string, string>>> LayerFramesAsync(ShotView shot, CancellationToken ct) =>
        throw new UsageException("the farm API does not serve render passes");
    public Task<byte[]> BlobAsync(string hash, CancellationToken ct) => throw new UsageException("the farm API does not serve render passes");
    public Task<byte[]> AssetAsync(string name, CancellationToken ct) =>
        throw new UsageException($"the farm API does not serve assets back: name the image '{name}' by its file beside the brief");
}
