using System.CommandLine;
using Talos.Gpu.Kernels;

namespace Talos.Cli;

/// <summary>The global <c>--device auto|cpu|cuda</c> option: the compute device is chosen once, before any command runs.</summary>
public static class DeviceOption
{
    public static readonly Option<string> Option = new("--device")
    {
        Description = "compute device for kernels: auto (CUDA when present, else CPU), cpu or cuda",
        DefaultValueFactory = _ => "auto",
        Recursive = true,
    };

    /// <summary>Selects the device from the parsed command line; returns an exit code when the choice is impossible.</summary>
    public static int? Apply(ParseResult parse)
    {
        try
        {
            ComputeDevice.Select(ComputeDevice.Parse(parse.GetValue(Option)));
            return null;
        }
        catch (Exception e) when (e is ArgumentException or DeviceUnavailableException)
        {
            CliErrors.Error(e.Message);
            return CliErrors.BadInput;
        }
    }
}
