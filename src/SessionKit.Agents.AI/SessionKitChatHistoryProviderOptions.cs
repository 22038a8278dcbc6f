using Microsoft.Agents.AI;

namespace SessionKit.Agents.AI;

/// <summary>Settings for <see cref="SessionKitChatHistoryProvider"/>.</summary>
public sealed class SessionKitChatHistoryProviderOptions
{
    /// <summary>
    /// The most tokens the history plus the new messages may cost (the agent's instructions and tools are not counted: the
    /// agent adds them); <see langword="null"/> for <see cref="ContextOptions.DefaultTokenBudget"/>.
    /// </summary>
    public int? TokenBudget { get; set; }

    /// <summary>
    /// Whether an agent session without a SessionKit session gets a new one, owned by the run's user caller (default
    /// <see langword="true"/>). When <see langword="false"/>, attach one first (<see cref="SessionKitAgentSession.AttachSession"/>)
    /// or let <see cref="SessionIdResolver"/> find it.
    /// </summary>
    public bool CreateSessionWhenMissing { get; set; } = true;

    /// <summary>Finds the SessionKit session of an agent session that has none attached (given the run's caller, if any); <see langword="null"/> to create one.</summary>
    public Func<AgentSession, SessionCaller?, CancellationToken, ValueTask<Guid>>? SessionIdResolver { get; set; }

    /// <summary>Whether the newest user message is used as the query that recalls older messages verbatim (default <see langword="true"/>).</summary>
    public bool RecallWithLatestUserMessage { get; set; } = true;

    /// <summary>Whether building the context may call the summarizer for ranges that no longer fit (default <see langword="true"/>).</summary>
    public bool SummarizeInline { get; set; } = true;

    internal SessionKitChatHistoryProviderOptions Clone() => (SessionKitChatHistoryProviderOptions)MemberwiseClone();
}
