using Microsoft.Extensions.AI;

namespace SessionKit.Extensions.AI;

/// <summary>Settings for <see cref="SessionKitChatClient"/>.</summary>
public sealed class SessionKitChatClientOptions
{
    /// <summary>
    /// The most tokens a prompt sent to the inner client may cost, everything included (system prompt, summaries, recalled
    /// messages, recent history and the new turn); <see langword="null"/> for <see cref="ContextOptions.DefaultTokenBudget"/>.
    /// </summary>
    public int? TokenBudget { get; set; }

    /// <summary>
    /// Finds the session of a request. <see langword="null"/> (the default) parses <see cref="ChatOptions.ConversationId"/>
    /// as the session's id.
    /// </summary>
    public Func<IEnumerable<ChatMessage>, ChatOptions?, CancellationToken, ValueTask<Guid>>? SessionIdResolver { get; set; }

    /// <summary>Whether the newest user message is used as the query that recalls older messages verbatim (default <see langword="true"/>).</summary>
    public bool RecallWithLatestUserMessage { get; set; } = true;

    /// <summary>Whether building the context may call the summarizer for ranges that no longer fit (default <see langword="true"/>).</summary>
    public bool SummarizeInline { get; set; } = true;

    internal SessionKitChatClientOptions Clone() => (SessionKitChatClientOptions)MemberwiseClone();
}
