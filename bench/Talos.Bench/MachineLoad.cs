namespace Talos.Bench;

/// <summary>The machine's load, printed with every bench's numbers: on a shared machine it says how much of the cores a run had.</summary>
static class MachineLoad
{
    /// <summary>The 1-, 5- and 15-minute load averages ("?" where /proc/loadavg is not there).</summary>
    public static string Averages() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
}
