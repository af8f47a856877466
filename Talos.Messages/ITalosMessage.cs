namespace Talos.Messages;

/// <summary>Marker for every message that may cross the wire: bound to the Hyperion serializer.</summary>
public interface ITalosMessage;

/// <summary>Marker for persisted journal events: bound to the versioned-manifest event serializer.</summary>
public interface ITalosEvent;

/// <summary>Messages routed to a shot entity by the shard region.</summary>
public interface IWithShotKey
{
    string ShotKey { get; }
}

/// <summary>The pipeline's stages in workflow order (PRISM → … → ECHO).</summary>
public static class Stages
{
    public const string Prism = "PRISM";
    public const string Axis = "AXIS";
    public const string Flux = "FLUX";
    public const string Chroma = "CHROMA";
    public const string Raygen = "RAYGEN";
    public const string Stokes = "STOKES";
    public const string Anima = "ANIMA";
    public const string Cuttura = "CUTTURA";
    public const string Echo = "ECHO";

    public static readonly IReadOnlyList<string> All = [Prism, Axis, Flux, Chroma, Raygen, Stokes, Anima, Cuttura, Echo];
}

/// <summary>Lifecycle of a shot as the registry reports it.</summary>
public static class ShotStatus
{
    public const string Queued = "queued";
    public const string Rendering = "rendering";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
    /// <summary>Stopped by an operator; not terminal: a resume continues from the recorded chunks.</summary>
    public const string Paused = "paused";

    public static bool IsTerminal(string s) => s is Completed or Failed or Cancelled;
}
