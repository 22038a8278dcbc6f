namespace SessionKit;

/// <summary>
/// Tells request-handling code who the current caller is, the way <c>IHttpContextAccessor</c> tells it the current HTTP
/// request. The host registers an implementation (for example one that reads the authenticated user of the current
/// HTTP request); SessionKit's chat middleware and agent providers ask it once per request and build a
/// <see cref="SessionScope"/> for that caller with <see cref="ISessionAccessor.ForCaller(SessionCaller)"/>.
/// </summary>
/// <remarks>SessionKit does not authenticate: return only a caller the host has authenticated, and <see langword="null"/>
/// when there is none (the request is then refused with <see cref="SessionCallerRequiredException"/>).</remarks>
public interface ISessionCallerAccessor
{
    /// <summary>The authenticated caller of the current request, or <see langword="null"/> when there is none.</summary>
    SessionCaller? Caller { get; }
}
