namespace SessionKit;

/// <summary>What to summarize: a block of messages, or (for a roll-up) a run of lower-level summaries.</summary>
public sealed record SummarizationRequest
{
    /// <summary>The messages to summarize, in order; empty for a roll-up.</summary>
    public IReadOnlyList<SessionMessage> Messages { get; init; } = [];

    /// <summary>The summaries to combine, in order, for a roll-up; empty for a summary of messages.</summary>
    public IReadOnlyList<SessionSummary> Summaries { get; init; } = [];

    /// <summary>The summary of what came before, for summarizers that keep a rolling context; may be <see langword="null"/>.</summary>
    public string? PreviousSummary { get; init; }

    /// <summary>The most tokens the summary text should take (counted as plain text).</summary>
    public required int TargetTokens { get; init; }
}
