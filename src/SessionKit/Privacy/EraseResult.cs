namespace SessionKit;

/// <summary>What an erase removed. Erasing something that does not exist is a no-op that returns <see cref="None"/>.</summary>
public sealed record EraseResult
{
    /// <summary>The result of an erase that found nothing to remove.</summary>
    public static EraseResult None { get; } = new();

    /// <summary>How many sessions were deleted.</summary>
    public long Sessions { get; init; }

    /// <summary>How many messages were deleted (with their search-index entries).</summary>
    public long Messages { get; init; }

    /// <summary>How many summaries were deleted.</summary>
    public long Summaries { get; init; }

    /// <summary>How many session tokens (active, expired or revoked) were deleted.</summary>
    public long Tokens { get; init; }

    /// <summary>How many devices were deleted.</summary>
    public long Devices { get; init; }

    /// <summary>How many access grants were deleted: those the user gave and those the user received.</summary>
    public long Grants { get; init; }

    /// <summary>Whether anything at all was removed.</summary>
    public bool Any => Sessions + Messages + Summaries + Tokens + Devices + Grants > 0;
}
