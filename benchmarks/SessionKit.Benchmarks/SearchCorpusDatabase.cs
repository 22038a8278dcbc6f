using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using SessionKit.Sqlite;

namespace SessionKit.Benchmarks;

/// <summary>
/// A SQLite store file holding a <see cref="ZipfCorpus"/> corpus: <see cref="Users"/> users with
/// <see cref="SessionsPerUser"/> sessions each, messages of 20–60 words alternating user and assistant, stored through
/// <see cref="SqliteSessionStore"/> (so the full-text index is what production builds). Seeding a million messages takes
/// minutes, so the finished file is kept in a cache folder under a name made of the corpus parameters and the store's
/// schema version, and later runs (BenchmarkDotNet starts a process per benchmark case) open it instead of seeding again.
/// </summary>
public sealed class SearchCorpusDatabase
{
    /// <summary>How many users own the messages.</summary>
    public const int Users = 100;

    /// <summary>How many sessions each user has.</summary>
    public const int SessionsPerUser = 10;

    /// <summary>The fewest words of a message.</summary>
    public const int MinWords = 20;

    /// <summary>The most words of a message.</summary>
    public const int MaxWords = 60;

    private const int TextSeed = 23;

    // Two mid-ranked words per query (ranks counted from the most frequent word): over 1M messages each matches tens to
    // hundreds of one user's messages, as a real query does.
    private static readonly (int First, int Second)[] QueryRanks =
    [
        (120, 700), (160, 1_100), (230, 450), (300, 2_000), (380, 900), (520, 1_400), (90, 3_000), (650, 800),
    ];

