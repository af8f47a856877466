using System.CommandLine;
using Talos.Cli;
using Talos.Cli.Flux;
using Talos.Cli.Render;

var root = new RootCommand("talos — render cluster for AI-assisted animation");
root.Subcommands.Add(RenderCommand.Create());
root.Subcommands.Add(InfoCommand.Create());
root.Subcommands.Add(FluxCommands.Flow());
root.Subcommands.Add(FluxCommands.Inbetween());
return await root.Parse(args).InvokeAsync();
