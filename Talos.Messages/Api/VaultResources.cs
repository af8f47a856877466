namespace Talos.Messages.Api;

/// <summary>
/// What <c>talos vault gc</c> keeps of a shot revision once its production has a film (delivered): <c>all</c> of it,
/// the <c>final</c> frames, the shot clip and ECHO's report (ANIMA, CUTTURA, ECHO), or <c>none</c> (the film only).
/// Undelivered work is always kept whole. Set by <c>TALOS_VAULT_KEEP</c>; a request's <c>keep</c> wins.
/// </summary>
public static class VaultKeep
{
    public const string All = "all";
    public const string Final = "final";
    public const string None = "none";
    public const string Variable = "TALOS_VAULT_KEEP";
    public static readonly IReadOnlyList<string> Names = [All, Final, None];
}

/// <summary>
/// <c>POST /api/v1/vault/gc</c>: sweep the vault. Null fields take their defaults: <c>keepRevisions</c> 1, <c>keep</c>
/// the seed's <c>TALOS_VAULT_KEEP</c> (else final), <c>graceSeconds</c> 600.
/// </summary>
public sealed record VaultGcRequest(int? KeepRevisions = null, string? Keep = null, double? GraceSeconds = null, bool DryRun = false);

/// <summary>
/// What a sweep did (or, with <see cref="DryRun"/>, would do): blobs and bytes before, swept and after;
/// <see cref="KeptRecent"/> unreferenced blobs younger than the grace period, <see cref="KeptLegacy"/> unreferenced blobs
/// written before the vault recorded any reference; chunk index rows and derived assets dropped with their blobs.
/// </summary>
public sealed record VaultGcReport(bool DryRun, int KeepRevisions, string Keep, double GraceSeconds,
    long BlobsBefore, long BytesBefore, long BlobsSwept, long BytesSwept, long BlobsAfter, long BytesAfter,
    long KeptRecent, long KeptLegacy, int ChunkIndexDropped, int AssetsDropped);

/// <summary>One production's stage (stage <c>film</c>: its edits) with the blobs it holds, directly or through the JSON of those.</summary>
public sealed record VaultUsageRow(string Production, string Stage, long Blobs, long Bytes);

/// <summary>
/// <c>GET /api/v1/vault/du</c>: bytes per production and stage. A blob held by several rows is counted in each; the
/// totals count each blob once. <see cref="AssetBlobs"/>/<see cref="AssetBytes"/>: named assets held by no production;
/// <see cref="UnheldBlobs"/>/<see cref="UnheldBytes"/>: blobs nothing holds (what gc may sweep).
/// </summary>
public sealed record VaultUsage(IReadOnlyList<VaultUsageRow> Rows, long AssetBlobs, long AssetBytes, long UnheldBlobs, long UnheldBytes,
    long Blobs, long Bytes);
