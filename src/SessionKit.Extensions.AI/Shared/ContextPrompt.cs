using Microsoft.Extensions.AI;

namespace SessionKit.Extensions.AI;

/// <summary>
/// Builds the history part of a prompt from a session's context window so that, together with the new messages, it fits
/// the budget as counted by <see cref="ChatMessageTokenCounting"/>. Shared by the chat-client middleware and the agent
/// chat-history provider (shared source: compiled into each package that uses it). The store and context builder are
/// given per call, so a caller-scoped view (<see cref="SessionScope"/>) can be used for each request.
/// </summary>
internal sealed class ContextPrompt
{
    private const int MaxBuildAttempts = 4;

    private readonly ITokenCounter tokenCounter;
    private readonly int tokenBudget;
    private readonly bool summarizeInline;
    private readonly ContextLayout? layout;

    /// <summary>Validates the parts; a <see langword="null"/> budget means <see cref="ContextOptions.DefaultTokenBudget"/>, a <see langword="null"/> layout the builder's.</summary>
    public ContextPrompt(ITokenCounter tokenCounter, int? tokenBudget, bool summarizeInline, ContextLayout? layout = null)
    {
        if (layout is { } value && !Enum.IsDefined(value))
        {
            throw new ArgumentOutOfRangeException(nameof(layout), value, "The layout (options.Layout) is not a defined ContextLayout.");
        }

        this.layout = layout;
        ArgumentNullException.ThrowIfNull(tokenCounter);
        this.tokenBudget = tokenBudget ?? new ContextOptions().DefaultTokenBudget;
        ArgumentOutOfRangeException.ThrowIfLessThan(this.tokenBudget, 1, "options.TokenBudget");
        this.tokenCounter = tokenCounter;
        this.summarizeInline = summarizeInline;
    }

    /// <summary>The text of the newest user message among <paramref name="pending"/>, to recall older messages with; <see langword="null"/> when there is none or recall is off.</summary>
    public static string? QueryOf(IEnumerable<ChatMessage> pending, bool recall) =>
        recall && pending.LastOrDefault(m => m.Role == ChatRole.User)?.Text is { Length: > 0 } text ? text : null;

    /// <summary>
    /// Throws when the system prompt and <paramref name="pending"/> alone exceed the budget, so a request that cannot be
    /// served is refused before anything (such as a session created on first use) is written.
    /// </summary>
    public void EnsureFits(string? systemPrompt, IReadOnlyList<ChatMessage> pending)
    {
        var fixedPart = systemPrompt is null ? pending : [new ChatMessage(ChatRole.System, systemPrompt), .. pending];
        int tokens = ChatMessageTokenCounting.CountPrompt(tokenCounter, fixedPart);
        if (tokens > tokenBudget)
        {
            throw new ContextBudgetExceededException(tokens, tokenBudget, "The system prompt and the new turn");
        }
    }

