using System.Runtime.CompilerServices;

namespace SessionKit.Storage;

/// <summary>
/// The base of every storage backend. Its public methods validate arguments, check disposal and cancellation, stamp ids
/// and times from the injected <see cref="System.TimeProvider"/>, and only then call the backend's <c>…CoreAsync</c>
/// method — so every backend rejects bad input the same way and persists nothing when it does.
/// </summary>
public abstract partial class SessionStore : ISessionStore, IAsyncDisposable, IDisposable
{
    private int _disposed;

    /// <summary>Initializes the store.</summary>
    /// <param name="limits">Size limits; <see langword="null"/> for the defaults. The object is copied, so later changes to it have no effect.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <param name="tokenCounter">Counts each message's tokens once, at append; <see langword="null"/> for <see cref="SharpTokenCounter.Default"/>.</param>
    /// <exception cref="ArgumentException">A limit is invalid.</exception>
    protected SessionStore(SessionLimits? limits, TimeProvider? timeProvider, ITokenCounter? tokenCounter)
    {
        limits = limits?.Clone() ?? new SessionLimits();
        var failures = limits.Validate();
        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", failures), nameof(limits));
        }

        Limits = limits;
        TimeProvider = timeProvider ?? TimeProvider.System;
        TokenCounter = tokenCounter ?? SharpTokenCounter.Default;
    }

    /// <summary>The size limits this store enforces.</summary>
    public SessionLimits Limits { get; }

    /// <summary>The clock that stamps sessions and messages.</summary>
    protected TimeProvider TimeProvider { get; }

    /// <summary>The counter whose counts are stored with each message and summary.</summary>
    public ITokenCounter TokenCounter { get; }

    /// <summary>Whether the store has been disposed.</summary>
    protected bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <inheritdoc />
    public Task<Session> CreateSessionAsync(string userId, SessionCreateOptions? options = null, CancellationToken cancellationToken = default)
    {
        ValidateId(userId, nameof(userId));
        ValidateTitle(options?.Title, nameof(options));
        var metadata = CopyMetadata(options?.Metadata, nameof(options));
        if (options?.ContinuesFromSessionId == Guid.Empty)
        {
            throw new ArgumentException("SessionCreateOptions.ContinuesFromSessionId must not be Guid.Empty; use null for none.", nameof(options));
        }

        ThrowIfUnusable(cancellationToken);

        var now = Now();
        var session = new Session
        {
            Id = Guid.CreateVersion7(now),
            UserId = userId,
            Title = string.IsNullOrEmpty(options?.Title) ? null : options.Title,
            CreatedAt = now,
            LastActivityAt = now,
            Version = 1,
            ContinuesFromSessionId = options?.ContinuesFromSessionId,
            Metadata = metadata,
        };
        return Observe(Start(StoreOperation.CreateSession, session.Id), IsEncrypted ? CreateSealedAsync(session, cancellationToken) : CreateSessionCoreAsync(session, cancellationToken));
    }

    /// <inheritdoc />
    public async Task<Session> GetSessionAsync(Guid sessionId, CancellationToken cancellationToken = default)
    {
        ValidateSessionId(sessionId);
        ThrowIfUnusable(cancellationToken);
        return await FindSessionAsync(sessionId, cancellationToken).ConfigureAwait(false)
            ?? throw new SessionNotFoundException(sessionId);
    }

    /// <inheritdoc />
    public Task<Session?> FindSessionAsync(Guid sessionId, CancellationToken cancellationToken = default)
    {
        ValidateSessionId(sessionId);
        ThrowIfUnusable(cancellationToken);
        return Observe(
            Start(StoreOperation.GetSession, sessionId),
            IsEncrypted ? OpenAsync(FindSessionCoreAsync(sessionId, cancellationToken), cancellationToken) : FindSessionCoreAsync(sessionId, cancellationToken),
            static session => session is null ? 0 : 1);
    }

    /// <inheritdoc />
    public Task<SessionPage> ListSessionsAsync(string userId, SessionListOptions? options = null, CancellationToken cancellationToken = default)
    {
        ValidateId(userId, nameof(userId));
        options ??= new SessionListOptions();
        if (options.PageSize is < 1 or > SessionListOptions.MaxPageSize)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options),
                options.PageSize,
                $"SessionListOptions.PageSize must be between 1 and {SessionListOptions.MaxPageSize}.");
        }

        if (!Enum.IsDefined(options.Order))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Order, "SessionListOptions.Order is not a defined SessionListOrder.");
        }

        if (options.Order == SessionListOrder.Created)
        {
            Guid? afterId = options.Cursor is null ? null : ParseCursor(options.Cursor, SessionListPosition.FromCreationCursor, nameof(options));
            ThrowIfUnusable(cancellationToken);
            var created = ListByCreationAsync(userId, options.PageSize, afterId, cancellationToken);
            return IsEncrypted ? OpenAsync(created, cancellationToken) : created;
        }

        SessionListPosition? after = options.Cursor is null ? null : ParseCursor(options.Cursor, SessionListPosition.FromCursor, nameof(options));
        ThrowIfUnusable(cancellationToken);
        var scope = Start(StoreOperation.ListSessions);
        var page = ListSessionsCoreAsync(userId, options.PageSize, after, cancellationToken);
        return Observe(scope, IsEncrypted ? OpenAsync(page, cancellationToken) : page, static page => page.Items.Count);
    }

    private async Task<SessionPage> ListByCreationAsync(string userId, int pageSize, Guid? afterId, CancellationToken cancellationToken)
    {
        var sessions = await ListSessionsByCreationCoreAsync(userId, pageSize + 1, afterId, cancellationToken).ConfigureAwait(false);
        if (sessions.Count <= pageSize)
        {
            return new SessionPage(sessions, null);
        }

        var items = sessions.Take(pageSize).ToList();
        return new SessionPage(items, SessionListPosition.ToCreationCursor(items[^1].Id));
    }

    /// <inheritdoc />
    public Task<Session> UpdateSessionAsync(Guid sessionId, SessionUpdate update, CancellationToken cancellationToken = default)
    {
        ValidateSessionId(sessionId);
        ArgumentNullException.ThrowIfNull(update);
        ValidateTitle(update.Title, nameof(update));
        var metadata = update.Metadata is null ? null : CopyMetadata(update.Metadata, nameof(update));
        ValidateExpectedVersion(update.ExpectedVersion, nameof(update));
        ThrowIfUnusable(cancellationToken);

        var normalized = update with { Metadata = metadata };
        return Observe(
            Start(StoreOperation.UpdateSession, sessionId),
            NotifyAfter(IsEncrypted ? UpdateSealedAsync(sessionId, normalized, cancellationToken) : UpdateSessionCoreAsync(sessionId, normalized, cancellationToken), sessionId));
    }

    /// <inheritdoc />
    public Task<bool> DeleteSessionAsync(Guid sessionId, CancellationToken cancellationToken = default)
    {
        ValidateSessionId(sessionId);
        ThrowIfUnusable(cancellationToken);
        return Observe(Start(StoreOperation.DeleteSession, sessionId), ForgetTempAfter(DeleteSessionCoreAsync(sessionId, null, cancellationToken), sessionId));
    }

    /// <inheritdoc />
    public Task<AppendResult> AppendMessagesAsync(
        Guid sessionId,
        IReadOnlyList<NewMessage> messages,
        AppendOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ValidateSessionId(sessionId);
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0)
        {
            throw new ArgumentException("At least one message is required.", nameof(messages));
        }

        if (messages.Count > Limits.MaxMessagesPerAppend)
        {
            throw new ArgumentException(
                $"The batch has {messages.Count} messages; at most {Limits.MaxMessagesPerAppend} may be appended at once (SessionLimits.MaxMessagesPerAppend).",
                nameof(messages));
        }

        ValidateExpectedVersion(options?.ExpectedVersion, nameof(options));

        var now = Now();
        var prepared = new SessionMessage[messages.Count];
        for (int i = 0; i < messages.Count; i++)
        {
            prepared[i] = Prepare(messages[i], i, sessionId, now, nameof(messages));
        }

        var idempotency = PrepareIdempotency(options, prepared);
        ThrowIfUnusable(cancellationToken);
        var scope = Start(StoreOperation.Append, sessionId);
        scope.Activity?.SetTag(SessionKitDiagnostics.MessageCount, prepared.Length);
        return Observe(
            scope,
            NotifyAfter(
                IsEncrypted
                    ? AppendSealedAsync(sessionId, prepared, options?.ExpectedVersion, idempotency, now, cancellationToken)
                    : AppendMessagesCoreAsync(sessionId, prepared, options?.ExpectedVersion, idempotency, now, cancellationToken),
                sessionId),
            appended: static result => result.IsReplay ? 0 : result.Messages.Count);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SessionMessage>> GetLastMessagesAsync(Guid sessionId, int count, CancellationToken cancellationToken = default)
    {
        ValidateSessionId(sessionId);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ThrowIfUnusable(cancellationToken);
        var scope = Start(StoreOperation.ReadLast, sessionId);
        var messages = GetLastMessagesCoreAsync(sessionId, count, cancellationToken);
        return Observe(scope, IsEncrypted ? OpenAsync(sessionId, messages, cancellationToken) : messages, static messages => messages.Count);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SessionMessage>> GetMessagesAsync(Guid sessionId, long fromSequence, long toSequence, CancellationToken cancellationToken = default)
    {
        ValidateSessionId(sessionId);
        ArgumentOutOfRangeException.ThrowIfLessThan(fromSequence, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(toSequence, fromSequence);
        ThrowIfUnusable(cancellationToken);
        var scope = Start(StoreOperation.ReadRange, sessionId);
        var messages = GetMessagesCoreAsync(sessionId, fromSequence, toSequence, cancellationToken);
        return Observe(scope, IsEncrypted ? OpenAsync(sessionId, messages, cancellationToken) : messages, static messages => messages.Count);
    }

    /// <inheritdoc />
    public IAsyncEnumerable<SessionMessage> ReadAllMessagesAsync(Guid sessionId, CancellationToken cancellationToken = default)
    {
        ValidateSessionId(sessionId);
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        return ReadAllMessagesIterator(sessionId, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SessionMessage>> GetMessagesByTimeAsync(Guid sessionId, MessageTimeQuery query, CancellationToken cancellationToken = default)
    {
        ValidateSessionId(sessionId);
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit is < 1 or > MessageTimeQuery.MaxLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(query), query.Limit, $"MessageTimeQuery.Limit must be between 1 and {MessageTimeQuery.MaxLimit}.");
        }

        if (query.Since is { } since && query.Until is { } until && since >= until)
        {
            throw new ArgumentException("MessageTimeQuery.Since must be earlier than MessageTimeQuery.Until.", nameof(query));
        }

        ThrowIfUnusable(cancellationToken);
        var normalized = query with { Since = query.Since?.ToUniversalTime(), Until = query.Until?.ToUniversalTime() };
        var messages = GetMessagesByTimeCoreAsync(sessionId, normalized, cancellationToken);
        return IsEncrypted ? OpenAsync(sessionId, messages, cancellationToken) : messages;
    }

    /// <inheritdoc />
    public Task<long> CountMessagesAsync(Guid sessionId, CancellationToken cancellationToken = default)
    {
        ValidateSessionId(sessionId);
        ThrowIfUnusable(cancellationToken);
        return Observe(Start(StoreOperation.Count, sessionId), CountMessagesCoreAsync(sessionId, cancellationToken));
    }

    /// <inheritdoc />
    public Task<SessionSummary> SaveSummaryAsync(Guid sessionId, NewSummary summary, CancellationToken cancellationToken = default)
    {
        ValidateSessionId(sessionId);
        ArgumentNullException.ThrowIfNull(summary);
        if (summary.FromSequence < 1 || summary.ToSequence < summary.FromSequence)
        {
            throw new ArgumentOutOfRangeException(
                nameof(summary),
                $"A summary must cover a non-empty range starting at 1 or later (was [{summary.FromSequence}, {summary.ToSequence}]).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(summary.Level, 1, nameof(summary));
        if (string.IsNullOrWhiteSpace(summary.Content))
        {
            throw new ArgumentException("A summary's text must not be empty.", nameof(summary));
        }

        if (summary.Content.Length > Limits.MaxContentLength)
        {
            throw new ArgumentException($"The summary has {summary.Content.Length} characters; the limit is {Limits.MaxContentLength} (SessionLimits.MaxContentLength).", nameof(summary));
        }

        if (!IsWellFormed(summary.Content))
        {
            throw new ArgumentException("The summary text has an unpaired surrogate; it is not valid Unicode.", nameof(summary));
        }

        ValidateId(summary.SummarizerId, nameof(summary));
        ThrowIfUnusable(cancellationToken);

        var now = Now();
        var stored = new SessionSummary
        {
            Id = Guid.CreateVersion7(now),
            SessionId = sessionId,
            FromSequence = summary.FromSequence,
            ToSequence = summary.ToSequence,
            Level = summary.Level,
            Content = summary.Content,
            TokenCount = TokenCounting.CountSummary(TokenCounter, summary.Content),
            TokenEncoding = TokenCounter.EncodingName,
            SummarizerId = summary.SummarizerId,
            CreatedAt = now,
        };
        return Observe(Start(StoreOperation.SaveSummary, sessionId), IsEncrypted ? SaveSealedSummaryAsync(stored, cancellationToken) : SaveSummaryCoreAsync(stored, cancellationToken));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SessionSummary>> GetSummariesAsync(Guid sessionId, SummaryQuery? query = null, CancellationToken cancellationToken = default)
    {
        ValidateSessionId(sessionId);
        query ??= new SummaryQuery();
        if (query.Limit is < 1 or > SummaryQuery.MaxLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(query), query.Limit, $"SummaryQuery.Limit must be between 1 and {SummaryQuery.MaxLimit}.");
        }

        if (query.Level is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(query), query.Level, "SummaryQuery.Level must be at least 1.");
        }

        ThrowIfUnusable(cancellationToken);
        var scope = Start(StoreOperation.GetSummaries, sessionId);
        var summaries = GetSummariesCoreAsync(sessionId, query, cancellationToken);
        return Observe(scope, IsEncrypted ? OpenAsync(sessionId, summaries, cancellationToken) : summaries, static summaries => summaries.Count);
    }

    /// <inheritdoc />
    public Task<int> InvalidateSummariesAsync(Guid sessionId, long fromSequence, CancellationToken cancellationToken = default)
    {
        ValidateSessionId(sessionId);
        ArgumentOutOfRangeException.ThrowIfLessThan(fromSequence, 1);
        ThrowIfUnusable(cancellationToken);
        return Observe(Start(StoreOperation.InvalidateSummaries, sessionId), InvalidateSummariesCoreAsync(sessionId, fromSequence, cancellationToken));
    }

    /// <inheritdoc />
    public Task<SearchPage> SearchAsync(string userId, SearchQuery query, CancellationToken cancellationToken = default)
    {
        ValidateId(userId, nameof(userId));
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(query.Text, nameof(query));
        if (query.Limit is < 1 or > SearchQuery.MaxLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(query), query.Limit, $"SearchQuery.Limit must be between 1 and {SearchQuery.MaxLimit}.");
        }

        int offset = SearchCursor.Decode(query);

        if (query.Role is { } role && !Enum.IsDefined(role))
        {
            throw new ArgumentOutOfRangeException(nameof(query), role, "SearchQuery.Role is not a defined MessageRole.");
        }

        if (query.Since is { } since && query.Until is { } until && since >= until)
        {
            throw new ArgumentException("SearchQuery.Since must be earlier than SearchQuery.Until.", nameof(query));
        }

        if (query.SessionId == Guid.Empty)
        {
            throw new ArgumentException("SearchQuery.SessionId must not be Guid.Empty; use null for every session.", nameof(query));
        }

        ArgumentNullException.ThrowIfNull(query.HighlightStart, nameof(query));
        ArgumentNullException.ThrowIfNull(query.HighlightEnd, nameof(query));
        var mode = ResolveMode(query);
        ThrowIfUnusable(cancellationToken);

        var terms = SearchText.QueryTerms(query.Text);
        if (mode != SearchMode.Lexical)
        {
            return Observe(Start(StoreOperation.Search, query.SessionId), SearchByMeaningAsync(userId, query, terms, offset, mode, cancellationToken), static results => results.Items.Count);
        }

        return terms.Count == 0 ? Task.FromResult(SearchPage.Empty)
            : Observe(
                Start(StoreOperation.Search, query.SessionId),
                IsEncrypted ? SearchSealedAsync(userId, query, terms, offset, cancellationToken) : SearchCoreAsync(userId, query, terms, offset, cancellationToken),
                static results => results.Items.Count);
    }

    /// <summary>
    /// Runs a validated search for <paramref name="terms"/> (from <see cref="SearchText.QueryTerms"/>; never empty) in
    /// <paramref name="userId"/>'s messages: a message matches when it contains any term (after Porter stemming); hits are
    /// ranked by BM25 (k1 = 1.2, b = 0.75), most relevant first, then filtered and paged as the query says.
    /// </summary>
    /// <param name="userId">A validated user id.</param>
    /// <param name="query">The validated query (filters, page size, highlight markers; its cursor is already decoded into
    /// <paramref name="offset"/>).</param>
    /// <param name="terms">The normalized terms.</param>
    /// <param name="offset">How many ranked hits to skip (0 to <see cref="SearchQuery.MaxOffset"/>).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The page of hits; build it with <see cref="SearchPageOf"/>.</returns>
    protected abstract Task<SearchPage> SearchCoreAsync(string userId, SearchQuery query, IReadOnlyList<string> terms, int offset, CancellationToken cancellationToken);

    /// <summary>The page a backend returns from <see cref="SearchCoreAsync"/>: its hits and the cursor of the next page.</summary>
    /// <param name="hits">The hits of this page, most relevant first.</param>
    /// <param name="nextOffset">The number of ranked hits the next page skips, or <see langword="null"/> when there are no more.</param>
    /// <returns>The page, with <see cref="SearchPage.NextCursor"/> encoding <paramref name="nextOffset"/>.</returns>
    protected static SearchPage SearchPageOf(IReadOnlyList<SearchHit> hits, int? nextOffset)
    {
        ArgumentNullException.ThrowIfNull(hits);
        return new SearchPage(hits, nextOffset is { } next ? SearchCursor.Encode(next) : null);
    }

    /// <summary>
    /// Stores a validated summary unless one of the same level and first sequence exists (then returns that one). Throws
    /// <see cref="SessionNotFoundException"/> for an unknown session and <see cref="ArgumentOutOfRangeException"/> when the
    /// summary ends after the session's last sequence.
    /// </summary>
    /// <param name="summary">The summary, with id, time and token count set.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The stored or existing summary.</returns>
    protected abstract Task<SessionSummary> SaveSummaryCoreAsync(SessionSummary summary, CancellationToken cancellationToken);

    /// <summary>Reads summaries; throws <see cref="SessionNotFoundException"/> for an unknown session.</summary>
    /// <param name="sessionId">A non-empty id.</param>
    /// <param name="query">A validated query.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The summaries.</returns>
    protected abstract Task<IReadOnlyList<SessionSummary>> GetSummariesCoreAsync(Guid sessionId, SummaryQuery query, CancellationToken cancellationToken);

    /// <summary>Deletes summaries whose range ends at or after <paramref name="fromSequence"/>; throws <see cref="SessionNotFoundException"/> for an unknown session.</summary>
    /// <param name="sessionId">A non-empty id.</param>
    /// <param name="fromSequence">At least 1.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>How many were deleted.</returns>
    protected abstract Task<int> InvalidateSummariesCoreAsync(Guid sessionId, long fromSequence, CancellationToken cancellationToken);

    /// <summary>Throws when <paramref name="summary"/> ends after the last message of <paramref name="current"/>.</summary>
    /// <param name="current">The session as read inside the transaction or lock.</param>
    /// <param name="summary">The summary to store.</param>
    protected static void CheckSummaryRange(Session current, SessionSummary summary)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(summary);
        if (summary.ToSequence > current.LastSequence)
        {
            throw new ArgumentOutOfRangeException(
                nameof(summary),
                $"The summary ends at sequence {summary.ToSequence}, after the session's last message ({current.LastSequence}).");
        }
    }

    /// <summary>
    /// Persists a new session built and validated by the base class. When <see cref="Session.ContinuesFromSessionId"/> is set,
    /// the backend checks, atomically with the insert, that the referenced session exists and has the same user, and throws
    /// <see cref="ArgumentException"/> (use <see cref="ContinuesFromMismatch"/>) otherwise.
    /// </summary>
    /// <param name="session">The session to store.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The stored session.</returns>
    protected abstract Task<Session> CreateSessionCoreAsync(Session session, CancellationToken cancellationToken);

    /// <summary>The exception for a <see cref="SessionCreateOptions.ContinuesFromSessionId"/> that names no session of the same user.</summary>
    /// <param name="continuesFrom">The referenced id.</param>
    /// <returns>The exception to throw; it does not say whether the session exists under another user.</returns>
    protected static ArgumentException ContinuesFromMismatch(Guid continuesFrom) =>
        new($"SessionCreateOptions.ContinuesFromSessionId '{continuesFrom}' does not name an existing session of the same user.");

    /// <summary>Reads a session.</summary>
    /// <param name="sessionId">A non-empty id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The session, or <see langword="null"/> when it does not exist.</returns>
    protected abstract Task<Session?> FindSessionCoreAsync(Guid sessionId, CancellationToken cancellationToken);

    /// <summary>Reads one page of a user's sessions in <see cref="SessionListPosition"/> order.</summary>
    /// <param name="userId">A validated user id.</param>
    /// <param name="pageSize">Between 1 and <see cref="SessionListOptions.MaxPageSize"/>.</param>
    /// <param name="after">Only sessions listed after this position; <see langword="null"/> from the start.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The page; its cursor is the last item's position when more may follow.</returns>
    protected abstract Task<SessionPage> ListSessionsCoreAsync(string userId, int pageSize, SessionListPosition? after, CancellationToken cancellationToken);

    /// <summary>
    /// Reads up to <paramref name="limit"/> of a user's sessions in descending id order (ids compared as big-endian bytes, see
    /// <see cref="SessionListPosition.CompareIds"/>), after <paramref name="afterId"/> in that order. Backs
    /// <see cref="SessionListOrder.Created"/>, which must stay stable while sessions change.
    /// </summary>
    /// <param name="userId">A validated user id.</param>
    /// <param name="limit">At least 2 (a page and one more, so the base class knows whether another page follows).</param>
    /// <param name="afterId">Only sessions with a smaller id; <see langword="null"/> from the newest.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The sessions.</returns>
    protected abstract Task<IReadOnlyList<Session>> ListSessionsByCreationCoreAsync(string userId, int limit, Guid? afterId, CancellationToken cancellationToken);

    /// <summary>Applies a validated update (metadata already copied), checking the expected version, and increments the version.</summary>
    /// <param name="sessionId">A non-empty id.</param>
    /// <param name="update">The update.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The updated session.</returns>
    protected abstract Task<Session> UpdateSessionCoreAsync(Guid sessionId, SessionUpdate update, CancellationToken cancellationToken);

    /// <summary>
    /// Stores validated messages atomically. Each has its id, session id and timestamp set and <see cref="SessionMessage.Sequence"/> 0;
    /// the backend assigns consecutive sequences after the session's last one, increments the version once and sets the last activity.
    /// </summary>
    /// <param name="sessionId">A non-empty id.</param>
    /// <param name="messages">One or more prepared messages.</param>
    /// <param name="expectedVersion">When not <see langword="null"/>, the version the session must have.</param>
    /// <param name="idempotency">
    /// When not <see langword="null"/>, the append's key: if the session has it already, the backend stores nothing and
    /// returns <see cref="Replay"/> (before checking the version); otherwise it stores the key with the append's sequences.
    /// </param>
    /// <param name="now">The time of the append.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The updated session and the stored messages.</returns>
    protected abstract Task<AppendResult> AppendMessagesCoreAsync(
        Guid sessionId,
        IReadOnlyList<SessionMessage> messages,
        long? expectedVersion,
        IdempotentAppend? idempotency,
        DateTimeOffset now,
        CancellationToken cancellationToken);

    /// <summary>Reads the newest messages, oldest first; throws <see cref="SessionNotFoundException"/> for an unknown session.</summary>
    /// <param name="sessionId">A non-empty id.</param>
    /// <param name="count">Zero or more.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The messages.</returns>
    protected abstract Task<IReadOnlyList<SessionMessage>> GetLastMessagesCoreAsync(Guid sessionId, int count, CancellationToken cancellationToken);

    /// <summary>Reads a range of messages in order; throws <see cref="SessionNotFoundException"/> for an unknown session.</summary>
    /// <param name="sessionId">A non-empty id.</param>
    /// <param name="fromSequence">At least 1.</param>
    /// <param name="toSequence">At least <paramref name="fromSequence"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The messages.</returns>
    protected abstract Task<IReadOnlyList<SessionMessage>> GetMessagesCoreAsync(Guid sessionId, long fromSequence, long toSequence, CancellationToken cancellationToken);

    /// <summary>
    /// Reads the messages created in [Since, Until) (either bound may be absent), oldest first: the first
    /// <see cref="MessageTimeQuery.Limit"/> of the range, or the last ones when <see cref="MessageTimeQuery.Newest"/> is set.
    /// Must not read the whole session (use an index on the message time, or the fact that times never decrease with the
    /// sequence). Throws <see cref="SessionNotFoundException"/> for an unknown session.
    /// </summary>
    /// <param name="sessionId">A non-empty id.</param>
    /// <param name="query">A validated query with times in UTC.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The messages.</returns>
    protected abstract Task<IReadOnlyList<SessionMessage>> GetMessagesByTimeCoreAsync(Guid sessionId, MessageTimeQuery query, CancellationToken cancellationToken);

    /// <summary>Counts messages; throws <see cref="SessionNotFoundException"/> for an unknown session. The default reads
    /// <see cref="Session.MessageCount"/> through <see cref="FindSessionCoreAsync"/>; override only to count another way.</summary>
    /// <param name="sessionId">A non-empty id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The count.</returns>
    protected virtual async Task<long> CountMessagesCoreAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        var session = await FindSessionCoreAsync(sessionId, cancellationToken).ConfigureAwait(false)
            ?? throw new SessionNotFoundException(sessionId);
        return session.MessageCount;
    }

    /// <summary>The number of messages <see cref="ReadAllMessagesAsync"/> reads per round trip.</summary>
    protected virtual int StreamPageSize => 256;

    /// <summary>Releases the backend's resources. Called once.</summary>
    /// <returns>A task that completes when resources are released.</returns>
    protected virtual ValueTask DisposeAsyncCore() => ValueTask.CompletedTask;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await DisposeAsyncCore().ConfigureAwait(false);
        }

        GC.SuppressFinalize(this);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            DisposeAsyncCore().AsTask().GetAwaiter().GetResult();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Computes the outcome of an append to <paramref name="current"/>: consecutive sequences after its last one, the new
    /// version and message count, and a timestamp that never goes backwards. Backends call it inside their transaction or
    /// lock and persist the result, so every backend assigns sequences and times the same way.
    /// </summary>
    /// <param name="current">The session as read inside the transaction or lock.</param>
    /// <param name="messages">The prepared messages passed to <see cref="AppendMessagesCoreAsync"/>.</param>
    /// <param name="expectedVersion">The expected version, if any.</param>
    /// <param name="now">The time passed to <see cref="AppendMessagesCoreAsync"/>.</param>
    /// <returns>The messages to store and the session to store.</returns>
    /// <exception cref="SessionConcurrencyException">The version does not match.</exception>
    protected static AppendResult PlanAppend(Session current, IReadOnlyList<SessionMessage> messages, long? expectedVersion, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(messages);
        CheckVersion(current, expectedVersion);

        // The clock is read before the backend serializes writers, so a later append may carry an earlier reading.
        // Clamping keeps LastActivityAt and message times in sequence order.
        var at = now > current.LastActivityAt ? now : current.LastActivityAt;
        var stored = new SessionMessage[messages.Count];
        long sequence = current.LastSequence;
        for (int i = 0; i < stored.Length; i++)
        {
            stored[i] = messages[i] with { Sequence = ++sequence, CreatedAt = at };
        }

        var updated = current with
        {
            LastSequence = sequence,
            MessageCount = current.MessageCount + stored.Length,
            LastActivityAt = at,
            Version = current.Version + 1,
        };
        return new AppendResult(updated, stored);
    }

    /// <summary>Computes the session after <paramref name="update"/>, checking its expected version.</summary>
    /// <param name="current">The session as read inside the transaction or lock.</param>
    /// <param name="update">The validated update passed to <see cref="UpdateSessionCoreAsync"/>.</param>
    /// <returns>The session to store.</returns>
    /// <exception cref="SessionConcurrencyException">The version does not match.</exception>
    protected static Session PlanUpdate(Session current, SessionUpdate update)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(update);
        CheckVersion(current, update.ExpectedVersion);
        return current with
        {
            Title = update.Title is null ? current.Title : update.Title.Length == 0 ? null : update.Title,
            Metadata = update.Metadata ?? current.Metadata,
            Version = current.Version + 1,
        };
    }

    /// <summary>Throws <see cref="SessionConcurrencyException"/> when <paramref name="expectedVersion"/> is set and differs from the session's version.</summary>
    /// <param name="current">The session as read inside the transaction or lock.</param>
    /// <param name="expectedVersion">The version the caller expects, or <see langword="null"/> for no check.</param>
    protected static void CheckVersion(Session current, long? expectedVersion)
    {
        ArgumentNullException.ThrowIfNull(current);
        if (expectedVersion is { } expected && expected != current.Version)
        {
            throw new SessionConcurrencyException(current.Id, expected, current.Version);
        }
    }

    /// <summary>Throws <see cref="ObjectDisposedException"/> after disposal or <see cref="OperationCanceledException"/> when cancelled.</summary>
    /// <param name="cancellationToken">The operation's token.</param>
    protected void ThrowIfUnusable(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        cancellationToken.ThrowIfCancellationRequested();
    }

    private async IAsyncEnumerable<SessionMessage> ReadAllMessagesIterator(Guid sessionId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long next = 1;
        int pageSize = StreamPageSize;
        while (true)
        {
            ThrowIfUnusable(cancellationToken);
            var pending = GetMessagesCoreAsync(sessionId, next, next + pageSize - 1, cancellationToken);
            var page = await (IsEncrypted ? OpenAsync(sessionId, pending, cancellationToken) : pending).ConfigureAwait(false);
            foreach (var message in page)
            {
                yield return message;
            }

            // A short page can still be followed by messages when sequences have gaps, so continue from the session's last sequence.
            if (page.Count < pageSize)
            {
                var session = await FindSessionCoreAsync(sessionId, cancellationToken).ConfigureAwait(false);
                if (session is null || session.LastSequence < next + pageSize)
                {
                    yield break;
                }
            }

            next += pageSize;
        }
    }

    private DateTimeOffset Now() => TimeProvider.GetUtcNow().ToUniversalTime();

    private SessionMessage Prepare(NewMessage message, int index, Guid sessionId, DateTimeOffset now, string paramName)
    {
        if (message is null)
        {
            throw new ArgumentException($"Message {index} of the batch is null.", paramName);
        }

        if (!Enum.IsDefined(message.Role))
        {
            throw new ArgumentException($"Message {index} of the batch has an undefined role ({(int)message.Role}).", paramName);
        }

        if (message.Content is null)
        {
            throw new ArgumentException($"Message {index} of the batch has null content; use an empty string for none.", paramName);
        }

        if (message.Content.Length > Limits.MaxContentLength)
        {
            throw new MessageTooLargeException(index, message.Content.Length, Limits.MaxContentLength);
        }

        if (!IsWellFormed(message.Content))
        {
            throw new ArgumentException($"Message {index} of the batch has content with an unpaired surrogate; it is not valid Unicode and could not be stored faithfully.", paramName);
        }

        ValidateOptionalId(message.AuthorId, index, nameof(NewMessage.AuthorId), paramName);
        ValidateOptionalId(message.ToolCallId, index, nameof(NewMessage.ToolCallId), paramName);
        ValidateOptionalId(message.ToolName, index, nameof(NewMessage.ToolName), paramName);
        if (message.Role == MessageRole.Tool && message.ToolCallId is null)
        {
            throw new ArgumentException($"Message {index} of the batch is a tool result without a ToolCallId; a tool message must name the call it answers.", paramName);
        }

        return new SessionMessage
        {
            Id = Guid.CreateVersion7(now),
            SessionId = sessionId,
            Sequence = 0,
            Role = message.Role,
            Content = message.Content,
            AuthorId = message.AuthorId,
            ToolCallId = message.ToolCallId,
            ToolName = message.ToolName,
            CreatedAt = now,
            Metadata = CopyMetadata(message.Metadata, paramName),
            TokenCount = TokenCounting.Count(TokenCounter, message.Role, message.Content, message.AuthorId, message.ToolCallId, message.ToolName),
            TokenEncoding = TokenCounter.EncodingName,
        };
    }

    private void ValidateId(string value, string paramName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value, paramName);
        if (value.Length > Limits.MaxIdLength)
        {
            throw new ArgumentException($"The id is {value.Length} characters long; the limit is {Limits.MaxIdLength} (SessionLimits.MaxIdLength).", paramName);
        }

        if (!IsWellFormed(value))
        {
            throw new ArgumentException("The id has an unpaired surrogate; it is not valid Unicode.", paramName);
        }
    }

    // Backends store UTF-8, where an unpaired UTF-16 surrogate cannot be represented; reject it rather than store U+FFFD.
    private static bool IsWellFormed(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (!char.IsSurrogate(c))
            {
                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            return false;
        }

        return true;
    }

    private void ValidateOptionalId(string? value, int index, string property, string paramName)
    {
        if (value is null)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(value) || !IsWellFormed(value))
        {
            throw new ArgumentException($"Message {index} of the batch has a blank or malformed {property}; use null for none.", paramName);
        }

        if (value.Length > Limits.MaxIdLength)
        {
            throw new ArgumentException($"Message {index} of the batch has a {property} of {value.Length} characters; the limit is {Limits.MaxIdLength} (SessionLimits.MaxIdLength).", paramName);
        }
    }

    private void ValidateTitle(string? title, string paramName) => ValidateTitle(title, Limits, paramName);

    internal static void ValidateTitle(string? title, SessionLimits limits, string paramName)
    {
        if (title is null)
        {
            return;
        }

        if (title.Length > limits.MaxTitleLength)
        {
            throw new ArgumentException($"The title has {title.Length} characters; the limit is {limits.MaxTitleLength} (SessionLimits.MaxTitleLength).", paramName);
        }

        if (!IsWellFormed(title))
        {
            throw new ArgumentException("The title has an unpaired surrogate; it is not valid Unicode.", paramName);
        }
    }

    // The caller passed options, not a cursor: name the parameter they can find.
    private static T ParseCursor<T>(string cursor, Func<string, T> parse, string paramName)
    {
        try
        {
            return parse(cursor);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException("SessionListOptions.Cursor is not valid: pass the NextCursor of a previous page listed in the same order, unchanged.", paramName, e);
        }
    }

    private static void ValidateSessionId(Guid sessionId)
    {
        if (sessionId == Guid.Empty)
        {
            throw new ArgumentException("The session id must not be Guid.Empty.", nameof(sessionId));
        }
    }

    private static void ValidateExpectedVersion(long? expectedVersion, string paramName)
    {
        if (expectedVersion is < 1)
        {
            throw new ArgumentOutOfRangeException(paramName, expectedVersion, "An expected version must be at least 1 (sessions start at version 1).");
        }
    }

    private IReadOnlyDictionary<string, string> CopyMetadata(IReadOnlyDictionary<string, string>? metadata, string paramName)
    {
        if (metadata is null || metadata.Count == 0)
        {
            return EmptyMetadata.Instance;
        }

        if (metadata.Count > Limits.MaxMetadataEntries)
        {
            throw new ArgumentException($"Metadata has {metadata.Count} entries; the limit is {Limits.MaxMetadataEntries} (SessionLimits.MaxMetadataEntries).", paramName);
        }

        var copy = new Dictionary<string, string>(metadata.Count, StringComparer.Ordinal);
        foreach (var (key, value) in metadata)
        {
            if (string.IsNullOrEmpty(key))
            {
                throw new ArgumentException("Metadata keys must not be null or empty.", paramName);
            }

            if (value is null)
            {
                throw new ArgumentException($"Metadata entry '{key}' has a null value.", paramName);
            }

            if (!IsWellFormed(key) || !IsWellFormed(value))
            {
                throw new ArgumentException($"Metadata entry '{key}' has an unpaired surrogate; it is not valid Unicode.", paramName);
            }

            if (value.Length > Limits.MaxContentLength)
            {
                throw new ArgumentException($"Metadata entry '{key}' has {value.Length} characters; the limit is {Limits.MaxContentLength} (SessionLimits.MaxContentLength).", paramName);
            }

            copy[key] = value;
        }

        return copy.AsReadOnly();
    }
}
