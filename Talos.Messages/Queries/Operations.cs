namespace Talos.Messages.Queries;

// ---- operator queries answered by each node's operations actor (/user/talos-ops) ----

/// <summary>
/// Recent log lines of one node from its ring buffer: lines with a sequence number above <paramref name="AfterSeq"/>,
/// optionally only those about one shot, at most <paramref name="Max"/> (the newest ones).
/// </summary>
public sealed record QueryLogs(long AfterSeq = 0, string? Shot = null, int Max = 200) : ITalosMessage;

/// <summary>One log line as a node keeps it: <paramref name="Seq"/> grows by one per line on that node.</summary>
public sealed record LogLine(long Seq, DateTimeOffset At, string Level, string Source, string? Shot, string Message);

/// <summary>A node's answer to <see cref="QueryLogs"/>; <paramref name="LastSeq"/> is the newest line it has (the cursor to follow from).</summary>
public sealed record LogLines(string Node, long LastSeq, IReadOnlyList<LogLine> Lines) : ITalosMessage
{
    public IReadOnlyList<LogLine> Lines { get; init => field = Wire.List(value); } = Wire.List(Lines);
}

/// <summary>How busy a node's process is.</summary>
public sealed record GetNodeLoad : ITalosMessage
{
    public static readonly GetNodeLoad Instance = new();
}

/// <summary>
/// A node's load: shot entities it hosts, chunk slots it was given and how many are rendering, process CPU time, memory and uptime.
/// <paramref name="CpuPercent"/> is the process's CPU use since the previous query (or since start), all cores = 100·cores.
/// </summary>
public sealed record NodeLoad(string Node, int Shots, int ChunkSlots, int ChunksBusy, double CpuPercent, long WorkingSetBytes, long ManagedBytes,
    double UptimeSeconds, int ProcessorCount, int Pid) : ITalosMessage;
