using Npgsql;
using SessionKit.Storage;

namespace SessionKit.PostgreSql;

/// <summary>
/// Erasure and retention: every row of a user or session, derived data included (summaries, revisions, change log, search
/// statistics through their triggers), in one transaction. PostgreSQL keeps dead row versions until vacuum and WAL segments
/// until they are recycled, so plaintext bytes can outlive a delete on disk; with encryption at rest the user's data key is
/// deleted in the same transaction, which leaves whatever bytes remain unreadable (crypto-shredding).
/// </summary>
public sealed partial class PostgreSqlSessionStore
{
    // Everything stored about a user, one statement per kind of data, children before parents so each count is exact.
    // A feature that adds a per-user or per-session table adds its line here (and to EraseSessionStatements).
    private static readonly EraseStatement[] EraseUserStatements =
    [
        new(EraseKind.Grants, "DELETE FROM §session_grants WHERE owner_user_id = @key OR grantee = 'user:' || @key;"),
        new(EraseKind.Summaries, "DELETE FROM §summaries WHERE session_id IN (SELECT id FROM §sessions WHERE user_id = @key);"),
        new(EraseKind.Messages, "DELETE FROM §messages WHERE session_id IN (SELECT id FROM §sessions WHERE user_id = @key);"),
        new(EraseKind.Sessions, "DELETE FROM §sessions WHERE user_id = @key;"),
        new(EraseKind.Tokens, "DELETE FROM §session_tokens WHERE user_id = @key;"),
        new(EraseKind.State, "DELETE FROM §state_entries WHERE scope = 1 AND scope_id = @key;"),
        new(EraseKind.Devices, "DELETE FROM §devices WHERE user_id = @key;"),
        new(EraseKind.DataKey, "DELETE FROM §user_keys WHERE user_id = @key;"),
    ];

