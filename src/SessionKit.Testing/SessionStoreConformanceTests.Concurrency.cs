using System.Collections.Concurrent;
using NUnit.Framework;

namespace SessionKit.Testing;

// Stores are thread-safe: concurrent writers never lose, duplicate or reorder messages.
public abstract partial class SessionStoreConformanceTests
{
    [Test]
    [CancelAfter(60_000)]
    public async Task ConcurrentWriters_OnOneSession_StoreEveryMessageOnceWithDenseSequences() =>
        await AssertConcurrentWritersLandAsync(writers: 8, perWriter: 500);

    /// <summary>
    /// Runs <paramref name="writers"/> tasks that each append <paramref name="perWriter"/> single messages to one new session,
    /// then checks that every message landed once, with dense sequences, in each writer's own order.
    /// </summary>
    /// <param name="writers">How many concurrent writers.</param>
    /// <param name="perWriter">How many appends each makes.</param>
    /// <returns>How long the appends took.</returns>
    protected async Task<TimeSpan> AssertConcurrentWritersLandAsync(int writers, int perWriter)
    {
        var session = await CreateSessionAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (int i = 0; i < perWriter; i++)
            {
                await Store.AppendMessageAsync(session.Id, NewMessage.User($"w{w}:{i}"));
            }
        })));
        clock.Stop();

        var messages = await ReadAllAsync(session.Id);
        var found = await Store.GetSessionAsync(session.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(messages, Has.Count.EqualTo(writers * perWriter));
            Assert.That(Sequences(messages), Is.EqualTo(Range(1, writers * perWriter)));
            Assert.That(messages.Select(m => m.Content).Distinct().Count(), Is.EqualTo(writers * perWriter), "no content twice");
            Assert.That(messages.Select(m => m.Id).Distinct().Count(), Is.EqualTo(writers * perWriter), "no id twice");
            Assert.That(found.LastSequence, Is.EqualTo(writers * perWriter));
            Assert.That(found.MessageCount, Is.EqualTo(writers * perWriter));
            Assert.That(found.Version, Is.EqualTo(1 + (writers * perWriter)));
            for (int w = 0; w < writers; w++)
            {
                string prefix = $"w{w}:";
                var own = messages.Where(m => m.Content.StartsWith(prefix, StringComparison.Ordinal))
                    .Select(m => int.Parse(m.Content.AsSpan(prefix.Length), System.Globalization.CultureInfo.InvariantCulture));
                Assert.That(own, Is.EqualTo(Enumerable.Range(0, perWriter)), $"writer {w}'s messages in its own order");
            }
        }

        return clock.Elapsed;
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task ConcurrentWriters_OnDifferentSessions_AllLandInTheirOwnSession()
    {
        const int writers = 8;
        const int perWriter = 150;
        var sessions = new List<Session>();
        for (int w = 0; w < writers; w++)
        {
            sessions.Add(await CreateSessionAsync($"user{w % 3}"));
        }

        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (int i = 0; i < perWriter; i += 3)
            {
                await AppendAsync(sessions[w].Id, $"s{w}:{i}", $"s{w}:{i + 1}", $"s{w}:{i + 2}");
            }
        })));

        using (Assert.EnterMultipleScope())
        {
            for (int w = 0; w < writers; w++)
            {
                var messages = await ReadAllAsync(sessions[w].Id);
                Assert.That(messages.Select(m => m.Content), Is.EqualTo(Enumerable.Range(0, perWriter).Select(i => $"s{w}:{i}")), $"session {w}");
                Assert.That(Sequences(messages), Is.EqualTo(Range(1, perWriter)), $"session {w}");
                Assert.That((await Store.GetSessionAsync(sessions[w].Id)).Version, Is.EqualTo(1 + (perWriter / 3)), $"session {w}");
            }
        }
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task ConcurrentAppends_WithTheSameExpectedVersion_ExactlyOneSucceeds()
    {
        const int contenders = 8;
        var session = await CreateSessionAsync();
        await AppendAsync(session.Id, "start");

        var outcomes = await Task.WhenAll(Enumerable.Range(0, contenders).Select(c => Task.Run(async () =>
        {
            try
            {
                await Store.AppendMessagesAsync(session.Id, [NewMessage.User($"c{c}"), NewMessage.Assistant($"c{c} reply")], new AppendOptions { ExpectedVersion = 2 });
                return (Exception?)null;
            }
            catch (SessionConcurrencyException ex)
            {
                return ex;
            }
        })));

        var messages = await ReadAllAsync(session.Id);
        var found = await Store.GetSessionAsync(session.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcomes.Count(e => e is null), Is.EqualTo(1));
            Assert.That(outcomes.OfType<SessionConcurrencyException>().Count(), Is.EqualTo(contenders - 1));
            Assert.That(outcomes.OfType<SessionConcurrencyException>().Select(e => e.ActualVersion), Has.All.EqualTo(3));
            Assert.That(messages, Has.Count.EqualTo(3));
            Assert.That(messages[2].Content, Is.EqualTo(messages[1].Content + " reply"), "the winner's batch is stored whole");
            Assert.That(found.Version, Is.EqualTo(3));
        }
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task ConcurrentUpdates_WithTheSameExpectedVersion_ExactlyOneSucceeds()
    {
        const int contenders = 8;
        var session = await CreateSessionAsync();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, contenders).Select(c => Task.Run(async () =>
        {
            try
            {
                await Store.UpdateSessionAsync(session.Id, new SessionUpdate { Title = $"title {c}", ExpectedVersion = 1 });
                return true;
            }
            catch (SessionConcurrencyException)
            {
                return false;
            }
        })));

        var found = await Store.GetSessionAsync(session.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcomes.Count(won => won), Is.EqualTo(1));
            Assert.That(found.Version, Is.EqualTo(2));
            Assert.That(found.Title, Is.EqualTo($"title {Array.IndexOf(outcomes, true)}"));
        }
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task ConcurrentCreates_ForOneUser_AreAllListedOnce()
    {
        const int creators = 8;
        const int perCreator = 25;

        var created = await Task.WhenAll(Enumerable.Range(0, creators).Select(_ => Task.Run(async () =>
        {
            var ids = new List<Guid>();
            for (int i = 0; i < perCreator; i++)
            {
                ids.Add((await Store.CreateSessionAsync("alice")).Id);
            }

            return ids;
        })));

        var pages = await ListAllPagesAsync("alice", 7);
        var listed = pages.SelectMany(p => p.Items).Select(s => s.Id).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(listed, Is.Unique);
            Assert.That(listed, Is.EquivalentTo(created.SelectMany(ids => ids)));
        }
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task ConcurrentReads_DuringAppends_AlwaysSeeWholeBatchesAndADensePrefix()
    {
        var session = await CreateSessionAsync();
        using var done = new CancellationTokenSource();
        var problems = new ConcurrentQueue<string>();

        var writer = Task.Run(async () =>
        {
            try
            {
                for (int i = 0; i < 200; i++)
                {
                    await AppendAsync(session.Id, $"q{i}", $"a{i}");
                }
            }
            finally
            {
                await done.CancelAsync();
            }
        });
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            long lastCount = 0;
            while (!done.IsCancellationRequested)
            {
                var last = await Store.GetLastMessagesAsync(session.Id, 6);
                var seqs = Sequences(last);
                if (seqs.Length > 0 && (seqs[^1] % 2 != 0 || !seqs.SequenceEqual(Range(seqs[0], seqs[^1]))))
                {
                    problems.Enqueue($"last messages {string.Join(",", seqs)} are not whole batches of a dense prefix");
                }

                long count = await Store.CountMessagesAsync(session.Id);
                if (count % 2 != 0 || count < lastCount)
                {
                    problems.Enqueue($"count went from {lastCount} to {count}");
                }

                lastCount = count;
            }
        })).ToList();

        await writer;
        await Task.WhenAll(readers);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(problems, Is.Empty);
            Assert.That(await Store.CountMessagesAsync(session.Id), Is.EqualTo(400));
        }
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Paging_WhileSessionsReceiveAppends_NeverReturnsASessionTwice()
    {
        // An append moves its session to the top of the listing, before any cursor, so a listing running meanwhile may miss
        // that session but must never return one twice (a cursor made from a session's moved position would restart the list).
        int listings = Math.Clamp(StressAppendsPerWriter / 20, 50, 500);
        var sessions = await CreateSessionsAsync("alice", 30);
        using var readerDone = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            for (int i = 0; i < 50_000 && !readerDone.IsCancellationRequested; i++)
            {
                Time.Advance(TimeSpan.FromMilliseconds(1));
                await AppendAsync(sessions[(i * 7) % sessions.Count].Id, $"m{i}");
            }
        });

        var repeats = new List<string>();
        try
        {
            for (int listing = 0; listing < listings; listing++)
            {
                var ids = (await ListAllPagesAsync("alice", 3)).SelectMany(p => p.Items).Select(s => s.Id).ToList();
                if (ids.Distinct().Count() != ids.Count)
                {
                    repeats.Add($"listing {listing} returned {ids.Count} sessions of which {ids.Distinct().Count()} distinct");
                }
            }
        }
        finally
        {
            await readerDone.CancelAsync();
            await writer;
        }

        Assert.That(repeats, Is.Empty);
    }
}
