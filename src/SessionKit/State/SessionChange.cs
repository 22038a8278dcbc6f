namespace SessionKit;

/// <summary>One change to a session, numbered by the session version it produced.</summary>
public sealed record SessionChange
{
    /// <summary>The session.</summary>
    public required Guid SessionId { get; init; }

    /// <summary>The session's version after the change: the change number, increasing by one per change.</summary>
    public required long Version { get; init; }

    /// <summary>What happened.</summary>
    public required SessionChangeKind Kind { get; init; }

    /// <summary>The first sequence concerned, if any.</summary>
    public long? FromSequence { get; init; }

    /// <summary>The last sequence concerned (for a rewind: the last one kept), if any.</summary>
    public long? ToSequence { get; init; }

    /// <summary>The state key, for state changes.</summary>
    public string? StateKey { get; init; }

    /// <summary>Who made the change, if said (a message's author, an editor, a state writer).</summary>
    public string? AuthorId { get; init; }

    /// <summary>When (UTC, from the store's clock).</summary>
    public required DateTimeOffset ChangedAt { get; init; }
}
