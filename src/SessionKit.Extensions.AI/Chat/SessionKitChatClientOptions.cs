using Microsoft.Extensions.AI;

namespace SessionKit.Extensions.AI;

/// <summary>
/// Settings for <see cref="SessionKitChatClient"/>. Binds from configuration
/// (<c>services.AddSessionKitChatClientOptions().Bind(configuration.GetSection("SessionKit:Chat"))</c>), validated at start.
/// </summary>
public sealed class SessionKitChatClientOptions
{
    /// <summary>
    /// The most tokens a prompt sent to the inner client may cost, everything included (system prompt, summaries, recalled
    /// messages, recent history and the new turn); <see langword="null"/> for <see cref="ContextOptions.DefaultTokenBudget"/>.
    /// </summary>
    public int? TokenBudget { get; set; }

    /// <summary>
    /// Whether a request may start a session (default <see langword="false"/>): a request without
    /// <see cref="ChatOptions.ConversationId"/> gets a new session of its caller, and a conversation id that is not a
    /// session of the caller (your own id such as <c>"chat-123"</c>, or an unknown GUID) names a session created on its
    /// first use and found again on later requests (the mapping is kept in the caller's user-scoped state under a hash of
    /// the id). The response's <see cref="ChatResponse.ConversationId"/> is always the session id. Needs a user caller.
    /// </summary>
    public bool CreateSessionWhenMissing { get; set; }

    /// <summary>
    /// Finds the session of a request. <see langword="null"/> (the default) parses <see cref="ChatOptions.ConversationId"/>
    /// as the session's id. Not bound from configuration.
    /// </summary>
    public Func<IEnumerable<ChatMessage>, ChatOptions?, CancellationToken, ValueTask<Guid>>? SessionIdResolver { get; set; }

    /// <summary>Whether the newest user message is used as the query that recalls older messages verbatim (default <see langword="true"/>).</summary>
    public bool RecallWithLatestUserMessage { get; set; } = true;

    /// <summary>Whether building the context may call the summarizer for ranges that no longer fit (default <see langword="true"/>).</summary>
    public bool SummarizeInline { get; set; } = true;

    /// <summary>
    /// How the history is laid out in the prompt; <see langword="null"/> (the default) for <see cref="ContextOptions.Layout"/>.
    /// <see cref="ContextLayout.CacheStable"/> keeps the prompt's start identical from turn to turn (system prompt, quoted
    /// summaries, recent history, the new user message, then the quoted recalled messages in a user-role message of their
    /// own, last), so a provider's prompt cache reuses everything up to the new turn.
    /// </summary>
    public ContextLayout? Layout { get; set; }

    internal SessionKitChatClientOptions Clone() => (SessionKitChatClientOptions)MemberwiseClone();
}
