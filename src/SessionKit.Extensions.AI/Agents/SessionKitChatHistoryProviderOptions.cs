using Microsoft.Agents.AI;

namespace SessionKit.Extensions.AI;

/// <summary>Settings for <see cref="SessionKitChatHistoryProvider"/>.</summary>
public sealed class SessionKitChatHistoryProviderOptions
{
    /// <summary>
    /// The most tokens the history plus the new messages may cost (the agent's instructions and tools are not counted: the
    /// agent adds them); <see langword="null"/> for <see cref="ContextOptions.DefaultTokenBudget"/>.
    /// </summary>
    public int? TokenBudget { get; set; }

    /// <summary>
    /// The owner of the SessionKit session created for an agent session that has none yet. When <see langword="null"/>,
    /// an agent session must be attached to an existing session first (<see cref="SessionKitChatHistoryProvider.AttachSession"/>)
    /// or <see cref="SessionIdResolver"/> must find it.
    /// </summary>
    public string? UserId { get; set; }

    /// <summary>Finds the SessionKit session of an agent session that has none attached; <see langword="null"/> to create one for <see cref="UserId"/>.</summary>
    public Func<AgentSession, CancellationToken, ValueTask<Guid>>? SessionIdResolver { get; set; }

    /// <summary>Whether the newest user message is used as the query that recalls older messages verbatim (default <see langword="true"/>).</summary>
    public bool RecallWithLatestUserMessage { get; set; } = true;

    /// <summary>Whether building the context may call the summarizer for ranges that no longer fit (default <see langword="true"/>).</summary>
    public bool SummarizeInline { get; set; } = true;

    internal SessionKitChatHistoryProviderOptions Clone() => (SessionKitChatHistoryProviderOptions)MemberwiseClone();
}