    /// <summary>
    /// The system prompt, the framed summaries and recalled messages, and the recent messages, such that these plus
    /// <paramref name="pending"/> cost at most the budget. Without <paramref name="includePending"/> the caller sends
    /// <paramref name="pending"/> after the returned messages (a cache-stable window's quoted recall is then the last of
    /// them); with it, the returned list is the whole prompt, and a cache-stable window's quoted recall goes right after the
    /// newest user message of <paramref name="pending"/> (see <see cref="ContextLayout.CacheStable"/>).
    /// </summary>
    public async Task<List<ChatMessage>> BuildAsync(
        ISessionStore store,
        IContextBuilder contextBuilder,
        Guid sessionId,
        string? systemPrompt,
        IReadOnlyList<ChatMessage> pending,
        string? query,
        CancellationToken cancellationToken,
        bool recentMessages = true,
        bool includePending = false)
    {
        int pendingTokens = ChatMessageTokenCounting.CountPrompt(tokenCounter, pending) - tokenCounter.RequestOverhead;
        int windowBudget = tokenBudget - pendingTokens;
        int total = pendingTokens + tokenCounter.RequestOverhead;
        for (int attempt = 0; attempt < MaxBuildAttempts && windowBudget >= 1; attempt++)
        {
            var window = await contextBuilder.BuildAsync(sessionId, new ContextRequest
            {
                TokenBudget = windowBudget,
                SystemPrompt = systemPrompt,
                Query = query,
                SummarizeInline = summarizeInline,
                RequireNewestUserTurn = false,
                Layout = layout,
            }, cancellationToken).ConfigureAwait(false);

            var (history, recall) = await RenderAsync(store, window, recentMessages, cancellationToken).ConfigureAwait(false);
            if (recall is not null)
            {
                history.Add(recall);
            }

            total = ChatMessageTokenCounting.CountPrompt(tokenCounter, history) + pendingTokens;
            if (total <= tokenBudget)
            {
                if (includePending)
                {
                    // The count is the same in any order. A cache-stable recall follows the newest user message, so the next
                    // turn's prompt starts with all of this one up to and including that message.
                    int at = history.Count - (recall is null ? 0 : 1);
                    int newestUser = FindLastUser(pending);
                    history.InsertRange(at, newestUser < 0 || recall is null ? pending : pending.Take(newestUser + 1));
                    if (recall is not null && newestUser >= 0)
                    {
                        history.AddRange(pending.Skip(newestUser + 1));
                    }
                }

                return history;
            }

            // The framing of summaries and recalled messages costs a little more than the window counted: ask for a window
            // smaller than this one by the overshoot (summaries made by this build are stored, so a rebuild does not redo them).
            windowBudget = Math.Min(windowBudget, window.TotalTokens) - (total - tokenBudget);
        }

        throw new ContextBudgetExceededException(total, tokenBudget, "The system prompt and the new turn");
    }

    private static int FindLastUser(IReadOnlyList<ChatMessage> messages)
    {
        for (int i = messages.Count - 1; i >= 0; i--)
        {
            if (messages[i].Role == ChatRole.User)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Turns the window into chat messages: the system prompt (the only system message), then summaries and recalled
    /// messages quoted as data in one user-role message (<see cref="ContextFraming"/>), then the recent messages regrouped;
    /// in the cache-stable layout the recalled messages are quoted in a second such message, returned apart so the caller
    /// places it after the recent history and the new user message.
    /// </summary>
    private static async Task<(List<ChatMessage> History, ChatMessage? Recall)> RenderAsync(ISessionStore store, ContextWindow window, bool recentMessages, CancellationToken cancellationToken)
    {
        var prompt = new List<ChatMessage>(window.Items.Count);
        var recent = recentMessages ? window.Items.Where(i => i.Kind == ContextItemKind.Message).ToList() : [];
        var summaries = window.Items.Where(i => i.Kind == ContextItemKind.Summary).ToList();
        var recalled = window.Items.Where(i => i.Kind == ContextItemKind.Recalled).ToList();
        prompt.AddRange(window.Items.Where(i => i.Kind == ContextItemKind.SystemPrompt).Select(i => new ChatMessage(ChatRole.System, i.Content)));
        bool cacheStable = window.Layout == ContextLayout.CacheStable;
        if (ContextFraming.Render(summaries, cacheStable ? [] : recalled) is { } framed)
        {
            prompt.Add(framed);
        }

        if (recent.Count > 0)
        {
            // The window's items do not carry metadata: read the stored messages to regroup multi-content chat messages.
            var stored = await store.GetMessagesAsync(window.SessionId, recent[0].Sequences.From, recent[^1].Sequences.To, cancellationToken).ConfigureAwait(false);
            var inWindow = recent.Select(i => i.Sequences.From).ToHashSet();
            prompt.AddRange(CompleteGroups(stored.Where(m => inWindow.Contains(m.Sequence)).ToList()).ToChatMessages());
        }

        // Cache-stable: what changes every turn (the recalled messages) goes last, so the start of the prompt stays the same.
        return (prompt, cacheStable ? ContextFraming.Render([], recalled) : null);
    }

    /// <summary>
    /// Drops what the budget cut off at the start of the window: the remaining parts of a chat message whose first part is
    /// outside, and tool results whose call is outside, so no call is ever separated from its result.
    /// </summary>
    private static List<SessionMessage> CompleteGroups(List<SessionMessage> messages)
    {
        int start = 0;
        while (start < messages.Count && MessageParts.PartOf(messages[start]).Index > 0)
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

}