    private SearchCorpusDatabase(string path, ZipfCorpus corpus, int totalMessages, bool seeded, TimeSpan elapsed)
    {
        Path = path;
        Corpus = corpus;
        TotalMessages = totalMessages;
        Seeded = seeded;
        Elapsed = elapsed;
        Queries = [.. QueryRanks.Select(ranks => $"{corpus.Word(ranks.First)} {corpus.Word(ranks.Second)}")];
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>The vocabulary the messages were drawn from.</summary>
    public ZipfCorpus Corpus { get; }

    /// <summary>How many messages the file holds.</summary>
    public int TotalMessages { get; }

    /// <summary>Whether this call seeded the file (<see langword="false"/>: it came from the cache).</summary>
    public bool Seeded { get; }

    /// <summary>How long seeding (or finding the cached file) took.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>The two-term queries the benchmarks rotate through.</summary>
    public IReadOnlyList<string> Queries { get; }

    /// <summary>The id of user <paramref name="index"/> (0 to <see cref="Users"/> − 1).</summary>
    public static string UserId(int index) => string.Create(CultureInfo.InvariantCulture, $"user-{index:D3}");

    /// <summary>
    /// The SQLite store's full-text key of a user ("u" and 32 hex digits of the SHA-256 of the id), which its MATCH
    /// expressions filter on; a raw query over the store's schema needs it to filter by user as the store does.
    /// </summary>
    public static string UserKey(string userId)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(userId), hash);
        return "u" + Convert.ToHexStringLower(hash[..16]);
    }

    /// <summary>
    /// Opens the cached file for these parameters, or seeds it (into <paramref name="cacheFolder"/>, or into a fresh
    /// folder when that is <see langword="null"/>; the caller then deletes it).
    /// </summary>
    /// <param name="totalMessages">Messages across all users (a multiple of <see cref="Users"/> × <see cref="SessionsPerUser"/> is exact).</param>
    /// <param name="cacheFolder">Where finished files are kept between runs, or <see langword="null"/> for no cache.</param>
    /// <param name="distinctWords">The vocabulary's size.</param>
    /// <param name="exponent">Zipf's exponent.</param>
    /// <returns>The database.</returns>
    public static async Task<SearchCorpusDatabase> OpenOrSeedAsync(int totalMessages, string? cacheFolder, int distinctWords = 32_000, double exponent = 1.05)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(totalMessages, Users * SessionsPerUser);
        var clock = Stopwatch.StartNew();
        var corpus = new ZipfCorpus(distinctWords, exponent);
        string folder = cacheFolder ?? System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sessionkit-bench-search", Guid.CreateVersion7().ToString("N"));
        Directory.CreateDirectory(folder);
        int schema = await SchemaVersionAsync();
        string name = string.Create(
            CultureInfo.InvariantCulture,
            $"zipf-m{totalMessages}-u{Users}-s{SessionsPerUser}-w{MinWords}to{MaxWords}-v{distinctWords}-e{exponent:0.00}-t{TextSeed}-schema{schema}.db");
        string path = System.IO.Path.Combine(folder, name);
        if (File.Exists(path))
        {
            return new SearchCorpusDatabase(path, corpus, totalMessages, seeded: false, clock.Elapsed);
        }

        // Seed under a temporary name and rename when complete, so an interrupted run never leaves a partial file behind.
        // A file of the same corpus under an older schema is copied and migrated by the store as it opens (the upgrade path
        // every user's database takes) instead of seeding again, which takes most of an hour at 1M messages.
        string partial = path + "." + Guid.CreateVersion7().ToString("N") + ".partial";
        string? older = OlderSchemaFile(folder, name, schema);
        if (older is not null)
        {
            File.Copy(older, partial);
            await MigrateAsync(partial);
        }
        else
        {
            await SeedAsync(partial, corpus, totalMessages);
        }

        File.Move(partial, path, overwrite: true);
        foreach (string suffix in (string[])["-wal", "-shm"])
        {
            File.Delete(partial + suffix);
        }
        return new SearchCorpusDatabase(path, corpus, totalMessages, seeded: older is null, clock.Elapsed);
    }

    /// <summary>Deletes the file when it is not a cached one.</summary>
    /// <param name="cacheFolder">The cache folder given to <see cref="OpenOrSeedAsync"/>.</param>
    public void DeleteUnlessCached(string? cacheFolder)
    {
        if (cacheFolder is null)
        {
            Directory.Delete(System.IO.Path.GetDirectoryName(Path)!, recursive: true);
        }
    }

    /// <summary>How many of <paramref name="userId"/>'s messages match <paramref name="query"/> (any of its words).</summary>
    /// <param name="connection">An open connection to <see cref="Path"/>.</param>
    /// <param name="userId">The user.</param>
    /// <param name="query">A query from <see cref="Queries"/>.</param>
    /// <returns>The number of matching messages.</returns>
    public static long CountMatches(SqliteConnection connection, string userId, string query)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH $match;";
        command.Parameters.AddWithValue("$match", Match(userId, query));
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>
    /// The FTS5 MATCH expression the SQLite store runs for <paramref name="query"/> by <paramref name="userId"/>: the user
    /// filter inside the MATCH, ANDed with any of the query's (quoted) words.
    /// </summary>
    public static string Match(string userId, string query) =>
        $"user_key : \"{UserKey(userId)}\" AND content : ({string.Join(" OR ", Storage.SearchText.QueryTerms(query).Select(term => $"\"{term}\""))})";

    private static async Task<int> SchemaVersionAsync()
    {
        // The version an empty store migrates to: a new schema means a new file, never a stale one.
        string folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sessionkit-bench-search", Guid.CreateVersion7().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            string path = System.IO.Path.Combine(folder, "schema.db");
            await using (var store = new SqliteSessionStore(new SqliteSessionStoreOptions { ConnectionString = $"Data Source={path}" }))
            {
                await store.SearchAsync("nobody", new SearchQuery { Text = "schema" });
            }

            using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version;";
            return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task SeedAsync(string path, ZipfCorpus corpus, int totalMessages)
    {
        await using (var store = new SqliteSessionStore(new SqliteSessionStoreOptions { ConnectionString = $"Data Source={path}" }))
        {
            using var texts = corpus.Texts(totalMessages, MinWords, MaxWords, TextSeed).GetEnumerator();
            int sessions = Users * SessionsPerUser;
            int stored = 0;
            var batch = new List<NewMessage>(1000);
            for (int s = 0; s < sessions; s++)
            {
                // Users take turns, so each user's messages are spread over the file as interleaved traffic would leave them.
                var session = await store.CreateSessionAsync(UserId(s % Users));
                int perSession = (totalMessages / sessions) + (s < totalMessages % sessions ? 1 : 0);
                for (int i = 0; i < perSession; i++)
                {
                    texts.MoveNext();
                    batch.Add(stored++ % 2 == 0 ? NewMessage.User(texts.Current) : NewMessage.Assistant(texts.Current));
                    if (batch.Count == batch.Capacity || i == perSession - 1)
                    {
                        await store.AppendMessagesAsync(session.Id, batch);
                        batch.Clear();
                    }
                }
            }
        }

        Checkpoint(path);
    }

    /// <summary>The newest cached file of the same corpus under an older schema version, if any.</summary>
    private static string? OlderSchemaFile(string folder, string name, int schema)
    {
        string prefix = name[..(name.LastIndexOf("-schema", StringComparison.Ordinal) + "-schema".Length)];
        for (int version = schema - 1; version > 0; version--)
        {
            string candidate = System.IO.Path.Combine(folder, prefix + version.ToString(CultureInfo.InvariantCulture) + ".db");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static async Task MigrateAsync(string path)
    {
        await using (var store = new SqliteSessionStore(new SqliteSessionStoreOptions { ConnectionString = $"Data Source={path}" }))
        {
            await store.SearchAsync("nobody", new SearchQuery { Text = "migrate" });
        }

        Checkpoint(path);
    }

    private static void Checkpoint(string path)
    {
        // Fold the WAL into the file so the cached copy is one self-contained file.
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var checkpoint = connection.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
        checkpoint.ExecuteNonQuery();
        connection.Close();
        SqliteConnection.ClearAllPools();
    }
}
