namespace SessionKit;

/// <summary>Thrown when a conditional change finds the session at another version than expected. Nothing was changed.</summary>
public sealed class SessionConcurrencyException : SessionKitException
{
    /// <summary>Creates an exception for a version mismatch.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="expectedVersion">The version the caller expected.</param>
    /// <param name="actualVersion">The version the session has now.</param>
    public SessionConcurrencyException(Guid sessionId, long expectedVersion, long actualVersion)
        : base($"Session '{sessionId}' is at version {actualVersion}, not the expected version {expectedVersion}; it was changed concurrently. Reload it and retry.")
    {
        SessionId = sessionId;
        ExpectedVersion = expectedVersion;
        ActualVersion = actualVersion;
    }

    /// <summary>Creates an exception with a default message.</summary>
    public SessionConcurrencyException()
        : base("The session was changed concurrently.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public SessionConcurrencyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public SessionConcurrencyException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The session that was changed concurrently.</summary>
    public Guid SessionId { get; }

    /// <summary>The version the caller expected.</summary>
    public long ExpectedVersion { get; }

    /// <summary>The version the session actually has; reload and retry against it.</summary>
    public long ActualVersion { get; }
}
