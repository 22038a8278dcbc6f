using Microsoft.Agents.AI;

namespace SessionKit.Agents.AI;

/// <summary>Settings for <see cref="SessionKitContextProvider"/>.</summary>
public sealed class SessionKitContextProviderOptions
{
    /// <summary>
    /// The window the summaries and recalled messages are drawn from, in tokens (default 2,000): summaries cover what is
    /// older than the recent part of this window, recall takes its share of it. Only summaries and recalled messages are
    /// sent, so the context costs at most this much.
    /// </summary>
    public int TokenBudget { get; set; } = 2_000;

    /// <summary>
    /// Whether each successful run's new messages and response are appended to the SessionKit session (default
    /// <see langword="true"/>), so later runs can recall and summarize them even when the agent's history lives elsewhere.
    /// Turn it off when something else already appends the conversation to that session.
    /// </summary>
    public bool StoreMessages { get; set; } = true;

    /// <summary>Whether an agent session without a SessionKit session gets a new one, owned by the run's user caller (default <see langword="true"/>).</summary>
    public bool CreateSessionWhenMissing { get; set; } = true;

    /// <summary>Finds the SessionKit session of an agent session that has none attached; <see langword="null"/> to create one.</summary>
    public Func<AgentSession, SessionCaller?, CancellationToken, ValueTask<Guid>>? SessionIdResolver { get; set; }

    /// <summary>Whether building the context may call the summarizer for ranges that no longer fit (default <see langword="true"/>).</summary>
    public bool SummarizeInline { get; set; } = true;

    internal SessionKitContextProviderOptions Clone() => (SessionKitContextProviderOptions)MemberwiseClone();
}
