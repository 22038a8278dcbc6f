using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using SessionKit.Storage;

namespace SessionKit.PostgreSql;

/// <summary>
/// A session store in a PostgreSQL database, for apps whose servers share one database: a pooled
/// <see cref="NpgsqlDataSource"/>, prepared commands, the schema created and migrated on first use under an advisory lock.
/// </summary>
/// <remarks>
/// <para>Each write is one transaction. Writes to a session take its row lock first (<c>UPDATE … RETURNING</c> or
/// <c>SELECT … FOR UPDATE</c>), so appends from any number of servers get dense sequences without a table lock, and
/// read-modify-write operations (versions, idempotency keys, corrections) see the row as it is. Leases are conditional upserts.</para>
/// <para>Every change is logged per session and announced with <c>pg_notify</c> (payload: session id and version, never
/// content), which wakes change-feed watchers on every server; polling is the fallback.</para>
/// <para>Search ranks like the other backends (BM25 as SQLite FTS5 computes it) over a <c>tsvector</c> of the same stems,
/// found through one GIN index over (owner key, words), so a search reads only the searching user's postings.</para>
/// </remarks>
public sealed partial class PostgreSqlSessionStore : SessionStore
{
    // PostgreSQL error codes: deadlock_detected and serialization_failure roll the transaction back and are safe to retry.
    private const string Deadlock = "40P01";
    private const string SerializationFailure = "40001";
    private const int MaxWriteAttempts = 5;

    private readonly PostgreSqlSessionStoreOptions _options;
    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly SqlText _sql;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _initLock = new(1, 1);
    private readonly int _timeoutSeconds;
    private volatile bool _initialized;

