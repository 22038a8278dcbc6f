using Microsoft.Data.Sqlite;
using SessionKit.Sqlite;

namespace SessionKit.Benchmarks;

/// <summary>
/// The second floor of <see cref="AppendBenchmarks"/>: an append written by hand with the writes the SQLite store's guarantees
/// need, in the store's own schema — <see cref="RawSqliteMessageLog"/> plus advancing the session row in the database (the
/// sequence and version another process appending to the same file must see) and the change-log row (what
/// <see cref="ISessionStateStore.WatchChangesAsync"/> in another process reads), into the same tables and indexes, on a
/// connection with the store's settings, with prepared statements and no validation. Against it the ratio is what the store
/// costs in C# (validation, ids, telemetry, the write lock, mapping) over the SQL it has to run.
/// </summary>
public sealed class RawSqliteSameWritesLog : IDisposable
{
    // A user key of the store's shape (a hex hash of the user id), one FTS token.
    private const string UserKey = "u0123456789abcdef0123456789abcdef";

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _advance;
    private readonly SqliteParameter _advanceCount;
    private readonly SqliteParameter _advanceNow;
    private readonly SqliteCommand _insert;
    private readonly SqliteParameter _id;
    private readonly SqliteParameter _sequence;
    private readonly SqliteParameter _content;
    private readonly SqliteParameter _createdAt;
    private readonly SqliteParameter _tokenCount;
    private readonly SqliteCommand _change;
    private readonly SqliteParameter _changeVersion;
    private readonly SqliteParameter _changeFrom;
    private readonly SqliteParameter _changeTo;
    private readonly SqliteParameter _changeAt;

    private readonly bool _advanceSession;
    private readonly bool _logChange;
    private long _localSequence;
    private long _localVersion = 1;

    private RawSqliteSameWritesLog(string path, Guid sessionId, bool advanceSession, bool logChange)
    {
        SessionId = sessionId;
        _advanceSession = advanceSession;
        _logChange = logChange;
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ConnectionString);
        _connection.Open();
        using (var settings = _connection.CreateCommand())
        {
            // The store's per-connection settings (SqliteSynchronousMode.Normal, as the benchmark's store has).
            settings.CommandText = "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA secure_delete = ON;";
            settings.ExecuteNonQuery();
        }

        byte[] id = sessionId.ToByteArray(bigEndian: true);
        _advance = _connection.CreateCommand();
        _advance.CommandText =
            "UPDATE sessions SET last_sequence = last_sequence + $count, message_count = message_count + $count, last_activity_at = max(last_activity_at, $now), " +
            "version = version + 1 WHERE id = $id RETURNING last_sequence, version;";
        _advance.Parameters.AddWithValue("$id", id);
        _advanceCount = _advance.Parameters.Add("$count", SqliteType.Integer);
        _advanceNow = _advance.Parameters.Add("$now", SqliteType.Integer);

        _insert = _connection.CreateCommand();
        _insert.CommandText = """
            INSERT INTO messages (id, session_id, sequence, role, content, author_id, tool_call_id, tool_name, created_at, metadata, token_count, token_encoding, revision, user_key)
            VALUES ($id, $session_id, $sequence, 1, $content, NULL, NULL, NULL, $created_at, NULL, $token_count, $token_encoding, 1, $user_key);
            """;
        _id = _insert.Parameters.Add("$id", SqliteType.Blob);
        _insert.Parameters.AddWithValue("$session_id", id);
        _sequence = _insert.Parameters.Add("$sequence", SqliteType.Integer);
        _content = _insert.Parameters.Add("$content", SqliteType.Text);
        _createdAt = _insert.Parameters.Add("$created_at", SqliteType.Integer);
        _tokenCount = _insert.Parameters.Add("$token_count", SqliteType.Integer);
        _insert.Parameters.AddWithValue("$token_encoding", SharpTokenCounter.Default.EncodingName);
        _insert.Parameters.AddWithValue("$user_key", UserKey);

