using System.Text.Json;
using System.Text.Json.Nodes;
using Talos.Gpu.Anima;
using Talos.Gpu.Imaging;
using Talos.Messages.Queries;
using Talos.Messages.Specs;

namespace Talos.Cli.Render;

/// <summary>
/// <c>talos render --layers exr|png16</c>: each shot's render passes written as image sequences a compositor reads,
/// <c>DIR/SHOT/PASS/SHOT.PASS.####.exr</c> (png16: <c>.png</c>, depth and motion <c>.exr</c>), and <c>DIR/layers.json</c> listing shots, passes, channels, frame ranges
/// and the composite order (each file written atomically).
/// </summary>
public static class LayersOutput
{
    /// <summary>The default directory: --out without its extension, plus ".layers".</summary>
    public static string DefaultDir(string outPath)
    {
        var path = Path.TrimEndingDirectorySeparator(outPath); // a png16 --out directory may end in '/'
        return Path.Combine(Path.GetDirectoryName(path) ?? ".", Path.GetFileNameWithoutExtension(path) + ".layers");
    }

    /// <summary>Writes every shot's passes; <paramref name="frames"/> gives a shot's per-frame pass → EXR bytes lookups.</summary>
    internal static async Task WriteAsync(string dir, IReadOnlyList<ShotSpec> specs, ProductionView view,
        Func<ShotView, Task<IReadOnlyList<IReadOnlyDictionary<string, string>>>> frames, Func<string, Task<byte[]>> blob)
    {
        Directory.CreateDirectory(dir);
        var shots = new JsonArray();
        foreach (var shot in view.Shots.OrderBy(s => s.Sequence))
        {
            var spec = specs.First(s => s.Id == shot.ShotId);
            if (spec.Layers is null) continue; // a spec of the production that asked for none
            var list = await frames(shot);
            var names = list.SelectMany(f => f.Keys).Distinct().ToList();
            var order = RenderPasses.StackOrder(RenderPasses.CharacterPasses(spec.Characters.Select(c => c.Name).ToList()), spec.Effects.Count > 0);
            var passes = new JsonArray();
            foreach (var pass in names.OrderBy(n => n == "beauty" ? 0 : order.Contains(n) ? 1 + order.ToList().IndexOf(n) : 100 + RenderPasses.DataPasses.ToList().IndexOf(n)))
            {
                string ext = RenderPasses.Extension(spec.Layers!, pass);
                for (int i = 0; i < list.Count; i++)
                    if (list[i].TryGetValue(pass, out var hash))
                        CliFiles.Write(Path.Combine(dir, shot.ShotId, pass, FileName(shot.ShotId, pass, i, ext)), await blob(hash));
                passes.Add(new JsonObject
                {
                    ["name"] = pass,
                    ["role"] = pass == "beauty" ? "beauty" : order.Contains(pass) ? "composite" : "data",
                    ["files"] = $"{shot.ShotId}/{pass}/{shot.ShotId}.{pass}.####{ext}",
                    ["channels"] = new JsonArray(RenderPasses.ChannelsOf(pass).Select(c => (JsonNode)new JsonObject
                        { ["name"] = c.Name, ["type"] = ext == ".png" ? "uint16" : c.Type == ExrPixelType.Float ? "float" : "half" }).ToArray()),
                });
            }
            shots.Add(new JsonObject
            {
                ["shot"] = shot.ShotId, ["format"] = spec.Layers, ["sequence"] = shot.Sequence, ["fps"] = spec.Fps,
                ["width"] = spec.Resolution.Width, ["height"] = spec.Resolution.Height,
                ["firstFrame"] = 0, ["lastFrame"] = list.Count - 1,
                ["compositeOrder"] = new JsonArray(order.Where(names.Contains).Select(n => (JsonNode)n!).ToArray()),
                ["passes"] = passes,
            });
        }
        var doc = new JsonObject
        {
            ["colour"] = "scene-linear, BT.709 primaries, 1.0 is SDR white; EXR premultiplied, PNG straight alpha (as PNG defines it) clipped to [0, 1]",
            ["composite"] = "'over' in compositeOrder (first at the bottom) reproduces beauty",
            ["depth"] = $"Z: linear distance in units of the characters' plane (1); sky {RenderPasses.SkyDepth}",
            ["motion"] = "R, G: forward screen-space vectors to the next frame in pixels, x right, y up (Nuke VectorBlur)",
            ["shots"] = shots,
        };
        CliFiles.Write(Path.Combine(dir, "layers.json"), doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");
    }

    public static string FileName(string shot, string pass, int frame, string ext) => $"{shot}.{pass}.{frame:D4}{ext}";
}
