using System.Diagnostics;
using Talos.Gpu.Axis;
using Talos.Gpu.Imaging;

namespace Talos.Bench;

/// <summary>
/// AXIS/FLUX character drawing: one 720p frame of each built-in rig (lanky, stocky, round) in several poses and
/// emotions, at a wide and a close camera — what AXIS does per key and FLUX per frame and character.
/// </summary>
public static class DrawBench
{
    static readonly (string Pose, string Emotion, double X, int Facing)[] Poses =
    [
        ("idle", "calm", 0.5, 1), ("walk", "joy", 0.42, 1), ("run", "fear", 0.6, -1), ("wave", "joy", 0.5, -1),
        ("point", "anger", 0.3, 1), ("sit", "sadness", 0.55, 1), ("fight", "anger", 0.5, -1), ("fall", "surprise", 0.5, 1),
    ];

    public static int Run(int width, int height, int repeat)
    {
        Console.WriteLine($"# character drawing (LineArt.Draw) at {width}x{height}, median of {repeat} passes, {Environment.ProcessorCount} cores");
        Console.WriteLine();
        Console.WriteLine("| rig | camera | drawings per pass | ms per drawing |");
        Console.WriteLine("|---|---|---|---|");
        var cameras = new[] { ("wide", CameraState.Wide), ("close (zoom 2)", new CameraState(2, 0)) };
        double total = 0;
        int count = 0;
        foreach (var name in Rigs.Names)
            foreach (var (cameraName, camera) in cameras)
            {
                var rig = Rigs.Get(name);
                var poses = Poses.Select(p => (Pose: PoseLibrary.Resolve(rig, p.Pose, p.Emotion, 0), p.X, p.Facing)).ToList();
                double ms = Median(() => { foreach (var p in poses) GC.KeepAlive(LineArt.Draw(rig, p.Pose, p.X, p.Facing, camera, width, height)); }, repeat) / poses.Count;
                Console.WriteLine($"| {name} | {cameraName} | {poses.Count} | {ms:F2} |");
                total += ms; count++;
            }
        Console.WriteLine($"| all | | | {total / count:F2} |");
        Console.WriteLine();
        Console.WriteLine($"digest of every drawing above (ink and seeds; equal digests: the same pixels): {Digest(width, height, cameras.Select(c => c.Item2).ToList())}");
        return 0;
    }

    /// <summary>SHA-256 over the ink bytes and region seeds of every drawing the bench makes, plus a walk cycle's frames.</summary>
    static string Digest(int width, int height, IReadOnlyList<CameraState> cameras)
    {
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        void Add(LineDrawing d)
        {
            sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(d.Lines.Data.AsSpan()));
            foreach (var s in d.Seeds) sha.AppendData(System.Text.Encoding.UTF8.GetBytes($"{s.X:R},{s.Y:R},{s.Region};"));
        }
        foreach (var name in Rigs.Names)
        {
            var rig = Rigs.Get(name);
            foreach (var camera in cameras)
                foreach (var p in Poses) Add(LineArt.Draw(rig, PoseLibrary.Resolve(rig, p.Pose, p.Emotion, 0), p.X, p.Facing, camera, width, height));
            for (int f = 0; f < 12; f++) // a walk across the frame, feet planted by the gait
                Add(LineArt.Draw(rig, PoseLibrary.Resolve(rig, "walk", "calm", 0), 0.2 + f * 0.05, 1, new CameraState(1 + f * 0.1, 0.01 * f), width, height));
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    static double Median(Action f, int n)
    {
        f(); f(); // warm up the JIT
        var times = new List<double>();
        for (int i = 0; i < n; i++)
        {
            var sw = Stopwatch.StartNew();
            f();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }
}
