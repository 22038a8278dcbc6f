using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using Microsoft.Data.Sqlite;
using SessionKit.Sqlite;

namespace SessionKit.Benchmarks;

/// <summary>
/// A two-term search scoped to one user among <see cref="TotalMessages"/> stored messages of 100 users, on SQLite, over a
/// <see cref="ZipfCorpus"/> vocabulary (32,000 distinct words, Zipf exponent 1.05, messages of 20–60 words), first page
/// of 20. The floor is the same FTS5 query with the raw SQLite API — the user filter inside the MATCH, bm25 ordering, the
/// page's ids and text read — without snippets; <see cref="FtsWithSnippets"/> adds FTS5's <c>snippet()</c> for the page.
/// Set-up checks that the store returns the floor's scores in the floor's order. Median and p95 are reported.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(PercentilesConfig))]
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "BenchmarkDotNet owns the lifecycle: [GlobalCleanup] disposes them.")]
public class SearchBenchmarks
{
    private const int PageSize = 20;

    /// <summary>Corpora smaller than this seed in seconds and are not cached (smoke runs leave no files behind).</summary>
    public const int CachedFromMessages = 50_000;

    // The floor: rank inside FTS5 first (carrying only the rowid and score), then read the page's rows. The page size is
    // a literal: SQLite plans a bound LIMIT measurably slower, and the floor should be the fastest form of the query.
    private const string FloorSql =
        "WITH ranked AS (SELECT rowid AS row_id, bm25(messages_fts, 1.0, 0.0) AS score FROM messages_fts " +
        "WHERE messages_fts MATCH $match ORDER BY score LIMIT 20) " +
        "SELECT m.id, m.content, r.score FROM ranked r JOIN messages m ON m.row_id = r.row_id ORDER BY r.score;";

    // The floor plus FTS5's snippet() for the returned page (the phrase positions need the MATCH again).
    private const string SnippetSql =
        "WITH ranked AS (SELECT rowid AS row_id, bm25(messages_fts, 1.0, 0.0) AS score FROM messages_fts " +
        "WHERE messages_fts MATCH $match ORDER BY score LIMIT 20) " +
        "SELECT m.id, m.content, r.score, snippet(messages_fts, 0, '<mark>', '</mark>', '…', 12) " +
        "FROM ranked r JOIN messages m ON m.row_id = r.row_id JOIN messages_fts ON messages_fts.rowid = r.row_id " +
        "WHERE messages_fts MATCH $match ORDER BY r.score;";

    private SearchCorpusDatabase _database = null!;
    private SqliteSessionStore _store = null!;
    private SqliteConnection _raw = null!;
    private SqliteCommand _floor = null!;
    private SqliteCommand _snippets = null!;
    private (string User, string Query, string Match)[] _rotation = [];
    private int _next;

    /// <summary>All messages stored, across 100 users (the issue's target is at 1,000,000).</summary>
    [Params(100_000, 1_000_000)]
    public int TotalMessages { get; set; } = 100_000;

    /// <summary>
    /// Where seeded database files of <see cref="CachedFromMessages"/> messages or more are kept between runs (one per
    /// corpus size and schema version), or <see langword="null"/> to seed a throw-away file every time. Defaults to a
    /// folder under the temp directory.
    /// </summary>
    public string? CacheFolder { get; set; } = Path.Combine(Path.GetTempPath(), "sessionkit-bench-cache");

    /// <summary>What set-up did, how long it took and how many messages the queries match, printed to the benchmark log.</summary>
    public string SetupReport { get; private set; } = "";

    /// <summary>How many of the searching user's messages each (user, query) pair of the rotation matches.</summary>
    public IReadOnlyList<long> MatchCounts { get; private set; } = [];

