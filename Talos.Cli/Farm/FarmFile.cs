using System.Text.Json;

namespace Talos.Cli.Farm;

/// <summary>One process of a local farm.</summary>
public sealed record FarmProcess(string Role, string Address, int Pid, string Log);

/// <summary>The private PostgreSQL server a local farm journals into.</summary>
public sealed record FarmDatabase(string DataDir, int Port, string BinDir, string Url);

/// <summary><c>DIR/farm.json</c>: how to reach a running local farm (the seed's API url and token) and what it runs.</summary>
public sealed record FarmInfo(string Url, string Token, string WorkDir, FarmDatabase? Database, IReadOnlyList<FarmProcess> Processes, DateTimeOffset Started)
{
    public const string FileName = "farm.json";
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static string PathIn(string dir) => Path.Combine(dir, FileName);

    /// <summary>The farm file in <paramref name="dir"/>, or <paramref name="dir"/> itself when it names the file.</summary>
    public static FarmInfo Read(string dir)
    {
        var path = File.Exists(dir) ? dir : PathIn(dir);
        if (!File.Exists(path)) throw new UsageException($"no farm in {dir}: {path} does not exist (talos farm up --work-dir {dir})");
        try { return JsonSerializer.Deserialize<FarmInfo>(File.ReadAllText(path), Json) ?? throw new UsageException($"{path} is empty"); }
        catch (JsonException e) { throw new UsageException($"{path} is not a farm file: {e.Message}"); }
    }

    public void Write(string dir) =>
        CliFiles.Write(PathIn(dir), JsonSerializer.Serialize(this, Json), UnixFileMode.UserRead | UnixFileMode.UserWrite); // holds the token
}
