using NUnit.Framework;
using SessionKit.Storage;

namespace SessionKit.Testing;

// Multi-agent shared state: scoped key/value entries with compare-and-set, the per-session change feed, leases and turns.
public abstract partial class SessionStoreConformanceTests
{
    /// <summary>The store under test as an <see cref="ISessionStateStore"/>.</summary>
    protected ISessionStateStore SharedState =>
        Store as ISessionStateStore ?? throw new InvalidOperationException("The store does not implement ISessionStateStore.");

    /// <summary>The store under test as an <see cref="ISessionLeaseStore"/>.</summary>
    protected ISessionLeaseStore Leases =>
        Store as ISessionLeaseStore ?? throw new InvalidOperationException("The store does not implement ISessionLeaseStore.");

    /// <summary>Reads <paramref name="count"/> changes from the feed (waiting for them if needed), then stops watching.</summary>
    /// <param name="store">The store to watch.</param>
    /// <param name="sessionId">The session.</param>
    /// <param name="afterVersion">Changes after this version.</param>
    /// <param name="count">How many to read.</param>
    /// <returns>The changes.</returns>
    protected static async Task<List<SessionChange>> TakeChangesAsync(ISessionStateStore store, Guid sessionId, long afterVersion, int count)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var changes = new List<SessionChange>();
        await foreach (var change in store.WatchChangesAsync(sessionId, afterVersion, guard.Token))
        {
            changes.Add(change);
            if (changes.Count == count)
            {
                break;
            }
        }

