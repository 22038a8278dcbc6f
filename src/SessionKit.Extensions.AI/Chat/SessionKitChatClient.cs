using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace SessionKit.Extensions.AI;

/// <summary>
/// Chat-client middleware that gives a conversation a memory: the session's history is stored in SessionKit and the inner
/// client is sent a token-budgeted context window instead of the caller's message list.
/// </summary>
/// <remarks>
/// <para><b>Who asks.</b> Every request acts for its caller: the <see cref="SessionCaller"/> in
/// <see cref="ChatOptions.AdditionalProperties"/> under <see cref="SessionKitChatOptions.CallerKey"/>
/// (<c>options.WithSessionCaller(caller)</c>), else the current caller of the host's <see cref="ISessionCallerAccessor"/>.
/// The request reads and writes through that caller's <see cref="SessionScope"/>: a request with no caller throws
/// <see cref="SessionCallerRequiredException"/>, a request for a session the caller may not use throws
/// <see cref="SessionAccessDeniedException"/>, both before the inner client is called. Only a pipeline built with
/// <c>UseSessionKitTrusted</c> skips these checks.</para>
/// <para><b>Which session.</b> <see cref="ChatOptions.ConversationId"/> parsed as the session id, or
/// <see cref="SessionKitChatClientOptions.SessionIdResolver"/>. With
/// <see cref="SessionKitChatClientOptions.CreateSessionWhenMissing"/>, a request without a conversation id starts a new
/// session, and a conversation id that is not one of the caller's sessions (such as <c>"chat-123"</c>) names a session
/// created on its first use. The response carries the session id as its <see cref="ChatResponse.ConversationId"/>; the
/// inner client is called without a conversation id and without the caller.</para>
/// <para><b>What is new.</b> System messages anywhere in the list are the caller's system prompt: joined, sent first, never
/// stored. Of the other messages, those after the last assistant message are the new turn (typically the user's message,
/// or tool results on a function-invocation round trip); earlier ones are taken to be history SessionKit already has.</para>
/// <para><b>What is sent.</b> The system prompt (the only system message), then the summaries and recalled messages quoted
/// as data in one user-role message (<c>&lt;sessionkit-context&gt;</c>, stored text escaped so it cannot close the quote:
/// text a user typed earlier never reaches the model with system authority), then recent messages verbatim with their
/// tool calls regrouped, then the new turn. With <see cref="ContextLayout.CacheStable"/> the recalled messages are quoted
/// in a second such user-role message right after the new user message instead, so each prompt starts with the whole
/// previous prompt up to that user message. The whole prompt, counted with the same <see cref="ITokenCounter"/>, is never
/// above <see cref="SessionKitChatClientOptions.TokenBudget"/>.</para>
/// <para><b>What is stored.</b> After the inner client succeeded, the new turn and every response message (function calls
/// and results included) in one atomic append; a streamed response is accumulated and appended once, after the stream
/// completed. If the inner client throws, is cancelled, or a stream is abandoned, nothing is stored.</para>
/// </remarks>
public sealed class SessionKitChatClient : DelegatingChatClient
{
    private const string HowToNameACaller =
        "Name the authenticated caller with chatOptions.WithSessionCaller(SessionCaller.User(userId)) (ChatOptions.AdditionalProperties[\"" +
        SessionKitChatOptions.CallerKey + "\"]), or register an ISessionCallerAccessor that returns the current request's caller. " +
        "Back-office code that must not be checked can opt out explicitly with UseSessionKitTrusted().";

    private readonly RequestAccess _access;
    private readonly SessionKitChatClientOptions _options;
    private readonly ContextPrompt _prompt;

    /// <summary>Creates the access-checked middleware: each request acts for its caller through <paramref name="accessor"/>.</summary>
    /// <param name="innerClient">The client that talks to the model.</param>
    /// <param name="accessor">Gives each request's caller its scope (registered by <c>AddSessionKit()</c>).</param>
    /// <param name="tokenCounter">Counts the prompt against the budget (the store's counter).</param>
    /// <param name="options">Budget and session resolution; <see langword="null"/> for the defaults. Copied.</param>
    /// <param name="callerAccessor">The host's current caller, used when a request names none; <see langword="null"/> if requests always name theirs.</param>
    /// <exception cref="ArgumentNullException">A required argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The token budget is below 1, or the layout is undefined.</exception>
    public SessionKitChatClient(
        IChatClient innerClient,
        ISessionAccessor accessor,
        ITokenCounter tokenCounter,
        SessionKitChatClientOptions? options = null,
        ISessionCallerAccessor? callerAccessor = null)
        : this(innerClient, RequestAccess.CallerScoped(accessor, callerAccessor), tokenCounter, options)
    {
    }

    private SessionKitChatClient(IChatClient innerClient, RequestAccess access, ITokenCounter tokenCounter, SessionKitChatClientOptions? options)
        : base(innerClient)
    {
        _options = options?.Clone() ?? new SessionKitChatClientOptions();
        _prompt = new ContextPrompt(tokenCounter, _options.TokenBudget, _options.SummarizeInline, _options.Layout);
        _access = access;
    }

