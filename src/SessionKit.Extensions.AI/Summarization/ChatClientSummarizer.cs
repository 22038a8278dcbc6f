using System.Globalization;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SessionKit.Extensions.AI;

/// <summary>
/// An <see cref="ISummarizer"/> that asks a model, through any <see cref="IChatClient"/>, for a summary keeping facts,
/// decisions and open questions (with names and numbers) within the target length.
/// </summary>
/// <remarks>
/// The model is told the target, and <see cref="ChatOptions.MaxOutputTokens"/> is set to it; a reply that is still longer
/// (counted with the <see cref="ITokenCounter"/>) is cut at the last whole word that fits. An empty reply or a failing
/// client throws, so the context builder falls back to verbatim messages. A failure is logged with its exception, and the
/// summarizer then rests for <see cref="ChatClientSummarizerOptions.FailureBackoff"/> (doubling with each failure in a
/// row, up to <see cref="ChatClientSummarizerOptions.MaxFailureBackoff"/>, on the injected <see cref="TimeProvider"/>):
/// meanwhile it throws <see cref="SummarizerUnavailableException"/> at once instead of calling the model on every build.
/// Give it a plain client, not one wrapped with <c>UseSessionKit</c>: summaries are not conversation turns.
/// </remarks>
public sealed partial class ChatClientSummarizer : ISummarizer
{
    /// <summary>The built-in instructions; <c>{0}</c> is replaced by the target length in tokens.</summary>
    public const string DefaultInstructions =
        "You summarize part of a conversation between a user and an AI assistant so the assistant can continue it later " +
        "without the original messages. Write plain prose or short bullet points covering: the facts stated (keep names, " +
        "numbers, dates, units and quantities exactly), the decisions made, and the questions still open. Leave out " +
        "greetings and filler, do not invent anything, and do not address the reader. Use at most {0} tokens.";

    private readonly Lazy<IChatClient> _chatClient;
    private readonly ITokenCounter _tokenCounter;
    private readonly ChatClientSummarizerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private int _failuresInARow;
    private DateTimeOffset _restUntil = DateTimeOffset.MinValue;

    /// <summary>Creates the summarizer.</summary>
    /// <param name="chatClient">The client to ask.</param>
    /// <param name="tokenCounter">Counts the summary against the target.</param>
    /// <param name="options">Model, temperature, id and back-off; <see langword="null"/> for the defaults. Copied.</param>
    /// <param name="timeProvider">The clock of the back-off after failures; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Where failures are logged; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentNullException">A required argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A back-off is negative, or the maximum is below the first.</exception>
    public ChatClientSummarizer(
        IChatClient chatClient,
        ITokenCounter tokenCounter,
        ChatClientSummarizerOptions? options = null,
        TimeProvider? timeProvider = null,
        ILogger<ChatClientSummarizer>? logger = null)
        : this(new Lazy<IChatClient>(chatClient ?? throw new ArgumentNullException(nameof(chatClient))), tokenCounter, options, timeProvider, logger)
    {
    }

    /// <summary>Resolves the client on first use, so a dependency-injection container can register it after (or around) SessionKit.</summary>
    internal ChatClientSummarizer(Lazy<IChatClient> chatClient, ITokenCounter tokenCounter, ChatClientSummarizerOptions? options, TimeProvider? timeProvider, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(tokenCounter);
        _options = options?.Clone() ?? new ChatClientSummarizerOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.FailureBackoff, TimeSpan.Zero, "options.FailureBackoff");
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxFailureBackoff, _options.FailureBackoff, "options.MaxFailureBackoff");
        _chatClient = chatClient;
        _tokenCounter = tokenCounter;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        Id = _options.Id ?? (_options.ModelId is null ? "chat-client/1" : $"chat-client/1:{_options.ModelId}");
    }

    /// <inheritdoc />
    public string Id { get; }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The model returned no text.</exception>
    /// <exception cref="SummarizerUnavailableException">The summarizer rests after a failure; the exception says until when.</exception>
    public async Task<SummarizationResult> SummarizeAsync(SummarizationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.TargetTokens, 1, nameof(request));
        if (request.Messages.Count == 0 && request.Summaries.Count == 0)
        {
            throw new ArgumentException("The request has neither messages nor summaries to summarize.", nameof(request));
        }

        DateTimeOffset restUntil;
        lock (_gate)
        {
            restUntil = _restUntil;
        }

        if (_timeProvider.GetUtcNow() < restUntil)
        {
            throw new SummarizerUnavailableException(Id, restUntil);
        }

        try
        {
            var result = await AskAsync(request, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                _failuresInARow = 0;
            }

            return result;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            TimeSpan pause;
            int failures;
            lock (_gate)
            {
                failures = ++_failuresInARow;
                double factor = Math.Pow(2, Math.Min(failures - 1, 30));
                pause = TimeSpan.FromTicks((long)Math.Min(_options.MaxFailureBackoff.Ticks, _options.FailureBackoff.Ticks * factor));
                _restUntil = _timeProvider.GetUtcNow() + pause;
            }

            LogSummarizerFailed(_logger, ex, Id, failures, pause);
            throw;
        }
    }

    private async Task<SummarizationResult> AskAsync(SummarizationRequest request, CancellationToken cancellationToken)
    {
        var chatClient = _chatClient.Value;
        if (chatClient.GetService(typeof(SessionKitChatClient)) is not null)
        {
            throw new InvalidOperationException(
                "ChatClientSummarizer was given a client wrapped with UseSessionKit, which would store summaries as conversation turns. " +
                "Register the plain model as a keyed client (services.AddKeyedChatClient(\"summarizer\", model)) and use UseChatClientSummarizer(\"summarizer\"), or pass the model itself.");
        }

        string instructions = string.Format(CultureInfo.InvariantCulture, _options.Instructions ?? DefaultInstructions, request.TargetTokens);
        ChatMessage[] prompt = [new(ChatRole.System, instructions), new(ChatRole.User, Transcript(request))];
        var chatOptions = new ChatOptions
        {
            ModelId = _options.ModelId,
            Temperature = _options.Temperature,
            MaxOutputTokens = request.TargetTokens,
        };

        var response = await chatClient.GetResponseAsync(prompt, chatOptions, cancellationToken).ConfigureAwait(false);
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
                text.Append(CultureInfo.InvariantCulture, $"[messages #{summary.FromSequence}–#{summary.ToSequence}] ").AppendLine(summary.Content);
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

    [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "Summarizer {SummarizerId} failed ({FailuresInARow} in a row); it rests for {Pause} before asking the model again.")]
    private static partial void LogSummarizerFailed(ILogger logger, Exception exception, string summarizerId, int failuresInARow, TimeSpan pause);
}
