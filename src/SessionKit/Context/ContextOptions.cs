namespace SessionKit;

/// <summary>How context windows are built and when summaries are made. Set through <see cref="SessionKitOptions.Context"/>.</summary>
public sealed class ContextOptions
{
    /// <summary>The budget <see cref="IContextBuilder.SummarizeAsync(Guid, CancellationToken)"/> prepares summaries for (default 4,000 tokens).</summary>
    public int DefaultTokenBudget { get; set; } = 4000;

    /// <summary>How many messages one level-1 summary covers (default 10: "after 10 messages, store a summary").</summary>
    public int SummaryBlockSize { get; set; } = 10;

    /// <summary>How many summaries of one level a summary of the next level combines (default 10).</summary>
    public int RollupSize { get; set; } = 10;

    /// <summary>
    /// The most tokens a summary's text should take (default 160). A build with a small budget asks for less — half its
    /// summary share, at least 16 — so that summaries still fit it.
    /// </summary>
    public int SummaryTargetTokens { get; set; } = 160;

    /// <summary>The share of the budget summaries may take (default 0.25).</summary>
    public double SummaryShare { get; set; } = 0.25;

    /// <summary>The share of the budget recalled messages may take when the request has a query (default 0.15).</summary>
    public double RecallShare { get; set; } = 0.15;

    /// <summary>
    /// In the <see cref="ContextLayout.CacheStable"/> layout, the most tokens recalled messages may take (default 200; never
    /// more than <see cref="RecallShare"/> of the budget). Recalled items are the one part of a cache-stable prompt that is new
    /// on every turn — input a provider's prompt cache never discounts — so they are kept short: at a 4,000-token budget the
    /// full share (600 tokens) would make a sixth of every prompt uncached. Raise it to trade prefix reuse for more recall;
    /// 0 turns recall off in that layout.
    /// </summary>
    public int CacheStableRecallTokens { get; set; } = 200;

    /// <summary>The most older messages recalled verbatim into one window (default 5).</summary>
    public int MaxRecalledMessages { get; set; } = 5;

    /// <summary>Where recall searches: this session only (the default) or every session of its user.</summary>
    public RecallScope RecallScope { get; set; } = RecallScope.Session;

    /// <summary>
    /// How many earlier sessions a build follows through <see cref="Session.ContinuesFromSessionId"/> (default 3; 0 turns it
    /// off): recall also searches them, and their newest summaries fill summary budget this session leaves unused — so a
    /// user who comes back after a long gap to a new session still reaches what was said before.
    /// </summary>
    public int MaxLinkedSessions { get; set; } = 3;

    /// <summary>The share of the budget the system prompt may take (default 0.25); a longer prompt is rejected.</summary>
    public double SystemPromptShare { get; set; } = 0.25;

    /// <summary>The most summarizer calls one build (or one <see cref="IContextBuilder.SummarizeAsync(Guid, int, CancellationToken)"/>) makes (default 4), so a long backlog cannot stall a request.</summary>
    public int MaxSummarizationsPerBuild { get; set; } = 4;

    /// <summary>How long one summarizer call may take before the build falls back (default 30 seconds).</summary>
    public TimeSpan SummarizerTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How windows are laid out (default <see cref="ContextLayout.Fill"/>): filling the budget with verbatim messages, or
    /// keeping the prompt's start stable so a provider's prompt cache can reuse it. A request may override it
    /// (<see cref="ContextRequest.Layout"/>).
    /// </summary>
    public ContextLayout Layout { get; set; } = ContextLayout.Fill;

    /// <summary>Returns a description of each invalid setting, naming it; empty when all are valid.</summary>
    /// <param name="prefix">The path of this object in its parent options.</param>
    /// <returns>The failures.</returns>
    public IReadOnlyList<string> Validate(string prefix = nameof(ContextOptions))
    {
        var failures = new List<string>();
        if (DefaultTokenBudget < 1)
        {
            failures.Add($"{prefix}.{nameof(DefaultTokenBudget)} must be at least 1 (was {DefaultTokenBudget}).");
        }

        if (SummaryBlockSize < 2)
        {
            failures.Add($"{prefix}.{nameof(SummaryBlockSize)} must be at least 2 (was {SummaryBlockSize}).");
        }

        if (RollupSize < 2)
        {
            failures.Add($"{prefix}.{nameof(RollupSize)} must be at least 2 (was {RollupSize}).");
        }

        if (SummaryTargetTokens < 8)
        {
            failures.Add($"{prefix}.{nameof(SummaryTargetTokens)} must be at least 8 (was {SummaryTargetTokens}).");
        }

        CheckShare(failures, prefix, nameof(SummaryShare), SummaryShare);
        CheckShare(failures, prefix, nameof(RecallShare), RecallShare);
        CheckShare(failures, prefix, nameof(SystemPromptShare), SystemPromptShare);
        if (SummaryShare + RecallShare > 0.9)
        {
            failures.Add($"{prefix}.{nameof(SummaryShare)} + {prefix}.{nameof(RecallShare)} must leave at least 10% of the budget to recent messages (was {SummaryShare + RecallShare:0.###}).");
        }

        if (MaxLinkedSessions is < 0 or > 100)
        {
            failures.Add($"{prefix}.{nameof(MaxLinkedSessions)} must be between 0 and 100 (was {MaxLinkedSessions}).");
        }

        if (CacheStableRecallTokens < 0)
        {
            failures.Add($"{prefix}.{nameof(CacheStableRecallTokens)} must not be negative (was {CacheStableRecallTokens}).");
        }

        if (MaxRecalledMessages < 0)
        {
            failures.Add($"{prefix}.{nameof(MaxRecalledMessages)} must not be negative (was {MaxRecalledMessages}).");
        }

        if (!Enum.IsDefined(RecallScope))
        {
            failures.Add($"{prefix}.{nameof(RecallScope)} has an undefined value ({(int)RecallScope}).");
        }

        if (!Enum.IsDefined(Layout))
        {
            failures.Add($"{prefix}.{nameof(Layout)} has an undefined value ({(int)Layout}).");
        }

        if (MaxSummarizationsPerBuild < 0)
        {
            failures.Add($"{prefix}.{nameof(MaxSummarizationsPerBuild)} must not be negative (was {MaxSummarizationsPerBuild}).");
        }

        if (SummarizerTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{prefix}.{nameof(SummarizerTimeout)} must be positive (was {SummarizerTimeout}).");
        }

        return failures;
    }

    internal ContextOptions Clone() => (ContextOptions)MemberwiseClone();

    private static void CheckShare(List<string> failures, string prefix, string name, double value)
    {
        if (double.IsNaN(value) || value is < 0 or > 1)
        {
            failures.Add($"{prefix}.{name} must be between 0 and 1 (was {value}).");
        }
    }
}
