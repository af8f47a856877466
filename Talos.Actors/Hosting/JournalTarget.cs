namespace Talos.Actors.Hosting;

/// <summary>
/// Where the journal lives, from what an operator writes in <c>TALOS_JOURNAL</c>: nothing (SQLite files under the
/// work dir, the embedded default), a <c>postgres://user:password@host:port/database</c> URL, or a provider
/// connection string (<c>Host=…</c> for PostgreSQL, <c>Data Source=…</c> for SQLite).
/// </summary>
public sealed record JournalTarget(string? ConnectionString, string Provider)
{
    public const string Sqlite = "SQLite.MS";
    public const string Postgres = "PostgreSQL.15";

    public bool IsPostgres => Provider.StartsWith("PostgreSQL", StringComparison.Ordinal);

    public static JournalTarget Parse(string? journal, string? provider = null)
    {
        if (string.IsNullOrWhiteSpace(journal)) return new JournalTarget(null, provider ?? Sqlite);
        journal = journal.Trim();
        if (journal.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || journal.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            return new JournalTarget(FromUrl(journal), provider ?? Postgres);
        bool pg = journal.Contains("Host=", StringComparison.OrdinalIgnoreCase) || journal.Contains("Server=", StringComparison.OrdinalIgnoreCase);
        bool sqlite = journal.Contains("Data Source=", StringComparison.OrdinalIgnoreCase);
        if (!pg && !sqlite && provider is null)
            throw new ArgumentException("TALOS_JOURNAL must be a postgres://user:password@host:port/database URL or a connection string (Host=… or Data Source=…)");
        return new JournalTarget(journal, provider ?? (pg ? Postgres : Sqlite));
    }

    static string FromUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            throw new ArgumentException($"TALOS_JOURNAL '{Redact(url)}' is not a valid postgres:// URL");
        var b = new Npgsql.NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.Trim('/')) is { Length: > 0 } db ? db : "postgres",
        };
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            b.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2) b.Password = Uri.UnescapeDataString(parts[1]);
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            try { b[Uri.UnescapeDataString(kv[0])] = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "true"; }
            catch (ArgumentException e) { throw new ArgumentException($"TALOS_JOURNAL option '{kv[0]}': {e.Message}"); }
        }
        return b.ConnectionString;
    }

    /// <summary>
    /// The journal with Talos's defaults for a PostgreSQL connection, each only where the operator's connection string
    /// does not set it: <c>No Reset On Close</c> (Npgsql otherwise sends <c>DISCARD ALL</c> each time a pooled connection
    /// is reused — once per journal transaction, as Akka.Persistence.Sql takes a connection per write; the plugins set no
    /// session state to reset).
    /// </summary>
    public JournalTarget WithPostgresDefaults()
    {
        if (!IsPostgres || ConnectionString is null) return this;
        // The generic builder keeps the keys as the operator wrote them (Npgsql's would list every keyword it knows).
        var b = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = ConnectionString };
        var keys = b.Keys.Cast<string>().Select(Keyword).ToHashSet();
        foreach (var (keyword, value) in PostgresDefaults)
            if (!keys.Contains(Keyword(keyword))) b[keyword] = value;
        return this with { ConnectionString = b.ConnectionString };
    }

    /// <summary>Npgsql connection-string settings Talos adds to a PostgreSQL journal's (see <see cref="WithPostgresDefaults"/>).</summary>
    public static readonly IReadOnlyList<(string Keyword, object Value)> PostgresDefaults = [("No Reset On Close", true)];

    static string Keyword(string key) => key.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant();

    /// <summary>The URL without its password, for error messages and logs.</summary>
    public static string Redact(string url) =>
        System.Text.RegularExpressions.Regex.Replace(url, @"(://[^:/@]+:)[^@]*@", "$1***@");
}
