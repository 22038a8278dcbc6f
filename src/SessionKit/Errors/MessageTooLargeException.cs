namespace SessionKit;

/// <summary>Thrown when a message's content exceeds <see cref="SessionLimits.MaxContentLength"/>. Nothing was stored.</summary>
public sealed class MessageTooLargeException : SessionKitException
{
    /// <summary>Creates an exception for an oversized message.</summary>
    /// <param name="index">The position of the message in the batch.</param>
    /// <param name="length">Its content length in characters.</param>
    /// <param name="limit">The configured limit in characters.</param>
    public MessageTooLargeException(int index, int length, int limit)
        : base($"Message {index} of the batch has {length} characters of content; the limit is {limit} (SessionLimits.MaxContentLength). Nothing was stored.")
    {
        Index = index;
        Length = length;
        Limit = limit;
    }

    /// <summary>Creates an exception with a default message.</summary>
    public MessageTooLargeException()
        : base("A message exceeds the configured content limit.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public MessageTooLargeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public MessageTooLargeException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The position of the oversized message in its batch.</summary>
    public int Index { get; }

    /// <summary>The content length, in characters.</summary>
    public int Length { get; }

    /// <summary>The configured limit, in characters.</summary>
    public int Limit { get; }
}
