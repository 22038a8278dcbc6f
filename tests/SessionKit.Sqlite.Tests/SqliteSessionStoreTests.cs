using NUnit.Framework;
using Microsoft.Data.Sqlite;

namespace SessionKit.Sqlite.Tests;

[TestFixture]
internal sealed class SqliteSessionStoreTests : SqliteFileFixture
{
    [Test]
    public async Task Data_SurvivesReopeningTheFile()
    {
        Guid sessionId;
        await using (var store = Open())
        {
            var session = await store.CreateSessionAsync("ada", new SessionCreateOptions { Title = "Climate" });
            sessionId = session.Id;
            await store.AppendMessagesAsync(sessionId, [NewMessage.User("carbon cycle?"), NewMessage.Assistant("Carbon moves between reservoirs.")]);
        }

        await using (var reopened = Open())
        {
            var session = await reopened.GetSessionAsync(sessionId);
            Assert.That(session.Title, Is.EqualTo("Climate"));
            Assert.That(session.Version, Is.EqualTo(2));
            Assert.That(session.LastSequence, Is.EqualTo(2));
            var messages = await reopened.GetLastMessagesAsync(sessionId, 10);
            Assert.That(messages.Select(m => m.Content), Is.EqualTo(new[] { "carbon cycle?", "Carbon moves between reservoirs." }));

            var next = await reopened.AppendMessageAsync(sessionId, NewMessage.User("and the oceans?"));
            Assert.That(next.Sequence, Is.EqualTo(3));
        }
    }

