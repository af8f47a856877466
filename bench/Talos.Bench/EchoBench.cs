using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Talos.Gpu.Cuttura;
using Talos.Gpu.Echo;
using Talos.Gpu.Imaging;
using Talos.Vault;

namespace Talos.Bench;

/// <summary>
/// ECHO and CUTTURA's per-shot work on the final frames a render left in its vault (`talos render … --work-dir DIR`):
/// for every shot frame list, the frames' decoding, ECHO's supervision (<see cref="EchoSupervisor.Supervise"/>, without
/// ResNet-18) and CUTTURA's shot clip (decode + x264), each timed in CPU seconds of this process (x264 runs in ffmpeg,
/// so the clip's own CPU is not counted there) and wall; the decoding both into a fresh array per frame and into one
/// buffer refilled (<see cref="Rgb24Window"/>, as ECHO and CUTTURA decode). Prints the verdicts, so a change that alters one shows.
/// </summary>
public static class EchoBench
{
    public static int Run(string workDir, bool clips, int repeat)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        var vaultDir = Path.Combine(workDir, "vault");
        if (!Directory.Exists(vaultDir)) vaultDir = workDir;
        var lists = new List<string>();
        using (var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(vaultDir, "catalogue.db"), Mode = SqliteOpenMode.ReadOnly }.ToString()))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "SELECT hash FROM blobs WHERE kind = 'frame-list' ORDER BY hash";
            using var r = cmd.ExecuteReader();
            while (r.Read()) lists.Add(r.GetString(0));
        }
        using var vault = BlobVault.Open(vaultDir);
        var shots = lists.Select(h => System.Text.Json.JsonSerializer.Deserialize<List<string>>(vault.Get(h))!).Where(l => l.Count >= 3).ToList();
        Console.WriteLine($"{shots.Count} frame lists, {shots.Sum(s => s.Count)} frames");
        var blobs = shots.Select(s => s.Select(vault.Get).ToList()).ToList();
        var proc = Process.GetCurrentProcess();
        double Cpu() { proc.Refresh(); return proc.TotalProcessorTime.TotalSeconds; }
        for (int rep = 0; rep < repeat; rep++)
        {
            double decodeCpu = 0, echoCpu = 0, clipCpu = 0, decodeWall = 0, echoWall = 0, clipWall = 0, intoCpu = 0, intoWall = 0;
            for (int s = 0; s < blobs.Count; s++)
            {
                var shot = blobs[s];
                var (_, width, height) = FrameCodec.DecodeRgb24(shot[0]);
                double c0 = Cpu(); var sw = Stopwatch.StartNew();
                foreach (var b in shot) FrameCodec.DecodeRgb24(b);
                decodeCpu += Cpu() - c0; decodeWall += sw.Elapsed.TotalSeconds;
                // as the stages decode since issue 19's decode work: into buffers the consumer keeps (Rgb24Window)
                var one = new Rgb24Window(1, width, height, i => shot[i]);
                c0 = Cpu(); sw.Restart();
                for (int i = 0; i < shot.Count; i++) GC.KeepAlive(one[i]);
                intoCpu += Cpu() - c0; intoWall += sw.Elapsed.TotalSeconds;
                c0 = Cpu(); sw.Restart();
                var window = new Rgb24Window(Talos.Actors.Pipeline.Stages.EchoStage.WindowFrames, width, height, i => shot[i]);
                var sup = EchoSupervisor.Supervise(i => window[i], shot.Count, width, height, new EchoThresholds(), 0);
                echoCpu += Cpu() - c0; echoWall += sw.Elapsed.TotalSeconds;
                if (rep == 0)
                {
                    // every measure to the bit: a change that keeps them shows the same digest
                    var digest = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(
                        new { sup.Found.Metrics, sup.Found.Temporal, sup.Found.Report })))[..16];
                    Console.WriteLine($"shot {s}: measures {digest}");
                    var t = sup.Found.Temporal;
                    Console.WriteLine(
                        $"shot {s}: {shot.Count} frames {width}x{height}, {(sup.Found.Report.Passed ? "passed" : string.Join("; ", sup.Found.Report.Findings))}; " +
                        $"held {t.Count(m => m.Held)}, screened {t.Count(m => m.Screened && m.Frame > 0 && m.Frame < shot.Count - 1)}, warped {t.Count(m => m.Warped)}, " +
                        $"Σflicker {sup.Found.Metrics.Sum(m => (double)m.Flicker):0.######}, Σwarp {t.Sum(m => (double)m.WarpError):0.########}, " +
                        $"Σlines {t.Sum(m => (double)(m.LineStability ?? 0)):0.######}, Σnovel {t.Sum(m => (double)m.Novel):0.######}, Σpop {t.Sum(m => (double)m.PopScore):0.######}");
                }
                if (clips)
                {
                    c0 = Cpu(); sw.Restart();
                    var tmp = Path.Combine(Path.GetTempPath(), $"echo-bench-{Guid.NewGuid():N}.mp4");
                    var clip = new Rgb24Window(1, width, height, i => shot[i]);
                    VideoEncoder.EncodeH264Async(Enumerable.Range(0, shot.Count).Select(i => clip[i]), width, height, 24, tmp).GetAwaiter().GetResult();
                    File.Delete(tmp);
                    clipCpu += Cpu() - c0; clipWall += sw.Elapsed.TotalSeconds;
                }
            }
            Console.WriteLine($"run {rep}: decode {decodeCpu:0.00} s CPU ({decodeWall:0.00} wall) into fresh arrays, {intoCpu:0.00} s CPU ({intoWall:0.00} wall) into one buffer; ECHO {echoCpu:0.00} s CPU ({echoWall:0.00} wall)"
                + (clips ? $"; clip (this process) {clipCpu:0.00} s CPU ({clipWall:0.00} wall)" : ""));
        }
        return 0;
    }
}
