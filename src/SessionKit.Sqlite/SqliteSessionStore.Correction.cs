using Microsoft.Data.Sqlite;
using SessionKit.Storage;

namespace SessionKit.Sqlite;

// Correction and rollback, idempotency keys: each one IMMEDIATE transaction on the writer. The FTS5 index follows message
// updates and deletions through its triggers in the same transaction.
public sealed partial class SqliteSessionStore
{
    /// <inheritdoc />
    protected override Task<CorrectionResult> EditMessageCoreAsync(Guid sessionId, long sequence, string content, CorrectionOptions options, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(
            (Store: this, sessionId, sequence, content, options, now),
            static (connection, transaction, state) =>
            {
                var (store, sessionId, sequence, content, options, now) = state;
                var current = FindSession(connection, transaction, sessionId) ?? throw new SessionNotFoundException(sessionId);
                var message = FindMessage(connection, transaction, sessionId, sequence);
                var result = store.PlanEdit(current, message, content, options, now, out var replaced);

                var revision = connection.Command(
                    "INSERT INTO message_revisions (session_id, sequence, revision, content, token_count, replaced_at, replaced_by) VALUES ($session_id, $sequence, $revision, $content, $token_count, $replaced_at, $replaced_by);",
                    transaction);
                revision.Parameters.AddWithValue("$session_id", SqliteRows.Id(sessionId));
                revision.Parameters.AddWithValue("$sequence", sequence);
                revision.Parameters.AddWithValue("$revision", replaced.Revision);
                revision.Parameters.AddWithValue("$content", replaced.Content);
                revision.Parameters.AddWithValue("$token_count", replaced.TokenCount);
                revision.Parameters.AddWithValue("$replaced_at", SqliteRows.Ticks(replaced.ReplacedAt));
                revision.Parameters.AddWithValue("$replaced_by", (object?)replaced.ReplacedBy ?? DBNull.Value);
                revision.ExecuteNonQuery();

                var edited = result.Message;
                var update = connection.Command(
                    "UPDATE messages SET content = $content, token_count = $token_count, token_encoding = $token_encoding, revision = $revision WHERE session_id = $session_id AND sequence = $sequence;",
                    transaction);
                update.Parameters.AddWithValue("$session_id", SqliteRows.Id(sessionId));
                update.Parameters.AddWithValue("$sequence", sequence);
                update.Parameters.AddWithValue("$content", edited.Content);
                update.Parameters.AddWithValue("$token_count", edited.TokenCount);
                update.Parameters.AddWithValue("$token_encoding", (object?)edited.TokenEncoding ?? DBNull.Value);
                update.Parameters.AddWithValue("$revision", edited.Revision);
                update.ExecuteNonQuery();

                DeleteAfter(connection, transaction, "summaries", "to_sequence", sessionId, sequence - 1);
                StoreCounters(connection, transaction, result.Session);
                LogChange(connection, transaction, ChangeOf(result.Session, SessionChangeKind.MessageEdited, now, sequence, sequence, authorId: options.AuthorId));
                return result;
            },
            cancellationToken);

    /// <inheritdoc />
    protected override async Task<Session> DeleteMessageCoreAsync(Guid sessionId, long sequence, CorrectionOptions options, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var result = await WriteAsync(
            (sessionId, sequence, options, now),
            static (connection, transaction, state) =>
            {
                var (sessionId, sequence, options, now) = state;
                var current = FindSession(connection, transaction, sessionId) ?? throw new SessionNotFoundException(sessionId);
                FindMessage(connection, transaction, sessionId, sequence);
                var updated = PlanDelete(current, options.ExpectedVersion);
                foreach (var table in (string[])["messages", "message_revisions"])
                {
                    var delete = connection.Command($"DELETE FROM {table} WHERE session_id = $session_id AND sequence = $sequence;", transaction);
                    delete.Parameters.AddWithValue("$session_id", SqliteRows.Id(sessionId));
                    delete.Parameters.AddWithValue("$sequence", sequence);
                    delete.ExecuteNonQuery();
                }

                DeleteAfter(connection, transaction, "summaries", "to_sequence", sessionId, sequence - 1);
                StoreCounters(connection, transaction, updated);
                LogChange(connection, transaction, ChangeOf(updated, SessionChangeKind.MessageDeleted, now, sequence, sequence, authorId: options.AuthorId));
                return updated;
            },
            cancellationToken).ConfigureAwait(false);

        // Deleted text leaves the WAL as after an erase, not at some later checkpoint.
        await CheckpointAsync().ConfigureAwait(false);
        return result;
    }

    /// <inheritdoc />
    protected override async Task<Session> RewindCoreAsync(Guid sessionId, long toSequence, CorrectionOptions options, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var result = await WriteAsync(
            (sessionId, toSequence, options, now),
            static (connection, transaction, state) =>
            {
                var (sessionId, toSequence, options, now) = state;
                var current = FindSession(connection, transaction, sessionId) ?? throw new SessionNotFoundException(sessionId);
                CheckRewind(current, toSequence, options.ExpectedVersion);
                int removed = DeleteAfter(connection, transaction, "messages", "sequence", sessionId, toSequence);
                DeleteAfter(connection, transaction, "message_revisions", "sequence", sessionId, toSequence);
                DeleteAfter(connection, transaction, "idempotency_keys", "last_sequence", sessionId, toSequence);
                DeleteAfter(connection, transaction, "summaries", "to_sequence", sessionId, toSequence);
                var updated = PlanRewind(current, toSequence, removed);
                StoreCounters(connection, transaction, updated);
                LogChange(connection, transaction, ChangeOf(updated, SessionChangeKind.Rewound, now, toSequence: toSequence, authorId: options.AuthorId));
                return updated;
            },
            cancellationToken).ConfigureAwait(false);

        // Deleted text leaves the WAL as after an erase, not at some later checkpoint.
        await CheckpointAsync().ConfigureAwait(false);
        return result;
    }

    /// <inheritdoc />
    protected override Task<Session> ForkSessionCoreAsync(Guid sessionId, long atSequence, ForkOptions options, Guid forkId, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(
            (sessionId, atSequence, options, forkId, now),
            static (connection, transaction, state) =>
            {
                var (sessionId, atSequence, options, forkId, now) = state;
                var source = FindSession(connection, transaction, sessionId) ?? throw new SessionNotFoundException(sessionId);
                CheckVersion(source, options.ExpectedVersion);
                var read = connection.Command(
                    "SELECT " + SqliteRows.MessageColumns + " FROM messages WHERE session_id = $session_id AND sequence <= $to ORDER BY sequence;",
                    transaction);
                read.Parameters.AddWithValue("$session_id", SqliteRows.Id(sessionId));
                read.Parameters.AddWithValue("$to", atSequence);
                var messages = SqliteRows.ReadMessages(read);
                var fork = PlanFork(source, atSequence, messages.Count, options, forkId, now);

                var summaries = new List<SessionSummary>();
                var readSummaries = connection.Command(
                    "SELECT " + SqliteRows.SummaryColumns + " FROM summaries WHERE session_id = $session_id AND to_sequence <= $to;",
                    transaction);
                readSummaries.Parameters.AddWithValue("$session_id", SqliteRows.Id(sessionId));
                readSummaries.Parameters.AddWithValue("$to", atSequence);
                using (var reader = readSummaries.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        summaries.Add(CopyForFork(SqliteRows.ReadSummary(reader), forkId, now));
                    }
                }

                InsertSession(connection, transaction, fork);
                InsertMessages(connection, transaction, messages.ConvertAll(m => CopyForFork(m, forkId, now)), UserKey.For(fork.UserId));
                foreach (var summary in summaries)
                {
                    InsertSummary(connection, transaction, summary);
                }

                return fork;
            },
            cancellationToken);

    /// <inheritdoc />
    protected override Task<IReadOnlyList<MessageRevision>> GetMessageRevisionsCoreAsync(Guid sessionId, long sequence, CancellationToken cancellationToken) =>
        ReadAsync(
            (sessionId, sequence),
            static (connection, transaction, state) =>
            {
                var (sessionId, sequence) = state;
                EnsureSessionExists(connection, transaction, sessionId, 0);
                FindMessage(connection, transaction, sessionId, sequence);
                var command = connection.Command(
                    "SELECT revision, content, token_count, replaced_at, replaced_by FROM message_revisions WHERE session_id = $session_id AND sequence = $sequence ORDER BY revision;",
                    transaction);
                command.Parameters.AddWithValue("$session_id", SqliteRows.Id(sessionId));
                command.Parameters.AddWithValue("$sequence", sequence);
                var revisions = new List<MessageRevision>();
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    revisions.Add(new MessageRevision
                    {
                        SessionId = sessionId,
                        Sequence = sequence,
                        Revision = reader.GetInt32(0),
                        Content = reader.GetString(1),
                        TokenCount = reader.GetInt32(2),
                        ReplacedAt = new DateTimeOffset(reader.GetInt64(3), TimeSpan.Zero),
                        ReplacedBy = reader.IsDBNull(4) ? null : reader.GetString(4),
                    });
                }

                return (IReadOnlyList<MessageRevision>)revisions;
            },
            cancellationToken);

