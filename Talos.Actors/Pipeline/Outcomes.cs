using System.Text.Json;
using Talos.Messages.Serialization;

namespace Talos.Actors.Pipeline;

/// <summary>Note CUTTURA leaves on its chunk: the shot's ordered final frames (a JSON list blob). <paramref name="VideoHash"/>
/// is the shot's MP4 in notes written before review clips were made on demand (<see cref="ShotClips"/>); null since.</summary>
public sealed record CutOutcome(string FramesHash, string? VideoHash, int Frames);

/// <summary>
/// Note ECHO leaves on its chunk: the verdict, the frames that failed and the gains a revision applies; when ECHO
/// repaired frames, the repairs (each with its finding) and the frame list to deliver with them in
/// (<paramref name="RepairedVideoHash"/>: its clip in notes written before clips were made on demand; null since).
/// </summary>
public sealed record EchoOutcome(bool Passed, bool Correctable, IReadOnlyList<int> FailingFrames,
    IReadOnlyDictionary<int, float> Gains, string Summary, string ReportHash,
    IReadOnlyList<Talos.Messages.Events.EchoRepair>? Repairs = null, string? RepairedFramesHash = null, string? RepairedVideoHash = null);

public static class Notes
{
    public static string Write<T>(T value) => JsonSerializer.Serialize(value, ShotEventSerializer.Json);

    public static T Read<T>(string? note, string what) =>
        note is null ? throw new InvalidDataException($"{what} note missing")
        : JsonSerializer.Deserialize<T>(note, ShotEventSerializer.Json) ?? throw new InvalidDataException($"{what} note empty");
}
