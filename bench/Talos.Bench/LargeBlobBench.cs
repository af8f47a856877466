using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Talos.Vault;

namespace Talos.Bench;

/// <summary>
/// <c>talos-bench vault [--sizes 256,1024,4096] [--chunks N] [--frames F]</c>: what a chunk's large blobs (frame layers)
/// cost the vault. Each chunk writes F distinct blobs of one size (KiB) and a small manifest naming them, into a fresh
/// vault on the same disk, in rounds alternating two ways: <b>per blob</b> (each layer a <see cref="BlobVault.Put"/> — a
/// catalogue transaction, a new temp file written, fsync'd and renamed: what a chunk's <see cref="VaultBatch"/> did with
/// every blob over 64 KiB until vault10) and <b>batched</b> (every layer staged in a <see cref="VaultBatch"/> — written to
/// a temp file, unflushed — and the whole chunk made durable at its commit: one catalogue transaction, the files'
/// writeback started together, one fsync each, then the renames). CPU is this process's user + system time per layer (the
/// vault is synchronous: a write's CPU is on the calling thread or in the kernel for it); the median round of each way.
/// </summary>
public static class LargeBlobBench
{
    public static int Run(int[] sizesKiB, int chunks, int frames)
    {
        var load = MachineLoad.Averages();
        var dir = Path.Combine(Path.GetTempPath(), $"talos-bench-vault-large-{Guid.NewGuid():N}");
        var results = new List<Dictionary<string, object>>();
        Console.WriteLine($"# vault writes of large blobs: {chunks} chunks of {frames} layers each way per size, 5 alternating rounds; load {load}");
        Console.WriteLine("| layer KiB | way | CPU ms per layer (median round) | wall ms per layer |");
        Console.WriteLine("|---:|---|---:|---:|");
        try
        {
            using var vault = BlobVault.Open(dir);
            var owner = new VaultRef("bench", "bench--sh0001", 1, "raygen");
            long serial = 0;
            foreach (int kib in sizesKiB)
            {
                var rng = new Random(kib);
                var layers = Enumerable.Range(0, frames).Select(_ => { var b = new byte[kib * 1024]; rng.NextBytes(b); return b; }).ToArray();
                string[] Distinct()
                {
                    // Every layer's first bytes carry a serial number: each put is a new blob, as a render's layers are.
                    foreach (var l in layers) BitConverter.TryWriteBytes(l, Interlocked.Increment(ref serial));
                    return new string[frames];
                }
                void PerBlob()
                {
                    var hashes = Distinct();
                    for (int f = 0; f < frames; f++) hashes[f] = vault.Put(layers[f], "bench-layer", owner);
                    vault.Put(Manifest(hashes), "manifest", owner);
                }
                void Batched()
                {
                    var hashes = Distinct();
                    using var batch = new VaultBatch(vault, owner);
                    for (int f = 0; f < frames; f++) hashes[f] = batch.Put(layers[f], "bench-layer");
                    batch.Put(Manifest(hashes), "manifest");
                    batch.Commit();
                }
                for (int i = 0; i < 3; i++) { PerBlob(); Batched(); } // warm-up (JIT, the catalogue's pages)
                const int Rounds = 5;
                var per = new List<(double Cpu, double Wall)>();
                var batched = new List<(double Cpu, double Wall)>();
                int perRound = Math.Max(1, chunks / Rounds);
                for (int r = 0; r < Rounds; r++)
                {
                    per.Add(Measure(PerBlob, perRound, frames));
                    batched.Add(Measure(Batched, perRound, frames));
                }
                (double Cpu, double Wall) Median(List<(double Cpu, double Wall)> xs) =>
                    (xs.Select(x => x.Cpu).Order().ElementAt(xs.Count / 2), xs.Select(x => x.Wall).Order().ElementAt(xs.Count / 2));
                var (pc, pw) = Median(per);
                var (bc, bw) = Median(batched);
                Console.WriteLine(FormattableString.Invariant($"| {kib} | per blob (a transaction and an fsync each) | {pc:F3} | {pw:F3} |"));
                Console.WriteLine(FormattableString.Invariant($"| {kib} | batched (one commit per chunk) | {bc:F3} | {bw:F3} |"));
                results.Add(new Dictionary<string, object>
                {
                    ["layerKiB"] = kib, ["chunks"] = perRound * Rounds, ["frames"] = frames,
                    ["perBlobCpuMsPerLayer"] = Math.Round(pc, 4), ["perBlobWallMsPerLayer"] = Math.Round(pw, 4),
                    ["batchedCpuMsPerLayer"] = Math.Round(bc, 4), ["batchedWallMsPerLayer"] = Math.Round(bw, 4),
                });
            }
            Console.WriteLine($"# load after: {MachineLoad.Averages()}");
            Directory.CreateDirectory("bench-results");
            File.WriteAllText(Path.Combine("bench-results", "vault-large.json"), JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["loadBefore"] = load, ["loadAfter"] = MachineLoad.Averages(), ["sizes"] = results,
            }, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    static (double Cpu, double Wall) Measure(Action chunk, int count, int frames)
    {
        var self = Process.GetCurrentProcess();
        self.Refresh();
        var cpu0 = self.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < count; i++) chunk();
        self.Refresh();
        return ((self.TotalProcessorTime - cpu0).TotalMilliseconds / (count * frames), clock.Elapsed.TotalMilliseconds / (count * frames));
    }

    static byte[] Manifest(string[] hashes) =>
        Encoding.UTF8.GetBytes("{\"stage\":\"raygen\",\"frames\":[" +
                               string.Join(',', hashes.Select((h, i) => $"{{\"frame\":{i.ToString(CultureInfo.InvariantCulture)},\"blobs\":{{\"lit\":\"{h}\"}}}}")) + "]}");
}
