using System.CommandLine;
using Talos.Cli;
using Talos.Cli.Prism;
using Talos.Cli.Flux;
using Talos.Cli.Render;

var root = new RootCommand("talos — render cluster for AI-assisted animation");
root.Options.Add(DeviceOption.Option);
root.Subcommands.Add(RenderCommand.Create());
root.Subcommands.Add(StokesCommand.Create());
root.Subcommands.Add(InfoCommand.Create());
root.Subcommands.Add(PrismCommands.Prism());
root.Subcommands.Add(PrismCommands.StoryboardCommand());
root.Subcommands.Add(PrismCommands.Animatic());
root.Subcommands.Add(FluxCommands.Flow());
root.Subcommands.Add(FluxCommands.Inbetween());
var parse = root.Parse(args);
if (parse.Errors.Count == 0 && DeviceOption.Apply(parse) is { } failed) return failed;
return await parse.InvokeAsync();
