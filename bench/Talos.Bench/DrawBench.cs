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
        Console.WriteLine($"# character drawing (LineArt.Draw) at {width}x{height}, median of {repeat} passes, {Environment.ProcessorCount} cores, load average {MachineLoad.Averages()}");
        Console.WriteLine("# (CPU ms: the process's processor time over the same passes; on a loaded machine it moves less than the wall clock)");
        Console.WriteLine();
        Console.WriteLine("| rig | camera | drawings per pass | ms per drawing | CPU ms per drawing |");
        Console.WriteLine("|---|---|---|---|---|");
        var cameras = new[] { ("wide", CameraState.Wide), ("close (zoom 2)", new CameraState(2, 0)) };
        // warm up: tiered compilation promotes the drawing's loops after some dozens of calls, as early in any render
        for (int round = 0; round < 4; round++)
            foreach (var name in Rigs.Names)
                foreach (var p in Poses) GC.KeepAlive(LineArt.Draw(Rigs.Get(name), PoseLibrary.Resolve(Rigs.Get(name), p.Pose, p.Emotion, 0), p.X, p.Facing, cameras[round % 2].Item2, width, height));
        double total = 0, totalCpu = 0;
        int count = 0;
        foreach (var name in Rigs.Names)
            foreach (var (cameraName, camera) in cameras)
            {
                var rig = Rigs.Get(name);
                var poses = Poses.Select(p => (Pose: PoseLibrary.Resolve(rig, p.Pose, p.Emotion, 0), p.X, p.Facing)).ToList();
                var (ms, cpu) = Median(() => { foreach (var p in poses) GC.KeepAlive(LineArt.Draw(rig, p.Pose, p.X, p.Facing, camera, width, height)); }, repeat);
                Console.WriteLine($"| {name} | {cameraName} | {poses.Count} | {ms / poses.Count:F2} | {cpu / poses.Count:F2} |");
                total += ms / poses.Count; totalCpu += cpu / poses.Count; count++;
            }
        Console.WriteLine($"| all (mean) | | | {total / count:F2} | {totalCpu / count:F2} |");
        var drawn = LineArt.Draw(Rigs.Get("lanky"), PoseLibrary.Resolve(Rigs.Get("lanky"), "walk", "joy", 0), 0.5, 1, CameraState.Wide, width, height);
        var (encode, encodeCpu) = Median(() => GC.KeepAlive(FrameCodec.EncodeGray(drawn.Lines)), repeat * 4);
        Console.WriteLine($"| (then FLUX stores each drawing: FrameCodec.EncodeGray, lanky walking, wide) | | 1 | {encode:F2} | {encodeCpu:F2} |");
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

    /// <summary>Median wall-clock and processor milliseconds of <paramref name="n"/> runs.</summary>
    static (double Wall, double Cpu) Median(Action f, int n)
    {
        f(); f(); // warm up the JIT
        var wall = new List<double>();
        var cpu = new List<double>();
        for (int i = 0; i < n; i++)
        {
            var before = Process.GetCurrentProcess().TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            f();
            wall.Add(sw.Elapsed.TotalMilliseconds);
            cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - before).TotalMilliseconds);
        }
        wall.Sort();
        cpu.Sort();
        return (wall[n / 2], cpu[n / 2]);
    }

}
