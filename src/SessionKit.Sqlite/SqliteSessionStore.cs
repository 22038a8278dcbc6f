using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SessionKit.Storage;

namespace SessionKit.Sqlite;

/// <summary>
/// A session store in one SQLite database file: WAL journal, schema created and migrated on first use, one serialized
/// writer connection and a small pool of reader connections.
/// </summary>
/// <remarks>
/// <para>All writes go through a single connection behind an async lock, and every write is an <c>IMMEDIATE</c> transaction,
/// so sequences stay dense even when several store instances or processes share the file (they wait up to
/// <see cref="SqliteSessionStoreOptions.BusyTimeout"/> for each other). Measured on SQLite, two writers on separate
/// connections are served unfairly, while one writer behind a queue splits time evenly; hence the single writer.</para>
/// <para>Reads use their own connections and, thanks to WAL, never wait for the writer.</para>
/// </remarks>
public sealed partial class SqliteSessionStore : SessionStore
{
    // SQLITE_NOTADB: the file's header is not a SQLite database's.
    private const int NotADatabase = 26;

    private readonly SqliteSessionStoreOptions _options;
    private readonly string _connectionString;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SemaphoreSlim _initLock = new(1, 1);
    private readonly ConcurrentBag<StoreConnection> _idleReaders = [];
    private StoreConnection? _writer;
    private volatile bool _initialized;

    /// <summary>Creates a store over the database named by <paramref name="options"/>. The file is opened on first use.</summary>
    /// <param name="options">The database and its settings. The object is copied, so later changes to it have no effect.</param>
    /// <param name="limits">Size limits; <see langword="null"/> for the defaults.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Receives open and migration events (never message content); <see langword="null"/> for none.</param>
    /// <param name="tokenCounter">Counts each message's tokens at append; <see langword="null"/> for <see cref="SharpTokenCounter.Default"/>.</param>
    /// <param name="masterKeys">The master keys to encrypt at rest with (see <see cref="EncryptionOptions"/>); <see langword="null"/> to store plaintext.</param>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    public SqliteSessionStore(
        SqliteSessionStoreOptions options,
        SessionLimits? limits = null,
        TimeProvider? timeProvider = null,
        ILogger<SqliteSessionStore>? logger = null,
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
        var builder = SqliteStoreConnectionString.Parse(_options.ConnectionString);
        DataSource = Path.GetFullPath(builder.DataSource);
        builder.DataSource = DataSource;

        // Microsoft.Data.Sqlite retries a busy statement on its own until the command timeout (30 s by default) on top of
        // busy_timeout; one second stops that loop after the first busy_timeout wait, so BusyTimeout governs the wait.
        builder.DefaultTimeout = 1;
        _connectionString = builder.ConnectionString;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Creates a store over a database file.</summary>
    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string, or a file path.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    public SqliteSessionStore(string connectionString, TimeProvider? timeProvider = null)
        : this(new SqliteSessionStoreOptions { ConnectionString = connectionString }, null, timeProvider)
    {
    }

    /// <summary>The full path of the database file.</summary>
    public string DataSource { get; }

