using NUnit.Framework;

namespace SessionKit.Sqlite.Tests;

/// <summary>Rows damaged outside SessionKit: reported as <see cref="SessionDataCorruptedException"/>, never returned as garbage.</summary>
[TestFixture]
internal sealed class SqliteCorruptionTests : SqliteFileFixture
{
    [TestCase("{not json")]
    [TestCase("{\"mood\": 1}")]
    [TestCase("[\"a\", \"b\"]")]
    [TestCase("null")]
    public async Task MessageWithCorruptMetadata_IsReportedWithItsSessionAndSequence_AndOtherReadsWork(string metadata)
    {
        await using var store = Open();
        var damaged = await store.CreateSessionAsync("alice");
        var healthy = await store.CreateSessionAsync("alice");
        await store.AppendMessagesAsync(damaged.Id, [NewMessage.User("one"), NewMessage.Assistant("two"), NewMessage.User("three")]);
        await store.AppendMessagesAsync(healthy.Id, [NewMessage.User("fine")]);
        Execute($"UPDATE messages SET metadata = '{metadata.Replace("'", "''", StringComparison.Ordinal)}' WHERE session_id = {Hex(damaged.Id)} AND sequence = 2;");

        var last = Assert.ThrowsAsync<SessionDataCorruptedException>(() => store.GetLastMessagesAsync(damaged.Id, 10));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(last!.SessionId, Is.EqualTo(damaged.Id));
            Assert.That(last.Sequence, Is.EqualTo(2));
            Assert.That(last.Message, Does.Contain(damaged.Id.ToString()).And.Contain("Message 2").And.Contain("metadata"));
            Assert.That(last, Is.InstanceOf<SessionKitException>());
            Assert.ThrowsAsync<SessionDataCorruptedException>(async () =>
            {
                await foreach (var message in store.ReadAllMessagesAsync(damaged.Id))
                {
                    Assert.That(message.Sequence, Is.EqualTo(1), "only what precedes the damage may come first");
                }
            });
            Assert.That((await store.GetMessagesAsync(damaged.Id, 3, 3)).Single().Content, Is.EqualTo("three"), "the rows around it stay readable");
            Assert.That((await store.GetLastMessagesAsync(healthy.Id, 10)).Single().Content, Is.EqualTo("fine"));
            Assert.That((await store.ListSessionsAsync("alice")).Items, Has.Count.EqualTo(2));
        }
    }

    [Test]
    public async Task MessageWithAnOutOfRangeRole_IsReported_NeverPassedThrough()
    {
        await using var store = Open();
        var session = await store.CreateSessionAsync("alice");
        await store.AppendMessagesAsync(session.Id, [NewMessage.User("one")]);
        Execute("UPDATE messages SET role = 42;");

        var ex = Assert.ThrowsAsync<SessionDataCorruptedException>(() => store.GetMessagesAsync(session.Id, 1, 1));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex!.Sequence, Is.EqualTo(1));
            Assert.That(ex.Message, Does.Contain("role (42)"));
            Assert.ThrowsAsync<SessionDataCorruptedException>(() => store.SearchAsync("alice", new SearchQuery { Text = "one" }));
        }
    }

    [Test]
    public async Task SessionWithCorruptMetadata_IsReportedByItsId_AndLeftOutOfListings_WhileEveryOtherSessionIsListed()
    {
        await using var store = Open();
        var sessions = new List<Guid>();
        for (int i = 0; i < 5; i++)
        {
            Time.Advance(TimeSpan.FromSeconds(1));
            sessions.Add((await store.CreateSessionAsync("alice", new SessionCreateOptions { Title = $"s{i}" })).Id);
        }

        var bobs = await store.CreateSessionAsync("bob");
        var damaged = sessions[2];
        Execute($"UPDATE sessions SET metadata = '{{\"broken' WHERE id = {Hex(damaged)};");

        var ex = Assert.ThrowsAsync<SessionDataCorruptedException>(() => store.GetSessionAsync(damaged));
        var listed = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await store.ListSessionsAsync("alice", new SessionListOptions { PageSize = 1, Cursor = cursor });
            listed.AddRange(page.Items.Select(s => s.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex!.SessionId, Is.EqualTo(damaged));
            Assert.That(ex.Sequence, Is.Null);
            Assert.That(listed, Is.EquivalentTo(sessions.Where(s => s != damaged)), "paging passes over the damaged row");
            Assert.That((await store.ListSessionsAsync("alice", new SessionListOptions { PageSize = 50 })).Items, Has.Count.EqualTo(4));
            Assert.That((await store.ListSessionsAsync("bob")).Items.Single().Id, Is.EqualTo(bobs.Id));
            Assert.That(await store.DeleteSessionAsync(damaged), Is.True, "a damaged session can still be deleted");
        }
    }

    [Test]
    public async Task ScanForTheSweeper_PassesOverACorruptSession_AndReturnsEveryOther()
    {
        await using var store = Open();
        var sessions = new List<Guid>();
        for (int i = 0; i < 5; i++)
        {
            Time.Advance(TimeSpan.FromSeconds(1));
            sessions.Add((await store.CreateSessionAsync($"user-{i}")).Id);
        }

        Execute($"UPDATE sessions SET metadata = 'not json' WHERE id = {Hex(sessions[1])};");
        var scanned = new List<Guid>();
        Guid? after = null;
        while (true)
        {
            var batch = await store.ScanSessionsAsync(after, 2);
            scanned.AddRange(batch.Select(s => s.Id));
            if (batch.Count < 2)
            {
                break;
            }

            after = batch[^1].Id;
        }

        Assert.That(scanned, Is.EqualTo(sessions.Where(s => s != sessions[1])));
    }

    private static string Hex(Guid id) => "X'" + Convert.ToHexString(id.ToByteArray(bigEndian: true)) + "'";

    private void Execute(string sql) => Scalar(sql);
}
