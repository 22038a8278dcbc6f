using NUnit.Framework;
using SessionKit.Storage;

namespace SessionKit.Testing;

// Every message is counted once, at append, with the store's counter; the count and its encoding are stored with it.
// The fixture passes no counter, so stores count with SharpTokenCounter.Default (o200k_base).
public abstract partial class SessionStoreConformanceTests
{
    private const string DefaultEncoding = "o200k_base";

    private static SharpTokenCounter DefaultCounter => SharpTokenCounter.Default;

    /// <summary>A batch with every role, an author, a tool call and its result, non-ASCII text and metadata.</summary>
    private static List<NewMessage> MixedBatch() =>
    [
        NewMessage.System("You are a careful assistant. Answer in one paragraph."),
        NewMessage.User("What's the weather in Zürich tomorrow? 🌦️") with { AuthorId = "alice-phone" },
        NewMessage.ToolCall("call_7Hq2bX9", "get_weather", """{"city":"Zürich","day":"tomorrow"}"""),
        NewMessage.ToolResult("call_7Hq2bX9", """{"forecast":"rain","high_c":11,"low_c":4}""", "get_weather"),
        NewMessage.Assistant("Tomorrow in Zürich: rain, between 4 °C and 11 °C. 明天苏黎世有雨。") with
        {
            Metadata = new Dictionary<string, string> { ["model"] = "gpt-4o", ["note"] = "metadata is not part of the prompt" },
        },
    ];

    private static (long Sequence, int TokenCount, string? TokenEncoding)[] Counts(IEnumerable<SessionMessage> messages) =>
        messages.Select(m => (m.Sequence, m.TokenCount, m.TokenEncoding)).ToArray();

    [Test]
    public async Task Append_CountsEveryMessage_WithTheStoresCounterAndEncoding()
    {
        var session = await CreateSessionAsync();

        var result = await Store.AppendMessagesAsync(session.Id, MixedBatch());

        using (Assert.EnterMultipleScope())
        {
            if (Store is SessionStore store)
            {
                Assert.That(store.TokenCounter.EncodingName, Is.EqualTo(DefaultEncoding), "a store created without a counter uses SharpTokenCounter.Default");
            }

            foreach (var message in result.Messages)
            {
                Assert.That(message.TokenEncoding, Is.EqualTo(DefaultEncoding), $"message {message.Sequence}");
                Assert.That(message.TokenCount, Is.GreaterThan(0), $"message {message.Sequence}");
                Assert.That(message.TokenCount, Is.EqualTo(TokenCounting.CountMessage(DefaultCounter, message)), $"message {message.Sequence}");
            }
        }
    }

