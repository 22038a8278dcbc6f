using SessionKit.Storage;

namespace SessionKit;

/// <summary>The session resolver over a store, the token service and the device registry (see <see cref="ISessionResolver"/>).</summary>
public sealed class SessionResolver : ISessionResolver
{
    private const string AnonymousPrefix = "anon:";

    private readonly ISessionStore _store;
    private readonly ISessionTokenService _tokens;
    private readonly IDeviceRegistry _devices;
    private readonly SessionResolverOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly SessionExpiryPolicy? _expiry;
    private readonly ISessionAccessStore? _access;
    private readonly SessionLimits _limits;

    /// <summary>Creates the resolver.</summary>
    /// <param name="store">Where sessions are kept.</param>
    /// <param name="tokens">Validates presented tokens and issues new ones.</param>
    /// <param name="devices">Registers and recognises the request's device.</param>
    /// <param name="options">The policy; <see langword="null"/> for the defaults. The object is copied, so later changes to it have no effect.</param>
    /// <param name="timeProvider">The clock that decides inactivity; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <param name="expiry">The expiry policy: a session it says has expired is never continued; <see langword="null"/> for none.</param>
    /// <param name="accessStore">Moves sessions to their new owner in <see cref="ClaimAnonymousAsync"/>; <see langword="null"/> to use <paramref name="store"/> if it implements <see cref="ISessionAccessStore"/> (both built-in stores do).</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public SessionResolver(
        ISessionStore store,
        ISessionTokenService tokens,
        IDeviceRegistry devices,
        SessionResolverOptions? options = null,
        TimeProvider? timeProvider = null,
        SessionExpiryPolicy? expiry = null,
        ISessionAccessStore? accessStore = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(devices);
        options ??= new SessionResolverOptions();
        var failures = options.Validate();
        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", failures), nameof(options));
        }

        _store = store;
        _tokens = tokens;
        _devices = devices;
        _options = options.Copy();
        _timeProvider = timeProvider ?? TimeProvider.System;
        _expiry = expiry;
        _access = accessStore ?? store as ISessionAccessStore;
        _limits = (store as SessionStore)?.Limits ?? new SessionLimits();
    }

    /// <inheritdoc />
    public async Task<SessionResolutionResult> ResolveAsync(SessionResolutionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.UserId is not null && string.IsNullOrWhiteSpace(request.UserId))
        {
            throw new ArgumentException("SessionResolutionRequest.UserId must not be empty or white space; use null for an unauthenticated request.", nameof(request));
        }

        if (request.DeviceId is not null && string.IsNullOrWhiteSpace(request.DeviceId))
        {
            throw new ArgumentException("SessionResolutionRequest.DeviceId must not be empty or white space; use null for none.", nameof(request));
        }

        // Everything the request carries is checked here, before a device is registered or a token validated, so a request
        // the store would refuse half-way (an over-long id, a title over the limit) changes nothing.
        if (request.UserId is not null)
        {
            IdentityStoreArguments.Id(request.UserId, _limits.MaxIdLength, "SessionResolutionRequest.UserId", nameof(request));
        }

        if (request.DeviceId is not null)
        {
            IdentityStoreArguments.Id(request.DeviceId, _limits.MaxIdLength, "SessionResolutionRequest.DeviceId", nameof(request));
        }

        if (request.Title is { } title)
        {
            SessionStore.ValidateTitle(title, _limits, nameof(request));
        }

        var now = _timeProvider.GetUtcNow();
        string? userId = request.UserId;
        string? tokenDeviceId = null;
        if (request.SessionToken is not null)
        {
            var validation = await _tokens.ValidateAsync(request.SessionToken, cancellationToken).ConfigureAwait(false);
            // A token of another user than the authenticated one is not this caller's to use.
            if (validation.IsValid && (userId is null || string.Equals(userId, validation.UserId, StringComparison.Ordinal)))
            {
                userId = validation.UserId;
                tokenDeviceId = validation.DeviceId;
                if (validation.SessionId is { } boundId)
                {
                    var bound = await _store.FindSessionAsync(boundId, cancellationToken).ConfigureAwait(false);
                    if (bound is not null && string.Equals(bound.UserId, userId, StringComparison.Ordinal) && IsActive(bound, now))
                    {
                        string? device = await IdentifyDeviceAsync(userId, request, tokenDeviceId, cancellationToken).ConfigureAwait(false);
                        return new SessionResolutionResult
                        {
                            Session = await MarkDeviceAsync(bound, device, cancellationToken).ConfigureAwait(false),
                            IsNew = false,
                            Reason = SessionResolutionReason.ContinuedFromToken,
                            DeviceId = device,
                        };
                    }
                }
            }
        }

        if (userId is null)
        {
            string anonymous = AnonymousPrefix + Guid.CreateVersion7(now).ToString("N");
            string? device = await IdentifyDeviceAsync(anonymous, request, null, cancellationToken).ConfigureAwait(false);
            return await CreateAsync(anonymous, request, device, previous: null, link: false, SessionResolutionReason.NewAnonymous, issueToken: true, cancellationToken).ConfigureAwait(false);
        }

        string? deviceId = await IdentifyDeviceAsync(userId, request, tokenDeviceId, cancellationToken).ConfigureAwait(false);
        var page = await _store.ListSessionsAsync(userId, new SessionListOptions { PageSize = 1 }, cancellationToken).ConfigureAwait(false);
        var latest = page.Items.Count > 0 ? page.Items[0] : null;
        if (latest is null)
        {
            return await CreateAsync(userId, request, deviceId, previous: null, link: false, SessionResolutionReason.NewUser, _options.IssueTokens, cancellationToken).ConfigureAwait(false);
        }

        if (!IsActive(latest, now))
        {
            return await CreateAsync(userId, request, deviceId, latest.Id, _options.LinkPreviousSession, SessionResolutionReason.NewAfterInactivity, _options.IssueTokens, cancellationToken).ConfigureAwait(false);
        }

        bool otherDevice = deviceId is not null
            && latest.Metadata.TryGetValue(SessionResolverOptions.DeviceMetadataKey, out var lastDevice)
            && !string.Equals(lastDevice, deviceId, StringComparison.Ordinal);
        if (otherDevice && !_options.ContinueAcrossDevices)
        {
            return await CreateAsync(userId, request, deviceId, latest.Id, link: false, SessionResolutionReason.NewOnNewDevice, _options.IssueTokens, cancellationToken).ConfigureAwait(false);
        }

        // A device joining the conversation gets a token of its own (bound to it), so it can come back without signing in
        // and be signed out on its own.
        var continued = await MarkDeviceAsync(latest, deviceId, cancellationToken).ConfigureAwait(false);
        var deviceToken = otherDevice && _options.IssueTokens
            ? await _tokens.IssueAsync(userId, continued.Id, deviceId, cancellationToken: cancellationToken).ConfigureAwait(false)
            : null;
        return new SessionResolutionResult
        {
            Session = continued,
            IsNew = false,
            Reason = otherDevice ? SessionResolutionReason.ContinuedOnNewDevice : SessionResolutionReason.ContinuedLatestSession,
            DeviceId = deviceId,
            IssuedToken = deviceToken,
        };
    }

    /// <inheritdoc />
    public async Task<SessionResolutionResult> ClaimAnonymousAsync(string anonymousToken, string userId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(anonymousToken);
        // The whole user id is checked before the anonymous tokens are revoked: the store would refuse it only after that.
        IdentityStoreArguments.Id(userId, _limits.MaxIdLength, "The user id", nameof(userId));
        if (userId.StartsWith(AnonymousPrefix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The user who claims must be a signed-in user, not an anonymous one ('{AnonymousPrefix}…').", nameof(userId));
        }

        var access = _access ?? throw new InvalidOperationException(
            $"Claiming needs an {nameof(ISessionAccessStore)} to move sessions between owners; the store does not implement it and none was given to the {nameof(SessionResolver)}.");
        (_store as SessionStore)?.ThrowIfEncrypted("Claiming anonymous history", "every row is sealed for its owner; claim anonymous history before encrypting, or copy the messages into a new session of the user");
        var validation = await _tokens.ValidateOrThrowAsync(anonymousToken, cancellationToken).ConfigureAwait(false);
        string anonymous = validation.UserId!;
        if (!anonymous.StartsWith(AnonymousPrefix, StringComparison.Ordinal))
        {
            throw new SessionAccessDeniedException(
                "user:" + userId,
                SessionAccess.None,
                validation.SessionId,
                "claim the history behind a token that belongs to a signed-in user");
        }

        // Revoke first: if anything after this fails, the anonymous token is already useless and the sessions are either
        // still the anonymous user's (unreachable) or the user's — never reachable by both.
        await _tokens.RevokeAllAsync(anonymous, cancellationToken).ConfigureAwait(false);
        await access.TransferSessionsAsync(anonymous, userId, cancellationToken).ConfigureAwait(false);
        var session = validation.SessionId is { } boundId ? await _store.FindSessionAsync(boundId, cancellationToken).ConfigureAwait(false) : null;
        if (session is null)
        {
            var page = await _store.ListSessionsAsync(userId, new SessionListOptions { PageSize = 1 }, cancellationToken).ConfigureAwait(false);
            session = page.Items.Count > 0
                ? page.Items[0]
                : await _store.CreateSessionAsync(userId, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        var token = await _tokens.IssueAsync(userId, session.Id, validation.DeviceId, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new SessionResolutionResult
        {
            Session = session,
            IsNew = false,
            Reason = SessionResolutionReason.ClaimedAnonymous,
            DeviceId = validation.DeviceId,
            IssuedToken = token,
        };
    }

    // An expired session (idle timeout, absolute lifetime) is never continued, even inside the inactivity window.
    private bool IsActive(Session session, DateTimeOffset now) =>
        now - session.LastActivityAt <= _options.InactivityWindow && _expiry?.IsExpired(session, now) != true;

    // The request's device: registered (and marked seen) by id, recognised or registered by fingerprint, else the token's.
    private async Task<string?> IdentifyDeviceAsync(string userId, SessionResolutionRequest request, string? tokenDeviceId, CancellationToken cancellationToken)
    {
        if (request.DeviceId is null && (request.Fingerprint is null || request.Fingerprint.Count == 0))
        {
            if (tokenDeviceId is not null)
            {
                await _devices.TouchAsync(userId, tokenDeviceId, cancellationToken).ConfigureAwait(false);
            }

            return tokenDeviceId;
        }

        var device = await _devices.RegisterAsync(
            userId,
            new DeviceRegistration { DeviceId = request.DeviceId, Fingerprint = request.Fingerprint },
            cancellationToken).ConfigureAwait(false);
        return device.DeviceId;
    }

    private async Task<SessionResolutionResult> CreateAsync(
        string userId,
        SessionResolutionRequest request,
        string? deviceId,
        Guid? previous,
        bool link,
        SessionResolutionReason reason,
        bool issueToken,
        CancellationToken cancellationToken)
    {
        var session = await _store.CreateSessionAsync(
            userId,
            new SessionCreateOptions
            {
                Title = request.Title,
                ContinuesFromSessionId = link ? previous : null,
                Metadata = deviceId is null ? null : new Dictionary<string, string> { [SessionResolverOptions.DeviceMetadataKey] = deviceId },
            },
            cancellationToken).ConfigureAwait(false);
        var token = issueToken
            ? await _tokens.IssueAsync(userId, session.Id, deviceId, cancellationToken: cancellationToken).ConfigureAwait(false)
            : null;
        return new SessionResolutionResult
        {
            Session = session,
            IsNew = true,
            Reason = reason,
            PreviousSessionId = previous,
            DeviceId = deviceId,
            IssuedToken = token,
        };
    }

    // Best effort: if someone else changed the session meanwhile, their change wins and the marker waits for the next request.
    private async Task<Session> MarkDeviceAsync(Session session, string? deviceId, CancellationToken cancellationToken)
    {
        if (deviceId is null
            || (session.Metadata.TryGetValue(SessionResolverOptions.DeviceMetadataKey, out var current) && string.Equals(current, deviceId, StringComparison.Ordinal)))
        {
            return session;
        }

        var metadata = new Dictionary<string, string>(session.Metadata, StringComparer.Ordinal)
        {
            [SessionResolverOptions.DeviceMetadataKey] = deviceId,
        };
        try
        {
            return await _store.UpdateSessionAsync(session.Id, new SessionUpdate { Metadata = metadata, ExpectedVersion = session.Version }, cancellationToken).ConfigureAwait(false);
        }
        catch (SessionConcurrencyException)
        {
            return await _store.GetSessionAsync(session.Id, cancellationToken).ConfigureAwait(false);
        }
    }
}
