using Talos.Actors.Hosting;

// The seed: a lighthouse for the cluster that also hosts the Hephaestus singleton (role "core").
return await NodeConfiguration.RunUntilStoppedAsync(["core"], "seed");
