using Microsoft.Data.Sqlite;

namespace SessionKit.Sqlite;

/// <summary>Settings of a <see cref="SqliteSessionStore"/>.</summary>
public sealed class SqliteSessionStoreOptions
{
    /// <summary>
    /// A Microsoft.Data.Sqlite connection string (<c>Data Source=sessions.db</c>), or just a file path.
    /// The file and its folder are created when missing. Default: <c>Data Source=sessionkit.db</c> in the working directory.
    /// </summary>
    public string ConnectionString { get; set; } = "Data Source=sessionkit.db";

    /// <summary>How hard a commit waits for the disk (<c>PRAGMA synchronous</c>). Default <see cref="SqliteSynchronousMode.Normal"/>, which with WAL never corrupts the file.</summary>
    public SqliteSynchronousMode Synchronous { get; set; } = SqliteSynchronousMode.Normal;

    /// <summary>How long a statement waits for a lock held by another connection or process before failing (<c>PRAGMA busy_timeout</c>). Default 5 seconds.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How many idle read connections are kept open for reuse (default 4). Reads never wait for the single writer.</summary>
    public int MaxIdleReadConnections { get; set; } = 4;

    /// <summary>
    /// How often change-feed watchers and waiting turns re-read the database for writes made by other processes (writes through
    /// store instances in this process wake them at once). Default 1 second; timed on the store's <see cref="TimeProvider"/>.
    /// </summary>
    public TimeSpan ChangePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Returns a description of each invalid setting, naming it; empty when all are valid.</summary>
    /// <param name="prefix">The name of this object in messages.</param>
    /// <returns>The failures.</returns>
    public IReadOnlyList<string> Validate(string prefix = nameof(SqliteSessionStoreOptions))
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            failures.Add($"{prefix}.{nameof(ConnectionString)} must name a database file, e.g. \"Data Source=sessions.db\".");
        }
        else
        {
            try
            {
                string dataSource = SqliteStoreConnectionString.Parse(ConnectionString).DataSource;
                if (string.IsNullOrWhiteSpace(dataSource) || dataSource == ":memory:")
                {
                    failures.Add($"{prefix}.{nameof(ConnectionString)} must name a database file (\"{dataSource}\" is not one); for a store without a file use UseInMemory().");
                }
            }
            catch (ArgumentException ex)
            {
                failures.Add($"{prefix}.{nameof(ConnectionString)} is not a valid SQLite connection string: {ex.Message}");
            }
        }

        if (!Enum.IsDefined(Synchronous))
        {
            failures.Add($"{prefix}.{nameof(Synchronous)} has an undefined value ({(int)Synchronous}).");
        }

        if (BusyTimeout < TimeSpan.Zero || BusyTimeout > TimeSpan.FromMilliseconds(int.MaxValue))
        {
            failures.Add($"{prefix}.{nameof(BusyTimeout)} must be between zero and {int.MaxValue} ms (was {BusyTimeout}).");
        }

        if (MaxIdleReadConnections < 0)
        {
            failures.Add($"{prefix}.{nameof(MaxIdleReadConnections)} must not be negative (was {MaxIdleReadConnections}).");
        }

        if (ChangePollInterval <= TimeSpan.Zero || ChangePollInterval > TimeSpan.FromHours(1))
        {
            failures.Add($"{prefix}.{nameof(ChangePollInterval)} must be more than zero and at most one hour (was {ChangePollInterval}).");
        }

        return failures;
    }

    internal SqliteSessionStoreOptions Clone() => (SqliteSessionStoreOptions)MemberwiseClone();
}

internal static class SqliteStoreConnectionString
{
    /// <summary>Accepts a connection string or a bare file path, and turns off ADO.NET pooling (the store pools its own connections).</summary>
    public static SqliteConnectionStringBuilder Parse(string connectionString)
    {
        var builder = connectionString.Contains('=', StringComparison.Ordinal)
            ? new SqliteConnectionStringBuilder(connectionString)
            : new SqliteConnectionStringBuilder { DataSource = connectionString };
        builder.Pooling = false;
        return builder;
    }
}
