using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using SessionKit.Extensions.AI.Tests;

namespace SessionKit.Agents.AI.Tests;

/// <summary>Agents whose history lives elsewhere get SessionKit's summaries and recall through <see cref="SessionKitContextProvider"/>.</summary>
[TestFixture]
public sealed class SessionKitContextProviderTests
{
    private const string Instructions = "You are a research assistant.";
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

    /// <summary>An agent with the framework's own in-memory history, plus SessionKit as a context provider.</summary>
    private ChatClientAgent Agent(int budget = 600, bool store = true) => new(_model, new ChatClientAgentOptions
    {
        ChatOptions = new ChatOptions { Instructions = Instructions },
        ChatHistoryProvider = new InMemoryChatHistoryProvider(),
        AIContextProviders = [new SessionKitContextProvider(Accessor(), Counter, new SessionKitContextProviderOptions { TokenBudget = budget, StoreMessages = store })],
    });

    private async Task<Guid> LongConversationAsync(string firstMessage)
    {
        var session = await _store.CreateSessionAsync("ada");
        await _store.AppendMessagesAsync(session.Id, [NewMessage.User(firstMessage), NewMessage.Assistant("Noted.")]);
        for (int turn = 1; turn <= 30; turn++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            await _store.AppendMessagesAsync(session.Id,
            [
                NewMessage.User($"Question {turn}: how did emissions from sector {turn} change in {1990 + turn}?"),
                NewMessage.Assistant($"Answer {turn}: sector {turn} emissions changed by {turn}.5 percent that year, mostly from energy use."),
            ]);
        }

        return session.Id;
    }

    [Test]
    public async Task ContextProvider_GivesAnAgentWithItsOwnHistory_TheRecalledMessageAsQuotedContext()
    {
        var sessionId = await LongConversationAsync("The carbon cycle note: the ocean takes up about a quarter of our CO2.");
        var agent = Agent();
        var run = await agent.CreateSessionAsync();
        SessionKitAgentSession.SetCaller(run, SessionCaller.User("ada"));
        SessionKitAgentSession.AttachSession(run, sessionId);

        await agent.RunAsync("What did I note about the carbon cycle and the ocean?", run);

        var sent = _model.Requests.Single().Messages;
        var framed = sent.Single(m => m.Text.Contains("<sessionkit-context>", StringComparison.Ordinal));
        Assert.That(framed.Role, Is.EqualTo(ChatRole.User));
        Assert.That(framed.Text, Does.Contain("the ocean takes up about a quarter of our CO2"), "recalled verbatim");
        Assert.That(framed.Text, Does.Contain("<summary of="), "older turns summarized");
        Assert.That(sent[^1].Text, Is.EqualTo("What did I note about the carbon cycle and the ocean?"), "the new question stays last");
        Assert.That(sent.Where(m => m.Role == ChatRole.System).All(m => !m.Text.Contains("carbon", StringComparison.Ordinal)), "nothing stored reaches a system message");
    }

    [Test]
    public async Task ContextProvider_StoresEachRun_AndNotItsOwnContext()
    {
        var agent = Agent();
        var run = await agent.CreateSessionAsync();
        SessionKitAgentSession.SetCaller(run, SessionCaller.User("ada"));

        await agent.RunAsync("First question about methane.", run);
        await agent.RunAsync("Second question about methane.", run);

        var sessionId = SessionKitAgentSession.GetSessionId(run);
        Assert.That(sessionId, Is.Not.Null, "a session was created for ada");
        var stored = await _store.GetMessagesAsync(sessionId!.Value, 1, 100);
        Assert.That(stored.Select(m => m.Content), Is.EqualTo(new[]
        {
            "First question about methane.", "Noted: First question about methane.",
            "Second question about methane.", "Noted: Second question about methane.",
        }));
        Assert.That((await _store.GetSessionAsync(sessionId.Value)).UserId, Is.EqualTo("ada"));
    }

    [Test]
    public async Task ContextProvider_WithStoringOff_AppendsNothing()
    {
        var session = await _store.CreateSessionAsync("ada");
        var agent = Agent(store: false);
        var run = await agent.CreateSessionAsync();
        SessionKitAgentSession.SetCaller(run, SessionCaller.User("ada"));
        SessionKitAgentSession.AttachSession(run, session.Id);

        await agent.RunAsync("Hello?", run);

        Assert.That(await _store.CountMessagesAsync(session.Id), Is.Zero);
    }

    [Test]
    public async Task ContextProvider_OnAnotherUsersSession_IsDeniedBeforeTheModelIsCalled()
    {
        var sessionId = await LongConversationAsync("Ada's private note.");
        var agent = Agent();
        var run = await agent.CreateSessionAsync();
        SessionKitAgentSession.SetCaller(run, SessionCaller.User("mallory"));
        SessionKitAgentSession.AttachSession(run, sessionId);

        Assert.ThrowsAsync<SessionAccessDeniedException>(() => agent.RunAsync("What did ada note?", run));
        Assert.That(_model.Requests, Is.Empty);
    }

    [Test]
    public async Task ContextProvider_WithNoCaller_IsRefusedBeforeTheModelIsCalled()
    {
        var agent = Agent();
        var run = await agent.CreateSessionAsync();

        Assert.ThrowsAsync<SessionCallerRequiredException>(() => agent.RunAsync("Hello?", run));
        Assert.That(_model.Requests, Is.Empty);
    }
}
