using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace SessionKit.Extensions.AI.Tests;

[TestFixture]
public sealed class ChatMessageConversionTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private InMemorySessionStore _store = null!;
    private Session _session = null!;

    [SetUp]
    public async Task SetUpAsync()
    {
        _store = new InMemorySessionStore(null, new FakeTimeProvider(Start));
        _session = await _store.CreateSessionAsync("ada");
    }

    [TearDown]
    public void TearDown() => _store.Dispose();

    /// <summary>Stores the messages in a real store and reads them back as chat messages.</summary>
    private async Task<IReadOnlyList<ChatMessage>> RoundTripAsync(params ChatMessage[] messages)
    {
        var result = await _store.AppendMessagesAsync(_session.Id, messages.ToNewMessages());
        var stored = await _store.GetMessagesAsync(_session.Id, result.Messages[0].Sequence, result.Messages[^1].Sequence);
        return stored.ToChatMessages();
    }

    [TestCase("system", MessageRole.System)]
    [TestCase("user", MessageRole.User)]
    [TestCase("assistant", MessageRole.Assistant)]
    [TestCase("tool", MessageRole.Tool)]
    public void Roles_MapBothWays(string chatRole, MessageRole role)
    {
        Assert.That(ChatMessageConversion.ToMessageRole(new ChatRole(chatRole)), Is.EqualTo(role));
        Assert.That(ChatMessageConversion.ToChatRole(role), Is.EqualTo(new ChatRole(chatRole)));
    }

    [Test]
    public void ToMessageRole_WithACustomRole_ThrowsArgumentException()
    {
        var error = Assert.Throws<ArgumentException>(() => ChatMessageConversion.ToMessageRole(new ChatRole("developer")));
        Assert.That(error!.Message, Does.Contain("developer"));
    }

    [Test]
    public async Task RoundTrip_TextMessage_KeepsRoleAuthorTextIdTimeAndStringProperties()
    {
        var createdAt = new DateTimeOffset(2025, 12, 24, 18, 30, 0, TimeSpan.FromHours(1));
        var message = new ChatMessage(ChatRole.User, "What did you say about the carbon cycle?")
        {
            AuthorName = "ada",
            MessageId = "msg-1",
            CreatedAt = createdAt,
            AdditionalProperties = new() { ["device"] = "laptop", ["locale"] = "en-GB" },
        };

        var back = (await RoundTripAsync(message)).Single();

        Assert.That(back.Role, Is.EqualTo(ChatRole.User));
        Assert.That(back.AuthorName, Is.EqualTo("ada"));
        Assert.That(back.Text, Is.EqualTo(message.Text));
        Assert.That(back.MessageId, Is.EqualTo("msg-1"));
        Assert.That(back.CreatedAt, Is.EqualTo(createdAt));
        Assert.That(back.CreatedAt!.Value.Offset, Is.EqualTo(TimeSpan.FromHours(1)));
        Assert.That(back.AdditionalProperties, Is.EquivalentTo(message.AdditionalProperties));
    }

    [Test]
    public async Task RoundTrip_WithoutCreatedAt_GivesTheStoredTime()
    {
        var back = (await RoundTripAsync(new ChatMessage(ChatRole.Assistant, "Hello."))).Single();

        Assert.That(back.CreatedAt, Is.EqualTo(Start));
        Assert.That(back.MessageId, Is.Null);
        Assert.That(back.AdditionalProperties, Is.Null);
    }

    [Test]
    public async Task RoundTrip_TextAndTwoFunctionCalls_StoresThreePartsAndRegroupsThemIntoOneMessage()
    {
        var message = new ChatMessage(ChatRole.Assistant,
        [
            new TextContent("Let me check both years."),
            new FunctionCallContent("call-1", "co2_ppm", new Dictionary<string, object?> { ["year"] = 1850, ["station"] = "Law Dome" }),
            new FunctionCallContent("call-2", "co2_ppm", new Dictionary<string, object?> { ["year"] = 2024, ["station"] = null }),
        ]) { MessageId = "m-7" };

        var parts = message.ToNewMessages();
        var back = (await RoundTripAsync(message)).Single();

        Assert.That(parts.Select(p => (p.Role, p.ToolCallId, p.ToolName)), Is.EqualTo(new (MessageRole, string?, string?)[]
        {
            (MessageRole.Assistant, null, null), (MessageRole.Assistant, "call-1", "co2_ppm"), (MessageRole.Assistant, "call-2", "co2_ppm"),
        }));
        Assert.That(parts.Select(p => p.Metadata![ChatMessageMetadataKeys.Part]), Is.EqualTo(new[] { "0/3", "1/3", "2/3" }));
        Assert.That(back.MessageId, Is.EqualTo("m-7"));
        Assert.That(back.Contents, Has.Count.EqualTo(3));
        Assert.That(back.Text, Is.EqualTo("Let me check both years."));
        var calls = back.Contents.OfType<FunctionCallContent>().ToList();
        Assert.That(calls.Select(c => (c.CallId, c.Name)), Is.EqualTo(new[] { ("call-1", "co2_ppm"), ("call-2", "co2_ppm") }));
        Assert.That(Json(calls[0].Arguments), Is.EqualTo("""{"year":1850,"station":"Law Dome"}"""));
        Assert.That(Json(calls[1].Arguments), Is.EqualTo("""{"year":2024,"station":null}"""));
    }

    [Test]
    public async Task RoundTrip_FunctionResults_KeepCallIdsAndStringJsonAndNullResults()
    {
        var message = new ChatMessage(ChatRole.Tool,
        [
            new FunctionResultContent("call-1", "285 ppm"),
            new FunctionResultContent("call-2", new Dictionary<string, object?> { ["ppm"] = 422.8, ["year"] = 2024 }),
            new FunctionResultContent("call-3", null),
        ]);

        var back = (await RoundTripAsync(message)).Single();

        var results = back.Contents.Cast<FunctionResultContent>().ToList();
        Assert.That(back.Role, Is.EqualTo(ChatRole.Tool));
        Assert.That(results.Select(r => r.CallId), Is.EqualTo(new[] { "call-1", "call-2", "call-3" }));
        Assert.That(results[0].Result, Is.EqualTo("285 ppm"));
        Assert.That(Json(results[1].Result), Is.EqualTo("""{"ppm":422.8,"year":2024}"""));
        Assert.That(results[2].Result, Is.Null);
    }

    [Test]
    public async Task RoundTrip_FunctionCallWithoutArguments_ComesBackWithoutArguments()
    {
        var back = (await RoundTripAsync(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call-9", "now")]))).Single();

        var call = (FunctionCallContent)back.Contents.Single();
        Assert.That((call.CallId, call.Name, call.Arguments), Is.EqualTo(("call-9", "now", (IDictionary<string, object?>?)null)));
    }

    [Test]
    public async Task RoundTrip_NonStringAndReservedProperties_ComeBackAsJsonElements()
    {
        var message = new ChatMessage(ChatRole.User, "Hi")
        {
            AdditionalProperties = new() { ["turn"] = 3, ["flags"] = new[] { "a", "b" }, ["none"] = null, ["sessionkit.part"] = "mine", ["plain"] = "text" },
        };

        var back = (await RoundTripAsync(message)).Single();

        var properties = back.AdditionalProperties!;
        Assert.That(properties.Keys, Is.EquivalentTo(new[] { "turn", "flags", "none", "sessionkit.part", "plain" }));
        Assert.That(properties["plain"], Is.EqualTo("text"));
        Assert.That(Json(properties["sessionkit.part"]), Is.EqualTo("\"mine\""), "a reserved key is kept, as JSON");
        Assert.That(Json(properties["turn"]), Is.EqualTo("3"));
        Assert.That(Json(properties["flags"]), Is.EqualTo("""["a","b"]"""));
        Assert.That(properties["none"], Is.Null);
    }

    [Test]
    public async Task RoundTrip_OtherContents_AreKeptAsJsonWithTheirType()
    {
        var message = new ChatMessage(ChatRole.User,
        [
            new TextContent("What is in this chart?"),
            new DataContent(new byte[] { 1, 2, 3, 4 }, "image/png"),
            new UriContent(new Uri("https://example.org/chart.png"), "image/png"),
        ]);

        var back = (await RoundTripAsync(message)).Single();

        Assert.That(back.Contents.Select(c => c.GetType()), Is.EqualTo(new[] { typeof(TextContent), typeof(DataContent), typeof(UriContent) }));
        var data = (DataContent)back.Contents[1];
        Assert.That(data.Data.ToArray(), Is.EqualTo(new byte[] { 1, 2, 3, 4 }));
        Assert.That(data.MediaType, Is.EqualTo("image/png"));
        Assert.That(((UriContent)back.Contents[2]).Uri, Is.EqualTo(new Uri("https://example.org/chart.png")));
    }

    [Test]
    public async Task RoundTrip_EmptyMessage_StaysEmpty()
    {
        var back = (await RoundTripAsync(new ChatMessage(ChatRole.Assistant, (string?)null))).Single();

        Assert.That(back.Role, Is.EqualTo(ChatRole.Assistant));
        Assert.That(back.Text, Is.Empty);
    }

    [Test]
    public async Task RoundTrip_SeveralMessages_KeepTheirBoundaries()
    {
        var messages = new[]
        {
            new ChatMessage(ChatRole.User, "Compare 1850 and 2024."),
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "co2", new Dictionary<string, object?> { ["y"] = 1850 }), new FunctionCallContent("c2", "co2", new Dictionary<string, object?> { ["y"] = 2024 })]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c1", "285"), new FunctionResultContent("c2", "422")]),
            new ChatMessage(ChatRole.Assistant, "It rose by 137 ppm."),
        };

        var back = await RoundTripAsync(messages);

        Assert.That(back.Select(m => (m.Role, m.Contents.Count)), Is.EqualTo(new[] { (ChatRole.User, 1), (ChatRole.Assistant, 2), (ChatRole.Tool, 2), (ChatRole.Assistant, 1) }));
    }

    [Test]
    public void ToChatMessages_WithAnIncompleteGroup_KeepsEachPartAsItsOwnMessage()
    {
        var parts = new ChatMessage(ChatRole.Assistant, [new TextContent("a"), new TextContent("b"), new TextContent("c")]).ToNewMessages();
        var stored = parts.Skip(1).Select((p, i) => Stored(p, i + 2)).ToList();

        var back = stored.ToChatMessages();

        Assert.That(back.Select(m => m.Text), Is.EqualTo(new[] { "b", "c" }));
    }

    [Test]
    public void ToChatMessage_OfAPlainToolCallAppendedDirectly_MakesAFunctionCall()
    {
        var back = Stored(NewMessage.ToolCall("call-1", "search", """{"query":"carbon"}"""), 1).ToChatMessage();

        var call = (FunctionCallContent)back.Contents.Single();
        Assert.That(call.CallId, Is.EqualTo("call-1"));
        Assert.That(Json(call.Arguments), Is.EqualTo("""{"query":"carbon"}"""));
    }

    [Test]
    public void ToNewMessages_WithNull_ThrowsArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => ((ChatMessage)null!).ToNewMessages());
        Assert.Throws<ArgumentNullException>(() => ((IEnumerable<SessionMessage>)null!).ToChatMessages());
    }

    private SessionMessage Stored(NewMessage message, long sequence) => new()
    {
        Id = Guid.CreateVersion7(),
        SessionId = _session.Id,
        Sequence = sequence,
        Role = message.Role,
        Content = message.Content,
        AuthorId = message.AuthorId,
        ToolCallId = message.ToolCallId,
        ToolName = message.ToolName,
        CreatedAt = Start,
        Metadata = message.Metadata ?? new Dictionary<string, string>(),
    };

    private static readonly JsonSerializerOptions Compact = new(AIJsonUtilities.DefaultOptions) { WriteIndented = false };

    private static string Json(object? value) => JsonSerializer.Serialize(value, Compact);
}
