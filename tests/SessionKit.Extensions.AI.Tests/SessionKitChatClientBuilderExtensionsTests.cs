using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace SessionKit.Extensions.AI.Tests;

[TestFixture]
public sealed class SessionKitChatClientBuilderExtensionsTests
{
    [Test]
    public async Task UseSessionKit_FromTheServiceProvider_StoresTurnsInTheRegisteredStore()
    {
        using var model = new FakeChatClient();
        var services = new ServiceCollection();
        services.AddSessionKit(options => options.Context.DefaultTokenBudget = 2000).UseInMemory();
        services.AddChatClient(model).UseSessionKit();
        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<ISessionStore>();
        var session = await store.CreateSessionAsync("ada");
        var client = provider.GetRequiredService<IChatClient>();

        var response = await client.GetResponseAsync("What is the carbon cycle?", new ChatOptions { ConversationId = session.Id.ToString() });

        Assert.That(client.GetService<SessionKitChatClient>(), Is.Not.Null);
        Assert.That(response.Text, Is.EqualTo("Noted: What is the carbon cycle?"));
        Assert.That(await store.CountMessagesAsync(session.Id), Is.EqualTo(2));
    }

    [Test]
    public async Task UseSessionKit_WithFunctionInvocationInside_StoresTheWholeToolRoundTripOnce()
    {
        using var model = new FakeChatClient
        {
            Respond = messages => messages[^1].Role == ChatRole.Tool
                ? new ChatResponse(new ChatMessage(ChatRole.Assistant, $"It is {messages[^1].Contents.OfType<FunctionResultContent>().Single().Result} ppm."))
                : new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call-1", "co2_ppm", new Dictionary<string, object?> { ["year"] = 2024 })])),
        };
        var store = new InMemorySessionStore();
        await using var _ = store;
        var counter = SharpTokenCounter.Default;
        var session = await store.CreateSessionAsync("ada");
        using var client = new ChatClientBuilder(model)
            .UseSessionKit(store, new ContextBuilder(store, counter, new ExtractiveSummarizer(counter)), counter)
            .UseFunctionInvocation()
            .Build();
        var tool = AIFunctionFactory.Create((int year) => year == 2024 ? "422" : "unknown", "co2_ppm");

        var response = await client.GetResponseAsync("How much CO2 is in the air?", new ChatOptions { ConversationId = session.Id.ToString(), Tools = [tool] });

        Assert.That(response.Text, Is.EqualTo("It is 422 ppm."));
        var stored = await store.GetMessagesAsync(session.Id, 1, 10);
        Assert.That(stored.Select(m => (m.Role, m.ToolCallId, m.Content)), Is.EqualTo(new (MessageRole, string?, string)[]
        {
            (MessageRole.User, null, "How much CO2 is in the air?"),
            (MessageRole.Assistant, "call-1", """{"year":2024}"""),
            (MessageRole.Tool, "call-1", "\"422\""), // the function returned a JSON string, stored as JSON
            (MessageRole.Assistant, null, "It is 422 ppm."),
        }));
    }

    [Test]
    public void UseSessionKit_WithNullArguments_Throws()
    {
        using var model = new FakeChatClient();
        var builder = new ChatClientBuilder(model);

        Assert.Throws<ArgumentNullException>(() => SessionKitChatClientBuilderExtensions.UseSessionKit(null!));
        Assert.Throws<ArgumentNullException>(() => builder.UseSessionKit(null!, null!, null!));
    }

    [Test]
    public void Constructor_WithABudgetBelowOne_Throws()
    {
        using var model = new FakeChatClient();
        using var store = new InMemorySessionStore();
        var counter = SharpTokenCounter.Default;

        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new SessionKitChatClient(model, store, new ContextBuilder(store, counter, new ExtractiveSummarizer(counter)), counter, new SessionKitChatClientOptions { TokenBudget = 0 }));
    }
}
