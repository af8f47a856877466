using System.CommandLine;
using Talos.Gpu.Protoforge;

namespace Talos.Cli.Protoforge;

/// <summary>
/// <c>talos models list</c> / <c>talos models fetch NAME</c>: the models Talos fetches for itself (PROTOFORGE's registry),
/// each pinned by package version and SHA-256, cached in <c>$TALOS_MODELS</c> (default ~/.cache/talos/models).
/// </summary>
public static class ModelsCommand
{
    public static Command Create()
    {
        var list = new Command("list", "The registered models: name, source package, SHA-256, cached or not");
        list.SetAction((_, _) => CliErrors.Guard(() =>
        {
            foreach (var m in ModelRegistry.All)
            {
                var cached = NpmFetcher.Cached(m);
                Console.WriteLine($"{m.Name}  {m.Source} {m.PathInPackage}  sha256 {m.FileSha256}  {m.Licence}");
                Console.WriteLine($"  {m.Description}");
                if (m.Conversion is { } conv) Console.WriteLine($"  converted by Talos: {conv.Description} (package SHA-256 {m.TarballSha256})");
                Console.WriteLine($"  {(cached is null ? "not fetched yet (talos models fetch " + m.Name + ")" : "cached: " + cached)}");
            }
            return Task.FromResult(CliErrors.Ok);
        }));
        var name = new Argument<string>("name") { Description = "a registered model (talos models list)" };
        var fetch = new Command("fetch", "Fetch a model into the cache (once), checking its pinned SHA-256") { name };
        fetch.SetAction((parse, ct) => CliErrors.Guard(() =>
        {
            var model = ModelRegistry.Get(parse.GetValue(name)!);
            var path = NpmFetcher.Ensure(model, log: m => Console.Error.WriteLine(m), ct: ct);
            Console.WriteLine(path);
            return Task.FromResult(CliErrors.Ok);
        }));
        return new Command("models", "Models Talos fetches for itself (pinned, verified, cached)") { list, fetch };
    }
}
