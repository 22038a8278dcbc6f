using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using SessionKit.Sqlite;
using SessionKit.Storage;

namespace SessionKit.Benchmarks;

/// <summary>
/// Semantic and hybrid search over one user's <see cref="Messages"/> embedded messages (384 dimensions) on SQLite (and in
/// memory: <see cref="Backend"/>), with <see cref="OtherUsers"/> other users holding as many in the same store, against the
/// floor of an exact search: a plain
/// loop over the same vectors held as float arrays in memory, keeping the best 20. The query is embedded by a cheap
/// deterministic generator, so the figures are SessionKit's cost, not a model's. Searches after the first are served by
/// the store's vector cache (validated against the file on every search; <see cref="VectorCacheVariable"/>=<c>0</c> turns it
/// off). Median and p95 are reported.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(SearchBenchmarks.PercentilesConfig))]
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "BenchmarkDotNet owns the lifecycle: [GlobalCleanup] disposes them.")]
public class SemanticSearchBenchmarks
{
    private const string UserId = "user-semantic";
    private const int Limit = 20;

    /// <summary>How many other users hold as many embedded messages in the same database.</summary>
    public const int OtherUsers = 2;

    private static readonly string[] Queries = ["carbon sink", "how warm do the oceans get", "methane from wetlands", "rising seas", "thawing ground", "ice loss"];

    private readonly HashingEmbeddingGenerator _generator = new();
    private string _folder = "";
    private SessionStore _store = null!;
    private float[][] _vectors = [];
    private float[][] _queryVectors = [];
    private int _next;
    private Guid _newestSession;

    /// <summary>Set to <c>0</c> to turn the store's vector cache off (<see cref="SessionStore.VectorCacheCapacity"/>), so every search scans the stored vectors.</summary>
    public const string VectorCacheVariable = "SESSIONKIT_BENCH_VECTOR_CACHE";

    /// <summary>The store: SQLite first; only one when <see cref="ContextBuildBenchmarks.BackendVariable"/> names it.</summary>
    [ParamsSource(nameof(Backends))]
    public StoreBackend Backend { get; set; } = StoreBackend.Sqlite;

    /// <summary>SQLite and in memory; only one when <see cref="ContextBuildBenchmarks.BackendVariable"/> names it.</summary>
    /// <returns>The backends.</returns>
    public static IEnumerable<StoreBackend> Backends() =>
        Enum.TryParse<StoreBackend>(Environment.GetEnvironmentVariable(ContextBuildBenchmarks.BackendVariable), ignoreCase: true, out var only)
            ? [only]
            : [StoreBackend.Sqlite, StoreBackend.InMemory];

    /// <summary>How many messages the user has, all embedded (the issue's target: 10,000).</summary>
    [Params(10_000)]
    public int Messages { get; set; } = 10_000;

    /// <summary>What set-up did and how long it took, printed to the benchmark log.</summary>
    public string SetupReport { get; private set; } = "";

    /// <summary>Stores and embeds the messages, and keeps a copy of the vectors in memory for the floor.</summary>
    /// <returns>A task that completes when the data is stored and embedded.</returns>
    [GlobalSetup]
    public async Task SetupAsync()
    {
        _folder = Path.Combine(Path.GetTempPath(), "sessionkit-bench-semantic", Guid.CreateVersion7().ToString("N"));
        Directory.CreateDirectory(_folder);
        string path = Path.Combine(_folder, "semantic.db");
        _store = Backend == StoreBackend.InMemory
            ? new InMemorySessionStore()
            : new SqliteSessionStore(new SqliteSessionStoreOptions { ConnectionString = $"Data Source={path}" });
        _store.UseEmbeddings(_generator);
        if (string.Equals(Environment.GetEnvironmentVariable(VectorCacheVariable), "0", StringComparison.Ordinal))
        {
            _store.VectorCacheCapacity = 0;
        }


        var clock = Stopwatch.StartNew();
        var texts = SeededConversation.Create(Messages, 30, 90, seed: 11);
        for (int user = 0; user <= OtherUsers; user++)
        {
            // Other users' messages go in first, so the user's rows are not the first pages of the file.
            string owner = user < OtherUsers ? $"other-{user}" : UserId;
            var ownTexts = user < OtherUsers ? SeededConversation.Create(Messages, 30, 90, seed: 100 + user) : texts;
            for (int offset = 0; offset < Messages; offset += 1000)
            {
                var session = await _store.CreateSessionAsync(owner);
                await _store.AppendMessagesAsync(session.Id, ownTexts.Skip(offset).Take(1000).ToArray());
                _newestSession = session.Id;
            }
        }

        long embedded = await new EmbeddingIndexer(_store, batchSize: 256).DrainAsync() - ((long)OtherUsers * Messages);
        _vectors = [.. texts.Select(t => Unit(_generator.Vector(t.Content)))];
        _queryVectors = [.. Queries.Select(q => Unit(_generator.Vector(q)))];
        SetupReport = string.Create(CultureInfo.InvariantCulture, $"Stored and embedded {embedded} of {Messages} messages for one user (and {OtherUsers} others) in {clock.Elapsed.TotalSeconds:0.0} s ({(Backend == StoreBackend.InMemory ? "in memory" : path)}, vector cache {_store.VectorCacheCapacity} bytes).");
        Console.WriteLine(SetupReport);
    }

