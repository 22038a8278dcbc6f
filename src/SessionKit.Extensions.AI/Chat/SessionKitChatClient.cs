using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
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
    private const int MaxBuildAttempts = 4;

    private readonly ISessionStore _store;
    private readonly IContextBuilder _contextBuilder;
    private readonly ITokenCounter _tokenCounter;
    private readonly SessionKitChatClientOptions _options;
    private readonly int _tokenBudget;

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
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(contextBuilder);
        ArgumentNullException.ThrowIfNull(tokenCounter);
        _options = options?.Clone() ?? new SessionKitChatClientOptions();
        _tokenBudget = _options.TokenBudget ?? new ContextOptions().DefaultTokenBudget;
        ArgumentOutOfRangeException.ThrowIfLessThan(_tokenBudget, 1, $"{nameof(options)}.{nameof(SessionKitChatClientOptions.TokenBudget)}");
        _store = store;
        _contextBuilder = contextBuilder;
        _tokenCounter = tokenCounter;
    }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var turn = await PrepareAsync(messages, options, cancellationToken).ConfigureAwait(false);
        var response = await base.GetResponseAsync(turn.Prompt, turn.InnerOptions, cancellationToken).ConfigureAwait(false);
        await StoreAsync(turn, response.Messages, cancellationToken).ConfigureAwait(false);
        response.ConversationId = turn.ConversationId;
        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var turn = await PrepareAsync(messages, options, cancellationToken).ConfigureAwait(false);
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in base.GetStreamingResponseAsync(turn.Prompt, turn.InnerOptions, cancellationToken).ConfigureAwait(false))
        {
            update.ConversationId = turn.ConversationId;
            updates.Add(update);
            yield return update;
        }

        await StoreAsync(turn, updates.ToChatResponse().Messages, cancellationToken).ConfigureAwait(false);
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
        string? query = _options.RecallWithLatestUserMessage
            ? pending.LastOrDefault(m => m.Role == ChatRole.User)?.Text is { Length: > 0 } text ? text : null
            : null;

        int pendingTokens = ChatMessageTokenCounting.CountPrompt(_tokenCounter, pending) - _tokenCounter.RequestOverhead;
        int windowBudget = _tokenBudget - pendingTokens;
        int total = pendingTokens + _tokenCounter.RequestOverhead;
        for (int attempt = 0; attempt < MaxBuildAttempts; attempt++)
        {
            if (windowBudget < 1)
            {
                break;
            }

            var window = await _contextBuilder.BuildAsync(sessionId, new ContextRequest
            {
                TokenBudget = windowBudget,
                SystemPrompt = systemPrompt,
                Query = query,
                SummarizeInline = _options.SummarizeInline,
                RequireNewestUserTurn = false,
            }, cancellationToken).ConfigureAwait(false);

            var prompt = await RenderAsync(window, cancellationToken).ConfigureAwait(false);
            prompt.AddRange(pending);
            total = ChatMessageTokenCounting.CountPrompt(_tokenCounter, prompt);
            if (total <= _tokenBudget)
            {
                var innerOptions = options?.Clone();
                if (innerOptions is not null)
                {
                    innerOptions.ConversationId = null;
                }

                return new PreparedTurn(sessionId, pendingParts, prompt, innerOptions);
            }

            // The framing of summaries and recalled messages costs a little more than the window counted: ask for a window
            // smaller than this one by the overshoot (summaries made by this build are stored, so a rebuild does not redo them).
            windowBudget = Math.Min(windowBudget, window.TotalTokens) - (total - _tokenBudget);
        }

        throw new ContextBudgetExceededException(total, _tokenBudget, "The system prompt and the new turn");
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

    /// <summary>Turns the window into chat messages: framed summaries and recalled messages, then the recent messages regrouped.</summary>
    private async Task<List<ChatMessage>> RenderAsync(ContextWindow window, CancellationToken cancellationToken)
    {
        var prompt = new List<ChatMessage>(window.Items.Count);
        var recent = window.Items.Where(i => i.Kind == ContextItemKind.Message).ToList();
        var summaries = window.Items.Where(i => i.Kind == ContextItemKind.Summary).ToList();
        var recalled = window.Items.Where(i => i.Kind == ContextItemKind.Recalled).ToList();
        prompt.AddRange(window.Items.Where(i => i.Kind == ContextItemKind.SystemPrompt).Select(i => new ChatMessage(ChatRole.System, i.Content)));
        if (summaries.Count > 0)
        {
            // One framed message for all summaries (and one for all recalled messages) costs less than a message per item.
            var text = new StringBuilder("Summary of the earlier conversation:");
            foreach (var item in summaries)
            {
                text.Append(CultureInfo.InvariantCulture, $"\n[#{item.Sequences.From}–#{item.Sequences.To}] {item.Content}");
            }

            prompt.Add(new ChatMessage(ChatRole.System, text.ToString()));
        }

        if (recalled.Count > 0)
        {
            var text = new StringBuilder("Earlier messages recalled verbatim:");
            foreach (var item in recalled)
            {
                text.Append(CultureInfo.InvariantCulture, $"\n[#{item.Sequences.From} {item.Role.ToString().ToLowerInvariant()}, {item.CreatedAt:yyyy-MM-dd}] {item.Content}");
            }

            prompt.Add(new ChatMessage(ChatRole.System, text.ToString()));
        }

        if (recent.Count > 0)
        {
            // The window's items do not carry metadata: read the stored messages to regroup multi-content chat messages.
            var stored = await _store.GetMessagesAsync(window.SessionId, recent[0].Sequences.From, recent[^1].Sequences.To, cancellationToken).ConfigureAwait(false);
            var inWindow = recent.Select(i => i.Sequences.From).ToHashSet();
            prompt.AddRange(CompleteGroups(stored.Where(m => inWindow.Contains(m.Sequence)).ToList()).ToChatMessages());
        }

        return prompt;
    }

    /// <summary>
    /// Drops what the budget cut off at the start of the window: the remaining parts of a chat message whose first part is
    /// outside, and tool results whose call is outside, so no call is ever separated from its result.
    /// </summary>
    private static List<SessionMessage> CompleteGroups(List<SessionMessage> messages)
    {
        int start = 0;
        while (start < messages.Count && ChatMessageConversion.PartOf(messages[start]).Index > 0)
        {
            start++;
        }

        var calls = new HashSet<string>(StringComparer.Ordinal);
        var kept = new List<SessionMessage>(messages.Count - start);
        for (int i = start; i < messages.Count; i++)
        {
            var message = messages[i];
            if (message.ToolCallId is not null)
            {
                if (message.Role != MessageRole.Tool)
                {
                    calls.Add(message.ToolCallId);
                }
                else if (!calls.Contains(message.ToolCallId))
                {
                    continue;
                }
            }

            kept.Add(message);
        }

        return kept;
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
