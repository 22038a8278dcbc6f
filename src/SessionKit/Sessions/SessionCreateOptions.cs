namespace SessionKit;

/// <summary>Optional settings for a new session.</summary>
public sealed record SessionCreateOptions
{
    /// <summary>A human-readable title; <see langword="null"/> or empty for none.</summary>
    public string? Title { get; init; }

    /// <summary>Free-form string metadata; keys must be non-empty and values non-null.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>
    /// An earlier session of the same user that the new one continues, or <see langword="null"/>. It must exist and belong to
    /// the same user, else <see cref="ISessionStore.CreateSessionAsync"/> throws <see cref="ArgumentException"/>.
    /// </summary>
    public Guid? ContinuesFromSessionId { get; init; }
}
