using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace SessionKit.PostgreSql.Tests;

/// <summary>
/// Several app servers on one database: three (or five) store instances, each with its own data source and connection
/// pool as separate servers would have, on one schema. Figures (throughput, stalls, notification latency) are printed to
/// the test output for the record; nothing here asserts on time.
/// </summary>
[TestFixture]
[CancelAfter(600_000)]
public sealed class PostgresMultiInstanceTests
{
    private readonly List<PostgreSqlSessionStore> _stores = [];

    [TearDown]
    public async Task DisposeStoresAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        _stores.Clear();
    }

    [Test]
    public async Task EightWriters_OnThreeInstances_TwoThousandAppendsEach_StayDenseOrderedAndWhole_AndRetriesReplay()
    {
        const int writers = 8;
        const int perWriter = 2_000;
        var servers = Servers(3, TimeProvider.System);
        var session = await servers[0].CreateSessionAsync("alice");
        var stalls = new ConcurrentBag<double>();
        var replays = new ConcurrentBag<(AppendResult First, AppendResult Retry)>();
        var clock = Stopwatch.StartNew();

        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var mine = servers[w % servers.Count];
            var other = servers[(w + 1) % servers.Count];
            for (int n = 0; n < perWriter; n++)
            {
                var message = NewMessage.User($"writer {w} message {n}") with { AuthorId = $"w{w}" };
                long started = Stopwatch.GetTimestamp();
                if (n % 100 == 99)
                {
                    // A request whose response was lost, retried through another server: the retry must replay, not duplicate.
                    var options = new AppendOptions { IdempotencyKey = $"w{w}-n{n}" };
                    var first = await mine.AppendMessagesAsync(session.Id, [message], options);
                    var retry = await other.AppendMessagesAsync(session.Id, [message], options);
                    replays.Add((first, retry));
                }
                else
                {
                    await mine.AppendMessagesAsync(session.Id, [message]);
                }

                stalls.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        })));
        clock.Stop();

        var all = new List<SessionMessage>();
        await foreach (var message in servers[2].ReadAllMessagesAsync(session.Id))
        {
            all.Add(message);
        }

        var perWriterOrder = all.GroupBy(m => m.AuthorId!).ToDictionary(g => g.Key, g => g.Select(m => int.Parse(m.Content.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture)).ToList());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(all, Has.Count.EqualTo(writers * perWriter), "nothing lost or duplicated");
            Assert.That(all.Select(m => m.Sequence), Is.EqualTo(Enumerable.Range(1, writers * perWriter).Select(i => (long)i)), "sequences dense from 1");
            Assert.That(all.Select(m => m.Content).Distinct().Count(), Is.EqualTo(writers * perWriter));
            foreach (var (writer, order) in perWriterOrder)
            {
                Assert.That(order, Is.EqualTo(Enumerable.Range(0, perWriter)), $"{writer}'s messages in the order written");
            }

            Assert.That(replays, Has.Count.EqualTo(writers * perWriter / 100));
            foreach (var (first, retry) in replays)
            {
                Assert.That(retry.IsReplay, Is.True);
                Assert.That(retry.Messages.Select(m => m.Sequence), Is.EqualTo(first.Messages.Select(m => m.Sequence)));
            }

            Assert.That((await servers[1].GetSessionAsync(session.Id)).MessageCount, Is.EqualTo(writers * perWriter));
        }

        var sorted = stalls.Order().ToArray();
        TestContext.Out.WriteLine(
            $"multi-instance appends: {writers} writers on {servers.Count} instances, {writers * perWriter} appends in {clock.Elapsed.TotalSeconds:F1} s " +
            $"({writers * perWriter / clock.Elapsed.TotalSeconds:F0}/s); per-append latency p50 {sorted[sorted.Length / 2]:F1} ms, p99 {sorted[(int)(sorted.Length * 0.99)]:F1} ms, max stall {sorted[^1]:F0} ms");
    }

    [Test]
    public async Task OptimisticVersions_AcrossInstances_LetExactlyOneOfTheRacingUpdatesWin()
    {
        var servers = Servers(3, TimeProvider.System);
        var session = await servers[0].CreateSessionAsync("alice");
        for (int round = 0; round < 10; round++)
        {
            long version = (await servers[0].GetSessionAsync(session.Id)).Version;
            var attempts = servers.Select((s, i) => Attempt(() => s.UpdateSessionAsync(session.Id, new SessionUpdate { Title = $"round {round} by {i}", ExpectedVersion = version }))).ToList();
            var outcomes = await Task.WhenAll(attempts);

            Assert.That(outcomes.Count(o => o is null), Is.EqualTo(1), "one update wins");
            Assert.That(outcomes.Where(o => o is not null), Is.All.InstanceOf<SessionConcurrencyException>());
            Assert.That((await servers[2].GetSessionAsync(session.Id)).Version, Is.EqualTo(version + 1));
        }
    }

    [Test]
    public async Task Leases_AcrossInstances_HaveOneHolderAtATime_AndLapseAfterExpiry()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var servers = Servers(3, time);
        var session = await servers[0].CreateSessionAsync("alice");

        var attempts = await Task.WhenAll(servers.Select((s, i) => s.TryAcquireLeaseAsync(session.Id, $"server-{i}", TimeSpan.FromSeconds(30))));
        var holder = attempts.Single(a => a is not null)!;
        var again = await Task.WhenAll(servers.Select((s, i) => s.TryAcquireLeaseAsync(session.Id, $"other-{i}", TimeSpan.FromSeconds(30))));
        Assert.That(again, Is.All.Null, "held: nobody else gets it");

        time.Advance(TimeSpan.FromSeconds(31));
        var afterExpiry = await Task.WhenAll(servers.Select((s, i) => s.TryAcquireLeaseAsync(session.Id, $"late-{i}", TimeSpan.FromSeconds(30))));
        Assert.That(afterExpiry.Count(a => a is not null), Is.EqualTo(1), "lapsed: exactly one new holder");
        Assert.That(await servers[0].ReleaseLeaseAsync(holder), Is.False, "the lapsed holder no longer holds it");
    }

    [Test]
    public async Task Turns_AcrossInstances_NeverOverlap()
    {
        var servers = Servers(3, TimeProvider.System);
        var session = await servers[0].CreateSessionAsync("alice");
        int inside = 0;
        int overlaps = 0;
        int turns = 0;
        await Task.WhenAll(servers.SelectMany(s => Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            for (int i = 0; i < 10; i++)
            {
                await using var turn = await s.BeginTurnAsync(session.Id, new TurnOptions { Timeout = TimeSpan.FromMinutes(2), LeaseDuration = TimeSpan.FromMinutes(1) });
                if (Interlocked.Increment(ref inside) != 1)
                {
                    Interlocked.Increment(ref overlaps);
                }

                await s.AppendMessagesAsync(session.Id, [NewMessage.Assistant($"turn {Interlocked.Increment(ref turns)}")]);
                Interlocked.Decrement(ref inside);
            }
        }))));

        Assert.That(overlaps, Is.Zero);
        Assert.That((await servers[1].GetSessionAsync(session.Id)).MessageCount, Is.EqualTo(60));
    }

    [Test]
    public async Task ChangeFeed_WakesAWatcherOnAnotherInstance_ThroughNotify_NotPolling()
    {
        // Polling every hour: a change seen promptly was delivered by LISTEN/NOTIFY.
        var servers = Servers(2, TimeProvider.System, o => o.ChangePollInterval = TimeSpan.FromHours(1));
        var writer = servers[0];
        var watcher = servers[1];
        var session = await writer.CreateSessionAsync("alice");
        const int changes = 50;
        var sent = new long[changes + 1];
        var latencies = new List<double>();
        int delivered = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        var watching = Task.Run(async () =>
        {
            await foreach (var change in watcher.WatchChangesAsync(session.Id, 0, stop.Token))
            {
                latencies.Add(Stopwatch.GetElapsedTime(Volatile.Read(ref sent[change.Version - 1])).TotalMilliseconds);
                Interlocked.Increment(ref delivered);
                if (latencies.Count == changes)
                {
                    return;
                }
            }
        });

        // The watcher subscribes before its first read; wait for that, so the measurement starts with a listening watcher.
        while (!watcher.IsListening && !watching.IsCompleted)
        {
            await Task.Delay(5);
        }

        for (int i = 0; i < changes; i++)
        {
            // Version i + 1 → i + 2; the watcher measures from just before the write.
            Volatile.Write(ref sent[i + 1], Stopwatch.GetTimestamp());
            await writer.AppendMessagesAsync(session.Id, [NewMessage.User($"message {i}")]);
            while (Volatile.Read(ref delivered) <= i && !watching.IsCompleted)
            {
                await Task.Delay(1);
            }
        }

        await watching;
        var sorted = latencies.Order().ToArray();
        Assert.That(latencies, Has.Count.EqualTo(changes));
        TestContext.Out.WriteLine($"change feed across instances (LISTEN/NOTIFY, polling off): {changes} changes, write-to-watcher latency p50 {sorted[changes / 2]:F1} ms, max {sorted[^1]:F1} ms");
    }

    [Test]
    public async Task Sweeper_RunsOnOneInstanceAtATime()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var servers = Servers(3, time);
        for (int i = 0; i < 5; i++)
        {
            await servers[i % 3].CreateSessionAsync($"user-{i}");
        }

        time.Advance(TimeSpan.FromDays(2));
        var policy = new SessionExpiryPolicy(new RetentionOptions { IdleTimeout = TimeSpan.FromDays(1) }, time);
        var sweepers = servers.Select(s => new PostgreSqlSessionSweeper(s, new SessionSweeper(s, policy))).ToList();

        // Server 0 is sweeping (held inside its exclusive section); the others find the lock taken and do nothing.
        var inside = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = servers[0].TryRunExclusiveAsync("sweeper", async ct =>
        {
            inside.SetResult();
            await release.Task;
            return await new SessionSweeper(servers[0], policy).SweepAsync(cancellationToken: ct);
        });
        await inside.Task;
        var meanwhile = await Task.WhenAll(sweepers.Skip(1).Select(s => s.SweepAsync()));
        release.SetResult();
        var (ran, result) = await first;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(meanwhile.Select(r => r.Batches), Is.All.Zero, "the other servers did not sweep");
            Assert.That(meanwhile.Select(r => r.Completed), Is.All.False);
            Assert.That(ran, Is.True);
            Assert.That(result!.SessionsExpired, Is.EqualTo(5));
        }

        // Once it is done, the next sweep (on any server) runs.
        Assert.That((await sweepers[2].SweepAsync()).Completed, Is.True);
    }

    [Test]
    public async Task FiveServersStartingAtOnce_MigrateTheSchemaExactlyOnce()
    {
        string schema = PostgresServer.UniqueSchema();
        var logs = new ConcurrentBag<string>();
        var servers = Enumerable.Range(0, 5)
            .Select(_ => Track(new PostgreSqlSessionStore(
                new PostgreSqlSessionStoreOptions { ConnectionString = PostgresServer.ConnectionString, Schema = schema },
                logger: new ListLogger<PostgreSqlSessionStore>(logs))))
            .ToList();

        await Task.WhenAll(servers.Select(s => Task.Run(() => s.InitializeAsync())));

        Assert.That(logs.Count(l => l.StartsWith("Migrated", StringComparison.Ordinal)), Is.EqualTo(1), string.Join("\n", logs));
        Assert.That(logs.Count(l => l.StartsWith("Opened", StringComparison.Ordinal)), Is.EqualTo(5));
        var session = await servers[3].CreateSessionAsync("alice");
        Assert.That((await servers[4].GetSessionAsync(session.Id)).UserId, Is.EqualTo("alice"));
    }

    private List<PostgreSqlSessionStore> Servers(int count, TimeProvider time, Action<PostgreSqlSessionStoreOptions>? configure = null)
    {
        string schema = PostgresServer.NewSchema();
        var servers = new List<PostgreSqlSessionStore>();
        for (int i = 0; i < count; i++)
        {
            // Each its own data source (own pool), as separate servers would have.
            var options = new PostgreSqlSessionStoreOptions { ConnectionString = PostgresServer.ConnectionString, Schema = schema };
            configure?.Invoke(options);
            servers.Add(Track(new PostgreSqlSessionStore(options, timeProvider: time)));
        }

        return servers;
    }

    private PostgreSqlSessionStore Track(PostgreSqlSessionStore store)
    {
        _stores.Add(store);
        return store;
    }

    private static async Task<Exception?> Attempt(Func<Task> action)
    {
        try
        {
            await action();
            return null;
        }
        catch (SessionKitException ex)
        {
            return ex;
        }
    }
}
