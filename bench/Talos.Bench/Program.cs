using System.Globalization;
using Talos.Bench;

// talos-bench pipeline [INPUT] [--width W] [--height H] [--fps F] [--max-seconds S] [--one-slot]   (x264 medium CRF 18 as the peer; bench-results/pipeline.json)
// talos-bench ichor [INPUT] [--width W] [--height H] [--fps F] [--max-seconds S]   (re-render after a palette, dialogue and camera edit)
// talos-bench kernels [--width W] [--height H] [--repeat N]
// talos-bench draw [--width W] [--height H] [--repeat N]   (AXIS/FLUX character drawing: the built-in rigs in several poses)
// talos-bench echo [--work-dir DIR] [--clips] [--repeat N]   (ECHO and CUTTURA's shot clip on the final frames a render left in DIR's vault)
// talos-bench layers [--work-dir DIR] [--count N] [--repeat R]   (RAYGEN's and ANIMA's per-character work on the CHROMA layers a render left in DIR's vault)
// talos-bench flux [--width W] [--height H] [--paper-only | --time-only]   (pair size; the timing row and the paper pairs are always 1280x720)
// talos-bench chroma [--width W] [--height H] [--repeat N] [--frames F]
// talos-bench codec [--work-dir DIR] [--per-kind N] [--levels 3,1,-1] [--repeat N]   (the frame codec on a render's vault blobs)
// talos-bench stokes [--grid N] [--steps S] [--threads T] [--reduction R]   (R: pressure solved until RMS divergence ≤ R × before; default 0.01)
// talos-bench prism [SCREENPLAY] [--repeat N]
// talos-bench cluster [--shots N] [--frames F] [--events E] [--postgres-only] [--recovery-shots N] [--recovery-only]
//   (SQLite, then a private PostgreSQL server; --postgres-only skips the SQLite part; Hephaestus's recovery with N finished shots, default 10000)
// talos-bench scale [--nodes N] [--shots S] [--chunks C] [--kill P] [--slots K] [--active A] [--admit-only] [--prioritize-every K] [--systems-per-process K] [--idle S]
//   (seed here, PostgreSQL journal, N render-node processes; bench-results/scale.json; see docs/SCALE.md)
// talos-bench vault [--sizes 256,1024,4096] [--chunks N] [--frames F]   (a chunk's large blobs: one Put each against one VaultBatch commit)
// talos-bench audio [--tuning]   (beat F-measure on seeded synthetic tracks, Talos against `aubio beat`; --tuning: the development set)
// talos-bench gpu [--width W] [--height H] [--repeat N]   (CUDA kernels against the CPU paths; needs a CUDA device)
string Opt(string name, string fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
int Int(string name, int fallback) => int.Parse(Opt(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

var mode = args.Length > 0 ? args[0] : "kernels";
switch (mode)
{
    case "pipeline":
        var input = args.Length > 1 && !args[1].StartsWith("--", StringComparison.Ordinal) ? args[1] : Path.Combine("examples", "lighthouse.fountain");
        double? max = Opt("--max-seconds", "") is { Length: > 0 } m ? double.Parse(m, CultureInfo.InvariantCulture) : null;
        return await PipelineBench.RunAsync(input, Int("--width", 1280), Int("--height", 720), Int("--fps", 24), max, args.Contains("--one-slot"));
    case "ichor":
        var film = args.Length > 1 && !args[1].StartsWith("--", StringComparison.Ordinal) ? args[1] : Path.Combine("examples", "lighthouse.fountain");
        double? cap = Opt("--max-seconds", "") is { Length: > 0 } c ? double.Parse(c, CultureInfo.InvariantCulture) : null;
        return await IchorBench.RunAsync(film, Int("--width", 1280), Int("--height", 720), Int("--fps", 24), cap);
    case "echo":
        return EchoBench.Run(Opt("--work-dir", ".talos"), args.Contains("--clips"), Int("--repeat", 1));
    case "layers":
        return LayerWorkBench.Run(Opt("--work-dir", ".talos"), Int("--count", 120), Int("--repeat", 3));
    case "flux":
        return FluxBench.Run(Int("--width", 640), Int("--height", 360), args.Contains("--paper-only"), args.Contains("--time-only"));
    case "draw":
        return DrawBench.Run(Int("--width", 1280), Int("--height", 720), Int("--repeat", 5));
    case "kernels":
        return KernelBench.Run(Int("--width", 1280), Int("--height", 720), Int("--repeat", 20));
    case "gpu":
        return GpuCheck.Run(Int("--width", 1280), Int("--height", 720), Int("--repeat", 7));
    case "prism":
        var play = args.Length > 1 && !args[1].StartsWith("--", StringComparison.Ordinal) ? args[1] : Path.Combine("..", "shared", "corpus", "fountain", "big_fish.fountain");
        return PrismBench.Run(play, Int("--repeat", 21));
    case "chroma":
        return ChromaBench.Run(Int("--width", 1280), Int("--height", 720), Int("--repeat", 12), Int("--frames", 12));
    case "codec":
        return CodecBench.Run(Opt("--work-dir", ".talos"), Int("--per-kind", 40),
            Opt("--levels", "3,1,-1,-3").Split(',').Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToArray(), Int("--repeat", 3));
    case "stokes":
        return StokesBench.Run(Int("--grid", 128), Int("--steps", 20), Int("--threads", 1), double.Parse(Opt("--reduction", "0.01"), CultureInfo.InvariantCulture));
    case "audio":
        return AudioBench.Run(args.Contains("--tuning"));
    case "cluster":
        return await ClusterBench.RunAsync(Int("--shots", 16), Int("--frames", 24), Int("--events", 6400), args.Contains("--postgres-only"),
            Int("--recovery-shots", 10_000), args.Contains("--recovery-only"));
    case "vault":
        return LargeBlobBench.Run(Opt("--sizes", "256,1024,4096").Split(',').Select(k => int.Parse(k, CultureInfo.InvariantCulture)).ToArray(),
            Int("--chunks", 20), Int("--frames", 12));
    case "scale" when args.Contains("--vault-only"):
        return VaultWriteBench.Run(Int("--writes", 3000));
    case "scale":
        return await ScaleBench.RunAsync(new ScaleBench.Options(Int("--nodes", 2), Int("--shots", 200), Int("--chunks", 10), Int("--kill", 0),
            Int("--slots", 2), Int("--active", 0), args.Contains("--admit-only"), Int("--prioritize-every", 10), Int("--systems-per-process", 1), Int("--idle", 0)));
    case "scale-node":
        return await ScaleBench.NodeAsync(Int("--chunks", 10), Int("--systems", 1));
    default:
        Console.Error.WriteLine("usage: talos-bench pipeline [INPUT] [--width W --height H --fps F --max-seconds S --one-slot] | ichor [INPUT] [--width W --height H --fps F --max-seconds S] | kernels [--width W --height H --repeat N] | draw [--width W --height H --repeat N] | echo [--work-dir DIR --clips --repeat N] | codec [--work-dir DIR --per-kind N --levels 3,1,-1 --repeat N] | flux [--width W --height H --paper-only --time-only] | chroma [--width W --height H --repeat N --frames F] | stokes [--grid N --steps S --threads T --reduction R] | prism [SCREENPLAY] [--repeat N] | cluster [--shots N --frames F --events E --postgres-only --recovery-shots N --recovery-only] | scale [--nodes N --shots S --chunks C --kill P --slots K --active A --admit-only --prioritize-every K --systems-per-process K --idle S] | scale --vault-only [--writes N] | vault [--sizes 256,1024,4096 --chunks N --frames F] | audio [--tuning] | gpu [--width W --height H --repeat N]");
        return 2;
}
