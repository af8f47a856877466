using System.Diagnostics;
using Talos.Gpu.Prism;

namespace Talos.Bench;

/// <summary>PRISM on a real screenplay: parse, scene graph, JSON — median of N runs after warm-up, as markdown rows.</summary>
public static class PrismBench
{
    public static int Run(string path, int repeat)
    {
        if (!File.Exists(path)) { Console.Error.WriteLine($"error: file not found: {path}"); return 2; }
        var text = File.ReadAllText(path);
        var name = Path.GetFileName(path);
        for (int i = 0; i < 3; i++) SceneGraphBuilder.Build(FountainParser.Parse(text, name)).ToJson(); // warm-up (JIT)
        var parse = new List<double>(); var build = new List<double>(); var json = new List<double>();
        SceneGraph? graph = null;
        for (int i = 0; i < repeat; i++)
        {
            var sw = Stopwatch.StartNew();
            var play = FountainParser.Parse(text, name);
            parse.Add(sw.Elapsed.TotalMilliseconds); sw.Restart();
            graph = SceneGraphBuilder.Build(play);
            build.Add(sw.Elapsed.TotalMilliseconds); sw.Restart();
            graph.ToJson();
            json.Add(sw.Elapsed.TotalMilliseconds);
        }
        static double Median(List<double> v) { var s = v.Order().ToList(); return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2; }
        Console.WriteLine($"# PRISM on {name}: {text.Length / 1024.0:F0} KiB, {text.Split('\n').Length} lines, {graph!.Scenes.Count} scenes, {graph.ShotCount} shots; median of {repeat}, {Environment.ProcessorCount} cores");
        Console.WriteLine();
        Console.WriteLine("| screenplay | parse (ms) | scene graph (ms) | JSON (ms) | total (ms) |");
        Console.WriteLine("|---|---|---|---|---|");
        Console.WriteLine($"| {name} | {Median(parse):F1} | {Median(build):F1} | {Median(json):F1} | {Median(parse.Zip(build, json).Select(t => t.First + t.Second + t.Third).ToList()):F1} |");
        return 0;
    }
}
