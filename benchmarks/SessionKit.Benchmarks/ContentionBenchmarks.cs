using System.Diagnostics.CodeAnalysis;
using BenchmarkDotNet.Attributes;
using SessionKit.Sqlite;
using SessionKit.Storage;

namespace SessionKit.Benchmarks;

/// <summary>
/// Appends under contention: 8 concurrent writers on one session and on 8 sessions, against 1 writer doing the same number
/// of single-message appends (the baseline). Each invocation makes <see cref="Appends"/> appends, so the reported time is
/// per message: messages/s = 1 / mean.
/// </summary>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "BenchmarkDotNet owns the lifecycle: [GlobalCleanup] disposes them.")]
public class ContentionBenchmarks
{
    /// <summary>Concurrent writers in the contended cases.</summary>
    public const int Writers = 8;

    /// <summary>Appends per writer per invocation.</summary>
    public const int AppendsPerWriter = 250;

    /// <summary>Appends per invocation, whoever makes them.</summary>
    public const int Appends = Writers * AppendsPerWriter;

    private const string UserId = "benchmark-user";

    private readonly List<Guid> _sessions = [];
    private DirectoryInfo? _directory;
    private SessionStore? _store;

    /// <summary>The store under test.</summary>
    [Params(StoreBackend.InMemory, StoreBackend.Sqlite)]
    public StoreBackend Backend { get; set; }

    private SessionStore Store => _store ?? throw new InvalidOperationException("Not set up.");

    /// <summary>Creates the store (SQLite: a file in a temporary folder).</summary>
    [GlobalSetup]
    public void Setup()
    {
        if (Backend == StoreBackend.Sqlite)
        {
            _directory = Directory.CreateTempSubdirectory("sessionkit-benchmarks-");
            _store = new SqliteSessionStore(new SqliteSessionStoreOptions { ConnectionString = Path.Combine(_directory.FullName, "contention.db") });
        }
        else
        {
            _store = new InMemorySessionStore();
        }
    }

    /// <summary>Closes the store and deletes the temporary folder.</summary>
    /// <returns>A task that completes when the files are gone.</returns>
    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        _directory?.Delete(recursive: true);
    }

    /// <summary>Baseline: one writer appends <see cref="Appends"/> messages to one session, one at a time.</summary>
    /// <returns>A task that completes when all are stored.</returns>
    [Benchmark(Baseline = true, OperationsPerInvoke = Appends)]
    public async Task OneWriter()
    {
        var session = await NewSessionAsync();
        await WriteAsync(session, 0, Appends);
    }

    /// <summary>Eight writers append to one session at once.</summary>
    /// <returns>A task that completes when all are stored.</returns>
    [Benchmark(OperationsPerInvoke = Appends)]
    public async Task EightWritersOneSession()
    {
        var session = await NewSessionAsync();
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(() => WriteAsync(session, w, AppendsPerWriter))));
    }

    /// <summary>Eight writers append to eight sessions at once, one each.</summary>
    /// <returns>A task that completes when all are stored.</returns>
    [Benchmark(OperationsPerInvoke = Appends)]
    public async Task EightWritersEightSessions()
    {
        var sessions = new Guid[Writers];
        for (int w = 0; w < Writers; w++)
        {
            sessions[w] = await NewSessionAsync();
        }

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(() => WriteAsync(sessions[w], w, AppendsPerWriter))));
    }

    /// <summary>Counts the messages stored in every session the benchmarks created (for the smoke test).</summary>
    /// <returns>The total.</returns>
    public async Task<long> CountMessagesAsync()
    {
        long total = 0;
        foreach (var session in _sessions)
        {
            total += await Store.CountMessagesAsync(session);
        }

        return total;
    }

    private async Task<Guid> NewSessionAsync()
    {
        var id = (await Store.CreateSessionAsync(UserId)).Id;
        lock (_sessions)
        {
            _sessions.Add(id);
        }

        return id;
    }

    private async Task WriteAsync(Guid sessionId, int writer, int count)
    {
        for (int i = 0; i < count; i++)
        {
            await Store.AppendMessagesAsync(sessionId, [NewMessage.User($"writer {writer} message {i}")]);
        }
    }
}