    /// <summary>Opens (or seeds) the corpus file, prepares the raw queries, and checks the store ranks as the floor does.</summary>
    /// <returns>A task that completes when the data is ready.</returns>
    [GlobalSetup]
    public async Task SetupAsync()
    {
        _database = await SearchCorpusDatabase.OpenOrSeedAsync(TotalMessages, Cache);
        _store = new SqliteSessionStore(new SqliteSessionStoreOptions { ConnectionString = $"Data Source={_database.Path}" });
        _raw = new SqliteConnection($"Data Source={_database.Path};Pooling=False;Mode=ReadOnly");
        _raw.Open();
        _floor = Prepare(FloorSql);
        _snippets = Prepare(SnippetSql);

        // 200 (user, query) pairs: every user, each with two or three of the eight queries.
        var queries = _database.Queries;
        _rotation = [.. Enumerable.Range(0, 200).Select(n =>
        {
            string user = SearchCorpusDatabase.UserId(n * 37 % SearchCorpusDatabase.Users);
            string query = queries[n % queries.Count];
            return (user, query, SearchCorpusDatabase.Match(user, query));
        })];

        MatchCounts = [.. _rotation.Select(pair => SearchCorpusDatabase.CountMatches(_raw, pair.User, pair.Query))];
        await CheckRankingAgainstFloorAsync();
        var sorted = MatchCounts.Order().ToList();
        SetupReport = string.Create(
            CultureInfo.InvariantCulture,
            $"{(_database.Seeded ? "Seeded" : "Reused cached")} {TotalMessages} messages for {SearchCorpusDatabase.Users} users in {_database.Elapsed.TotalSeconds:0.0} s " +
            $"({_database.Path}, {new FileInfo(_database.Path).Length / 1048576.0:0} MB; {_database.Corpus.DistinctWords} distinct words, Zipf exponent {_database.Corpus.Exponent:0.00}). " +
            $"Queries: {string.Join(", ", queries.Select(q => $"\"{q}\""))}. Matches per (user, query), of the user's {TotalMessages / SearchCorpusDatabase.Users} messages: " +
            $"min {sorted[0]}, median {sorted[sorted.Count / 2]}, max {sorted[^1]}. The store's scores and order equal the floor's for all {_rotation.Length} pairs.");
        Console.WriteLine(SetupReport);
    }

    /// <summary>Closes the files; deletes the database unless it is cached.</summary>
    /// <returns>A task that completes when the files are closed.</returns>
    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _floor.Dispose();
        _snippets.Dispose();
        _raw.Dispose();
        await _store.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _database.DeleteUnlessCached(Cache);
    }

    /// <summary>Baseline: the FTS5 query alone, user filter inside the MATCH, bm25 order, the page's ids and text read.</summary>
    /// <returns>The number of hits.</returns>
    [Benchmark(Baseline = true)]
    public int FtsFloor() => Run(_floor, Next().Match, snippets: false);

    /// <summary>The floor plus FTS5's <c>snippet()</c> for each hit of the page (what the store used to run).</summary>
    /// <returns>The number of hits.</returns>
    [Benchmark]
    public int FtsWithSnippets() => Run(_snippets, Next().Match, snippets: true);

    /// <summary>SessionKit's <see cref="ISessionStore.SearchAsync"/>: the same query, first page of 20 with snippets.</summary>
    /// <returns>The number of hits.</returns>
    [Benchmark]
    public async Task<int> StoreSearch()
    {
        var (user, query, _) = Next();
        var results = await _store.SearchAsync(user, new SearchQuery { Text = query, Limit = PageSize });
        return results.Items.Count;
    }

    private SqliteCommand Prepare(string sql)
    {
        var command = _raw.CreateCommand();
        command.CommandText = sql;
        command.Parameters.Add("$match", SqliteType.Text);
        command.Prepare();
        return command;
    }

    private static int Run(SqliteCommand command, string match, bool snippets)
    {
        command.Parameters["$match"].Value = match;
        int hits = 0;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            _ = reader.GetFieldValue<byte[]>(0);
            _ = reader.GetString(1);
            _ = reader.GetDouble(2);
            if (snippets)
            {
                _ = reader.GetString(3);
            }

            hits++;
        }

        return hits;
    }

    private string? Cache => TotalMessages >= CachedFromMessages ? CacheFolder : null;

    private (string User, string Query, string Match) Next() => _rotation[_next++ % _rotation.Length];

    // Scores must be bit-identical to the floor's, hit by hit; hits of equal score may come in another order (the store
    // breaks ties by recency, the floor by nothing in particular), so ids are compared as sets per score.
    private async Task CheckRankingAgainstFloorAsync()
    {
        foreach (var (user, query, match) in _rotation)
        {
            _floor.Parameters["$match"].Value = match;
            var floor = new List<(double Score, Guid Id)>();
            using (var reader = _floor.ExecuteReader())
            {
                while (reader.Read())
                {
                    floor.Add((-reader.GetDouble(2), new Guid(reader.GetFieldValue<byte[]>(0), bigEndian: true)));
                }
            }

            var store = (await _store.SearchAsync(user, new SearchQuery { Text = query, Limit = PageSize })).Items
                .Select(hit => (hit.Score, hit.Message.Id)).ToList();
            // The page's last score may be shared with hits past the page, so either side may show other ones of them.
            bool same = floor.Select(f => f.Score).SequenceEqual(store.Select(s => s.Score))
                && floor.Where(f => f.Score != floor[^1].Score).GroupBy(f => f.Score)
                    .All(group => group.Select(f => f.Id).ToHashSet().SetEquals(store.Where(s => s.Score == group.Key).Select(s => s.Id)));
            if (!same)
            {
                throw new InvalidOperationException(
                    $"The store ranks \"{query}\" for {user} unlike the FTS5 floor: floor {string.Join(", ", floor)}; store {string.Join(", ", store)}.");
            }
        }
    }

    /// <summary>Adds the median and the 95th percentile of the measured iterations.</summary>
    public sealed class PercentilesConfig : ManualConfig
    {
        /// <summary>Creates the config.</summary>
        public PercentilesConfig() => AddColumn(StatisticColumn.P50, StatisticColumn.P95);
    }
}
