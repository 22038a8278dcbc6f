using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace SessionKit.Extensions.AI.Tests;

[TestFixture]
public sealed class ChatClientSummarizerTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static SharpTokenCounter Counter => SharpTokenCounter.Default;

    private FakeChatClient _model = null!;

    [SetUp]
    public void SetUp() => _model = new FakeChatClient();

    [TearDown]
    public void TearDown() => _model.Dispose();

    private static SessionMessage Message(long sequence, MessageRole role, string content, string? toolName = null) => new()
    {
        Id = Guid.CreateVersion7(),
        SessionId = Guid.CreateVersion7(),
        Sequence = sequence,
        Role = role,
        Content = content,
        ToolName = toolName,
        ToolCallId = toolName is null ? null : "call-1",
        CreatedAt = Start,
    };

    private static SummarizationRequest Block(int targetTokens = 120) => new()
    {
        TargetTokens = targetTokens,
        Messages =
        [
            Message(1, MessageRole.User, "How much CO2 was in the air before 1850?"),
            Message(2, MessageRole.Assistant, "About 280 ppm; Law Dome ice cores show it.", toolName: null),
            Message(3, MessageRole.Tool, "422.8", toolName: "co2_ppm"),
            Message(4, MessageRole.User, "Let's use the Mauna Loa series for the report. Should I add methane?"),
        ],
    };

    [Test]
    public async Task SummarizeAsync_AsksForFactsDecisionsAndOpenQuestionsWithinTheTarget()
    {
        _model.Respond = _ => new ChatResponse(new ChatMessage(ChatRole.Assistant, "CO2 was about 280 ppm before 1850 (Law Dome). Decision: use Mauna Loa. Open: add methane?"));
        var summarizer = new ChatClientSummarizer(_model, Counter, new ChatClientSummarizerOptions { ModelId = "gpt-4o-mini", Temperature = 0.1f });

        var result = await summarizer.SummarizeAsync(Block(targetTokens: 120));

        Assert.That(result.Text, Is.EqualTo("CO2 was about 280 ppm before 1850 (Law Dome). Decision: use Mauna Loa. Open: add methane?"));
        var (messages, options) = _model.Requests.Single();
        Assert.That(messages.Select(m => m.Role), Is.EqualTo(new[] { ChatRole.System, ChatRole.User }));
        Assert.That(messages[0].Text, Does.Contain("facts").And.Contain("decisions").And.Contain("questions still open").And.Contain("numbers").And.Contain("at most 120 tokens"));
        Assert.That(messages[1].Text, Does.Contain("#1 user: How much CO2 was in the air before 1850?"));
        Assert.That(messages[1].Text, Does.Contain("#3 tool result of co2_ppm: 422.8"));
        Assert.That(options!.MaxOutputTokens, Is.EqualTo(120));
        Assert.That(options.ModelId, Is.EqualTo("gpt-4o-mini"));
        Assert.That(options.Temperature, Is.EqualTo(0.1f));
        Assert.That(summarizer.Id, Is.EqualTo("chat-client/1:gpt-4o-mini"));
    }

    [Test]
    public async Task SummarizeAsync_WhenTheModelOvershoots_CutsAtAWordWithinTheTarget()
    {
        string longReply = string.Join(" ", Enumerable.Repeat("The ocean absorbed about a quarter of emitted CO2.", 30));
        _model.Respond = _ => new ChatResponse(new ChatMessage(ChatRole.Assistant, longReply));
        var summarizer = new ChatClientSummarizer(_model, Counter);

        var result = await summarizer.SummarizeAsync(Block(targetTokens: 40));

        Assert.That(Counter.CountTokens(result.Text), Is.LessThanOrEqualTo(40).And.GreaterThan(30));
        Assert.That(longReply, Does.StartWith(result.Text));
        Assert.That(longReply[result.Text.Length], Is.EqualTo(' '), "cut at a word boundary");
    }

    [Test]
    public async Task SummarizeAsync_RollUp_SendsTheSummariesInOrder()
    {
        var summarizer = new ChatClientSummarizer(_model, Counter);
        var request = new SummarizationRequest
        {
            TargetTokens = 100,
            Summaries =
            [
                new SessionSummary { Id = Guid.CreateVersion7(), SessionId = Guid.CreateVersion7(), FromSequence = 1, ToSequence = 10, Level = 1, Content = "First block.", TokenCount = 3, TokenEncoding = "o200k_base", SummarizerId = "x", CreatedAt = Start },
                new SessionSummary { Id = Guid.CreateVersion7(), SessionId = Guid.CreateVersion7(), FromSequence = 11, ToSequence = 20, Level = 1, Content = "Second block.", TokenCount = 3, TokenEncoding = "o200k_base", SummarizerId = "x", CreatedAt = Start },
            ],
        };

        await summarizer.SummarizeAsync(request);

        string sent = _model.Requests.Single().Messages[1].Text;
        Assert.That(sent, Does.Contain("[messages #1–#10] First block."));
        Assert.That(sent.IndexOf("First block.", StringComparison.Ordinal), Is.LessThan(sent.IndexOf("Second block.", StringComparison.Ordinal)));
    }

    [Test]
    public void SummarizeAsync_WhenTheModelReturnsNothing_Throws()
    {
        _model.Respond = _ => new ChatResponse(new ChatMessage(ChatRole.Assistant, "  "));
        var summarizer = new ChatClientSummarizer(_model, Counter);

        Assert.ThrowsAsync<InvalidOperationException>(() => summarizer.SummarizeAsync(Block()));
    }

    [Test]
    public void SummarizeAsync_WithAnInvalidRequest_ThrowsArgumentException()
    {
        var summarizer = new ChatClientSummarizer(_model, Counter);

        Assert.ThrowsAsync<ArgumentNullException>(() => summarizer.SummarizeAsync(null!));
        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => summarizer.SummarizeAsync(Block() with { TargetTokens = 0 }));
        Assert.ThrowsAsync<ArgumentException>(() => summarizer.SummarizeAsync(new SummarizationRequest { TargetTokens = 10 }));
        Assert.That(_model.Requests, Is.Empty);
    }

    [Test]
    public async Task ContextBuilder_WithTheChatClientSummarizer_StoresModelSummariesOfOldBlocks()
    {
        using var store = new InMemorySessionStore(null, new FakeTimeProvider(Start));
        var session = await store.CreateSessionAsync("ada");
        for (int i = 1; i <= 30; i++)
        {
            await store.AppendMessagesAsync(session.Id, [NewMessage.User($"Question {i} about the carbon budget for {1990 + i}?"), NewMessage.Assistant($"Answer {i}: emissions in {1990 + i} were about {20 + i} gigatonnes of CO2, mostly from coal, oil and gas.")]);
        }

        _model.Respond = messages => new ChatResponse(new ChatMessage(ChatRole.Assistant, $"Summary of {messages[1].Text.Split('\n').Length - 2} messages."));
        var builder = new ContextBuilder(store, Counter, new ChatClientSummarizer(_model, Counter), null, new FakeTimeProvider(Start));

        var window = await builder.BuildAsync(session.Id, new ContextRequest { TokenBudget = 600 });

        var summaries = await store.GetSummariesAsync(session.Id);
        Assert.That(window.SummariesCreated, Is.GreaterThan(0));
        Assert.That(summaries.Select(s => s.SummarizerId).Distinct(), Is.EqualTo(new[] { "chat-client/1" }));
        Assert.That(summaries[0].Content, Is.EqualTo("Summary of 10 messages."));
        Assert.That(window.Items.Any(i => i.Kind == ContextItemKind.Summary && i.Content == "Summary of 10 messages."));
    }

    [Test]
    public async Task UseChatClientSummarizer_ReplacesTheOfflineSummarizer()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IChatClient>(_model);
        services.AddSessionKit().UseInMemory().UseChatClientSummarizer(options => options.ModelId = "small-model");
        await using var provider = services.BuildServiceProvider();

        var summarizer = provider.GetRequiredService<ISummarizer>();

        Assert.That(summarizer, Is.InstanceOf<ChatClientSummarizer>());
        Assert.That(summarizer.Id, Is.EqualTo("chat-client/1:small-model"));
        await summarizer.SummarizeAsync(Block());
        Assert.That(_model.Requests.Single().Options!.ModelId, Is.EqualTo("small-model"));
    }

    [Test]
    public async Task SummarizeAsync_AfterAFailure_LogsItWithTheException_AndRestsWithDoublingBackoffOnTheClock()
    {
        var time = new FakeTimeProvider(Start);
        var logger = new RecordingLogger();
        var failure = new HttpRequestException("model unavailable");
        _model.Failure = failure;
        var summarizer = new ChatClientSummarizer(_model, Counter, new ChatClientSummarizerOptions { FailureBackoff = TimeSpan.FromSeconds(30), MaxFailureBackoff = TimeSpan.FromMinutes(1) }, time, logger);

        Assert.ThrowsAsync<HttpRequestException>(() => summarizer.SummarizeAsync(Block()));
        var resting = Assert.ThrowsAsync<SummarizerUnavailableException>(() => summarizer.SummarizeAsync(Block()));
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.ThrowsAsync<SummarizerUnavailableException>(() => summarizer.SummarizeAsync(Block()));
        Assert.That(_model.Requests, Has.Count.EqualTo(1), "no call to the model while it rests");

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.ThrowsAsync<HttpRequestException>(() => summarizer.SummarizeAsync(Block()));
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.ThrowsAsync<SummarizerUnavailableException>(() => summarizer.SummarizeAsync(Block()));
        time.Advance(TimeSpan.FromSeconds(1));
        _model.Failure = null;
        _model.Respond = _ => new ChatResponse(new ChatMessage(ChatRole.Assistant, "A summary."));
        var result = await summarizer.SummarizeAsync(Block());
        _model.Failure = failure;
        Assert.ThrowsAsync<HttpRequestException>(() => summarizer.SummarizeAsync(Block()));

        Assert.That(result.Text, Is.EqualTo("A summary."));
        Assert.That(resting!.RetryAt, Is.EqualTo(Start + TimeSpan.FromSeconds(30)));
        Assert.That(_model.Requests, Has.Count.EqualTo(4), "asked at 0 s, 30 s (doubled pause to 60 s), 90 s, and again at once after the success");
        Assert.That(logger.Entries.Select(e => (e.Level, e.Exception)), Is.EqualTo(new (LogLevel, Exception?)[] { (LogLevel.Warning, failure), (LogLevel.Warning, failure), (LogLevel.Warning, failure) }));
        Assert.That(logger.Entries.Select(e => e.Message), Is.All.Contain("rests for"));
        Assert.That(logger.Entries[1].Message, Does.Contain("00:01:00"), "the second failure in a row doubles the pause");
        Assert.That(logger.Entries[2].Message, Does.Contain("00:00:30"), "a success resets the pause");
    }

    private sealed class RecordingLogger : ILogger<ChatClientSummarizer>
    {
        public List<(LogLevel Level, Exception? Exception, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, exception, formatter(state, exception)));
    }
}
