using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using SessionKit.Extensions.AI;

namespace SessionKit.Agents.AI;

/// <summary>
/// A Microsoft Agent Framework <see cref="AIContextProvider"/> that gives any agent SessionKit's memory of a conversation —
/// summaries of its older parts and older messages recalled by the newest user message — as context, also for agents
/// whose chat history lives elsewhere (an in-memory history, a service-managed thread). Each successful run is appended
/// to the SessionKit session so later runs can recall it (<see cref="SessionKitContextProviderOptions.StoreMessages"/>).
/// </summary>
/// <remarks>
/// <para>The context is one user-role message that quotes the summaries and recalled messages as data
/// (<c>&lt;sessionkit-context&gt;</c>, stored text escaped so it cannot close the quote), placed just before the run's
/// new messages; never instructions or a system message, so text a user stored earlier has no system authority.</para>
/// <para>Access as for <see cref="SessionKitChatHistoryProvider"/>: each run acts for its caller (the host's
/// <see cref="ISessionCallerAccessor"/>, else <see cref="SessionKitAgentSession.SetCaller"/>), refused without one or for
/// another user's session; <see cref="CreateTrusted"/> skips the checks. Use it instead of, not together with,
/// <see cref="SessionKitChatHistoryProvider"/> on one agent (that provider already sends summaries and recall).</para>
/// </remarks>
public sealed class SessionKitContextProvider : AIContextProvider
{
    private readonly RequestAccess _access;
    private readonly SessionKitContextProviderOptions _options;
    private readonly ContextPrompt _prompt;

    /// <summary>Creates the access-checked provider: each run acts for its caller through <paramref name="accessor"/>.</summary>
    /// <param name="accessor">Gives each run's caller its scope (registered by <c>AddSessionKit()</c>).</param>
    /// <param name="tokenCounter">Counts the context against the budget.</param>
    /// <param name="options">Budget and session settings; <see langword="null"/> for the defaults. Copied.</param>
    /// <param name="callerAccessor">The host's current caller; <see langword="null"/> to use only the caller set on each agent session.</param>
    /// <exception cref="ArgumentNullException">A required argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The token budget is below 1.</exception>
    public SessionKitContextProvider(
        ISessionAccessor accessor,
        ITokenCounter tokenCounter,
        SessionKitContextProviderOptions? options = null,
        ISessionCallerAccessor? callerAccessor = null)
        : this(RequestAccess.CallerScoped(accessor, callerAccessor), tokenCounter, options)
    {
    }

    private SessionKitContextProvider(RequestAccess access, ITokenCounter tokenCounter, SessionKitContextProviderOptions? options)
    {
        _options = options?.Clone() ?? new SessionKitContextProviderOptions();
        _prompt = new ContextPrompt(tokenCounter, _options.TokenBudget, _options.SummarizeInline);
        _access = access;
    }

    /// <summary>Creates the provider <b>without access checks</b>, over <paramref name="store"/> as given. For trusted back-office code only.</summary>
    /// <param name="store">Where conversations are stored.</param>
    /// <param name="contextBuilder">Builds the context window over <paramref name="store"/>.</param>
    /// <param name="tokenCounter">Counts the context against the budget.</param>
    /// <param name="options">Budget and session settings; <see langword="null"/> for the defaults. Copied.</param>
    /// <param name="callerAccessor">The host's current caller, the owner of created sessions; <see langword="null"/> for the caller set on each agent session.</param>
    /// <returns>The provider.</returns>
    /// <exception cref="ArgumentNullException">A required argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The token budget is below 1.</exception>
    public static SessionKitContextProvider CreateTrusted(
        ISessionStore store,
        IContextBuilder contextBuilder,
        ITokenCounter tokenCounter,
        SessionKitContextProviderOptions? options = null,
        ISessionCallerAccessor? callerAccessor = null) =>
        new(RequestAccess.Trusted(store, contextBuilder, callerAccessor), tokenCounter, options);

    /// <summary>Whether this provider skips access checks (made with <see cref="CreateTrusted"/>).</summary>
    public bool IsTrusted => _access.IsTrusted;

    /// <inheritdoc />
    /// <remarks>Places the quoted context just before the run's new (external) messages, so the newest user message stays last.</remarks>
    protected override async ValueTask<AIContext> InvokingCoreAsync(InvokingContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var input = context.AIContext;
        var messages = (input.Messages ?? []).ToList();
        var framed = await ProvideContextMessageAsync(context.Session, messages, cancellationToken).ConfigureAwait(false);
        if (framed is null)
        {
            return input;
        }

        int firstNew = messages.FindIndex(m => m.GetAgentRequestMessageSourceType() == AgentRequestMessageSourceType.External);
        messages.Insert(firstNew < 0 ? messages.Count : firstNew, framed.WithAgentRequestMessageSource(AgentRequestMessageSourceType.AIContextProvider, GetType().FullName!));
        return new AIContext { Instructions = input.Instructions, Tools = input.Tools, Messages = messages };
    }

    /// <inheritdoc />
    protected override async ValueTask<AIContext> ProvideAIContextAsync(InvokingContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var framed = await ProvideContextMessageAsync(context.Session, (context.AIContext.Messages ?? []).ToList(), cancellationToken).ConfigureAwait(false);
        return new AIContext { Messages = framed is null ? [] : [framed] };
    }

    /// <inheritdoc />
    protected override async ValueTask StoreAIContextAsync(InvokedContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!_options.StoreMessages || context.InvokeException is not null)
        {
            return;
        }

        var view = AgentSessions.Open(_access, context.Session, nameof(SessionKitContextProvider));
        Guid sessionId = await GetSessionIdAsync(view, context.Session, cancellationToken).ConfigureAwait(false);
        var batch = new List<NewMessage>(context.RequestMessages
            .Where(m => m.GetAgentRequestMessageSourceType() == AgentRequestMessageSourceType.External)
            .ToNewMessages());
        batch.AddRange((context.ResponseMessages ?? []).ToNewMessages());
        if (batch.Count > 0)
        {
            await view.Store.AppendMessagesAsync(sessionId, batch, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<ChatMessage?> ProvideContextMessageAsync(AgentSession? agentSession, List<ChatMessage> messages, CancellationToken cancellationToken)
    {
        var view = AgentSessions.Open(_access, agentSession, nameof(SessionKitContextProvider));
        Guid sessionId = await GetSessionIdAsync(view, agentSession, cancellationToken).ConfigureAwait(false);
        var external = messages.Where(m => m.GetAgentRequestMessageSourceType() == AgentRequestMessageSourceType.External).ToList();
        string? query = ContextPrompt.QueryOf(external, recall: true);
        var rendered = await _prompt.BuildAsync(view.Store, view.Context, sessionId, systemPrompt: null, [], query, cancellationToken, recentMessages: false).ConfigureAwait(false);
        return rendered.SingleOrDefault();
    }

    private ValueTask<Guid> GetSessionIdAsync(RequestView view, AgentSession? agentSession, CancellationToken cancellationToken) =>
        AgentSessions.GetOrCreateAsync(view, agentSession, nameof(SessionKitContextProvider), _options.CreateSessionWhenMissing, _options.SessionIdResolver, cancellationToken);
}
