using Talos.Actors.Hosting;
using Talos.Cluster.Seed.Api;

// The seed: a lighthouse for the cluster that also hosts the Hephaestus singleton (role "core") and the HTTP API
// (TALOS_API_URL, tokens from TALOS_API_TOKENS_FILE / TALOS_API_TOKEN_OPERATOR / TALOS_API_TOKEN_PIPELINE).
ApiOptions api;
try { api = ApiOptions.FromEnvironment(); }
catch (ArgumentException e) { Console.Error.WriteLine("error: " + e.Message); return 2; }
if (api.Tokens.Count == 0) Console.Error.WriteLine("warning: no API tokens configured (TALOS_API_TOKEN_OPERATOR, TALOS_API_TOKEN_PIPELINE, TALOS_API_TOKENS_FILE): every API request is refused");
return await NodeConfiguration.RunUntilStoppedAsync(["core"], "seed", h => h.AddTalosApi(api),
    node => [$"talos seed api at {SeedApp.ListenAddress(node.Services) ?? api.Url}"]);
