using System.Text.RegularExpressions;
using Akka.Actor;
using Talos.Messages.Queries;

namespace Talos.Actors.Operations;

/// <summary>
/// The node's recent log lines in a bounded ring (oldest dropped first), fed by <see cref="RingLogger"/> and read by
/// <see cref="NodeOpsActor"/>. Each line gets the next sequence number, so a reader follows with "lines after N".
/// Each line is tagged with the shot it is about (a shot key in the logging actor's path or in the message), so
/// operators can ask for one shot's lines.
/// </summary>
public sealed partial class LogRing(int capacity = LogRing.DefaultCapacity)
{
    public const int DefaultCapacity = 2000;
    public const int MaxMessageChars = 2000;

    readonly LogLine[] _lines = new LogLine[Math.Max(1, capacity)];
    readonly Lock _lock = new();
    long _seq;

    public int Capacity => _lines.Length;
    public long LastSeq { get { lock (_lock) return _seq; } }

    public LogLine Add(DateTimeOffset at, string level, string source, string message)
    {
        if (message.Length > MaxMessageChars) message = message[..MaxMessageChars] + "…";
        lock (_lock)
        {
            var line = new LogLine(++_seq, at, level, source, ShotOf(source, message), message);
            _lines[(int)((_seq - 1) % _lines.Length)] = line;
            return line;
        }
    }

    /// <summary>Lines after <paramref name="afterSeq"/> (of <paramref name="shot"/> if given), oldest first, at most the newest <paramref name="max"/>.</summary>
    public IReadOnlyList<LogLine> After(long afterSeq, string? shot, int max)
    {
        lock (_lock)
        {
            long first = Math.Max(afterSeq + 1, _seq - _lines.Length + 1);
            var found = new List<LogLine>();
            for (long s = first; s <= _seq; s++)
            {
                var line = _lines[(int)((s - 1) % _lines.Length)];
                if (shot is null || line.Shot == shot) found.Add(line);
            }
            return found.Count <= max ? found : found.GetRange(found.Count - max, max);
        }
    }

    // A shot key is "production--id" (ids: letters, digits, '.', '_', '-'); shot entities are named by their key.
    [GeneratedRegex(@"(?<![A-Za-z0-9._-])[A-Za-z0-9][A-Za-z0-9._]*(?:-[A-Za-z0-9._]+)*--[A-Za-z0-9][A-Za-z0-9._-]*")]
    private static partial Regex ShotKeyPattern();

    static string? ShotOf(string source, string message)
    {
        foreach (var segment in source.Split('/'))
        {
            var decoded = Uri.UnescapeDataString(segment);
            var m = ShotKeyPattern().Match(decoded);
            if (m.Success && m.Length == decoded.Length) return decoded;
        }
        var inMessage = ShotKeyPattern().Match(message);
        return inMessage.Success ? inMessage.Value.TrimEnd('.', '-', '_') : null;
    }
}

/// <summary>One <see cref="LogRing"/> per actor system (the logger writes to it, the operations actor reads it).</summary>
public sealed class LogRingExtension : ExtensionIdProvider<LogRingHolder>
{
    public static readonly LogRingExtension Id = new();
    public override LogRingHolder CreateExtension(ExtendedActorSystem system) =>
        new(new LogRing(system.Settings.Config.GetInt("talos.log-ring.capacity", LogRing.DefaultCapacity)));

    public static LogRing For(ActorSystem system) => system.WithExtension<LogRingHolder, LogRingExtension>().Ring;
}

public sealed class LogRingHolder(LogRing ring) : IExtension
{
    public LogRing Ring { get; } = ring;
}