    /// <summary>Whether this middleware skips access checks (built with <c>UseSessionKitTrusted</c>).</summary>
    public bool IsTrusted => _access.IsTrusted;

    /// <summary>
    /// Creates the middleware <b>without access checks</b>: every request reads and writes <paramref name="store"/> as
    /// given. For trusted back-office code only (or over a caller's <see cref="SessionScope"/> and
    /// <see cref="SessionScope.Context"/>, which check that one caller).
    /// </summary>
    /// <param name="innerClient">The client that talks to the model.</param>
    /// <param name="store">Where the conversation is stored.</param>
    /// <param name="contextBuilder">Builds the context window (it must use <paramref name="store"/> and <paramref name="tokenCounter"/>).</param>
    /// <param name="tokenCounter">Counts the prompt against the budget.</param>
    /// <param name="options">Budget and session resolution; <see langword="null"/> for the defaults. Copied.</param>
    /// <param name="callerAccessor">Only names the owner of sessions created with <see cref="SessionKitChatClientOptions.CreateSessionWhenMissing"/>.</param>
    /// <returns>The middleware.</returns>
    /// <exception cref="ArgumentNullException">A required argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The token budget is below 1.</exception>
    public static SessionKitChatClient CreateTrusted(
        IChatClient innerClient,
        ISessionStore store,
        IContextBuilder contextBuilder,
        ITokenCounter tokenCounter,
        SessionKitChatClientOptions? options = null,
        ISessionCallerAccessor? callerAccessor = null) =>
        new(innerClient, RequestAccess.Trusted(store, contextBuilder, callerAccessor), tokenCounter, options);

