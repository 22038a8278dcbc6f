using System.Diagnostics.CodeAnalysis;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using SessionKit.Sqlite;
using SessionKit.Storage;

namespace SessionKit.Benchmarks;

/// <summary>
/// What an append costs through a SessionKit store, each against the floor of doing the same write by hand, token count
/// included (a store counts every message once, at append, and that count is what keeps context building flat): a raw
/// prepared SQLite INSERT with its FTS5 row and count, in its own transaction, for <see cref="SqliteSessionStore"/>; a
/// <see cref="List{T}"/> add behind a lock, after counting, for <see cref="InMemorySessionStore"/>.
/// </summary>
/// <remarks>
/// The SQLite files grow with every invocation, as a real store's do; each benchmark case runs in its own process with
/// fresh files, so a store and its baseline start from the same empty database.
/// </remarks>
[MemoryDiagnoser]
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "BenchmarkDotNet owns the lifecycle: [GlobalCleanup] disposes them.")]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class AppendBenchmarks
{
    /// <summary>One message per transaction.</summary>
    public const string SqliteSingleCategory = "SQLite, 1 message";

    /// <summary><see cref="BatchSize"/> messages per transaction.</summary>
    public const string SqliteBatchCategory = "SQLite, batch";

    /// <summary>One message, in process memory.</summary>
    public const string InMemoryCategory = "In memory, 1 message";

    /// <summary>One message on SQLite against <see cref="RawSqliteSameWritesLog"/>: the same writes by hand.</summary>
    public const string SqliteSameWritesCategory = "SQLite, 1 message, same writes";

    /// <summary>
    /// The in-memory session is replaced after this many appends (and the list cleared), so millions of invocations
    /// measure a steady state instead of an ever larger heap.
    /// </summary>
    public const int MessagesPerInMemorySession = 10_000;

    private const string UserId = "benchmark-user";

    private readonly Lock _listGate = new();
    private readonly List<SessionMessage> _list = [];
    private DirectoryInfo? _directory;
    private SqliteSessionStore? _sqliteStore;
    private RawSqliteMessageLog? _raw;
    private RawSqliteSameWritesLog? _sameWrites;
    private InMemorySessionStore? _inMemoryStore;
    private NewMessage[] _oneMessage = [];
    private NewMessage[] _batch = [];
    private string[] _oneContent = [];
    private string[] _batchContents = [];
    private Guid _storeSingleSession;
    private Guid _storeBatchSession;
    private Guid _storeSameWritesSession;
    private Guid _rawSingleSession;
    private Guid _rawBatchSession;
    private long _rawSingleSequence;
    private long _rawBatchSequence;
    private Guid _inMemorySession;
    private int _inMemorySessionMessages;
    private long _listSequence;

    /// <summary>How many messages one batch append carries.</summary>
    [Params(100)]
    public int BatchSize { get; set; } = 100;

    /// <summary>The temporary folder holding the SQLite files while set up, or <see langword="null"/>.</summary>
    public string? DatabaseDirectory => _directory?.FullName;

    /// <summary>Creates the stores and the raw database in a temporary folder, and seeds the messages.</summary>
    /// <returns>A task that completes when everything is ready.</returns>
    [GlobalSetup]
    public async Task SetupAsync()
    {
        _batchContents = SeededMessages.Create(BatchSize);
        _oneContent = [_batchContents[0]];
        _batch = [.. _batchContents.Select(NewMessage.User)];
        _oneMessage = [_batch[0]];

        _directory = Directory.CreateTempSubdirectory("sessionkit-benchmarks-");
        _sqliteStore = new SqliteSessionStore(new SqliteSessionStoreOptions
        {
            ConnectionString = Path.Combine(_directory.FullName, "store.db"),
            Synchronous = SqliteSynchronousMode.Normal,
        });
        _storeSingleSession = (await _sqliteStore.CreateSessionAsync(UserId)).Id;
        _storeBatchSession = (await _sqliteStore.CreateSessionAsync(UserId)).Id;
        _storeSameWritesSession = (await _sqliteStore.CreateSessionAsync(UserId)).Id;
        _sameWrites = await RawSqliteSameWritesLog.CreateAsync(Path.Combine(_directory.FullName, "same-writes.db"), UserId);

        _raw = new RawSqliteMessageLog(Path.Combine(_directory.FullName, "raw.db"));
        _rawSingleSession = _raw.CreateSession(UserId);
        _rawBatchSession = _raw.CreateSession(UserId);

        _inMemoryStore = new InMemorySessionStore();
        _inMemorySession = (await _inMemoryStore.CreateSessionAsync(UserId)).Id;
    }

    /// <summary>Closes the stores and deletes the temporary folder.</summary>
    /// <returns>A task that completes when the files are gone.</returns>
    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_sqliteStore is not null)
        {
            await _sqliteStore.DisposeAsync();
        }

        if (_inMemoryStore is not null)
        {
            await _inMemoryStore.DisposeAsync();
        }

        _raw?.Dispose();
        _sameWrites?.Dispose();
        _directory?.Delete(recursive: true);
    }

    /// <summary>Baseline: count the message's tokens, then one INSERT (with its FTS5 row) in its own transaction.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory(SqliteSingleCategory)]
    public void RawInsertOne() => _rawSingleSequence = Raw.Insert(_rawSingleSession, _rawSingleSequence, _oneContent);

    /// <summary>One message through <see cref="SessionStore.AppendMessagesAsync"/> of <see cref="SqliteSessionStore"/>.</summary>
    /// <returns>The append's result.</returns>
    [Benchmark]
    [BenchmarkCategory(SqliteSingleCategory)]
    public Task<AppendResult> SqliteStoreAppendOne() => SqliteStore.AppendMessagesAsync(_storeSingleSession, _oneMessage);

    /// <summary>Baseline: count each message's tokens, then <see cref="BatchSize"/> INSERTs (with their FTS5 rows) in one transaction.</summary>
    /// <summary>
    /// Baseline (the floor with the store's writes): one message by <see cref="RawSqliteSameWritesLog"/> — counted, the session
    /// row advanced, inserted with its search-index row, the change-log row written — in the store's schema.
    /// </summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory(SqliteSameWritesCategory)]
    public void RawSameWritesInsertOne() => SameWrites.Insert(_oneContent);

    /// <summary>One message through <see cref="SessionStore.AppendMessagesAsync"/> of <see cref="SqliteSessionStore"/>, against <see cref="RawSameWritesInsertOne"/>.</summary>
    /// <returns>The append's result.</returns>
    [Benchmark]
    [BenchmarkCategory(SqliteSameWritesCategory)]
    public Task<AppendResult> SqliteStoreAppendOneSameWrites() => SqliteStore.AppendMessagesAsync(_storeSameWritesSession, _oneMessage);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(SqliteBatchCategory)]
    public void RawInsertBatch() => _rawBatchSequence = Raw.Insert(_rawBatchSession, _rawBatchSequence, _batchContents);

    /// <summary><see cref="BatchSize"/> messages in one <see cref="SessionStore.AppendMessagesAsync"/> of <see cref="SqliteSessionStore"/>.</summary>
    /// <returns>The append's result.</returns>
    [Benchmark]
    [BenchmarkCategory(SqliteBatchCategory)]
    public Task<AppendResult> SqliteStoreAppendBatch() => SqliteStore.AppendMessagesAsync(_storeBatchSession, _batch);

    /// <summary>Baseline: count the message's tokens, build the stored message (id, sequence, time, count) and add it to a list under a lock.</summary>
    /// <returns>The stored message.</returns>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory(InMemoryCategory)]
    public SessionMessage LockedListAdd()
    {
        var now = TimeProvider.System.GetUtcNow();
        int tokens = SharpTokenCounter.Default.CountMessageTokens(MessageRole.User, _oneContent[0]);
        lock (_listGate)
        {
            if (_list.Count == MessagesPerInMemorySession)
            {
                _list.Clear();
            }

            var message = new SessionMessage
            {
                Id = Guid.CreateVersion7(now),
                SessionId = _inMemorySession,
                Sequence = ++_listSequence,
                Role = MessageRole.User,
                Content = _oneContent[0],
                CreatedAt = now,
                TokenCount = tokens,
                TokenEncoding = SharpTokenCounter.Default.EncodingName,
            };
            _list.Add(message);
            return message;
        }
    }

    /// <summary>One message through <see cref="SessionStore.AppendMessagesAsync"/> of <see cref="InMemorySessionStore"/>.</summary>
    /// <returns>The append's result.</returns>
    [Benchmark]
    [BenchmarkCategory(InMemoryCategory)]
    public Task<AppendResult> InMemoryStoreAppendOne()
    {
        var store = InMemoryStore;
        if (_inMemorySessionMessages == MessagesPerInMemorySession)
        {
            ReplaceInMemorySession(store);
        }

        _inMemorySessionMessages++;
        return store.AppendMessagesAsync(_inMemorySession, _oneMessage);
    }

    /// <summary>How many messages each target holds now; after one invocation of every benchmark, 1 or <see cref="BatchSize"/> each.</summary>
    /// <returns>The counts.</returns>
    public async Task<AppendedMessageCounts> CountMessagesAsync() => new(
        SqliteStoreSingle: await SqliteStore.CountMessagesAsync(_storeSingleSession),
        SqliteStoreBatch: await SqliteStore.CountMessagesAsync(_storeBatchSession),
        RawSingle: Raw.Count(_rawSingleSession),
        RawBatch: Raw.Count(_rawBatchSession),
        InMemoryStore: await InMemoryStore.CountMessagesAsync(_inMemorySession),
        LockedList: _list.Count,
        SqliteStoreSameWrites: await SqliteStore.CountMessagesAsync(_storeSameWritesSession),
        RawSameWrites: SameWrites.Count());

    private SqliteSessionStore SqliteStore => _sqliteStore ?? throw NotSetUp();

    private RawSqliteMessageLog Raw => _raw ?? throw NotSetUp();

    private RawSqliteSameWritesLog SameWrites => _sameWrites ?? throw NotSetUp();

    private InMemorySessionStore InMemoryStore => _inMemoryStore ?? throw NotSetUp();

    private static InvalidOperationException NotSetUp() => new($"{nameof(SetupAsync)} has not run.");

    // The in-memory store completes synchronously, so waiting on its tasks here blocks nothing.
    private void ReplaceInMemorySession(InMemorySessionStore store)
    {
        store.DeleteSessionAsync(_inMemorySession).GetAwaiter().GetResult();
        _inMemorySession = store.CreateSessionAsync(UserId).GetAwaiter().GetResult().Id;
        _inMemorySessionMessages = 0;
    }
}
