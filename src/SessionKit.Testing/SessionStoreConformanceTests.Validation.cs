using NUnit.Framework;

namespace SessionKit.Testing;

// Invalid arguments and unknown sessions are rejected the same way by every backend, before anything is written.
public abstract partial class SessionStoreConformanceTests
{
    /// <summary>Every operation that names a session, as (store, session id, token) => task.</summary>
    private static readonly (string Name, Func<ISessionStore, Guid, CancellationToken, Task> Run)[] SessionOperations =
    [
        ("GetSession", (s, id, ct) => s.GetSessionAsync(id, ct)),
        ("FindSession", (s, id, ct) => s.FindSessionAsync(id, ct)),
        ("UpdateSession", (s, id, ct) => s.UpdateSessionAsync(id, new SessionUpdate { Title = "t" }, ct)),
        ("DeleteSession", (s, id, ct) => s.DeleteSessionAsync(id, ct)),
        ("AppendMessages", (s, id, ct) => s.AppendMessagesAsync(id, [NewMessage.User("x")], null, ct)),
        ("AppendMessage", (s, id, ct) => s.AppendMessageAsync(id, NewMessage.User("x"), null, ct)),
        ("GetLastMessages", (s, id, ct) => s.GetLastMessagesAsync(id, 5, ct)),
        ("GetMessages", (s, id, ct) => s.GetMessagesAsync(id, 1, 5, ct)),
        ("ReadAllMessages", (s, id, ct) => DrainAsync(s.ReadAllMessagesAsync(id, ct))),
        ("CountMessages", (s, id, ct) => s.CountMessagesAsync(id, ct)),
    ];

    /// <summary>Every operation of the store, including those that name a user rather than a session.</summary>
    private static readonly (string Name, Func<ISessionStore, Guid, CancellationToken, Task> Run)[] AllOperations =
    [
        ("CreateSession", (s, _, ct) => s.CreateSessionAsync("alice", null, ct)),
        ("ListSessions", (s, _, ct) => s.ListSessionsAsync("alice", null, ct)),
        .. SessionOperations,
    ];

    private static readonly HashSet<string> OperationsThatTolerateUnknownSessions = ["FindSession", "DeleteSession"];

    private static IEnumerable<TestCaseData> SessionOperationCases() =>
        SessionOperations.Select(op => new TestCaseData(op.Run).SetArgDisplayNames(op.Name));

    private static IEnumerable<TestCaseData> ThrowingOnUnknownSessionCases() =>
        SessionOperations.Where(op => !OperationsThatTolerateUnknownSessions.Contains(op.Name))
            .Select(op => new TestCaseData(op.Run).SetArgDisplayNames(op.Name));

    private static IEnumerable<TestCaseData> AllOperationCases() =>
        AllOperations.Select(op => new TestCaseData(op.Run).SetArgDisplayNames(op.Name));

    [TestCaseSource(nameof(SessionOperationCases))]
    public void AnySessionOperation_WithEmptySessionId_ThrowsArgumentException(Func<ISessionStore, Guid, CancellationToken, Task> operation)
    {
        var ex = Assert.ThrowsAsync<ArgumentException>(() => operation(Store, Guid.Empty, CancellationToken.None));

        Assert.That(ex?.ParamName, Is.EqualTo("sessionId"));
    }

    [TestCaseSource(nameof(ThrowingOnUnknownSessionCases))]
    public async Task SessionOperation_OnUnknownSession_ThrowsSessionNotFoundExceptionNamingIt(Func<ISessionStore, Guid, CancellationToken, Task> operation)
    {
        await CreateSessionAsync();
        var unknown = Guid.CreateVersion7();

        var ex = Assert.ThrowsAsync<SessionNotFoundException>(() => operation(Store, unknown, CancellationToken.None));

        Assert.That(ex?.SessionId, Is.EqualTo(unknown));
    }

