namespace SessionKit;

/// <summary>
/// Thrown when a stored row cannot be read back as what was written (metadata that is not a JSON object of strings, a role
/// that is not a <see cref="MessageRole"/>, …): the file was altered outside SessionKit or damaged. The read returns nothing
/// rather than a guess; other sessions stay readable.
/// </summary>
public sealed class SessionDataCorruptedException : SessionKitException
{
    /// <summary>Creates an exception for a corrupt row of a session.</summary>
    /// <param name="sessionId">The session the row belongs to.</param>
    /// <param name="sequence">The message's sequence, or <see langword="null"/> for the session row itself.</param>
    /// <param name="detail">What is wrong (never the stored content).</param>
    /// <param name="innerException">The parser's error, if any.</param>
    public SessionDataCorruptedException(Guid sessionId, long? sequence, string detail, Exception? innerException = null)
        : base(
            (sequence is { } s ? $"Message {s} of session '{sessionId}'" : $"Session '{sessionId}'") +
            $" is corrupted in storage: {detail}. Restore it from a backup or delete it; other sessions are unaffected.",
            innerException)
    {
        SessionId = sessionId;
        Sequence = sequence;
    }

    /// <summary>Creates an exception with a default message.</summary>
    public SessionDataCorruptedException()
        : base("Stored session data is corrupted.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What is corrupted.</param>
    public SessionDataCorruptedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What is corrupted.</param>
    /// <param name="innerException">The cause.</param>
    public SessionDataCorruptedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The session whose data is corrupted (<see cref="Guid.Empty"/> when constructed without one).</summary>
    public Guid SessionId { get; }

    /// <summary>The sequence of the corrupted message, or <see langword="null"/> when the session row itself is corrupted.</summary>
    public long? Sequence { get; }
}
