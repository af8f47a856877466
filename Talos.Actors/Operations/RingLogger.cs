using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;

namespace Talos.Actors.Operations;

/// <summary>
/// The node's Akka logger (<c>akka.loggers</c>): keeps every log event at or above <c>akka.loglevel</c> (INFO) in the
/// node's <see cref="LogRing"/>, for <c>talos logs</c> and the dashboard, and prints those at or above
/// <c>talos.log-ring.stdout-level</c> (the node's configured level, TALOS_LOGLEVEL) to stdout as the default logger would.
/// </summary>
public sealed class RingLogger : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    public RingLogger()
    {
        var ring = LogRingExtension.For(Context.System);
        var print = LogLevelFor(Context.System.Settings.Config.GetString("talos.log-ring.stdout-level", "WARNING"));
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(e =>
        {
            if (e.LogLevel() >= print) Console.Out.WriteLine(e.ToString());
            ring.Add(new DateTimeOffset(e.Timestamp.ToUniversalTime(), TimeSpan.Zero), Level(e.LogLevel()), e.LogSource,
            e.Cause is null ? e.Message?.ToString() ?? "" : $"{e.Message} ({e.Cause.GetType().Name}: {e.Cause.Message})");
        });
    }

    static LogLevel LogLevelFor(string name) => name.ToUpperInvariant() switch
    {
        "DEBUG" => LogLevel.DebugLevel,
        "INFO" => LogLevel.InfoLevel,
        "WARNING" => LogLevel.WarningLevel,
        "OFF" => (LogLevel)int.MaxValue,
        _ => LogLevel.ErrorLevel,
    };

    static string Level(LogLevel level) => level switch
    {
        LogLevel.DebugLevel => "DEBUG",
        LogLevel.InfoLevel => "INFO",
        LogLevel.WarningLevel => "WARNING",
        _ => "ERROR",
    };
}
