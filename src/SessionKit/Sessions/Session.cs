namespace SessionKit;

/// <summary>A stored conversation owned by one user: the unit that is continued, listed, summarized and deleted.</summary>
/// <remarks>
/// A <see cref="Session"/> is an immutable snapshot; every change made through an <see cref="ISessionStore"/> returns a new one.
/// Record equality compares <see cref="Metadata"/> by reference, so compare snapshots by <see cref="Id"/> and <see cref="Version"/>.
/// </remarks>
public sealed record Session
{
    /// <summary>The session id. Ids are version 7 GUIDs, so they sort by creation time.</summary>
    public required Guid Id { get; init; }

    /// <summary>The owner of the session, as identified by the host application.</summary>
    public required string UserId { get; init; }

    /// <summary>An optional human-readable title, or <see langword="null"/> when none was set.</summary>
    public string? Title { get; init; }

    /// <summary>When the session was created (UTC, from the store's <see cref="TimeProvider"/>).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When a message was last appended, or <see cref="CreatedAt"/> if none was (UTC).</summary>
    public required DateTimeOffset LastActivityAt { get; init; }

    /// <summary>
    /// The concurrency token: 1 when created, incremented by every change to the session or its messages.
    /// Pass it as an expected version to make a change conditional on nobody else having changed the session.
    /// </summary>
    public required long Version { get; init; }

    /// <summary>The sequence number of the newest message, or 0 when the session has no messages.</summary>
    public long LastSequence { get; init; }

    /// <summary>The number of messages stored in the session.</summary>
    public long MessageCount { get; init; }

    /// <summary>
    /// The earlier session of the same user that this one continues (a new session started after a long gap), or
    /// <see langword="null"/>. Lets the context builder reach the earlier session's summaries and search.
    /// </summary>
    public Guid? ContinuesFromSessionId { get; init; }

    /// <summary>The session this one was forked from (see <see cref="ISessionCorrectionStore.ForkSessionAsync"/>), or <see langword="null"/>.</summary>
    public Guid? ForkedFromSessionId { get; init; }

    /// <summary>The last sequence copied from <see cref="ForkedFromSessionId"/>, or <see langword="null"/> when not a fork.</summary>
    public long? ForkedAtSequence { get; init; }

    /// <summary>Free-form string metadata attached by the application. Never <see langword="null"/>.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = EmptyMetadata.Instance;
}
