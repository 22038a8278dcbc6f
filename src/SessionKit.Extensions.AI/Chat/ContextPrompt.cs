using System.Globalization;
using System.Text;
using Microsoft.Extensions.AI;

namespace SessionKit.Extensions.AI;

/// <summary>
/// Builds the history part of a prompt from a session's context window so that, together with the new messages, it fits
/// the budget as counted by <see cref="ChatMessageTokenCounting"/>. Shared by the chat-client middleware and the agent
/// chat-history provider.
/// </summary>
internal sealed class ContextPrompt
{
    private const int MaxBuildAttempts = 4;

    private readonly ISessionStore store;
    private readonly IContextBuilder contextBuilder;
    private readonly ITokenCounter tokenCounter;
    private readonly int tokenBudget;
    private readonly bool summarizeInline;

    /// <summary>Validates the parts; a <see langword="null"/> budget means <see cref="ContextOptions.DefaultTokenBudget"/>.</summary>
    public ContextPrompt(ISessionStore store, IContextBuilder contextBuilder, ITokenCounter tokenCounter, int? tokenBudget, bool summarizeInline)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(contextBuilder);
        ArgumentNullException.ThrowIfNull(tokenCounter);
        this.tokenBudget = tokenBudget ?? new ContextOptions().DefaultTokenBudget;
        ArgumentOutOfRangeException.ThrowIfLessThan(this.tokenBudget, 1, "options.TokenBudget");
        this.store = store;
        this.contextBuilder = contextBuilder;
        this.tokenCounter = tokenCounter;
        this.summarizeInline = summarizeInline;
    }

    /// <summary>The text of the newest user message among <paramref name="pending"/>, to recall older messages with; <see langword="null"/> when there is none or recall is off.</summary>
    public static string? QueryOf(IEnumerable<ChatMessage> pending, bool recall) =>
        recall && pending.LastOrDefault(m => m.Role == ChatRole.User)?.Text is { Length: > 0 } text ? text : null;

    /// <summary>
    /// The system prompt, the framed summaries and recalled messages, and the recent messages, such that these plus
    /// <paramref name="pending"/> (which the caller sends after them) cost at most the budget.
    /// </summary>
    public async Task<List<ChatMessage>> BuildAsync(Guid sessionId, string? systemPrompt, IReadOnlyList<ChatMessage> pending, string? query, CancellationToken cancellationToken)
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
            }, cancellationToken).ConfigureAwait(false);

            var history = await RenderAsync(window, cancellationToken).ConfigureAwait(false);
            total = ChatMessageTokenCounting.CountPrompt(tokenCounter, history) + pendingTokens;
            if (total <= tokenBudget)
            {
                return history;
            }

            // The framing of summaries and recalled messages costs a little more than the window counted: ask for a window
            // smaller than this one by the overshoot (summaries made by this build are stored, so a rebuild does not redo them).
            windowBudget = Math.Min(windowBudget, window.TotalTokens) - (total - tokenBudget);
        }

        throw new ContextBudgetExceededException(total, tokenBudget, "The system prompt and the new turn");
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
            var stored = await store.GetMessagesAsync(window.SessionId, recent[0].Sequences.From, recent[^1].Sequences.To, cancellationToken).ConfigureAwait(false);
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

}
