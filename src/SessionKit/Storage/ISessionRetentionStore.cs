namespace SessionKit.Storage;

/// <summary>
/// The storage primitives the <see cref="ISessionSweeper"/> applies retention policies with: scan sessions in bounded
/// batches, erase a batch of sessions, trim a session's old messages. Implemented by every <see cref="SessionStore"/>;
/// the policies themselves live in <see cref="SessionExpiryPolicy"/>, not in the backends.
/// </summary>
public interface ISessionRetentionStore
{
    /// <summary>The most sessions one call of <see cref="ScanSessionsAsync"/> or <see cref="EraseSessionsAsync"/> handles.</summary>
    const int MaxBatchSize = 10_000;

    /// <summary>Reads sessions of every user in id order (creation order), one keyset batch at a time.</summary>
    /// <param name="afterSessionId">Only sessions with a greater id; <see langword="null"/> from the start.</param>
    /// <param name="limit">How many at most, 1 to <see cref="MaxBatchSize"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Up to <paramref name="limit"/> sessions; fewer means the scan reached the end.</returns>
    Task<IReadOnlyList<Session>> ScanSessionsAsync(Guid? afterSessionId, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Erases several sessions at once, as <see cref="ISessionPrivacyStore.EraseSessionAsync"/> does for one, in one
    /// transaction with one file clean-up. Ids that name no session are skipped.
    /// </summary>
    /// <param name="sessionIds">1 to <see cref="MaxBatchSize"/> ids.</param>
    /// <param name="cancellationToken">Cancels the operation before it starts.</param>
    /// <returns>What was removed.</returns>
    Task<EraseResult> EraseSessionsAsync(IReadOnlyList<Guid> sessionIds, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes up to <paramref name="maxMessages"/> of a session's oldest messages created before <paramref name="createdBefore"/>,
    /// as <paramref name="mode"/> says, and increments the session's version when any is deleted. Sequences of the remaining
    /// messages do not change (the history starts later); summaries are kept or deleted as the mode says.
    /// </summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="createdBefore">Messages created strictly before this instant are old.</param>
    /// <param name="mode">Delete old messages (and summaries covering only them), or only those a summary covers.</param>
    /// <param name="maxMessages">The most messages to delete in this call (at least 1): call again while it returns that many.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>What was removed; <see cref="MessageRetentionResult.None"/> when nothing was old.</returns>
    /// <exception cref="SessionNotFoundException">No session has that id.</exception>
    Task<MessageRetentionResult> DeleteMessagesBeforeAsync(Guid sessionId, DateTimeOffset createdBefore, MessageRetentionMode mode, int maxMessages, CancellationToken cancellationToken = default);
}
