namespace SessionKit;

/// <summary>
/// Thrown when an append carries an idempotency key that an earlier append of the same session used for different messages.
/// Nothing was stored. A retry must resend exactly the same messages; new messages need a new key.
/// </summary>
public sealed class IdempotencyKeyReusedException : SessionKitException
{
    /// <summary>Creates an exception for a reused key.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="key">The idempotency key.</param>
    public IdempotencyKeyReusedException(Guid sessionId, string key)
        : base($"Idempotency key '{key}' was already used in session '{sessionId}' for different messages; nothing was stored. Use a new key for a new append.")
    {
        SessionId = sessionId;
        Key = key;
    }

    /// <summary>Creates an exception with a default message.</summary>
    public IdempotencyKeyReusedException()
        : base("The idempotency key was already used for different messages.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public IdempotencyKeyReusedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public IdempotencyKeyReusedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The session.</summary>
    public Guid SessionId { get; }

    /// <summary>The reused key (empty when constructed without one).</summary>
    public string Key { get; } = string.Empty;
}
