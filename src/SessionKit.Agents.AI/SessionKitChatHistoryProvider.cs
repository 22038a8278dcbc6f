using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using SessionKit.Extensions.AI;

namespace SessionKit.Agents.AI;

/// <summary>
/// A Microsoft Agent Framework <see cref="ChatHistoryProvider"/> that keeps an agent's conversation in SessionKit: each
/// run gets the budgeted context window (summaries and recalled messages quoted as data in one user-role message, then
/// recent messages) as its history, and the run's new messages and response are appended in one atomic batch when the
/// run succeeded.
/// </summary>
/// <remarks>
/// <para><b>Who asks.</b> Each run acts for its caller: the host's <see cref="ISessionCallerAccessor"/>'s current caller,
/// else the caller set on the agent session (<see cref="SessionKitAgentSession.SetCaller"/>), so one provider serves many
/// users. A run with no caller throws <see cref="SessionCallerRequiredException"/>, a run on a session the caller may not
/// use throws <see cref="SessionAccessDeniedException"/>, both before the model is called. Only
/// <see cref="CreateTrusted"/> skips these checks.</para>
/// <para>The agent session holds only the SessionKit session id and the caller (in its <see cref="AgentSession.StateBag"/>),
/// so a serialized agent session stays small and a deserialized one, on any machine using the same store, continues the
/// same conversation. Failed runs store nothing; messages other context providers added are not stored.</para>
/// </remarks>
public sealed class SessionKitChatHistoryProvider : ChatHistoryProvider
{
    private readonly RequestAccess _access;
    private readonly SessionKitChatHistoryProviderOptions _options;
    private readonly ContextPrompt _prompt;

    /// <summary>Creates the access-checked provider: each run acts for its caller through <paramref name="accessor"/>.</summary>
    /// <param name="accessor">Gives each run's caller its scope (registered by <c>AddSessionKit()</c>).</param>
    /// <param name="tokenCounter">Counts the history and new messages against the budget.</param>
    /// <param name="options">Budget and session settings; <see langword="null"/> for the defaults. Copied.</param>
    /// <param name="callerAccessor">The host's current caller; <see langword="null"/> to use only the caller set on each agent session.</param>
    /// <exception cref="ArgumentNullException">A required argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The token budget is below 1.</exception>
    public SessionKitChatHistoryProvider(
        ISessionAccessor accessor,
        ITokenCounter tokenCounter,
        SessionKitChatHistoryProviderOptions? options = null,
        ISessionCallerAccessor? callerAccessor = null)
        : this(RequestAccess.CallerScoped(accessor, callerAccessor), tokenCounter, options)
    {
    }

    private SessionKitChatHistoryProvider(RequestAccess access, ITokenCounter tokenCounter, SessionKitChatHistoryProviderOptions? options)
        : base(storeInputRequestMessageFilter: static messages => messages.Where(m => m.GetAgentRequestMessageSourceType() == AgentRequestMessageSourceType.External))
    {
        _options = options?.Clone() ?? new SessionKitChatHistoryProviderOptions();
        _prompt = new ContextPrompt(tokenCounter, _options.TokenBudget, _options.SummarizeInline);
        _access = access;
    }

    /// <summary>
    /// Creates the provider <b>without access checks</b>: every run reads and writes <paramref name="store"/> as given.
    /// For trusted back-office code only. A run's caller (if any) only owns the sessions it creates.
    /// </summary>
    /// <param name="store">Where conversations are stored.</param>
    /// <param name="contextBuilder">Builds the context window over <paramref name="store"/>.</param>
    /// <param name="tokenCounter">Counts the history and new messages against the budget.</param>
    /// <param name="options">Budget and session settings; <see langword="null"/> for the defaults. Copied.</param>
    /// <param name="callerAccessor">The host's current caller, the owner of created sessions; <see langword="null"/> for the caller set on each agent session.</param>
    /// <returns>The provider.</returns>
    /// <exception cref="ArgumentNullException">A required argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The token budget is below 1.</exception>
    public static SessionKitChatHistoryProvider CreateTrusted(
        ISessionStore store,
        IContextBuilder contextBuilder,
        ITokenCounter tokenCounter,
        SessionKitChatHistoryProviderOptions? options = null,
        ISessionCallerAccessor? callerAccessor = null) =>
        new(RequestAccess.Trusted(store, contextBuilder, callerAccessor), tokenCounter, options);

    /// <summary>Whether this provider skips access checks (made with <see cref="CreateTrusted"/>).</summary>
    public bool IsTrusted => _access.IsTrusted;

    /// <inheritdoc />
    protected override async ValueTask<IEnumerable<ChatMessage>> ProvideChatHistoryAsync(InvokingContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var view = AgentSessions.Open(_access, context.Session, nameof(SessionKitChatHistoryProvider));
        Guid sessionId = await GetSessionIdAsync(view, context.Session, cancellationToken).ConfigureAwait(false);
        var pending = context.RequestMessages.ToList();
        string? query = ContextPrompt.QueryOf(pending, _options.RecallWithLatestUserMessage);
        return await _prompt.BuildAsync(view.Store, view.Context, sessionId, systemPrompt: null, pending, query, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async ValueTask StoreChatHistoryAsync(InvokedContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var view = AgentSessions.Open(_access, context.Session, nameof(SessionKitChatHistoryProvider));
        Guid sessionId = await GetSessionIdAsync(view, context.Session, cancellationToken).ConfigureAwait(false);
        var batch = new List<NewMessage>(context.RequestMessages.ToNewMessages());
        batch.AddRange((context.ResponseMessages ?? []).ToNewMessages());
        if (batch.Count > 0)
        {
            await view.Store.AppendMessagesAsync(sessionId, batch, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private ValueTask<Guid> GetSessionIdAsync(RequestView view, AgentSession? agentSession, CancellationToken cancellationToken) =>
        AgentSessions.GetOrCreateAsync(view, agentSession, nameof(SessionKitChatHistoryProvider), _options.CreateSessionWhenMissing, _options.SessionIdResolver, cancellationToken);
}
