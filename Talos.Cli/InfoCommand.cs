using System.CommandLine;
using Talos.Actors.Cuttura;

namespace Talos.Cli;

public static class InfoCommand
{
    public static Command Create()
    {
        var cmd = new Command("info", "Show what this machine offers Talos: cores, ffmpeg");
        cmd.SetAction(_ =>
        {
            Console.WriteLine($"talos {typeof(InfoCommand).Assembly.GetName().Version}");
            Console.WriteLine($"cores: {Environment.ProcessorCount}");
            Console.WriteLine($"runtime: {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}");
            try { Console.WriteLine($"ffmpeg: {FfmpegTools.EnsureAvailable()}"); }
            catch (Exception e) { Console.WriteLine($"ffmpeg: missing ({e.Message})"); }
            Console.WriteLine("device: cpu");
            return 0;
        });
        return cmd;
    }
}
