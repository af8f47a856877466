using Talos.Gpu.Axis;
using Talos.Gpu.Axis.LipSync;
using Talos.Gpu.Chroma;
using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;
using Talos.Messages.Specs;
using Talos.Tests.Prism;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Axis;

/// <summary>
/// A short film of the three built-in rigs — every pose of the vocabulary, every emotion, a walk and a run with their
/// gait, breathing, an emotion change mid-blend, speaking mouths, a close-up and a mirrored character — rendered the
/// pipeline's way (FLUX's inbetweening, AXIS's line art, CHROMA's fill) and compared with reference frames committed
/// in <c>Fixtures/builtin-film</c> (see its README: which commit drew them). The PSNR of every frame is printed.
/// <c>TALOS_UPDATE_RIG_FILM=1</c> rewrites the reference frames.
/// </summary>
public sealed class BuiltInRigFilmTests(ITestOutputHelper output)
{
    const int W = 640, H = 360, Fps = 24;
    static readonly Rgb Paper = Rgb.FromHex("#f6f3ec");

    /// <summary>One film frame: the characters (rig, keys), the shot frame, the camera and each character's lip-sync mouth.</summary>
    sealed record FilmFrame(string Name, (string Rig, PoseKey[] Keys, MouthShape? Mouth)[] Cast, int Frame, CameraState Camera);

    static PoseKey K(int frame, string pose, string emotion, double x, int facing = 1, string ease = "ease-in-out") =>
        new() { Frame = frame, Pose = pose, Emotion = emotion, X = x, Facing = facing, Ease = ease };

    static IEnumerable<FilmFrame> Film()
    {
        // shot 1: lanky walks in, stocky stands calm (breathing), round waves with joy
        (string, PoseKey[], MouthShape?)[] one(MouthShape? m) =>
        [
            ("lanky", [K(0, "walk", "calm", 0.12), K(24, "walk", "calm", 0.3, ease: "linear")], null),
            ("stocky", [K(0, "idle", "calm", 0.55)], m),
            ("round", [K(0, "wave", "joy", 0.82, -1)], null),
        ];
        foreach (var f in new[] { 0, 7, 15 }) yield return new($"s1-f{f:00}", one(f == 15 ? MouthShape.D : null), f, CameraState.Wide);
        // shot 2: lanky points in anger, stocky runs in fear, round sits sad
        (string, PoseKey[], MouthShape?)[] two =
        [
            ("lanky", [K(0, "point", "anger", 0.2)], null),
            ("stocky", [K(0, "run", "fear", 0.35), K(24, "run", "fear", 0.6, ease: "linear")], null),
            ("round", [K(0, "sit", "sadness", 0.84, -1)], null),
        ];
        foreach (var f in new[] { 3, 11 }) yield return new($"s2-f{f:00}", two, f, CameraState.Wide);
        // shot 3: gestures and a fight; the speaking mouths A–H over three frames
        MouthShape[] mouths = [MouthShape.A, MouthShape.B, MouthShape.C, MouthShape.E, MouthShape.F, MouthShape.G, MouthShape.H, MouthShape.X, MouthShape.D];
        for (int i = 0; i < 3; i++)
            yield return new($"s3-f{4 * i:00}",
            [
                ("lanky", [K(0, "gesture", "surprise", 0.2)], mouths[3 * i]),
                ("stocky", [K(0, "fight", "anger", 0.5, -1)], mouths[3 * i + 1]),
                ("round", [K(0, "gesture", "joy", 0.8, -1)], mouths[3 * i + 2]),
            ], 4 * i, CameraState.Wide);
        // shot 4: a close-up — lanky turns from calm to sadness, stocky waves in surprise, round falls in fear
        (string, PoseKey[], MouthShape?)[] four =
        [
            ("lanky", [K(0, "idle", "calm", 0.3), K(12, "idle", "sadness", 0.3)], null),
            ("stocky", [K(0, "wave", "surprise", 0.52, -1)], null),
            ("round", [K(0, "fall", "fear", 0.75)], null),
        ];
        foreach (var f in new[] { 0, 12, 20 }) yield return new($"s4-f{f:00}", four, f, new CameraState(1.6, 0.02));
        // shot 5: every emotion on a held idle, far back (small faces: the eyes drawn as dots)
        string[] emotions = ["calm", "joy", "anger", "fear", "sadness", "surprise"];
        for (int i = 0; i < 2; i++)
            yield return new($"s5-f{i:00}",
            [
                ("lanky", [K(0, "idle", emotions[3 * i], 0.3)], null),
                ("stocky", [K(0, "idle", emotions[3 * i + 1], 0.5, -1)], null),
                ("round", [K(0, "idle", emotions[3 * i + 2], 0.7)], null),
            ], 30, new CameraState(0.7, 0));
    }

