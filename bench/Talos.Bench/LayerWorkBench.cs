using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Talos.Gpu.Aether;
using Talos.Gpu.Anima;
using Talos.Gpu.Imaging;
using Talos.Gpu.Raygen;
using Talos.Vault;

namespace Talos.Bench;

/// <summary>
/// RAYGEN's and ANIMA's per-character frame work on real layers: the CHROMA layers and RAYGEN backgrounds a render left in
/// its vault (`talos render … --work-dir DIR`). RAYGEN: decode, cast shadow, light map, lit layer, encode the lit layer
/// and the shadow layer. ANIMA: decode the lit layer, a motion-blur flow from twelve points on it (a fixed made-up
/// motion), the blur, the composite over its shot's background to sRGB bytes, the final frame's encoding. CPU seconds of
/// this process per part (frame pool and JIT warmed by a first pass that is not counted) and a SHA-256 digest of every
/// blob written, so a change that keeps the bytes shows the same digests.
/// </summary>
public static class LayerWorkBench
{
    public static int Run(string workDir, int count, int repeat)
    {
        var vaultDir = Path.Combine(workDir, "vault");
        if (!File.Exists(Path.Combine(vaultDir, "catalogue.db"))) { Console.Error.WriteLine($"no vault in {workDir}: render into --work-dir first"); return 2; }
        List<string> Hashes(string kind)
        {
            using var db = new SqliteConnection($"Data Source={Path.Combine(vaultDir, "catalogue.db")};Mode=ReadOnly");
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "SELECT hash FROM blobs WHERE kind = $k ORDER BY hash";
            cmd.Parameters.AddWithValue("$k", kind);
            using var r = cmd.ExecuteReader();
            var list = new List<string>();
            while (r.Read()) list.Add(r.GetString(0));
            return list;
        }
        using var vault = BlobVault.Open(vaultDir);
        var chroma = Hashes("chroma-layer").Take(count).Select(vault.Get).ToList();
        var bg = FrameCodec.DecodeRgba(vault.Get(Hashes("raygen-bg")[0]));
        var light = AetherPresets.Lighting("noon");
        Console.WriteLine($"# {chroma.Count} CHROMA layers of {workDir}, load {MachineLoad.Averages()}");
        var proc = Process.GetCurrentProcess();
        double Cpu() { proc.Refresh(); return proc.TotalProcessorTime.TotalSeconds; }
        for (int rep = 0; rep <= repeat; rep++)
        {
            using var rayDigest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using var animaDigest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var lits = new List<byte[]>();
            var parts = new Dictionary<string, double>();
            double mark = Cpu();
            void Part(string name) { double now = Cpu(); parts[name] = parts.GetValueOrDefault(name) + now - mark; mark = now; }
            double c0 = Cpu(); var sw = Stopwatch.StartNew();
            foreach (var blob in chroma)
            {
                using var lease = new FrameLease();
                mark = Cpu();
                var layer = lease.Own(FrameCodec.DecodeRgba(blob))!;
                var shadow = lease.Own(FramePool.Rent(layer.Width, layer.Height))!;
                float groundY = layer.Height * 0.85f;
                Part("R decode");
                AlphaBounds? painted = AlphaBounds.Find(layer, out var tight) ? tight : null;
                Lighting.CastShadow(shadow, layer, light, groundY, null, painted, out var darkened);
                Part("R shadow");
                var map = lease.Own(Lighting.LightMap(layer, light, painted))!;
                Part("R light map");
                var lit = lease.Own(Lighting.Apply(layer, map, painted, out var written))!;
                Part("R apply");
                var litBytes = written.Width <= 0 ? FrameCodec.EncodeRgba(lit) : FrameCodec.EncodeRgba(lit, new FrameCodec.Box(written.X0, written.Y0, written.Width, written.Height));
                var shadowBytes = darkened.Width <= 0 ? FrameCodec.EncodeRgba(shadow) : FrameCodec.EncodeRgba(shadow, new FrameCodec.Box(darkened.X0, darkened.Y0, darkened.Width, darkened.Height));
                Part("R encode");
                rayDigest.AppendData(litBytes); rayDigest.AppendData(shadowBytes);
                lits.Add(litBytes);
                lease.Dispose();
                Part("R pool");
            }
            double rayCpu = Cpu() - c0, rayWall = sw.Elapsed.TotalSeconds;
            c0 = Cpu(); sw.Restart();
            foreach (var blob in lits)
            {
                using var lease = new FrameLease();
                mark = Cpu();
                var layer = lease.Own(FrameCodec.DecodeRgba(blob))!;
                var points = Points(layer);
                Part("A decode");
                if (MotionBlur.FlowFromSeeds(layer, points) is { } flow)
                {
                    Part("A flow");
                    layer = lease.Own(MotionBlur.ApplyCpu(layer, flow.Fx, flow.Fy))!;
                    Part("A blur");
                    FramePool.Return(flow.Fx); FramePool.Return(flow.Fy);
                    Part("A pool");
                }
                var layers = new List<Layer> { new(bg), new(layer) };
                var rgb = lease.Own(Compositor.CompositeToSrgb8(layer.Width, layer.Height, layers, 1f))!;
                Part("A composite+sRGB");
                animaDigest.AppendData(FrameCodec.EncodeRgb24(rgb, layer.Width, layer.Height));
                Part("A encode");
                lease.Dispose();
                Part("A pool");
            }
            double animaCpu = Cpu() - c0, animaWall = sw.Elapsed.TotalSeconds;
            if (rep == 0) continue; // warm-up: pool, JIT
            Console.WriteLine($"run {rep}: RAYGEN {rayCpu:0.00} s CPU ({rayWall:0.00} wall), digest {Convert.ToHexString(rayDigest.GetHashAndReset())[..16]}; " +
                $"ANIMA {animaCpu:0.00} s CPU ({animaWall:0.00} wall), digest {Convert.ToHexString(animaDigest.GetHashAndReset())[..16]}; load {MachineLoad.Averages()}");
            Console.WriteLine("  CPU s by part: " + string.Join(", ", parts.Select(p => $"{p.Key} {p.Value:0.00}")));
        }
        return 0;
    }

    /// <summary>Twelve points on the layer's painted rows, each moving by its own fixed displacement (pixels per frame).</summary>
    static List<(float X, float Y, float Dx, float Dy)> Points(RgbaImage layer)
    {
        int w = layer.Width, h = layer.Height;
        var painted = new List<(float, float)>();
        for (int y = 0; y < h; y += 16)
            for (int x = 0; x < w; x += 16)
                if (layer.A[y * w + x] > 0f) painted.Add((x + 0.5f, y + 0.5f));
        var points = new List<(float, float, float, float)>();
        for (int i = 0; i < 12 && painted.Count > 0; i++)
        {
            var (x, y) = painted[i * painted.Count / 12];
            points.Add((x, y, 3f + (i % 5) * 2.5f, -2f + (i % 3) * 1.5f));
        }
        return points;
    }
}
