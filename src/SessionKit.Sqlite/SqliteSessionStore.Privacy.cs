using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using SessionKit.Storage;

namespace SessionKit.Sqlite;

/// <summary>
/// Erasure and retention. Every connection runs with <c>PRAGMA secure_delete = ON</c> (deleted content is overwritten with
/// zeros) and the FTS index with its 'secure-delete' option; after an erase a <c>wal_checkpoint(TRUNCATE)</c> copies the
/// zeroed pages into the database file and empties the WAL, so the erased bytes are in neither file.
/// </summary>
public sealed partial class SqliteSessionStore
{
    // Everything stored about a user, one statement per kind of data, children before parents so each count is exact.
    // A feature that adds a per-user or per-session table adds its line here (and to EraseSessionStatements).
    private static readonly EraseStatement[] EraseUserStatements =
    [
        new(EraseKind.Grants, "DELETE FROM session_grants WHERE owner_user_id = $key OR grantee = 'user:' || $key;"),
        new(EraseKind.Summaries, "DELETE FROM summaries WHERE session_id IN (SELECT id FROM sessions WHERE user_id = $key);"),
        new(EraseKind.Messages, "DELETE FROM messages WHERE session_id IN (SELECT id FROM sessions WHERE user_id = $key);"),
        new(EraseKind.Sessions, "DELETE FROM sessions WHERE user_id = $key;"),
        new(EraseKind.Tokens, "DELETE FROM session_tokens WHERE user_id = $key;"),
        new(EraseKind.State, "DELETE FROM state_entries WHERE scope = 1 AND scope_id = $key;"),
        new(EraseKind.Devices, "DELETE FROM devices WHERE user_id = $key;"),
        new(EraseKind.DataKey, "DELETE FROM user_keys WHERE user_id = $key;"),
    ];

    // Everything stored under one session. Tokens naming the session stay with their user (and no longer resolve to it).
    private static readonly EraseStatement[] EraseSessionStatements =
    [
        new(EraseKind.Grants, "DELETE FROM session_grants WHERE session_id = $key;"),
        new(EraseKind.Summaries, "DELETE FROM summaries WHERE session_id = $key;"),
        new(EraseKind.Messages, "DELETE FROM messages WHERE session_id = $key;"),
        new(EraseKind.Sessions, "DELETE FROM sessions WHERE id = $key;"),
    ];

    private enum EraseKind
    {
        Sessions,
        Messages,
        Summaries,
        Tokens,
        Devices,
        DataKey,
        Grants,
        State,
    }

    /// <inheritdoc />
    protected override async Task<EraseResult> EraseUserCoreAsync(string userId, CancellationToken cancellationToken)
    {
        var result = await WriteAsync(
        userId,
        static (connection, transaction, userId) => Erase(connection, transaction, EraseUserStatements, userId, EraseResult.None),
        cancellationToken).ConfigureAwait(false);
        if (result.Any)
        {
            await CheckpointAsync().ConfigureAwait(false);
        }

        return result;
    }

    /// <inheritdoc />
    protected override async Task<EraseResult> EraseSessionsCoreAsync(IReadOnlyList<Guid> sessionIds, CancellationToken cancellationToken)
    {
        var result = await WriteAsync(
        sessionIds,
        static (connection, transaction, sessionIds) =>
        {
            var total = EraseResult.None;
            foreach (var sessionId in sessionIds)
            {
                total = Erase(connection, transaction, EraseSessionStatements, SqliteRows.Id(sessionId), total);
            }

            return total;
        },
        cancellationToken).ConfigureAwait(false);
        if (result.Any)
        {
            await CheckpointAsync().ConfigureAwait(false);
        }

        return result;
    }

    /// <inheritdoc />
    protected override Task<IReadOnlyList<SessionTokenRecord>> ListUserTokensCoreAsync(string userId, CancellationToken cancellationToken) =>
        ReadAsync(
            userId,
            static (connection, transaction, userId) =>
            {
                var command = connection.Command("SELECT " + TokenColumns + " FROM session_tokens WHERE user_id = $user_id ORDER BY created_at, token_id;", transaction);
                command.Parameters.AddWithValue("$user_id", userId);
                return (IReadOnlyList<SessionTokenRecord>)ReadAll(command, ReadToken);
            },
            cancellationToken);