    // Everything stored under one session. Tokens naming the session stay with their user (and no longer resolve to it).
    private static readonly EraseStatement[] EraseSessionStatements =
    [
        new(EraseKind.Grants, "DELETE FROM §session_grants WHERE session_id = @key;"),
        new(EraseKind.Summaries, "DELETE FROM §summaries WHERE session_id = @key;"),
        new(EraseKind.Messages, "DELETE FROM §messages WHERE session_id = @key;"),
        new(EraseKind.Sessions, "DELETE FROM §sessions WHERE id = @key;"),
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
    protected override Task<EraseResult> EraseUserCoreAsync(string userId, CancellationToken cancellationToken) =>
        WriteAsync(
            async tx =>
            {
                // The user's sessions are locked first, so an append racing the erase either commits before it (and is erased)
                // or finds no session.
                await tx.ExecAsync(tx.Cmd("SELECT id FROM §sessions WHERE user_id = @key ORDER BY id FOR UPDATE;").Text("key", userId)).ConfigureAwait(false);
                return await EraseAsync(tx, EraseUserStatements, userId, EraseResult.None).ConfigureAwait(false);
            },
            cancellationToken);

    /// <inheritdoc />
    protected override Task<EraseResult> EraseSessionsCoreAsync(IReadOnlyList<Guid> sessionIds, CancellationToken cancellationToken) =>
        WriteAsync(
            async tx =>
            {
                var total = EraseResult.None;
                foreach (var sessionId in sessionIds.Order())
                {
                    total = await EraseAsync(tx, EraseSessionStatements, sessionId, total).ConfigureAwait(false);
                }

                return total;
            },
            cancellationToken);

    /// <inheritdoc />
    protected override Task<IReadOnlyList<SessionTokenRecord>> ListUserTokensCoreAsync(string userId, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<SessionTokenRecord>>(
            async tx => await tx.ListAsync(
                tx.Cmd("SELECT " + TokenColumns + " FROM §session_tokens WHERE user_id = @user_id ORDER BY created_at, token_id;").Text("user_id", userId),
                ReadToken).ConfigureAwait(false),
            cancellationToken);

    /// <inheritdoc />
    /// <remarks>A corrupted session row is passed over (and logged by id) so one damaged row does not stop every sweep.</remarks>
    protected override async Task<IReadOnlyList<Session>> ScanSessionsCoreAsync(Guid? afterSessionId, int limit, CancellationToken cancellationToken)
    {
        var rows = await ReadAsync(
            tx => tx.ListAsync(
                afterSessionId is null
                    ? tx.Cmd("SELECT " + PostgresRows.SessionColumns + " FROM §sessions ORDER BY id LIMIT @limit;").Int("limit", limit)
                    : tx.Cmd("SELECT " + PostgresRows.SessionColumns + " FROM §sessions WHERE id > @after ORDER BY id LIMIT @limit;").Uuid("after", afterSessionId).Int("limit", limit),
                static reader =>
                {
                    var id = reader.GetGuid(0);
                    return (Id: id, Session: ReadSessionOrNull(reader));
                }),
            cancellationToken).ConfigureAwait(false);
        foreach (var row in rows.Where(r => r.Session is null))
        {
            LogCorruptSessionSkipped(_logger, Database, row.Id);
        }

        return rows.Where(r => r.Session is not null).Select(r => r.Session!).ToList();
    }

    /// <inheritdoc />
    protected override Task<MessageRetentionResult> DeleteMessagesBeforeCoreAsync(
        Guid sessionId,
        DateTimeOffset createdBefore,
        MessageRetentionMode mode,
        int maxMessages,
        CancellationToken cancellationToken) =>
        WriteAsync(
            async tx =>
            {
                var current = await FindSessionAsync(tx, sessionId, forUpdate: true).ConfigureAwait(false) ?? throw new SessionNotFoundException(sessionId);
                var sequences = await tx.ListAsync(
                    tx.Cmd(mode == MessageRetentionMode.KeepSummariesOnly
                        ? "DELETE FROM §messages WHERE session_id = @session_id AND sequence IN (SELECT m.sequence FROM §messages m WHERE m.session_id = @session_id AND m.created_at < @before " +
                          "AND EXISTS (SELECT 1 FROM §summaries s WHERE s.session_id = m.session_id AND m.sequence BETWEEN s.from_sequence AND s.to_sequence) " +
                          "ORDER BY m.sequence LIMIT @max) RETURNING sequence;"
                        : "DELETE FROM §messages WHERE session_id = @session_id AND sequence IN (SELECT sequence FROM §messages WHERE session_id = @session_id AND created_at < @before ORDER BY sequence LIMIT @max) RETURNING sequence;")
                        .Uuid("session_id", sessionId)
                        .Long("before", PostgresRows.Ticks(createdBefore))
                        .Int("max", maxMessages),
                    static reader => reader.GetInt64(0)).ConfigureAwait(false);
                if (sequences.Count == 0)
                {
                    return MessageRetentionResult.None;
                }

                long summaries = 0;
                if (mode == MessageRetentionMode.DeleteMessages)
                {
                    summaries = await tx.ExecAsync(tx.Cmd("DELETE FROM §summaries WHERE session_id = @session_id AND to_sequence <= @last;")
                        .Uuid("session_id", sessionId)
                        .Long("last", sequences.Max())).ConfigureAwait(false);
                }

                await tx.ExecAsync(tx.Cmd("UPDATE §sessions SET message_count = @message_count, version = @version WHERE id = @id;")
                    .Uuid("id", sessionId)
                    .Long("message_count", current.MessageCount - sequences.Count)
                    .Long("version", current.Version + 1)).ConfigureAwait(false);
                return new MessageRetentionResult(sequences.Count, summaries);
            },
            cancellationToken);

    /// <inheritdoc />
    protected override Task<UserKeyRecord?> FindUserKeyCoreAsync(string userId, CancellationToken cancellationToken) =>
        ReadAsync(
            tx => tx.FirstAsync(tx.Cmd("SELECT " + UserKeyColumns + " FROM §user_keys WHERE user_id = @user_id;").Text("user_id", userId), ReadUserKey),
            cancellationToken);

    /// <inheritdoc />
    protected override Task<UserKeyRecord> AddUserKeyCoreAsync(UserKeyRecord record, CancellationToken cancellationToken) =>
        WriteAsync(
            async tx =>
            {
                await tx.ExecAsync(AddUserKeyParameters(
                    tx.Cmd("INSERT INTO §user_keys (" + UserKeyColumns + ") VALUES (@user_id, @key_id, @master_key_id, @wrapped_key, @created_at) ON CONFLICT (user_id) DO NOTHING;"),
                    record)).ConfigureAwait(false);
                return (await tx.FirstAsync(tx.Cmd("SELECT " + UserKeyColumns + " FROM §user_keys WHERE user_id = @user_id;").Text("user_id", record.UserId), ReadUserKey).ConfigureAwait(false))!;
            },
            cancellationToken);

    /// <inheritdoc />
    protected override Task<IReadOnlyList<UserKeyRecord>> ListUserKeysCoreAsync(string? afterUserId, int limit, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<UserKeyRecord>>(
            async tx => await tx.ListAsync(
                (afterUserId is null
                    ? tx.Cmd("SELECT " + UserKeyColumns + " FROM §user_keys ORDER BY user_id LIMIT @limit;")
                    : tx.Cmd("SELECT " + UserKeyColumns + " FROM §user_keys WHERE user_id > @after ORDER BY user_id LIMIT @limit;").Text("after", afterUserId))
                    .Int("limit", limit),
                ReadUserKey).ConfigureAwait(false),
            cancellationToken);

    /// <inheritdoc />
    protected override Task<bool> ReplaceUserKeyCoreAsync(UserKeyRecord record, string expectedMasterKeyId, CancellationToken cancellationToken) =>
        WriteAsync(
            async tx => await tx.ExecAsync(tx.Cmd("UPDATE §user_keys SET master_key_id = @master_key_id, wrapped_key = @wrapped_key WHERE user_id = @user_id AND key_id = @key_id AND master_key_id = @expected;")
                .Text("user_id", record.UserId)
                .Text("key_id", record.KeyId)
                .Text("master_key_id", record.MasterKeyId)
                .Bytes("wrapped_key", record.WrappedKey.ToArray())
                .Text("expected", expectedMasterKeyId)).ConfigureAwait(false) > 0,
            cancellationToken);

    private const string UserKeyColumns = "user_id, key_id, master_key_id, wrapped_key, created_at";

    private static UserKeyRecord ReadUserKey(NpgsqlDataReader reader) => new()
    {
        UserId = PostgresRows.ReadText(reader, 0),
        KeyId = PostgresRows.ReadText(reader, 1),
        MasterKeyId = PostgresRows.ReadText(reader, 2),
        WrappedKey = reader.GetFieldValue<byte[]>(3),
        CreatedAt = PostgresRows.ReadTime(reader, 4),
    };

    private static NpgsqlCommand AddUserKeyParameters(NpgsqlCommand command, UserKeyRecord record) =>
        command.Text("user_id", record.UserId)
            .Text("key_id", record.KeyId)
            .Text("master_key_id", record.MasterKeyId)
            .Bytes("wrapped_key", record.WrappedKey.ToArray())
            .Long("created_at", PostgresRows.Ticks(record.CreatedAt));

    private static async Task<EraseResult> EraseAsync(Tx tx, EraseStatement[] statements, object key, EraseResult total)
    {
        foreach (var statement in statements)
        {
            var command = tx.Cmd(statement.Sql);
            if (key is Guid id)
            {
                command.Uuid("key", id);
            }
            else
            {
                command.Text("key", (string)key);
            }

            long count = await tx.ExecAsync(command).ConfigureAwait(false);
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

    private sealed record EraseStatement(EraseKind Kind, string Sql);
}