    /// <summary>
    /// Opens the database, switches it to WAL and applies pending schema migrations. Every operation does this on first use;
    /// call it at start-up to fail fast on a bad path or a newer schema.
    /// </summary>
    /// <param name="cancellationToken">Cancels waiting for another initialization.</param>
    /// <returns>A task that completes when the store is ready.</returns>
    public Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable(cancellationToken);
        return EnsureInitializedAsync(cancellationToken);
    }

    /// <summary>Reports <c>sqlite</c> as <c>db.system.name</c>, OpenTelemetry's well-known value.</summary>
    protected override string DatabaseSystemName => "sqlite";

    /// <inheritdoc />
    protected override async Task<Session> CreateSessionCoreAsync(Session session, CancellationToken cancellationToken)
    {
        await WriteAsync(
            session,
            static (connection, transaction, session) =>
            {
                if (session.ContinuesFromSessionId is { } previousId)
                {
                    var check = connection.Command("SELECT 1 FROM sessions WHERE id = $id AND user_id = $user_id;", transaction);
                    check.Parameters.AddWithValue("$id", SqliteRows.Id(previousId));
                    check.Parameters.AddWithValue("$user_id", session.UserId);
                    if (check.ExecuteScalar() is null)
                    {
                        throw ContinuesFromMismatch(previousId);
                    }
                }

                InsertSession(connection, transaction, session);
                return 0;
            },
            cancellationToken).ConfigureAwait(false);
        return session;
    }

    /// <inheritdoc />
    protected override Task<Session?> FindSessionCoreAsync(Guid sessionId, CancellationToken cancellationToken) =>
        ReadAsync(sessionId, static (connection, transaction, id) => FindSession(connection, transaction, id), cancellationToken);

    /// <inheritdoc />
    /// <remarks>A session whose row is corrupted (see <see cref="SessionDataCorruptedException"/>) is left out of the page and
    /// logged by id, so one damaged row does not hide the user's other sessions; reading it by id reports the corruption.</remarks>
    protected override async Task<SessionPage> ListSessionsCoreAsync(string userId, int pageSize, SessionListPosition? after, CancellationToken cancellationToken)
    {
        var (page, skipped) = await ReadAsync(
            (userId, pageSize, after),
            static (connection, transaction, state) =>
            {
                var (userId, pageSize, after) = state;
                var command = connection.Command(
                    after is null
                        ? "SELECT " + SqliteRows.SessionColumns + " FROM sessions WHERE user_id = $user_id ORDER BY last_activity_at DESC, id DESC LIMIT $take;"
                        : "SELECT " + SqliteRows.SessionColumns + " FROM sessions WHERE user_id = $user_id AND (last_activity_at < $after_activity OR (last_activity_at = $after_activity AND id < $after_id)) ORDER BY last_activity_at DESC, id DESC LIMIT $take;",
                    transaction);
                command.Parameters.AddWithValue("$user_id", userId);
                command.Parameters.AddWithValue("$take", pageSize + 1);
                if (after is { } position)
                {
                    command.Parameters.AddWithValue("$after_activity", position.LastActivityTicks);
                    command.Parameters.AddWithValue("$after_id", SqliteRows.Id(position.Id));
                }

                var rows = new List<(SessionListPosition Position, Session? Session)>(Math.Min(pageSize + 1, 64));
                using (var reader = command.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        var at = new SessionListPosition(reader.GetInt64(5), SqliteRows.ReadGuid(reader, 0));
                        try
                        {
                            rows.Add((at, SqliteRows.ReadSession(reader)));
                        }
                        catch (SessionDataCorruptedException)
                        {
                            rows.Add((at, null));
                        }
                    }
                }

                // The cursor is the last row's position, read or skipped, so a skipped row never ends or repeats the listing.
                string? next = null;
                if (rows.Count > pageSize)
                {
                    rows.RemoveAt(rows.Count - 1);
                    next = rows[^1].Position.ToCursor();
                }

                var items = rows.Where(r => r.Session is not null).Select(r => r.Session!).ToList();
                var skipped = rows.Where(r => r.Session is null).Select(r => r.Position.Id).ToList();
                return (new SessionPage(items, next), skipped);
            },
            cancellationToken).ConfigureAwait(false);
        foreach (var sessionId in skipped)
        {
            LogCorruptSessionSkipped(_logger, DataSource, sessionId);
        }

        return page;
    }

    /// <inheritdoc />
    /// <remarks>A corrupted session row is left out, as in the activity order.</remarks>
    protected override Task<IReadOnlyList<Session>> ListSessionsByCreationCoreAsync(string userId, int limit, Guid? afterId, CancellationToken cancellationToken) =>
        ReadAsync(
            (userId, limit, afterId),
            static (connection, transaction, state) =>
            {
                var (userId, limit, afterId) = state;
                var items = new List<Session>(Math.Min(limit, 64));
                object after = afterId is { } id ? SqliteRows.Id(id) : DBNull.Value;
                while (items.Count < limit)
                {
                    int wanted = limit - items.Count;

                    // Two texts, so the one with a bound is a range on ix_sessions_user_id.
                    var command = connection.Command(
                        after is DBNull
                            ? "SELECT " + SqliteRows.SessionColumns + " FROM sessions WHERE user_id = $user_id ORDER BY id DESC LIMIT $take;"
                            : "SELECT " + SqliteRows.SessionColumns + " FROM sessions WHERE user_id = $user_id AND id < $after ORDER BY id DESC LIMIT $take;",
                        transaction);
                    command.Parameters.AddWithValue("$user_id", userId);
                    if (after is not DBNull)
                    {
                        command.Parameters.AddWithValue("$after", after);
                    }

                    command.Parameters.AddWithValue("$take", wanted);
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
                            catch (SessionDataCorruptedException)
                            {
                                // Left out (see ListSessionsCoreAsync); the next batch continues after it.
                            }
                        }
                    }

                    if (rows < wanted)
                    {
                        break;
                    }
                }

                return (IReadOnlyList<Session>)items;
            },
            cancellationToken);

    /// <inheritdoc />
    protected override Task<Session> UpdateSessionCoreAsync(Guid sessionId, SessionUpdate update, CancellationToken cancellationToken) =>
        WriteAsync(
            (sessionId, update, now: TimeProvider.GetUtcNow()),
            static (connection, transaction, state) =>
            {
                var (sessionId, update, now) = state;
                var current = FindSession(connection, transaction, sessionId) ?? throw new SessionNotFoundException(sessionId);
                var updated = PlanUpdate(current, update);

                var command = connection.Command("UPDATE sessions SET title = $title, metadata = $metadata, version = $version WHERE id = $id;", transaction);
                command.Parameters.AddWithValue("$id", SqliteRows.Id(sessionId));
                command.Parameters.AddWithValue("$title", (object?)updated.Title ?? DBNull.Value);
                command.Parameters.AddWithValue("$metadata", MetadataJson.Serialize(updated.Metadata));
                command.Parameters.AddWithValue("$version", updated.Version);
                command.ExecuteNonQuery();
                LogChange(connection, transaction, ChangeOf(updated, SessionChangeKind.SessionUpdated, now));
                return updated;
            },
            cancellationToken);

    /// <inheritdoc />
    /// <remarks>Deleting is erasing: the same statements and checkpoint as <see cref="ISessionPrivacyStore.EraseSessionAsync"/>, after the version check in the same transaction.</remarks>
    protected override async Task<bool> DeleteSessionCoreAsync(Guid sessionId, long? expectedVersion, CancellationToken cancellationToken)
    {
        var result = await WriteAsync(
            (sessionId, expectedVersion),
            static (connection, transaction, state) =>
            {
                var (sessionId, expectedVersion) = state;
                if (expectedVersion is not null && FindSession(connection, transaction, sessionId) is { } current)
                {
                    CheckVersion(current, expectedVersion);
                }

                return Erase(connection, transaction, EraseSessionStatements, SqliteRows.Id(sessionId), EraseResult.None);
            },
            cancellationToken).ConfigureAwait(false);
        if (result.Any)
        {
            await CheckpointAsync().ConfigureAwait(false);
        }

        return result.Sessions > 0;
    }

    /// <inheritdoc />
    protected override Task<AppendResult> AppendMessagesCoreAsync(
        Guid sessionId,
        IReadOnlyList<SessionMessage> messages,
        long? expectedVersion,
        IdempotentAppend? idempotency,
        DateTimeOffset now,
        CancellationToken cancellationToken) =>
        WriteAsync(
            (sessionId, messages, expectedVersion, idempotency, now),
            static (connection, transaction, state) =>
            {
                var (sessionId, messages, expectedVersion, idempotency, now) = state;
                if (idempotency is null && TryAdvanceSession(connection, transaction, sessionId, messages, expectedVersion, now) is { } advanced)
                {
                    return advanced;
                }

                var current = FindSession(connection, transaction, sessionId) ?? throw new SessionNotFoundException(sessionId);
                if (idempotency is not null && FindReplay(connection, transaction, current, idempotency) is { } replay)
                {
                    return replay;
                }

                var result = PlanAppend(current, messages, expectedVersion, now);
                InsertMessages(connection, transaction, result.Messages, UserKey.For(current.UserId));
                if (idempotency is not null)
                {
                    SaveIdempotencyKey(connection, transaction, sessionId, idempotency, result);
                }

                var updated = result.Session;
                LogChange(connection, transaction, ChangeOf(result));
                var update = connection.Command(
                    "UPDATE sessions SET last_sequence = $last_sequence, message_count = $message_count, last_activity_at = $last_activity_at, version = $version WHERE id = $id;",
                    transaction);
                update.Parameters.AddWithValue("$id", SqliteRows.Id(sessionId));
                update.Parameters.AddWithValue("$last_sequence", updated.LastSequence);
                update.Parameters.AddWithValue("$message_count", updated.MessageCount);
                update.Parameters.AddWithValue("$last_activity_at", SqliteRows.Ticks(updated.LastActivityAt));
                update.Parameters.AddWithValue("$version", updated.Version);
                update.ExecuteNonQuery();
                return result;
            },
            cancellationToken);

    /// <inheritdoc />
    protected override Task<IReadOnlyList<SessionMessage>> GetLastMessagesCoreAsync(Guid sessionId, int count, CancellationToken cancellationToken) =>
        ReadAsync(
            (sessionId, count),
            static (connection, transaction, state) =>
            {
                var (sessionId, count) = state;
                var command = connection.Command(
                    "SELECT " + SqliteRows.MessageColumns + " FROM messages WHERE session_id = $session_id ORDER BY sequence DESC LIMIT $count;",
                    transaction);
                command.Parameters.AddWithValue("$session_id", SqliteRows.Id(sessionId));
                command.Parameters.AddWithValue("$count", count);
                var messages = SqliteRows.ReadMessages(command);
                EnsureSessionExists(connection, transaction, sessionId, messages.Count);
                messages.Reverse();
                return (IReadOnlyList<SessionMessage>)messages;
            },
            cancellationToken);

    /// <inheritdoc />
    protected override Task<IReadOnlyList<SessionMessage>> GetMessagesCoreAsync(Guid sessionId, long fromSequence, long toSequence, CancellationToken cancellationToken) =>
        ReadAsync(
            (sessionId, fromSequence, toSequence),
            static (connection, transaction, state) =>
            {
                var (sessionId, fromSequence, toSequence) = state;
                var command = connection.Command(
                    "SELECT " + SqliteRows.MessageColumns + " FROM messages WHERE session_id = $session_id AND sequence BETWEEN $from AND $to ORDER BY sequence;",
                    transaction);
                command.Parameters.AddWithValue("$session_id", SqliteRows.Id(sessionId));
                command.Parameters.AddWithValue("$from", fromSequence);
                command.Parameters.AddWithValue("$to", toSequence);
                var messages = SqliteRows.ReadMessages(command);
                EnsureSessionExists(connection, transaction, sessionId, messages.Count);
                return (IReadOnlyList<SessionMessage>)messages;
            },
            cancellationToken);

    /// <inheritdoc />
    protected override Task<IReadOnlyList<SessionMessage>> GetMessagesByTimeCoreAsync(Guid sessionId, MessageTimeQuery query, CancellationToken cancellationToken) =>
        ReadAsync(
            (sessionId, query),
            static (connection, transaction, state) =>
            {
                var (sessionId, query) = state;

                // One text per bound combination, each a range on ix_messages_session_created.
                var sql = new System.Text.StringBuilder("SELECT ").Append(SqliteRows.MessageColumns).Append(" FROM messages WHERE session_id = $session_id");
                if (query.Since is not null)
                {
                    sql.Append(" AND created_at >= $since");
                }

                if (query.Until is not null)
                {
                    sql.Append(" AND created_at < $until");
                }

                sql.Append(query.Newest ? " ORDER BY created_at DESC, sequence DESC" : " ORDER BY created_at, sequence").Append(" LIMIT $limit;");
                var command = connection.Command(sql.ToString(), transaction);
                command.Parameters.AddWithValue("$session_id", SqliteRows.Id(sessionId));
                command.Parameters.AddWithValue("$limit", query.Limit);
                if (query.Since is { } since)
                {
                    command.Parameters.AddWithValue("$since", SqliteRows.Ticks(since));
                }

                if (query.Until is { } until)
                {
                    command.Parameters.AddWithValue("$until", SqliteRows.Ticks(until));
                }

                var messages = SqliteRows.ReadMessages(command);
                EnsureSessionExists(connection, transaction, sessionId, messages.Count);
                if (query.Newest)
                {
                    messages.Reverse();
                }

                return (IReadOnlyList<SessionMessage>)messages;
            },
            cancellationToken);

    /// <inheritdoc />
    protected override Task<SessionSummary> SaveSummaryCoreAsync(SessionSummary summary, CancellationToken cancellationToken) =>
        WriteAsync(
            summary,
            static (connection, transaction, summary) =>
            {
                var current = FindSession(connection, transaction, summary.SessionId) ?? throw new SessionNotFoundException(summary.SessionId);
                CheckSummaryRange(current, summary);

                var existing = connection.Command(
                    "SELECT " + SqliteRows.SummaryColumns + " FROM summaries WHERE session_id = $session_id AND level = $level AND from_sequence = $from_sequence;",
                    transaction);
                existing.Parameters.AddWithValue("$session_id", SqliteRows.Id(summary.SessionId));
                existing.Parameters.AddWithValue("$level", summary.Level);
                existing.Parameters.AddWithValue("$from_sequence", summary.FromSequence);
                using (var reader = existing.ExecuteReader())
                {
                    if (reader.Read())
                    {
                        return SqliteRows.ReadSummary(reader);
                    }
                }

                InsertSummary(connection, transaction, summary);
                return summary;
            },
            cancellationToken);

    /// <inheritdoc />
    protected override Task<IReadOnlyList<SessionSummary>> GetSummariesCoreAsync(Guid sessionId, SummaryQuery query, CancellationToken cancellationToken) =>
        ReadAsync(
            (sessionId, query),
            static (connection, transaction, state) =>
            {
                var (sessionId, query) = state;
                // One text per filter combination keeps each statement prepared and its plan on the right index.
                var sql = new System.Text.StringBuilder("SELECT ").Append(SqliteRows.SummaryColumns).Append(" FROM summaries WHERE session_id = $session_id");
                if (query.Level is not null)
                {
                    sql.Append(" AND level = $level");
                }

                if (query.ToSequenceAtMost is not null)
                {
                    sql.Append(" AND to_sequence <= $to_at_most");
                }

                if (query.FromSequenceAfter is not null)
                {
                    // Implied by the next filter for well-formed ranges, and lets the index bound the scan.
                    sql.Append(" AND to_sequence > $from_after AND from_sequence > $from_after");
                }

                sql.Append(query.NewestFirst ? " ORDER BY to_sequence DESC, level DESC" : " ORDER BY to_sequence, level").Append(" LIMIT $limit;");

                var command = connection.Command(sql.ToString(), transaction);
                command.Parameters.AddWithValue("$session_id", SqliteRows.Id(sessionId));
                command.Parameters.AddWithValue("$limit", query.Limit);
                if (query.Level is { } level)
                {
                    command.Parameters.AddWithValue("$level", level);
                }

                if (query.ToSequenceAtMost is { } most)
                {
                    command.Parameters.AddWithValue("$to_at_most", most);
                }

                if (query.FromSequenceAfter is { } after)
                {
                    command.Parameters.AddWithValue("$from_after", after);
                }

                var summaries = new List<SessionSummary>();
                using (var reader = command.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        summaries.Add(SqliteRows.ReadSummary(reader));
                    }
                }

                EnsureSessionExists(connection, transaction, sessionId, summaries.Count);
                return (IReadOnlyList<SessionSummary>)summaries;
            },
            cancellationToken);

    /// <inheritdoc />
    protected override Task<int> InvalidateSummariesCoreAsync(Guid sessionId, long fromSequence, CancellationToken cancellationToken) =>
        WriteAsync(
            (sessionId, fromSequence),
            static (connection, transaction, state) =>
            {
                var (sessionId, fromSequence) = state;
                var command = connection.Command("DELETE FROM summaries WHERE session_id = $session_id AND to_sequence >= $from;", transaction);
                command.Parameters.AddWithValue("$session_id", SqliteRows.Id(sessionId));
                command.Parameters.AddWithValue("$from", fromSequence);
                int deleted = command.ExecuteNonQuery();
                EnsureSessionExists(connection, transaction, sessionId, deleted);
                return deleted;
            },
            cancellationToken);

    /// <inheritdoc />
    protected override Task<SearchPage> SearchCoreAsync(string userId, SearchQuery query, IReadOnlyList<string> terms, int offset, CancellationToken cancellationToken)
    {
        // Snippets are cut here, from the page's text already read, as FTS5's snippet() would cut them; an encrypted
        // store indexes keyed hashes, so the base cuts its snippets from the decrypted text instead.
        string[]? stems = IsEncrypted ? null : [.. terms.Select(PorterStemmer.Stem)];
        return ReadAsync(
            (this, userId, query, terms, offset, stems),
            static (connection, transaction, state) =>
            {
                var (store, userId, query, terms, offset, stems) = state;
                string userKey = UserKey.For(userId);
                if (query is { Bounded: true, Role: null, Since: null, Until: null } && stems is not null)
                {
                    return store.BoundedSearch(connection, transaction, userId, userKey, query, terms, stems, offset);
                }

                SqliteCommand command;
                if (query is { SessionId: null, Role: null, Since: null, Until: null })
                {
                    command = connection.Command(SearchSql, transaction);
                    command.Parameters.AddWithValue("$edge", offset + query.Limit);
                }
                else
                {
                    command = FilteredSearchCommand(connection, transaction, query);
                    command.Parameters.AddWithValue("$limit", query.Limit + 1);
                }

                command.Parameters.AddWithValue("$match", SqliteSearchSyntax.Match(userKey, terms));
                command.Parameters.AddWithValue("$user_key", userKey);
                command.Parameters.AddWithValue("$offset", offset);

                // One hit past the page tells whether another page follows.
                var hits = new List<SearchHit>(Math.Min(query.Limit + 1, 64));
                using (var reader = command.ExecuteReader())
                {
                    int columns = SqliteRows.MessageColumnCount;
                    while (hits.Count <= query.Limit && reader.Read())
                    {
                        var message = SqliteRows.ReadMessage(reader);
                        string snippet = stems is null || hits.Count == query.Limit
                            ? string.Empty
                            : SearchSnippet.Build(message.Content, stems, query.HighlightStart, query.HighlightEnd);
                        hits.Add(new SearchHit(message, reader.GetDouble(columns), snippet));
                    }
                }

                bool more = hits.Count > query.Limit;
                if (more)
                {
                    hits.RemoveAt(hits.Count - 1);
                }

                return SearchPageOf(hits, more ? offset + query.Limit : null);
            },
            cancellationToken);
    }

    // A search without filters ranks inside FTS5 alone, as a bare FTS5 query would: every match's rowid and bm25 score
    // (the user filter is in the MATCH), then the score of the hit just past the requested page. Only hits scoring at
    // least that (the page, what precedes it, and ties) are joined to their rows for the tie-break order (newest first,
    // then session id, then sequence), so rows are read for about a page of hits, not for all matches. The reader stops
    // after the page and one more hit: a bound LIMIT made SQLite plan the statement measurably slower than none.
    private const string SearchSql =
        "WITH scored AS MATERIALIZED (SELECT rowid AS row_id, bm25(messages_fts, 1.0, 0.0) AS score FROM messages_fts WHERE messages_fts MATCH $match), " +
        "candidates AS (SELECT row_id, score FROM scored WHERE score <= coalesce((SELECT score FROM scored ORDER BY score LIMIT 1 OFFSET $edge), 1e308)) " +
        "SELECT " + SqliteRows.QualifiedMessageColumns + ", -c.score FROM candidates c JOIN messages m ON m.row_id = c.row_id " +
        "WHERE m.user_key = $user_key ORDER BY c.score, m.created_at DESC, m.session_id DESC, m.sequence DESC LIMIT -1 OFFSET $offset;";

    // With filters on message columns every match's row is read to filter it; still only the page's rows are read in full.
    private static SqliteCommand FilteredSearchCommand(StoreConnection connection, SqliteTransaction transaction, SearchQuery query)
    {
        var sql = new System.Text.StringBuilder(
            "WITH ranked AS (SELECT m.row_id AS row_id, -bm25(messages_fts, 1.0, 0.0) AS score, m.created_at AS created_at, m.session_id AS session_id, m.sequence AS sequence " +
            "FROM messages_fts JOIN messages m ON m.row_id = messages_fts.rowid " +
            "WHERE messages_fts MATCH $match AND m.user_key = $user_key");
        var parameters = new List<(string Name, object Value)>();
        if (query.SessionId is { } sessionId)
        {
            sql.Append(" AND m.session_id = $session_id");
            parameters.Add(("$session_id", SqliteRows.Id(sessionId)));
        }

        if (query.Role is { } role)
        {
            sql.Append(" AND m.role = $role");
            parameters.Add(("$role", (int)role));
        }

        if (query.Since is { } since)
        {
            sql.Append(" AND m.created_at >= $since");
            parameters.Add(("$since", SqliteRows.Ticks(since)));
        }

        if (query.Until is { } until)
        {
            sql.Append(" AND m.created_at < $until");
            parameters.Add(("$until", SqliteRows.Ticks(until)));
        }

        sql.Append(" ORDER BY score DESC, created_at DESC, session_id DESC, sequence DESC LIMIT $limit OFFSET $offset) ")
            .Append("SELECT ").Append(SqliteRows.QualifiedMessageColumns).Append(", r.score ")
            .Append("FROM ranked r JOIN messages m ON m.row_id = r.row_id ")
            .Append("ORDER BY r.score DESC, r.created_at DESC, r.session_id DESC, r.sequence DESC;");
        var command = connection.Command(sql.ToString(), transaction);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }

    /// <inheritdoc />
    protected override async ValueTask DisposeAsyncCore()
    {
        // Wait for a write in flight to finish so its transaction is not cut off by closing the connection.
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            _writer?.Dispose();
            _writer = null;
            DrainReaders();
        }
        finally
        {
            _writeLock.Release();
        }

        await base.DisposeAsyncCore().ConfigureAwait(false);
    }

    private static void InsertSession(StoreConnection connection, SqliteTransaction transaction, Session session)
    {
        var command = connection.Command(
            "INSERT INTO sessions (" + SqliteRows.SessionColumns + ") VALUES ($id, $user_id, $title, $metadata, $created_at, $last_activity_at, $version, $last_sequence, $message_count, $continues_from, $forked_from, $forked_at);",
            transaction);
        command.Parameters.AddWithValue("$continues_from", session.ContinuesFromSessionId is { } link ? SqliteRows.Id(link) : DBNull.Value);
        command.Parameters.AddWithValue("$id", SqliteRows.Id(session.Id));
        command.Parameters.AddWithValue("$user_id", session.UserId);
        command.Parameters.AddWithValue("$title", (object?)session.Title ?? DBNull.Value);
        command.Parameters.AddWithValue("$metadata", MetadataJson.Serialize(session.Metadata));
        command.Parameters.AddWithValue("$created_at", SqliteRows.Ticks(session.CreatedAt));
        command.Parameters.AddWithValue("$last_activity_at", SqliteRows.Ticks(session.LastActivityAt));
        command.Parameters.AddWithValue("$version", session.Version);
        command.Parameters.AddWithValue("$last_sequence", session.LastSequence);
        command.Parameters.AddWithValue("$message_count", session.MessageCount);
        command.Parameters.AddWithValue("$forked_from", session.ForkedFromSessionId is { } source ? SqliteRows.Id(source) : DBNull.Value);
        command.Parameters.AddWithValue("$forked_at", (object?)session.ForkedAtSequence ?? DBNull.Value);
        command.ExecuteNonQuery();
    }

    private static void InsertSummary(StoreConnection connection, SqliteTransaction transaction, SessionSummary summary)
    {
        var insert = connection.Command(
            "INSERT INTO summaries (" + SqliteRows.SummaryColumns + ") VALUES ($id, $session_id, $level, $from_sequence, $to_sequence, $text, $token_count, $token_encoding, $summarizer_id, $created_at);",
            transaction);
        SqliteRows.AddSummaryParameters(insert, summary);
        insert.ExecuteNonQuery();
    }

    private static void InsertMessages(StoreConnection connection, SqliteTransaction transaction, IReadOnlyList<SessionMessage> messages, string userKey)
    {
        // Prepared once per connection with its parameters; each message only sets their values (no parameter objects per row).
        var insert = connection.Prepared(
            "INSERT INTO messages (" + SqliteRows.MessageColumns + ", user_key) VALUES ($id, $session_id, $sequence, $role, $content, $author_id, $tool_call_id, $tool_name, $created_at, $metadata, $token_count, $token_encoding, $revision, $user_key);",
            transaction,
            SqliteRows.MessageParameterNames);
        var parameters = insert.Parameters;
        parameters[SqliteRows.MessageParameterNames.Length - 1].Value = userKey;
        foreach (var message in messages)
        {
            SqliteRows.SetMessageParameters(parameters, message);
            insert.ExecuteNonQuery();
        }

        // The cached command must not keep the last message's text alive after it is erased.
        SqliteRows.ClearMessageParameters(parameters);
    }

    /// <summary>
    /// The common append (no idempotency key) in one statement less: advances the session row with <c>UPDATE … RETURNING</c>
    /// exactly as <see cref="SessionStore.PlanAppend"/> would plan it from the row (sequences after the last one, activity
    /// time clamped to never go back, version + 1), then inserts the messages and the change-log row.
    /// </summary>
    /// <returns>The result, or <see langword="null"/> when no row matched (no such session, or a version conflict): nothing
    /// was written, and the caller takes the reading path, which throws the right exception.</returns>
    private static AppendResult? TryAdvanceSession(
        StoreConnection connection,
        SqliteTransaction transaction,
        Guid sessionId,
        IReadOnlyList<SessionMessage> messages,
        long? expectedVersion,
        DateTimeOffset now)
    {
        var command = connection.Prepared(
            "UPDATE sessions SET last_sequence = last_sequence + $count, message_count = message_count + $count, last_activity_at = max(last_activity_at, $now), version = version + 1 " +
            "WHERE id = $id AND ($expected_version IS NULL OR version = $expected_version) RETURNING " + SqliteRows.SessionColumns + ";",
            transaction,
            "$id",
            "$count",
            "$now",
            "$expected_version");
        var parameters = command.Parameters;
        parameters[0].Value = SqliteRows.Id(sessionId);
        parameters[1].Value = messages.Count;
        parameters[2].Value = SqliteRows.Ticks(now);
        parameters[3].Value = (object?)expectedVersion ?? DBNull.Value;
        Session updated;
        using (var reader = command.ExecuteReader())
        {
            if (!reader.Read())
            {
                return null;
            }

            updated = SqliteRows.ReadSession(reader);
        }

        var stored = new SessionMessage[messages.Count];
        long sequence = updated.LastSequence - messages.Count;
        for (int i = 0; i < stored.Length; i++)
        {
            stored[i] = messages[i] with { Sequence = ++sequence, CreatedAt = updated.LastActivityAt };
        }

        var result = new AppendResult(updated, stored);
        InsertMessages(connection, transaction, stored, UserKey.For(updated.UserId));
        LogChange(connection, transaction, ChangeOf(result));
        return result;
    }

    private static Session? FindSession(StoreConnection connection, SqliteTransaction? transaction, Guid sessionId)
    {
        var command = connection.Command("SELECT " + SqliteRows.SessionColumns + " FROM sessions WHERE id = $id;", transaction);
        command.Parameters.AddWithValue("$id", SqliteRows.Id(sessionId));
        using var reader = command.ExecuteReader();
        return reader.Read() ? SqliteRows.ReadSession(reader) : null;
    }

    // An empty result is ambiguous: the session may have no messages in range, or not exist at all.
    private static void EnsureSessionExists(StoreConnection connection, SqliteTransaction transaction, Guid sessionId, int rowsFound)
    {
        if (rowsFound > 0)
        {
            return;
        }

        var command = connection.Command("SELECT 1 FROM sessions WHERE id = $id;", transaction);
        command.Parameters.AddWithValue("$id", SqliteRows.Id(sessionId));
        if (command.ExecuteScalar() is null)
        {
            throw new SessionNotFoundException(sessionId);
        }
    }

    /// <summary>Runs <paramref name="work"/> in an IMMEDIATE transaction on the single writer connection; rolls back on any exception.</summary>
    private async Task<TResult> WriteAsync<TState, TResult>(
        TState state,
        Func<StoreConnection, SqliteTransaction, TState, TResult> work,
        CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(IsDisposed, this);
            var writer = _writer ??= StoreConnection.Open(_connectionString, _options);
            using var transaction = writer.Connection.BeginTransaction(deferred: false);
            var result = work(writer, transaction, state);
            transaction.Commit();
            return result;
        }
        catch (SqliteException ex) when (IsBusy(ex))
        {
            throw Busy(ex);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Runs <paramref name="work"/> in a read transaction (one consistent snapshot) on a pooled reader connection.</summary>
    private async Task<TResult> ReadAsync<TState, TResult>(
        TState state,
        Func<StoreConnection, SqliteTransaction, TState, TResult> work,
        CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        var connection = _idleReaders.TryTake(out var idle) ? idle : StoreConnection.Open(_connectionString, _options);
        try
        {
            using var transaction = connection.Connection.BeginTransaction(deferred: true);
            var result = work(connection, transaction, state);
            transaction.Commit();
            return result;
        }
        catch (SqliteException ex) when (IsBusy(ex))
        {
            throw Busy(ex);
        }
        finally
        {
            // A failed read (a missing session, say) leaves the connection usable: its transaction was rolled back.
            ReturnReader(connection);
        }
    }

    private void ReturnReader(StoreConnection connection)
    {
        if (IsDisposed || connection.Connection.State != System.Data.ConnectionState.Open || _idleReaders.Count >= _options.MaxIdleReadConnections)
        {
            connection.Dispose();
            return;
        }

        _idleReaders.Add(connection);

        // Disposal may have drained the pool between the check above and the add; drain again so nothing stays open.
        if (IsDisposed)
        {
            DrainReaders();
        }
    }

    private void DrainReaders()
    {
        while (_idleReaders.TryTake(out var reader))
        {
            reader.Dispose();
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
            string? folder = Path.GetDirectoryName(DataSource);
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }

            int before;
            try
            {
                using var connection = StoreConnection.Open(_connectionString, _options);
                using (var command = connection.Connection.CreateCommand())
                {
                    command.CommandText = "PRAGMA journal_mode = WAL;";
                    command.ExecuteNonQuery();
                }

                before = SqliteSchema.Migrate(connection.Connection);
                SqliteSchema.CheckEncryptionMode(connection.Connection, IsEncrypted, DataSource);
            }
            catch (SqliteException e) when (e.SqliteErrorCode == NotADatabase)
            {
                throw SqliteDatabaseFileException.NotADatabase(DataSource, e);
            }

            if (before != SqliteSchema.CurrentVersion)
            {
                LogMigrated(_logger, DataSource, before, SqliteSchema.CurrentVersion);
            }

            LogOpened(_logger, DataSource, SqliteSchema.CurrentVersion);
            _initialized = true;
        }
        catch (SqliteException ex) when (IsBusy(ex))
        {
            throw Busy(ex);
        }
        finally
        {
            _initLock.Release();
        }
    }

    // SQLITE_BUSY (5) and SQLITE_LOCKED (6), with or without extended result codes.
    private static bool IsBusy(SqliteException ex) => (ex.SqliteErrorCode & 0xFF) is 5 or 6;

    private SessionStoreBusyException Busy(SqliteException ex) => new(
        $"The SQLite database '{DataSource}' is locked: another connection or process held its write lock for longer than " +
        $"SqliteSessionStoreOptions.BusyTimeout ({_options.BusyTimeout.TotalMilliseconds:0} ms), so the operation did nothing. " +
        "Retry later, raise BusyTimeout, or end the long transaction holding the lock (another process or a database tool with the file open).",
        ex);

    [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "Session {SessionId} in {DataSource} is corrupted in storage and was left out of a listing or sweep; reading it reports the damage.")]
    private static partial void LogCorruptSessionSkipped(ILogger logger, string dataSource, Guid sessionId);

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Opened SQLite session store {DataSource} (schema version {SchemaVersion}).")]
    private static partial void LogOpened(ILogger logger, string dataSource, int schemaVersion);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Migrated SQLite session store {DataSource} from schema version {FromVersion} to {ToVersion}.")]
    private static partial void LogMigrated(ILogger logger, string dataSource, int fromVersion, int toVersion);
}
