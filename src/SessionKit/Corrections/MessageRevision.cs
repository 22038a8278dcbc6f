namespace SessionKit;

/// <summary>An earlier content of an edited message, kept so that the edit is auditable.</summary>
public sealed record MessageRevision
{
    /// <summary>The session of the message.</summary>
    public required Guid SessionId { get; init; }

    /// <summary>The message's sequence.</summary>
    public required long Sequence { get; init; }

    /// <summary>The revision number this content had (1 for the content first appended).</summary>
    public required int Revision { get; init; }

    /// <summary>The content as it was.</summary>
    public required string Content { get; init; }

    /// <summary>The token count that content had.</summary>
    public int TokenCount { get; init; }

    /// <summary>When this content was replaced (UTC, from the store's clock).</summary>
    public required DateTimeOffset ReplacedAt { get; init; }

    /// <summary>Who replaced it (<see cref="CorrectionOptions.AuthorId"/>), or <see langword="null"/> when not said.</summary>
    public string? ReplacedBy { get; init; }
}
