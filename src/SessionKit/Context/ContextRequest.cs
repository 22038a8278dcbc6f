namespace SessionKit;

/// <summary>What to build a <see cref="ContextWindow"/> for.</summary>
public sealed record ContextRequest
{
    /// <summary>The most tokens the window may cost, everything included (at least 1).</summary>
    public required int TokenBudget { get; init; }

    /// <summary>A system prompt to put first; it is charged to the budget.</summary>
    public string? SystemPrompt { get; init; }

    /// <summary>
    /// The user's latest question or topic, used to recall relevant older messages verbatim into the window. When
    /// <see langword="null"/>, the newest user message is the query (see <see cref="RecallNewestUserMessage"/>).
    /// </summary>
    public string? Query { get; init; }

    /// <summary>
    /// Whether a build without a <see cref="Query"/> recalls with the newest stored user message as the query (default
    /// <see langword="true"/>; only when <see cref="RequireNewestUserTurn"/> is set, since callers that send the newest
    /// turn themselves should pass it as the query). Set <see langword="false"/> to opt out: without a query, the recall
    /// share of the budget then goes to recent messages.
    /// </summary>
    public bool RecallNewestUserMessage { get; init; } = true;

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
