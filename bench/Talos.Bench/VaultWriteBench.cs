using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Talos.Vault;

namespace Talos.Bench;

/// <summary>
/// <c>talos-bench scale --vault-only [--writes N]</c>: what a trivial chunk's vault writes cost, without the farm around
/// them. Each chunk writes what the scale bench's chunks write — one 16-byte frame blob, its manifest, its attempt log
/// and its chunk-index row — into a fresh vault on the same disk, in rounds alternating two ways: <b>per blob</b> (each
/// blob a <see cref="BlobVault.Put"/> — a catalogue transaction and a flushed, renamed file — and the index row one more
/// transaction: what a pool did first), <b>batched</b> (two <see cref="VaultBatch"/>es: the frame and the manifest in one,
/// the log and the index row in the other — the pool until the ninth pass of docs/SCALE.md) and <b>one commit</b> (the
/// frame, the manifest, the log and the index row in one batch: what a pool does now). CPU is this process's user + system time (the vault is
/// synchronous: all of a write's CPU is on the calling thread or in the kernel for it). Every blob here is small: since
/// the eleventh pass of docs/SCALE.md each is stored inline (in the catalogue), so a way's cost is its transactions and
/// their WAL flushes; before, each blob was also a file created, flushed and renamed.
/// </summary>
public static class VaultWriteBench
{
    public static int Run(int writes)
    {
        var load = MachineLoad.Averages();
        var dir = Path.Combine(Path.GetTempPath(), $"talos-bench-vault-{Guid.NewGuid():N}");
        try
        {
            using var vault = BlobVault.Open(dir);
            var owner = new VaultRef("bench", "bench--sh0001", 1, "raygen");
            int serial = 0;
            void PerBlob()
            {
                int n = serial++;
                var frame = vault.Put(Encoding.UTF8.GetBytes($"bench/raygen/{n:00000000}"), "bench", owner);
                var manifest = vault.Put(Manifest(n, frame), "manifest", owner);
                vault.RecordChunk(Identity(n), manifest);
                vault.Put(Encoding.UTF8.GetBytes(Log(n, manifest)), "chunk-log", owner);
            }
            void Batched()
            {
                int n = serial++;
                var outputs = new VaultBatch(vault, owner);
                var frame = outputs.Put(Encoding.UTF8.GetBytes($"bench/raygen/{n:00000000}"), "bench");
                var manifest = outputs.Put(Manifest(n, frame), "manifest");
                outputs.Commit();
                var report = new VaultBatch(vault, owner);
                report.Put(Encoding.UTF8.GetBytes(Log(n, manifest)), "chunk-log");
                report.RecordChunk(Identity(n), manifest);
                report.Commit();
            }
            void OneCommit()
            {
                int n = serial++;
                var chunk = new VaultBatch(vault, owner);
                var frame = chunk.Put(Encoding.UTF8.GetBytes($"bench/raygen/{n:00000000}"), "bench");
                var manifest = chunk.Put(Manifest(n, frame), "manifest");
                chunk.Put(Encoding.UTF8.GetBytes(Log(n, manifest)), "chunk-log");
                chunk.RecordChunk(Identity(n), manifest);
                chunk.Commit();
            }
            for (int i = 0; i < 50; i++) { PerBlob(); Batched(); OneCommit(); } // warm-up (JIT, the catalogue's pages)
            const int Rounds = 6;
            var per = new List<(double Cpu, double Wall)>();
            var batched = new List<(double Cpu, double Wall)>();
            var one = new List<(double Cpu, double Wall)>();
            for (int r = 0; r < Rounds; r++)
            {
                per.Add(Measure(PerBlob, writes / Rounds));
                batched.Add(Measure(Batched, writes / Rounds));
                one.Add(Measure(OneCommit, writes / Rounds));
            }
            (double Cpu, double Wall) Median(List<(double Cpu, double Wall)> xs) =>
                (xs.Select(x => x.Cpu).Order().ElementAt(xs.Count / 2), xs.Select(x => x.Wall).Order().ElementAt(xs.Count / 2));
            var (pc, pw) = Median(per);
            var (bc, bw) = Median(batched);
            var (oc, ow) = Median(one);
            Console.WriteLine($"# vault writes of a trivial chunk (frame, manifest, log, index row): {writes / Rounds * Rounds} chunks each way in {Rounds} alternating rounds; load {load} → {MachineLoad.Averages()}");
            Console.WriteLine("| way | CPU ms per chunk (median round) | wall ms per chunk |");
            Console.WriteLine("|---|---:|---:|");
            Console.WriteLine(FormattableString.Invariant($"| per blob (a Put per blob, a RecordChunk) | {pc:F3} | {pw:F3} |"));
            Console.WriteLine(FormattableString.Invariant($"| batched (2 batches) | {bc:F3} | {bw:F3} |"));
            Console.WriteLine(FormattableString.Invariant($"| one commit (1 batch: what a pool does) | {oc:F3} | {ow:F3} |"));
            Directory.CreateDirectory("bench-results");
            File.WriteAllText(Path.Combine("bench-results", "scale-vault.json"), JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["chunks"] = writes / Rounds * Rounds, ["loadBefore"] = load, ["loadAfter"] = MachineLoad.Averages(),
                ["perBlobCpuMsPerChunk"] = Math.Round(pc, 4), ["perBlobWallMsPerChunk"] = Math.Round(pw, 4),
                ["batchedCpuMsPerChunk"] = Math.Round(bc, 4), ["batchedWallMsPerChunk"] = Math.Round(bw, 4),
                ["oneCommitCpuMsPerChunk"] = Math.Round(oc, 4), ["oneCommitWallMsPerChunk"] = Math.Round(ow, 4),
            }, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    static (double Cpu, double Wall) Measure(Action write, int count)
    {
        var self = Process.GetCurrentProcess();
        self.Refresh();
        var cpu0 = self.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < count; i++) write();
        self.Refresh();
        return ((self.TotalProcessorTime - cpu0).TotalMilliseconds / count, clock.Elapsed.TotalMilliseconds / count);
    }

    static byte[] Manifest(int n, string frame) =>
        Encoding.UTF8.GetBytes($"{{\"stage\":\"raygen\",\"chunk\":{n.ToString(CultureInfo.InvariantCulture)},\"frames\":[{{\"frame\":0,\"blobs\":{{\"x\":\"{frame}\"}}}}]}}");

    static string Identity(int n) => BlobVault.HashOf(Encoding.UTF8.GetBytes($"identity {n}"));

    static string Log(int n, string manifest) =>
        $"2026-12-03T22:00:00.000Z bench--sh0001 raygen chunk {n} frames 0..0 attempt 1 lease {n} on node bench\n" +
        $"2026-12-03T22:00:00.001Z rendered in 1 ms; manifest {manifest}\n";
}
