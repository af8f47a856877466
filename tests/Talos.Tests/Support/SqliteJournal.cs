using Microsoft.Data.Sqlite;
using Talos.Messages;
using Talos.Messages.Serialization;

namespace Talos.Tests.Support;

/// <summary>A work dir's SQLite journal read as a test reads it: every shot's events in order, by shot key.</summary>
public static class SqliteJournal
{
    public static Dictionary<string, List<ITalosEvent>> ShotEvents(string workDir)
    {
        using var db = new SqliteConnection($"Data Source={Path.Combine(workDir, "journal.db")};Mode=ReadOnly;Pooling=False");
        db.Open();
        using var q = db.CreateCommand();
        q.CommandText = "SELECT persistence_id, manifest, message FROM journal WHERE persistence_id LIKE 'shot-%' ORDER BY persistence_id, sequence_number";
        using var r = q.ExecuteReader();
        var serializer = new ShotEventSerializer(null!);
        var byShot = new Dictionary<string, List<ITalosEvent>>();
        while (r.Read())
        {
            var e = (ITalosEvent)serializer.FromBinary((byte[])r["message"], r.GetString(1));
            var key = r.GetString(0)["shot-".Length..];
            (byShot.TryGetValue(key, out var list) ? list : byShot[key] = []).Add(e);
        }
        return byShot;
    }
}
