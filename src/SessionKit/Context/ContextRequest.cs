namespace SessionKit;

/// <summary>What to build a <see cref="ContextWindow"/> for.</summary>
public sealed record ContextRequest
{
    /// <summary>The most tokens the window may cost, everything included (at least 1).</summary>
    public required int TokenBudget { get; init; }

    /// <summary>A system prompt to put first; it is charged to the budget.</summary>
    public string? SystemPrompt { get; init; }

    /// <summary>
    /// The user's latest question or topic, used to recall relevant older messages verbatim into the window; the recall
    /// share of the budget goes to recent messages when this is <see langword="null"/>.
    /// </summary>
    public string? Query { get; init; }

    /// <summary>
    /// Whether this build may call the summarizer for ranges that no longer fit (default <see langword="true"/>). Apps that
    /// summarize after replying (<see cref="IContextBuilder.SummarizeAsync(Guid, int, CancellationToken)"/>) can turn it off to keep builds fast.
    /// </summary>
    public bool SummarizeInline { get; init; } = true;

    /// <summary>
    /// Whether the newest stored user turn must be in the window (default <see langword="true"/>). Callers that send the
    /// newest turn themselves and store it only after the reply (such as chat-client middleware) set this to
    /// <see langword="false"/> and reduce <see cref="TokenBudget"/> by that turn's cost: then no stored message is
    /// mandatory, and the window holds whatever recent history fits.
    /// </summary>
    public bool RequireNewestUserTurn { get; init; } = true;

    /// <summary>The layout of this window; <see langword="null"/> (the default) for <see cref="ContextOptions.Layout"/>.</summary>
    public ContextLayout? Layout { get; init; }
}
