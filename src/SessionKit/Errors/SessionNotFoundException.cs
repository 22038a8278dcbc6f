namespace SessionKit;

/// <summary>Thrown when an operation names a session that does not exist (or no longer exists).</summary>
public sealed class SessionNotFoundException : SessionKitException
{
    /// <summary>Creates an exception for a missing session.</summary>
    /// <param name="sessionId">The id that was not found.</param>
    public SessionNotFoundException(Guid sessionId)
        : base($"Session '{sessionId}' was not found.")
    {
        SessionId = sessionId;
    }

    /// <summary>Creates an exception with a default message.</summary>
    public SessionNotFoundException()
        : base("The session was not found.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public SessionNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public SessionNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The id of the session that was not found, or <see cref="Guid.Empty"/> when unknown.</summary>
    public Guid SessionId { get; }
}
