namespace SessionKit;

/// <summary>Which summaries of a session to read. Results are ordered by <see cref="SessionSummary.ToSequence"/>.</summary>
public sealed record SummaryQuery
{
    /// <summary>The largest <see cref="Limit"/> accepted.</summary>
    public const int MaxLimit = 10_000;

    /// <summary>Only summaries of this level; <see langword="null"/> for every level.</summary>
    public int? Level { get; init; }

    /// <summary>Only summaries whose <see cref="SessionSummary.ToSequence"/> is at most this.</summary>
    public long? ToSequenceAtMost { get; init; }

    /// <summary>Only summaries whose <see cref="SessionSummary.FromSequence"/> is greater than this.</summary>
    public long? FromSequenceAfter { get; init; }

    /// <summary><see langword="true"/> (the default) for the newest (highest <see cref="SessionSummary.ToSequence"/>) first.</summary>
    public bool NewestFirst { get; init; } = true;

    /// <summary>How many summaries at most (1 to <see cref="MaxLimit"/>; default 100).</summary>
    public int Limit { get; init; } = 100;
}
