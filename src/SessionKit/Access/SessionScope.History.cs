using System.Runtime.CompilerServices;

namespace SessionKit;

// History, summaries and search as one caller may use them: the caller do only what it owns or was granted, and otherwise throws
// SessionAccessDeniedException before anything is read or written.
public sealed partial class SessionScope
{
    /// <inheritdoc />
    public async Task<Session> CreateSessionAsync(string userId, SessionCreateOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        await _authorizer.AuthorizeUserAsync(userId, SessionAccess.ReadWrite, $"create sessions for user '{userId}'", cancellationToken).ConfigureAwait(false);
        if (options?.ContinuesFromSessionId is { } previous)
        {
            await _authorizer.AuthorizeSessionAsync(previous, SessionAccess.Read, "link to a session", cancellationToken).ConfigureAwait(false);
        }

        var session = await _inner.CreateSessionAsync(userId, options, cancellationToken).ConfigureAwait(false);
        _authorizer.Remember(session);
        return session;
    }

    /// <inheritdoc />
    public async Task<Session> GetSessionAsync(Guid sessionId, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(sessionId, SessionAccess.Read, "read a session", cancellationToken).ConfigureAwait(false);
        return await _inner.GetSessionAsync(sessionId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<Session?> FindSessionAsync(Guid sessionId, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(sessionId, SessionAccess.Read, "read a session", cancellationToken).ConfigureAwait(false);
        return await _inner.FindSessionAsync(sessionId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<SessionPage> ListSessionsAsync(string userId, SessionListOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        await _authorizer.AuthorizeUserAsync(userId, SessionAccess.Read, $"list the sessions of user '{userId}'", cancellationToken).ConfigureAwait(false);
        var page = await _inner.ListSessionsAsync(userId, options, cancellationToken).ConfigureAwait(false);
        foreach (var session in page.Items)
        {
            _authorizer.Remember(session);
        }

        return page;
    }

    /// <inheritdoc />
    public async Task<Session> UpdateSessionAsync(Guid sessionId, SessionUpdate update, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(sessionId, SessionAccess.ReadWrite, "change a session", cancellationToken).ConfigureAwait(false);
        return await _inner.UpdateSessionAsync(sessionId, update, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> DeleteSessionAsync(Guid sessionId, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(sessionId, SessionAccess.None, "delete a session", cancellationToken).ConfigureAwait(false);
        return await _inner.DeleteSessionAsync(sessionId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<AppendResult> AppendMessagesAsync(Guid sessionId, IReadOnlyList<NewMessage> messages, AppendOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        await AuthorizeAsync(sessionId, SessionAccess.ReadWrite, "append to a session", cancellationToken).ConfigureAwait(false);
        return await _inner.AppendMessagesAsync(sessionId, StampAuthor(messages), options, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SessionMessage>> GetLastMessagesAsync(Guid sessionId, int count, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(sessionId, SessionAccess.Read, "read messages", cancellationToken).ConfigureAwait(false);
        return await _inner.GetLastMessagesAsync(sessionId, count, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SessionMessage>> GetMessagesByTimeAsync(Guid sessionId, MessageTimeQuery query, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(sessionId, SessionAccess.Read, "read messages", cancellationToken).ConfigureAwait(false);
        return await _inner.GetMessagesByTimeAsync(sessionId, query, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SessionMessage>> GetMessagesAsync(Guid sessionId, long fromSequence, long toSequence, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(sessionId, SessionAccess.Read, "read messages", cancellationToken).ConfigureAwait(false);
        return await _inner.GetMessagesAsync(sessionId, fromSequence, toSequence, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public IAsyncEnumerable<SessionMessage> ReadAllMessagesAsync(Guid sessionId, CancellationToken cancellationToken = default)
    {
        if (sessionId == Guid.Empty)
        {
            // The inner store reports a bad id eagerly; so does this one.
            return _inner.ReadAllMessagesAsync(sessionId, cancellationToken);
        }

        return ReadAllAsync(sessionId, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<long> CountMessagesAsync(Guid sessionId, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(sessionId, SessionAccess.Read, "count messages", cancellationToken).ConfigureAwait(false);
        return await _inner.CountMessagesAsync(sessionId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<SessionSummary> SaveSummaryAsync(Guid sessionId, NewSummary summary, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(sessionId, SessionAccess.ReadWrite, "save a summary", cancellationToken).ConfigureAwait(false);
        return await _inner.SaveSummaryAsync(sessionId, summary, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SessionSummary>> GetSummariesAsync(Guid sessionId, SummaryQuery? query = null, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(sessionId, SessionAccess.Read, "read summaries", cancellationToken).ConfigureAwait(false);
        return await _inner.GetSummariesAsync(sessionId, query, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<int> InvalidateSummariesAsync(Guid sessionId, long fromSequence, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(sessionId, SessionAccess.ReadWrite, "invalidate summaries", cancellationToken).ConfigureAwait(false);
        return await _inner.InvalidateSummariesAsync(sessionId, fromSequence, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<SearchPage> SearchAsync(string userId, SearchQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(query);
        if (query.SessionId is { } sessionId && sessionId != Guid.Empty)
        {
            // A grant over one session is enough to search that session; the store still filters by userId.
            await _authorizer.AuthorizeSessionAsync(sessionId, SessionAccess.Read, "search a session", cancellationToken).ConfigureAwait(false);
            if (!_authorizer.Caller.IsUser(userId))
            {
                string? owner = await _authorizer.OwnerAsync(sessionId, cancellationToken).ConfigureAwait(false);
                if (!string.Equals(owner, userId, StringComparison.Ordinal))
                {
                    await _authorizer.AuthorizeUserAsync(userId, SessionAccess.Read, $"search the history of user '{userId}'", cancellationToken).ConfigureAwait(false);
                }
            }
        }
        else
        {
            await _authorizer.AuthorizeUserAsync(userId, SessionAccess.Read, $"search the history of user '{userId}'", cancellationToken).ConfigureAwait(false);
        }

        return await _inner.SearchAsync(userId, query, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<EraseResult> EraseUserAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        // Only the user itself: a grant over someone's sessions never extends to erasing them.
        await _authorizer.AuthorizeUserAsync(userId, SessionAccess.None, "erase a user", cancellationToken).ConfigureAwait(false);
        return await _inner.EraseUserAsync(userId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<EraseResult> EraseSessionAsync(Guid sessionId, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(sessionId, SessionAccess.None, "erase a session", cancellationToken).ConfigureAwait(false);
        return await _inner.EraseSessionAsync(sessionId, cancellationToken).ConfigureAwait(false);
    }

    private ValueTask AuthorizeAsync(Guid sessionId, SessionAccess required, string detail, CancellationToken cancellationToken) =>
        sessionId == Guid.Empty
            ? ValueTask.CompletedTask // the inner store rejects it with its usual ArgumentException
            : _authorizer.AuthorizeSessionAsync(sessionId, required, detail, cancellationToken);

    private async IAsyncEnumerable<SessionMessage> ReadAllAsync(Guid sessionId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await AuthorizeAsync(sessionId, SessionAccess.Read, "read messages", cancellationToken).ConfigureAwait(false);
        await foreach (var message in _inner.ReadAllMessagesAsync(sessionId, cancellationToken).ConfigureAwait(false))
        {
            yield return message;
        }
    }

    // An agent's messages say which agent wrote them, unless the agent says otherwise.
    private IReadOnlyList<NewMessage> StampAuthor(IReadOnlyList<NewMessage> messages)
    {
        if (_authorizer.Caller.Kind != SessionCallerKind.Agent || !messages.Any(m => m is { AuthorId: null }))
        {
            return messages;
        }

        return messages.Select(m => m is { AuthorId: null } ? m with { AuthorId = _authorizer.Caller.Id } : m).ToArray();
    }
}
