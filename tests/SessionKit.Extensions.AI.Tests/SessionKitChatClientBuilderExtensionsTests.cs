using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
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

        var response = await client.GetResponseAsync("What is the carbon cycle?", new ChatOptions { ConversationId = session.Id.ToString() }.WithSessionCaller(SessionCaller.User("ada")));

        Assert.That(client.GetService<SessionKitChatClient>()?.IsTrusted, Is.False, "the default pipeline is access-checked");
        Assert.That(response.Text, Is.EqualTo("Noted: What is the carbon cycle?"));
        Assert.That(await store.CountMessagesAsync(session.Id), Is.EqualTo(2));
    }

    [Test]
    public async Task UseSessionKit_FromTheServiceProvider_RefusesNoCallerAndAnotherUsersSession_BeforeTheModelIsCalled()
    {
        using var model = new FakeChatClient();
        var services = new ServiceCollection();
        services.AddSessionKit().UseInMemory();
        services.AddChatClient(model).UseSessionKit();
        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<ISessionStore>();
        var session = await store.CreateSessionAsync("ada");
        await store.AppendMessagesAsync(session.Id, [NewMessage.User("ada's secret plan"), NewMessage.Assistant("noted")]);
        var client = provider.GetRequiredService<IChatClient>();

        Assert.ThrowsAsync<SessionCallerRequiredException>(() => client.GetResponseAsync("What did ada say?", new ChatOptions { ConversationId = session.Id.ToString() }));
        Assert.ThrowsAsync<SessionAccessDeniedException>(() => client.GetResponseAsync("What did ada say?", new ChatOptions { ConversationId = session.Id.ToString() }.WithSessionCaller(SessionCaller.User("mallory"))));

        Assert.That(model.Requests, Is.Empty);
        Assert.That(await store.CountMessagesAsync(session.Id), Is.EqualTo(2));
    }

    [Test]
    public async Task UseSessionKit_FromTheServiceProvider_TakesTheCallerFromTheRegisteredAccessor()
    {
        using var model = new FakeChatClient();
        var callers = new FakeCallerAccessor();
        var services = new ServiceCollection();
        services.AddSessionKit().UseInMemory();
        services.AddSingleton<ISessionCallerAccessor>(callers);
        services.AddChatClient(model).UseSessionKit();
        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<ISessionStore>();
        var session = await store.CreateSessionAsync("ada");
        var client = provider.GetRequiredService<IChatClient>();
        var options = new ChatOptions { ConversationId = session.Id.ToString() };

        callers.Caller = SessionCaller.User("mallory");
        Assert.ThrowsAsync<SessionAccessDeniedException>(() => client.GetResponseAsync("Hi", options));
        callers.Caller = SessionCaller.User("ada");
        await client.GetResponseAsync("Hi", options);

        Assert.That(model.Requests, Has.Count.EqualTo(1));
        Assert.That(await store.CountMessagesAsync(session.Id), Is.EqualTo(2));
    }

    [Test]
    public async Task UseSessionKitTrusted_FromTheServiceProvider_ServesAnySessionWithoutACaller()
    {
        using var model = new FakeChatClient();
        var services = new ServiceCollection();
        services.AddSessionKit().UseInMemory();
        services.AddChatClient(model).UseSessionKitTrusted();
        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<ISessionStore>();
        var session = await store.CreateSessionAsync("ada");
        var client = provider.GetRequiredService<IChatClient>();

        await client.GetResponseAsync("Back-office note", new ChatOptions { ConversationId = session.Id.ToString() });

        Assert.That(client.GetService<SessionKitChatClient>()?.IsTrusted, Is.True);
        Assert.That(await store.CountMessagesAsync(session.Id), Is.EqualTo(2));
    }

    [Test]
    public async Task UseChatClientSummarizer_WithAKeyedClient_NextToUseSessionKit_ResolvesWithoutACircularDependency()
    {
        using var model = new FakeChatClient();
        using var summaryModel = new FakeChatClient { Respond = _ => new ChatResponse(new ChatMessage(ChatRole.Assistant, "Ada asked about carbon.")) };
        var services = new ServiceCollection();
        services.AddSessionKit().UseInMemory().UseChatClientSummarizer("summarizer");
        services.AddKeyedChatClient("summarizer", summaryModel);
        services.AddChatClient(model).UseSessionKit();
        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<ISessionStore>();
        var session = await store.CreateSessionAsync("ada");
        var summarizer = provider.GetRequiredService<ISummarizer>();
        var client = provider.GetRequiredService<IChatClient>();

        await client.GetResponseAsync("Hi", new ChatOptions { ConversationId = session.Id.ToString() }.WithSessionCaller(SessionCaller.User("ada")));
        var summary = await summarizer.SummarizeAsync(new SummarizationRequest { Messages = await store.GetMessagesAsync(session.Id, 1, 2), TargetTokens = 50 });

        Assert.That(summarizer, Is.InstanceOf<ChatClientSummarizer>());
        Assert.That(summary.Text, Is.EqualTo("Ada asked about carbon."));
        Assert.That(summaryModel.Requests, Has.Count.EqualTo(1));
        Assert.That(model.Requests, Has.Count.EqualTo(1), "the conversation model was not asked for the summary");
    }

    [Test]
    public async Task UseChatClientSummarizer_OverTheSessionKitPipeline_FailsWithAMessageThatNamesTheKeyedClient()
    {
        using var model = new FakeChatClient();
        var services = new ServiceCollection();
        services.AddSessionKit().UseInMemory().UseChatClientSummarizer();
        services.AddChatClient(model).UseSessionKit();
        await using var provider = services.BuildServiceProvider();
        var summarizer = provider.GetRequiredService<ISummarizer>();
        _ = provider.GetRequiredService<IChatClient>();

        var error = Assert.ThrowsAsync<InvalidOperationException>(() => summarizer.SummarizeAsync(new SummarizationRequest
        {
            Messages = [new SessionMessage { Id = Guid.CreateVersion7(), SessionId = Guid.CreateVersion7(), Sequence = 1, Role = MessageRole.User, Content = "Hi", CreatedAt = DateTimeOffset.UnixEpoch }],
            TargetTokens = 50,
        }));

        Assert.That(error!.Message, Does.Contain("AddKeyedChatClient"));
        Assert.That(model.Requests, Is.Empty);
        await Task.CompletedTask;
    }

    [Test]
    public async Task ChatClientOptions_BindFromConfiguration_AndAreUsedByUseSessionKit()
    {
        using var model = new FakeChatClient();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["SessionKit:Chat:TokenBudget"] = "1234",
            ["SessionKit:Chat:CreateSessionWhenMissing"] = "true",
            ["SessionKit:Chat:RecallWithLatestUserMessage"] = "false",
            ["SessionKit:Summarizer:ModelId"] = "small-model",
            ["SessionKit:Summarizer:FailureBackoff"] = "00:01:00",
        }).Build();
        var services = new ServiceCollection();
        services.AddSessionKit().UseInMemory().UseChatClientSummarizer(model);
        services.AddSessionKitChatClientOptions().Bind(configuration.GetSection("SessionKit:Chat"));
        services.AddChatClientSummarizerOptions().Bind(configuration.GetSection("SessionKit:Summarizer"));
        services.AddChatClient(model).UseSessionKit();
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<SessionKitChatClientOptions>>().Value;
        var response = await provider.GetRequiredService<IChatClient>().GetResponseAsync("Hi", new ChatOptions { ConversationId = "chat-1" }.WithSessionCaller(SessionCaller.User("ada")));

        Assert.That((options.TokenBudget, options.CreateSessionWhenMissing, options.RecallWithLatestUserMessage), Is.EqualTo((1234, true, false)));
        Assert.That(provider.GetRequiredService<IOptions<ChatClientSummarizerOptions>>().Value.FailureBackoff, Is.EqualTo(TimeSpan.FromMinutes(1)));
        Assert.That(provider.GetRequiredService<ISummarizer>().Id, Is.EqualTo("chat-client/1:small-model"));
        Assert.That(Guid.TryParse(response.ConversationId, out _), "CreateSessionWhenMissing from configuration made a session for 'chat-1'");
    }

    [Test]
    public void ChatClientOptions_FromConfiguration_WithABadValue_FailValidationNamingTheField()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Chat:TokenBudget"] = "0",
            ["Summarizer:Temperature"] = "7",
        }).Build();
        var services = new ServiceCollection();
        services.AddSessionKitChatClientOptions().Bind(configuration.GetSection("Chat"));
        services.AddChatClientSummarizerOptions().Bind(configuration.GetSection("Summarizer"));
        using var provider = services.BuildServiceProvider();

        var chat = Assert.Throws<OptionsValidationException>(() => _ = provider.GetRequiredService<IOptions<SessionKitChatClientOptions>>().Value);
        var summarizer = Assert.Throws<OptionsValidationException>(() => _ = provider.GetRequiredService<IOptions<ChatClientSummarizerOptions>>().Value);

        Assert.That(chat!.Message, Does.Contain("SessionKitChatClientOptions.TokenBudget"));
        Assert.That(summarizer!.Message, Does.Contain("ChatClientSummarizerOptions.Temperature"));
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
            .UseSessionKitTrusted(store, new ContextBuilder(store, counter, new ExtractiveSummarizer(counter)), counter)
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
        Assert.Throws<ArgumentNullException>(() => builder.UseSessionKitTrusted(null!, null!, null!));
        Assert.Throws<ArgumentNullException>(() => builder.UseSessionKit(null!, SharpTokenCounter.Default));
        Assert.Throws<ArgumentNullException>(() => SessionKitChatClientBuilderExtensions.UseSessionKitTrusted(null!));
    }

    [Test]
    public void Constructor_WithABudgetBelowOne_Throws()
    {
        using var model = new FakeChatClient();
        using var store = new InMemorySessionStore();
        var counter = SharpTokenCounter.Default;

        Assert.Throws<ArgumentOutOfRangeException>(() => _ = SessionKitChatClient.CreateTrusted(model, store, new ContextBuilder(store, counter, new ExtractiveSummarizer(counter)), counter, new SessionKitChatClientOptions { TokenBudget = 0 }));
    }
}
