using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using SessionKit.Extensions.AI.Tests;

namespace SessionKit.Agents.AI.Tests;

/// <summary>README.md's Agent Framework program, run with the fake model and the in-memory store instead of OpenAI and SQLite.</summary>
[TestFixture]
public sealed class ReadmeAgentSnippetTests
{
    [Test]
    public async Task ReadmeSnippet_BothProviders_RunAndShareTheUsersSession()
    {
        using var chatClient = new FakeChatClient();
        var services = new ServiceCollection();
        services.AddSessionKit().UseInMemory();
        await using var provider = services.BuildServiceProvider();
        var accessor = provider.GetRequiredService<ISessionAccessor>();
        var tokenCounter = provider.GetRequiredService<ITokenCounter>();

        var agent = chatClient.AsAIAgent(new ChatClientAgentOptions
        {
            ChatOptions = new() { Instructions = "You are a research assistant." },
            ChatHistoryProvider = new SessionKitChatHistoryProvider(accessor, tokenCounter,
                new SessionKitChatHistoryProviderOptions { TokenBudget = 8_000 }),
        });
        var session = await agent.CreateSessionAsync();
        SessionKitAgentSession.SetCaller(session, SessionCaller.User("user-42"));
        var first = await agent.RunAsync("How does the carbon cycle work?", session);

        var helper = chatClient.AsAIAgent(new ChatClientAgentOptions
        {
            ChatOptions = new() { Instructions = "You are a research assistant." },
            ChatHistoryProvider = new InMemoryChatHistoryProvider(),
            AIContextProviders = [new SessionKitContextProvider(accessor, tokenCounter)],
        });
        var helperSession = await helper.CreateSessionAsync();
        SessionKitAgentSession.SetCaller(helperSession, SessionCaller.User("user-42"));
        SessionKitAgentSession.AttachSession(helperSession, SessionKitAgentSession.GetSessionId(session)!.Value);
        var second = await helper.RunAsync("What did we say about the ocean's role?", helperSession);

        var store = provider.GetRequiredService<ISessionStore>();
        Assert.That(first.Text, Is.EqualTo("Noted: How does the carbon cycle work?"));
        Assert.That(second.Text, Is.EqualTo("Noted: What did we say about the ocean's role?"));
        Assert.That((await store.ListSessionsAsync("user-42")).Items, Has.Count.EqualTo(1));
        Assert.That(await store.CountMessagesAsync(SessionKitAgentSession.GetSessionId(session)!.Value), Is.EqualTo(4));
    }
}
