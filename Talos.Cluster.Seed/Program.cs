using Talos.Actors.Hosting;
using Talos.Actors.Pipeline;

// The seed: a lighthouse for the cluster that also hosts the Hephaestus singleton (role "core").
TalosNode.DefaultRunners = StageRunners.Create;
return await NodeConfiguration.RunUntilStoppedAsync(["core"], "seed");