    [Test]
    public async Task Open_OnAFileThatIsNotSqlite_ThrowsSqliteDatabaseFileException_NamingTheFile_AndLeavesItUnchanged()
    {
        byte[] content = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("This is a text file, not a database. ", 200)));
        await File.WriteAllBytesAsync(Db.FilePath, content);
        await using var store = Open();

        var ex = Assert.ThrowsAsync<SqliteDatabaseFileException>(() => store.CreateSessionAsync("ada"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex, Is.InstanceOf<SessionKitException>());
            Assert.That(ex?.DataSource, Is.EqualTo(store.DataSource));
            Assert.That(ex?.Message, Does.Contain(store.DataSource).And.Contain("not a SQLite database").And.Contain("ConnectionString"));
            Assert.That(ex?.InnerException, Is.InstanceOf<SqliteException>());
            Assert.That(await File.ReadAllBytesAsync(Db.FilePath), Is.EqualTo(content));
        }
    }

    [Test]
    public async Task ContextSnapshot_AfterAnotherInstanceRewritesTheSession_HoldsTheRowsAsTheyAreNow()
    {
        // The snapshot reuses what this instance read before when the session's version says nothing changed: writes by
        // another instance (another process) on the same file must still show, whatever they were.
        await using var reader = Open();
        await using var writer = Open();
        var session = await reader.CreateSessionAsync("ada");
        await reader.AppendMessagesAsync(session.Id, [NewMessage.User("q1"), NewMessage.Assistant("a1"), NewMessage.User("q2"), NewMessage.Assistant("a2")]);
        await reader.SaveSummaryAsync(session.Id, new NewSummary(1, 2, 1, "first take", "t"));
        var before = await reader.ReadContextSnapshotAsync(session.Id, 4000);

        await writer.AppendMessageAsync(session.Id, NewMessage.User("q3"));
        var appended = await reader.ReadContextSnapshotAsync(session.Id, 4000);
        await writer.InvalidateSummariesAsync(session.Id, 1);
        await writer.SaveSummaryAsync(session.Id, new NewSummary(1, 2, 1, "second take", "t"));
        var redone = await reader.ReadContextSnapshotAsync(session.Id, 4000);
        await writer.EditMessageAsync(session.Id, 4, "a2 corrected");
        var edited = await reader.ReadContextSnapshotAsync(session.Id, 4000);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(before.NewestMessages.Select(m => m.Content), Is.EqualTo(new[] { "a2", "q2", "a1", "q1" }));
            Assert.That(appended.NewestMessages.Select(m => m.Content), Is.EqualTo(new[] { "q3", "a2", "q2", "a1", "q1" }));
            Assert.That(appended.SummaryLevels[0].Summaries.Select(s => s.Content), Is.EqualTo(new[] { "first take" }));
            Assert.That(redone.SummaryLevels[0].Summaries.Select(s => s.Content), Is.EqualTo(new[] { "second take" }));
            Assert.That(edited.NewestMessages.Select(m => m.Content), Is.EqualTo(new[] { "q3", "a2 corrected", "q2", "a1", "q1" }));
        }
    }

    [Test]
    public async Task SecondStoreInstance_OnTheSameFile_SeesTheSameData()
    {
        await using var first = Open();
        await using var second = Open();
        var session = await first.CreateSessionAsync("ada");
        await first.AppendMessageAsync(session.Id, NewMessage.User("written by the first instance"));

        var seen = await second.GetLastMessagesAsync(session.Id, 5);
        Assert.That(seen.Single().Content, Is.EqualTo("written by the first instance"));

        await second.AppendMessageAsync(session.Id, NewMessage.Assistant("written by the second instance"));
        Assert.That(await first.CountMessagesAsync(session.Id), Is.EqualTo(2));
        var page = await first.ListSessionsAsync("ada");
        Assert.That(page.Items.Single().Version, Is.EqualTo(3));
    }

    [Test]
    public async Task ConcurrentAppends_FromTwoStoreInstances_KeepSequencesDense()
    {
        await using var first = Open();
        await using var second = Open();
        var session = await first.CreateSessionAsync("ada");
        const int PerWriter = 200;

        async Task Write(ISessionStore store, string name)
        {
            for (int i = 0; i < PerWriter; i++)
            {
                await store.AppendMessageAsync(session.Id, NewMessage.User($"{name}-{i}"));
            }
        }

        await Task.WhenAll(Task.Run(() => Write(first, "a")), Task.Run(() => Write(second, "b")), Task.Run(() => Write(first, "c")));

        var all = new List<SessionMessage>();
        await foreach (var message in second.ReadAllMessagesAsync(session.Id))
        {
            all.Add(message);
        }

        Assert.That(all.Select(m => m.Sequence), Is.EqualTo(Enumerable.Range(1, 3 * PerWriter).Select(i => (long)i)));
        Assert.That(all.Select(m => m.Content).Distinct().Count(), Is.EqualTo(3 * PerWriter));
        foreach (var writer in new[] { "a", "b", "c" })
        {
            var own = all.Where(m => m.Content.StartsWith(writer + "-", StringComparison.Ordinal)).Select(m => m.Content);
            Assert.That(own, Is.EqualTo(Enumerable.Range(0, PerWriter).Select(i => $"{writer}-{i}")), $"writer {writer} kept its order");
        }
    }

    [Test]
    public async Task Open_PutsTheDatabaseInWalMode_AndRecordsTheSchemaVersion()
    {
        await using (var store = Open())
        {
            await store.InitializeAsync();
        }

        using var raw = new SqliteConnection($"Data Source={Db.FilePath};Pooling=False");
        raw.Open();
        using var command = raw.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.That(command.ExecuteScalar(), Is.EqualTo("wal"));
        command.CommandText = "PRAGMA user_version;";
        Assert.That(command.ExecuteScalar(), Is.EqualTo(SqliteSchema.CurrentVersion));
    }

    [Test]
    public async Task Open_ADatabaseWithANewerSchema_FailsClearly_AndLeavesItUntouched()
    {
        using (var raw = new SqliteConnection($"Data Source={Db.FilePath};Pooling=False"))
        {
            raw.Open();
            using var command = raw.CreateCommand();
            command.CommandText = "CREATE TABLE future (x); PRAGMA user_version = 99;";
            command.ExecuteNonQuery();
        }

        await using var store = Open();
        var ex = Assert.ThrowsAsync<SessionKitException>(() => store.CreateSessionAsync("ada"));
        Assert.That(ex!.Message, Does.Contain("99").And.Contain("newer"));

        using var check = new SqliteConnection($"Data Source={Db.FilePath};Pooling=False");
        check.Open();
        using var query = check.CreateCommand();
        query.CommandText = "SELECT count(*) FROM sqlite_master WHERE name = 'sessions';";
        Assert.That(query.ExecuteScalar(), Is.EqualTo(0L), "no table of ours was created in a newer database");
    }

    [Test]
    public async Task AFailureInsideTheTransaction_RollsBackTheWholeBatch()
    {
        await using var store = Open();
        var session = await store.CreateSessionAsync("ada");
        await store.AppendMessageAsync(session.Id, NewMessage.User("before"));

        // A trigger makes the database itself reject the second message of the batch, after the first was inserted.
        using (var raw = new SqliteConnection($"Data Source={Db.FilePath};Pooling=False"))
        {
            raw.Open();
            using var command = raw.CreateCommand();
            command.CommandText = "CREATE TRIGGER reject_boom BEFORE INSERT ON messages WHEN NEW.content = 'boom' BEGIN SELECT RAISE(ABORT, 'rejected by test trigger'); END;";
            command.ExecuteNonQuery();
        }

        Assert.ThrowsAsync<SqliteException>(() => store.AppendMessagesAsync(session.Id, [NewMessage.User("first"), NewMessage.User("boom")]));

        var after = await store.GetSessionAsync(session.Id);
        Assert.That(after.Version, Is.EqualTo(2), "version unchanged");
        Assert.That(after.LastSequence, Is.EqualTo(1));
        Assert.That((await store.GetLastMessagesAsync(session.Id, 10)).Select(m => m.Content), Is.EqualTo(new[] { "before" }));

        var next = await store.AppendMessageAsync(session.Id, NewMessage.User("after"));
        Assert.That(next.Sequence, Is.EqualTo(2), "the failed batch consumed no sequence numbers");
    }

    [Test]
    public async Task SqlMetacharacters_InIdsAndContent_AreStoredLiterally()
    {
        await using var store = Open();
        const string Hostile = "x'); DROP TABLE sessions; --";
        var session = await store.CreateSessionAsync(Hostile, new SessionCreateOptions { Title = Hostile, Metadata = new Dictionary<string, string> { [Hostile] = Hostile } });
        await store.AppendMessageAsync(session.Id, new NewMessage(MessageRole.User, Hostile) { AuthorId = Hostile });

        var page = await store.ListSessionsAsync(Hostile);
        Assert.That(page.Items.Single().Title, Is.EqualTo(Hostile));
        Assert.That(page.Items.Single().Metadata[Hostile], Is.EqualTo(Hostile));
        var message = (await store.GetLastMessagesAsync(session.Id, 1)).Single();
        Assert.That(message.Content, Is.EqualTo(Hostile));
        Assert.That(message.AuthorId, Is.EqualTo(Hostile));
    }

    [Test]
    public async Task ABarePath_IsAcceptedAsConnectionString_AndMissingFoldersAreCreated()
    {
        string path = Path.Combine(Db.Folder, "nested", "deeper", "bare.db");
        await using (var store = new SqliteSessionStore(path, Time))
        {
            Assert.That(store.DataSource, Is.EqualTo(path));
            await store.CreateSessionAsync("ada");
        }

        Assert.That(File.Exists(path), Is.True);
    }

    [TestCase("", "ConnectionString")]
    [TestCase("   ", "ConnectionString")]
    [TestCase("Data Source=:memory:", "ConnectionString")]
    [TestCase("Data Source=x.db;NoSuchKeyword=1", "ConnectionString")]
    public void InvalidConnectionString_IsRejectedNamingTheSetting(string connectionString, string setting)
    {
        var ex = Assert.Throws<ArgumentException>(() => _ = new SqliteSessionStore(new SqliteSessionStoreOptions { ConnectionString = connectionString }));
        Assert.That(ex!.Message, Does.Contain($"SqliteSessionStoreOptions.{setting}"));
    }

    [Test]
    public void InvalidTimeoutsAndModes_AreRejectedNamingTheSetting()
    {
        var negative = Assert.Throws<ArgumentException>(() => _ = new SqliteSessionStore(new SqliteSessionStoreOptions { ConnectionString = Db.ConnectionString, BusyTimeout = TimeSpan.FromSeconds(-1) }));
        Assert.That(negative!.Message, Does.Contain("SqliteSessionStoreOptions.BusyTimeout"));

        var mode = Assert.Throws<ArgumentException>(() => _ = new SqliteSessionStore(new SqliteSessionStoreOptions { ConnectionString = Db.ConnectionString, Synchronous = (SqliteSynchronousMode)42 }));
        Assert.That(mode!.Message, Does.Contain("SqliteSessionStoreOptions.Synchronous"));

        var readers = Assert.Throws<ArgumentException>(() => _ = new SqliteSessionStore(new SqliteSessionStoreOptions { ConnectionString = Db.ConnectionString, MaxIdleReadConnections = -1 }));
        Assert.That(readers!.Message, Does.Contain("SqliteSessionStoreOptions.MaxIdleReadConnections"));
    }

    [Test]
    public async Task OptionsObject_IsCopied_SoLaterChangesHaveNoEffect()
    {
        var options = new SqliteSessionStoreOptions { ConnectionString = Db.ConnectionString };
        await using var store = new SqliteSessionStore(options, null, Time);
        options.ConnectionString = "Data Source=:memory:";
        await store.CreateSessionAsync("ada");
        Assert.That(File.Exists(Db.FilePath), Is.True);
    }

    [Test]
    public async Task Delete_RemovesTheMessageRowsFromTheFile()
    {
        await using var store = Open();
        var keep = await store.CreateSessionAsync("ada");
        var drop = await store.CreateSessionAsync("ada");
        await store.AppendMessagesAsync(keep.Id, [NewMessage.User("keep me")]);
        await store.AppendMessagesAsync(drop.Id, [NewMessage.User("drop me"), NewMessage.Assistant("me too")]);

        Assert.That(await store.DeleteSessionAsync(drop.Id), Is.True);

        using var raw = new SqliteConnection($"Data Source={Db.FilePath};Pooling=False");
        raw.Open();
        using var command = raw.CreateCommand();
        command.CommandText = "SELECT count(*) FROM messages;";
        Assert.That(command.ExecuteScalar(), Is.EqualTo(1L));
    }
}
