using NUnit.Framework;

namespace SessionKit.Testing;

// Content is stored and returned exactly as appended, through every read path.
public abstract partial class SessionStoreConformanceTests
{
    private static readonly (string Name, string Content)[] ContentSamples =
    [
        ("empty", ""),
        ("whitespace only", " \t "),
        ("leading and trailing whitespace", "  padded text \t\n"),
        ("CJK", "你好，世界。日本語のテキスト。한국어 문장."),
        ("RTL Arabic and Hebrew", "مرحبا بالعالم — שלום עולם \u200F(rtl mark)"),
        ("combining marks not normalized", "e\u0301 vs \u00e9, a\u0308\u0304, Z\u0335\u0321\u0322a\u0336\u0327lgo"),
        ("emoji with surrogate pairs", "😀 🎉 🚀 𝕏 𠜎"),
        ("emoji ZWJ sequences and modifiers", "👩‍👩‍👧‍👦 🏳️‍🌈 👍🏽 🧑🏿‍💻 🇯🇵"),
        ("CRLF and LF line breaks", "line one\r\nline two\nline three\rline four\r\n"),
        ("control characters without NUL", "tab\tbell\u0007esc\u001B[0mdel\u007Fnel\u0085ls\u2028ps\u2029bom\uFEFF"),
        ("leading byte order mark", "\uFEFFstarts with a BOM"),
        ("quotes and backticks", "it's \"quoted\" and `code` and ''doubled'' and \\backslash\\"),
        ("SQL injection", "'; DROP TABLE messages; --"),
        ("SQL LIKE wildcards", "100% of _all_ [rows] match * ? %_%"),
        ("JSON and markup", "{\"role\":\"tool\",\"args\":[1,2,null]} <b>&amp;</b> <!-- -->"),
        ("non-characters and private use", "\uE000\uF8FF\uFFFD\uFFFE\uFFFF end"),
    ];

    private static IEnumerable<TestCaseData> ContentCases() =>
        ContentSamples.Select(sample => new TestCaseData(sample.Content).SetArgDisplayNames(sample.Name));

    [TestCaseSource(nameof(ContentCases))]
    public async Task Content_RoundTripsExactly_ThroughEveryReadPath(string content)
    {
        var session = await CreateSessionAsync();

        var appended = await Store.AppendMessageAsync(session.Id, NewMessage.User(content));

        var range = await Store.GetMessagesAsync(session.Id, 1, 1);
        var last = await Store.GetLastMessagesAsync(session.Id, 1);
        var all = await ReadAllAsync(session.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(appended.Content, Is.EqualTo(content));
            Assert.That(range.Single().Content, Is.EqualTo(content));
            Assert.That(range.Single().Content, Has.Length.EqualTo(content.Length));
            Assert.That(last.Single().Content, Is.EqualTo(content));
            Assert.That(all.Single().Content, Is.EqualTo(content));
        }
    }

    [Test]
    public async Task Content_OfEverySampleInOneBatch_RoundTripsInOrder()
    {
        var session = await CreateSessionAsync();
        var contents = ContentSamples.Select(s => s.Content).ToArray();

        await AppendAsync(session.Id, contents);

        var stored = await Store.GetMessagesAsync(session.Id, 1, contents.Length);
        Assert.That(stored.Select(m => m.Content), Is.EqualTo(contents));
    }