    /// <inheritdoc />
    /// <remarks>A corrupted session row is passed over (and logged by id) so one damaged row does not stop every sweep.</remarks>
    protected override async Task<IReadOnlyList<Session>> ScanSessionsCoreAsync(Guid? afterSessionId, int limit, CancellationToken cancellationToken)
    {
        var (sessions, skipped) = await ReadAsync(
            (afterSessionId, limit),
            static (connection, transaction, state) =>
            {
                var items = new List<Session>(Math.Min(state.limit, 64));
                var skipped = new List<Guid>();
                object after = state.afterSessionId is { } id ? SqliteRows.Id(id) : DBNull.Value;
                while (items.Count < state.limit)
                {
                    int wanted = state.limit - items.Count;

                    // Two texts, so the one with a lower bound is a range on the primary key.
                    var command = connection.Command(
                        after is DBNull
                            ? "SELECT " + SqliteRows.SessionColumns + " FROM sessions ORDER BY id LIMIT $limit;"
                            : "SELECT " + SqliteRows.SessionColumns + " FROM sessions WHERE id > $after ORDER BY id LIMIT $limit;",
                        transaction);
                    if (after is not DBNull)
                    {
                        command.Parameters.AddWithValue("$after", after);
                    }

                    command.Parameters.AddWithValue("$limit", wanted);
                    int rows = 0;
                    using (var reader = command.ExecuteReader())
                    {
                        while (reader.Read())
                        {
                            rows++;
                            after = reader.GetFieldValue<byte[]>(0);
                            try
                            {
                                items.Add(SqliteRows.ReadSession(reader));
                            }
                            catch (SessionDataCorruptedException ex)
                            {
                                skipped.Add(ex.SessionId);
                            }
                        }
                    }

                    if (rows < wanted)
                    {
                        break;
                    }
                }

                return ((IReadOnlyList<Session>)items, skipped);
            },
            cancellationToken).ConfigureAwait(false);
        foreach (var sessionId in skipped)
        {
            LogCorruptSessionSkipped(_logger, DataSource, sessionId);
        }

        return sessions;
    }

    /// <inheritdoc />
    protected override async Task<MessageRetentionResult> DeleteMessagesBeforeCoreAsync(
        Guid sessionId,
        DateTimeOffset createdBefore,
        MessageRetentionMode mode,
        int maxMessages,
        CancellationToken cancellationToken)
    {
        var result = await WriteAsync(
            (sessionId, createdBefore, mode, maxMessages),
            static (connection, transaction, state) =>
            {
                var (sessionId, createdBefore, mode, maxMessages) = state;
                var current = FindSession(connection, transaction, sessionId) ?? throw new SessionNotFoundException(sessionId);
                var delete = connection.Command(
                    mode == MessageRetentionMode.KeepSummariesOnly
                        ? "DELETE FROM messages WHERE row_id IN (SELECT m.row_id FROM messages m WHERE m.session_id = $session_id AND m.created_at < $before " +
                          "AND EXISTS (SELECT 1 FROM summaries s WHERE s.session_id = m.session_id AND m.sequence BETWEEN s.from_sequence AND s.to_sequence) " +
                          "ORDER BY m.sequence LIMIT $max) RETURNING sequence;"
                        : "DELETE FROM messages WHERE row_id IN (SELECT row_id FROM messages WHERE session_id = $session_id AND created_at < $before ORDER BY sequence LIMIT $max) RETURNING sequence;",
                    transaction);
                delete.Parameters.AddWithValue("$session_id", SqliteRows.Id(sessionId));
                delete.Parameters.AddWithValue("$before", SqliteRows.Ticks(createdBefore));
                delete.Parameters.AddWithValue("$max", maxMessages);
                long deleted = 0;
                long lastDeleted = 0;
                using (var reader = delete.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        deleted++;
                        lastDeleted = Math.Max(lastDeleted, reader.GetInt64(0));
                    }
                }

                if (deleted == 0)
                {
                    return MessageRetentionResult.None;
                }

                long summaries = 0;
                if (mode == MessageRetentionMode.DeleteMessages)
                {
                    var drop = connection.Command("DELETE FROM summaries WHERE session_id = $session_id AND to_sequence <= $last;", transaction);
                    drop.Parameters.AddWithValue("$session_id", SqliteRows.Id(sessionId));
                    drop.Parameters.AddWithValue("$last", lastDeleted);
                    summaries = drop.ExecuteNonQuery();
                }

                var update = connection.Command("UPDATE sessions SET message_count = $message_count, version = $version WHERE id = $id;", transaction);
                update.Parameters.AddWithValue("$id", SqliteRows.Id(sessionId));
                update.Parameters.AddWithValue("$message_count", current.MessageCount - deleted);
                update.Parameters.AddWithValue("$version", current.Version + 1);
                update.ExecuteNonQuery();
                return new MessageRetentionResult(deleted, summaries);
            },
            cancellationToken).ConfigureAwait(false);

