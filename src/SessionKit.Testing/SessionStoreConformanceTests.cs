using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using SessionKit.Storage;

namespace SessionKit.Testing;

/// <summary>
/// The behaviour every <see cref="ISessionStore"/> backend must show. A backend's test project subclasses this fixture and
/// supplies the store from <see cref="CreateStore"/>; every test gets a fresh store and a fresh <see cref="FakeTimeProvider"/>.
/// </summary>
/// <remarks>
/// <para>The suite runs with <see cref="CreateLimits"/>: the default limits except <see cref="SessionLimits.MaxContentLength"/>,
/// lowered to 100,000 characters so the "largest message" and "oversized message" tests stay cheap. Tests read the limits
/// from <see cref="Limits"/>, so a backend may override <see cref="CreateLimits"/> with other (valid) values.</para>
/// <para>The fixture is split by topic into partial files (content, sessions, appends, reads, listing, validation, lifetime,
/// concurrency); this file holds the set-up and the helpers they share.</para>
/// </remarks>
public abstract partial class SessionStoreConformanceTests
{
    /// <summary>The instant the fake clock starts at in every test.</summary>
    protected static readonly DateTimeOffset StartTime = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private FakeTimeProvider? _time;
    private ISessionStore? _store;
    private SessionLimits? _limits;

    /// <summary>The clock the store was created with; advance it to move time forward.</summary>
    protected FakeTimeProvider Time => _time ?? throw new InvalidOperationException("The fixture has not been set up.");

    /// <summary>The store under test, created for each test.</summary>
    protected ISessionStore Store => _store ?? throw new InvalidOperationException("The fixture has not been set up.");

    /// <summary>The limits the store was created with.</summary>
    protected SessionLimits Limits => _limits ?? throw new InvalidOperationException("The fixture has not been set up.");

    /// <summary>Creates the backend under test.</summary>
    /// <param name="timeProvider">The clock the store must take every timestamp from.</param>
    /// <param name="limits">The limits the store must enforce.</param>
    /// <returns>A new, empty store.</returns>
    protected abstract ISessionStore CreateStore(TimeProvider timeProvider, SessionLimits limits);

    /// <summary>The limits the suite runs with (see the remarks on the class).</summary>
    /// <returns>New limits for one test.</returns>
    protected virtual SessionLimits CreateLimits() => new() { MaxContentLength = 100_000 };

    /// <summary>
    /// Opens a second store over the same data as the one <see cref="CreateStore"/> made last (another process on the same
    /// database file, another server on the same database), for the tests of what one instance sees of another's writes:
    /// its caches must follow them. The default, <see langword="null"/>, is for backends whose data lives in the store
    /// instance (in memory); those tests then write through the store under test itself.
    /// </summary>
    /// <param name="timeProvider">The clock the store must take every timestamp from.</param>
    /// <param name="limits">The limits the store must enforce.</param>
    /// <returns>A new store on the same data, which the test disposes, or <see langword="null"/>.</returns>
    protected virtual ISessionStore? CreateStoreOnSameData(TimeProvider timeProvider, SessionLimits limits) => null;

    /// <summary>Runs after the store was disposed, for example to delete a backend's temporary files.</summary>
    /// <returns>A task that completes when clean-up is done.</returns>
    protected virtual Task OnTearDownAsync() => Task.CompletedTask;

    /// <summary>Creates the clock and the store for one test.</summary>
    [SetUp]
    public void SetUpStore()
    {
        _time = new FakeTimeProvider(StartTime);
        _limits = CreateLimits();
        _store = CreateStore(_time, _limits);
        if (_store is SessionStore { IsEncrypted: true } && IsRefusedWhenEncrypted(TestContext.CurrentContext.Test.MethodName))
        {
            // Edits, forks and persisted state are refused with NotSupportedException when encryption is on (see the
            // encryption tests); the rest of this suite runs encrypted too.
            Assert.Ignore("Refused when encryption at rest is on (NotSupportedException).");
        }
    }

    private bool IsRefusedWhenEncrypted(string? methodName) =>
        methodName is not null
        && GetType().GetMethods().Where(m => m.Name == methodName)
            .SelectMany(m => m.GetCustomAttributes(typeof(CategoryAttribute), inherit: true).Cast<CategoryAttribute>())
            .Any(c => c.Name == RefusedWhenEncrypted);

    /// <summary>The category of tests that edit, fork or store state: operations an encrypted store refuses.</summary>
    protected const string RefusedWhenEncrypted = "RefusedWhenEncrypted";

    /// <summary>Disposes the store (tests may already have) and lets the backend clean up.</summary>
    /// <returns>A task that completes when the store is disposed.</returns>
    [TearDown]
    public async Task TearDownStoreAsync()
    {
        try
        {
            if (_store is not null)
            {
                await DisposeStoreAsync();
            }
        }
        finally
        {
            _store = null;
            await OnTearDownAsync();
        }
    }

    /// <summary>Disposes the store under test now (the tear-down tolerates a second disposal).</summary>
    /// <returns>A task that completes when the store is disposed.</returns>
    protected Task DisposeStoreAsync() => DisposeAsync(Store);

