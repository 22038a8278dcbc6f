namespace SessionKit;

/// <summary>How a context window orders and chooses its items (see <see cref="ContextOptions.Layout"/>).</summary>
public enum ContextLayout
{
    /// <summary>
    /// Fills the budget: recent messages verbatim as far back as they fit, a summary only for what does not fit verbatim,
    /// recalled messages by position among the summaries. The start of the verbatim window slides with every turn, so a
    /// provider's prompt cache rarely reuses more than the system prompt and the summaries.
    /// </summary>
    Fill = 0,

    /// <summary>
    /// Keeps the prompt's start stable for prompt caching: the system prompt, the summaries oldest first, then the recent
    /// messages from a block boundary that moves only when new summaries are made (then by several blocks at once), and
    /// recalled messages last, just before the newest user turn, so what changes from one turn to the next sits at the end.
    /// The budget is not always filled: after the boundary moves, part of the recent share stays free until new turns use it.
    /// </summary>
    CacheStable = 1,
}
