using Microsoft.Data.Sqlite;

namespace SessionKit.Sqlite;

/// <summary>An open connection with its per-connection settings applied and its prepared commands cached by SQL text.</summary>
internal sealed class StoreConnection : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    private StoreConnection(SqliteConnection connection)
    {
        Connection = connection;
    }

    public SqliteConnection Connection { get; }

    public static StoreConnection Open(string connectionString, SqliteSessionStoreOptions options)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"""
                PRAGMA busy_timeout = {(long)options.BusyTimeout.TotalMilliseconds};
                PRAGMA foreign_keys = ON;
                PRAGMA synchronous = {(int)options.Synchronous};
                PRAGMA secure_delete = ON;
                """;
            command.ExecuteNonQuery();
            return new StoreConnection(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Returns the cached command for <paramref name="sql"/> with its parameters cleared and its transaction set.
    /// Microsoft.Data.Sqlite keeps a command's statements prepared until its text changes, so reuse skips re-parsing.
    /// </summary>
    public SqliteCommand Command(string sql, SqliteTransaction? transaction = null)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
            command.CommandText = sql;
            _commands.Add(sql, command);
        }

        command.Parameters.Clear();
        command.Transaction = transaction;
        return command;
    }

    /// <summary>
    /// Returns the cached command for <paramref name="sql"/> with its transaction set and its parameters as the last caller
    /// left them, created (named <paramref name="parameterNames"/>, in order) on first use: the caller sets each value by
    /// index, so a hot read allocates no parameter objects.
    /// </summary>
    public SqliteCommand Prepared(string sql, SqliteTransaction transaction, params ReadOnlySpan<string> parameterNames)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
            command.CommandText = sql;
            foreach (string name in parameterNames)
            {
                command.Parameters.Add(new SqliteParameter(name, null));
            }

            _commands.Add(sql, command);
        }

        command.Transaction = transaction;
        return command;
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
        Connection.Dispose();
    }
}