    /// <summary>Deletes the database folder.</summary>
    /// <returns>A task that completes when the files are gone.</returns>
    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>Floor: exact top-20 by dot product over the vectors as float arrays in memory (query already embedded).</summary>
    /// <returns>The index of the best match.</returns>
    [Benchmark(Baseline = true)]
    public int BruteForceFloor()
    {
        var query = _queryVectors[_next++ % _queryVectors.Length];
        var best = new PriorityQueue<int, float>(Limit + 1);
        for (int i = 0; i < _vectors.Length; i++)
        {
            var vector = _vectors[i];
            float dot = 0;
            for (int d = 0; d < vector.Length; d++)
            {
                dot += vector[d] * query[d];
            }

            best.Enqueue(i, dot);
            if (best.Count > Limit)
            {
                best.Dequeue();
            }
        }

        int top = -1;
        while (best.TryDequeue(out int index, out _))
        {
            top = index;
        }

        return top;
    }

    /// <summary>SessionKit's semantic search: embed the query, exact cosine over the user's vectors in the store, first page of 20 with snippets.</summary>
    /// <returns>The number of hits.</returns>
    [Benchmark]
    public async Task<int> SemanticSearch()
    {
        var results = await _store.SearchAsync(UserId, new SearchQuery { Text = Queries[_next++ % Queries.Length], Mode = SearchMode.Semantic, Limit = Limit });
        return results.Items.Count;
    }

    /// <summary>SessionKit's hybrid search: BM25 and cosine rankings (50 candidates each) fused by normalized scores, first page of 20.</summary>
    /// <returns>The number of hits.</returns>
    [Benchmark]
    public async Task<int> HybridSearch()
    {
        var results = await _store.SearchAsync(UserId, new SearchQuery { Text = Queries[_next++ % Queries.Length], Mode = SearchMode.Hybrid, Limit = Limit });
        return results.Items.Count;
    }

    /// <summary>
    /// One turn: the user's next message is appended to their newest session (not embedded yet, as before the indexer
    /// runs), then a hybrid search. On SQLite the word half brings the user's lexical window up to date from what changed
    /// (the one session's new row) and FTS5's per-word document counts are taken again (every write changes them); on
    /// either backend the vector cache stays valid (no vector changed). Includes the append itself.
    /// </summary>
    /// <returns>The number of hits.</returns>
    [Benchmark]
    public async Task<int> AppendThenHybridSearch()
    {
        int turn = _next++;
        await _store.AppendMessagesAsync(_newestSession, [NewMessage.User(string.Create(CultureInfo.InvariantCulture, $"Turn {turn}: {Queries[turn % Queries.Length]} again, and what changed since?"))]);
        var results = await _store.SearchAsync(UserId, new SearchQuery { Text = Queries[turn % Queries.Length], Mode = SearchMode.Hybrid, Limit = Limit });
        return results.Items.Count;
    }

    private static float[] Unit(float[] vector)
    {
        double norm = Math.Sqrt(vector.Sum(x => (double)x * x));
        return [.. vector.Select(x => (float)(x / norm))];
    }
}
