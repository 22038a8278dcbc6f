using Microsoft.Data.Sqlite;

namespace SessionKit.Benchmarks;

/// <summary>
/// The floor a SQLite context build is measured against: the rows a window of a given budget is made from, read by hand
/// from the store's own file on one connection, in one read transaction, with prepared statements — the session row, the
/// newest messages until their stored token counts pass the budget, and for each summary level (finest first, up to the
/// first empty one) the newest summaries until their counts pass the budget. It decodes the columns a window needs
/// (role, content, counts, sequences) and nothing else: no validation, no access checks, no window logic.
/// </summary>
public sealed class RawSqliteWindowRead : IDisposable
{
    private const int MaxLevel = 9;

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _begin;
    private readonly SqliteCommand _commit;
    private readonly SqliteCommand _session;
    private readonly SqliteCommand _messages;
    private readonly SqliteCommand _summaries;
    private readonly SqliteParameter _summaryLevel;
    private readonly List<string> _texts = [];

    /// <summary>Opens <paramref name="path"/> (a SessionKit SQLite file) and prepares the statements for one session.</summary>
    /// <param name="path">The database file.</param>
    /// <param name="sessionId">The session whose window rows are read.</param>
    public RawSqliteWindowRead(string path, Guid sessionId)
    {
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ConnectionString);
        _connection.Open();
        byte[] id = sessionId.ToByteArray(bigEndian: true);
        _begin = Prepare("BEGIN DEFERRED;");
        _commit = Prepare("COMMIT;");
        _session = Prepare("SELECT last_sequence, user_id FROM sessions WHERE id = $id;");
        _session.Parameters.AddWithValue("$id", id);
        _messages = Prepare("SELECT sequence, role, content, token_count FROM messages WHERE session_id = $id ORDER BY sequence DESC;");
        _messages.Parameters.AddWithValue("$id", id);
        _summaries = Prepare("SELECT from_sequence, to_sequence, text, token_count FROM summaries WHERE session_id = $id AND level = $level ORDER BY to_sequence DESC;");
        _summaries.Parameters.AddWithValue("$id", id);
        _summaryLevel = _summaries.Parameters.Add("$level", SqliteType.Integer);
    }

    /// <summary>Reads the rows of a window of <paramref name="tokenBudget"/> tokens.</summary>
    /// <param name="tokenBudget">How many stored tokens of messages, and of each summary level, to read.</param>
    /// <returns>How many rows were read and the stored tokens they hold.</returns>
    public (int Rows, long Tokens) Read(int tokenBudget)
    {
        _texts.Clear();
        int rows = 0;
        long tokens = 0;
        _begin.ExecuteNonQuery();
        try
        {
            using (var reader = _session.ExecuteReader())
            {
                if (!reader.Read())
                {
                    throw new InvalidOperationException("The session is gone.");
                }

                _ = reader.GetInt64(0);
                _texts.Add(reader.GetString(1));
                rows++;
            }

            tokens += ReadUntil(_messages, tokenBudget, ref rows);
            for (int level = 1; level <= MaxLevel; level++)
            {
                _summaryLevel.Value = level;
                int before = rows;
                tokens += ReadUntil(_summaries, tokenBudget, ref rows);
                if (rows == before)
                {
                    break;
                }
            }
        }
        finally
        {
            _commit.ExecuteNonQuery();
        }

        return (rows, tokens);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _begin.Dispose();
        _commit.Dispose();
        _session.Dispose();
        _messages.Dispose();
        _summaries.Dispose();
        _connection.Dispose();
    }

    private long ReadUntil(SqliteCommand command, int tokenBudget, ref int rows)
    {
        long tokens = 0;
        using var reader = command.ExecuteReader();
        while (tokens <= tokenBudget && reader.Read())
        {
            _ = reader.GetInt64(0);
            _ = reader.GetInt64(1);
            _texts.Add(reader.GetString(2));
            tokens += reader.GetInt32(3);
            rows++;
        }

        return tokens;
    }

    private SqliteCommand Prepare(string sql)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }
}
