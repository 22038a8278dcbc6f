using System.Runtime.CompilerServices;

namespace SessionKit;

/// <summary>
/// Correction, shared state, the change feed and leases, as one caller may use them: writes need read-write access to the
/// session, reads need read access; user-scope state needs access to all of that user's sessions; app-scope state (shared
/// by every user) can be read by any caller but written only by host code through the unchecked store.
/// </summary>
internal sealed partial class AccessControlledSessionStore : ISessionCorrectionStore, ISessionStateStore, ISessionLeaseStore
{
    public async Task<CorrectionResult> EditMessageAsync(Guid sessionId, long sequence, string content, CorrectionOptions? options = null, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(sessionId, SessionAccess.ReadWrite, "edit a message", cancellationToken).ConfigureAwait(false);
        return await Corrections.EditMessageAsync(sessionId, sequence, content, options, cancellationToken).ConfigureAwait(false);
    }

    public async Task<Session> DeleteMessageAsync(Guid sessionId, long sequence, CorrectionOptions? options = null, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(sessionId, SessionAccess.ReadWrite, "delete a message", cancellationToken).ConfigureAwait(false);
        return await Corrections.DeleteMessageAsync(sessionId, sequence, options, cancellationToken).ConfigureAwait(false);
    }

    public async Task<Session> RewindAsync(Guid sessionId, long toSequence, CorrectionOptions? options = null, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(sessionId, SessionAccess.ReadWrite, "rewind a session", cancellationToken).ConfigureAwait(false);
        return await Corrections.RewindAsync(sessionId, toSequence, options, cancellationToken).ConfigureAwait(false);
    }

    public async Task<Session> ForkSessionAsync(Guid sessionId, long atSequence, ForkOptions? options = null, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(sessionId, SessionAccess.ReadWrite, "fork a session", cancellationToken).ConfigureAwait(false);
        var fork = await Corrections.ForkSessionAsync(sessionId, atSequence, options, cancellationToken).ConfigureAwait(false);
        authorizer.Remember(fork);
        return fork;
    }

    public async Task<IReadOnlyList<MessageRevision>> GetMessageRevisionsAsync(Guid sessionId, long sequence, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(sessionId, SessionAccess.Read, "read message revisions", cancellationToken).ConfigureAwait(false);
        return await Corrections.GetMessageRevisionsAsync(sessionId, sequence, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> DeleteSessionAsync(Guid sessionId, long expectedVersion, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(sessionId, SessionAccess.None, "delete a session", cancellationToken).ConfigureAwait(false);
        return await Corrections.DeleteSessionAsync(sessionId, expectedVersion, cancellationToken).ConfigureAwait(false);
    }

    public async Task<StateEntry?> GetStateAsync(StateScope scope, string? scopeId, string key, CancellationToken cancellationToken = default)
    {
        await AuthorizeStateAsync(scope, scopeId, write: false, cancellationToken).ConfigureAwait(false);
        return await States.GetStateAsync(scope, scopeId, key, cancellationToken).ConfigureAwait(false);
    }

    public async Task<StateEntry> SetStateAsync(StateScope scope, string? scopeId, string key, string value, StateWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        await AuthorizeStateAsync(scope, scopeId, write: true, cancellationToken).ConfigureAwait(false);
        if (authorizer.Caller.Kind == SessionCallerKind.Agent && options?.UpdatedBy is null)
        {
            options = (options ?? new StateWriteOptions()) with { UpdatedBy = authorizer.Caller.Id };
        }

        return await States.SetStateAsync(scope, scopeId, key, value, options, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> DeleteStateAsync(StateScope scope, string? scopeId, string key, StateWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        await AuthorizeStateAsync(scope, scopeId, write: true, cancellationToken).ConfigureAwait(false);
        return await States.DeleteStateAsync(scope, scopeId, key, options, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<StateEntry>> ListStateAsync(StateScope scope, string? scopeId, CancellationToken cancellationToken = default)
    {
        await AuthorizeStateAsync(scope, scopeId, write: false, cancellationToken).ConfigureAwait(false);
        return await States.ListStateAsync(scope, scopeId, cancellationToken).ConfigureAwait(false);
    }

    public IAsyncEnumerable<SessionChange> WatchChangesAsync(Guid sessionId, long afterVersion, CancellationToken cancellationToken = default) =>
        sessionId == Guid.Empty ? States.WatchChangesAsync(sessionId, afterVersion, cancellationToken) : WatchAsync(sessionId, afterVersion, cancellationToken);

    public async Task<SessionLease?> TryAcquireLeaseAsync(Guid sessionId, string holder, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(sessionId, SessionAccess.ReadWrite, "take a lease on a session", cancellationToken).ConfigureAwait(false);
        return await Leases.TryAcquireLeaseAsync(sessionId, holder, ttl, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> ReleaseLeaseAsync(SessionLease lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        await AuthorizeAsync(lease.SessionId, SessionAccess.ReadWrite, "release a lease on a session", cancellationToken).ConfigureAwait(false);
        return await Leases.ReleaseLeaseAsync(lease, cancellationToken).ConfigureAwait(false);
    }

    public async Task<SessionTurn> BeginTurnAsync(Guid sessionId, TurnOptions? options = null, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(sessionId, SessionAccess.ReadWrite, "take a turn in a session", cancellationToken).ConfigureAwait(false);
        return await Leases.BeginTurnAsync(sessionId, options, cancellationToken).ConfigureAwait(false);
    }

    private ISessionCorrectionStore Corrections => inner as ISessionCorrectionStore ?? throw Missing(nameof(ISessionCorrectionStore));

    private ISessionStateStore States => inner as ISessionStateStore ?? throw Missing(nameof(ISessionStateStore));

    private ISessionLeaseStore Leases => inner as ISessionLeaseStore ?? throw Missing(nameof(ISessionLeaseStore));

    private static InvalidOperationException Missing(string feature) =>
        new($"The session store does not implement {feature}; both built-in stores do.");

    private async ValueTask AuthorizeStateAsync(StateScope scope, string? scopeId, bool write, CancellationToken cancellationToken)
    {
        var required = write ? SessionAccess.ReadWrite : SessionAccess.Read;
        switch (scope)
        {
            case StateScope.App when write:
                throw new SessionAccessDeniedException(authorizer.Caller.Principal, SessionAccess.None, null, "write app-wide state (host code writes it through the store)");
            case StateScope.User when scopeId is not null:
                await authorizer.AuthorizeUserAsync(scopeId, required, $"{(write ? "write" : "read")} the state of user '{scopeId}'", cancellationToken).ConfigureAwait(false);
                break;
            case StateScope.Session or StateScope.Temp when Guid.TryParse(scopeId, out var sessionId) && sessionId != Guid.Empty:
                await authorizer.AuthorizeSessionAsync(sessionId, required, $"{(write ? "write" : "read")} session state", cancellationToken).ConfigureAwait(false);
                break;
            default:
                // App reads, and malformed addresses the store itself rejects with its usual ArgumentException.
                break;
        }
    }

    private async IAsyncEnumerable<SessionChange> WatchAsync(Guid sessionId, long afterVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await AuthorizeAsync(sessionId, SessionAccess.Read, "watch a session's changes", cancellationToken).ConfigureAwait(false);
        await foreach (var change in States.WatchChangesAsync(sessionId, afterVersion, cancellationToken).ConfigureAwait(false))
        {
            yield return change;
        }
    }
}
