using System.Diagnostics.CodeAnalysis;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using SessionKit.Sqlite;
using SessionKit.Storage;

namespace SessionKit.Benchmarks;

/// <summary>
/// The cost of encryption at rest on SQLite: the same appends and the same search on a plaintext store (the baseline of
/// each category) and on an encrypted one (AES-256-GCM envelopes, keyed-hash term index). The ratio column is the overhead.
/// </summary>
[MemoryDiagnoser]
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "BenchmarkDotNet owns the lifecycle: [GlobalCleanup] disposes them.")]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class EncryptionBenchmarks
{
    /// <summary>One message per append.</summary>
    public const string AppendOneCategory = "Append, 1 message";

    /// <summary>100 messages per append.</summary>
    public const string AppendBatchCategory = "Append, 100 messages";

    /// <summary>A two-term search of one user's history.</summary>
    public const string SearchCategory = "Search";

    private const int Users = 10;
    private static readonly string[] Queries = ["carbon sink", "ocean heat", "methane wetlands", "sea level", "permafrost thaw", "ice loss"];

    private DirectoryInfo? _directory;
    private SqliteSessionStore? _plain;
    private SqliteSessionStore? _encrypted;
    private NewMessage[] _one = [];
    private NewMessage[] _batch = [];
    private Guid _plainSession;
    private Guid _encryptedSession;
    private int _next;

    /// <summary>Messages stored per store before the search runs (spread over 10 users).</summary>
    [Params(20_000)]
    public int SearchMessages { get; set; } = 20_000;

    /// <summary>Creates a plaintext and an encrypted store and fills both with the same history.</summary>
    /// <returns>A task that completes when both are filled.</returns>
    [GlobalSetup]
    public async Task SetupAsync()
    {
        _directory = Directory.CreateTempSubdirectory("sessionkit-benchmarks-encryption-");
        _plain = new SqliteSessionStore(new SqliteSessionStoreOptions { ConnectionString = Path.Combine(_directory.FullName, "plain.db") });
        var keys = new EncryptionOptions { Enabled = true, CurrentMasterKeyId = "bench" };
        keys.MasterKeys["bench"] = System.Security.Cryptography.RandomNumberGenerator.GetBytes(EncryptionOptions.KeyLength);
        _encrypted = new SqliteSessionStore(
            new SqliteSessionStoreOptions { ConnectionString = Path.Combine(_directory.FullName, "encrypted.db") },
            masterKeys: new OptionsMasterKeyProvider(keys));

        var history = SeededConversation.Create(Math.Min(SearchMessages, 4_000), 30, 90, seed: 7);
        _batch = [.. SeededMessages.Create(100).Select(NewMessage.User)];
        _one = [_batch[0]];
        foreach (var store in new[] { _plain, _encrypted })
        {
            int perUser = SearchMessages / Users;
            for (int user = 0; user < Users; user++)
            {
                var session = await store.CreateSessionAsync(UserId(user));
                for (int offset = 0; offset < perUser; offset += 500)
                {
                    int count = Math.Min(500, perUser - offset);
                    await store.AppendMessagesAsync(session.Id, [.. Enumerable.Range(offset, count).Select(i => history[(i + user) % history.Length])]);
                }
            }
        }

        _plainSession = (await _plain.CreateSessionAsync("appender")).Id;
        _encryptedSession = (await _encrypted.CreateSessionAsync("appender")).Id;
    }

    /// <summary>Closes the stores and deletes their files.</summary>
    /// <returns>A task that completes when the files are gone.</returns>
    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_plain is not null)
        {
            await _plain.DisposeAsync();
        }

        if (_encrypted is not null)
        {
            await _encrypted.DisposeAsync();
        }

        _directory?.Delete(recursive: true);
    }

    /// <summary>Baseline: one message, plaintext.</summary>
    /// <returns>The append's result.</returns>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory(AppendOneCategory)]
    public Task<AppendResult> PlainAppendOne() => Plain.AppendMessagesAsync(_plainSession, _one);

    /// <summary>One message, encrypted.</summary>
    /// <returns>The append's result.</returns>
    [Benchmark]
    [BenchmarkCategory(AppendOneCategory)]
    public Task<AppendResult> EncryptedAppendOne() => Encrypted.AppendMessagesAsync(_encryptedSession, _one);

    /// <summary>Baseline: 100 messages in one append, plaintext.</summary>
    /// <returns>The append's result.</returns>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory(AppendBatchCategory)]
    public Task<AppendResult> PlainAppendBatch() => Plain.AppendMessagesAsync(_plainSession, _batch);

    /// <summary>100 messages in one append, encrypted.</summary>
    /// <returns>The append's result.</returns>
    [Benchmark]
    [BenchmarkCategory(AppendBatchCategory)]
    public Task<AppendResult> EncryptedAppendBatch() => Encrypted.AppendMessagesAsync(_encryptedSession, _batch);

    /// <summary>Baseline: a search with snippets, plaintext.</summary>
    /// <returns>The hits.</returns>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory(SearchCategory)]
    public Task<SearchPage> PlainSearch() => Search(Plain);

    /// <summary>The same search, encrypted (hashed terms; snippets cut from decrypted content).</summary>
    /// <returns>The hits.</returns>
    [Benchmark]
    [BenchmarkCategory(SearchCategory)]
    public Task<SearchPage> EncryptedSearch() => Search(Encrypted);

    private SqliteSessionStore Plain => _plain ?? throw new InvalidOperationException($"{nameof(SetupAsync)} has not run.");

    private SqliteSessionStore Encrypted => _encrypted ?? throw new InvalidOperationException($"{nameof(SetupAsync)} has not run.");

    private static string UserId(int user) => $"user-{user:D3}";

    private Task<SearchPage> Search(SqliteSessionStore store)
    {
        int n = _next++;
        return store.SearchAsync(UserId(n % Users), new SearchQuery { Text = Queries[n % Queries.Length], Limit = 10 });
    }
}
