using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace SessionKit.Sqlite.Tests;

/// <summary>What only a file-backed store can show about idempotency, corrections and their schema: durability and migration.</summary>
[TestFixture]
public sealed class SqliteConcurrencyTests
{
    /// <summary>SQL that turns a current database back into one without the concurrency-and-correction migration.</summary>
    internal const string UndoConcurrencyMigration =
        "DROP TABLE message_revisions; DROP TABLE idempotency_keys; ALTER TABLE messages DROP COLUMN revision; " +
        "ALTER TABLE sessions DROP COLUMN forked_from; ALTER TABLE sessions DROP COLUMN forked_at;";

    private TempDatabase _db = null!;
    private FakeTimeProvider _time = null!;

    [SetUp]
    public void SetUp()
    {
        _db = new TempDatabase();
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    }

    [TearDown]
    public void TearDown() => _db.Dispose();

    private SqliteSessionStore Open() => new(new SqliteSessionStoreOptions { ConnectionString = _db.ConnectionString }, null, _time);

    private object? Scalar(string sql)
    {
        using var connection = new SqliteConnection($"{_db.ConnectionString};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    [Test]
    public async Task IdempotencyKeys_SurviveReopeningTheFile()
    {
        Guid sessionId;
        AppendResult first;
        await using (var store = Open())
        {
            sessionId = (await store.CreateSessionAsync("ada")).Id;
            first = await store.AppendMessagesAsync(sessionId, [NewMessage.User("hello")], new AppendOptions { IdempotencyKey = "req-7" });
        }

        await using (var reopened = Open())
        {
            var retry = await reopened.AppendMessagesAsync(sessionId, [NewMessage.User("hello")], new AppendOptions { IdempotencyKey = "req-7" });
            using (Assert.EnterMultipleScope())
            {
                Assert.That(retry.IsReplay, Is.True);
                Assert.That(retry.Messages.Single().Id, Is.EqualTo(first.Messages.Single().Id));
                Assert.That(await reopened.CountMessagesAsync(sessionId), Is.EqualTo(1));
            }
        }
    }

    [Test]
    public async Task RevisionsAndForkLinks_SurviveReopeningTheFile()
    {
        Guid sessionId;
        Guid forkId;
        await using (var store = Open())
        {
            sessionId = (await store.CreateSessionAsync("ada")).Id;
            await store.AppendMessagesAsync(sessionId, [NewMessage.User("draft")]);
            await store.EditMessageAsync(sessionId, 1, "final", new CorrectionOptions { AuthorId = "editor" });
            forkId = (await store.ForkSessionAsync(sessionId, 1)).Id;
        }

        await using (var reopened = Open())
        {
            var revisions = await reopened.GetMessageRevisionsAsync(sessionId, 1);
            var fork = await reopened.GetSessionAsync(forkId);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(revisions.Select(r => (r.Content, r.ReplacedBy)), Is.EqualTo(new[] { ("draft", (string?)"editor") }));
                Assert.That((await reopened.GetMessagesAsync(sessionId, 1, 1)).Single().Revision, Is.EqualTo(2));
                Assert.That((fork.ForkedFromSessionId, fork.ForkedAtSequence), Is.EqualTo(((Guid?)sessionId, (long?)1)));
            }
        }
    }

    [Test]
    public async Task ADatabaseWithoutTheMigration_IsMigratedKeepingItsMessagesAtRevision1()
    {
        Guid sessionId;
        await using (var store = Open())
        {
            sessionId = (await store.CreateSessionAsync("ada")).Id;
            await store.AppendMessagesAsync(sessionId, [NewMessage.User("before")]);
        }

        Scalar(UndoConcurrencyMigration + $" PRAGMA user_version = {SqliteSchema.CurrentVersion - 1};");

        await using (var reopened = Open())
        {
            var message = (await reopened.GetMessagesAsync(sessionId, 1, 1)).Single();
            using (Assert.EnterMultipleScope())
            {
                Assert.That(Scalar("PRAGMA user_version;"), Is.EqualTo((long)SqliteSchema.CurrentVersion));
                Assert.That((message.Content, message.Revision), Is.EqualTo(("before", 1)));
                Assert.That((await reopened.GetSessionAsync(sessionId)).ForkedFromSessionId, Is.Null);
                Assert.That((await reopened.EditMessageAsync(sessionId, 1, "after")).Message.Revision, Is.EqualTo(2));
            }
        }
    }

    [Test]
    public async Task DeletingASession_DeletesItsRevisionsAndKeys()
    {
        await using var store = Open();
        var sessionId = (await store.CreateSessionAsync("ada")).Id;
        await store.AppendMessagesAsync(sessionId, [NewMessage.User("x")], new AppendOptions { IdempotencyKey = "k" });
        await store.EditMessageAsync(sessionId, 1, "y");

        await store.DeleteSessionAsync(sessionId);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Scalar("SELECT count(*) FROM message_revisions;"), Is.Zero);
            Assert.That(Scalar("SELECT count(*) FROM idempotency_keys;"), Is.Zero);
        }
    }
}
