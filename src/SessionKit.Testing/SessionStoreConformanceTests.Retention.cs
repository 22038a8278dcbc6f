using NUnit.Framework;
using SessionKit.Storage;

namespace SessionKit.Testing;

// Expiry and retention: the sweeper over the backend's primitives, with the fake clock.
public abstract partial class SessionStoreConformanceTests
{
    [Test]
    public async Task Sweep_ErasesSessionsIdleLongerThanTheTimeout()
    {
        var stale = await CreateSessionAsync("alice");
        await AppendAsync(stale.Id, "old news");
        Time.Advance(TimeSpan.FromDays(6));
        var fresh = await CreateSessionAsync("alice");
        Time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));

        var result = await Sweeper(new RetentionOptions { IdleTimeout = TimeSpan.FromDays(7) }).SweepAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.SessionsExpired, Is.EqualTo(1));
            Assert.That(result.MessagesDeleted, Is.EqualTo(1));
            Assert.That(result.SessionsScanned, Is.EqualTo(2));
            Assert.That(result.Completed, Is.True);
            Assert.That(await ListIdsAsync("alice"), Is.EqualTo(new[] { fresh.Id }));
        }
    }

    [Test]
    public async Task Sweep_ActivityKeepsASessionAlive()
    {
        var session = await CreateSessionAsync("alice");
        for (int day = 0; day < 5; day++)
        {
            Time.Advance(TimeSpan.FromDays(6));
            await AppendAsync(session.Id, $"day {day}");
        }

        var result = await Sweeper(new RetentionOptions { IdleTimeout = TimeSpan.FromDays(7) }).SweepAsync();

        Assert.That(result.SessionsExpired, Is.Zero);
        Assert.That(await Store.FindSessionAsync(session.Id), Is.Not.Null);
    }

    [Test]
    public async Task Sweep_ErasesSessionsPastTheirAbsoluteLifetimeEvenWhenActive()
    {
        var session = await CreateSessionAsync("alice");
        Time.Advance(TimeSpan.FromDays(29));
        await AppendAsync(session.Id, "still here");
        Time.Advance(TimeSpan.FromDays(1));

        var result = await Sweeper(new RetentionOptions { AbsoluteLifetime = TimeSpan.FromDays(30), IdleTimeout = TimeSpan.FromDays(7) }).SweepAsync();

        Assert.That(result.SessionsExpired, Is.EqualTo(1));
        Assert.That(await Store.FindSessionAsync(session.Id), Is.Null);
    }

    [Test]
    public async Task Sweep_HonoursPerSessionOverrides()
    {
        var pinned = await Store.CreateSessionAsync("alice", new SessionCreateOptions
        {
            Metadata = SessionExpiryPolicy.WithOverride(null, new SessionRetentionOverride { IdleTimeout = Timeout.InfiniteTimeSpan }),
        });
        var shortLived = await Store.CreateSessionAsync("alice", new SessionCreateOptions
        {
            Metadata = SessionExpiryPolicy.WithOverride(null, new SessionRetentionOverride { IdleTimeout = TimeSpan.FromHours(1) }),
        });
        var normal = await CreateSessionAsync("alice");
        Time.Advance(TimeSpan.FromDays(2));

        var result = await Sweeper(new RetentionOptions { IdleTimeout = TimeSpan.FromDays(7) }).SweepAsync();
        Time.Advance(TimeSpan.FromDays(6));
        var later = await Sweeper(new RetentionOptions { IdleTimeout = TimeSpan.FromDays(7) }).SweepAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.SessionsExpired, Is.EqualTo(1));
            Assert.That(later.SessionsExpired, Is.EqualTo(1));
            Assert.That(await Store.FindSessionAsync(shortLived.Id), Is.Null);
            Assert.That(await Store.FindSessionAsync(normal.Id), Is.Null);
            Assert.That(await Store.FindSessionAsync(pinned.Id), Is.Not.Null);
        }
    }

    [Test]
    public async Task Sweep_WithoutPolicies_ChangesNothing()
    {
        await PlantUserAsync("alice", "quokka");
        Time.Advance(TimeSpan.FromDays(3650));

        var result = await Sweeper(new RetentionOptions()).SweepAsync();

        Assert.That(result with { Batches = 0, SessionsScanned = 0 }, Is.EqualTo(new SweepResult { Completed = true }));
        Assert.That(await ListIdsAsync("alice"), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task Sweep_WorksInBoundedBatches()
    {
        for (int i = 0; i < 7; i++)
        {
            await CreateSessionAsync($"user{i}");
        }

        Time.Advance(TimeSpan.FromDays(8));
        var sweeper = Sweeper(new RetentionOptions { IdleTimeout = TimeSpan.FromDays(7) });

        var first = await sweeper.SweepAsync(new SweepOptions { BatchSize = 3, MaxBatches = 1 });
        var rest = await sweeper.SweepAsync(new SweepOptions { BatchSize = 3 });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.SessionsScanned, Is.EqualTo(3));
            Assert.That(first.SessionsExpired, Is.EqualTo(3));
            Assert.That(first.Completed, Is.False);
            Assert.That(rest.SessionsExpired, Is.EqualTo(4));
            Assert.That(rest.Batches, Is.EqualTo(2));
            Assert.That(rest.Completed, Is.True);
        }
    }

    [Test]
    public async Task Sweep_DeletesMessagesOlderThanTheRetention()
    {
        var session = await CreateSessionAsync("alice");
        await AppendAsync(session.Id, "ancient quokka", "ancient wombat");
        await Store.SaveSummaryAsync(session.Id, new NewSummary(1, 1, 1, "about quokkas", "test"));
        Time.Advance(TimeSpan.FromDays(40));
        await AppendAsync(session.Id, "recent quokka");
        Time.Advance(TimeSpan.FromDays(1));

        var result = await Sweeper(new RetentionOptions { MessageRetention = TimeSpan.FromDays(30) }).SweepAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.MessagesDeleted, Is.EqualTo(2));
            Assert.That(result.SummariesDeleted, Is.EqualTo(1));
            Assert.That(result.SessionsExpired, Is.Zero);
            Assert.That(Sequences(await ReadAllAsync(session.Id)), Is.EqualTo(new long[] { 3 }));
            Assert.That((await Store.GetSessionAsync(session.Id)).MessageCount, Is.EqualTo(1));
            Assert.That((await Store.SearchAsync("alice", new SearchQuery { Text = "quokka" })).Items.Select(h => h.Message.Sequence), Is.EqualTo(new long[] { 3 }));
            Assert.That(await Store.GetSummariesAsync(session.Id), Is.Empty);
        }
    }

    [Test]
    public async Task Sweep_KeepSummariesOnly_DeletesOnlySummarizedMessagesAndKeepsTheSummaries()
    {
        var session = await CreateSessionAsync("alice");
        await AppendAsync(session.Id, "one", "two", "three");
        await Store.SaveSummaryAsync(session.Id, new NewSummary(1, 2, 1, "one and two", "test"));
        Time.Advance(TimeSpan.FromDays(31));

        var result = await Sweeper(new RetentionOptions { MessageRetention = TimeSpan.FromDays(30), MessageRetentionMode = MessageRetentionMode.KeepSummariesOnly }).SweepAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.MessagesDeleted, Is.EqualTo(2));
            Assert.That(result.SummariesDeleted, Is.Zero);
            Assert.That(Sequences(await ReadAllAsync(session.Id)), Is.EqualTo(new long[] { 3 }));
            Assert.That((await Store.GetSummariesAsync(session.Id)).Select(s => s.Content), Is.EqualTo(new[] { "one and two" }));
        }
    }

    [Test]
    public async Task Sweep_TrimsLongHistoriesInMessageBatches()
    {
        var session = await CreateSessionAsync("alice");
        await AppendNumberedAsync(session.Id, 25);
        Time.Advance(TimeSpan.FromDays(2));
        await AppendAsync(session.Id, "keep me");

        var result = await Sweeper(new RetentionOptions { MessageRetention = TimeSpan.FromDays(1) }).SweepAsync(new SweepOptions { MessageBatchSize = 10 });

        Assert.That(result.MessagesDeleted, Is.EqualTo(25));
        Assert.That((await ReadAllAsync(session.Id)).Select(m => m.Content), Is.EqualTo(new[] { "keep me" }));
    }

    [Test]
    public async Task DeleteMessagesBefore_IncrementsTheVersionOnlyWhenSomethingWasDeleted()
    {
        var session = await CreateSessionAsync("alice");
        await AppendAsync(session.Id, "a", "b");
        long version = (await Store.GetSessionAsync(session.Id)).Version;

        var none = await Retention.DeleteMessagesBeforeAsync(session.Id, StartTime, MessageRetentionMode.DeleteMessages, 10);
        Time.Advance(TimeSpan.FromSeconds(1));
        var some = await Retention.DeleteMessagesBeforeAsync(session.Id, Time.GetUtcNow(), MessageRetentionMode.DeleteMessages, 1);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(none, Is.EqualTo(MessageRetentionResult.None));
            Assert.That(some.Messages, Is.EqualTo(1));
            Assert.That((await Store.GetSessionAsync(session.Id)).Version, Is.EqualTo(version + 1));
            Assert.That(await Store.CountMessagesAsync(session.Id), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task RetentionPrimitives_WithBadArguments_Throw()
    {
        var session = await CreateSessionAsync("alice");

        using (Assert.EnterMultipleScope())
        {
            Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Retention.ScanSessionsAsync(null, 0));
            Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Retention.ScanSessionsAsync(null, ISessionRetentionStore.MaxBatchSize + 1));
            Assert.ThrowsAsync<ArgumentException>(() => Retention.DeleteMessagesBeforeAsync(Guid.Empty, StartTime, MessageRetentionMode.DeleteMessages, 1));
            Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Retention.DeleteMessagesBeforeAsync(session.Id, StartTime, (MessageRetentionMode)7, 1));
            Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Retention.DeleteMessagesBeforeAsync(session.Id, StartTime, MessageRetentionMode.DeleteMessages, 0));
            Assert.ThrowsAsync<SessionNotFoundException>(() => Retention.DeleteMessagesBeforeAsync(Guid.CreateVersion7(), StartTime, MessageRetentionMode.DeleteMessages, 1));
        }
    }

    [Test]
    public async Task ScanSessions_ReadsEverySessionOnceInIdOrder()
    {
        var created = new List<Guid>();
        foreach (var user in new[] { "a", "b", "c", "a", "b" })
        {
            Time.Advance(TimeSpan.FromMilliseconds(5));
            created.Add((await CreateSessionAsync(user)).Id);
        }

        var first = await Retention.ScanSessionsAsync(null, 2);
        var second = await Retention.ScanSessionsAsync(first[^1].Id, 2);
        var third = await Retention.ScanSessionsAsync(second[^1].Id, 2);

        Assert.That(first.Concat(second).Concat(third).Select(s => s.Id), Is.EqualTo(created));
        Assert.That(third, Has.Count.EqualTo(1));
    }

    [Test]
    public void Sweep_WithBadOptions_Throws()
    {
        var sweeper = Sweeper(new RetentionOptions());

        using (Assert.EnterMultipleScope())
        {
            Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => sweeper.SweepAsync(new SweepOptions { BatchSize = 0 }));
            Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => sweeper.SweepAsync(new SweepOptions { BatchSize = ISessionRetentionStore.MaxBatchSize + 1 }));
            Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => sweeper.SweepAsync(new SweepOptions { MaxBatches = 0 }));
            Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => sweeper.SweepAsync(new SweepOptions { MessageBatchSize = 0 }));
        }
    }

    /// <summary>A sweeper over the store under test with <paramref name="options"/> and the fixture's clock.</summary>
    /// <param name="options">The policies.</param>
    /// <returns>The sweeper.</returns>
    protected ISessionSweeper Sweeper(RetentionOptions options) => new SessionSweeper(Retention, new SessionExpiryPolicy(options, Time));
}
