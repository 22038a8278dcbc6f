using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace SessionKit.Extensions.AI;

/// <summary>
/// Chat-client middleware that gives a conversation a memory: the session's history is stored in SessionKit and the inner
/// client is sent a token-budgeted context window instead of the caller's message list.
/// </summary>
/// <remarks>
/// <para><b>Which session.</b> <see cref="ChatOptions.ConversationId"/> parsed as the session id, or
/// <see cref="SessionKitChatClientOptions.SessionIdResolver"/>. The session must exist. The response carries the session id
/// as its <see cref="ChatResponse.ConversationId"/>; the inner client is called without a conversation id.</para>
/// <para><b>What is new.</b> System messages anywhere in the list are the caller's system prompt: joined, sent first, never
/// stored. Of the other messages, those after the last assistant message are the new turn (typically the user's message,
/// or tool results on a function-invocation round trip); earlier ones are taken to be history SessionKit already has.</para>
/// <para><b>What is sent.</b> The system prompt, then the window built from the stored history within the budget left
/// after the new turn (the summaries as one framed system message, recalled messages as another, recent messages verbatim with their
/// tool calls regrouped), then the new turn. The whole prompt, counted with the same <see cref="ITokenCounter"/>, is never
/// above <see cref="SessionKitChatClientOptions.TokenBudget"/>.</para>
/// <para><b>What is stored.</b> After the inner client succeeded, the new turn and every response message (function calls
/// and results included) in one atomic append; a streamed response is accumulated and appended once, after the stream
/// completed. If the inner client throws, is cancelled, or a stream is abandoned, nothing is stored.</para>
/// </remarks>
public sealed class SessionKitChatClient : DelegatingChatClient
{
    private readonly ISessionStore _store;
    private readonly SessionKitChatClientOptions _options;
    private readonly ContextPrompt _prompt;

    /// <summary>Creates the middleware.</summary>
    /// <param name="innerClient">The client that talks to the model.</param>
    /// <param name="store">Where the conversation is stored.</param>
    /// <param name="contextBuilder">Builds the context window (it must use <paramref name="store"/> and <paramref name="tokenCounter"/>).</param>
    /// <param name="tokenCounter">Counts the prompt against the budget.</param>
    /// <param name="options">Budget and session resolution; <see langword="null"/> for the defaults. Copied.</param>
    /// <exception cref="ArgumentNullException">A required argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The token budget is below 1.</exception>
    public SessionKitChatClient(
        IChatClient innerClient,
        ISessionStore store,
        IContextBuilder contextBuilder,
        ITokenCounter tokenCounter,
        SessionKitChatClientOptions? options = null)
        : base(innerClient)
    {
        _options = options?.Clone() ?? new SessionKitChatClientOptions();
        _prompt = new ContextPrompt(store, contextBuilder, tokenCounter, _options.TokenBudget, _options.SummarizeInline);
        _store = store;
    }

    /// <summary>The instruments requests record into; set from dependency injection, otherwise the shared ones.</summary>
    internal SessionKitMetrics Metrics { get; init; } = SessionKitMetrics.Default;

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

    /// <summary>The prompt that would be sent for <paramref name="messages"/>, built exactly as a call would build it; nothing is stored or sent.</summary>
    /// <param name="messages">The caller's messages.</param>
    /// <param name="options">The caller's options (for the conversation id).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The messages the inner client would receive.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">No session id could be found for the request.</exception>
    /// <exception cref="ContextBudgetExceededException">The system prompt and the new turn alone exceed the budget.</exception>
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

        Guid sessionId = await ResolveSessionIdAsync(list, options, cancellationToken).ConfigureAwait(false);

        var systemTexts = list.Where(m => m.Role == ChatRole.System).Select(m => m.Text).Where(t => t.Length > 0).ToList();
        string? systemPrompt = systemTexts.Count == 0 ? null : string.Join("\n\n", systemTexts);
        int lastAssistant = list.FindLastIndex(m => m.Role == ChatRole.Assistant);
        var pending = list.Skip(lastAssistant + 1).Where(m => m.Role != ChatRole.System).ToList();
        var pendingParts = pending.ToNewMessages();
        string? query = ContextPrompt.QueryOf(pending, _options.RecallWithLatestUserMessage);

        var prompt = await _prompt.BuildAsync(sessionId, systemPrompt, pending, query, cancellationToken).ConfigureAwait(false);
        prompt.AddRange(pending);
        var innerOptions = options?.Clone();
        if (innerOptions is not null)
        {
            innerOptions.ConversationId = null;
        }

        return new PreparedTurn(sessionId, pendingParts, prompt, innerOptions);
    }

    private async ValueTask<Guid> ResolveSessionIdAsync(List<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        if (_options.SessionIdResolver is { } resolver)
        {
            Guid resolved = await resolver(messages, options, cancellationToken).ConfigureAwait(false);
            return resolved != Guid.Empty
                ? resolved
                : throw new ArgumentException("SessionKitChatClientOptions.SessionIdResolver returned Guid.Empty; it must return the id of an existing session.", nameof(options));
        }

        if (options?.ConversationId is not { } conversationId)
        {
            throw new ArgumentException(
                "SessionKit needs to know the session: set ChatOptions.ConversationId to the session id, or configure SessionKitChatClientOptions.SessionIdResolver.",
                nameof(options));
        }

        return Guid.TryParse(conversationId, out Guid sessionId) && sessionId != Guid.Empty
            ? sessionId
            : throw new ArgumentException($"ChatOptions.ConversationId '{conversationId}' is not a SessionKit session id (a non-empty GUID).", nameof(options));
    }

    private async Task StoreAsync(PreparedTurn turn, IList<ChatMessage> response, CancellationToken cancellationToken)
    {
        var batch = new List<NewMessage>(turn.Pending.Count + response.Count);
        batch.AddRange(turn.Pending);
        batch.AddRange(response.ToNewMessages());
        if (batch.Count > 0)
        {
            await _store.AppendMessagesAsync(turn.SessionId, batch, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed record PreparedTurn(Guid SessionId, IReadOnlyList<NewMessage> Pending, List<ChatMessage> Prompt, ChatOptions? InnerOptions)
    {
        public string ConversationId { get; } = SessionId.ToString();
    }
}
