using Talos.Actors.Hosting;
using Talos.Actors.Pipeline;

// A render node: hosts shot shards and their chunk workers (role "gpu").
TalosNode.DefaultRunners = StageRunners.Create;
return await NodeConfiguration.RunUntilStoppedAsync(["gpu"], "node");