    /// <summary>The replay of an append whose key the session has seen, or <see langword="null"/> for a new key.</summary>
    private static AppendResult? FindReplay(StoreConnection connection, SqliteTransaction transaction, Session current, IdempotentAppend idempotency)
    {
        var find = connection.Command(
            "SELECT first_sequence, last_sequence, fingerprint FROM idempotency_keys WHERE session_id = $session_id AND key = $key;",
            transaction);
        find.Parameters.AddWithValue("$session_id", SqliteRows.Id(current.Id));
        find.Parameters.AddWithValue("$key", idempotency.Key);
        long first;
        long last;
        string fingerprint;
        using (var reader = find.ExecuteReader())
        {
            if (!reader.Read())
            {
                return null;
            }

            first = reader.GetInt64(0);
            last = reader.GetInt64(1);
            fingerprint = reader.GetString(2);
        }

        var read = connection.Command(
            "SELECT " + SqliteRows.MessageColumns + " FROM messages WHERE session_id = $session_id AND sequence BETWEEN $from AND $to ORDER BY sequence;",
            transaction);
        read.Parameters.AddWithValue("$session_id", SqliteRows.Id(current.Id));
        read.Parameters.AddWithValue("$from", first);
        read.Parameters.AddWithValue("$to", last);
        return Replay(current, idempotency, fingerprint, SqliteRows.ReadMessages(read));
    }

