using System.Diagnostics.CodeAnalysis;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Npgsql;
using NpgsqlTypes;
using SessionKit.PostgreSql;

namespace SessionKit.Benchmarks;

/// <summary>
/// Appends through <see cref="PostgreSqlSessionStore"/> against the floor of writing the same rows by hand with raw
/// Npgsql: a prepared INSERT of the message row with its search document into a table with the same indexes (primary key,
/// time index, GIN over owner key and words). And 8 writers spread over 3 store instances (own data sources, as three
/// servers) against one writer, on one session. Needs a server: <c>SESSIONKIT_POSTGRES</c> (see <c>.ci/postgres</c>).
/// </summary>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "BenchmarkDotNet owns the lifecycle: [GlobalCleanup] disposes them.")]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class PostgreSqlBenchmarks
{
    /// <summary>One message per append.</summary>
    public const string SingleCategory = "PostgreSQL, 1 message";

    /// <summary><see cref="BatchSize"/> messages per append.</summary>
    public const string BatchCategory = "PostgreSQL, 100 messages";

    /// <summary>Single-message appends on one session: one writer, or 8 writers on 3 instances.</summary>
    public const string ContentionCategory = "PostgreSQL, 8 writers on 3 instances";

    /// <summary>How many messages one batch append carries.</summary>
    public const int BatchSize = 100;

    /// <summary>Appends per contention invocation, whoever makes them.</summary>
    public const int ContendedAppends = 200;

    private const int Writers = 8;
    private const string UserId = "benchmark-user";

    private readonly List<PostgreSqlSessionStore> _instances = [];
    private NpgsqlDataSource? _raw;
    private string _schema = string.Empty;
    private NewMessage[] _oneMessage = [];
    private NewMessage[] _batch = [];
    private string[] _contents = [];
    private Guid _storeSingle;
    private Guid _storeBatch;
    private Guid _contended;
    private Guid _rawSession = Guid.CreateVersion7();
    private long _rawSequence;

    private PostgreSqlSessionStore Store => _instances.Count > 0 ? _instances[0] : throw new InvalidOperationException("Not set up.");

    private NpgsqlDataSource Raw => _raw ?? throw new InvalidOperationException("Not set up.");

    /// <summary>Creates a schema for the stores and a raw table in another, on the server named by <c>SESSIONKIT_POSTGRES</c>.</summary>
    /// <returns>A task that completes when everything is ready.</returns>
    [GlobalSetup]
    public async Task SetupAsync()
    {
        string connectionString = Environment.GetEnvironmentVariable("SESSIONKIT_POSTGRES")
            ?? throw new InvalidOperationException("Set SESSIONKIT_POSTGRES to an Npgsql connection string (eval \"$(bash .ci/postgres start)\" starts a throwaway server).");
        _contents = SeededMessages.Create(BatchSize);
        _batch = [.. _contents.Select(NewMessage.User)];
        _oneMessage = [_batch[0]];
        _schema = "bench_" + Guid.CreateVersion7().ToString("N")[^12..];
        for (int i = 0; i < 3; i++)
        {
            _instances.Add(new PostgreSqlSessionStore(new PostgreSqlSessionStoreOptions { ConnectionString = connectionString, Schema = _schema }));
        }

        _storeSingle = (await Store.CreateSessionAsync(UserId)).Id;
        _storeBatch = (await Store.CreateSessionAsync(UserId)).Id;
        _contended = (await Store.CreateSessionAsync(UserId)).Id;

        _raw = NpgsqlDataSource.Create(connectionString);
        await using var create = Raw.CreateCommand(
            $"CREATE TABLE \"{_schema}\".raw_messages (session_id uuid NOT NULL, sequence bigint NOT NULL, id uuid NOT NULL, role integer NOT NULL, content text NOT NULL, " +
            "created_at bigint NOT NULL, user_key text COLLATE \"C\" NOT NULL, search_vector tsvector NOT NULL, PRIMARY KEY (session_id, sequence)); " +
            $"CREATE INDEX ON \"{_schema}\".raw_messages (session_id, created_at, sequence); " +
            $"CREATE INDEX ON \"{_schema}\".raw_messages (user_key, created_at, session_id, sequence); " +
            $"CREATE INDEX ON \"{_schema}\".raw_messages USING gin (user_key, search_vector);");
        await create.ExecuteNonQueryAsync();
    }

    /// <summary>Drops the benchmark schema and closes the stores.</summary>
    /// <returns>A task that completes when it is gone.</returns>
    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        _instances.Clear();
        if (_raw is not null)
        {
            await using (var drop = _raw.CreateCommand($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE;"))
            {
                await drop.ExecuteNonQueryAsync();
            }

            await _raw.DisposeAsync();
            _raw = null;
        }
    }

    /// <summary>Floor: one prepared INSERT of one message row (with its search document), committed on its own.</summary>
    /// <returns>A task that completes when it is committed.</returns>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory(SingleCategory)]
    public Task RawInsertOne() => RawInsertAsync(1);

    /// <summary>One message through the store.</summary>
    /// <returns>The append's result.</returns>
    [Benchmark]
    [BenchmarkCategory(SingleCategory)]
    public Task<AppendResult> StoreAppendOne() => Store.AppendMessagesAsync(_storeSingle, _oneMessage);

    /// <summary>Floor: one prepared INSERT of 100 message rows (arrays unnested), committed on its own.</summary>
    /// <returns>A task that completes when it is committed.</returns>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory(BatchCategory)]
    public Task RawInsertBatch() => RawInsertAsync(BatchSize);

    /// <summary>100 messages in one append through the store.</summary>
    /// <returns>The append's result.</returns>
    [Benchmark]
    [BenchmarkCategory(BatchCategory)]
    public Task<AppendResult> StoreAppendBatch() => Store.AppendMessagesAsync(_storeBatch, _batch);

    /// <summary>Baseline: one writer makes <see cref="ContendedAppends"/> single-message appends to one session.</summary>
    /// <returns>A task that completes when all are stored.</returns>
    [Benchmark(Baseline = true, OperationsPerInvoke = ContendedAppends)]
    [BenchmarkCategory(ContentionCategory)]
    public async Task OneWriter()
    {
        for (int i = 0; i < ContendedAppends; i++)
        {
            await Store.AppendMessagesAsync(_contended, _oneMessage);
        }
    }

    /// <summary>8 writers spread over 3 instances make <see cref="ContendedAppends"/> appends to the same session.</summary>
    /// <returns>A task that completes when all are stored.</returns>
    [Benchmark(OperationsPerInvoke = ContendedAppends)]
    [BenchmarkCategory(ContentionCategory)]
    public Task EightWritersOnThreeInstances() =>
        Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var instance = _instances[w % _instances.Count];
            for (int i = 0; i < ContendedAppends / Writers; i++)
            {
                await instance.AppendMessagesAsync(_contended, _oneMessage);
            }
        })));

    /// <summary>How many messages the store and the raw table hold (for the smoke test).</summary>
    /// <returns>The store's messages in its three sessions, and the raw table's rows.</returns>
    public async Task<(long Store, long Raw)> CountMessagesAsync()
    {
        long store = 0;
        foreach (var session in new[] { _storeSingle, _storeBatch, _contended })
        {
            store += await Store.CountMessagesAsync(session);
        }

        await using var count = Raw.CreateCommand($"SELECT count(*) FROM \"{_schema}\".raw_messages;");
        return (store, (long)(await count.ExecuteScalarAsync())!);
    }

    private async Task RawInsertAsync(int count)
    {
        var ids = new Guid[count];
        var sequences = new long[count];
        var contents = new string[count];
        for (int i = 0; i < count; i++)
        {
            ids[i] = Guid.CreateVersion7();
            sequences[i] = ++_rawSequence;
            contents[i] = _contents[i % _contents.Length];
        }

        await using var connection = await Raw.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(
            $"INSERT INTO \"{_schema}\".raw_messages (session_id, sequence, id, role, content, created_at, user_key, search_vector) " +
            "SELECT @session_id, s, i, 1, c, @created_at, @user_key, to_tsvector('simple', c) FROM unnest(@ids, @sequences, @contents) AS t(i, s, c);",
            connection);
        command.Parameters.Add(new NpgsqlParameter<Guid>("session_id", _rawSession));
        command.Parameters.Add(new NpgsqlParameter<long>("created_at", DateTimeOffset.UnixEpoch.UtcTicks + _rawSequence));
        command.Parameters.Add(new NpgsqlParameter<string>("user_key", "u0123456789abcdef0123456789abcdef"));
        command.Parameters.Add(new NpgsqlParameter<Guid[]>("ids", ids));
        command.Parameters.Add(new NpgsqlParameter<long[]>("sequences", sequences));
        command.Parameters.Add(new NpgsqlParameter("contents", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = contents });
        await command.PrepareAsync();
        await command.ExecuteNonQueryAsync();
    }
}
