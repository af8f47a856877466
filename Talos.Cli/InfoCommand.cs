using System.CommandLine;
using Talos.Gpu.Cuttura;
using Talos.Gpu.Kernels;

namespace Talos.Cli;

public static class InfoCommand
{
    public static Command Create()
    {
        var cmd = new Command("info", "Show what this machine offers Talos: cores, compute device, ONNX Runtime providers, ffmpeg");
        cmd.SetAction(_ =>
        {
            Console.WriteLine($"talos {typeof(InfoCommand).Assembly.GetName().Version}");
            Console.WriteLine($"cores: {Environment.ProcessorCount}");
            Console.WriteLine($"runtime: {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}");
            try { Console.WriteLine($"ffmpeg: {FfmpegTools.EnsureAvailable()}"); }
            catch (Exception e) { Console.WriteLine($"ffmpeg: missing ({e.Message})"); }
            var device = ComputeDevice.Current;
            Console.WriteLine($"device: {device.Kind.ToString().ToLowerInvariant()} (requested {device.Requested.ToString().ToLowerInvariant()}): {device.Name}");
            Console.WriteLine($"onnxruntime providers: {OnnxProviders()}");
            return 0;
        });
        return cmd;
    }

    static string OnnxProviders()
    {
        try { return string.Join(", ", Microsoft.ML.OnnxRuntime.OrtEnv.Instance().GetAvailableProviders()); }
        catch (Exception e) { return $"unavailable ({e.GetType().Name}: {e.Message})"; }
    }
}
