using System.Collections.Concurrent;
using SessionKit.Storage;

namespace SessionKit;

/// <summary>
/// Decides what one caller may do, for the lifetime of one <see cref="SessionScope"/>. Owners and decisions are cached for
/// that lifetime: a session's owner changes only when an anonymous user's sessions are claimed, and a grant revoked
/// mid-request takes effect on the next request — which is why a scope is meant to live for one request.
/// </summary>
internal sealed class SessionAuthorizer(ISessionStore store, ISessionAccessStore access, SessionCaller caller, TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<Guid, string> _owners = new();
    private readonly ConcurrentDictionary<(string Owner, Guid? Session), SessionAccess> _permissions = new();

    public SessionCaller Caller { get; } = caller;

    /// <summary>
    /// Checks that the caller may do <paramref name="required"/> on a session (<see cref="SessionAccess.None"/>: owner
    /// only). A session that does not exist passes, so the operation itself reports it as it always does (not found, null,
    /// false): a random 128-bit id that names nothing discloses nothing about anybody's data.
    /// </summary>
    public async ValueTask AuthorizeSessionAsync(Guid sessionId, SessionAccess required, string detail, CancellationToken cancellationToken)
    {
        string? owner = await OwnerAsync(sessionId, cancellationToken).ConfigureAwait(false);
        if (owner is null || Caller.IsUser(owner))
        {
            return;
        }

        if (required == SessionAccess.None || await PermissionAsync(owner, sessionId, cancellationToken).ConfigureAwait(false) < required)
        {
            throw new SessionAccessDeniedException(Caller.Principal, required, sessionId, detail);
        }
    }

    /// <summary>Checks that the caller may do <paramref name="required"/> across all of <paramref name="userId"/>'s sessions.</summary>
    public async ValueTask AuthorizeUserAsync(string userId, SessionAccess required, string detail, CancellationToken cancellationToken)
    {
        if (Caller.IsUser(userId))
        {
            return;
        }

        if (required == SessionAccess.None || await PermissionAsync(userId, null, cancellationToken).ConfigureAwait(false) < required)
        {
            throw new SessionAccessDeniedException(Caller.Principal, required, null, detail);
        }
    }

    /// <summary>Checks that the caller is a user acting on its own devices, tokens or grants (agents own none).</summary>
    public void AuthorizeSelf(string detail)
    {
        if (Caller.Kind != SessionCallerKind.User)
        {
            throw new SessionAccessDeniedException(Caller.Principal, SessionAccess.None, null, detail);
        }
    }

    /// <summary>Whether the caller may do <paramref name="required"/> on a session; a missing session answers <see langword="true"/> (the operation reports it).</summary>
    public async ValueTask<bool> AllowsAsync(Guid sessionId, SessionAccess required, CancellationToken cancellationToken)
    {
        string? owner = await OwnerAsync(sessionId, cancellationToken).ConfigureAwait(false);
        return owner is null || Caller.IsUser(owner)
            || (required != SessionAccess.None && await PermissionAsync(owner, sessionId, cancellationToken).ConfigureAwait(false) >= required);
    }

    public void Remember(Session session) => _owners.TryAdd(session.Id, session.UserId);

    /// <summary>The owner of a session (remembered for the scope), or <see langword="null"/> when it does not exist.</summary>
    public async ValueTask<string?> OwnerAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        if (_owners.TryGetValue(sessionId, out var owner))
        {
            return owner;
        }

        var session = await store.FindSessionAsync(sessionId, cancellationToken).ConfigureAwait(false);
        if (session is null)
        {
            return null;
        }

        Remember(session);
        return session.UserId;
    }

    private async ValueTask<SessionAccess> PermissionAsync(string owner, Guid? sessionId, CancellationToken cancellationToken)
    {
        if (_permissions.TryGetValue((owner, sessionId), out var cached))
        {
            return cached;
        }

        var grants = await access.FindGrantsAsync(owner, Caller, sessionId, cancellationToken).ConfigureAwait(false);
        var now = timeProvider.GetUtcNow();
        var permission = SessionAccess.None;
        foreach (var grant in grants)
        {
            if (grant.IsActive(now) && (grant.SessionId is null || grant.SessionId == sessionId) && grant.Access > permission)
            {
                permission = grant.Access;
            }
        }

        _permissions[(owner, sessionId)] = permission;
        return permission;
    }
}
