namespace Talos.Gpu.Protoforge;

/// <summary>
/// The models Talos fetches for itself, each pinned by package version and SHA-256 (docs/MODELS.md). <c>talos models
/// list</c> shows them, <c>talos models fetch NAME</c> fetches one into the cache.
/// </summary>
public static class ModelRegistry
{
    /// <summary>
    /// Silero VAD v5 (MIT), as shipped in the npm package @ricky0123/vad-web 0.0.31: speech probability per 32 ms window
    /// of 16 kHz audio. Inputs <c>input</c> [N, samples] float, <c>state</c> [2, N, 128] float, <c>sr</c> int64; outputs
    /// <c>output</c> [N, 1], <c>stateN</c> [2, N, 128].
    /// </summary>
    public static readonly NpmPackageFile SileroVad = new(
        Name: "silero-vad",
        Package: "@ricky0123/vad-web",
        Version: "0.0.31",
        TarballSha256: "d1a211cf1a2ed26297da52cc08de79e75d79838a274bfc6de546feb1f828c940",
        PathInPackage: "dist/silero_vad_v5.onnx",
        FileSha256: "2623a2953f6ff3d2c1e61740c6cdb7168133479b267dfef114a4a3cc5bdd788f",
        MaxTarballBytes: 64L << 20,
        Licence: "MIT (Silero VAD model); package ISC",
        Description: "voice activity: speech probability per 32 ms of 16 kHz audio (lip-sync rests the mouth outside speech)");

    public static IReadOnlyList<NpmPackageFile> All { get; } = [SileroVad];

    /// <summary>The model called <paramref name="name"/>; a clear error listing the known ones otherwise.</summary>
    public static NpmPackageFile Get(string name) =>
        All.FirstOrDefault(m => string.Equals(m.Name, name?.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? throw new ProtoforgeException($"unknown model '{name}'; known: {string.Join(", ", All.Select(m => m.Name))}");
}
