using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using Npgsql;
using SessionKit.PostgreSql;

namespace SessionKit.Benchmarks;

/// <summary>
/// A two-term search scoped to one user among <see cref="TotalMessages"/> messages (100 users × 10 sessions) on
/// PostgreSQL, median and p95 reported. The baseline is the query an app would write by hand with PostgreSQL's own
/// ranking: the same <c>tsquery</c> over the same GIN index (owner key and words), ranked by <c>ts_rank</c>, 20 rows.
/// </summary>
/// <remarks>
/// Seeding a million messages one append at a time would take the better part of an hour here, so the set-up appends
/// <see cref="DistinctTexts"/> seeded messages through the store (the real write path builds their search documents),
/// then copies them server-side (<c>INSERT … SELECT</c>) into every user's sessions with the owner key of each, recomputes
/// the BM25 statistics exactly as appends keep them, and analyzes. A seeded schema of 100,000 messages or more is kept
/// on the (throwaway) server and reused by the next process of the same size, because BenchmarkDotNet runs each
/// benchmark case in its own process.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(SearchBenchmarks.PercentilesConfig))]
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "BenchmarkDotNet owns the lifecycle: [GlobalCleanup] disposes them.")]
public class PostgreSqlSearchBenchmarks
{
    /// <summary>How many distinct seeded texts the messages cycle through (at most a tenth of <see cref="TotalMessages"/>).</summary>
    public const int DistinctTexts = 4_000;

    private const int Users = 100;
    private const int SessionsPerUser = 10;
    private const int KeptFrom = 100_000;
    private const string SeedVersion = "v1";

    // The store's queries and, for the floor, the same stems as a tsquery (checked against the stored words in the set-up).
    private static readonly (string Text, string TsQuery)[] Queries =
    [
        ("carbon sink", "'carbon' | 'sink'"),
        ("ocean heat", "'ocean' | 'heat'"),
        ("methane wetlands", "'methan' | 'wetland'"),
        ("sea level", "'sea' | 'level'"),
        ("permafrost thaw", "'permafrost' | 'thaw'"),
        ("ice loss", "'ic' | 'loss'"),
    ];

    private PostgreSqlSessionStore? _store;
    private NpgsqlDataSource? _raw;
    private int _next;

    /// <summary>All messages stored across the 100 users (the issue's figure: 1,000,000).</summary>
    [Params(1_000_000)]
    public int TotalMessages { get; set; } = 1_000_000;

    /// <summary>What set-up did and how long it took.</summary>
    public string SetupReport { get; private set; } = "";

    /// <summary>How many messages the schema holds once set up (the users' messages plus the seeding template).</summary>
    public long StoredMessages { get; private set; }

    private string Schema => $"bench_search_{TotalMessages}_{SeedVersion}";

    /// <summary>Seeds (or reuses) the schema.</summary>
    /// <returns>A task that completes when the data is ready.</returns>
    [GlobalSetup]
    public async Task SetupAsync()
    {
        var clock = Stopwatch.StartNew();
        _raw = NpgsqlDataSource.Create(PostgreSqlBenchmarkServer.ConnectionString);
        bool reused = TotalMessages >= KeptFrom && await ScalarAsync($"SELECT to_regclass('\"{Schema}\".seed_complete') IS NOT NULL;") is true;
        if (!reused)
        {
            await ExecAsync($"DROP SCHEMA IF EXISTS \"{Schema}\" CASCADE;");
        }

        _store = new PostgreSqlSessionStore(new PostgreSqlSessionStoreOptions { ConnectionString = PostgreSqlBenchmarkServer.ConnectionString, Schema = Schema });
        await _store.InitializeAsync();
        if (!reused)
        {
            await SeedAsync(_store);
        }

        StoredMessages = Convert.ToInt64(await ScalarAsync($"SELECT count(*) FROM \"{Schema}\".messages;"), CultureInfo.InvariantCulture);
        foreach (var (_, tsQuery) in Queries)
        {
            foreach (string stem in tsQuery.Split(" | ").Select(s => s.Trim('\'')))
            {
                if (await ScalarAsync($"SELECT 1 FROM \"{Schema}\".search_terms WHERE stem = '{stem}' LIMIT 1;") is null)
                {
                    throw new InvalidOperationException($"The floor's stem '{stem}' is not among the stored words: the floor would not run the store's query.");
                }
            }
        }

        SetupReport = string.Create(CultureInfo.InvariantCulture, $"{(reused ? "Reused" : "Seeded")} {StoredMessages} messages for {Users} users in {clock.Elapsed.TotalSeconds:0.0} s (schema {Schema}).");
        Console.WriteLine("// " + SetupReport);
    }

