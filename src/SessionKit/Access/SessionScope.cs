using SessionKit.Storage;

namespace SessionKit;

/// <summary>
/// SessionKit as one caller may use it during one request: the whole <see cref="ISessionStore"/> (history, summaries,
/// search, correction, shared state and the change feed, turns and leases, erase) over the sessions the caller owns or
/// was granted, context windows over them (<see cref="Context"/>), the grants it gives, and its own devices and tokens.
/// Anything else throws <see cref="SessionAccessDeniedException"/> before anything is read or written — never an empty
/// result that looks like success.
/// </summary>
/// <remarks>Create one scope per request (<see cref="ISessionAccessor.ForCaller(SessionCaller)"/>): a scope remembers the
/// owners and permissions it has checked, so a grant revoked meanwhile takes effect at the next request. A scope is an
/// <see cref="ISessionStore"/>, so code written against the store runs unchanged, access-checked, on a scope.</remarks>
public sealed partial class SessionScope : ISessionStore
{
    private readonly ISessionStore _inner;
    private readonly SessionAuthorizer _authorizer;
    private readonly ISessionAccessStore _access;
    private readonly IDeviceRegistry? _devices;
    private readonly ISessionTokenService? _tokens;
    private readonly TimeProvider _timeProvider;

    internal SessionScope(
        ISessionStore inner,
        SessionAuthorizer authorizer,
        ContextBuilder contextBuilder,
        ISessionAccessStore access,
        IDeviceRegistry? devices,
        ISessionTokenService? tokens,
        TimeProvider timeProvider)
    {
        _inner = inner;
        _authorizer = authorizer;
        Context = new ScopedContextBuilder(authorizer, contextBuilder.WithStore(this));
        _access = access;
        _devices = devices;
        _tokens = tokens;
        _timeProvider = timeProvider;
    }

    /// <summary>The caller this scope acts for.</summary>
    public SessionCaller Caller => _authorizer.Caller;

    /// <summary>Context windows of the sessions this caller may read. A read-only caller's builds never write summaries.</summary>
    public IContextBuilder Context { get; }

    /// <summary>Gives <paramref name="grantee"/> a permission over one of the caller's sessions, or over all of them.</summary>
    /// <param name="sessionId">The session, or <see langword="null"/> for every session of the caller (present and future).</param>
    /// <param name="grantee">The user or agent receiving it (not the caller).</param>
    /// <param name="access"><see cref="SessionAccess.Read"/> or <see cref="SessionAccess.ReadWrite"/>.</param>
    /// <param name="lifetime">How long it lasts, or <see langword="null"/> until revoked.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The stored grant; it replaces an earlier grant for the same session (or all sessions) and grantee.</returns>
    /// <exception cref="SessionAccessDeniedException">The caller is not a user, or does not own the session.</exception>
    /// <exception cref="SessionNotFoundException">The session does not exist.</exception>
    public async Task<SessionGrant> GrantAsync(Guid? sessionId, SessionCaller grantee, SessionAccess access, TimeSpan? lifetime = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grantee);
        if (access is not (SessionAccess.Read or SessionAccess.ReadWrite))
        {
            throw new ArgumentOutOfRangeException(nameof(access), access, "A grant gives SessionAccess.Read or SessionAccess.ReadWrite.");
        }

