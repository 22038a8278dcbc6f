namespace SessionKit;

/// <summary>A change to a session's descriptive fields. Properties left <see langword="null"/> are not changed.</summary>
public sealed record SessionUpdate
{
    /// <summary>The new title; an empty string removes the title; <see langword="null"/> leaves it unchanged.</summary>
    public string? Title { get; init; }

    /// <summary>The new metadata, replacing all existing entries; <see langword="null"/> leaves it unchanged.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>
    /// When set, the update is applied only if the session's <see cref="Session.Version"/> still equals this value;
    /// otherwise a <see cref="SessionConcurrencyException"/> is thrown and nothing changes.
    /// </summary>
    public long? ExpectedVersion { get; init; }
}