    /// <summary>Closes the store; drops the schema unless it is large enough to be kept for the next process.</summary>
    /// <returns>A task that completes when done.</returns>
    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_store is not null)
        {
            if (TotalMessages >= KeptFrom)
            {
                await _store.DisposeAsync();
            }
            else
            {
                await PostgreSqlBenchmarkServer.DropAsync(_store);
            }

            _store = null;
        }

        if (_raw is not null)
        {
            await _raw.DisposeAsync();
            _raw = null;
        }
    }

    /// <summary>Baseline: the hand-written PostgreSQL full-text query (same tsquery and GIN index, <c>ts_rank</c>, 20 rows).</summary>
    /// <returns>The number of hits.</returns>
    [Benchmark(Baseline = true)]
    public async Task<int> RawTsRank()
    {
        var (user, _, tsQuery) = NextQuery();
        await using var command = Raw.CreateCommand(
            $"SELECT m.id, m.session_id, m.sequence, m.content, ts_rank(m.search_vector, q) AS r FROM \"{Schema}\".messages m, CAST(@q AS tsquery) q " +
            "WHERE m.user_key = @k AND m.search_vector @@ q ORDER BY r DESC LIMIT 20;");
        command.Parameters.AddWithValue("q", tsQuery);
        command.Parameters.AddWithValue("k", UserKeyOf(user));
        await using var reader = await command.ExecuteReaderAsync();
        int hits = 0;
        while (await reader.ReadAsync())
        {
            hits++;
        }

        return hits;
    }

    /// <summary>SessionKit's <see cref="ISessionStore.SearchAsync"/> on PostgreSQL: one user, first page of 20 with snippets (BM25 as the other backends rank).</summary>
    /// <returns>The number of hits.</returns>
    [Benchmark]
    public async Task<int> StoreSearch()
    {
        var (user, text, _) = NextQuery();
        var results = await Store.SearchAsync(user, new SearchQuery { Text = text, Limit = 20 });
        return results.Items.Count;
    }

    private PostgreSqlSessionStore Store => _store ?? throw new InvalidOperationException("Not set up.");

    private NpgsqlDataSource Raw => _raw ?? throw new InvalidOperationException("Not set up.");

    private static string UserId(int index) => $"user-{index:D3}";

    private static string UserKeyOf(string userId) =>
        "u" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(userId)).AsSpan(0, 16));

    private (string User, string Text, string TsQuery) NextQuery()
    {
        int n = _next++;
        var (text, tsQuery) = Queries[n % Queries.Length];
        return (UserId(n * 37 % Users), text, tsQuery);
    }

    private async Task SeedAsync(PostgreSqlSessionStore store)
    {
        int perSession = Math.Max(1, TotalMessages / (Users * SessionsPerUser));
        int distinct = Math.Min(DistinctTexts, Math.Max(100, TotalMessages / 10));
        var texts = SeededConversation.Create(distinct, 30, 90, seed: 7);
        var template = await store.CreateSessionAsync("seed-template");
        for (int i = 0; i < texts.Length; i += 500)
        {
            await store.AppendMessagesAsync(template.Id, texts[i..Math.Min(i + 500, texts.Length)]);
        }

        for (int user = 0; user < Users; user++)
        {
            for (int s = 0; s < SessionsPerUser; s++)
            {
                await store.CreateSessionAsync(UserId(user));
            }
        }

        // Copies the template's rows (content, search document, token count) into every session, cycling through the texts;
        // the GIN index is rebuilt once afterwards, which is far quicker than maintaining it row by row.
        string q = $"\"{Schema}\".";
        await ExecAsync(
            $"DROP INDEX {q}ix_messages_search; DROP INDEX {q}ix_messages_user_created; " +
            $"INSERT INTO {q}messages (id, session_id, sequence, role, content, author_id, tool_call_id, tool_name, created_at, metadata, token_count, token_encoding, revision, user_key, search_vector, search_length) " +
            "SELECT gen_random_uuid(), s.id, k.n, t.role, t.content, t.author_id, NULL, NULL, s.created_at + k.n, NULL, t.token_count, t.token_encoding, 1, " +
            "'u' || left(encode(sha256(convert_to(s.user_id, 'UTF8')), 'hex'), 32), t.search_vector, t.search_length " +
            $"FROM (SELECT id, user_id, created_at, row_number() OVER (ORDER BY id) - 1 AS ord FROM {q}sessions WHERE id <> '{template.Id}') s " +
            $"CROSS JOIN generate_series(1, {perSession}) AS k(n) " +
            $"JOIN {q}messages t ON t.session_id = '{template.Id}' AND t.sequence = ((s.ord * {perSession} + k.n) % {distinct}) + 1; " +
            $"UPDATE {q}sessions SET last_sequence = {perSession}, message_count = {perSession}, version = 1 + {perSession} WHERE id <> '{template.Id}'; " +
            $"CREATE INDEX ix_messages_search ON {q}messages USING gin (user_key, search_vector); " +
            $"CREATE INDEX ix_messages_user_created ON {q}messages (user_key, created_at, session_id, sequence); " +
            $"DELETE FROM {q}search_stats; DELETE FROM {q}search_terms; " +
            $"INSERT INTO {q}search_stats (shard, doc_count, token_count) SELECT hashtext(session_id::text) & 15, count(*), sum(search_length) FROM {q}messages GROUP BY 1; " +
            $"INSERT INTO {q}search_terms (stem, shard, doc_count) SELECT lexeme, shard, count(*) FROM (SELECT unnest(tsvector_to_array(search_vector)) AS lexeme, hashtext(session_id::text) & 15 AS shard FROM {q}messages) x GROUP BY 1, 2; " +
            $"ANALYZE {q}messages; ANALYZE {q}sessions; ANALYZE {q}search_terms; " +
            $"CREATE TABLE {q}seed_complete (done boolean);");
    }

    private async Task ExecAsync(string sql)
    {
        await using var command = Raw.CreateCommand(sql);
        command.CommandTimeout = 3600;
        await command.ExecuteNonQueryAsync();
    }

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var command = Raw.CreateCommand(sql);
        var value = await command.ExecuteScalarAsync();
        return value is DBNull ? null : value;
    }
}
