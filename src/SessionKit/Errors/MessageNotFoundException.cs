namespace SessionKit;

/// <summary>Thrown when a session has no message at the given sequence (never appended, deleted or rewound away).</summary>
public sealed class MessageNotFoundException : SessionKitException
{
    /// <summary>Creates an exception for a missing message.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="sequence">The sequence that has no message.</param>
    public MessageNotFoundException(Guid sessionId, long sequence)
        : base($"Session '{sessionId}' has no message at sequence {sequence}.")
    {
        SessionId = sessionId;
        Sequence = sequence;
    }

    /// <summary>Creates an exception with a default message.</summary>
    public MessageNotFoundException()
        : base("The message was not found.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public MessageNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public MessageNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The session.</summary>
    public Guid SessionId { get; }

    /// <summary>The missing sequence.</summary>
    public long Sequence { get; }
}
