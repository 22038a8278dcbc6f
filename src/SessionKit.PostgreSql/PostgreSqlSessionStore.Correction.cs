using SessionKit.Storage;
namespace SessionKit.PostgreSql;

// Correction and rollback, idempotency keys: each one transaction holding the session's row lock. The search statistics
// follow message updates and deletions through their triggers in the same transaction.
public sealed partial class PostgreSqlSessionStore
{
    /// <inheritdoc />
    protected override Task<CorrectionResult> EditMessageCoreAsync(Guid sessionId, long sequence, string content, CorrectionOptions options, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var document = SearchVector.Build(content);
        return WriteAsync(
            async tx =>
            {
                var current = await FindSessionAsync(tx, sessionId, forUpdate: true).ConfigureAwait(false) ?? throw new SessionNotFoundException(sessionId);
                var message = await FindMessageAsync(tx, sessionId, sequence).ConfigureAwait(false);
                var result = PlanEdit(current, message, content, options, now, out var replaced);

                await tx.ExecAsync(tx.Cmd(
                    "INSERT INTO §message_revisions (session_id, sequence, revision, content, token_count, replaced_at, replaced_by) VALUES (@session_id, @sequence, @revision, @content, @token_count, @replaced_at, @replaced_by);")
                    .Uuid("session_id", sessionId)
                    .Long("sequence", sequence)
                    .Int("revision", replaced.Revision)
                    .Text("content", replaced.Content)
                    .Int("token_count", replaced.TokenCount)
                    .Long("replaced_at", PostgresRows.Ticks(replaced.ReplacedAt))
                    .Text("replaced_by", replaced.ReplacedBy)).ConfigureAwait(false);

                var edited = result.Message;
                await tx.ExecAsync(tx.Cmd(
                    "UPDATE §messages SET content = @content, token_count = @token_count, token_encoding = @token_encoding, revision = @revision, search_vector = @search_vector::tsvector, search_length = @search_length WHERE session_id = @session_id AND sequence = @sequence;")
                    .Uuid("session_id", sessionId)
                    .Long("sequence", sequence)
                    .Text("content", edited.Content)
                    .Int("token_count", edited.TokenCount)
                    .Text("token_encoding", edited.TokenEncoding)
                    .Int("revision", edited.Revision)
                    .Text("search_vector", document.Vector)
                    .Int("search_length", document.Length)).ConfigureAwait(false);

                await DeleteAfterAsync(tx, "summaries", "to_sequence", sessionId, sequence - 1).ConfigureAwait(false);
                await StoreCountersAsync(tx, result.Session).ConfigureAwait(false);
                await LogChangeAsync(tx, ChangeOf(result.Session, SessionChangeKind.MessageEdited, now, sequence, sequence, authorId: options.AuthorId)).ConfigureAwait(false);
                return result;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    protected override Task<Session> DeleteMessageCoreAsync(Guid sessionId, long sequence, CorrectionOptions options, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(
            async tx =>
            {
                var current = await FindSessionAsync(tx, sessionId, forUpdate: true).ConfigureAwait(false) ?? throw new SessionNotFoundException(sessionId);
                await FindMessageAsync(tx, sessionId, sequence).ConfigureAwait(false);
                var updated = PlanDelete(current, options.ExpectedVersion);
                await tx.ExecAsync(tx.Cmd("DELETE FROM §messages WHERE session_id = @session_id AND sequence = @sequence; DELETE FROM §message_revisions WHERE session_id = @session_id AND sequence = @sequence;")
                    .Uuid("session_id", sessionId)
                    .Long("sequence", sequence)).ConfigureAwait(false);
                await DeleteAfterAsync(tx, "summaries", "to_sequence", sessionId, sequence - 1).ConfigureAwait(false);
                await StoreCountersAsync(tx, updated).ConfigureAwait(false);
                await LogChangeAsync(tx, ChangeOf(updated, SessionChangeKind.MessageDeleted, now, sequence, sequence, authorId: options.AuthorId)).ConfigureAwait(false);
                return updated;
            },
            cancellationToken);

    /// <inheritdoc />
    protected override Task<Session> RewindCoreAsync(Guid sessionId, long toSequence, CorrectionOptions options, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(
            async tx =>
            {
                var current = await FindSessionAsync(tx, sessionId, forUpdate: true).ConfigureAwait(false) ?? throw new SessionNotFoundException(sessionId);
                CheckRewind(current, toSequence, options.ExpectedVersion);
                int removed = await DeleteAfterAsync(tx, "messages", "sequence", sessionId, toSequence).ConfigureAwait(false);
                await DeleteAfterAsync(tx, "message_revisions", "sequence", sessionId, toSequence).ConfigureAwait(false);
                await DeleteAfterAsync(tx, "idempotency_keys", "last_sequence", sessionId, toSequence).ConfigureAwait(false);
                await DeleteAfterAsync(tx, "summaries", "to_sequence", sessionId, toSequence).ConfigureAwait(false);
                var updated = PlanRewind(current, toSequence, removed);
                await StoreCountersAsync(tx, updated).ConfigureAwait(false);
                await LogChangeAsync(tx, ChangeOf(updated, SessionChangeKind.Rewound, now, toSequence: toSequence, authorId: options.AuthorId)).ConfigureAwait(false);
                return updated;
            },
            cancellationToken);

    /// <inheritdoc />
    protected override Task<Session> ForkSessionCoreAsync(Guid sessionId, long atSequence, ForkOptions options, Guid forkId, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(
            async tx =>
            {
                var source = await FindSessionAsync(tx, sessionId, forUpdate: true).ConfigureAwait(false) ?? throw new SessionNotFoundException(sessionId);
                CheckVersion(source, options.ExpectedVersion);
                var messages = await tx.ListAsync(
                    tx.Cmd("SELECT " + PostgresRows.MessageColumns + " FROM §messages WHERE session_id = @session_id AND sequence <= @to ORDER BY sequence;")
                        .Uuid("session_id", sessionId)
                        .Long("to", atSequence),
                    PostgresRows.ReadMessage).ConfigureAwait(false);
                var fork = PlanFork(source, atSequence, messages.Count, options, forkId, now);
                var summaries = await tx.ListAsync(
                    tx.Cmd("SELECT " + PostgresRows.SummaryColumns + " FROM §summaries WHERE session_id = @session_id AND to_sequence <= @to;")
                        .Uuid("session_id", sessionId)
                        .Long("to", atSequence),
                    PostgresRows.ReadSummary).ConfigureAwait(false);

                await InsertSessionAsync(tx, fork).ConfigureAwait(false);
                if (messages.Count > 0)
                {
                    var copies = messages.ConvertAll(m => CopyForFork(m, forkId, now));
                    await InsertMessagesAsync(tx, copies, copies.ConvertAll(m => SearchVector.Build(m.Content)), fork.UserId).ConfigureAwait(false);
                }

                foreach (var summary in summaries)
                {
                    await InsertSummaryAsync(tx, CopyForFork(summary, forkId, now)).ConfigureAwait(false);
                }

                return fork;
            },
            cancellationToken);

    /// <inheritdoc />
    protected override Task<IReadOnlyList<MessageRevision>> GetMessageRevisionsCoreAsync(Guid sessionId, long sequence, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<MessageRevision>>(
            async tx =>
            {
                await EnsureSessionExistsAsync(tx, sessionId, 0).ConfigureAwait(false);
                await FindMessageAsync(tx, sessionId, sequence).ConfigureAwait(false);
                return await tx.ListAsync(
                    tx.Cmd("SELECT revision, content, token_count, replaced_at, replaced_by FROM §message_revisions WHERE session_id = @session_id AND sequence = @sequence ORDER BY revision;")
                        .Uuid("session_id", sessionId)
                        .Long("sequence", sequence),
                    reader => new MessageRevision
                    {
                        SessionId = sessionId,
                        Sequence = sequence,
                        Revision = reader.GetInt32(0),
                        Content = PostgresRows.ReadText(reader, 1),
                        TokenCount = reader.GetInt32(2),
                        ReplacedAt = PostgresRows.ReadTime(reader, 3),
                        ReplacedBy = PostgresRows.ReadNullableText(reader, 4),
                    }).ConfigureAwait(false);
            },
            cancellationToken);

    /// <summary>The replay of an append whose key the session has seen, or <see langword="null"/> for a new key.</summary>
    private static async Task<AppendResult?> FindReplayAsync(Tx tx, Session current, IdempotentAppend idempotency)
    {
        var key = await tx.FirstAsync(
            tx.Cmd("SELECT first_sequence, last_sequence, fingerprint FROM §idempotency_keys WHERE session_id = @session_id AND key = @key;")
                .Uuid("session_id", current.Id)
                .Text("key", idempotency.Key),
            static reader => new Tuple<long, long, string>(reader.GetInt64(0), reader.GetInt64(1), PostgresRows.ReadText(reader, 2))).ConfigureAwait(false);
        if (key is null)
        {
            return null;
        }

        var messages = await tx.ListAsync(
            tx.Cmd("SELECT " + PostgresRows.MessageColumns + " FROM §messages WHERE session_id = @session_id AND sequence BETWEEN @from AND @to ORDER BY sequence;")
                .Uuid("session_id", current.Id)
                .Long("from", key.Item1)
                .Long("to", key.Item2),
            PostgresRows.ReadMessage).ConfigureAwait(false);
        return Replay(current, idempotency, key.Item3, messages);
    }

    private static Task<int> SaveIdempotencyKeyAsync(Tx tx, Guid sessionId, IdempotentAppend idempotency, AppendResult result) =>
        tx.ExecAsync(tx.Cmd("INSERT INTO §idempotency_keys (session_id, key, first_sequence, last_sequence, fingerprint) VALUES (@session_id, @key, @first, @last, @fingerprint);")
            .Uuid("session_id", sessionId)
            .Text("key", idempotency.Key)
            .Long("first", result.Messages[0].Sequence)
            .Long("last", result.Messages[^1].Sequence)
            .Text("fingerprint", idempotency.Fingerprint));

    private static async Task<SessionMessage> FindMessageAsync(Tx tx, Guid sessionId, long sequence) =>
        await tx.FirstAsync(
            tx.Cmd("SELECT " + PostgresRows.MessageColumns + " FROM §messages WHERE session_id = @session_id AND sequence = @sequence;")
                .Uuid("session_id", sessionId)
                .Long("sequence", sequence),
            PostgresRows.ReadMessage).ConfigureAwait(false) ?? throw new MessageNotFoundException(sessionId, sequence);

    // Table and column names are constants of this file, never input.
    private static Task<int> DeleteAfterAsync(Tx tx, string table, string column, Guid sessionId, long after) =>
        tx.ExecAsync(tx.Cmd($"DELETE FROM §{table} WHERE session_id = @session_id AND {column} > @after;")
            .Uuid("session_id", sessionId)
            .Long("after", after));

    private static Task<int> StoreCountersAsync(Tx tx, Session session) =>
        tx.ExecAsync(tx.Cmd("UPDATE §sessions SET last_sequence = @last_sequence, message_count = @message_count, version = @version WHERE id = @id;")
            .Uuid("id", session.Id)
            .Long("last_sequence", session.LastSequence)
            .Long("message_count", session.MessageCount)
            .Long("version", session.Version));
}
