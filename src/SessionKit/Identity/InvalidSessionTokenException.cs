namespace SessionKit;

/// <summary>
/// Thrown when a session token is not valid. The message is the same for every kind of failure
/// (<see cref="SessionTokenValidationResult.InvalidReason"/>), so it reveals nothing about which part was wrong.
/// </summary>
public sealed class InvalidSessionTokenException : SessionKitException
{
    /// <summary>Creates an exception with the generic message.</summary>
    public InvalidSessionTokenException()
        : base(SessionTokenValidationResult.InvalidReason)
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong; keep it free of token material.</param>
    public InvalidSessionTokenException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What went wrong; keep it free of token material.</param>
    /// <param name="innerException">The cause.</param>
    public InvalidSessionTokenException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
