using System.CommandLine;
using Talos.Cli;
using Talos.Cli.Render;

var root = new RootCommand("talos — render cluster for AI-assisted animation");
root.Subcommands.Add(RenderCommand.Create());
root.Subcommands.Add(InfoCommand.Create());
return await root.Parse(args).InvokeAsync();