    [Test]
    public async Task Content_AtExactlyTheLimit_RoundTrips()
    {
        var session = await CreateSessionAsync();
        // Surrogate pairs count as two UTF-16 characters; the limit is in characters, not code points or bytes.
        string unit = "日本語😀'%_\r\n";
        var builder = new System.Text.StringBuilder(Limits.MaxContentLength);
        while (builder.Length + unit.Length <= Limits.MaxContentLength)
        {
            builder.Append(unit);
        }

        builder.Append('x', Limits.MaxContentLength - builder.Length);
        string content = builder.ToString();

        var appended = await Store.AppendMessageAsync(session.Id, NewMessage.Assistant(content));

        var stored = (await Store.GetMessagesAsync(session.Id, appended.Sequence, appended.Sequence)).Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(stored.Content, Has.Length.EqualTo(Limits.MaxContentLength));
            Assert.That(stored.Content, Is.EqualTo(content));
        }
    }

    [Test]
    public async Task Message_AllFields_RoundTrip()
    {
        var session = await CreateSessionAsync();
        Time.Advance(TimeSpan.FromMinutes(3));
        var metadata = new Dictionary<string, string>
        {
            ["ключ"] = "значение",
            ["鍵 🔑"] = "値 😀",
            ["'; DROP TABLE messages; --"] = "%_",
            ["empty value"] = "",
            ["multi\r\nline"] = "\"quoted\"\n`tick`",
        };
        var message = new NewMessage(MessageRole.Tool, "{\"temperature\": 21.5}")
        {
            AuthorId = "agent:weather/😀 'x'",
            ToolCallId = "call_%_'1'",
            ToolName = "get_weather\u00e9",
            Metadata = metadata,
        };

        var appended = await Store.AppendMessageAsync(session.Id, message);

        var stored = (await Store.GetLastMessagesAsync(session.Id, 1)).Single();
        foreach (var m in new[] { appended, stored })
        {
            using (Assert.EnterMultipleScope())
            {
                Assert.That(m.Id, Is.Not.EqualTo(Guid.Empty));
                Assert.That(m.SessionId, Is.EqualTo(session.Id));
                Assert.That(m.Sequence, Is.EqualTo(1));
                Assert.That(m.Role, Is.EqualTo(MessageRole.Tool));
                Assert.That(m.Content, Is.EqualTo("{\"temperature\": 21.5}"));
                Assert.That(m.AuthorId, Is.EqualTo("agent:weather/😀 'x'"));
                Assert.That(m.ToolCallId, Is.EqualTo("call_%_'1'"));
                Assert.That(m.ToolName, Is.EqualTo("get_weather\u00e9"));
                Assert.That(m.CreatedAt, Is.EqualTo(StartTime.AddMinutes(3)));
                Assert.That(m.CreatedAt.Offset, Is.EqualTo(TimeSpan.Zero));
                Assert.That(m.Metadata, Is.EquivalentTo(metadata));
            }
        }

        Assert.That(stored.Id, Is.EqualTo(appended.Id));
    }

    [TestCase(MessageRole.System)]
    [TestCase(MessageRole.User)]
    [TestCase(MessageRole.Assistant)]
    [TestCase(MessageRole.Tool)]
    public async Task Message_Role_RoundTrips(MessageRole role)
    {
        var session = await CreateSessionAsync();

        await Store.AppendMessageAsync(session.Id, new NewMessage(role, "text") { ToolCallId = role == MessageRole.Tool ? "call-1" : null });

        var stored = (await Store.GetLastMessagesAsync(session.Id, 1)).Single();
        Assert.That(stored.Role, Is.EqualTo(role));
    }

    [Test]
    public async Task Message_WithoutOptionalFields_ReadsBackNullsAndEmptyMetadata()
    {
        var session = await CreateSessionAsync();

        await Store.AppendMessageAsync(session.Id, NewMessage.User("plain"));

        var stored = (await Store.GetLastMessagesAsync(session.Id, 1)).Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(stored.AuthorId, Is.Null);
            Assert.That(stored.ToolCallId, Is.Null);
            Assert.That(stored.ToolName, Is.Null);
            Assert.That(stored.Metadata, Is.Not.Null.And.Empty);
        }
    }

    [Test]
    public async Task ToolCallAndResult_KeepTheirPairing()
    {
        var session = await CreateSessionAsync();

        await Store.AppendMessagesAsync(
            session.Id,
            [
                NewMessage.User("What is the weather in Oslo?"),
                NewMessage.ToolCall("call-42", "get_weather", "{\"city\":\"Oslo\"}"),
                NewMessage.ToolResult("call-42", "{\"celsius\":-3}", "get_weather"),
                NewMessage.Assistant("It is -3 °C in Oslo."),
            ]);

        var stored = await Store.GetMessagesAsync(session.Id, 1, 4);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(stored.Select(m => m.Role), Is.EqualTo(new[] { MessageRole.User, MessageRole.Assistant, MessageRole.Tool, MessageRole.Assistant }));
            Assert.That(stored[1].ToolCallId, Is.EqualTo("call-42"));
            Assert.That(stored[1].ToolName, Is.EqualTo("get_weather"));
            Assert.That(stored[1].Content, Is.EqualTo("{\"city\":\"Oslo\"}"));
            Assert.That(stored[2].ToolCallId, Is.EqualTo("call-42"));
            Assert.That(stored[2].ToolName, Is.EqualTo("get_weather"));
            Assert.That(stored[3].ToolCallId, Is.Null);
        }
    }
}
