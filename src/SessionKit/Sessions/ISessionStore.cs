using SessionKit.Storage;

namespace SessionKit;

/// <summary>
/// SessionKit's one app-facing contract: everything an app does with conversation memory — sessions and their history,
/// summaries, search, correction (<see cref="ISessionCorrectionStore"/>), shared state and the change feed
/// (<see cref="ISessionStateStore"/>), turns and leases (<see cref="ISessionLeaseStore"/>) and erase. Every operation is
/// atomic: it happens entirely or not at all.
/// </summary>
/// <remarks>
/// <para>Resolve it from DI for host code (no caller checks), or take a caller's access-checked view of the same shape
/// with <see cref="ISessionAccessor.ForCaller(SessionCaller)"/> — a <see cref="SessionScope"/> is an
/// <see cref="ISessionStore"/> too, plus context windows. The capability interfaces it extends exist for code that needs
/// only one capability (a decorator, a component that only corrects); nobody needs to resolve them.</para>
/// <para>Implementations are thread-safe. Backends derive from <see cref="SessionStore"/>, which validates arguments once for all of them.</para>
/// <para>Operations that name a session throw <see cref="SessionNotFoundException"/> when it does not exist,
/// <see cref="ArgumentException"/> (or a subclass) for invalid arguments, and <see cref="ObjectDisposedException"/> after disposal.</para>
/// </remarks>
public interface ISessionStore : ISessionCorrectionStore, ISessionStateStore, ISessionLeaseStore
{
    /// <summary>Creates a new, empty session owned by <paramref name="userId"/>.</summary>
    /// <param name="userId">The owner, as identified by the host application.</param>
    /// <param name="options">Optional title and metadata.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The new session, at version 1.</returns>
    Task<Session> CreateSessionAsync(string userId, SessionCreateOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Gets a session.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The session.</returns>
    /// <exception cref="SessionNotFoundException">No session has that id.</exception>
    Task<Session> GetSessionAsync(Guid sessionId, CancellationToken cancellationToken = default);

    /// <summary>Gets a session, or <see langword="null"/> when it does not exist.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The session, or <see langword="null"/>.</returns>
    Task<Session?> FindSessionAsync(Guid sessionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Lists a user's sessions one keyset page at a time, most recent activity first, or in creation order with
    /// <see cref="SessionListOptions.Order"/> = <see cref="SessionListOrder.Created"/> (stable for full scans).
    /// </summary>
    /// <param name="userId">The owner.</param>
    /// <param name="options">Page size and the cursor of the previous page.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A page of sessions and the cursor of the next page.</returns>
    Task<SessionPage> ListSessionsAsync(string userId, SessionListOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Changes a session's title and/or metadata and increments its version.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="update">What to change.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The updated session.</returns>
    /// <exception cref="SessionConcurrencyException"><see cref="SessionUpdate.ExpectedVersion"/> did not match.</exception>
    Task<Session> UpdateSessionAsync(Guid sessionId, SessionUpdate update, CancellationToken cancellationToken = default);

    /// <summary>Deletes a session and all of its messages.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> if the session existed and was deleted; <see langword="false"/> if there was no such session.</returns>
    Task<bool> DeleteSessionAsync(Guid sessionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends a batch of messages atomically: either all are stored, with consecutive sequences after the session's last one,
    /// or none is. The session's version is incremented once and its last activity set to now.
    /// </summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="messages">One or more messages, in order.</param>
    /// <param name="options">An optional expected version.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The updated session and the stored messages.</returns>
    /// <exception cref="MessageTooLargeException">A message exceeds <see cref="SessionLimits.MaxContentLength"/>.</exception>
    /// <exception cref="SessionConcurrencyException"><see cref="AppendOptions.ExpectedVersion"/> did not match.</exception>
    Task<AppendResult> AppendMessagesAsync(Guid sessionId, IReadOnlyList<NewMessage> messages, AppendOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Reads the newest <paramref name="count"/> messages of a session, in chronological order.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="count">How many messages at most; 0 returns an empty list.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Up to <paramref name="count"/> messages, oldest first.</returns>
    Task<IReadOnlyList<SessionMessage>> GetLastMessagesAsync(Guid sessionId, int count, CancellationToken cancellationToken = default);

    /// <summary>Reads the messages whose sequence lies in [<paramref name="fromSequence"/>, <paramref name="toSequence"/>], in order.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="fromSequence">The first sequence (at least 1).</param>
    /// <param name="toSequence">The last sequence (at least <paramref name="fromSequence"/>); beyond the end returns what exists.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The messages in the range, oldest first.</returns>
    Task<IReadOnlyList<SessionMessage>> GetMessagesAsync(Guid sessionId, long fromSequence, long toSequence, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads the messages of a session created in [<see cref="MessageTimeQuery.Since"/>, <see cref="MessageTimeQuery.Until"/>),
    /// oldest first, without reading the rest of the history (backends keep an index on the message time).
    /// </summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="query">The time range, the limit, and whether to take the oldest or the newest messages of the range.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Up to <see cref="MessageTimeQuery.Limit"/> messages, oldest first.</returns>
    /// <exception cref="SessionNotFoundException">No session has that id.</exception>
    Task<IReadOnlyList<SessionMessage>> GetMessagesByTimeAsync(Guid sessionId, MessageTimeQuery query, CancellationToken cancellationToken = default);

    /// <summary>Streams every message of a session in order, reading in pages so a long history never sits in memory at once.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The messages, oldest first.</returns>
    IAsyncEnumerable<SessionMessage> ReadAllMessagesAsync(Guid sessionId, CancellationToken cancellationToken = default);

    /// <summary>Counts the messages of a session.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The number of stored messages.</returns>
    Task<long> CountMessagesAsync(Guid sessionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores a summary of the range [<see cref="NewSummary.FromSequence"/>, <see cref="NewSummary.ToSequence"/>] at its level.
    /// Saving is idempotent per (level, first sequence): if such a summary exists already (another request made it
    /// concurrently), that one is returned and nothing is stored. Summaries do not change the session's version.
    /// </summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="summary">The summary.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The stored summary (or the one that already covered that start at that level).</returns>
    /// <exception cref="ArgumentOutOfRangeException">The range is empty, starts before 1 or ends after the session's last message.</exception>
    Task<SessionSummary> SaveSummaryAsync(Guid sessionId, NewSummary summary, CancellationToken cancellationToken = default);

    /// <summary>Reads a session's summaries, filtered and ordered by <paramref name="query"/>.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="query">Filters, order and limit; <see langword="null"/> for the newest 100 of every level.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The summaries.</returns>
    Task<IReadOnlyList<SessionSummary>> GetSummariesAsync(Guid sessionId, SummaryQuery? query = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes every summary (of any level) that covers a message at or after <paramref name="fromSequence"/>: call it when such
    /// messages change or disappear. Summaries are rebuilt on demand.
    /// </summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="fromSequence">The first changed sequence (at least 1).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>How many summaries were deleted.</returns>
    Task<int> InvalidateSummariesAsync(Guid sessionId, long fromSequence, CancellationToken cancellationToken = default);

    /// <summary>
    /// Searches one user's messages across all of their sessions (or one, with <see cref="SearchQuery.SessionId"/>), ranked
    /// by relevance. Never returns another user's messages. Any text is a valid query (see <see cref="SearchQuery"/>).
    /// </summary>
    /// <param name="userId">The user whose history is searched.</param>
    /// <param name="query">The words, filters and page.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>One page of hits, most relevant first.</returns>
    Task<SearchPage> SearchAsync(string userId, SearchQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Erases everything stored about <paramref name="userId"/>: every session with its messages, summaries and search-index
    /// entries, and every session token and device of the user. Other users' data is untouched. Backends that write files
    /// also remove the erased bytes from them (SQLite: <c>secure_delete</c>, FTS5 secure-delete and a WAL checkpoint).
    /// </summary>
    /// <param name="userId">The user to erase (on a <see cref="SessionScope"/>: only the caller itself).</param>
    /// <param name="cancellationToken">Cancels the operation before it starts; once started, the erase is atomic.</param>
    /// <returns>What was removed; <see cref="EraseResult.None"/> for a user the store does not know (a no-op, not an error).</returns>
    Task<EraseResult> EraseUserAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Erases one session with its messages, summaries and search-index entries, removing the bytes from the backend's files
    /// as <see cref="EraseUserAsync"/> does. The session's tokens stay (they belong to the user) but no longer resolve to it.
    /// </summary>
    /// <param name="sessionId">The session to erase (on a <see cref="SessionScope"/>: one the caller owns).</param>
    /// <param name="cancellationToken">Cancels the operation before it starts.</param>
    /// <returns>What was removed; <see cref="EraseResult.None"/> when there is no such session.</returns>
    Task<EraseResult> EraseSessionAsync(Guid sessionId, CancellationToken cancellationToken = default);
}
