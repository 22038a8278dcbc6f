namespace SessionKit;

/// <summary>How to fork a session.</summary>
public sealed record ForkOptions
{
    /// <summary>The new session's title; <see langword="null"/> keeps the source's title.</summary>
    public string? Title { get; init; }

    /// <summary>When set, the fork happens only if the source session is still at this version.</summary>
    public long? ExpectedVersion { get; init; }
}
