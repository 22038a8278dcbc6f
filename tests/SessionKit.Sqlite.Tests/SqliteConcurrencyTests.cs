using NUnit.Framework;

namespace SessionKit.Sqlite.Tests;

/// <summary>What only a file-backed store can show about idempotency, corrections and their schema: durability and migration.</summary>
[TestFixture]
internal sealed class SqliteConcurrencyTests : SqliteFileFixture
{
    /// <summary>SQL that turns a current database back into one without the concurrency-and-correction migration (8) and those after it.</summary>
    internal const string UndoConcurrencyMigration =
        "DROP TABLE message_embedding_versions; DROP TABLE embedding_clock; DROP TRIGGER messages_embedding_stale; DROP TABLE message_embeddings; DROP TABLE summary_embeddings; " +
        "DROP TABLE store_settings; DROP INDEX ix_messages_session_created; DROP INDEX ix_sessions_user_id; " +
        "DROP TABLE message_revisions; DROP TABLE idempotency_keys; DROP TABLE state_entries; DROP TABLE session_changes; DROP TABLE session_leases; " +
        "ALTER TABLE messages DROP COLUMN revision; " +
        "ALTER TABLE sessions DROP COLUMN forked_from; ALTER TABLE sessions DROP COLUMN forked_at;";

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

        Scalar(UndoConcurrencyMigration + " PRAGMA user_version = 7;");

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

    [Test]
    public async Task TempState_IsLostOnReopening_WhileSessionStateIsKept()
    {
        Guid sessionId;
        await using (var store = Open())
        {
            sessionId = (await store.CreateSessionAsync("ada")).Id;
            await store.SetStateAsync(StateScope.Session, sessionId.ToString(), "plan", "kept");
            await store.SetStateAsync(StateScope.Temp, sessionId.ToString(), "scratch", "lost");
            await store.SetStateAsync(StateScope.User, "ada", "tone", "kept");
            await store.SetStateAsync(StateScope.App, null, "model", "kept");
        }

        await using var reopened = Open();
        using (Assert.EnterMultipleScope())
        {
            Assert.That((await reopened.GetStateAsync(StateScope.Session, sessionId.ToString(), "plan"))?.Value, Is.EqualTo("kept"));
            Assert.That((await reopened.GetStateAsync(StateScope.User, "ada", "tone"))?.Value, Is.EqualTo("kept"));
            Assert.That((await reopened.GetStateAsync(StateScope.App, null, "model"))?.Value, Is.EqualTo("kept"));
            Assert.That(await reopened.GetStateAsync(StateScope.Temp, sessionId.ToString(), "scratch"), Is.Null);
            Assert.That(Scalar("SELECT count(*) FROM state_entries WHERE key = 'scratch';"), Is.Zero, "temp state never reaches the file");
        }
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task Turns_AreSerializedAcrossTwoStoreInstancesOnOneFile()
    {
        await using var first = Open();
        await using var second = Open();
        var sessionId = (await first.CreateSessionAsync("ada")).Id;

        var turn = await first.BeginTurnAsync(sessionId);
        var waiting = second.BeginTurnAsync(sessionId);
        Assert.That(waiting.IsCompleted, Is.False, "the other instance sees the turn in the database");
        Assert.That(Scalar("SELECT holder FROM session_leases;"), Is.EqualTo(turn.Lease.Holder));

        await first.AppendMessagesAsync(sessionId, [NewMessage.Assistant("first turn")]);
        await turn.DisposeAsync();
        await using var next = await waiting;

        Assert.That(Scalar("SELECT holder FROM session_leases;"), Is.EqualTo(next.Lease.Holder));
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task ATurnAbandonedByAnotherInstance_IsFreedWhenItsLeaseLapses()
    {
        await using var crashed = Open();
        await using var survivor = Open();
        var sessionId = (await crashed.CreateSessionAsync("ada")).Id;
        _ = await crashed.BeginTurnAsync(sessionId, new TurnOptions { LeaseDuration = TimeSpan.FromMinutes(1) });

        var waiting = survivor.BeginTurnAsync(sessionId, new TurnOptions { Timeout = TimeSpan.FromMinutes(10) });
        while (!waiting.IsCompleted)
        {
            Time.Advance(TimeSpan.FromSeconds(5));
            await Task.Yield();
        }

        await using var turn = await waiting;
        Assert.That(turn.SessionId, Is.EqualTo(sessionId));
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task ChangeFeed_SeesWritesOfAnotherInstanceOnTheSameFile()
    {
        await using var watcher = Open();
        await using var writer = Open();
        var sessionId = (await writer.CreateSessionAsync("ada")).Id;

        var changes = new List<SessionChange>();
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var watching = Task.Run(async () =>
        {
            await foreach (var change in watcher.WatchChangesAsync(sessionId, 1, guard.Token))
            {
                changes.Add(change);
                if (changes.Count == 2)
                {
                    break;
                }
            }
        });

        await writer.AppendMessagesAsync(sessionId, [NewMessage.User("hello")]);
        await writer.SetStateAsync(StateScope.Session, sessionId.ToString(), "k", "v");
        while (!watching.IsCompleted)
        {
            // Another process would be reached by polling; advancing the clock drives it.
            Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Yield();
        }

        await watching;
        Assert.That(changes.Select(c => c.Version), Is.EqualTo(new long[] { 2, 3 }));
    }
}
