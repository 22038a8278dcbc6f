using System.Globalization;
using System.Text;
using Microsoft.Extensions.AI;

namespace SessionKit.Extensions.AI;

/// <summary>
/// An <see cref="ISummarizer"/> that asks a model, through any <see cref="IChatClient"/>, for a summary keeping facts,
/// decisions and open questions (with names and numbers) within the target length.
/// </summary>
/// <remarks>
/// The model is told the target, and <see cref="ChatOptions.MaxOutputTokens"/> is set to it; a reply that is still longer
/// (counted with the <see cref="ITokenCounter"/>) is cut at the last whole word that fits. An empty reply or a failing
/// client throws, so the context builder falls back and tries again on a later build. Give it a plain client, not one
/// wrapped with <c>UseSessionKit</c>: summaries are not conversation turns.
/// </remarks>
public sealed class ChatClientSummarizer : ISummarizer
{
    /// <summary>The built-in instructions; <c>{0}</c> is replaced by the target length in tokens.</summary>
    public const string DefaultInstructions =
        "You summarize part of a conversation between a user and an AI assistant so the assistant can continue it later " +
        "without the original messages. Write plain prose or short bullet points covering: the facts stated (keep names, " +
        "numbers, dates, units and quantities exactly), the decisions made, and the questions still open. Leave out " +
        "greetings and filler, do not invent anything, and do not address the reader. Use at most {0} tokens.";

    private readonly IChatClient _chatClient;
    private readonly ITokenCounter _tokenCounter;
    private readonly ChatClientSummarizerOptions _options;

    /// <summary>Creates the summarizer.</summary>
    /// <param name="chatClient">The client to ask.</param>
    /// <param name="tokenCounter">Counts the summary against the target.</param>
    /// <param name="options">Model, temperature and id; <see langword="null"/> for the defaults. Copied.</param>
    /// <exception cref="ArgumentNullException">A required argument is <see langword="null"/>.</exception>
    public ChatClientSummarizer(IChatClient chatClient, ITokenCounter tokenCounter, ChatClientSummarizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(chatClient);
        ArgumentNullException.ThrowIfNull(tokenCounter);
        _chatClient = chatClient;
        _tokenCounter = tokenCounter;
        _options = options?.Clone() ?? new ChatClientSummarizerOptions();
        Id = _options.Id ?? (_options.ModelId is null ? "chat-client/1" : $"chat-client/1:{_options.ModelId}");
    }

    /// <inheritdoc />
    public string Id { get; }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The model returned no text.</exception>
    public async Task<SummarizationResult> SummarizeAsync(SummarizationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.TargetTokens, 1, nameof(request));
        if (request.Messages.Count == 0 && request.Summaries.Count == 0)
        {
            throw new ArgumentException("The request has neither messages nor summaries to summarize.", nameof(request));
        }

        string instructions = string.Format(CultureInfo.InvariantCulture, _options.Instructions ?? DefaultInstructions, request.TargetTokens);
        ChatMessage[] prompt = [new(ChatRole.System, instructions), new(ChatRole.User, Transcript(request))];
        var chatOptions = new ChatOptions
        {
            ModelId = _options.ModelId,
            Temperature = _options.Temperature,
            MaxOutputTokens = request.TargetTokens,
        };

        var response = await _chatClient.GetResponseAsync(prompt, chatOptions, cancellationToken).ConfigureAwait(false);
        string text = response.Text.Trim();
        if (text.Length == 0)
        {
            throw new InvalidOperationException("The chat client returned an empty summary.");
        }

        return new SummarizationResult(Truncate(text, request.TargetTokens));
    }

    private static string Transcript(SummarizationRequest request)
    {
        var text = new StringBuilder();
        if (request.PreviousSummary is { Length: > 0 } previous)
        {
            text.Append("For context only (already summarized, do not repeat): ").AppendLine(previous).AppendLine();
        }

        if (request.Summaries.Count > 0)
        {
            text.AppendLine("Combine these summaries of consecutive parts of the conversation into one:");
            foreach (var summary in request.Summaries)
            {
                text.Append(CultureInfo.InvariantCulture, $"[messages #{summary.FromSequence}–#{summary.ToSequence}] ").AppendLine(summary.Text);
            }
        }
        else
        {
            text.AppendLine("Summarize these messages:");
            foreach (var message in request.Messages)
            {
                text.Append(CultureInfo.InvariantCulture, $"#{message.Sequence} {message.Role.ToString().ToLowerInvariant()}");
                if (message.AuthorId is not null)
                {
                    text.Append(" (").Append(message.AuthorId).Append(')');
                }

                if (message.ToolName is not null)
                {
                    text.Append(message.Role == MessageRole.Tool ? " result of " : " calls ").Append(message.ToolName);
                }

                text.Append(": ").AppendLine(message.Content);
            }
        }

        return text.ToString();
    }

    /// <summary>The longest prefix ending at a word boundary that fits <paramref name="targetTokens"/>.</summary>
    private string Truncate(string text, int targetTokens)
    {
        if (_tokenCounter.CountTokens(text) <= targetTokens)
        {
            return text;
        }

        var ends = new List<int>();
        for (int i = 1; i < text.Length; i++)
        {
            if (char.IsWhiteSpace(text[i]) && !char.IsWhiteSpace(text[i - 1]))
            {
                ends.Add(i);
            }
        }

        int low = 0, high = ends.Count - 1, best = -1;
        while (low <= high)
        {
            int middle = (low + high) / 2;
            if (_tokenCounter.CountTokens(text[..ends[middle]]) <= targetTokens)
            {
                best = middle;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return best >= 0
            ? text[..ends[best]]
            : throw new InvalidOperationException($"Not even the first word of the summary fits {targetTokens} tokens.");
    }
}
