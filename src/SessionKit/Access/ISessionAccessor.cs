namespace SessionKit;

/// <summary>
/// The entry point of request code: gives the views of the store, the context builder, grants and devices that one
/// authenticated caller is allowed to use. Registered by <c>AddSessionKit()</c>.
/// </summary>
public interface ISessionAccessor
{
    /// <summary>A scope for one caller; create one per request.</summary>
    /// <param name="caller">The authenticated caller.</param>
    /// <returns>The scope.</returns>
    SessionScope ForCaller(SessionCaller caller);
}
