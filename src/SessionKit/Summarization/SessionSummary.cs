namespace SessionKit;

/// <summary>
/// A summary of a contiguous range of a session's messages, [<see cref="FromSequence"/>, <see cref="ToSequence"/>].
/// Summaries are derived data: changing or removing a covered message invalidates them.
/// </summary>
public sealed record SessionSummary
{
    /// <summary>The summary id (a version 7 GUID).</summary>
    public required Guid Id { get; init; }

    /// <summary>The session summarized.</summary>
    public required Guid SessionId { get; init; }

    /// <summary>The first sequence covered.</summary>
    public required long FromSequence { get; init; }

    /// <summary>The last sequence covered; the summary is anchored to this message.</summary>
    public required long ToSequence { get; init; }

    /// <summary>1 for a summary of messages; 2 or more for a summary of summaries.</summary>
    public required int Level { get; init; }

    /// <summary>The summary text.</summary>
    public required string Content { get; init; }

    /// <summary>The tokens the text costs as a message, counted with <see cref="TokenEncoding"/>.</summary>
    public required int TokenCount { get; init; }

    /// <summary>The encoding <see cref="TokenCount"/> was counted with.</summary>
    public required string TokenEncoding { get; init; }

    /// <summary>Which summarizer made it (its <see cref="ISummarizer.Id"/>).</summary>
    public required string SummarizerId { get; init; }

    /// <summary>When it was made (UTC).</summary>
    public required DateTimeOffset CreatedAt { get; init; }
}