        // Deleted text leaves the WAL as after an erase, not at some later checkpoint.
        if (result.Messages > 0)
        {
            await CheckpointAsync().ConfigureAwait(false);
        }

        return result;
    }

    /// <inheritdoc />
    protected override Task<UserKeyRecord?> FindUserKeyCoreAsync(string userId, CancellationToken cancellationToken) =>
        ReadAsync(
            userId,
            static (connection, transaction, userId) =>
            {
                var command = connection.Command("SELECT " + UserKeyColumns + " FROM user_keys WHERE user_id = $user_id;", transaction);
                command.Parameters.AddWithValue("$user_id", userId);
                using var reader = command.ExecuteReader();
                return reader.Read() ? ReadUserKey(reader) : null;
            },
            cancellationToken);

    /// <inheritdoc />
    protected override Task<UserKeyRecord> AddUserKeyCoreAsync(UserKeyRecord record, CancellationToken cancellationToken) =>
        WriteAsync(
            record,
            static (connection, transaction, record) =>
            {
                var insert = connection.Command(
                    "INSERT INTO user_keys (" + UserKeyColumns + ") VALUES ($user_id, $key_id, $master_key_id, $wrapped_key, $created_at) ON CONFLICT (user_id) DO NOTHING;",
                    transaction);
                AddUserKeyParameters(insert, record);
                insert.ExecuteNonQuery();
                var select = connection.Command("SELECT " + UserKeyColumns + " FROM user_keys WHERE user_id = $user_id;", transaction);
                select.Parameters.AddWithValue("$user_id", record.UserId);
                using var reader = select.ExecuteReader();
                reader.Read();
                return ReadUserKey(reader);
            },
            cancellationToken);

    /// <inheritdoc />
    protected override Task<IReadOnlyList<UserKeyRecord>> ListUserKeysCoreAsync(string? afterUserId, int limit, CancellationToken cancellationToken) =>
        ReadAsync(
            (afterUserId, limit),
            static (connection, transaction, state) =>
            {
                // user_id is TEXT with the default BINARY collation: ordinal order, as the in-memory store uses.
                var command = connection.Command(
                    "SELECT " + UserKeyColumns + " FROM user_keys WHERE $after IS NULL OR user_id > $after ORDER BY user_id LIMIT $limit;",
                    transaction);
                command.Parameters.AddWithValue("$after", (object?)state.afterUserId ?? DBNull.Value);
                command.Parameters.AddWithValue("$limit", state.limit);
                return (IReadOnlyList<UserKeyRecord>)ReadAll(command, ReadUserKey);
            },
            cancellationToken);

    /// <inheritdoc />
    protected override Task<bool> ReplaceUserKeyCoreAsync(UserKeyRecord record, string expectedMasterKeyId, CancellationToken cancellationToken) =>
        WriteAsync(
            (record, expectedMasterKeyId),
            static (connection, transaction, state) =>
            {
                var command = connection.Command(
                    "UPDATE user_keys SET master_key_id = $master_key_id, wrapped_key = $wrapped_key WHERE user_id = $user_id AND key_id = $key_id AND master_key_id = $expected;",
                    transaction);
                AddUserKeyParameters(command, state.record);
                command.Parameters.AddWithValue("$expected", state.expectedMasterKeyId);
                return command.ExecuteNonQuery() > 0;
            },
            cancellationToken);

    private const string UserKeyColumns = "user_id, key_id, master_key_id, wrapped_key, created_at";

    private static List<T> ReadAll<T>(SqliteCommand command, Func<SqliteDataReader, T> read)
    {
        var rows = new List<T>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private static UserKeyRecord ReadUserKey(SqliteDataReader reader) => new()
    {
        UserId = reader.GetString(0),
        KeyId = reader.GetString(1),
        MasterKeyId = reader.GetString(2),
        WrappedKey = reader.GetFieldValue<byte[]>(3),
        CreatedAt = new DateTimeOffset(reader.GetInt64(4), TimeSpan.Zero),
    };

    private static void AddUserKeyParameters(SqliteCommand command, UserKeyRecord record)
    {
        command.Parameters.AddWithValue("$user_id", record.UserId);
        command.Parameters.AddWithValue("$key_id", record.KeyId);
        command.Parameters.AddWithValue("$master_key_id", record.MasterKeyId);
        command.Parameters.AddWithValue("$wrapped_key", record.WrappedKey.ToArray());
        command.Parameters.AddWithValue("$created_at", SqliteRows.Ticks(record.CreatedAt));
    }

    private static EraseResult Erase(StoreConnection connection, SqliteTransaction transaction, EraseStatement[] statements, object key, EraseResult total)
    {
        foreach (var statement in statements)
        {
            var command = connection.Command(statement.Sql, transaction);
            command.Parameters.AddWithValue("$key", key);
            long count = command.ExecuteNonQuery();
            total = statement.Kind switch
            {
                EraseKind.Sessions => total with { Sessions = total.Sessions + count },
                EraseKind.Messages => total with { Messages = total.Messages + count },
                EraseKind.Summaries => total with { Summaries = total.Summaries + count },
                EraseKind.Tokens => total with { Tokens = total.Tokens + count },
                EraseKind.Devices => total with { Devices = total.Devices + count },
                EraseKind.Grants => total with { Grants = total.Grants + count },
                _ => total,
            };
        }

        return total;
    }

    /// <summary>
    /// Copies every committed page (the zeroed ones included) into the database file and truncates the WAL to nothing, so
    /// no older page image with erased content survives in it. Runs after every operation that deletes text: erase, session
    /// and message deletes, rewinds and retention. Readers hold snapshots only for one short read, so a busy
    /// checkpoint is retried briefly; the erase itself is already committed either way.
    /// </summary>
    private async Task CheckpointAsync()
    {
        // What was deleted must not linger in this process either: rows decoded for context builds are dropped too.
        ForgetDecodedRows();
        for (int attempt = 0; attempt < 50; attempt++)
        {
            await _writeLock.WaitAsync().ConfigureAwait(false);
            try
            {
                if (IsDisposed || _writer is null)
                {
                    return;
                }

                var command = _writer.Command("PRAGMA wal_checkpoint(TRUNCATE);");
                using var reader = command.ExecuteReader();
                if (reader.Read() && reader.GetInt64(0) == 0)
                {
                    return;
                }
            }
            finally
            {
                _writeLock.Release();
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10)).ConfigureAwait(false);
        }

        LogCheckpointBusy(_logger, DataSource);
    }

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "The WAL checkpoint after an erase in {DataSource} stayed busy; erased pages leave the WAL at the next checkpoint.")]
    private static partial void LogCheckpointBusy(ILogger logger, string dataSource);

    private sealed record EraseStatement(EraseKind Kind, string Sql);
}