    private static void SaveIdempotencyKey(StoreConnection connection, SqliteTransaction transaction, Guid sessionId, IdempotentAppend idempotency, AppendResult result)
    {
        var insert = connection.Command(
            "INSERT INTO idempotency_keys (session_id, key, first_sequence, last_sequence, fingerprint) VALUES ($session_id, $key, $first, $last, $fingerprint);",
            transaction);
        insert.Parameters.AddWithValue("$session_id", SqliteRows.Id(sessionId));
        insert.Parameters.AddWithValue("$key", idempotency.Key);
        insert.Parameters.AddWithValue("$first", result.Messages[0].Sequence);
        insert.Parameters.AddWithValue("$last", result.Messages[^1].Sequence);
        insert.Parameters.AddWithValue("$fingerprint", idempotency.Fingerprint);
        insert.ExecuteNonQuery();
    }

    private static SessionMessage FindMessage(StoreConnection connection, SqliteTransaction transaction, Guid sessionId, long sequence)
    {
        var command = connection.Command(
            "SELECT " + SqliteRows.MessageColumns + " FROM messages WHERE session_id = $session_id AND sequence = $sequence;",
            transaction);
        command.Parameters.AddWithValue("$session_id", SqliteRows.Id(sessionId));
        command.Parameters.AddWithValue("$sequence", sequence);
        using var reader = command.ExecuteReader();
        return reader.Read() ? SqliteRows.ReadMessage(reader) : throw new MessageNotFoundException(sessionId, sequence);
    }

    // Table and column names are constants of this file, never input.
    private static int DeleteAfter(StoreConnection connection, SqliteTransaction transaction, string table, string column, Guid sessionId, long after)
    {
        var delete = connection.Command($"DELETE FROM {table} WHERE session_id = $session_id AND {column} > $after;", transaction);
        delete.Parameters.AddWithValue("$session_id", SqliteRows.Id(sessionId));
        delete.Parameters.AddWithValue("$after", after);
        return delete.ExecuteNonQuery();
    }

    private static void StoreCounters(StoreConnection connection, SqliteTransaction transaction, Session session)
    {
        var update = connection.Command(
            "UPDATE sessions SET last_sequence = $last_sequence, message_count = $message_count, version = $version WHERE id = $id;",
            transaction);
        update.Parameters.AddWithValue("$id", SqliteRows.Id(session.Id));
        update.Parameters.AddWithValue("$last_sequence", session.LastSequence);
        update.Parameters.AddWithValue("$message_count", session.MessageCount);
        update.Parameters.AddWithValue("$version", session.Version);
        update.ExecuteNonQuery();
    }
}
