using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using Microsoft.Data.Sqlite;
using SessionKit.Sqlite;
using SessionKit.Storage;

namespace SessionKit.Benchmarks;

/// <summary>
/// A two-term search scoped to one user among <see cref="TotalMessages"/> stored messages (100 users, each with a
/// hundredth of them), on SQLite. The baseline is the same FTS5 query filtered by user the usual way, with a JOIN to the
/// sessions table, which is what SessionKit's in-MATCH user key avoids. Median and p95 are reported.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(PercentilesConfig))]
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "BenchmarkDotNet owns the lifecycle: [GlobalCleanup] disposes them.")]
public class SearchBenchmarks
{
    private const int Users = 100;
    private const int SessionsPerUser = 10;
    private const int DistinctTexts = 4_000;

    private static readonly string[] Queries = ["carbon sink", "ocean heat", "methane wetlands", "sea level", "permafrost thaw", "ice loss"];

    private string _folder = "";
    private SqliteSessionStore _store = null!;
    private SqliteConnection _raw = null!;
    private SqliteCommand _joinQuery = null!;
    private int _next;

    /// <summary>All messages stored, across 100 users (the targets: 100,000 and 1,000,000).</summary>
    [Params(100_000, 1_000_000)]
    public int TotalMessages { get; set; } = 100_000;

    /// <summary>What set-up did and how long it took, printed to the benchmark log.</summary>
    public string SetupReport { get; private set; } = "";

    /// <summary>Fills a SQLite file with <see cref="TotalMessages"/> seeded messages through the store (so the FTS index is built as in production).</summary>
    /// <returns>A task that completes when the data is stored.</returns>
    [GlobalSetup]
    public async Task SetupAsync()
    {
        _folder = Path.Combine(Path.GetTempPath(), "sessionkit-bench-search", Guid.CreateVersion7().ToString("N"));
        Directory.CreateDirectory(_folder);
        string path = Path.Combine(_folder, "search.db");
        _store = new SqliteSessionStore(new SqliteSessionStoreOptions { ConnectionString = $"Data Source={path}" });

        var clock = Stopwatch.StartNew();
        var texts = SeededConversation.Create(DistinctTexts, 30, 90, seed: 7);
        int perSession = Math.Max(1, TotalMessages / (Users * SessionsPerUser));
        int textIndex = 0;
        for (int user = 0; user < Users; user++)
        {
            for (int s = 0; s < SessionsPerUser; s++)
            {
                var session = await _store.CreateSessionAsync(UserId(user));
                for (int offset = 0; offset < perSession; offset += 1000)
                {
                    int size = Math.Min(1000, perSession - offset);
                    var batch = new NewMessage[size];
                    for (int i = 0; i < size; i++)
                    {
                        batch[i] = texts[textIndex++ % DistinctTexts];
                    }

                    await _store.AppendMessagesAsync(session.Id, batch);
                }
            }
        }

        _raw = new SqliteConnection($"Data Source={path};Pooling=False;Mode=ReadOnly");
        _raw.Open();
        _joinQuery = _raw.CreateCommand();
        _joinQuery.CommandText =
            "SELECT m.row_id, bm25(messages_fts, 1.0, 0.0) AS score FROM messages_fts JOIN messages m ON m.row_id = messages_fts.rowid " +
            "JOIN sessions s ON s.id = m.session_id WHERE messages_fts MATCH $match AND s.user_id = $user ORDER BY score LIMIT 20;";
        _joinQuery.Parameters.Add("$match", SqliteType.Text);
        _joinQuery.Parameters.Add("$user", SqliteType.Text);
        SetupReport = string.Create(CultureInfo.InvariantCulture, $"Stored {TotalMessages} messages for {Users} users in {clock.Elapsed.TotalSeconds:0.0} s ({path}).");
        Console.WriteLine(SetupReport);
    }

    /// <summary>Deletes the database folder.</summary>
    /// <returns>A task that completes when the files are gone.</returns>
    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _joinQuery.Dispose();
        _raw.Dispose();
        await _store.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>Baseline: the same terms, user filtered with a JOIN to the sessions table (scans every user's matches).</summary>
    /// <returns>The number of hits.</returns>
    [Benchmark(Baseline = true)]
    public int JoinFilteredFts()
    {
        var (user, query) = NextQuery();
        var terms = SearchText.QueryTerms(query);
        _joinQuery.Parameters["$match"].Value = "content : (" + string.Join(" OR ", terms.Select(t => $"\"{t}\"")) + ")";
        _joinQuery.Parameters["$user"].Value = user;
        int hits = 0;
        using var reader = _joinQuery.ExecuteReader();
        while (reader.Read())
        {
            hits++;
        }

        return hits;
    }

    /// <summary>SessionKit's <see cref="ISessionStore.SearchAsync"/>: a two-term query for one user, first page of 20 with snippets.</summary>
    /// <returns>The number of hits.</returns>
    [Benchmark]
    public async Task<int> StoreSearch()
    {
        var (user, query) = NextQuery();
        var results = await _store.SearchAsync(user, new SearchQuery { Text = query, Limit = 20 });
        return results.Items.Count;
    }

    private static string UserId(int index) => $"user-{index:D3}";

    private (string User, string Query) NextQuery()
    {
        int n = _next++;
        return (UserId(n * 37 % Users), Queries[n % Queries.Length]);
    }

    /// <summary>Adds the median and the 95th percentile of the measured iterations.</summary>
    public sealed class PercentilesConfig : ManualConfig
    {
        /// <summary>Creates the config.</summary>
        public PercentilesConfig() => AddColumn(StatisticColumn.P50, StatisticColumn.P95);
    }
}
