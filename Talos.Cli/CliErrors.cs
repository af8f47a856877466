using Spectre.Console;
using Talos.Gpu.Cuttura;
using Talos.Gpu.Prism;
using Talos.Vault;

namespace Talos.Cli;

/// <summary>Turns the errors a user can cause into one clear line (no stack trace) and an exit code.</summary>
public static class CliErrors
{
    public const int Ok = 0, Failed = 1, BadInput = 2, Interrupted = 130;

    /// <summary>Runs a command body; errors go to <paramref name="error"/> (default stderr) as one line.</summary>
    public static async Task<int> Guard(Func<Task<int>> body, TextWriter? error = null, string interrupted = "interrupted: run the same command with the same --work-dir to resume")
    {
        var err = error ?? Console.Error;
        void Error(string message) => err.WriteLine("error: " + message);
        try { return await body(); }
        catch (SpecValidationException e)
        {
            Error("invalid shot spec:\n" + string.Join("\n", e.Errors.Select(x => $"  {x.Path}: {x.Message}")));
            return BadInput;
        }
        catch (Exception e) when (e is PrismException or VaultException or CutturaException or UsageException or InvalidDataException or Talos.Gpu.Protoforge.ProtoforgeException)
        {
            Error(e.Message);
            return BadInput;
        }
        catch (Talos.Cli.Farm.FarmException e)
        {
            Error(e.Message);
            return e.ExitCode;
        }
        catch (Talos.Gpu.Processes.ProcessException e)
        {
            Error(e.Message); // a missing or failing program: its name and package, or its exit code and stderr
            return Failed;
        }
        catch (TaskCanceledException e) when (e.InnerException is TimeoutException)
        {
            // HttpClient's own timeout (not the user's Ctrl+C) from a client that did not word it itself
            Error($"no answer in time: {e.Message}");
            return Failed;
        }
        catch (OperationCanceledException)
        {
            err.WriteLine(interrupted);
            return Interrupted;
        }
        catch (Exception e)
        {
            Error(Environment.GetEnvironmentVariable("TALOS_DEBUG") is "1" ? e.ToString() : $"{e.GetType().Name}: {e.Message}");
            return Failed;
        }
    }

    public static void Error(string message) => Console.Error.WriteLine("error: " + message);
}

/// <summary>A wrong command-line value.</summary>
public sealed class UsageException(string message) : Exception(message);
