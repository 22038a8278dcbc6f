namespace SessionKit;

/// <summary>Optional settings for a new session.</summary>
public sealed record SessionCreateOptions
{
    /// <summary>A human-readable title; <see langword="null"/> or empty for none.</summary>
    public string? Title { get; init; }

    /// <summary>Free-form string metadata; keys must be non-empty and values non-null.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
