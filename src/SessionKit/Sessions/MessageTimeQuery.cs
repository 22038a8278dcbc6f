namespace SessionKit;

/// <summary>Which messages <see cref="ISessionStore.GetMessagesByTimeAsync"/> reads: a time range and how many.</summary>
/// <remarks>
/// Message times never go backwards in sequence order (a store clamps them), so a time range is a contiguous run of
/// sequences. To page on from a result, continue by sequence with <see cref="ISessionStore.GetMessagesAsync"/>: several
/// messages of one append share a time, so a time alone is not a cursor.
/// </remarks>
public sealed record MessageTimeQuery
{
    /// <summary>The largest <see cref="Limit"/> a store accepts.</summary>
    public const int MaxLimit = 1000;

    /// <summary>Only messages created at or after this time; <see langword="null"/> for no lower bound.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Only messages created before this time; <see langword="null"/> for no upper bound.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>How many messages at most (1 to <see cref="MaxLimit"/>; default 100).</summary>
    public int Limit { get; init; } = 100;

    /// <summary>
    /// When the range holds more than <see cref="Limit"/> messages, take the newest ones (the last messages before
    /// <see cref="Until"/>) instead of the oldest (the first after <see cref="Since"/>). The result is oldest first either way.
    /// </summary>
    public bool Newest { get; init; }
}
