using System.CommandLine;

namespace Talos.Tests.Support;

/// <summary>Runs `talos` subcommands in-process as a user types them: the exit code and what they wrote to stderr.</summary>
public static class CliRunner
{
    public static async Task<(int Code, string Error)> Run(IEnumerable<Command> commands, params string[] args)
    {
        var root = new RootCommand();
        foreach (var c in commands) root.Subcommands.Add(c);
        var err = new StringWriter();
        var (oldErr, oldOut) = (Console.Error, Console.Out);
        Console.SetError(err);
        Console.SetOut(new StringWriter());
        try { return (await root.Parse(args).InvokeAsync(), err.ToString()); }
        finally { Console.SetError(oldErr); Console.SetOut(oldOut); }
    }
}
