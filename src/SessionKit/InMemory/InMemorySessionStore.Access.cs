using SessionKit.Storage;

namespace SessionKit;

/// <summary>Grants and ownership transfer in process memory (see <see cref="ISessionAccessStore"/>).</summary>
public sealed partial class InMemorySessionStore : ISessionAccessStore
{
    private readonly Lock _grantGate = new();
    private readonly Dictionary<(string Owner, Guid Session, string Grantee), SessionGrant> _grants = [];

    /// <inheritdoc />
    public Task SaveGrantAsync(SessionGrant grant, CancellationToken cancellationToken = default)
    {
        grant = AccessStoreArguments.Grant(grant, Limits.MaxIdLength, nameof(grant));
        ThrowIfUnusable(cancellationToken);
        if (grant.SessionId is { } sessionId
            && (!_sessions.TryGetValue(sessionId, out var entry) || !string.Equals(entry.Session.UserId, grant.OwnerUserId, StringComparison.Ordinal)))
        {
            throw new SessionNotFoundException(sessionId);
        }

        lock (_grantGate)
        {
            _grants[GrantKey(grant.OwnerUserId, grant.SessionId, grant.Grantee)] = grant;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<bool> DeleteGrantAsync(string ownerUserId, Guid? sessionId, SessionCaller grantee, CancellationToken cancellationToken = default)
    {
        IdentityStoreArguments.Id(ownerUserId, Limits.MaxIdLength, nameof(ownerUserId));
        AccessStoreArguments.SessionId(sessionId, nameof(sessionId));
        AccessStoreArguments.Grantee(grantee, Limits.MaxIdLength, nameof(grantee));
        ThrowIfUnusable(cancellationToken);
        lock (_grantGate)
        {
            return Task.FromResult(_grants.Remove(GrantKey(ownerUserId, sessionId, grantee)));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SessionGrant>> ListGrantsAsync(string ownerUserId, CancellationToken cancellationToken = default)
    {
        IdentityStoreArguments.Id(ownerUserId, Limits.MaxIdLength, nameof(ownerUserId));
        ThrowIfUnusable(cancellationToken);
        lock (_grantGate)
        {
            IReadOnlyList<SessionGrant> grants = _grants.Values
                .Where(g => string.Equals(g.OwnerUserId, ownerUserId, StringComparison.Ordinal))
                .OrderBy(g => g.GrantedAt)
                .ThenBy(g => g.Grantee.Principal, StringComparer.Ordinal)
                .ToArray();
            return Task.FromResult(grants);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SessionGrant>> FindGrantsAsync(string ownerUserId, SessionCaller grantee, Guid? sessionId, CancellationToken cancellationToken = default)
    {
        IdentityStoreArguments.Id(ownerUserId, Limits.MaxIdLength, nameof(ownerUserId));
        AccessStoreArguments.Grantee(grantee, Limits.MaxIdLength, nameof(grantee));
        AccessStoreArguments.SessionId(sessionId, nameof(sessionId));
        ThrowIfUnusable(cancellationToken);
        var found = new List<SessionGrant>(2);
        lock (_grantGate)
        {
            if (_grants.TryGetValue(GrantKey(ownerUserId, null, grantee), out var all))
            {
                found.Add(all);
            }

            if (sessionId is not null && _grants.TryGetValue(GrantKey(ownerUserId, sessionId, grantee), out var one))
            {
                found.Add(one);
            }
        }

        return Task.FromResult<IReadOnlyList<SessionGrant>>(found);
    }

    /// <inheritdoc />
    /// <remarks>In memory each session moves atomically on its own; a session the old owner creates while the transfer runs may stay behind.</remarks>
    public Task<int> TransferSessionsAsync(string fromUserId, string toUserId, CancellationToken cancellationToken = default)
    {
        AccessStoreArguments.Transfer(fromUserId, toUserId, Limits.MaxIdLength);
        ThrowIfUnusable(cancellationToken);
        ThrowIfEncrypted("Transferring sessions to another user", "every row is sealed for its owner; claim anonymous history before encrypting, or copy the messages into a new session of the user");
        int moved = 0;
        if (_users.TryGetValue(fromUserId, out var from))
        {
            var target = _users.GetOrAdd(toUserId, static _ => new UserIndex());
            foreach (var position in from.Page(after: null, int.MaxValue))
            {
                if (!_sessions.TryGetValue(position.Id, out var entry))
                {
                    continue;
                }

                lock (entry.Gate)
                {
                    if (entry.Deleted || !string.Equals(entry.Session.UserId, fromUserId, StringComparison.Ordinal))
                    {
                        continue;
                    }

                    var current = entry.Session;
                    var transferred = current with { UserId = toUserId };
                    from.Remove(SessionListPosition.Of(current));
                    entry.Session = transferred;
                    target.Add(SessionListPosition.Of(transferred));
                    _search.RemoveSession(current.Id);
                    _search.Add(toUserId, [.. entry.Messages]);
                    if (entry.Vectors.Count > 0)
                    {
                        VectorsChanged(fromUserId);
                        VectorsChanged(toUserId);
                    }

                    moved++;
                }
            }
        }

        RemoveGrants(k => string.Equals(k.Owner, fromUserId, StringComparison.Ordinal));
        return Task.FromResult(moved);
    }

    private int RemoveSessionGrants(Guid sessionId) => RemoveGrants(k => k.Session == sessionId);

    // The grants a user gave and the grants a user received.
    private int RemoveUserGrants(string userId)
    {
        string principal = SessionCaller.User(userId).Principal;
        return RemoveGrants(k => string.Equals(k.Owner, userId, StringComparison.Ordinal) || string.Equals(k.Grantee, principal, StringComparison.Ordinal));
    }

    private int RemoveGrants(Func<(string Owner, Guid Session, string Grantee), bool> match)
    {
        lock (_grantGate)
        {
            var keys = _grants.Keys.Where(match).ToArray();
            foreach (var key in keys)
            {
                _grants.Remove(key);
            }

            return keys.Length;
        }
    }

    private static (string, Guid, string) GrantKey(string owner, Guid? sessionId, SessionCaller grantee) => (owner, sessionId ?? Guid.Empty, grantee.Principal);
}