    /// <summary>A frame as sRGB bytes: each character inbetweened, drawn and filled, composited back to front over paper.</summary>
    static byte[] Render(FilmFrame f)
    {
        var r = new float[W * H];
        var g = new float[W * H];
        var b = new float[W * H];
        Array.Fill(r, Paper.R); Array.Fill(g, Paper.G); Array.Fill(b, Paper.B);
        foreach (var (rigName, keys, mouth) in f.Cast)
        {
            var rig = Rigs.Get(rigName);
            var state = MotionInterpolator.Evaluate(new CharacterSpec { Name = rigName, Rig = rigName, Keyframes = keys }, f.Frame, Fps);
            var drawing = LineArt.Draw(rig, state.Pose, state.X, state.Facing, f.Camera, W, H, mouth);
            var filled = ChromaFill.Fill(drawing.Lines, drawing.Seeds, rig.DefaultPalette, ColourModel.DefaultInk, out _);
            for (int i = 0; i < W * H; i++)
            {
                float a = Math.Clamp(filled.A[i], 0f, 1f);
                r[i] = filled.R[i] + r[i] * (1 - a);
                g[i] = filled.G[i] + g[i] * (1 - a);
                b[i] = filled.B[i] + b[i] * (1 - a);
            }
        }
        var rgb = new byte[W * H * 3];
        static byte S(float linear) => (byte)MathF.Round(255f * ColorMath.LinearToSrgb(Math.Clamp(linear, 0f, 1f)));
        for (int i = 0; i < W * H; i++) { rgb[3 * i] = S(r[i]); rgb[3 * i + 1] = S(g[i]); rgb[3 * i + 2] = S(b[i]); }
        return rgb;
    }

    static string FixtureDir => PrismPaths.Repo("tests", "Talos.Tests", "Axis", "Fixtures", "builtin-film");

    [Fact]
    public void The_film_of_the_built_in_rigs_looks_the_same_as_the_reference_frames()
    {
        var frames = Film().ToList();
        bool update = Environment.GetEnvironmentVariable("TALOS_UPDATE_RIG_FILM") == "1";
        if (update) Directory.CreateDirectory(FixtureDir);
        var psnrs = new List<double>();
        foreach (var f in frames)
        {
            var rgb = Render(f);
            string path = Path.Combine(FixtureDir, f.Name + ".png");
            if (update) { FrameGrab.SavePng(rgb, W, H, path); continue; }
            Assert.True(File.Exists(path), $"reference frame {path} is missing (TALOS_UPDATE_RIG_FILM=1 draws them)");
            var reference = ImageFiles.DecodeRgba8(File.ReadAllBytes(path), path);
            Assert.Equal((W, H), (reference.Width, reference.Height));
            var refRgb = new byte[W * H * 3];
            for (int i = 0; i < W * H; i++) { refRgb[3 * i] = reference.Data[4 * i]; refRgb[3 * i + 1] = reference.Data[4 * i + 1]; refRgb[3 * i + 2] = reference.Data[4 * i + 2]; }
            double psnr = Talos.Gpu.Protoforge.FrameComparison.Psnr(rgb, refRgb);
            psnrs.Add(psnr);
            output.WriteLine($"{f.Name}: PSNR {psnr:F2} dB");
            if (Environment.GetEnvironmentVariable("TALOS_RIG_FILM_OUT") is { Length: > 0 } dir)
            {
                Directory.CreateDirectory(dir);
                FrameGrab.SavePng(rgb, W, H, Path.Combine(dir, f.Name + ".png"));
            }
        }
        if (update) return;
        output.WriteLine($"min {psnrs.Min():F2} dB, mean {psnrs.Where(double.IsFinite).DefaultIfEmpty(double.PositiveInfinity).Average():F2} dB over {psnrs.Count} frames");
        for (int i = 0; i < frames.Count; i++) Assert.True(psnrs[i] >= MinPsnr, $"{frames[i].Name}: PSNR {psnrs[i]:F2} dB < {MinPsnr} dB");
    }

    /// <summary>The least PSNR a frame may have against its reference.</summary>
    const double MinPsnr = 30;
}
