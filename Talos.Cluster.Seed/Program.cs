using System.Net;
using System.Net.Sockets;
using Talos.Actors.Hosting;
using Talos.Cluster.Seed.Api;

// The seed: a lighthouse for the cluster that also hosts the Hephaestus singleton (role "core") and the HTTP API
// (TALOS_API_URL, tokens from TALOS_API_TOKENS_FILE / TALOS_API_TOKEN_OPERATOR / TALOS_API_TOKEN_PIPELINE).
ApiOptions api;
try { api = ApiOptions.FromEnvironment(); }
catch (ArgumentException e) { Console.Error.WriteLine("error: " + e.Message); return 2; }
if (api.Tokens.Count == 0) Console.Error.WriteLine("warning: no API tokens configured (TALOS_API_TOKEN_OPERATOR, TALOS_API_TOKEN_PIPELINE, TALOS_API_TOKENS_FILE): every API request is refused");
if (Environment.GetEnvironmentVariable("TALOS_API_URL") is null && !PortIsFree(8080))
{
    // Without an explicit address the default port may be taken (several seeds on one machine, as tests run them):
    // listen on a free port instead of failing; the "api at" line says which. An explicit TALOS_API_URL never moves.
    Console.Error.WriteLine("warning: port 8080 is in use and TALOS_API_URL is not set: the API listens on a free port");
    api = api with { Url = "http://0.0.0.0:0" };
}
return await NodeConfiguration.RunUntilStoppedAsync(["core"], "seed", h => h.AddTalosApi(api),
    node => [$"talos seed api at {SeedApp.ListenAddress(node.Services) ?? api.Url}"]);

static bool PortIsFree(int port)
{
    try { var l = new TcpListener(IPAddress.Any, port); l.Start(); l.Stop(); return true; }
    catch (SocketException) { return false; }
}
