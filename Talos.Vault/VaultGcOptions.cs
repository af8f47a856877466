using System.Text.RegularExpressions;
using Talos.Messages.Api;

namespace Talos.Vault;

/// <summary>
/// How a sweep runs: per shot the refs of its newest <see cref="KeepRevisions"/> spec revisions and per production its
/// newest that many films are roots; <see cref="Keep"/> (<see cref="VaultKeep"/>) thins delivered revisions; a blob
/// nobody ever referenced goes only once untouched for <see cref="Grace"/>; <see cref="DryRun"/> changes nothing.
/// </summary>
public sealed record VaultGcOptions(int KeepRevisions, string Keep, TimeSpan Grace, bool DryRun)
{
    public const int DefaultKeepRevisions = 1;
    public static readonly TimeSpan DefaultGrace = TimeSpan.FromMinutes(10);

    /// <summary>
    /// What a sweep keeps of a delivered revision when neither the request nor <c>TALOS_VAULT_KEEP</c> says: <c>final</c> —
    /// what the delivered film is made of (final frames, shot clips, reports) stays; its intermediate layers, which a
    /// later edit would otherwise reuse, go. <c>all</c> keeps them for incremental re-renders of delivered shots.
    /// </summary>
    public const string DefaultKeep = VaultKeep.Final;

    /// <summary>A request's values with their defaults (<c>keep</c>: the request's, else <c>TALOS_VAULT_KEEP</c>, else <see cref="DefaultKeep"/>); a bad one throws <see cref="VaultException"/> naming it.</summary>
    public static VaultGcOptions From(VaultGcRequest request, Func<string, string?>? env = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        int keepRevisions = request.KeepRevisions ?? DefaultKeepRevisions;
        if (keepRevisions < 1) throw new VaultException($"keep-revisions must be at least 1, not {keepRevisions}");
        var fromEnv = env(VaultKeep.Variable);
        var keep = request.Keep ?? (string.IsNullOrEmpty(fromEnv) ? DefaultKeep : fromEnv);
        if (!VaultKeep.Names.Contains(keep))
            throw new VaultException(request.Keep is null
                ? $"{VaultKeep.Variable}='{keep}' is not a vault policy: use all, final or none"
                : $"keep '{keep}' is not a vault policy: use all, final or none");
        double grace = request.GraceSeconds ?? DefaultGrace.TotalSeconds;
        if (!double.IsFinite(grace) || grace < 0 || grace > TimeSpan.MaxValue.TotalSeconds / 2)
            throw new VaultException($"grace {grace} s is not a number of seconds ≥ 0");
        return new VaultGcOptions(keepRevisions, keep, TimeSpan.FromSeconds(grace), request.DryRun);
    }
}

/// <summary>
/// Assets derived from a blob and named after it (<c>linear-frames/&lt;frame list&gt;</c>, <c>layer-frames/&lt;frame list&gt;</c>:
/// CUTTURA's files beside a shot's frame list; <c>shot-clips/&lt;fps&gt;/&lt;frame list&gt;</c>: its review clip, made on demand):
/// gc keeps one while the blob in its name is kept, and drops it with that blob.
/// </summary>
public static partial class DerivedAssets
{
    /// <summary>CUTTURA's list of a shot's linear-light frames, named after its 8-bit frame list.</summary>
    public static string LinearFrames(string framesHash) => $"linear-frames/{framesHash}";
    /// <summary>CUTTURA's list of a shot's render passes per frame, named after its 8-bit frame list.</summary>
    public static string LayerFrames(string framesHash) => $"layer-frames/{framesHash}";
    /// <summary>A shot's review clip (H.264 MP4) of its 8-bit frame list at <paramref name="fps"/>, made the first time something asks for it.</summary>
    public static string ShotClip(string framesHash, int fps) => $"shot-clips/{fps}/{framesHash}";

    /// <summary>The hash an asset is derived from, or null for an asset a user named.</summary>
    public static string? SourceOf(string assetName)
    {
        var m = Derived().Match(assetName);
        return m.Success ? m.Groups[1].Value : null;
    }

    [GeneratedRegex("^(?:linear-frames|layer-frames|shot-clips/[0-9]{1,4})/([0-9a-f]{64})$", RegexOptions.CultureInvariant)]
    private static partial Regex Derived();
}