    [Test]
    public async Task FindAndDelete_OnUnknownSession_ReturnNullAndFalse()
    {
        await CreateSessionAsync();
        var unknown = Guid.CreateVersion7();

        var found = await Store.FindSessionAsync(unknown);
        bool deleted = await Store.DeleteSessionAsync(unknown);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(found, Is.Null);
            Assert.That(deleted, Is.False);
        }
    }

    [Test]
    public void CreateSession_WithNullUserId_ThrowsArgumentNullException()
    {
        var ex = Assert.ThrowsAsync<ArgumentNullException>(() => Store.CreateSessionAsync(null!));

        Assert.That(ex?.ParamName, Is.EqualTo("userId"));
    }

    [TestCase("")]
    [TestCase(" ")]
    [TestCase("\t\r\n")]
    public async Task CreateSession_WithEmptyOrWhitespaceUserId_ThrowsArgumentExceptionAndStoresNothing(string userId)
    {
        var ex = Assert.ThrowsAsync<ArgumentException>(() => Store.CreateSessionAsync(userId));

        Assert.That(ex?.ParamName, Is.EqualTo("userId"));
        Assert.That((await Store.ListSessionsAsync("x")).Items, Is.Empty);
    }

    [Test]
    public async Task CreateSession_WithUserIdOverTheLimit_ThrowsArgumentException_AndAcceptsOneAtTheLimit()
    {
        string longest = new('u', Limits.MaxIdLength);

        Assert.ThrowsAsync<ArgumentException>(() => Store.CreateSessionAsync(longest + "u"));
        var session = await Store.CreateSessionAsync(longest);

        Assert.That((await Store.GetSessionAsync(session.Id)).UserId, Is.EqualTo(longest));
    }

    [Test]
    public void ListSessions_WithNullUserId_ThrowsArgumentNullException()
    {
        Assert.ThrowsAsync<ArgumentNullException>(() => Store.ListSessionsAsync(null!));
    }

    [TestCase("")]
    [TestCase("   ")]
    public void ListSessions_WithEmptyOrWhitespaceUserId_ThrowsArgumentException(string userId)
    {
        Assert.ThrowsAsync<ArgumentException>(() => Store.ListSessionsAsync(userId));
    }

    [Test]
    public async Task CreateSession_WithInvalidMetadata_ThrowsArgumentExceptionAndStoresNothing()
    {
        var tooMany = Enumerable.Range(0, Limits.MaxMetadataEntries + 1).ToDictionary(i => $"k{i}", i => "v");

        using (Assert.EnterMultipleScope())
        {
            Assert.ThrowsAsync<ArgumentException>(
                () => Store.CreateSessionAsync("alice", new SessionCreateOptions { Metadata = new Dictionary<string, string> { [""] = "v" } }));
            Assert.ThrowsAsync<ArgumentException>(
                () => Store.CreateSessionAsync("alice", new SessionCreateOptions { Metadata = new Dictionary<string, string> { ["k"] = null! } }));
            Assert.ThrowsAsync<ArgumentException>(
                () => Store.CreateSessionAsync("alice", new SessionCreateOptions { Metadata = tooMany }));
        }

        Assert.That((await Store.ListSessionsAsync("alice")).Items, Is.Empty);
    }

    [Test]
    public async Task AppendMessages_WithNullBatch_ThrowsArgumentNullException()
    {
        var session = await CreateSessionAsync();

        var ex = Assert.ThrowsAsync<ArgumentNullException>(() => Store.AppendMessagesAsync(session.Id, null!));

        Assert.That(ex?.ParamName, Is.EqualTo("messages"));
    }

    [Test]
    public async Task AppendMessage_WithNullMessage_ThrowsArgumentNullException()
    {
        var session = await CreateSessionAsync();

        Assert.ThrowsAsync<ArgumentNullException>(() => Store.AppendMessageAsync(session.Id, null!));
    }

    [Test]
    public async Task AppendMessages_WithEmptyBatch_ThrowsArgumentExceptionAndLeavesVersionUnchanged()
    {
        var session = await CreateSessionAsync();

        var ex = Assert.ThrowsAsync<ArgumentException>(() => Store.AppendMessagesAsync(session.Id, []));

        Assert.That(ex?.ParamName, Is.EqualTo("messages"));
        Assert.That((await Store.GetSessionAsync(session.Id)).Version, Is.EqualTo(1));
    }

    [TestCase(0)]
    [TestCase(-3)]
    public async Task ExpectedVersion_BelowOne_ThrowsArgumentOutOfRangeException(long expectedVersion)
    {
        var session = await CreateSessionAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.ThrowsAsync<ArgumentOutOfRangeException>(
                () => Store.AppendMessagesAsync(session.Id, [NewMessage.User("x")], new AppendOptions { ExpectedVersion = expectedVersion }));
            Assert.ThrowsAsync<ArgumentOutOfRangeException>(
                () => Store.UpdateSessionAsync(session.Id, new SessionUpdate { Title = "x", ExpectedVersion = expectedVersion }));
        }

        var found = await Store.GetSessionAsync(session.Id);
        Assert.That(found.Version, Is.EqualTo(1));
    }

    [Test]
    public async Task UpdateSession_WithNullUpdate_ThrowsArgumentNullException()
    {
        var session = await CreateSessionAsync();

        Assert.ThrowsAsync<ArgumentNullException>(() => Store.UpdateSessionAsync(session.Id, null!));
    }

    [Test]
    public async Task UpdateSession_WithInvalidMetadata_ThrowsArgumentExceptionAndChangesNothing()
    {
        var session = await Store.CreateSessionAsync("alice", new SessionCreateOptions { Title = "t" });

        Assert.ThrowsAsync<ArgumentException>(
            () => Store.UpdateSessionAsync(session.Id, new SessionUpdate { Title = "changed", Metadata = new Dictionary<string, string> { [""] = "v" } }));

        var found = await Store.GetSessionAsync(session.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(found.Title, Is.EqualTo("t"));
            Assert.That(found.Version, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task CreateSession_WithATitleOverTheLimit_ThrowsArgumentException_AndCreatesNothing()
    {
        string title = new('t', Limits.MaxTitleLength + 1);

        var ex = Assert.ThrowsAsync<ArgumentException>(() => Store.CreateSessionAsync("alice", new SessionCreateOptions { Title = title }));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex?.ParamName, Is.EqualTo("options"));
            Assert.That(ex?.Message, Does.Contain("SessionLimits.MaxTitleLength"));
            Assert.That((await Store.ListSessionsAsync("alice")).Items, Is.Empty);
        }
    }

    [Test]
    public async Task UpdateSession_WithATitleOverTheLimit_ThrowsArgumentException_AndChangesNothing()
    {
        var session = await Store.CreateSessionAsync("alice", new SessionCreateOptions { Title = new string('t', Limits.MaxTitleLength) });

        var ex = Assert.ThrowsAsync<ArgumentException>(
            () => Store.UpdateSessionAsync(session.Id, new SessionUpdate { Title = new string('x', 10 * 1024 * 1024) }));

        var found = await Store.GetSessionAsync(session.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex?.ParamName, Is.EqualTo("update"));
            Assert.That(found.Title, Is.EqualTo(session.Title), "a title exactly at the limit is accepted");
            Assert.That(found.Version, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task State_WithANullKey_ThrowsArgumentNullExceptionNamingKey_OnEveryOperation()
    {
        var session = await CreateSessionAsync();
        var state = (ISessionStateStore)Store;
        string scopeId = session.Id.ToString();

        var get = Assert.ThrowsAsync<ArgumentNullException>(() => state.GetStateAsync(StateScope.Session, scopeId, null!));
        var set = Assert.ThrowsAsync<ArgumentNullException>(() => state.SetStateAsync(StateScope.User, "alice", null!, "v"));
        var delete = Assert.ThrowsAsync<ArgumentNullException>(() => state.DeleteStateAsync(StateScope.App, null, null!));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(new[] { get?.ParamName, set?.ParamName, delete?.ParamName }, Is.All.EqualTo("key"));
            Assert.That(await state.ListStateAsync(StateScope.User, "alice"), Is.Empty);
            Assert.That(await state.ListStateAsync(StateScope.App, null), Is.Empty);
        }
    }

    private static async Task DrainAsync<T>(IAsyncEnumerable<T> source)
    {
        await foreach (var _ in source)
        {
        }
    }
}