    [Test]
    public async Task Append_CountsEachMessageOnItsOwn_NotTheBatch()
    {
        var session = await CreateSessionAsync();

        var result = await AppendAsync(session.Id, "hi", "Could you explain, step by step, how a hash join differs from a nested loop join?");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Messages[0].TokenCount, Is.EqualTo(DefaultCounter.CountMessageTokens(MessageRole.User, "hi")));
            Assert.That(
                result.Messages[1].TokenCount,
                Is.EqualTo(DefaultCounter.CountMessageTokens(MessageRole.User, "Could you explain, step by step, how a hash join differs from a nested loop join?")));
            Assert.That(result.Messages[1].TokenCount, Is.GreaterThan(result.Messages[0].TokenCount));
        }
    }

    [Test]
    public async Task TokenCounts_RoundTripThroughEveryRead()
    {
        var session = await CreateSessionAsync();
        var appended = (await Store.AppendMessagesAsync(session.Id, MixedBatch())).Messages;
        var expected = Counts(appended);

        var last = await Store.GetLastMessagesAsync(session.Id, 100);
        var range = await Store.GetMessagesAsync(session.Id, 1, 100);
        var all = await ReadAllAsync(session.Id);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(expected.Select(c => c.TokenCount), Is.All.GreaterThan(0));
            Assert.That(Counts(last), Is.EqualTo(expected), nameof(ISessionStore.GetLastMessagesAsync));
            Assert.That(Counts(range), Is.EqualTo(expected), nameof(ISessionStore.GetMessagesAsync));
            Assert.That(Counts(all), Is.EqualTo(expected), nameof(ISessionStore.ReadAllMessagesAsync));
            Assert.That(Counts(await Store.GetMessagesAsync(session.Id, 3, 4)), Is.EqualTo(expected[2..4]), "a partial range");
        }
    }

    [Test]
    public async Task TokenCounts_OfLaterAppends_AreIndependentOfEarlierOnes()
    {
        var session = await CreateSessionAsync();
        await AppendNumberedAsync(session.Id, 3);

        var later = await Store.AppendMessageAsync(session.Id, NewMessage.Assistant("m4"));
        var reread = (await Store.GetMessagesAsync(session.Id, 1, 4)).ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(later.TokenCount, Is.EqualTo(DefaultCounter.CountMessageTokens(MessageRole.Assistant, "m4")));
            foreach (var message in reread)
            {
                Assert.That(message.TokenCount, Is.EqualTo(TokenCounting.CountMessage(DefaultCounter, message)), $"message {message.Sequence}");
                Assert.That(message.TokenEncoding, Is.EqualTo(DefaultEncoding), $"message {message.Sequence}");
            }
        }
    }

    [Test]
    public async Task EmptyContent_StillCostsTheChatFormatOverhead()
    {
        var session = await CreateSessionAsync();

        var message = await Store.AppendMessageAsync(session.Id, NewMessage.User(string.Empty));
        var reread = (await Store.GetLastMessagesAsync(session.Id, 1)).Single();

        using (Assert.EnterMultipleScope())
        {
            // 3 framing tokens (<|start|>, <|message|>, <|end|>) plus 1 for the role "user".
            Assert.That(message.TokenCount, Is.EqualTo(4));
            Assert.That(message.TokenCount, Is.EqualTo(TokenCounting.CountMessage(DefaultCounter, message)));
            Assert.That(message.TokenEncoding, Is.EqualTo(DefaultEncoding));
            Assert.That(reread.Content, Is.Empty);
            Assert.That(reread.TokenCount, Is.EqualTo(4));
            Assert.That(reread.TokenEncoding, Is.EqualTo(DefaultEncoding));
        }
    }

    [Test]
    public async Task AuthorId_IsCountedAsTheMessageName()
    {
        var session = await CreateSessionAsync();
        const string content = "Please summarize the meeting notes.";

        var result = await Store.AppendMessagesAsync(session.Id, [NewMessage.User(content), NewMessage.User(content) with { AuthorId = "bob_laptop" }]);

        int anonymous = result.Messages[0].TokenCount;
        int named = result.Messages[1].TokenCount;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(anonymous, Is.EqualTo(DefaultCounter.CountMessageTokens(MessageRole.User, content)));
            Assert.That(named, Is.EqualTo(anonymous + DefaultCounter.CountTokens("bob_laptop") + 1), "a name costs its tokens plus one");
        }
    }

    [Test]
    public async Task ToolMessages_CountTheirToolCallIdAndToolName()
    {
        var session = await CreateSessionAsync();
        const string callId = "call_9f8e7d6c5b4a3210";
        const string tool = "search_knowledge_base";
        const string arguments = """{"query":"refund policy","top_k":3}""";
        const string output = """{"hits":["Refunds within 30 days.","Keep the receipt."]}""";

        var result = await Store.AppendMessagesAsync(
            session.Id,
            [NewMessage.ToolCall(callId, tool, arguments), NewMessage.ToolResult(callId, output, tool), NewMessage.ToolResult(callId, output)]);
        var reread = await Store.GetMessagesAsync(session.Id, 1, 3);

        int idTokens = DefaultCounter.CountTokens(callId);
        int nameTokens = DefaultCounter.CountTokens(tool);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(idTokens, Is.GreaterThan(0));
            Assert.That(nameTokens, Is.GreaterThan(0));
            Assert.That(result.Messages[0].TokenCount, Is.EqualTo(DefaultCounter.CountMessageTokens(MessageRole.Assistant, arguments) + idTokens + nameTokens), "tool call");
            Assert.That(result.Messages[1].TokenCount, Is.EqualTo(DefaultCounter.CountMessageTokens(MessageRole.Tool, output) + idTokens + nameTokens), "tool result with name");
            Assert.That(result.Messages[2].TokenCount, Is.EqualTo(DefaultCounter.CountMessageTokens(MessageRole.Tool, output) + idTokens), "tool result without name");
            Assert.That(Counts(reread), Is.EqualTo(Counts(result.Messages)), "read back");
        }
    }

    [Test]
    public async Task TokenCount_OfTheLargestMessage_MatchesAnIndependentCount()
    {
        var session = await CreateSessionAsync();
        var words = Enumerable.Range(0, Limits.MaxContentLength).Select(i => "lorem ipsum dolor sit amet "[i % 27]);
        string content = string.Concat(words);

        var message = await Store.AppendMessageAsync(session.Id, NewMessage.User(content));
        var reread = (await Store.GetLastMessagesAsync(session.Id, 1)).Single();

        int expected = DefaultCounter.CountMessageTokens(MessageRole.User, content);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(content, Has.Length.EqualTo(Limits.MaxContentLength));
            Assert.That(message.TokenCount, Is.EqualTo(expected));
            Assert.That(reread.TokenCount, Is.EqualTo(expected));
        }
    }
}
