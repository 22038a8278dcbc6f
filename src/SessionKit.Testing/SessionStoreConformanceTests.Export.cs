using System.Text.Json;
using NUnit.Framework;

namespace SessionKit.Testing;

// Exporting a user's data (GDPR access and portability) in the sessionkit-export/1 format.
public abstract partial class SessionStoreConformanceTests
{
    [Test]
    public async Task Export_WritesEverythingOfTheUserAndNothingOfOthers()
    {
        var alice = await PlantUserAsync("alice", "zebrafinch quokka");
        await PlantUserAsync("bob", "wombat platypus");
        using var buffer = new MemoryStream();

        var result = await Exporter().ExportUserAsync("alice", buffer);

        using var document = JsonDocument.Parse(buffer.ToArray());
        var root = document.RootElement;
        string json = System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result, Is.EqualTo(new UserExportResult { Sessions = 2, Messages = 6, Summaries = 1, Devices = 1, Tokens = 2 }));
            Assert.That(root.GetProperty("format").GetString(), Is.EqualTo(UserDataExporter.Format));
            Assert.That(root.GetProperty("userId").GetString(), Is.EqualTo("alice"));
            Assert.That(root.GetProperty("exportedAt").GetDateTimeOffset(), Is.EqualTo(Time.GetUtcNow()));
            Assert.That(root.GetProperty("sessions").EnumerateArray().Select(s => s.GetProperty("id").GetGuid()), Is.EquivalentTo(alice.Sessions));
            Assert.That(root.GetProperty("sessions").EnumerateArray().Sum(s => s.GetProperty("messages").GetArrayLength()), Is.EqualTo(6));
            Assert.That(root.GetProperty("tokens").EnumerateArray().Select(t => t.GetProperty("tokenId").GetGuid()), Is.EqualTo(alice.Tokens));
            Assert.That(root.GetProperty("devices")[0].GetProperty("deviceId").GetString(), Is.EqualTo("phone"));
            Assert.That(root.GetProperty("counts").GetProperty("messages").GetInt64(), Is.EqualTo(6));
            Assert.That(json, Does.Contain("I keep thinking about zebrafinch quokka today."));
            Assert.That(json, Does.Not.Contain("wombat"));
            Assert.That(json, Does.Not.Contain("secretHash").And.Not.Contain("fingerprintHash"));
        }
    }

    [Test]
    public async Task Export_IncludesTheUsersStateAndTheirSessionsState_ButNotOtherUsersOrAppState()
    {
        var session = await CreateSessionAsync("alice");
        var bobs = await CreateSessionAsync("bob");
        await SharedState.SetStateAsync(StateScope.User, "alice", "favourite", "quokka");
        await SharedState.SetStateAsync(StateScope.User, "alice", "language", "en");
        await SharedState.SetStateAsync(StateScope.Session, session.Id.ToString(), "plan", "visit the zebrafinch", new StateWriteOptions { UpdatedBy = "planner" });
        await SharedState.SetStateAsync(StateScope.Temp, session.Id.ToString(), "draft", "half a thought");
        await SharedState.SetStateAsync(StateScope.User, "bob", "favourite", "wombat");
        await SharedState.SetStateAsync(StateScope.Session, bobs.Id.ToString(), "plan", "platypus");
        await SharedState.SetStateAsync(StateScope.App, null, "motto", "app-wide echidna");
        using var buffer = new MemoryStream();

        var result = await Exporter().ExportUserAsync("alice", buffer);

        using var document = JsonDocument.Parse(buffer.ToArray());
        var root = document.RootElement;
        var exported = root.GetProperty("sessions")[0];
        string json = System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.StateEntries, Is.EqualTo(4));
            Assert.That(root.GetProperty("counts").GetProperty("stateEntries").GetInt64(), Is.EqualTo(4));
            Assert.That(root.GetProperty("state").EnumerateArray().Select(e => (e.GetProperty("key").GetString(), e.GetProperty("value").GetString())), Is.EqualTo(new[] { ("favourite", "quokka"), ("language", "en") }));
            var plan = exported.GetProperty("state").EnumerateArray().Single();
            Assert.That(plan.GetProperty("key").GetString(), Is.EqualTo("plan"));
            Assert.That(plan.GetProperty("value").GetString(), Is.EqualTo("visit the zebrafinch"));
            Assert.That(plan.GetProperty("version").GetInt64(), Is.EqualTo(1));
            Assert.That(plan.GetProperty("updatedBy").GetString(), Is.EqualTo("planner"));
            Assert.That(plan.GetProperty("updatedAt").GetDateTimeOffset(), Is.EqualTo(Time.GetUtcNow()));
            Assert.That(exported.GetProperty("tempState").EnumerateArray().Single().GetProperty("value").GetString(), Is.EqualTo("half a thought"));
            Assert.That(json, Does.Not.Contain("wombat").And.Not.Contain("platypus").And.Not.Contain("echidna"));
        }
    }

    [Test]
    public async Task Export_RoundTripsMessagesExactly()
    {
        var session = await Store.CreateSessionAsync("alice", new SessionCreateOptions { Title = "Ünïcode 🚀", Metadata = new Dictionary<string, string> { ["k"] = "v\"q" } });
        await Store.AppendMessagesAsync(session.Id, [NewMessage.User("line\nbreak \"quoted\" 🚀 </script>"), NewMessage.ToolCall("call-1", "search", "{\"q\":1}"), NewMessage.ToolResult("call-1", "result")]);
        using var buffer = new MemoryStream();

        await Exporter().ExportUserAsync("alice", buffer);

        using var document = JsonDocument.Parse(buffer.ToArray());
        var exported = document.RootElement.GetProperty("sessions")[0];
        var messages = exported.GetProperty("messages");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exported.GetProperty("title").GetString(), Is.EqualTo("Ünïcode 🚀"));
            Assert.That(exported.GetProperty("metadata").GetProperty("k").GetString(), Is.EqualTo("v\"q"));
            Assert.That(messages[0].GetProperty("content").GetString(), Is.EqualTo("line\nbreak \"quoted\" 🚀 </script>"));
            Assert.That(messages[0].GetProperty("role").GetString(), Is.EqualTo("user"));
            Assert.That(messages[1].GetProperty("toolName").GetString(), Is.EqualTo("search"));
            Assert.That(messages[2].GetProperty("role").GetString(), Is.EqualTo("tool"));
            Assert.That(messages.EnumerateArray().Select(m => m.GetProperty("sequence").GetInt64()), Is.EqualTo(new long[] { 1, 2, 3 }));
        }
    }

    [Test]
    public async Task Export_OfUnknownUser_WritesAValidEmptyDocument()
    {
        using var buffer = new MemoryStream();

        var result = await Exporter().ExportUserAsync("nobody", buffer);

        using var document = JsonDocument.Parse(buffer.ToArray());
        Assert.That(result, Is.EqualTo(new UserExportResult()));
        Assert.That(document.RootElement.GetProperty("sessions").GetArrayLength(), Is.Zero);
        Assert.That(document.RootElement.GetProperty("tokens").GetArrayLength(), Is.Zero);
    }

    [Test]
    public async Task Export_StreamsALargeHistoryInSmallWrites()
    {
        var session = await CreateSessionAsync("alice");
        string filler = new('x', 400);
        for (int i = 0; i < 10; i++)
        {
            await Store.AppendMessagesAsync(session.Id, Enumerable.Range(0, 200).Select(n => NewMessage.User($"{i}-{n} {filler}")).ToList());
        }

        using var stream = new WriteRecordingStream();

        var result = await Exporter().ExportUserAsync("alice", stream);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Messages, Is.EqualTo(2000));
            Assert.That(stream.Length, Is.GreaterThan(800_000));
            Assert.That(stream.Writes, Is.GreaterThan(20), "The export must reach the stream while messages are still being read.");
            Assert.That(stream.LargestWrite, Is.LessThan(4 * UserDataExporter.FlushThreshold), "No write may carry more than a few buffers' worth.");
        }

        using var document = JsonDocument.Parse(stream.ToArray());
        Assert.That(document.RootElement.GetProperty("sessions")[0].GetProperty("messages").GetArrayLength(), Is.EqualTo(2000));
    }

    [Test]
    public void Export_WithBadArguments_Throws()
    {
        var exporter = Exporter();
        using var readOnly = new MemoryStream([], writable: false);

        using (Assert.EnterMultipleScope())
        {
            Assert.CatchAsync<ArgumentException>(() => exporter.ExportUserAsync(null!, new MemoryStream()));
            Assert.CatchAsync<ArgumentException>(() => exporter.ExportUserAsync(" ", new MemoryStream()));
            Assert.ThrowsAsync<ArgumentNullException>(() => exporter.ExportUserAsync("alice", null!));
            Assert.ThrowsAsync<ArgumentException>(() => exporter.ExportUserAsync("alice", readOnly));
        }
    }

    [Test]
    public async Task Export_AfterErase_IsEmpty()
    {
        await PlantUserAsync("alice", "quokka");
        await Privacy.EraseUserAsync("alice");
        using var buffer = new MemoryStream();

        var result = await Exporter().ExportUserAsync("alice", buffer);

        Assert.That(result, Is.EqualTo(new UserExportResult()));
    }

    /// <summary>An exporter over the store under test.</summary>
    /// <returns>The exporter.</returns>
    protected IUserDataExporter Exporter() => new UserDataExporter(Store, Privacy, Identity, Time);

    private sealed class WriteRecordingStream : MemoryStream
    {
        public int Writes { get; private set; }

        public int LargestWrite { get; private set; }

        public override void Write(byte[] buffer, int offset, int count) => Record(count, () => base.Write(buffer, offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Writes++;
            LargestWrite = Math.Max(LargestWrite, buffer.Length);
            base.Write(buffer);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Record(count, () => base.Write(buffer, offset, count));
            return Task.CompletedTask;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Writes++;
            LargestWrite = Math.Max(LargestWrite, buffer.Length);
            base.Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        private void Record(int count, Action write)
        {
            Writes++;
            LargestWrite = Math.Max(LargestWrite, count);
            write();
        }
    }
}