        if (lifetime is { } span && span <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), lifetime, "A grant's lifetime must be positive; use null for a grant that lasts until revoked.");
        }

        if (grantee.Equals(Caller))
        {
            throw new ArgumentException("A caller cannot grant itself a permission.", nameof(grantee));
        }

        string owner = await OwnerForGrantAsync(sessionId, "grant access", cancellationToken).ConfigureAwait(false);
        var now = _timeProvider.GetUtcNow();
        var grant = new SessionGrant
        {
            OwnerUserId = owner,
            SessionId = sessionId,
            Grantee = grantee,
            Access = access,
            GrantedAt = now,
            ExpiresAt = lifetime is { } l ? now + l : null,
        };
        await _access.SaveGrantAsync(grant, cancellationToken).ConfigureAwait(false);
        return grant;
    }

    /// <summary>Takes back a grant the caller gave.</summary>
    /// <param name="sessionId">The session, or <see langword="null"/> for the grant over all sessions.</param>
    /// <param name="grantee">Who had it.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> if there was such a grant.</returns>
    /// <exception cref="SessionAccessDeniedException">The caller is not a user, or does not own the session.</exception>
    /// <exception cref="SessionNotFoundException">The session does not exist.</exception>
    public async Task<bool> RevokeGrantAsync(Guid? sessionId, SessionCaller grantee, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grantee);
        string owner = await OwnerForGrantAsync(sessionId, "revoke access", cancellationToken).ConfigureAwait(false);
        return await _access.DeleteGrantAsync(owner, sessionId, grantee, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lists the grants the caller (a user) has given.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The grants, oldest first.</returns>
    /// <exception cref="SessionAccessDeniedException">The caller is an agent (agents own nothing to grant).</exception>
    public Task<IReadOnlyList<SessionGrant>> ListGrantsAsync(CancellationToken cancellationToken = default)
    {
        _authorizer.AuthorizeSelf("list grants");
        return _access.ListGrantsAsync(Caller.Id, cancellationToken);
    }

    /// <summary>Lists the caller's own devices.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The devices, most recently seen first.</returns>
    /// <exception cref="SessionAccessDeniedException">The caller is an agent.</exception>
    public Task<IReadOnlyList<Device>> ListDevicesAsync(CancellationToken cancellationToken = default)
    {
        _authorizer.AuthorizeSelf("list devices");
        return Devices().ListAsync(Caller.Id, cancellationToken);
    }

    /// <summary>Forgets one of the caller's devices and revokes its tokens.</summary>
    /// <param name="deviceId">The device.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> if the caller had that device.</returns>
    /// <exception cref="SessionAccessDeniedException">The caller is an agent.</exception>
    public Task<bool> ForgetDeviceAsync(string deviceId, CancellationToken cancellationToken = default)
    {
        _authorizer.AuthorizeSelf("forget a device");
        return Devices().ForgetAsync(Caller.Id, deviceId, cancellationToken);
    }

    /// <summary>Revokes every session token of the caller ("sign out everywhere").</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>How many live tokens were revoked.</returns>
    /// <exception cref="SessionAccessDeniedException">The caller is an agent.</exception>
    public Task<int> RevokeAllTokensAsync(CancellationToken cancellationToken = default)
    {
        _authorizer.AuthorizeSelf("revoke tokens");
        var tokens = _tokens ?? throw new InvalidOperationException("No ISessionTokenService is available: the store does not keep tokens and none was given to the SessionAccessor.");
        return tokens.RevokeAllAsync(Caller.Id, cancellationToken);
    }

    private IDeviceRegistry Devices() =>
        _devices ?? throw new InvalidOperationException("No IDeviceRegistry is available: the store does not keep devices and none was given to the SessionAccessor.");

    private async Task<string> OwnerForGrantAsync(Guid? sessionId, string detail, CancellationToken cancellationToken)
    {
        if (Caller.Kind != SessionCallerKind.User)
        {
            throw new SessionAccessDeniedException(Caller.Principal, SessionAccess.None, sessionId, detail);
        }

        if (sessionId is { } id)
        {
            if (id == Guid.Empty)
            {
                throw new ArgumentException("The session id must not be Guid.Empty; use null for all of the caller's sessions.", nameof(sessionId));
            }

            await _authorizer.AuthorizeSessionAsync(id, SessionAccess.None, detail, cancellationToken).ConfigureAwait(false);
            var session = await _inner.GetSessionAsync(id, cancellationToken).ConfigureAwait(false);
            return session.UserId;
        }

        return Caller.Id;
    }
}