    /// <summary>Creates a store over the database named by <paramref name="options"/>. Nothing is opened until first use.</summary>
    /// <param name="options">The database and its settings. The object is copied, so later changes to it have no effect.</param>
    /// <param name="limits">Size limits; <see langword="null"/> for the defaults.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Receives open and migration events (never content nor connection strings); <see langword="null"/> for none.</param>
    /// <param name="tokenCounter">Counts each message's tokens at append; <see langword="null"/> for <see cref="SharpTokenCounter.Default"/>.</param>
    /// <param name="masterKeys">The master keys to encrypt at rest with (see <see cref="EncryptionOptions"/>); <see langword="null"/> to store plaintext.</param>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    public PostgreSqlSessionStore(
        PostgreSqlSessionStoreOptions options,
        SessionLimits? limits = null,
        TimeProvider? timeProvider = null,
        ILogger<PostgreSqlSessionStore>? logger = null,
        ITokenCounter? tokenCounter = null,
        IMasterKeyProvider? masterKeys = null)
        : base(limits, timeProvider, tokenCounter, masterKeys)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = options.Validate();
        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", failures), nameof(options));
        }

        _options = options.Clone();
        if (_options.DataSource is { } dataSource)
        {
            _dataSource = dataSource;
        }
        else
        {
            _dataSource = NpgsqlDataSource.Create(_options.ConnectionString!);
            _ownsDataSource = true;
        }

        _sql = new SqlText(_options.Schema);
        _timeoutSeconds = (int)Math.Ceiling(_options.CommandTimeout.TotalSeconds);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        Database = Describe(_dataSource, _options.Schema);
        Channel = "sessionkit_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(_options.Schema)).AsSpan(0, 12));
    }

    /// <summary>Creates a store over a database, in the default schema.</summary>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    public PostgreSqlSessionStore(string connectionString, TimeProvider? timeProvider = null)
        : this(new PostgreSqlSessionStoreOptions { ConnectionString = connectionString }, null, timeProvider)
    {
    }

    /// <summary>Where the store lives, for logs and messages: host, port, database and schema (never a password).</summary>
    public string Database { get; }

    /// <summary>The schema holding the store's tables.</summary>
    public string Schema => _options.Schema;

    /// <summary>The schema version this build of SessionKit.PostgreSql writes.</summary>
    public static int SchemaVersion => PostgresSchema.CurrentVersion;

    /// <summary>The <c>LISTEN/NOTIFY</c> channel the store announces changes on.</summary>
    internal string Channel { get; }

    /// <summary>
    /// Connects, creates the schema or applies pending migrations (under an advisory lock: concurrent start-ups migrate
    /// once) and checks the encryption mode. Every operation does this on first use; call it at start-up to fail fast on a
    /// bad connection string, missing rights or a newer schema.
    /// </summary>
    /// <param name="cancellationToken">Cancels connecting and migrating.</param>
    /// <returns>A task that completes when the store is ready.</returns>
    public Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable(cancellationToken);
        return EnsureInitializedAsync(cancellationToken);
    }

    /// <summary>Reports <c>postgresql</c> as <c>db.system.name</c>, OpenTelemetry's well-known value.</summary>
    protected override string DatabaseSystemName => "postgresql";

    /// <inheritdoc />
    protected override Task<Session> CreateSessionCoreAsync(Session session, CancellationToken cancellationToken) =>
        WriteAsync(
            async tx =>
            {
                if (session.ContinuesFromSessionId is { } previousId)
                {
                    var check = tx.Cmd("SELECT 1 FROM §sessions WHERE id = @id AND user_id = @user_id;").Uuid("id", previousId).Text("user_id", session.UserId);
                    if (await tx.ScalarAsync(check).ConfigureAwait(false) is null)
                    {
                        throw ContinuesFromMismatch(previousId);
                    }
                }

                await InsertSessionAsync(tx, session).ConfigureAwait(false);
                return session;
            },
            cancellationToken);

    /// <inheritdoc />
    protected override Task<Session?> FindSessionCoreAsync(Guid sessionId, CancellationToken cancellationToken) =>
        ReadAsync(tx => FindSessionAsync(tx, sessionId, forUpdate: false), cancellationToken);

    /// <inheritdoc />
    /// <remarks>A corrupted session row is left out of the page and logged by id, as the SQLite store does.</remarks>
    protected override async Task<SessionPage> ListSessionsCoreAsync(string userId, int pageSize, SessionListPosition? after, CancellationToken cancellationToken)
    {
        var rows = await ReadAsync(
            tx =>
            {
                var command = tx.Cmd(
                    after is null
                        ? "SELECT " + PostgresRows.SessionColumns + " FROM §sessions WHERE user_id = @user_id ORDER BY last_activity_at DESC, id DESC LIMIT @take;"
                        : "SELECT " + PostgresRows.SessionColumns + " FROM §sessions WHERE user_id = @user_id AND (last_activity_at, id) < (@after_activity, @after_id) ORDER BY last_activity_at DESC, id DESC LIMIT @take;")
                    .Text("user_id", userId)
                    .Int("take", pageSize + 1);
                if (after is { } position)
                {
                    command.Long("after_activity", position.LastActivityTicks).Uuid("after_id", position.Id);
                }

                return tx.ListAsync(command, static reader =>
                {
                    var at = new SessionListPosition(reader.GetInt64(5), reader.GetGuid(0));
                    try
                    {
                        return (Position: at, Session: (Session?)PostgresRows.ReadSession(reader));
                    }
                    catch (SessionDataCorruptedException)
                    {
                        return (Position: at, Session: null);
                    }
                });
            },
            cancellationToken).ConfigureAwait(false);

        // The cursor is the last row's position, read or skipped, so a skipped row never ends or repeats the listing.
        string? next = null;
        if (rows.Count > pageSize)
        {
            rows.RemoveAt(rows.Count - 1);
            next = rows[^1].Position.ToCursor();
        }

        foreach (var row in rows.Where(r => r.Session is null))
        {
            LogCorruptSessionSkipped(_logger, Database, row.Position.Id);
        }

        return new SessionPage(rows.Where(r => r.Session is not null).Select(r => r.Session!).ToList(), next);
    }

    /// <inheritdoc />
    protected override async Task<IReadOnlyList<Session>> ListSessionsByCreationCoreAsync(string userId, int limit, Guid? afterId, CancellationToken cancellationToken)
    {
        var rows = await ReadAsync(
            tx => tx.ListAsync(
                (afterId is null
                    ? tx.Cmd("SELECT " + PostgresRows.SessionColumns + " FROM §sessions WHERE user_id = @user_id ORDER BY id DESC LIMIT @take;")
                    : tx.Cmd("SELECT " + PostgresRows.SessionColumns + " FROM §sessions WHERE user_id = @user_id AND id < @after ORDER BY id DESC LIMIT @take;").Uuid("after", afterId))
                    .Text("user_id", userId)
                    .Int("take", limit),
                ReadSessionOrNull),
            cancellationToken).ConfigureAwait(false);
        return rows.Where(s => s is not null).Select(s => s!).ToList();
    }

    /// <inheritdoc />
    protected override Task<Session> UpdateSessionCoreAsync(Guid sessionId, SessionUpdate update, CancellationToken cancellationToken) =>
        WriteAsync(
            async tx =>
            {
                var now = TimeProvider.GetUtcNow();
                var current = await FindSessionAsync(tx, sessionId, forUpdate: true).ConfigureAwait(false) ?? throw new SessionNotFoundException(sessionId);
                var updated = PlanUpdate(current, update);
                await tx.ExecAsync(tx.Cmd("UPDATE §sessions SET title = @title, metadata = @metadata, version = @version WHERE id = @id;")
                    .Uuid("id", sessionId)
                    .Text("title", updated.Title)
                    .Text("metadata", MetadataJson.Serialize(updated.Metadata))
                    .Long("version", updated.Version)).ConfigureAwait(false);
                await LogChangeAsync(tx, ChangeOf(updated, SessionChangeKind.SessionUpdated, now)).ConfigureAwait(false);
                return updated;
            },
            cancellationToken);

    /// <inheritdoc />
    /// <remarks>Deleting is erasing: the same statements as <see cref="ISessionPrivacyStore.EraseSessionAsync"/>, after the version check, in one transaction.</remarks>
    protected override async Task<bool> DeleteSessionCoreAsync(Guid sessionId, long? expectedVersion, CancellationToken cancellationToken)
    {
        var result = await WriteAsync(
            async tx =>
            {
                if (await FindSessionAsync(tx, sessionId, forUpdate: true).ConfigureAwait(false) is { } current)
                {
                    CheckVersion(current, expectedVersion);
                }

                return await EraseAsync(tx, EraseSessionStatements, sessionId, EraseResult.None).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        return result.Sessions > 0;
    }

    /// <inheritdoc />
    protected override Task<AppendResult> AppendMessagesCoreAsync(
        Guid sessionId,
        IReadOnlyList<SessionMessage> messages,
        long? expectedVersion,
        IdempotentAppend? idempotency,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        // Tokenized before the transaction, so the session's row lock is held only for the statements.
        var documents = new (string Vector, int Length)[messages.Count];
        for (int i = 0; i < documents.Length; i++)
        {
            documents[i] = SearchVector.Build(messages[i].Content);
        }

        return AppendAsync();

        async Task<AppendResult> AppendAsync()
        {
            if (idempotency is null
                && await AutoCommitAsync(tx => TryAdvanceSessionAsync(tx, sessionId, messages, documents, expectedVersion, now), cancellationToken).ConfigureAwait(false) is { } advanced)
            {
                return advanced;
            }

            // A key to check, no such session, or a version conflict: the reading path, in a transaction, throws the right exception.
            return await WriteAsync(
            async tx =>
            {
                var current = await FindSessionAsync(tx, sessionId, forUpdate: true).ConfigureAwait(false) ?? throw new SessionNotFoundException(sessionId);
                if (idempotency is not null && await FindReplayAsync(tx, current, idempotency).ConfigureAwait(false) is { } replay)
                {
                    return replay;
                }

                var result = PlanAppend(current, messages, expectedVersion, now);
                await InsertMessagesAsync(tx, result.Messages, documents, current.UserId).ConfigureAwait(false);
                if (idempotency is not null)
                {
                    await SaveIdempotencyKeyAsync(tx, sessionId, idempotency, result).ConfigureAwait(false);
                }

                var updated = result.Session;
                await tx.ExecAsync(tx.Cmd("UPDATE §sessions SET last_sequence = @last_sequence, message_count = @message_count, last_activity_at = @last_activity_at, version = @version WHERE id = @id;")
                    .Uuid("id", sessionId)
                    .Long("last_sequence", updated.LastSequence)
                    .Long("message_count", updated.MessageCount)
                    .Long("last_activity_at", PostgresRows.Ticks(updated.LastActivityAt))
                    .Long("version", updated.Version)).ConfigureAwait(false);
                await LogChangeAsync(tx, ChangeOf(result)).ConfigureAwait(false);
                return result;
            },
            cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    protected override Task<IReadOnlyList<SessionMessage>> GetLastMessagesCoreAsync(Guid sessionId, int count, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<SessionMessage>>(
            async tx =>
            {
                var messages = await tx.ListAsync(
                    tx.Cmd("SELECT " + PostgresRows.MessageColumns + " FROM §messages WHERE session_id = @session_id ORDER BY sequence DESC LIMIT @count;")
                        .Uuid("session_id", sessionId)
                        .Int("count", count),
                    PostgresRows.ReadMessage).ConfigureAwait(false);
                await EnsureSessionExistsAsync(tx, sessionId, messages.Count).ConfigureAwait(false);
                messages.Reverse();
                return messages;
            },
            cancellationToken);

    /// <inheritdoc />
    protected override Task<IReadOnlyList<SessionMessage>> GetMessagesCoreAsync(Guid sessionId, long fromSequence, long toSequence, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<SessionMessage>>(
            async tx =>
            {
                var messages = await tx.ListAsync(
                    tx.Cmd("SELECT " + PostgresRows.MessageColumns + " FROM §messages WHERE session_id = @session_id AND sequence BETWEEN @from AND @to ORDER BY sequence;")
                        .Uuid("session_id", sessionId)
                        .Long("from", fromSequence)
                        .Long("to", toSequence),
                    PostgresRows.ReadMessage).ConfigureAwait(false);
                await EnsureSessionExistsAsync(tx, sessionId, messages.Count).ConfigureAwait(false);
                return messages;
            },
            cancellationToken);

    /// <inheritdoc />
    protected override Task<IReadOnlyList<SessionMessage>> GetMessagesByTimeCoreAsync(Guid sessionId, MessageTimeQuery query, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<SessionMessage>>(
            async tx =>
            {
                // One text per bound combination, each a range on ix_messages_session_created.
                var sql = new StringBuilder("SELECT ").Append(PostgresRows.MessageColumns).Append(" FROM §messages WHERE session_id = @session_id");
                if (query.Since is not null)
                {
                    sql.Append(" AND created_at >= @since");
                }

                if (query.Until is not null)
                {
                    sql.Append(" AND created_at < @until");
                }

                sql.Append(query.Newest ? " ORDER BY created_at DESC, sequence DESC" : " ORDER BY created_at, sequence").Append(" LIMIT @limit;");
                var command = tx.Cmd(sql.ToString()).Uuid("session_id", sessionId).Int("limit", query.Limit);
                if (query.Since is { } since)
                {
                    command.Long("since", PostgresRows.Ticks(since));
                }

                if (query.Until is { } until)
                {
                    command.Long("until", PostgresRows.Ticks(until));
                }

                var messages = await tx.ListAsync(command, PostgresRows.ReadMessage).ConfigureAwait(false);
                await EnsureSessionExistsAsync(tx, sessionId, messages.Count).ConfigureAwait(false);
                if (query.Newest)
                {
                    messages.Reverse();
                }

                return messages;
            },
            cancellationToken);

    /// <inheritdoc />
    protected override Task<SessionSummary> SaveSummaryCoreAsync(SessionSummary summary, CancellationToken cancellationToken) =>
        WriteAsync(
            async tx =>
            {
                var current = await FindSessionAsync(tx, summary.SessionId, forUpdate: false).ConfigureAwait(false) ?? throw new SessionNotFoundException(summary.SessionId);
                CheckSummaryRange(current, summary);

                // Saving the same range twice keeps the first, also when two servers race: the key decides, not a read before.
                var inserted = await tx.ExecAsync(tx.Cmd(
                    "INSERT INTO §summaries (" + PostgresRows.SummaryColumns + ") VALUES (@id, @session_id, @level, @from_sequence, @to_sequence, @text, @token_count, @token_encoding, @summarizer_id, @created_at) ON CONFLICT DO NOTHING;")
                    .SummaryParameters(summary)).ConfigureAwait(false);
                if (inserted > 0)
                {
                    return summary;
                }

                return (await tx.FirstAsync(
                    tx.Cmd("SELECT " + PostgresRows.SummaryColumns + " FROM §summaries WHERE session_id = @session_id AND level = @level AND from_sequence = @from_sequence;")
                        .Uuid("session_id", summary.SessionId)
                        .Int("level", summary.Level)
                        .Long("from_sequence", summary.FromSequence),
                    PostgresRows.ReadSummary).ConfigureAwait(false))!;
            },
            cancellationToken);

    /// <inheritdoc />
    protected override Task<IReadOnlyList<SessionSummary>> GetSummariesCoreAsync(Guid sessionId, SummaryQuery query, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<SessionSummary>>(
            async tx =>
            {
                var sql = new StringBuilder("SELECT ").Append(PostgresRows.SummaryColumns).Append(" FROM §summaries WHERE session_id = @session_id");
                if (query.Level is not null)
                {
                    sql.Append(" AND level = @level");
                }

                if (query.ToSequenceAtMost is not null)
                {
                    sql.Append(" AND to_sequence <= @to_at_most");
                }

                if (query.FromSequenceAfter is not null)
                {
                    sql.Append(" AND to_sequence > @from_after AND from_sequence > @from_after");
                }

                sql.Append(query.NewestFirst ? " ORDER BY to_sequence DESC, level DESC" : " ORDER BY to_sequence, level").Append(" LIMIT @limit;");
                var command = tx.Cmd(sql.ToString()).Uuid("session_id", sessionId).Int("limit", query.Limit);
                if (query.Level is { } level)
                {
                    command.Int("level", level);
                }

                if (query.ToSequenceAtMost is { } most)
                {
                    command.Long("to_at_most", most);
                }

                if (query.FromSequenceAfter is { } after)
                {
                    command.Long("from_after", after);
                }

                var summaries = await tx.ListAsync(command, PostgresRows.ReadSummary).ConfigureAwait(false);
                await EnsureSessionExistsAsync(tx, sessionId, summaries.Count).ConfigureAwait(false);
                return summaries;
            },
            cancellationToken);

    /// <inheritdoc />
    protected override Task<int> InvalidateSummariesCoreAsync(Guid sessionId, long fromSequence, CancellationToken cancellationToken) =>
        WriteAsync(
            async tx =>
            {
                int deleted = await tx.ExecAsync(tx.Cmd("DELETE FROM §summaries WHERE session_id = @session_id AND to_sequence >= @from;")
                    .Uuid("session_id", sessionId)
                    .Long("from", fromSequence)).ConfigureAwait(false);
                await EnsureSessionExistsAsync(tx, sessionId, deleted).ConfigureAwait(false);
                return deleted;
            },
            cancellationToken);

    /// <inheritdoc />
    protected override async ValueTask DisposeAsyncCore()
    {
        await StopListeningAsync().ConfigureAwait(false);
        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }

        await base.DisposeAsyncCore().ConfigureAwait(false);
    }

    private static Session? ReadSessionOrNull(NpgsqlDataReader reader)
    {
        try
        {
            return PostgresRows.ReadSession(reader);
        }
        catch (SessionDataCorruptedException)
        {
            // Left out of listings and sweeps (see ListSessionsCoreAsync); reading it by id reports the damage.
            return null;
        }
    }

    private static Task<int> InsertSessionAsync(Tx tx, Session session) =>
        tx.ExecAsync(tx.Cmd(
            "INSERT INTO §sessions (" + PostgresRows.SessionColumns + ") VALUES (@id, @user_id, @title, @metadata, @created_at, @last_activity_at, @version, @last_sequence, @message_count, @continues_from, @forked_from, @forked_at);")
            .Uuid("id", session.Id)
            .Text("user_id", session.UserId)
            .Text("title", session.Title)
            .Text("metadata", MetadataJson.Serialize(session.Metadata))
            .Long("created_at", PostgresRows.Ticks(session.CreatedAt))
            .Long("last_activity_at", PostgresRows.Ticks(session.LastActivityAt))
            .Long("version", session.Version)
            .Long("last_sequence", session.LastSequence)
            .Long("message_count", session.MessageCount)
            .Uuid("continues_from", session.ContinuesFromSessionId)
            .Uuid("forked_from", session.ForkedFromSessionId)
            .Long("forked_at", session.ForkedAtSequence));

    private static Task<int> InsertSummaryAsync(Tx tx, SessionSummary summary) =>
        tx.ExecAsync(tx.Cmd(
            "INSERT INTO §summaries (" + PostgresRows.SummaryColumns + ") VALUES (@id, @session_id, @level, @from_sequence, @to_sequence, @text, @token_count, @token_encoding, @summarizer_id, @created_at);")
            .SummaryParameters(summary));

    // The messages of one statement as arrays, unnested server-side (one round trip whatever the batch size), and the CTEs
    // that insert them and add their words to the BM25 statistics (deletions and edits are counted by triggers).
    private const string MessageArrays =
        "unnest(@ids, @roles, @contents, @authors, @tool_calls, @tool_names, @metadata, @tokens, @encodings, @revisions, @vectors, @lengths) WITH ORDINALITY " +
        "AS t(id, role, content, author_id, tool_call_id, tool_name, metadata, token_count, token_encoding, revision, search_vector, search_length, ord)";

    private const string InsertRows =
        "m AS (INSERT INTO §messages (" + PostgresRows.MessageColumns + ", user_key, search_vector, search_length) " +
        "SELECT i.id, i.session_id, i.sequence, i.role, i.content, i.author_id, i.tool_call_id, i.tool_name, i.created_at, i.metadata, i.token_count, i.token_encoding, i.revision, i.user_key, i.search_vector, i.search_length FROM i), " +
        "st AS (INSERT INTO §search_stats AS x (shard, doc_count, token_count) SELECT hashtext(i.session_id::text) & 15, count(*), sum(i.search_length) FROM i GROUP BY 1 ORDER BY 1 " +
        "ON CONFLICT (shard) DO UPDATE SET doc_count = x.doc_count + excluded.doc_count, token_count = x.token_count + excluded.token_count), " +
        "tm AS (INSERT INTO §search_terms AS x (stem, shard, doc_count) SELECT y.lexeme, y.shard, count(*) FROM (SELECT unnest(tsvector_to_array(i.search_vector)) AS lexeme, hashtext(i.session_id::text) & 15 AS shard FROM i) y " +
        "GROUP BY y.lexeme, y.shard ORDER BY y.lexeme, y.shard ON CONFLICT (stem, shard) DO UPDATE SET doc_count = x.doc_count + excluded.doc_count)";

    // The owner key computed server-side from the stored user id, as UserKey.For computes it from the same text.
    private static string UserKeyOf(string userIdExpression) => "'u' || left(encode(sha256(convert_to(" + userIdExpression + ", 'UTF8')), 'hex'), 32)";

    /// <summary>Inserts messages (sequences and times already assigned) and their search statistics with one statement.</summary>
    private static Task<int> InsertMessagesAsync(Tx tx, IReadOnlyList<SessionMessage> messages, IReadOnlyList<(string Vector, int Length)> documents, string userId)
    {
        var command = tx.Cmd(
            "WITH i AS (SELECT t.id, @session_id::uuid AS session_id, s.sequence, t.role, t.content, t.author_id, t.tool_call_id, t.tool_name, s.created_at, t.metadata, t.token_count, t.token_encoding, t.revision, " +
            UserKeyOf("@user_id::text") + " AS user_key, t.search_vector::tsvector AS search_vector, t.search_length " +
            "FROM " + MessageArrays + " JOIN unnest(@sequences, @created) WITH ORDINALITY AS s(sequence, created_at, ord) USING (ord) ), " +
            InsertRows + " SELECT count(*) FROM i;");
        AddMessageArrays(command, messages, documents);
        command.Uuid("session_id", messages[0].SessionId).Text("user_id", userId);
        command.Parameters.Add(new NpgsqlParameter<long[]>("sequences", messages.Select(m => m.Sequence).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<long[]>("created", messages.Select(m => PostgresRows.Ticks(m.CreatedAt)).ToArray()));
        return tx.ExecAsync(command);
    }

    private static void AddMessageArrays(NpgsqlCommand command, IReadOnlyList<SessionMessage> messages, IReadOnlyList<(string Vector, int Length)> documents)
    {
        int n = messages.Count;
        var ids = new Guid[n];
        var roles = new int[n];
        var contents = new string[n];
        var authors = new string?[n];
        var toolCalls = new string?[n];
        var toolNames = new string?[n];
        var metadata = new string?[n];
        var tokens = new int[n];
        var encodings = new string?[n];
        var revisions = new int[n];
        var vectors = new string[n];
        var lengths = new int[n];
        for (int i = 0; i < n; i++)
        {
            var m = messages[i];
            ids[i] = m.Id;
            roles[i] = (int)m.Role;
            contents[i] = PgText.Encode(m.Content);
            authors[i] = PgText.EncodeNullable(m.AuthorId);
            toolCalls[i] = PgText.EncodeNullable(m.ToolCallId);
            toolNames[i] = PgText.EncodeNullable(m.ToolName);
            metadata[i] = MetadataJson.Serialize(m.Metadata) is { } json ? PgText.Encode(json) : null;
            tokens[i] = m.TokenCount;
            encodings[i] = PgText.EncodeNullable(m.TokenEncoding);
            revisions[i] = m.Revision;
            vectors[i] = documents[i].Vector;
            lengths[i] = documents[i].Length;
        }

        const NpgsqlTypes.NpgsqlDbType TextArray = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text;
        command.Parameters.Add(new NpgsqlParameter<Guid[]>("ids", ids));
        command.Parameters.Add(new NpgsqlParameter<int[]>("roles", roles));
        command.Parameters.Add(new NpgsqlParameter<string[]>("contents", contents) { NpgsqlDbType = TextArray });
        command.Parameters.Add(new NpgsqlParameter<string?[]>("authors", authors) { NpgsqlDbType = TextArray });
        command.Parameters.Add(new NpgsqlParameter<string?[]>("tool_calls", toolCalls) { NpgsqlDbType = TextArray });
        command.Parameters.Add(new NpgsqlParameter<string?[]>("tool_names", toolNames) { NpgsqlDbType = TextArray });
        command.Parameters.Add(new NpgsqlParameter<string?[]>("metadata", metadata) { NpgsqlDbType = TextArray });
        command.Parameters.Add(new NpgsqlParameter<int[]>("tokens", tokens));
        command.Parameters.Add(new NpgsqlParameter<string?[]>("encodings", encodings) { NpgsqlDbType = TextArray });
        command.Parameters.Add(new NpgsqlParameter<int[]>("revisions", revisions));
        command.Parameters.Add(new NpgsqlParameter<string[]>("vectors", vectors) { NpgsqlDbType = TextArray });
        command.Parameters.Add(new NpgsqlParameter<int[]>("lengths", lengths));
    }

    /// <summary>
    /// The common append (no idempotency key) as ONE statement, committed on its own: advance the session row (which takes
    /// its row lock) exactly as <see cref="SessionStore.PlanAppend"/> would plan it, insert the messages with the sequences
    /// that follow, count their words, log the change and notify listeners. The row lock is held only while the server runs
    /// it: no client round trip happens inside, which is what lets many servers append to one session quickly.
    /// </summary>
    /// <returns>The result, or <see langword="null"/> when no row matched (no such session, or a version conflict).</returns>
    private async Task<AppendResult?> TryAdvanceSessionAsync(
        Tx tx,
        Guid sessionId,
        IReadOnlyList<SessionMessage> messages,
        IReadOnlyList<(string Vector, int Length)> documents,
        long? expectedVersion,
        DateTimeOffset now)
    {
        var command = tx.Cmd(
            "WITH s AS (UPDATE §sessions SET last_sequence = last_sequence + @count, message_count = message_count + @count, last_activity_at = greatest(last_activity_at, @now), version = version + 1 " +
            "WHERE id = @session_id AND (@expected_version::bigint IS NULL OR version = @expected_version) RETURNING " + PostgresRows.SessionColumns + "), " +
            "i AS (SELECT t.id, s.id AS session_id, s.last_sequence - @count + t.ord AS sequence, t.role, t.content, t.author_id, t.tool_call_id, t.tool_name, s.last_activity_at AS created_at, t.metadata, t.token_count, t.token_encoding, t.revision, " +
            UserKeyOf("s.user_id") + " AS user_key, t.search_vector::tsvector AS search_vector, t.search_length " +
            "FROM s, " + MessageArrays + "), " +
            InsertRows + ", " +
            "c AS (INSERT INTO §session_changes (session_id, version, kind, from_sequence, to_sequence, state_key, author_id, changed_at) " +
            "SELECT s.id, s.version, @kind, s.last_sequence - @count + 1, s.last_sequence, NULL, @author_id, s.last_activity_at FROM s) " +
            (_options.UseNotifications
                ? "SELECT " + PostgresRows.SessionColumns + ", pg_notify(@channel, replace(s.id::text, '-', '') || ':' || s.version) FROM s;"
                : "SELECT " + PostgresRows.SessionColumns + " FROM s;"))
            .Uuid("session_id", sessionId)
            .Long("count", messages.Count)
            .Long("now", PostgresRows.Ticks(now))
            .Long("expected_version", expectedVersion)
            .Int("kind", (int)SessionChangeKind.MessagesAppended)
            .Text("author_id", messages[0].AuthorId);
        AddMessageArrays(command, messages, documents);
        if (_options.UseNotifications)
        {
            command.Text("channel", Channel);
        }

        var updated = await tx.FirstAsync(command, PostgresRows.ReadSession).ConfigureAwait(false);
        if (updated is null)
        {
            return null;
        }

        var stored = new SessionMessage[messages.Count];
        long sequence = updated.LastSequence - messages.Count;
        for (int i = 0; i < stored.Length; i++)
        {
            stored[i] = messages[i] with { Sequence = ++sequence, CreatedAt = updated.LastActivityAt };
        }

        return new AppendResult(updated, stored);
    }

    private static Task<Session?> FindSessionAsync(Tx tx, Guid sessionId, bool forUpdate) =>
        tx.FirstAsync(
            tx.Cmd(forUpdate
                ? "SELECT " + PostgresRows.SessionColumns + " FROM §sessions WHERE id = @id FOR UPDATE;"
                : "SELECT " + PostgresRows.SessionColumns + " FROM §sessions WHERE id = @id;").Uuid("id", sessionId),
            PostgresRows.ReadSession);

    // An empty result is ambiguous: the session may have no rows in range, or not exist at all.
    private static async Task EnsureSessionExistsAsync(Tx tx, Guid sessionId, int rowsFound)
    {
        if (rowsFound > 0)
        {
            return;
        }

        if (await tx.ScalarAsync(tx.Cmd("SELECT 1 FROM §sessions WHERE id = @id;").Uuid("id", sessionId)).ConfigureAwait(false) is null)
        {
            throw new SessionNotFoundException(sessionId);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction on a pooled connection; rolls back on any exception. A deadlock or
    /// serialization failure (the transaction was rolled back by the server) is retried a few times.
    /// </summary>
    private async Task<TResult> WriteAsync<TResult>(Func<Tx, Task<TResult>> work, CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        for (int attempt = 1; ; attempt++)
        {
            ObjectDisposedException.ThrowIf(IsDisposed, this);
            var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                try
                {
                    var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                    await using (transaction.ConfigureAwait(false))
                    {
                        var result = await work(new Tx(connection, transaction, _sql, _timeoutSeconds, cancellationToken)).ConfigureAwait(false);
                        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                        return result;
                    }
                }
                catch (PostgresException ex) when (ex.SqlState is Deadlock or SerializationFailure && attempt < MaxWriteAttempts)
                {
                    LogRetried(_logger, Database, ex.SqlState, attempt);
                }
            }
        }
    }

    /// <summary>Runs <paramref name="work"/> on a pooled connection outside an explicit transaction (each statement sees committed data).</summary>
    private async Task<TResult> ReadAsync<TResult>(Func<Tx, Task<TResult>> work, CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await work(new Tx(connection, null, _sql, _timeoutSeconds, cancellationToken)).ConfigureAwait(false);
        }
    }

    /// <summary>Runs one statement committed on its own (no explicit transaction), retrying a deadlock as <see cref="WriteAsync{TResult}"/> does.</summary>
    private async Task<TResult> AutoCommitAsync<TResult>(Func<Tx, Task<TResult>> work, CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        for (int attempt = 1; ; attempt++)
        {
            ObjectDisposedException.ThrowIf(IsDisposed, this);
            var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                try
                {
                    return await work(new Tx(connection, null, _sql, _timeoutSeconds, cancellationToken)).ConfigureAwait(false);
                }
                catch (PostgresException ex) when (ex.SqlState is Deadlock or SerializationFailure && attempt < MaxWriteAttempts)
                {
                    LogRetried(_logger, Database, ex.SqlState, attempt);
                }
            }
        }
    }

    /// <summary>Runs <paramref name="work"/> in one read-only repeatable-read transaction: one snapshot for several statements.</summary>
    private async Task<TResult> SnapshotAsync<TResult>(Func<Tx, Task<TResult>> work, CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var result = await work(new Tx(connection, transaction, _sql, _timeoutSeconds, cancellationToken)).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return result;
            }
        }
    }

    private async Task EnsureInitializedAsync(CancellationToken cancellationToken)
    {
        if (_initialized)
        {
            return;
        }

        await _initLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_initialized)
            {
                return;
            }

            ObjectDisposedException.ThrowIf(IsDisposed, this);
            var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                int before = await PostgresSchema.MigrateAsync(connection, _sql, _options.MigrateOnStartup, cancellationToken).ConfigureAwait(false);
                await PostgresSchema.CheckEncryptionModeAsync(connection, _sql, IsEncrypted, cancellationToken).ConfigureAwait(false);
                if (before != PostgresSchema.CurrentVersion)
                {
                    LogMigrated(_logger, Database, before, PostgresSchema.CurrentVersion);
                }
            }

            LogOpened(_logger, Database, PostgresSchema.CurrentVersion);
            _initialized = true;
        }
        finally
        {
            _initLock.Release();
        }
    }

    // Host, port, database and schema only: Npgsql drops the password from a data source's ConnectionString, and this
    // rebuilds the description from named parts so nothing else of the string is ever logged.
    private static string Describe(NpgsqlDataSource dataSource, string schema)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
            return $"{builder.Host}:{builder.Port}/{builder.Database} (schema {schema})";
        }
        catch (ArgumentException)
        {
            return $"(schema {schema})";
        }
    }

    [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "Session {SessionId} in {Database} is corrupted in storage and was left out of a listing or sweep; reading it reports the damage.")]
    private static partial void LogCorruptSessionSkipped(ILogger logger, string database, Guid sessionId);

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Opened PostgreSQL session store {Database} (schema version {SchemaVersion}).")]
    private static partial void LogOpened(ILogger logger, string database, int schemaVersion);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Migrated PostgreSQL session store {Database} from schema version {FromVersion} to {ToVersion}.")]
    private static partial void LogMigrated(ILogger logger, string database, int fromVersion, int toVersion);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "A write to {Database} was rolled back by the server ({SqlState}) and is retried (attempt {Attempt}).")]
    private static partial void LogRetried(ILogger logger, string database, string sqlState, int attempt);
}
