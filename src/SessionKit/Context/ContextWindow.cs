namespace SessionKit;

/// <summary>
/// What the model should see for a session within a token budget: items in the order to send them (the system prompt
/// first, then summaries of old ranges and recalled messages, then recent messages verbatim; in the
/// <see cref="ContextLayout.CacheStable"/> layout the recalled messages come last), their costs, and what was left out.
/// </summary>
public sealed record ContextWindow
{
    /// <summary>The session the window was built for.</summary>
    public required Guid SessionId { get; init; }

    /// <summary>The items, in the order to send them.</summary>
    public required IReadOnlyList<ContextItem> Items { get; init; }

    /// <summary>The budget the window was built for.</summary>
    public required int TokenBudget { get; init; }

    /// <summary>
    /// The total cost: the items' tokens plus <see cref="RequestOverheadTokens"/>. Never more than <see cref="TokenBudget"/>.
    /// </summary>
    public required int TotalTokens { get; init; }

    /// <summary>The tokens a request costs once, whatever its messages (<see cref="ITokenCounter.RequestOverhead"/>).</summary>
    public required int RequestOverheadTokens { get; init; }

    /// <summary>The tokenizer encoding the counts are in.</summary>
    public required string TokenEncoding { get; init; }

    /// <summary>Ranges of stored messages that the window neither shows verbatim nor covers with a summary.</summary>
    public required IReadOnlyList<SequenceRange> OmittedRanges { get; init; }

    /// <summary>How many summaries this build created (and stored) inline.</summary>
    public int SummariesCreated { get; init; }

    /// <summary>
    /// <see langword="true"/> when the summarizer failed or timed out, so the window was built from what fits verbatim and the
    /// summaries that already existed; nothing half-done was stored and the next build tries again.
    /// </summary>
    public bool UsedFallback { get; init; }

    /// <summary>Why the fallback was used, or <see langword="null"/>.</summary>
    public string? FallbackReason { get; init; }

    /// <summary>How the items are laid out: with <see cref="ContextLayout.CacheStable"/>, recalled items come last, after the newest user turn.</summary>
    public ContextLayout Layout { get; init; }

    /// <summary>
    /// Whether the build stopped at <see cref="ContextOptions.MaxSummarizationsPerBuild"/> with summarizing still to do (a
    /// backlog, as after an import). <see cref="IContextBuilder.CatchUpAsync"/>, or the hosted background summarizer, drains it.
    /// </summary>
    public bool SummarizationBacklog { get; init; }

    /// <summary>The number of stored messages the window leaves out entirely.</summary>
    public long OmittedMessageCount => OmittedRanges.Sum(r => r.Length);
}
