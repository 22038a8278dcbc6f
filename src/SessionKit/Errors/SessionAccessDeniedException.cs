namespace SessionKit;

/// <summary>
/// Thrown when a caller asks for something it is not allowed to do: reading, writing, searching or deleting another user's
/// session without a grant. Nothing was read or changed.
/// </summary>
public sealed class SessionAccessDeniedException : SessionKitException
{
    /// <summary>Creates an exception for a denied request.</summary>
    /// <param name="caller">The caller, as <see cref="SessionCaller.Principal"/> text.</param>
    /// <param name="required">What the operation needs.</param>
    /// <param name="sessionId">The session, if the request named one.</param>
    /// <param name="detail">What was asked for, in a few words.</param>
    public SessionAccessDeniedException(string caller, SessionAccess required, Guid? sessionId, string detail)
        : base($"Access denied: {caller} may not {detail}" + (sessionId is { } id ? $" (session '{id}')" : string.Empty) + $"; it needs {Describe(required)}.")
    {
        Caller = caller;
        Required = required;
        SessionId = sessionId;
    }

    /// <summary>Creates an exception with a default message.</summary>
    public SessionAccessDeniedException()
        : base("Access denied.")
    {
        Caller = string.Empty;
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public SessionAccessDeniedException(string message)
        : base(message)
    {
        Caller = string.Empty;
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public SessionAccessDeniedException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Caller = string.Empty;
    }

    /// <summary>The caller that was denied (<c>user:…</c> or <c>agent:…</c>).</summary>
    public string Caller { get; }

    /// <summary>The permission the operation needs; <see cref="SessionAccess.None"/> with no grant able to give it (owner-only operations).</summary>
    public SessionAccess Required { get; }

    /// <summary>The session the request named, if any.</summary>
    public Guid? SessionId { get; }

    private static string Describe(SessionAccess required) => required switch
    {
        SessionAccess.Read => "ownership or a read grant",
        SessionAccess.ReadWrite => "ownership or a read-write grant",
        _ => "ownership",
    };
}
