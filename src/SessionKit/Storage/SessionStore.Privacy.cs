namespace SessionKit.Storage;

/// <summary>Erasure and retention primitives: validated here once, persisted by each backend's <c>…CoreAsync</c>.</summary>
public abstract partial class SessionStore : ISessionPrivacyStore, ISessionRetentionStore
{
    /// <inheritdoc />
    public Task<EraseResult> EraseUserAsync(string userId, CancellationToken cancellationToken = default)
    {
        ValidateId(userId, nameof(userId));
        ThrowIfUnusable(cancellationToken);
        Forget(userId);
        return EraseAndForgetAsync(userId, cancellationToken);
    }

    // The cached data key goes before and after: an operation racing with the erase must not keep using a destroyed key.
    private async Task<EraseResult> EraseAndForgetAsync(string userId, CancellationToken cancellationToken)
    {
        try
        {
            return await EraseUserCoreAsync(userId, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Forget(userId);
        }
    }

    /// <inheritdoc />
    public Task<EraseResult> EraseSessionAsync(Guid sessionId, CancellationToken cancellationToken = default)
    {
        ValidateSessionId(sessionId);
        ThrowIfUnusable(cancellationToken);
        return EraseSessionsAndForgetVectorsAsync([sessionId], cancellationToken);
    }

    // Erased sessions' opened vectors must not stay in memory until their user's next search: the cache is dropped whole
    // (the sessions' owners are not known here without another read, and erasing sessions is rare).
    private async Task<EraseResult> EraseSessionsAndForgetVectorsAsync(IReadOnlyList<Guid> sessionIds, CancellationToken cancellationToken)
    {
        try
        {
            return await EraseSessionsCoreAsync(sessionIds, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _vectorCache.Clear();
        }
    }

    /// <inheritdoc />
    public Task<EraseResult> EraseSessionsAsync(IReadOnlyList<Guid> sessionIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionIds);
        if (sessionIds.Count is 0 or > ISessionRetentionStore.MaxBatchSize)
        {
            throw new ArgumentException($"Between 1 and {ISessionRetentionStore.MaxBatchSize} session ids are required (was {sessionIds.Count}).", nameof(sessionIds));
        }

        var ids = new HashSet<Guid>(sessionIds.Count);
        foreach (var id in sessionIds)
        {
            if (id == Guid.Empty)
            {
                throw new ArgumentException("A session id must not be Guid.Empty.", nameof(sessionIds));
            }

            ids.Add(id);
        }

        ThrowIfUnusable(cancellationToken);
        return EraseSessionsAndForgetVectorsAsync([.. ids], cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SessionTokenRecord>> ListUserTokensAsync(string userId, CancellationToken cancellationToken = default)
    {
        ValidateId(userId, nameof(userId));
        ThrowIfUnusable(cancellationToken);
        return ListUserTokensCoreAsync(userId, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Session>> ScanSessionsAsync(Guid? afterSessionId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, ISessionRetentionStore.MaxBatchSize);
        ThrowIfUnusable(cancellationToken);
        var sessions = ScanSessionsCoreAsync(afterSessionId, limit, cancellationToken);
        return IsEncrypted ? OpenAsync(sessions, cancellationToken) : sessions;
    }

    /// <inheritdoc />
    public Task<MessageRetentionResult> DeleteMessagesBeforeAsync(
        Guid sessionId,
        DateTimeOffset createdBefore,
        MessageRetentionMode mode,
        int maxMessages,
        CancellationToken cancellationToken = default)
    {
        ValidateSessionId(sessionId);
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Not a defined MessageRetentionMode.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        ThrowIfUnusable(cancellationToken);
        return DeleteMessagesBeforeCoreAsync(sessionId, createdBefore.ToUniversalTime(), mode, maxMessages, cancellationToken);
    }

    /// <summary>
    /// Deletes, atomically, every session, message, summary, search-index entry, token, device and data key of <paramref name="userId"/>,
    /// and removes the erased bytes from any file the backend writes. An unknown user is a no-op returning <see cref="EraseResult.None"/>.
    /// </summary>
    /// <param name="userId">A validated user id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>What was removed.</returns>
    protected abstract Task<EraseResult> EraseUserCoreAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Deletes, atomically, the named sessions with everything stored under them, and removes the erased bytes from the backend's files; unknown ids are skipped.</summary>
    /// <param name="sessionIds">Distinct, non-empty ids (at most <see cref="ISessionRetentionStore.MaxBatchSize"/>).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>What was removed (tokens and devices are never counted: they belong to the user).</returns>
    protected abstract Task<EraseResult> EraseSessionsCoreAsync(IReadOnlyList<Guid> sessionIds, CancellationToken cancellationToken);

    /// <summary>Lists every token record of a user, oldest first.</summary>
    /// <param name="userId">A validated user id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The records.</returns>
    protected abstract Task<IReadOnlyList<SessionTokenRecord>> ListUserTokensCoreAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Reads up to <paramref name="limit"/> sessions with ids greater than <paramref name="afterSessionId"/>, in id order.</summary>
    /// <param name="afterSessionId">The last id of the previous batch, or <see langword="null"/>.</param>
    /// <param name="limit">1 to <see cref="ISessionRetentionStore.MaxBatchSize"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The sessions.</returns>
    protected abstract Task<IReadOnlyList<Session>> ScanSessionsCoreAsync(Guid? afterSessionId, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the oldest messages created before <paramref name="createdBefore"/> (at most <paramref name="maxMessages"/>);
    /// with <see cref="MessageRetentionMode.KeepSummariesOnly"/> only those a summary covers, keeping the summaries; with
    /// <see cref="MessageRetentionMode.DeleteMessages"/> also the summaries that end at or before the last deleted sequence.
    /// Updates the message count and increments the version when anything was deleted.
    /// </summary>
    /// <param name="sessionId">A non-empty id.</param>
    /// <param name="createdBefore">The UTC cut-off.</param>
    /// <param name="mode">A defined mode.</param>
    /// <param name="maxMessages">At least 1.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>What was removed.</returns>
    protected abstract Task<MessageRetentionResult> DeleteMessagesBeforeCoreAsync(
        Guid sessionId,
        DateTimeOffset createdBefore,
        MessageRetentionMode mode,
        int maxMessages,
        CancellationToken cancellationToken);
}
