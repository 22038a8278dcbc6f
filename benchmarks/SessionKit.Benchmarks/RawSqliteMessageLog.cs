using Microsoft.Data.Sqlite;

namespace SessionKit.Benchmarks;

/// <summary>
/// The floor an SQLite append is measured against: the same tables as SqliteSessionStore's schema, the same pragmas
/// (WAL, synchronous=NORMAL, foreign keys on), the same full-text index kept by a trigger (an FTS5 row per message, as
/// the store's search needs), each message's token count (counted with <see cref="SharpTokenCounter.Default"/> and
/// stored, as the store does — counting is part of an append's work), and one prepared, parameterised INSERT per message
/// in an IMMEDIATE transaction — without the store's session read, session update, change log, validation or write lock.
/// </summary>
public sealed class RawSqliteMessageLog : IDisposable
{
    private const string Schema = """
        PRAGMA journal_mode = WAL;
        PRAGMA synchronous = NORMAL;
        PRAGMA foreign_keys = ON;
        CREATE TABLE sessions (
            id               BLOB    NOT NULL PRIMARY KEY,
            user_id          TEXT    NOT NULL,
            title            TEXT    NULL,
            metadata         TEXT    NULL,
            created_at       INTEGER NOT NULL,
            last_activity_at INTEGER NOT NULL,
            version          INTEGER NOT NULL,
            last_sequence    INTEGER NOT NULL,
            message_count    INTEGER NOT NULL
        );
        CREATE TABLE messages (
            row_id       INTEGER NOT NULL PRIMARY KEY,
            session_id   BLOB    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            sequence     INTEGER NOT NULL,
            id           BLOB    NOT NULL,
            role         INTEGER NOT NULL,
            content      TEXT    NOT NULL,
            author_id    TEXT    NULL,
            tool_call_id TEXT    NULL,
            tool_name    TEXT    NULL,
            created_at   INTEGER NOT NULL,
            metadata     TEXT    NULL,
            user_key     TEXT    NOT NULL DEFAULT '',
            token_count  INTEGER NOT NULL DEFAULT 0
        );
        CREATE UNIQUE INDEX ux_messages_session_sequence ON messages (session_id, sequence);
        CREATE VIRTUAL TABLE messages_fts USING fts5(
            content, user_key,
            content = 'messages', content_rowid = 'row_id',
            tokenize = 'porter unicode61 remove_diacritics 2');
        CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
            INSERT INTO messages_fts (rowid, content, user_key) VALUES (new.row_id, new.content, new.user_key);
        END;
        """;

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _insert;
    private readonly SqliteParameter _sessionId;
    private readonly SqliteParameter _sequence;
    private readonly SqliteParameter _id;
    private readonly SqliteParameter _content;
    private readonly SqliteParameter _createdAt;
    private readonly SqliteParameter _tokenCount;

    /// <summary>Creates the database file at <paramref name="path"/> with the schema.</summary>
    /// <param name="path">A file path that does not exist yet.</param>
    public RawSqliteMessageLog(string path)
    {
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ConnectionString);
        _connection.Open();
        Execute(Schema);

        _insert = _connection.CreateCommand();
        _insert.CommandText = """
            INSERT INTO messages (id, session_id, sequence, role, content, author_id, tool_call_id, tool_name, created_at, metadata, user_key, token_count)
            VALUES ($id, $session_id, $sequence, 1, $content, NULL, NULL, NULL, $created_at, NULL, 'u0123456789abcdef0123456789abcdef', $token_count);
            """;
        _id = _insert.Parameters.Add("$id", SqliteType.Blob);
        _sessionId = _insert.Parameters.Add("$session_id", SqliteType.Blob);
        _sequence = _insert.Parameters.Add("$sequence", SqliteType.Integer);
        _content = _insert.Parameters.Add("$content", SqliteType.Text);
        _createdAt = _insert.Parameters.Add("$created_at", SqliteType.Integer);
        _tokenCount = _insert.Parameters.Add("$token_count", SqliteType.Integer);
    }

    /// <summary>Inserts a session row for messages to reference.</summary>
    /// <param name="userId">The owner.</param>
    /// <returns>The session id.</returns>
    public Guid CreateSession(string userId)
    {
        var now = TimeProvider.System.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        using var command = _connection.CreateCommand();
        command.CommandText = "INSERT INTO sessions VALUES ($id, $user_id, NULL, NULL, $now, $now, 1, 0, 0);";
        command.Parameters.AddWithValue("$id", id.ToByteArray(bigEndian: true));
        command.Parameters.AddWithValue("$user_id", userId);
        command.Parameters.AddWithValue("$now", now.UtcTicks);
        command.ExecuteNonQuery();
        return id;
    }

    /// <summary>
    /// Counts each content's tokens, then inserts one user message per content with its count, in one transaction, with
    /// sequences after <paramref name="lastSequence"/>.
    /// </summary>
    /// <param name="sessionId">A session made by <see cref="CreateSession"/>.</param>
    /// <param name="lastSequence">The sequence of the session's newest row so far.</param>
    /// <param name="contents">The message texts.</param>
    /// <returns>The sequence of the last row inserted.</returns>
    public long Insert(Guid sessionId, long lastSequence, IReadOnlyList<string> contents)
    {
        var now = TimeProvider.System.GetUtcNow();
        var counter = SharpTokenCounter.Default;
        Span<int> counts = contents.Count <= 256 ? stackalloc int[contents.Count] : new int[contents.Count];
        for (int i = 0; i < contents.Count; i++)
        {
            counts[i] = counter.CountMessageTokens(MessageRole.User, contents[i]);
        }

        using var transaction = _connection.BeginTransaction(deferred: false);
        _insert.Transaction = transaction;
        _sessionId.Value = sessionId.ToByteArray(bigEndian: true);
        _createdAt.Value = now.UtcTicks;
        for (int i = 0; i < contents.Count; i++)
        {
            _id.Value = Guid.CreateVersion7(now).ToByteArray(bigEndian: true);
            _sequence.Value = ++lastSequence;
            _content.Value = contents[i];
            _tokenCount.Value = counts[i];
            _insert.ExecuteNonQuery();
        }

        transaction.Commit();
        return lastSequence;
    }

    /// <summary>Counts a session's rows.</summary>
    /// <param name="sessionId">The session.</param>
    /// <returns>The number of messages stored for it.</returns>
    public long Count(Guid sessionId)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM messages WHERE session_id = $session_id;";
        command.Parameters.AddWithValue("$session_id", sessionId.ToByteArray(bigEndian: true));
        return (long)command.ExecuteScalar()!;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _insert.Dispose();
        _connection.Dispose();
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