        return changes;
    }

    [Test]
    public async Task State_InEachScope_IsSetReadListedAndDeletedWithVersions()
    {
        var session = await CreateSessionAsync();
        string sessionScope = session.Id.ToString("D");
        var written = new List<StateEntry>
        {
            await SharedState.SetStateAsync(StateScope.App, null, "model", "gpt", new StateWriteOptions { UpdatedBy = "ops" }),
            await SharedState.SetStateAsync(StateScope.User, "alice", "tone", "formal"),
            await SharedState.SetStateAsync(StateScope.Session, sessionScope, "plan", "{\"step\":1}"),
            await SharedState.SetStateAsync(StateScope.Temp, sessionScope, "scratch", "draft"),
        };
        var second = await SharedState.SetStateAsync(StateScope.User, "alice", "tone", "casual", new StateWriteOptions { ExpectedVersion = 1 });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(written.Select(e => e.Version), Has.All.EqualTo(1));
            Assert.That(written[0].ScopeId, Is.Null);
            Assert.That(written[0].UpdatedBy, Is.EqualTo("ops"));
            Assert.That(written[0].UpdatedAt, Is.EqualTo(StartTime));
            Assert.That((second.Version, second.Value), Is.EqualTo((2L, "casual")));
            Assert.That((await SharedState.GetStateAsync(StateScope.User, "alice", "tone"))?.Value, Is.EqualTo("casual"));
            Assert.That(await SharedState.GetStateAsync(StateScope.User, "bob", "tone"), Is.Null, "user scopes are separate");
            Assert.That((await SharedState.GetStateAsync(StateScope.Session, session.Id.ToString("N"), "plan"))?.ScopeId, Is.EqualTo(sessionScope), "any GUID format names the session");
            Assert.That((await SharedState.GetStateAsync(StateScope.Temp, sessionScope, "scratch"))?.Value, Is.EqualTo("draft"));
            Assert.That(await SharedState.GetStateAsync(StateScope.Session, sessionScope, "scratch"), Is.Null, "temp and session scopes are separate");
            Assert.That((await SharedState.ListStateAsync(StateScope.App, null)).Select(e => e.Key), Is.EqualTo(new[] { "model" }));
            Assert.That(await SharedState.DeleteStateAsync(StateScope.App, null, "model"), Is.True);
            Assert.That(await SharedState.DeleteStateAsync(StateScope.App, null, "model"), Is.False);
            Assert.That(await SharedState.DeleteStateAsync(StateScope.Temp, sessionScope, "scratch"), Is.True);
            Assert.That(await SharedState.ListStateAsync(StateScope.Temp, sessionScope), Is.Empty);
        }
    }

    [Test]
    public async Task State_CompareAndSet_WithAStaleOrAbsentVersion_ThrowsAndChangesNothing()
    {
        await SharedState.SetStateAsync(StateScope.User, "alice", "k", "v1");

        var exists = Assert.ThrowsAsync<StateConcurrencyException>(() => SharedState.SetStateAsync(StateScope.User, "alice", "k", "v2", new StateWriteOptions { ExpectedVersion = 0 }));
        var stale = Assert.ThrowsAsync<StateConcurrencyException>(() => SharedState.SetStateAsync(StateScope.User, "alice", "k", "v2", new StateWriteOptions { ExpectedVersion = 5 }));
        var absent = Assert.ThrowsAsync<StateConcurrencyException>(() => SharedState.SetStateAsync(StateScope.User, "alice", "new", "v", new StateWriteOptions { ExpectedVersion = 1 }));
        var delete = Assert.ThrowsAsync<StateConcurrencyException>(() => SharedState.DeleteStateAsync(StateScope.User, "alice", "k", new StateWriteOptions { ExpectedVersion = 2 }));

        using (Assert.EnterMultipleScope())
        {
            Assert.That((exists!.ExpectedVersion, exists.ActualVersion), Is.EqualTo((0L, 1L)));
            Assert.That((stale!.ExpectedVersion, stale.ActualVersion), Is.EqualTo((5L, 1L)));
            Assert.That(absent!.ActualVersion, Is.Zero);
            Assert.That(delete!.Key, Is.EqualTo("k"));
            Assert.That(delete.Scope, Is.EqualTo(StateScope.User));
            Assert.That(delete.ScopeId, Is.EqualTo("alice"));
            var entry = await SharedState.GetStateAsync(StateScope.User, "alice", "k");
            Assert.That((entry?.Value, entry?.Version), Is.EqualTo(("v1", (long?)1)));
            Assert.That(await SharedState.GetStateAsync(StateScope.User, "alice", "new"), Is.Null);
        }
    }

    [TestCase(StateScope.App)]
    [TestCase(StateScope.User)]
    [TestCase(StateScope.Session)]
    [TestCase(StateScope.Temp)]
    [CancelAfter(60_000)]
    public async Task ConcurrentStateWrites_WithTheSameExpectedVersion_ExactlyOneSucceeds(StateScope scope)
    {
        var session = await CreateSessionAsync();
        string? scopeId = scope switch { StateScope.App => null, StateScope.User => "alice", _ => session.Id.ToString() };
        await SharedState.SetStateAsync(scope, scopeId, "counter", "0");

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(c => Task.Run(async () =>
        {
            try
            {
                await SharedState.SetStateAsync(scope, scopeId, "counter", $"{c}", new StateWriteOptions { ExpectedVersion = 1 });
                return true;
            }
            catch (StateConcurrencyException)
            {
                return false;
            }
        })));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcomes.Count(won => won), Is.EqualTo(1));
            Assert.That((await SharedState.GetStateAsync(scope, scopeId, "counter"))?.Version, Is.EqualTo(2));
        }
    }

    [Test]
    public async Task SessionState_BumpsTheSessionVersion_TempStateDoesNot()
    {
        var session = await CreateSessionAsync();
        await SharedState.SetStateAsync(StateScope.Session, session.Id.ToString(), "k", "v");
        await SharedState.SetStateAsync(StateScope.Temp, session.Id.ToString(), "k", "v");

        Assert.That((await Store.GetSessionAsync(session.Id)).Version, Is.EqualTo(2));
        Assert.ThrowsAsync<SessionConcurrencyException>(() => Store.AppendMessagesAsync(session.Id, [NewMessage.User("x")], new AppendOptions { ExpectedVersion = 1 }));
    }

    [Test]
    public async Task SessionAndTempState_GoWithTheSession()
    {
        var session = await CreateSessionAsync();
        await SharedState.SetStateAsync(StateScope.Session, session.Id.ToString(), "k", "v");
        await SharedState.SetStateAsync(StateScope.Temp, session.Id.ToString(), "k", "v");
        await SharedState.SetStateAsync(StateScope.User, "alice", "k", "v");

        await Store.DeleteSessionAsync(session.Id);

        using (Assert.EnterMultipleScope())
        {
            Assert.ThrowsAsync<SessionNotFoundException>(() => SharedState.GetStateAsync(StateScope.Session, session.Id.ToString(), "k"));
            Assert.ThrowsAsync<SessionNotFoundException>(() => SharedState.GetStateAsync(StateScope.Temp, session.Id.ToString(), "k"));
            Assert.ThrowsAsync<SessionNotFoundException>(() => SharedState.SetStateAsync(StateScope.Session, session.Id.ToString(), "k", "v"));
            Assert.That(await SharedState.GetStateAsync(StateScope.User, "alice", "k"), Is.Not.Null, "user state outlives the session");
        }
    }

    [Test]
    public async Task State_WithBadArguments_ThrowsAndStoresNothing()
    {
        var session = await CreateSessionAsync();
        string id = session.Id.ToString();
        using (Assert.EnterMultipleScope())
        {
            Assert.ThrowsAsync<ArgumentException>(() => SharedState.SetStateAsync(StateScope.App, "x", "k", "v"));
            Assert.ThrowsAsync<ArgumentNullException>(() => SharedState.SetStateAsync(StateScope.User, null, "k", "v"));
            Assert.ThrowsAsync<ArgumentException>(() => SharedState.SetStateAsync(StateScope.Session, "not-a-guid", "k", "v"));
            Assert.ThrowsAsync<ArgumentException>(() => SharedState.SetStateAsync(StateScope.Temp, Guid.Empty.ToString(), "k", "v"));
            Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => SharedState.SetStateAsync((StateScope)42, null, "k", "v"));
            Assert.ThrowsAsync<ArgumentException>(() => SharedState.SetStateAsync(StateScope.Session, id, " ", "v"));
            Assert.ThrowsAsync<ArgumentException>(() => SharedState.SetStateAsync(StateScope.Session, id, new string('k', Limits.MaxIdLength + 1), "v"));
            Assert.ThrowsAsync<ArgumentNullException>(() => SharedState.SetStateAsync(StateScope.Session, id, "k", null!));
            Assert.ThrowsAsync<ArgumentException>(() => SharedState.SetStateAsync(StateScope.Session, id, "k", new string('v', Limits.MaxContentLength + 1)));
            Assert.ThrowsAsync<ArgumentException>(() => SharedState.SetStateAsync(StateScope.Session, id, "k", "bad" + (char)0xD800));
            Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => SharedState.SetStateAsync(StateScope.Session, id, "k", "v", new StateWriteOptions { ExpectedVersion = -1 }));
            Assert.ThrowsAsync<ArgumentException>(() => SharedState.SetStateAsync(StateScope.Session, id, "k", "v", new StateWriteOptions { UpdatedBy = "" }));
            Assert.ThrowsAsync<SessionNotFoundException>(() => SharedState.SetStateAsync(StateScope.Session, Guid.CreateVersion7().ToString(), "k", "v"));
            Assert.ThrowsAsync<SessionNotFoundException>(() => SharedState.SetStateAsync(StateScope.Temp, Guid.CreateVersion7().ToString(), "k", "v"));
        }

        Assert.That(await SharedState.ListStateAsync(StateScope.Session, id), Is.Empty);
        Assert.That((await Store.GetSessionAsync(session.Id)).Version, Is.EqualTo(1));
    }

    [Test]
    [Category(RefusedWhenEncrypted)]
    public async Task ChangeFeed_ListsEveryChangeInVersionOrderWithItsKindAndAuthor()
    {
        var session = await CreateSessionAsync();
        await Store.AppendMessagesAsync(session.Id, [new NewMessage(MessageRole.User, "q") { AuthorId = "user" }, NewMessage.Assistant("a")]);
        await Corrections.EditMessageAsync(session.Id, 2, "a'", new CorrectionOptions { AuthorId = "writer" });
        await SharedState.SetStateAsync(StateScope.Session, session.Id.ToString(), "plan", "p", new StateWriteOptions { UpdatedBy = "researcher" });
        await SharedState.SetStateAsync(StateScope.Temp, session.Id.ToString(), "t", "not in the feed");
        await Corrections.DeleteMessageAsync(session.Id, 1);
        await Store.UpdateSessionAsync(session.Id, new SessionUpdate { Title = "t" });
        await Corrections.RewindAsync(session.Id, 0);
        await SharedState.DeleteStateAsync(StateScope.Session, session.Id.ToString(), "plan");

        var changes = await TakeChangesAsync(SharedState, session.Id, 0, 7);
        var tail = await TakeChangesAsync(SharedState, session.Id, 6, 2);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(changes.Select(c => c.Version), Is.EqualTo(Range(2, 8)));
            Assert.That(changes.Select(c => c.Kind), Is.EqualTo(new[]
            {
                SessionChangeKind.MessagesAppended, SessionChangeKind.MessageEdited, SessionChangeKind.StateSet, SessionChangeKind.MessageDeleted,
                SessionChangeKind.SessionUpdated, SessionChangeKind.Rewound, SessionChangeKind.StateDeleted,
            }));
            Assert.That((changes[0].FromSequence, changes[0].ToSequence, changes[0].AuthorId), Is.EqualTo(((long?)1, (long?)2, "user")));
            Assert.That((changes[1].FromSequence, changes[1].AuthorId), Is.EqualTo(((long?)2, "writer")));
            Assert.That((changes[2].StateKey, changes[2].AuthorId), Is.EqualTo(("plan", "researcher")));
            Assert.That(changes[5].ToSequence, Is.Zero);
            Assert.That(changes.Select(c => c.SessionId), Has.All.EqualTo(session.Id));
            Assert.That(tail.Select(c => c.Version), Is.EqualTo(new long[] { 7, 8 }));
        }
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task ChangeFeed_WaitsForAndDeliversAnotherWritersChange()
    {
        var session = await CreateSessionAsync();
        var watching = TakeChangesAsync(SharedState, session.Id, 1, 2);

        await AppendAsync(session.Id, "from the researcher");
        await SharedState.SetStateAsync(StateScope.Session, session.Id.ToString(), "status", "drafting");
        var changes = await watching;

        Assert.That(changes.Select(c => c.Kind), Is.EqualTo(new[] { SessionChangeKind.MessagesAppended, SessionChangeKind.StateSet }));
    }

    [Test]
    public async Task ChangeFeed_OfAnUnknownSessionOrWithBadArguments_Throws()
    {
        Assert.Throws<ArgumentException>(() => SharedState.WatchChangesAsync(Guid.Empty, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SharedState.WatchChangesAsync(Guid.CreateVersion7(), -1));
        Assert.ThrowsAsync<SessionNotFoundException>(() => TakeChangesAsync(SharedState, Guid.CreateVersion7(), 0, 1));
        await Task.CompletedTask;
    }

    [Test]
    public async Task Lease_IsExclusiveUntilReleasedOrExpired_AndRenewableByItsHolder()
    {
        var session = await CreateSessionAsync();
        var researcher = await Leases.TryAcquireLeaseAsync(session.Id, "researcher", TimeSpan.FromMinutes(1));
        var writerTooEarly = await Leases.TryAcquireLeaseAsync(session.Id, "writer", TimeSpan.FromMinutes(1));
        Time.Advance(TimeSpan.FromSeconds(30));
        var renewed = await Leases.TryAcquireLeaseAsync(session.Id, "researcher", TimeSpan.FromMinutes(1));
        Time.Advance(TimeSpan.FromSeconds(45));
        var writerStillBlocked = await Leases.TryAcquireLeaseAsync(session.Id, "writer", TimeSpan.FromMinutes(1));
        Time.Advance(TimeSpan.FromSeconds(15));
        var writerAfterExpiry = await Leases.TryAcquireLeaseAsync(session.Id, "writer", TimeSpan.FromMinutes(1));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(researcher?.ExpiresAt, Is.EqualTo(StartTime.AddMinutes(1)));
            Assert.That(writerTooEarly, Is.Null);
            Assert.That(renewed?.ExpiresAt, Is.EqualTo(StartTime.AddSeconds(90)));
            Assert.That(writerStillBlocked, Is.Null, "the renewal extended the lease");
            Assert.That(writerAfterExpiry?.Holder, Is.EqualTo("writer"));
            Assert.That(await Leases.ReleaseLeaseAsync(renewed!), Is.False, "a lapsed lease cannot release its successor's");
            Assert.That(await Leases.ReleaseLeaseAsync(writerAfterExpiry!), Is.True);
            Assert.That(await Leases.TryAcquireLeaseAsync(session.Id, "researcher", TimeSpan.FromMinutes(1)), Is.Not.Null);
        }
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task ConcurrentLeaseAttempts_ExactlyOneHolderWins()
    {
        var session = await CreateSessionAsync();
        var leases = await Task.WhenAll(Enumerable.Range(0, 8).Select(a => Task.Run(() => Leases.TryAcquireLeaseAsync(session.Id, $"agent{a}", TimeSpan.FromMinutes(1)))));
        Assert.That(leases.Count(l => l is not null), Is.EqualTo(1));
    }

    [Test]
    public async Task Lease_WithBadArguments_Throws()
    {
        var session = await CreateSessionAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.ThrowsAsync<ArgumentException>(() => Leases.TryAcquireLeaseAsync(session.Id, " ", TimeSpan.FromMinutes(1)));
            Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Leases.TryAcquireLeaseAsync(session.Id, "a", TimeSpan.Zero));
            Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Leases.TryAcquireLeaseAsync(session.Id, "a", TimeSpan.FromDays(2)));
            Assert.ThrowsAsync<SessionNotFoundException>(() => Leases.TryAcquireLeaseAsync(Guid.CreateVersion7(), "a", TimeSpan.FromMinutes(1)));
            Assert.ThrowsAsync<ArgumentNullException>(() => Leases.ReleaseLeaseAsync(null!));
            Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Leases.BeginTurnAsync(session.Id, new TurnOptions { Timeout = TimeSpan.FromSeconds(-1) }));
            Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Leases.BeginTurnAsync(session.Id, new TurnOptions { LeaseDuration = TimeSpan.Zero }));
            Assert.ThrowsAsync<SessionNotFoundException>(() => Leases.BeginTurnAsync(Guid.CreateVersion7()));
        }
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task Turns_AreSerialized_TheNextStartsWhenThePreviousEnds()
    {
        var session = await CreateSessionAsync();
        var first = await Leases.BeginTurnAsync(session.Id);
        var second = Leases.BeginTurnAsync(session.Id);
        Assert.That(second.IsCompleted, Is.False, "the second turn waits while the first holds the session");

        await AppendAsync(session.Id, "first turn's reply");
        await first.DisposeAsync();
        await using var next = await second;

        Assert.That(next.SessionId, Is.EqualTo(session.Id));
        Assert.That(next.Lease.Holder, Is.Not.EqualTo(first.Lease.Holder));
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task ConcurrentTurns_RunOneAtATime_AndEachSeesThePreviousReply()
    {
        var session = await CreateSessionAsync();
        int inside = 0;
        int overlaps = 0;
        await Task.WhenAll(Enumerable.Range(0, 6).Select(t => Task.Run(async () =>
        {
            await using var turn = await Leases.BeginTurnAsync(session.Id);
            if (Interlocked.Increment(ref inside) > 1)
            {
                Interlocked.Increment(ref overlaps);
            }

            var seen = await Store.CountMessagesAsync(session.Id);
            await Store.AppendMessagesAsync(session.Id, [NewMessage.User($"q{t}"), NewMessage.Assistant($"reply after {seen}")]);
            Interlocked.Decrement(ref inside);
        })));

        var messages = await ReadAllAsync(session.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(overlaps, Is.Zero);
            Assert.That(messages.Where(m => m.Role == MessageRole.Assistant).Select(m => m.Content), Is.EqualTo(Enumerable.Range(0, 6).Select(i => $"reply after {i * 2}")));
        }
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task Turn_WaitingLongerThanItsTimeout_ThrowsNamingTheSessionAndTimeout()
    {
        var session = await CreateSessionAsync();
        await using var held = await Leases.BeginTurnAsync(session.Id, new TurnOptions { LeaseDuration = TimeSpan.FromDays(1) });
        var waiting = Leases.BeginTurnAsync(session.Id, new TurnOptions { Timeout = TimeSpan.FromSeconds(5) });

        while (!waiting.IsCompleted)
        {
            Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Yield();
        }

        var ex = Assert.ThrowsAsync<SessionTurnTimeoutException>(() => waiting);
        Assert.That((ex!.SessionId, ex.Timeout), Is.EqualTo((session.Id, TimeSpan.FromSeconds(5))));
        Assert.That(ex.Message, Does.Contain(session.Id.ToString()));
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task Turn_HeldByACrashedHolder_IsFreedWhenItsLeaseLapses()
    {
        var session = await CreateSessionAsync();
        _ = await Leases.BeginTurnAsync(session.Id, new TurnOptions { LeaseDuration = TimeSpan.FromMinutes(1) });
        var waiting = Leases.BeginTurnAsync(session.Id, new TurnOptions { Timeout = TimeSpan.FromMinutes(5) });

        while (!waiting.IsCompleted)
        {
            Time.Advance(TimeSpan.FromSeconds(5));
            await Task.Yield();
        }

        await using var turn = await waiting;
        Assert.That(turn.SessionId, Is.EqualTo(session.Id));
    }

    [Test]
    public async Task EraseUser_DeletesTheUsersStateEntries_AndKeepsEveryoneElses()
    {
        var states = (ISessionStateStore)Store;
        await states.SetStateAsync(StateScope.User, "erased-user", "plan", "private plan");
        await states.SetStateAsync(StateScope.User, "other-user", "plan", "other plan");
        await states.SetStateAsync(StateScope.App, null, "model", "gpt");

        await ((ISessionPrivacyStore)Store).EraseUserAsync("erased-user");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await states.GetStateAsync(StateScope.User, "erased-user", "plan"), Is.Null);
            Assert.That((await states.GetStateAsync(StateScope.User, "other-user", "plan"))?.Value, Is.EqualTo("other plan"));
            Assert.That((await states.GetStateAsync(StateScope.App, null, "model"))?.Value, Is.EqualTo("gpt"));
        }
    }
}
