using Talos.Actors.Hosting;

// A render node: hosts shot shards and their chunk workers (role "gpu").
return await NodeConfiguration.RunUntilStoppedAsync(["gpu"], "node");