    /// <summary>The instruments requests record into; set from dependency injection, otherwise the shared ones.</summary>
    internal SessionKitMetrics Metrics { get; set; } = SessionKitMetrics.Default;

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        using var activity = SessionKitDiagnostics.ActivitySource.StartActivity("sessionkit.chat");
        long started = Stopwatch.GetTimestamp();
        try
        {
            var turn = await PrepareAsync(messages, options, cancellationToken).ConfigureAwait(false);
            activity?.SetTag(SessionKitDiagnostics.SessionId, turn.ConversationId);
            var response = await base.GetResponseAsync(turn.Prompt, turn.InnerOptions, cancellationToken).ConfigureAwait(false);
            await StoreAsync(turn, response.Messages, cancellationToken).ConfigureAwait(false);
            response.ConversationId = turn.ConversationId;
            Metrics.RecordOperation("chat", started);
            return response;
        }
        catch (Exception ex)
        {
            SessionKitDiagnostics.RecordFailure(activity, ex);
            Metrics.RecordOperation("chat", started, ex.GetType().FullName);
            throw;
        }
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        using var activity = SessionKitDiagnostics.ActivitySource.StartActivity("sessionkit.chat");
        activity?.SetTag("sessionkit.chat.streaming", true);
        long started = Stopwatch.GetTimestamp();
        bool completed = false;
        try
        {
            var turn = await PrepareAsync(messages, options, cancellationToken).ConfigureAwait(false);
            activity?.SetTag(SessionKitDiagnostics.SessionId, turn.ConversationId);
            var updates = new List<ChatResponseUpdate>();
            await foreach (var update in base.GetStreamingResponseAsync(turn.Prompt, turn.InnerOptions, cancellationToken).ConfigureAwait(false))
            {
                update.ConversationId = turn.ConversationId;
                updates.Add(update);
                yield return update;
            }

            await StoreAsync(turn, updates.ToChatResponse().Messages, cancellationToken).ConfigureAwait(false);
            completed = true;
        }
        finally
        {
            // A stream cannot catch around its yields: a failed or abandoned stream is marked without its exception.
            if (!completed)
            {
                activity?.SetStatus(ActivityStatusCode.Error, "The stream failed or was abandoned; nothing was stored.");
                activity?.SetTag(SessionKitDiagnostics.ErrorType, "incomplete");
            }

            Metrics.RecordOperation("chat", started, completed ? null : "incomplete");
        }
    }

    /// <summary>The prompt that would be sent for <paramref name="messages"/>, built exactly as a call would build it; nothing is sent or appended.</summary>
    /// <param name="messages">The caller's messages.</param>
    /// <param name="options">The caller's options (conversation id and caller).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The messages the inner client would receive.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">No session id could be found for the request.</exception>
    /// <exception cref="SessionCallerRequiredException">The request has no caller.</exception>
    /// <exception cref="SessionAccessDeniedException">The caller may not read the session.</exception>
    /// <exception cref="ContextBudgetExceededException">The system prompt and the new turn alone exceed the budget.</exception>
    /// <remarks>With <see cref="SessionKitChatClientOptions.CreateSessionWhenMissing"/>, a missing session is created, as a call would.</remarks>
    public async Task<IReadOnlyList<ChatMessage>> BuildPromptAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var turn = await PrepareAsync(messages, options, cancellationToken).ConfigureAwait(false);
        return turn.Prompt;
    }

    private async Task<PreparedTurn> PrepareAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var list = messages.ToList();
        if (list.Contains(null!))
        {
            throw new ArgumentException("The message list contains null.", nameof(messages));
        }

        var systemTexts = list.Where(m => m.Role == ChatRole.System).Select(m => m.Text).Where(t => t.Length > 0).ToList();
        string? systemPrompt = systemTexts.Count == 0 ? null : string.Join("\n\n", systemTexts);
        int lastAssistant = list.FindLastIndex(m => m.Role == ChatRole.Assistant);
        var pending = list.Skip(lastAssistant + 1).Where(m => m.Role != ChatRole.System).ToList();
        var pendingParts = pending.ToNewMessages();
        string? query = ContextPrompt.QueryOf(pending, _options.RecallWithLatestUserMessage);
        _prompt.EnsureFits(systemPrompt, pending);

        var view = _access.Open(options.GetSessionCaller(), HowToNameACaller);
        Guid sessionId = await ResolveSessionIdAsync(view, list, options, cancellationToken).ConfigureAwait(false);

        List<ChatMessage> prompt;
        try
        {
            prompt = await _prompt.BuildAsync(view.Store, view.Context, sessionId, systemPrompt, pending, query, cancellationToken, includePending: true).ConfigureAwait(false);
        }
        catch (SessionNotFoundException e) when (e.SessionId == sessionId)
        {
            throw new SessionNotFoundException(
                $"Session '{sessionId}' (ChatOptions.ConversationId) does not exist: it was never created, or was deleted or expired. " +
                "Create sessions with ISessionStore.CreateSessionAsync and pass the id, or set SessionKitChatClientOptions.CreateSessionWhenMissing = true " +
                "to start a new session when a request names none (the response's ConversationId is the new session's id).",
                e);
        }

        var innerOptions = options?.Clone();
        if (innerOptions is not null)
        {
            innerOptions.ConversationId = null;
            if (innerOptions.AdditionalProperties?.ContainsKey(SessionKitChatOptions.CallerKey) is true)
            {
                // The caller is SessionKit's business: the model provider must not receive it.
                innerOptions.AdditionalProperties = new AdditionalPropertiesDictionary(innerOptions.AdditionalProperties.Where(p => p.Key != SessionKitChatOptions.CallerKey));
            }
        }

        return new PreparedTurn(view.Store, sessionId, pendingParts, prompt, innerOptions);
    }

    private async ValueTask<Guid> ResolveSessionIdAsync(RequestView view, List<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        if (_options.SessionIdResolver is { } resolver)
        {
            Guid resolved = await resolver(messages, options, cancellationToken).ConfigureAwait(false);
            return resolved != Guid.Empty
                ? resolved
                : throw new ArgumentException("SessionKitChatClientOptions.SessionIdResolver returned Guid.Empty; it must return the id of an existing session.", nameof(options));
        }

        string? conversationId = options?.ConversationId;
        if (string.IsNullOrWhiteSpace(conversationId))
        {
            return _options.CreateSessionWhenMissing
                ? await ConversationSessions.CreateAsync(view, cancellationToken).ConfigureAwait(false)
                : throw new ArgumentException(
                    "SessionKit needs to know the session: set ChatOptions.ConversationId to the id of a session (from ISessionStore.CreateSessionAsync, " +
                    "or the ConversationId of an earlier response), configure SessionKitChatClientOptions.SessionIdResolver, " +
                    "or set SessionKitChatClientOptions.CreateSessionWhenMissing = true to start a new session for the caller.",
                    nameof(options));
        }

        if (Guid.TryParse(conversationId, out Guid sessionId) && sessionId != Guid.Empty)
        {
            if (!_options.CreateSessionWhenMissing)
            {
                return sessionId;
            }

            try
            {
                await view.Store.GetSessionAsync(sessionId, cancellationToken).ConfigureAwait(false);
                return sessionId;
            }
            catch (SessionNotFoundException)
            {
                // An unknown id is the app's own name for a conversation, mapped below like any other.
            }
        }
        else if (!_options.CreateSessionWhenMissing)
        {
            throw new ArgumentException(
                $"ChatOptions.ConversationId '{conversationId}' is not a SessionKit session id (a non-empty GUID from ISessionStore.CreateSessionAsync). " +
                "To use your own conversation ids, set SessionKitChatClientOptions.CreateSessionWhenMissing = true: each id then names a session of the caller, created on its first use.",
                nameof(options));
        }

        return await ConversationSessions.ForConversationAsync(view, conversationId, cancellationToken).ConfigureAwait(false);
    }

    private static async Task StoreAsync(PreparedTurn turn, IList<ChatMessage> response, CancellationToken cancellationToken)
    {
        var batch = new List<NewMessage>(turn.Pending.Count + response.Count);
        batch.AddRange(turn.Pending);
        batch.AddRange(response.ToNewMessages());
        if (batch.Count > 0)
        {
            await turn.Store.AppendMessagesAsync(turn.SessionId, batch, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed record PreparedTurn(ISessionStore Store, Guid SessionId, IReadOnlyList<NewMessage> Pending, List<ChatMessage> Prompt, ChatOptions? InnerOptions)
    {
        public string ConversationId { get; } = SessionId.ToString();
    }
}
