using System.Diagnostics.CodeAnalysis;
using BenchmarkDotNet.Attributes;
using SessionKit.Sqlite;

namespace SessionKit.Benchmarks;

/// <summary>
/// One-message appends on SQLite without embeddings (baseline) and with an embedding generator configured: embedding
/// happens in the background indexer, off the append path, so the ratio should be 1 within noise.
/// </summary>
[MemoryDiagnoser]
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "BenchmarkDotNet owns the lifecycle: [GlobalCleanup] disposes them.")]
public class EmbeddingAppendBenchmarks
{
    private const string UserId = "benchmark-user";

    private DirectoryInfo? _directory;
    private SqliteSessionStore _plain = null!;
    private SqliteSessionStore _embedding = null!;
    private Guid _plainSession;
    private Guid _embeddingSession;
    private NewMessage[] _message = [];

    /// <summary>Creates both stores in a temporary folder.</summary>
    /// <returns>A task that completes when both stores are ready.</returns>
    [GlobalSetup]
    public async Task SetupAsync()
    {
        _message = [NewMessage.User(SeededMessages.Create(1)[0])];
        _directory = Directory.CreateTempSubdirectory("sessionkit-benchmarks-embedding-append-");
        _plain = new SqliteSessionStore(new SqliteSessionStoreOptions { ConnectionString = Path.Combine(_directory.FullName, "plain.db") });
        _embedding = new SqliteSessionStore(new SqliteSessionStoreOptions { ConnectionString = Path.Combine(_directory.FullName, "embedding.db") });
        _embedding.UseEmbeddings(new HashingEmbeddingGenerator());
        _plainSession = (await _plain.CreateSessionAsync(UserId)).Id;
        _embeddingSession = (await _embedding.CreateSessionAsync(UserId)).Id;
    }

    /// <summary>Closes the stores and deletes the folder.</summary>
    /// <returns>A task that completes when the files are gone.</returns>
    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _plain.DisposeAsync();
        await _embedding.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory?.Delete(recursive: true);
    }

    /// <summary>Baseline: a store without embeddings.</summary>
    /// <returns>The append's result.</returns>
    [Benchmark(Baseline = true)]
    public Task<AppendResult> AppendWithoutEmbeddings() => _plain.AppendMessagesAsync(_plainSession, _message);

    /// <summary>The same append on a store with an embedding generator configured.</summary>
    /// <returns>The append's result.</returns>
    [Benchmark]
    public Task<AppendResult> AppendWithEmbeddings() => _embedding.AppendMessagesAsync(_embeddingSession, _message);
}
