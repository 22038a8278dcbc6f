using System.Runtime.CompilerServices;

namespace SessionKit;

// Correction, shared state, the change feed and leases, as one caller may use them: writes need read-write access to the
// session, reads need read access; user-scope state needs access to all of that user's sessions; app-scope state (shared
// by every user) can be read by any caller but written only by host code through the unchecked store.
public sealed partial class SessionScope
{
    /// <inheritdoc />
    public async Task<CorrectionResult> EditMessageAsync(Guid sessionId, long sequence, string content, CorrectionOptions? options = null, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(sessionId, SessionAccess.ReadWrite, "edit a message", cancellationToken).ConfigureAwait(false);
        return await _inner.EditMessageAsync(sessionId, sequence, content, options, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<Session> DeleteMessageAsync(Guid sessionId, long sequence, CorrectionOptions? options = null, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(sessionId, SessionAccess.ReadWrite, "delete a message", cancellationToken).ConfigureAwait(false);
        return await _inner.DeleteMessageAsync(sessionId, sequence, options, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<Session> RewindAsync(Guid sessionId, long toSequence, CorrectionOptions? options = null, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(sessionId, SessionAccess.ReadWrite, "rewind a session", cancellationToken).ConfigureAwait(false);
        return await _inner.RewindAsync(sessionId, toSequence, options, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<Session> ForkSessionAsync(Guid sessionId, long atSequence, ForkOptions? options = null, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(sessionId, SessionAccess.ReadWrite, "fork a session", cancellationToken).ConfigureAwait(false);
        var fork = await _inner.ForkSessionAsync(sessionId, atSequence, options, cancellationToken).ConfigureAwait(false);
        _authorizer.Remember(fork);
        return fork;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<MessageRevision>> GetMessageRevisionsAsync(Guid sessionId, long sequence, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(sessionId, SessionAccess.Read, "read message revisions", cancellationToken).ConfigureAwait(false);
        return await _inner.GetMessageRevisionsAsync(sessionId, sequence, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> DeleteSessionAsync(Guid sessionId, long expectedVersion, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(sessionId, SessionAccess.None, "delete a session", cancellationToken).ConfigureAwait(false);
        return await _inner.DeleteSessionAsync(sessionId, expectedVersion, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<StateEntry?> GetStateAsync(StateScope scope, string? scopeId, string key, CancellationToken cancellationToken = default)
    {
        await AuthorizeStateAsync(scope, scopeId, write: false, cancellationToken).ConfigureAwait(false);
        return await _inner.GetStateAsync(scope, scopeId, key, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<StateEntry> SetStateAsync(StateScope scope, string? scopeId, string key, string value, StateWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        await AuthorizeStateAsync(scope, scopeId, write: true, cancellationToken).ConfigureAwait(false);
        if (_authorizer.Caller.Kind == SessionCallerKind.Agent && options?.UpdatedBy is null)
        {
            options = (options ?? new StateWriteOptions()) with { UpdatedBy = _authorizer.Caller.Id };
        }

        return await _inner.SetStateAsync(scope, scopeId, key, value, options, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> DeleteStateAsync(StateScope scope, string? scopeId, string key, StateWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        await AuthorizeStateAsync(scope, scopeId, write: true, cancellationToken).ConfigureAwait(false);
        return await _inner.DeleteStateAsync(scope, scopeId, key, options, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StateEntry>> ListStateAsync(StateScope scope, string? scopeId, CancellationToken cancellationToken = default)
    {
        await AuthorizeStateAsync(scope, scopeId, write: false, cancellationToken).ConfigureAwait(false);
        return await _inner.ListStateAsync(scope, scopeId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public IAsyncEnumerable<SessionChange> WatchChangesAsync(Guid sessionId, long afterVersion, CancellationToken cancellationToken = default) =>
        sessionId == Guid.Empty ? _inner.WatchChangesAsync(sessionId, afterVersion, cancellationToken) : WatchAsync(sessionId, afterVersion, cancellationToken);

    /// <inheritdoc />
    public async Task<SessionLease?> TryAcquireLeaseAsync(Guid sessionId, string holder, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(sessionId, SessionAccess.ReadWrite, "take a lease on a session", cancellationToken).ConfigureAwait(false);
        return await _inner.TryAcquireLeaseAsync(sessionId, holder, ttl, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> ReleaseLeaseAsync(SessionLease lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        await AuthorizeAsync(lease.SessionId, SessionAccess.ReadWrite, "release a lease on a session", cancellationToken).ConfigureAwait(false);
        return await _inner.ReleaseLeaseAsync(lease, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<SessionTurn> BeginTurnAsync(Guid sessionId, TurnOptions? options = null, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(sessionId, SessionAccess.ReadWrite, "take a turn in a session", cancellationToken).ConfigureAwait(false);
        return await _inner.BeginTurnAsync(sessionId, options, cancellationToken).ConfigureAwait(false);
    }


    private async ValueTask AuthorizeStateAsync(StateScope scope, string? scopeId, bool write, CancellationToken cancellationToken)
    {
        var required = write ? SessionAccess.ReadWrite : SessionAccess.Read;
        switch (scope)
        {
            case StateScope.App when write:
                throw new SessionAccessDeniedException(_authorizer.Caller.Principal, SessionAccess.None, null, "write app-wide state (host code writes it through the store)");
            case StateScope.User when scopeId is not null:
                await _authorizer.AuthorizeUserAsync(scopeId, required, $"{(write ? "write" : "read")} the state of user '{scopeId}'", cancellationToken).ConfigureAwait(false);
                break;
            case StateScope.Session or StateScope.Temp when Guid.TryParse(scopeId, out var sessionId) && sessionId != Guid.Empty:
                await _authorizer.AuthorizeSessionAsync(sessionId, required, $"{(write ? "write" : "read")} session state", cancellationToken).ConfigureAwait(false);
                break;
            default:
                // App reads, and malformed addresses the store itself rejects with its usual ArgumentException.
                break;
        }
    }

    private async IAsyncEnumerable<SessionChange> WatchAsync(Guid sessionId, long afterVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await AuthorizeAsync(sessionId, SessionAccess.Read, "watch a session's changes", cancellationToken).ConfigureAwait(false);
        await foreach (var change in _inner.WatchChangesAsync(sessionId, afterVersion, cancellationToken).ConfigureAwait(false))
        {
            yield return change;
        }
    }
}
