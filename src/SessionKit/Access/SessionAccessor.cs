using SessionKit.Storage;

namespace SessionKit;

/// <summary>Creates caller-scoped views (<see cref="SessionScope"/>) over one store.</summary>
public sealed class SessionAccessor : ISessionAccessor
{
    private readonly ISessionStore _store;
    private readonly ISessionAccessStore _access;
    private readonly ContextBuilder _contextBuilder;
    private readonly IDeviceRegistry? _devices;
    private readonly ISessionTokenService? _tokens;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates the accessor.</summary>
    /// <param name="store">The store the scopes read and write through.</param>
    /// <param name="accessStore">Where grants are kept (both built-in stores implement <see cref="ISessionAccessStore"/> themselves).</param>
    /// <param name="contextBuilder">The context builder whose settings the scopes use; <see langword="null"/> for a default one over <paramref name="store"/>.</param>
    /// <param name="devices">The device registry behind <see cref="SessionScope.ListDevicesAsync"/>; <see langword="null"/> if the store keeps devices (<see cref="ISessionTokenStore"/>).</param>
    /// <param name="tokens">The token service behind <see cref="SessionScope.RevokeAllTokensAsync"/>; <see langword="null"/> if the store keeps tokens.</param>
    /// <param name="timeProvider">The clock that decides whether a grant has expired.</param>
    public SessionAccessor(
        ISessionStore store,
        ISessionAccessStore accessStore,
        ContextBuilder? contextBuilder = null,
        IDeviceRegistry? devices = null,
        ISessionTokenService? tokens = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(accessStore);
        _store = store;
        _access = accessStore;
        _timeProvider = timeProvider ?? TimeProvider.System;
        var tokenCounter = (store as SessionStore)?.TokenCounter ?? SharpTokenCounter.Default;
        _contextBuilder = contextBuilder ?? new ContextBuilder(store, tokenCounter, new ExtractiveSummarizer(tokenCounter), timeProvider: _timeProvider);
        var identityStore = store as ISessionTokenStore;
        _devices = devices ?? (identityStore is null ? null : new DeviceRegistry(identityStore, null, _timeProvider));
        _tokens = tokens ?? (identityStore is null ? null : new SessionTokenService(identityStore, null, _timeProvider));
    }

    /// <inheritdoc />
    public SessionScope ForCaller(SessionCaller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var authorizer = new SessionAuthorizer(_store, _access, caller, _timeProvider);
        return new SessionScope(_store, authorizer, _contextBuilder, _access, _devices, _tokens, _timeProvider);
    }
}
