using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace SessionKit.Extensions.AI;

/// <summary>
/// A Microsoft Agent Framework <see cref="ChatHistoryProvider"/> that keeps an agent's conversation in SessionKit: each
/// run gets the budgeted context window (summaries, recalled messages, recent messages) as its history, and the run's new
/// messages and response are appended in one atomic batch when the run succeeded.
/// </summary>
/// <remarks>
/// The agent session holds only the SessionKit session id (in its <see cref="AgentSession.StateBag"/> under
/// <see cref="StateKey"/>), so serializing an agent session stays small and a deserialized one, on any machine using the
/// same store, continues the same conversation. Failed runs store nothing (the base class skips them).
/// </remarks>
public sealed class SessionKitChatHistoryProvider : ChatHistoryProvider
{
    /// <summary>The <see cref="AgentSession.StateBag"/> key under which the SessionKit session id is kept.</summary>
    public const string StateKey = "SessionKit.SessionId";

    private readonly ISessionStore _store;
    private readonly SessionKitChatHistoryProviderOptions _options;
    private readonly ContextPrompt _prompt;

    /// <summary>Creates the provider.</summary>
    /// <param name="store">Where conversations are stored.</param>
    /// <param name="contextBuilder">Builds the context window over <paramref name="store"/>.</param>
    /// <param name="tokenCounter">Counts the history and new messages against the budget.</param>
    /// <param name="options">Budget and session settings; <see langword="null"/> for the defaults. Copied.</param>
    /// <exception cref="ArgumentNullException">A required argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The token budget is below 1.</exception>
    public SessionKitChatHistoryProvider(
        ISessionStore store,
        IContextBuilder contextBuilder,
        ITokenCounter tokenCounter,
        SessionKitChatHistoryProviderOptions? options = null)
    {
        _options = options?.Clone() ?? new SessionKitChatHistoryProviderOptions();
        _prompt = new ContextPrompt(store, contextBuilder, tokenCounter, _options.TokenBudget, _options.SummarizeInline);
        _store = store;
    }

    /// <summary>Makes <paramref name="agentSession"/> continue the SessionKit session <paramref name="sessionId"/>.</summary>
    /// <param name="agentSession">The agent session.</param>
    /// <param name="sessionId">The SessionKit session.</param>
    /// <exception cref="ArgumentNullException"><paramref name="agentSession"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="sessionId"/> is <see cref="Guid.Empty"/>.</exception>
    public static void AttachSession(AgentSession agentSession, Guid sessionId)
    {
        ArgumentNullException.ThrowIfNull(agentSession);
        if (sessionId == Guid.Empty)
        {
            throw new ArgumentException("The session id must not be Guid.Empty.", nameof(sessionId));
        }

        agentSession.StateBag.SetValue(StateKey, sessionId.ToString());
    }

    /// <summary>The SessionKit session an agent session continues, or <see langword="null"/> when none is attached yet.</summary>
    /// <param name="agentSession">The agent session.</param>
    /// <returns>The session id, or <see langword="null"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="agentSession"/> is <see langword="null"/>.</exception>
    public static Guid? GetSessionId(AgentSession agentSession)
    {
        ArgumentNullException.ThrowIfNull(agentSession);
        return agentSession.StateBag.TryGetValue<string>(StateKey, out string? value) && Guid.TryParse(value, out Guid id) ? id : null;
    }

    /// <inheritdoc />
    protected override async ValueTask<IEnumerable<ChatMessage>> ProvideChatHistoryAsync(InvokingContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        Guid sessionId = await GetOrCreateSessionIdAsync(context.Session, cancellationToken).ConfigureAwait(false);
        var pending = context.RequestMessages.ToList();
        string? query = ContextPrompt.QueryOf(pending, _options.RecallWithLatestUserMessage);
        return await _prompt.BuildAsync(sessionId, systemPrompt: null, pending, query, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async ValueTask StoreChatHistoryAsync(InvokedContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        Guid sessionId = await GetOrCreateSessionIdAsync(context.Session, cancellationToken).ConfigureAwait(false);
        var batch = new List<NewMessage>(context.RequestMessages.ToNewMessages());
        batch.AddRange((context.ResponseMessages ?? []).ToNewMessages());
        if (batch.Count > 0)
        {
            await _store.AppendMessagesAsync(sessionId, batch, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<Guid> GetOrCreateSessionIdAsync(AgentSession? agentSession, CancellationToken cancellationToken)
    {
        if (agentSession is null)
        {
            throw new InvalidOperationException("SessionKitChatHistoryProvider needs an agent session to know which conversation to continue; run the agent with a session (agent.CreateSessionAsync()).");
        }

        if (GetSessionId(agentSession) is { } existing)
        {
            return existing;
        }

        Guid sessionId;
        if (_options.SessionIdResolver is { } resolver)
        {
            sessionId = await resolver(agentSession, cancellationToken).ConfigureAwait(false);
        }
        else if (_options.UserId is { } userId)
        {
            sessionId = (await _store.CreateSessionAsync(userId, cancellationToken: cancellationToken).ConfigureAwait(false)).Id;
        }
        else
        {
            throw new InvalidOperationException(
                "The agent session has no SessionKit session: attach one with SessionKitChatHistoryProvider.AttachSession, or set SessionKitChatHistoryProviderOptions.UserId (sessions are created for that user) or SessionIdResolver.");
        }

        AttachSession(agentSession, sessionId);
        return sessionId;
    }
}