        _change = _connection.CreateCommand();
        _change.CommandText =
            "INSERT INTO session_changes (session_id, version, kind, from_sequence, to_sequence, state_key, author_id, changed_at) VALUES ($id, $version, 0, $from, $to, NULL, NULL, $at);";
        _change.Parameters.AddWithValue("$id", id);
        _changeVersion = _change.Parameters.Add("$version", SqliteType.Integer);
        _changeFrom = _change.Parameters.Add("$from", SqliteType.Integer);
        _changeTo = _change.Parameters.Add("$to", SqliteType.Integer);
        _changeAt = _change.Parameters.Add("$at", SqliteType.Integer);
    }

    /// <summary>The session every <see cref="Insert"/> appends to.</summary>
    public Guid SessionId { get; }

    /// <summary>Creates the store's schema in <paramref name="path"/> (by opening a <see cref="SqliteSessionStore"/> there) with one session, then opens the raw connection.</summary>
    /// <param name="path">A new database file.</param>
    /// <param name="userId">The owner of the session.</param>
    /// <param name="advanceSession">Whether to advance the session row (otherwise sequences come from a local counter); an ablation only.</param>
    /// <param name="logChange">Whether to write the change-log row; an ablation only.</param>
    /// <returns>The log.</returns>
    public static async Task<RawSqliteSameWritesLog> CreateAsync(string path, string userId, bool advanceSession = true, bool logChange = true)
    {
        Guid sessionId;
        await using (var store = new SqliteSessionStore(new SqliteSessionStoreOptions { ConnectionString = path, Synchronous = SqliteSynchronousMode.Normal }))
        {
            sessionId = (await store.CreateSessionAsync(userId)).Id;
        }

        return new RawSqliteSameWritesLog(path, sessionId, advanceSession, logChange);
    }

    /// <summary>Counts each content's tokens, then in one IMMEDIATE transaction advances the session, inserts the messages and the change-log row.</summary>
    /// <param name="contents">The user messages.</param>
    /// <returns>The session's last sequence afterwards.</returns>
    public long Insert(IReadOnlyList<string> contents)
    {
        var now = TimeProvider.System.GetUtcNow();
        var counter = SharpTokenCounter.Default;
        Span<int> counts = contents.Count <= 256 ? stackalloc int[contents.Count] : new int[contents.Count];
        for (int i = 0; i < contents.Count; i++)
        {
            counts[i] = counter.CountMessageTokens(MessageRole.User, contents[i]);
        }

        using var transaction = _connection.BeginTransaction(deferred: false);
        _advance.Transaction = transaction;
        _insert.Transaction = transaction;
        _change.Transaction = transaction;
        _advanceCount.Value = contents.Count;
        _advanceNow.Value = now.UtcTicks;
        long last;
        long version;
        if (_advanceSession)
        {
            using var reader = _advance.ExecuteReader();
            reader.Read();
            last = reader.GetInt64(0);
            version = reader.GetInt64(1);
        }
        else
        {
            last = _localSequence += contents.Count;
            version = ++_localVersion;
        }

        long sequence = last - contents.Count;
        _createdAt.Value = now.UtcTicks;
        for (int i = 0; i < contents.Count; i++)
        {
            _id.Value = Guid.CreateVersion7(now).ToByteArray(bigEndian: true);
            _sequence.Value = ++sequence;
            _content.Value = contents[i];
            _tokenCount.Value = counts[i];
            _insert.ExecuteNonQuery();
        }

        _changeVersion.Value = version;
        _changeFrom.Value = last - contents.Count + 1;
        _changeTo.Value = last;
        _changeAt.Value = now.UtcTicks;
        if (_logChange)
        {
            _change.ExecuteNonQuery();
        }

        transaction.Commit();
        return last;
    }

    /// <summary>Runs <paramref name="sql"/> on the log's connection (a schema or setting change for an ablation).</summary>
    /// <param name="sql">The statements.</param>
    public void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>How many messages the session holds.</summary>
    /// <returns>The count.</returns>
    public long Count()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM messages WHERE session_id = $session_id;";
        command.Parameters.AddWithValue("$session_id", SessionId.ToByteArray(bigEndian: true));
        return (long)command.ExecuteScalar()!;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _advance.Dispose();
        _insert.Dispose();
        _change.Dispose();
        _connection.Dispose();
    }
}
