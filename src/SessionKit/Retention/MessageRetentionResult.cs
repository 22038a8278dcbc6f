namespace SessionKit;

/// <summary>What one history-retention step removed from a session.</summary>
/// <param name="Messages">How many messages were deleted.</param>
/// <param name="Summaries">How many summaries were deleted with them.</param>
public sealed record MessageRetentionResult(long Messages, long Summaries)
{
    /// <summary>Nothing was removed.</summary>
    public static MessageRetentionResult None { get; } = new(0, 0);
}
