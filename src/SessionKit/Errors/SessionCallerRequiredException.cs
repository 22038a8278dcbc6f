namespace SessionKit;

/// <summary>
/// Thrown when a request that must act for an authenticated caller has none: neither the request named a
/// <see cref="SessionCaller"/> nor did the host's <see cref="ISessionCallerAccessor"/> know one. Nothing was read or changed.
/// </summary>
public sealed class SessionCallerRequiredException : SessionKitException
{
    /// <summary>Creates an exception with a default message.</summary>
    public SessionCallerRequiredException()
        : base("The request has no caller; SessionKit refuses requests it cannot attribute to a user or agent.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong and what to do.</param>
    public SessionCallerRequiredException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What went wrong and what to do.</param>
    /// <param name="innerException">The cause.</param>
    public SessionCallerRequiredException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
