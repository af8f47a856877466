using System.CommandLine;
using System.Text;
using Talos.Cli;
using Talos.Cli.Render;

namespace Talos.Tests.Support;

/// <summary>Runs `talos` subcommands in-process as a user types them: the exit code and what they wrote to stderr.</summary>
public static class CliRunner
{
    public static Task<(int Code, string Error)> Run(IEnumerable<Command> commands, params string[] args)
    {
        var root = new RootCommand();
        foreach (var c in commands) root.Subcommands.Add(c);
        return ConsoleCapture.Run(() => root.Parse(args).InvokeAsync());
    }

    /// <summary><c>talos render</c> with <paramref name="request"/>, through the CLI's error guard: the exit code and its stderr.</summary>
    public static Task<(int Code, string Error)> Render(RenderCommand.RenderRequest request) =>
        ConsoleCapture.Run(() => CliErrors.Guard(() => RenderCommand.RunAsync(request, CancellationToken.None)));
}

/// <summary>
/// What one test's command writes to the console, kept apart from every other test running at the same time: the
/// console's writers are replaced once by routers that write to the writers of the current async flow (set by
/// <see cref="Run"/>), or to the original console outside one. Swapping Console.Error per test instead let a test
/// running in parallel write into another's capture.
/// </summary>
public static class ConsoleCapture
{
    static readonly AsyncLocal<(TextWriter Out, TextWriter Error)?> Current = new();
    static readonly object Gate = new();
    static bool _installed;

    public static async Task<(int Code, string Error)> Run(Func<Task<int>> body)
    {
        Install();
        var err = new StringWriter();
        var saved = Current.Value;
        Current.Value = (TextWriter.Null, err);
        try { return (await body(), err.ToString()); }
        finally { Current.Value = saved; }
    }

    static void Install()
    {
        lock (Gate)
        {
            if (_installed) return;
            Console.SetOut(new Router(Console.Out, error: false));
            Console.SetError(new Router(Console.Error, error: true));
            _installed = true;
        }
    }

    sealed class Router(TextWriter console, bool error) : TextWriter
    {
        TextWriter Target => Current.Value is { } c ? (error ? c.Error : c.Out) : console;
        public override Encoding Encoding => console.Encoding;
        public override void Write(char value) => Target.Write(value);
        public override void Write(string? value) => Target.Write(value);
        public override void Write(char[] buffer, int index, int count) => Target.Write(buffer, index, count);
        public override void WriteLine(string? value) => Target.WriteLine(value);
        public override void Flush() => Target.Flush();
    }
}
