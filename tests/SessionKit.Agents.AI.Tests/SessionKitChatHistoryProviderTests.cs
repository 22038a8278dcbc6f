using System.Text.Json;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using SessionKit.Extensions.AI;
using SessionKit.Extensions.AI.Tests;

namespace SessionKit.Agents.AI.Tests;

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

    private SessionAccessor Accessor() =>
        new(_store, _store, new ContextBuilder(_store, Counter, new ExtractiveSummarizer(Counter), null, _time), timeProvider: _time);

    private ChatClientAgent Agent(int budget = 4000, ISessionCallerAccessor? callers = null, bool create = true) => new(_model, new ChatClientAgentOptions
    {
        Name = "researcher",
        ChatOptions = new ChatOptions { Instructions = "You are a research assistant." },
        ChatHistoryProvider = new SessionKitChatHistoryProvider(
            Accessor(),
            Counter,
            new SessionKitChatHistoryProviderOptions { TokenBudget = budget, CreateSessionWhenMissing = create },
            callers),
    });

    /// <summary>An agent session of <paramref name="agent"/> that acts for the user <paramref name="userId"/>.</summary>
    private static async Task<AgentSession> SessionOfAsync(AIAgent agent, string userId = "ada")
    {
        var session = await agent.CreateSessionAsync();
        SessionKitAgentSession.SetCaller(session, SessionCaller.User(userId));
        return session;
    }

    [Test]
    public async Task Agent_Runs_StoreEachTurnOnceAndSendTheHistory()
    {
        var agent = Agent();
        var session = await SessionOfAsync(agent);

        await agent.RunAsync("What is the carbon cycle?", session);
        await agent.RunAsync("And methane?", session);

        Guid? sessionId = SessionKitAgentSession.GetSessionId(session);
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
        var session = await SessionOfAsync(first);
        await first.RunAsync("Remember: the report is due on 14 March.", session);
        JsonElement serialized = await first.SerializeSessionAsync(session);

        var second = Agent();
        var restored = await second.DeserializeSessionAsync(serialized);
        await second.RunAsync("When is the report due?", restored);

        Assert.That(serialized.GetRawText(), Does.Contain(SessionKitAgentSession.GetSessionId(session)!.Value.ToString()));
        Assert.That(serialized.GetRawText(), Does.Not.Contain("14 March"), "the agent session holds only the id; the messages are in SessionKit");
        Assert.That(SessionKitAgentSession.GetSessionId(restored), Is.EqualTo(SessionKitAgentSession.GetSessionId(session)));
        Assert.That(_model.Requests[1].Messages.Select(m => m.Text), Does.Contain("Remember: the report is due on 14 March."));
        Assert.That(await _store.CountMessagesAsync(SessionKitAgentSession.GetSessionId(restored)!.Value), Is.EqualTo(4));
    }

    [Test]
    public async Task Agent_OverManyRuns_SendsHistoryWithinTheBudget()
    {
        const int budget = 500;
        var agent = Agent(budget);
        var session = await SessionOfAsync(agent);

        for (int turn = 1; turn <= 60; turn++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            await agent.RunAsync($"Question {turn}: how did global CO2 emissions change in {1960 + turn}, and which sectors drove the change?", session);
        }

        Assert.That(_model.Requests, Has.Count.EqualTo(60));
        Assert.That(_model.Requests.Select(r => ChatMessageTokenCounting.CountPrompt(Counter, r.Messages.Where(m => m.Text != "You are a research assistant."))), Is.All.LessThanOrEqualTo(budget));
        Assert.That(await _store.CountMessagesAsync(SessionKitAgentSession.GetSessionId(session)!.Value), Is.EqualTo(120));
    }

    [Test]
    public async Task Agent_WhenTheModelFails_StoresNothing()
    {
        var agent = Agent();
        var session = await SessionOfAsync(agent);
        var sessionId = (await _store.CreateSessionAsync("ada")).Id;
        SessionKitAgentSession.AttachSession(session, sessionId);
        _model.Failure = new HttpRequestException("model unavailable");

        Assert.ThrowsAsync<HttpRequestException>(() => agent.RunAsync("Hello?", session));

        Assert.That(await _store.CountMessagesAsync(sessionId), Is.Zero);
    }

    [Test]
    public async Task Agent_WithoutAttachedSessionAndCreationOff_ThrowsInvalidOperationException()
    {
        var agent = Agent(create: false);
        var session = await SessionOfAsync(agent);

        Assert.ThrowsAsync<InvalidOperationException>(() => agent.RunAsync("Hello?", session));
        Assert.That(_model.Requests, Is.Empty);
    }

    [Test]
    public async Task Agent_WithNoCaller_IsRefusedBeforeTheModelIsCalled()
    {
        var agent = Agent();
        var session = await agent.CreateSessionAsync();

        Assert.ThrowsAsync<SessionCallerRequiredException>(() => agent.RunAsync("Hello?", session));

        Assert.That(_model.Requests, Is.Empty);
        Assert.That((await _store.ListSessionsAsync("ada")).Items, Is.Empty, "no session was created");
    }

    [Test]
    public async Task Agent_OnAnotherUsersSession_IsDeniedBeforeTheModelIsCalled()
    {
        var agent = Agent();
        var adas = await _store.CreateSessionAsync("ada");
        await _store.AppendMessagesAsync(adas.Id, [NewMessage.User("my private question"), NewMessage.Assistant("a private answer")]);
        var session = await SessionOfAsync(agent, "mallory");
        SessionKitAgentSession.AttachSession(session, adas.Id);

        Assert.ThrowsAsync<SessionAccessDeniedException>(() => agent.RunAsync("What did ada ask?", session));

        Assert.That(_model.Requests, Is.Empty, "nothing of ada's reached the model");
        Assert.That(await _store.CountMessagesAsync(adas.Id), Is.EqualTo(2));
    }

    [Test]
    public async Task Agent_OneProvider_TakesItsUserPerAgentSession()
    {
        var agent = Agent();
        var adasRun = await SessionOfAsync(agent, "ada");
        var bobsRun = await SessionOfAsync(agent, "bob");

        await agent.RunAsync("Ada's question", adasRun);
        await agent.RunAsync("Bob's question", bobsRun);

        var adas = (await _store.ListSessionsAsync("ada")).Items;
        var bobs = (await _store.ListSessionsAsync("bob")).Items;
        Assert.That(adas.Select(s => s.Id), Is.EqualTo(new[] { SessionKitAgentSession.GetSessionId(adasRun)!.Value }));
        Assert.That(bobs.Select(s => s.Id), Is.EqualTo(new[] { SessionKitAgentSession.GetSessionId(bobsRun)!.Value }));
        Assert.That((await _store.GetMessagesAsync(bobs[0].Id, 1, 10)).Select(m => m.Content), Does.Not.Contain("Ada's question"));
    }

    [Test]
    public async Task Agent_WithACallerAccessor_UsesTheHostsCurrentCaller()
    {
        var callers = new FakeCallerAccessor { Caller = SessionCaller.User("carol") };
        var agent = Agent(callers: callers);
        var session = await agent.CreateSessionAsync();

        await agent.RunAsync("Hello from carol", session);

        Assert.That((await _store.ListSessionsAsync("carol")).Items, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Agent_CreateTrusted_ServesAnySessionWithoutACaller()
    {
        var adas = await _store.CreateSessionAsync("ada");
        var agent = new ChatClientAgent(_model, new ChatClientAgentOptions
        {
            ChatHistoryProvider = SessionKitChatHistoryProvider.CreateTrusted(_store, new ContextBuilder(_store, Counter, new ExtractiveSummarizer(Counter), null, _time), Counter),
        });
        var session = await agent.CreateSessionAsync();
        SessionKitAgentSession.AttachSession(session, adas.Id);

        await agent.RunAsync("Back-office note", session);

        Assert.That(await _store.CountMessagesAsync(adas.Id), Is.EqualTo(2));
    }
}
