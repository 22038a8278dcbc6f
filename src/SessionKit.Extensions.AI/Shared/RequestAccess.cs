namespace SessionKit.Extensions.AI;

/// <summary>
/// How a SessionKit chat component reaches the store for one request: through the scope of the request's caller
/// (<see cref="ISessionAccessor.ForCaller(SessionCaller)"/>), which is the default, or — only when the host opted in with
/// a plainly named "trusted" entry point — through the unchecked store itself.
/// </summary>
/// <remarks>Shared source: compiled into each SessionKit package that serves requests, so no package depends on another's internals.</remarks>
internal sealed class RequestAccess
{
    private readonly ISessionAccessor? _accessor;
    private readonly ISessionCallerAccessor? _callers;
    private readonly ISessionStore? _store;
    private readonly IContextBuilder? _contextBuilder;

    private RequestAccess(ISessionAccessor? accessor, ISessionCallerAccessor? callers, ISessionStore? store, IContextBuilder? contextBuilder)
    {
        _accessor = accessor;
        _callers = callers;
        _store = store;
        _contextBuilder = contextBuilder;
    }

    /// <summary>Whether requests bypass access control.</summary>
    public bool IsTrusted => _accessor is null;

    /// <summary>Every request acts for its caller: the one it names, else <paramref name="callers"/>' current one; none is refused.</summary>
    public static RequestAccess CallerScoped(ISessionAccessor accessor, ISessionCallerAccessor? callers)
    {
        ArgumentNullException.ThrowIfNull(accessor);
        return new RequestAccess(accessor, callers, null, null);
    }

    /// <summary>Every request uses <paramref name="store"/> and <paramref name="contextBuilder"/> as they are (no access checks).</summary>
    public static RequestAccess Trusted(ISessionStore store, IContextBuilder contextBuilder, ISessionCallerAccessor? callers)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(contextBuilder);
        return new RequestAccess(null, callers, store, contextBuilder);
    }

    /// <summary>
    /// The views one request may use. <paramref name="named"/> is the caller the request itself names (it wins over the
    /// ambient <see cref="ISessionCallerAccessor"/>); <paramref name="howToNameACaller"/> completes the refusal's message.
    /// </summary>
    /// <exception cref="SessionCallerRequiredException">Caller-scoped, and the request has no caller.</exception>
    public RequestView Open(SessionCaller? named, string howToNameACaller)
    {
        var caller = named ?? _callers?.Caller;
        if (_accessor is null)
        {
            return new RequestView(_store!, _contextBuilder!, _store as ISessionStateStore, caller);
        }

        if (caller is null)
        {
            throw new SessionCallerRequiredException(
                "SessionKit refuses a request that names no caller, so one user's conversation cannot be served to another. " + howToNameACaller);
        }

        var scope = _accessor.ForCaller(caller);
        return new RequestView(scope, scope.Context, scope, caller);
    }
}

/// <summary>What one request reads and writes through, and who it acts for (<see langword="null"/> only on a trusted pipeline).</summary>
internal sealed record RequestView(ISessionStore Store, IContextBuilder Context, ISessionStateStore? State, SessionCaller? Caller);
