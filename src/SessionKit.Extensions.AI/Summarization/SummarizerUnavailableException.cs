namespace SessionKit.Extensions.AI;

/// <summary>
/// Thrown by <see cref="ChatClientSummarizer"/> while it rests after a failure of the model
/// (<see cref="ChatClientSummarizerOptions.FailureBackoff"/>); the context builder falls back to verbatim messages.
/// </summary>
public sealed class SummarizerUnavailableException : SessionKitException
{
    /// <summary>Creates the exception for a summarizer that rests until <paramref name="retryAt"/>.</summary>
    /// <param name="summarizerId">The summarizer's id.</param>
    /// <param name="retryAt">When it asks the model again.</param>
    public SummarizerUnavailableException(string summarizerId, DateTimeOffset retryAt)
        : base($"Summarizer '{summarizerId}' rests after a failure of its model and asks again at {retryAt:O}; the earlier failure was logged.")
    {
        RetryAt = retryAt;
    }

    /// <summary>Creates an exception with a default message.</summary>
    public SummarizerUnavailableException()
        : base("The summarizer rests after a failure of its model.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public SummarizerUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public SummarizerUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>When the summarizer asks the model again, or <see cref="DateTimeOffset.MinValue"/> when unknown.</summary>
    public DateTimeOffset RetryAt { get; }
}
