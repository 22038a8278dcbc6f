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
    /// Keeps the prompt's start stable for prompt caching. The layout contract: the system prompt; this session's summaries,
    /// oldest first (summaries carried over from earlier sessions before them); every verbatim message, oldest first, from a
    /// block boundary that moves only when new summaries are made (then by several blocks at once), the newest user turn last
    /// among them; then the recalled messages, at the very end (other sessions' first, then this session's, oldest first).
    /// So a turn changes the prompt only after the previous prompt's newest user turn — where the previous answer, the new
    /// question and the new recall go — except when a summary is made. Recalled items take at most
    /// <see cref="ContextOptions.CacheStableRecallTokens"/> (they are the uncached part of every prompt); they are quoted
    /// context, never instructions (renderers such as the chat-client middleware send them as quoted data in a user-role
    /// message, never with system authority). The budget is not always filled: after the boundary moves, part of the recent
    /// share stays free until new turns use it.
    /// </summary>
    CacheStable = 1,
}
