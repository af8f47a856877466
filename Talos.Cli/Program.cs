using System.CommandLine;
using Talos.Cli;
using Talos.Cli.Prism;
using Talos.Cli.Render;

var root = new RootCommand("talos — render cluster for AI-assisted animation");
root.Subcommands.Add(RenderCommand.Create());
root.Subcommands.Add(InfoCommand.Create());
root.Subcommands.Add(PrismCommands.Prism());
root.Subcommands.Add(PrismCommands.StoryboardCommand());
root.Subcommands.Add(PrismCommands.Animatic());
return await root.Parse(args).InvokeAsync();
