using System.Text;
using SessionKit.Storage;

namespace SessionKit.PostgreSql;

// Embedding vectors (schema version 2): float32 bytea next to the messages and summaries they embed, read per owner key
// and model through one index, deleted with their targets by cascade and with content or owner changes by trigger.
public sealed partial class PostgreSqlSessionStore
{
    /// <inheritdoc />
    public override bool SupportsEmbeddings => true;

    /// <inheritdoc />
    /// <remarks>Oldest session first (ids are time-ordered), then by sequence; messages before summaries.</remarks>
    protected override Task<IReadOnlyList<EmbeddingBacklogItem>> GetEmbeddingBacklogCoreAsync(string modelId, int limit, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<EmbeddingBacklogItem>>(
            async tx =>
            {
                var backlog = await tx.ListAsync(
                    tx.Cmd("SELECT " + PostgresRows.QualifiedMessageColumns + ", s.user_id FROM §messages m JOIN §sessions s ON s.id = m.session_id " +
                        "LEFT JOIN §message_embeddings e ON e.session_id = m.session_id AND e.sequence = m.sequence " +
                        "WHERE m.content <> '' AND (e.session_id IS NULL OR e.model <> @model) ORDER BY m.session_id, m.sequence LIMIT @limit;")
                        .Text("model", modelId)
                        .Int("limit", limit),
                    static reader => new EmbeddingBacklogItem(PostgresRows.ReadText(reader, PostgresRows.MessageColumnCount), PostgresRows.ReadMessage(reader), null)).ConfigureAwait(false);
                if (backlog.Count < limit)
                {
                    backlog.AddRange(await tx.ListAsync(
                        tx.Cmd("SELECT y.id, y.session_id, y.level, y.from_sequence, y.to_sequence, y.text, y.token_count, y.token_encoding, y.summarizer_id, y.created_at, s.user_id " +
                            "FROM §summaries y JOIN §sessions s ON s.id = y.session_id " +
                            "LEFT JOIN §summary_embeddings e ON e.session_id = y.session_id AND e.level = y.level AND e.from_sequence = y.from_sequence " +
                            "WHERE e.session_id IS NULL OR e.model <> @model ORDER BY y.session_id, y.to_sequence, y.level LIMIT @limit;")
                            .Text("model", modelId)
                            .Int("limit", limit - backlog.Count),
                        static reader => new EmbeddingBacklogItem(PostgresRows.ReadText(reader, 10), null, PostgresRows.ReadSummary(reader))).ConfigureAwait(false));
                }

                return backlog;
            },
            cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// One transaction. A vector is stored only while its target is as it was embedded: a message with the same id and
    /// revision (an edit in between drops the vector and bumps the revision), a summary with the same id, owned by the same
    /// user. The owner key is copied from the row, so a vector is always filed under the owner of what it embeds.
    /// </remarks>
    protected override Task<int> SaveEmbeddingsCoreAsync(IReadOnlyList<StoredEmbedding> embeddings, CancellationToken cancellationToken) =>
        WriteAsync(
            async tx =>
            {
                int saved = 0;
                foreach (var embedding in embeddings)
                {
                    var command = embedding.Kind == EmbeddingKind.Message
                        ? tx.Cmd(
                            "INSERT INTO §message_embeddings (session_id, sequence, user_key, model, message_id, role, created_at, dimensions, vector) " +
                            "SELECT m.session_id, m.sequence, m.user_key, @model, m.id, m.role, m.created_at, @dimensions, @vector " +
                            "FROM §messages m JOIN §sessions s ON s.id = m.session_id " +
                            "WHERE m.session_id = @session_id AND m.sequence = @sequence AND m.id = @id AND m.revision = @revision AND s.user_id = @user_id " +
                            "ON CONFLICT (session_id, sequence) DO UPDATE SET model = excluded.model, dimensions = excluded.dimensions, vector = excluded.vector;")
                            .Long("sequence", embedding.Sequence)
                            .Int("revision", embedding.Revision)
                        : tx.Cmd(
                            "INSERT INTO §summary_embeddings (session_id, level, from_sequence, user_key, model, dimensions, vector) " +
                            "SELECT y.session_id, y.level, y.from_sequence, " + UserKeyOf("s.user_id") + ", @model, @dimensions, @vector " +
                            "FROM §summaries y JOIN §sessions s ON s.id = y.session_id " +
                            "WHERE y.session_id = @session_id AND y.id = @id AND s.user_id = @user_id " +
                            "ON CONFLICT (session_id, level, from_sequence) DO UPDATE SET model = excluded.model, dimensions = excluded.dimensions, vector = excluded.vector;");
                    command.Text("model", embedding.ModelId)
                        .Int("dimensions", embedding.Dimensions)
                        .Bytes("vector", embedding.Vector.ToArray())
                        .Uuid("session_id", embedding.SessionId)
                        .Uuid("id", embedding.TargetId)
                        .Text("user_id", embedding.UserId);
                    saved += await tx.ExecAsync(command).ConfigureAwait(false);
                }

                return saved;
            },
            cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// One primary-key read of <c>message_embedding_versions</c> (schema version 4): triggers on the vectors set it to the
    /// writing transaction's id on every change, whichever server or process makes it.
    /// </remarks>
    protected override Task<long?> ReadEmbeddingVersionCoreAsync(string userId, CancellationToken cancellationToken) =>
        ReadAsync(
            async tx => await tx.ScalarAsync(tx.Cmd("SELECT version FROM §message_embedding_versions WHERE user_key = @user_key;")
                .Text("user_key", UserKey.For(PgText.Encode(userId)))).ConfigureAwait(false) is long version ? version : (long?)null,
            cancellationToken);

    /// <inheritdoc />
    /// <remarks>One statement over ix_message_embeddings_user, streamed: vectors are offered as they arrive, never held in a list.</remarks>
    protected override Task ScanEmbeddingsCoreAsync(string userId, EmbeddingScan scan, CancellationToken cancellationToken) =>
        ReadAsync(
            async tx =>
            {
                var sql = new StringBuilder("SELECT message_id, session_id, sequence, role, created_at, vector FROM §message_embeddings WHERE user_key = @user_key AND model = @model");
                var command = tx.Cmd(string.Empty);
                PostgresRows.AppendMessageFilters(sql, command, string.Empty, scan.SessionId, scan.Role, scan.Since, scan.Until);

                command.CommandText = SqlTextOf(sql.Append(';').ToString());
                command.Text("user_key", UserKey.For(PgText.Encode(userId))).Text("model", scan.ModelId);
                await using (command.ConfigureAwait(false))
                {
                    await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
                    var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        byte[] buffer = new byte[4096];
                        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            int length = checked((int)reader.GetBytes(5, 0, null, 0, 0));
                            if (length > buffer.Length)
                            {
                                buffer = new byte[length];
                            }

                            reader.GetBytes(5, 0, buffer, 0, length);
                            scan.Offer(reader.GetGuid(0), reader.GetGuid(1), reader.GetInt64(2), (MessageRole)reader.GetInt32(3), PostgresRows.Time(reader.GetInt64(4)), buffer.AsSpan(0, length));
                        }
                    }
                }

                return 0;
            },
            cancellationToken);

    /// <inheritdoc />
    protected override Task<IReadOnlyList<EmbeddingModelCount>> CountEmbeddingsCoreAsync(string userId, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<EmbeddingModelCount>>(
            async tx => await tx.ListAsync(
                tx.Cmd("SELECT model, dimensions, count(*) FROM (SELECT model, dimensions FROM §message_embeddings WHERE user_key = @user_key " +
                    "UNION ALL SELECT model, dimensions FROM §summary_embeddings WHERE user_key = @user_key) v GROUP BY model, dimensions ORDER BY model, dimensions;")
                    .Text("user_key", UserKey.For(PgText.Encode(userId))),
                static reader => new EmbeddingModelCount(PostgresRows.ReadText(reader, 0), reader.GetInt32(1), reader.GetInt64(2))).ConfigureAwait(false),
            cancellationToken);
}
