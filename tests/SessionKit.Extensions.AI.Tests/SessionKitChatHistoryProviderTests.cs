using System.Text.Json;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace SessionKit.Extensions.AI.Tests;

/// <summary>An Agent Framework <see cref="ChatClientAgent"/> whose sessions persist in SessionKit (in memory and SQLite).</summary>
[TestFixture]
public sealed class SessionKitChatHistoryProviderTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static SharpTokenCounter Counter => SharpTokenCounter.Default;

    private FakeTimeProvider _time = null!;
    private InMemorySessionStore _store = null!;
    private FakeChatClient _model = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider(Start);
        _store = new InMemorySessionStore(null, _time, Counter);
        _model = new FakeChatClient();
    }

    [TearDown]
    public void TearDown()
    {
        _model.Dispose();
        _store.Dispose();
    }

    private ChatClientAgent Agent(int budget = 4000, string? userId = "ada") => new(_model, new ChatClientAgentOptions
    {
        Name = "researcher",
        ChatOptions = new ChatOptions { Instructions = "You are a research assistant." },
        ChatHistoryProvider = new SessionKitChatHistoryProvider(
            _store,
            new ContextBuilder(_store, Counter, new ExtractiveSummarizer(Counter), null, _time),
            Counter,
            new SessionKitChatHistoryProviderOptions { TokenBudget = budget, UserId = userId }),
    });

    [Test]
    public async Task Agent_Runs_StoreEachTurnOnceAndSendTheHistory()
    {
        var agent = Agent();
        var session = await agent.CreateSessionAsync();

        await agent.RunAsync("What is the carbon cycle?", session);
        await agent.RunAsync("And methane?", session);

        Guid? sessionId = SessionKitChatHistoryProvider.GetSessionId(session);
        Assert.That(sessionId, Is.Not.Null);
        var stored = await _store.GetMessagesAsync(sessionId!.Value, 1, 100);
        Assert.That(stored.Select(m => (m.Role, m.Content)), Is.EqualTo(new[]
        {
            (MessageRole.User, "What is the carbon cycle?"), (MessageRole.Assistant, "Noted: What is the carbon cycle?"),
            (MessageRole.User, "And methane?"), (MessageRole.Assistant, "Noted: And methane?"),
        }));
        Assert.That((await _store.GetSessionAsync(sessionId.Value)).UserId, Is.EqualTo("ada"));
        var secondRequest = _model.Requests[1].Messages.Where(m => m.Role != ChatRole.System).Select(m => m.Text);
        Assert.That(secondRequest, Is.EqualTo(new[] { "What is the carbon cycle?", "Noted: What is the carbon cycle?", "And methane?" }));
    }

    [Test]
    public async Task Agent_SerializedSession_ContinuesTheSameConversationInANewAgent()
    {
        var first = Agent();
        var session = await first.CreateSessionAsync();
        await first.RunAsync("Remember: the report is due on 14 March.", session);
        JsonElement serialized = await first.SerializeSessionAsync(session);

        var second = Agent();
        var restored = await second.DeserializeSessionAsync(serialized);
        await second.RunAsync("When is the report due?", restored);

        Assert.That(serialized.GetRawText(), Does.Contain(SessionKitChatHistoryProvider.GetSessionId(session)!.Value.ToString()));
        Assert.That(serialized.GetRawText(), Does.Not.Contain("14 March"), "the agent session holds only the id; the messages are in SessionKit");
        Assert.That(SessionKitChatHistoryProvider.GetSessionId(restored), Is.EqualTo(SessionKitChatHistoryProvider.GetSessionId(session)));
        Assert.That(_model.Requests[1].Messages.Select(m => m.Text), Does.Contain("Remember: the report is due on 14 March."));
        Assert.That(await _store.CountMessagesAsync(SessionKitChatHistoryProvider.GetSessionId(restored)!.Value), Is.EqualTo(4));
    }

    [Test]
    public async Task Agent_OverManyRuns_SendsHistoryWithinTheBudget()
    {
        const int budget = 500;
        var agent = Agent(budget);
        var session = await agent.CreateSessionAsync();

        for (int turn = 1; turn <= 60; turn++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            await agent.RunAsync($"Question {turn}: how did global CO2 emissions change in {1960 + turn}, and which sectors drove the change?", session);
        }

        Assert.That(_model.Requests, Has.Count.EqualTo(60));
        Assert.That(_model.Requests.Select(r => ChatMessageTokenCounting.CountPrompt(Counter, r.Messages.Where(m => m.Text != "You are a research assistant."))), Is.All.LessThanOrEqualTo(budget));
        Assert.That(await _store.CountMessagesAsync(SessionKitChatHistoryProvider.GetSessionId(session)!.Value), Is.EqualTo(120));
    }

    [Test]
    public async Task Agent_WhenTheModelFails_StoresNothing()
    {
        var agent = Agent();
        var session = await agent.CreateSessionAsync();
        var sessionId = (await _store.CreateSessionAsync("ada")).Id;
        SessionKitChatHistoryProvider.AttachSession(session, sessionId);
        _model.Failure = new HttpRequestException("model unavailable");

        Assert.ThrowsAsync<HttpRequestException>(() => agent.RunAsync("Hello?", session));

        Assert.That(await _store.CountMessagesAsync(sessionId), Is.Zero);
    }

    [Test]
    public async Task ReadmeSnippet_AgentWithSessionKitHistory_Runs()
    {
        var chatClient = _model;
        var store = _store;
        ITokenCounter tokenCounter = Counter;
        IContextBuilder contextBuilder = new ContextBuilder(store, tokenCounter, new ExtractiveSummarizer(tokenCounter));

        // As in README.md, "Microsoft Agent Framework".
        var agent = chatClient.AsAIAgent(new ChatClientAgentOptions
        {
            ChatOptions = new() { Instructions = "You are a research assistant." },
            ChatHistoryProvider = new SessionKitChatHistoryProvider(store, contextBuilder, tokenCounter,
                new SessionKitChatHistoryProviderOptions { UserId = "user-42", TokenBudget = 8_000 }),
        });
        var session = await agent.CreateSessionAsync();
        var response = await agent.RunAsync("How does the carbon cycle work?", session);

        Assert.That(response.Text, Is.EqualTo("Noted: How does the carbon cycle work?"));
        Assert.That((await store.ListSessionsAsync("user-42")).Items, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Agent_WithoutUserIdOrAttachedSession_ThrowsInvalidOperationException()
    {
        var agent = Agent(userId: null);
        var session = await agent.CreateSessionAsync();

        Assert.ThrowsAsync<InvalidOperationException>(() => agent.RunAsync("Hello?", session));
        Assert.That(_model.Requests, Is.Empty);
    }
}
