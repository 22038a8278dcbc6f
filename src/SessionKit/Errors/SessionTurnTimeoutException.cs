namespace SessionKit;

/// <summary>Thrown when <see cref="ISessionLeaseStore.BeginTurnAsync"/> waited longer than its timeout for another turn to end.</summary>
public sealed class SessionTurnTimeoutException : SessionKitException
{
    /// <summary>Creates an exception for a turn that could not start in time.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="timeout">How long the caller waited.</param>
    public SessionTurnTimeoutException(Guid sessionId, TimeSpan timeout)
        : base($"Session '{sessionId}' was busy with another turn for longer than the timeout ({timeout}); no turn was started.")
    {
        SessionId = sessionId;
        Timeout = timeout;
    }

    /// <summary>Creates an exception with a default message.</summary>
    public SessionTurnTimeoutException()
        : base("The session was busy with another turn for longer than the timeout.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public SessionTurnTimeoutException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public SessionTurnTimeoutException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The session.</summary>
    public Guid SessionId { get; }

    /// <summary>How long the caller waited.</summary>
    public TimeSpan Timeout { get; }
}