    /// <summary>Disposes a store created by <see cref="CreateStore"/>, failing the test if it is not disposable.</summary>
    /// <param name="store">The store.</param>
    /// <returns>A task that completes when the store is disposed.</returns>
    protected static async Task DisposeAsync(ISessionStore store)
    {
        switch (store)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
            default:
                Assert.Fail("A session store must be disposable.");
                break;
        }
    }

    /// <summary>Creates a session for <paramref name="userId"/>.</summary>
    /// <param name="userId">The owner.</param>
    /// <param name="options">Title and metadata.</param>
    /// <returns>The new session.</returns>
    protected Task<Session> CreateSessionAsync(string userId = "alice", SessionCreateOptions? options = null) =>
        Store.CreateSessionAsync(userId, options);

    /// <summary>Creates <paramref name="count"/> sessions, advancing the clock one second before each so their order is known.</summary>
    /// <param name="userId">The owner.</param>
    /// <param name="count">How many.</param>
    /// <returns>The sessions, oldest first.</returns>
    protected async Task<List<Session>> CreateSessionsAsync(string userId, int count)
    {
        var sessions = new List<Session>(count);
        for (int i = 0; i < count; i++)
        {
            Time.Advance(TimeSpan.FromSeconds(1));
            sessions.Add(await Store.CreateSessionAsync(userId, new SessionCreateOptions { Title = $"session {i}" }));
        }

        return sessions;
    }

    /// <summary>Appends one user message per text, in one batch.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="contents">The texts.</param>
    /// <returns>The append's result.</returns>
    protected Task<AppendResult> AppendAsync(Guid sessionId, params string[] contents) =>
        Store.AppendMessagesAsync(sessionId, contents.Select(NewMessage.User).ToList());

    /// <summary>Appends <paramref name="count"/> user messages "m1", "m2", … in as few batches as the limits allow.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="count">How many.</param>
    /// <returns>A task that completes when all are stored.</returns>
    protected async Task AppendNumberedAsync(Guid sessionId, int count)
    {
        int next = 1;
        while (next <= count)
        {
            int batch = Math.Min(Limits.MaxMessagesPerAppend, count - next + 1);
            await Store.AppendMessagesAsync(sessionId, Enumerable.Range(next, batch).Select(i => NewMessage.User($"m{i}")).ToList());
            next += batch;
        }
    }

    /// <summary>Reads a session's whole history through <see cref="ISessionStore.ReadAllMessagesAsync"/>.</summary>
    /// <param name="sessionId">The session.</param>
    /// <returns>The messages, in the order they were streamed.</returns>
    protected async Task<List<SessionMessage>> ReadAllAsync(Guid sessionId)
    {
        var messages = new List<SessionMessage>();
        await foreach (var message in Store.ReadAllMessagesAsync(sessionId))
        {
            messages.Add(message);
        }

        return messages;
    }

    /// <summary>Follows <see cref="SessionPage.NextCursor"/> from the first page to the last.</summary>
    /// <param name="userId">The owner.</param>
    /// <param name="pageSize">The page size.</param>
    /// <returns>The pages, in order.</returns>
    protected async Task<List<SessionPage>> ListAllPagesAsync(string userId, int pageSize)
    {
        var pages = new List<SessionPage>();
        string? cursor = null;
        do
        {
            var page = await Store.ListSessionsAsync(userId, new SessionListOptions { PageSize = pageSize, Cursor = cursor });
            pages.Add(page);
            cursor = page.NextCursor;
            if (pages.Count > 10_000)
            {
                Assert.Fail("Paging did not terminate.");
            }
        }
        while (cursor is not null);

        return pages;
    }

    /// <summary>The ids of a user's sessions, in listing order, read in one page.</summary>
    /// <param name="userId">The owner.</param>
    /// <returns>The ids.</returns>
    protected async Task<List<Guid>> ListIdsAsync(string userId)
    {
        var page = await Store.ListSessionsAsync(userId, new SessionListOptions { PageSize = SessionListOptions.MaxPageSize });
        return page.Items.Select(s => s.Id).ToList();
    }

    /// <summary>The sequences of some messages.</summary>
    /// <param name="messages">The messages.</param>
    /// <returns>Their sequences, in the same order.</returns>
    protected static long[] Sequences(IEnumerable<SessionMessage> messages) => messages.Select(m => m.Sequence).ToArray();

    /// <summary>The inclusive range of sequences from <paramref name="from"/> to <paramref name="to"/>.</summary>
    /// <param name="from">The first.</param>
    /// <param name="to">The last.</param>
    /// <returns>The sequences.</returns>
    protected static long[] Range(long from, long to) => from > to ? [] : Enumerable.Range(0, checked((int)(to - from + 1))).Select(i => from + i).ToArray();

    /// <summary>A token that is already cancelled.</summary>
    /// <returns>The token.</returns>
    protected static CancellationToken CancelledToken() => new(canceled: true);
}
