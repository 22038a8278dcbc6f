using SQLitePCL;
using Microsoft.Data.Sqlite;
using SessionKit.Storage;

namespace SessionKit.Sqlite;

// Embedding vectors (schema version 10): float32 BLOBs next to the messages and summaries they embed, read per user and
// model through one index, deleted with their targets by cascade and with edits by trigger.
public sealed partial class SqliteSessionStore
{
    /// <inheritdoc />
    public override bool SupportsEmbeddings => true;

    /// <inheritdoc />
    protected override Task<IReadOnlyList<EmbeddingBacklogItem>> GetEmbeddingBacklogCoreAsync(string modelId, int limit, CancellationToken cancellationToken) =>
        ReadAsync(
            (modelId, limit),
            static (connection, transaction, state) =>
            {
                var (modelId, limit) = state;
                var backlog = new List<EmbeddingBacklogItem>();
                var messages = connection.Command(
                    "SELECT " + SqliteRows.QualifiedMessageColumns + ", s.user_id FROM messages m JOIN sessions s ON s.id = m.session_id " +
                    "LEFT JOIN message_embeddings e ON e.message_row = m.row_id " +
                    "WHERE m.content <> '' AND (e.message_row IS NULL OR e.model <> $model) ORDER BY m.row_id LIMIT $limit;",
                    transaction);
                messages.Parameters.AddWithValue("$model", modelId);
                messages.Parameters.AddWithValue("$limit", limit);
                using (var reader = messages.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        backlog.Add(new EmbeddingBacklogItem(reader.GetString(SqliteRows.MessageColumnCount), SqliteRows.ReadMessage(reader), null));
                    }
                }

                if (backlog.Count < limit)
                {
                    var summaries = connection.Command(
                        "SELECT y.id, y.session_id, y.level, y.from_sequence, y.to_sequence, y.text, y.token_count, y.token_encoding, y.summarizer_id, y.created_at, s.user_id " +
                        "FROM summaries y JOIN sessions s ON s.id = y.session_id LEFT JOIN summary_embeddings e ON e.summary_row = y.row_id " +
                        "WHERE e.summary_row IS NULL OR e.model <> $model ORDER BY y.row_id LIMIT $limit;",
                        transaction);
                    summaries.Parameters.AddWithValue("$model", modelId);
                    summaries.Parameters.AddWithValue("$limit", limit - backlog.Count);
                    using var reader = summaries.ExecuteReader();
                    while (reader.Read())
                    {
                        backlog.Add(new EmbeddingBacklogItem(reader.GetString(10), null, SqliteRows.ReadSummary(reader)));
                    }
                }

                return (IReadOnlyList<EmbeddingBacklogItem>)backlog;
            },
            cancellationToken);

    /// <inheritdoc />
    protected override Task<int> SaveEmbeddingsCoreAsync(IReadOnlyList<StoredEmbedding> embeddings, CancellationToken cancellationToken) =>
        WriteAsync(
            embeddings,
            static (connection, transaction, embeddings) =>
            {
                int saved = 0;
                foreach (var embedding in embeddings)
                {
                    var command = embedding.Kind == EmbeddingKind.Message
                        ? connection.Command(
                            "INSERT INTO message_embeddings (message_row, user_key, model, session_id, sequence, message_id, role, created_at, dimensions, vector) " +
                            "SELECT m.row_id, m.user_key, $model, m.session_id, m.sequence, m.id, m.role, m.created_at, $dimensions, $vector " +
                            "FROM messages m JOIN sessions s ON s.id = m.session_id " +
                            "WHERE m.session_id = $session_id AND m.sequence = $sequence AND m.id = $id AND m.revision = $revision AND s.user_id = $user_id " +
                            "ON CONFLICT (message_row) DO UPDATE SET model = excluded.model, dimensions = excluded.dimensions, vector = excluded.vector;",
                            transaction)
                        : connection.Command(
                            "INSERT INTO summary_embeddings (summary_row, user_key, model, dimensions, vector) " +
                            "SELECT y.row_id, $user_key, $model, $dimensions, $vector FROM summaries y JOIN sessions s ON s.id = y.session_id " +
                            "WHERE y.session_id = $session_id AND y.id = $id AND s.user_id = $user_id " +
                            "ON CONFLICT (summary_row) DO UPDATE SET model = excluded.model, dimensions = excluded.dimensions, vector = excluded.vector;",
                            transaction);
                    var parameters = command.Parameters;
                    parameters.AddWithValue("$model", embedding.ModelId);
                    parameters.AddWithValue("$dimensions", embedding.Dimensions);
                    parameters.Add("$vector", SqliteType.Blob).Value = embedding.Vector.ToArray();
                    parameters.AddWithValue("$session_id", SqliteRows.Id(embedding.SessionId));
                    parameters.AddWithValue("$id", SqliteRows.Id(embedding.TargetId));
                    parameters.AddWithValue("$user_id", embedding.UserId);
                    if (embedding.Kind == EmbeddingKind.Message)
                    {
                        parameters.AddWithValue("$sequence", embedding.Sequence);
                        parameters.AddWithValue("$revision", embedding.Revision);
                    }
                    else
                    {
                        parameters.AddWithValue("$user_key", UserKey.For(embedding.UserId));
                    }

                    saved += command.ExecuteNonQuery();
                }

                return saved;
            },
            cancellationToken);

    /// <inheritdoc />
    protected override Task ScanEmbeddingsCoreAsync(string userId, EmbeddingScan scan, CancellationToken cancellationToken) =>
        ReadAsync(
            (userId, scan),
            static (connection, transaction, state) =>
            {
                var (userId, scan) = state;
                var sql = new System.Text.StringBuilder(
                    "SELECT message_id, session_id, sequence, role, created_at, vector FROM message_embeddings WHERE user_key = $user_key AND model = $model");
                var parameters = new List<(string, object)> { ("$user_key", UserKey.For(userId)), ("$model", scan.ModelId) };
                if (scan.SessionId is { } sessionId)
                {
                    sql.Append(" AND session_id = $session_id");
                    parameters.Add(("$session_id", SqliteRows.Id(sessionId)));
                }

                if (scan.Role is { } role)
                {
                    sql.Append(" AND role = $role");
                    parameters.Add(("$role", (int)role));
                }

                if (scan.Since is { } since)
                {
                    sql.Append(" AND created_at >= $since");
                    parameters.Add(("$since", SqliteRows.Ticks(since)));
                }

                if (scan.Until is { } until)
                {
                    sql.Append(" AND created_at < $until");
                    parameters.Add(("$until", SqliteRows.Ticks(until)));
                }

                // Read through SQLite's own API: a column's bytes as a span over SQLite's buffer, no copy and no
                // allocation per row (Microsoft.Data.Sqlite's GetBytes opens incremental blob I/O on every call).
                var db = connection.Connection.Handle!;
                int rc = raw.sqlite3_prepare_v2(db, sql.Append(';').ToString(), out sqlite3_stmt statement);
                ThrowOnError(db, rc);
                using (statement)
                {
                    foreach (var (name, value) in parameters)
                    {
                        int index = raw.sqlite3_bind_parameter_index(statement, name);
                        rc = value switch
                        {
                            string text => raw.sqlite3_bind_text(statement, index, text),
                            byte[] bytes => raw.sqlite3_bind_blob(statement, index, bytes),
                            long number => raw.sqlite3_bind_int64(statement, index, number),
                            int number => raw.sqlite3_bind_int64(statement, index, number),
                            _ => throw new InvalidOperationException($"Unexpected parameter type {value.GetType().Name}."),
                        };
                        ThrowOnError(db, rc);
                    }

                    while ((rc = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
                    {
                        var id = raw.sqlite3_column_blob(statement, 0);
                        var session = raw.sqlite3_column_blob(statement, 1);
                        long sequence = raw.sqlite3_column_int64(statement, 2);
                        var messageRole = (MessageRole)raw.sqlite3_column_int(statement, 3);
                        var createdAt = new DateTimeOffset(raw.sqlite3_column_int64(statement, 4), TimeSpan.Zero);
                        scan.Offer(new Guid(id, bigEndian: true), new Guid(session, bigEndian: true), sequence, messageRole, createdAt, raw.sqlite3_column_blob(statement, 5));
                    }

                    if (rc != raw.SQLITE_DONE)
                    {
                        ThrowOnError(db, rc);
                    }
                }

                return 0;
            },
            cancellationToken);

    /// <inheritdoc />
    /// <remarks>Kept by triggers on <c>message_embeddings</c> (schema version 11), so every writer on the file bumps it.</remarks>
    protected override Task<long?> ReadEmbeddingVersionCoreAsync(string userId, CancellationToken cancellationToken) =>
        ReadAsync(
            userId,
            static (connection, transaction, userId) =>
            {
                var command = connection.Command("SELECT version FROM message_embedding_versions WHERE user_key = $user_key;", transaction);
                command.Parameters.AddWithValue("$user_key", UserKey.For(userId));
                return command.ExecuteScalar() is long version ? version : (long?)null;
            },
            cancellationToken);

    /// <inheritdoc />
    /// <remarks>One statement: an OR of (session, sequence) pairs, each a lookup on the messages' primary index.</remarks>
    protected override Task<IReadOnlyList<SessionMessage>> GetMessagesAtCoreAsync(IReadOnlyList<(Guid SessionId, long Sequence)> places, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(places);
        if (places.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<SessionMessage>>([]);
        }

        return ReadAsync(
            places,
            static (connection, transaction, places) =>
            {
                var sql = new System.Text.StringBuilder("SELECT ").Append(SqliteRows.MessageColumns).Append(" FROM messages WHERE ");
                for (int i = 0; i < places.Count; i++)
                {
                    sql.Append(i == 0 ? "" : " OR ").Append(System.Globalization.CultureInfo.InvariantCulture, $"(session_id = $s{i} AND sequence = $q{i})");
                }

                var command = connection.Command(sql.Append(';').ToString(), transaction);
                for (int i = 0; i < places.Count; i++)
                {
                    command.Parameters.AddWithValue(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"$s{i}"), SqliteRows.Id(places[i].SessionId));
                    command.Parameters.AddWithValue(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"$q{i}"), places[i].Sequence);
                }

                return (IReadOnlyList<SessionMessage>)SqliteRows.ReadMessages(command);
            },
            cancellationToken);
    }

    private static void ThrowOnError(sqlite3 db, int rc)
    {
        if (rc != raw.SQLITE_OK && rc != raw.SQLITE_ROW && rc != raw.SQLITE_DONE)
        {
            throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), rc, raw.sqlite3_extended_errcode(db));
        }
    }

    /// <inheritdoc />
    protected override Task<IReadOnlyList<EmbeddingModelCount>> CountEmbeddingsCoreAsync(string userId, CancellationToken cancellationToken) =>
        ReadAsync(
            userId,
            static (connection, transaction, userId) =>
            {
                var command = connection.Command(
                    "SELECT model, dimensions, COUNT(*) FROM (SELECT model, dimensions FROM message_embeddings WHERE user_key = $user_key " +
                    "UNION ALL SELECT model, dimensions FROM summary_embeddings WHERE user_key = $user_key) GROUP BY model, dimensions ORDER BY model, dimensions;",
                    transaction);
                command.Parameters.AddWithValue("$user_key", UserKey.For(userId));
                var counts = new List<EmbeddingModelCount>();
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    counts.Add(new EmbeddingModelCount(reader.GetString(0), reader.GetInt32(1), reader.GetInt64(2)));
                }

                return (IReadOnlyList<EmbeddingModelCount>)counts;
            },
            cancellationToken);
}
