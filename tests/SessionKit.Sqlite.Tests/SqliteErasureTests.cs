using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using SessionKit.Storage;

namespace SessionKit.Sqlite.Tests;

/// <summary>Erase really deletes: the planted words are in neither the database file, the WAL nor the shared-memory file afterwards.</summary>
[TestFixture]
public sealed class SqliteErasureTests
{
    // Words whose Porter stems are the words themselves, so finding none of them also means finding no index term.
    private static readonly string[] AliceWords = ["kwyjibo", "jabberwock", "quetzalcoatl", "zanzibar"];
    private static readonly string[] BobWords = ["snollygoster", "bumbershoot"];
    private const string AliceId = "alice-erasure-7f3a";
    private const string BobId = "bob-erasure-19c2";

    private TempDatabase _db = null!;
    private FakeTimeProvider _time = null!;

    [SetUp]
    public void SetUp()
    {
        _db = new TempDatabase();
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    }

    [TearDown]
    public void TearDown()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _db.Dispose();
    }

    [Test]
    public async Task EraseUser_LeavesNoPlantedBytesInTheDatabaseWalOrShm()
    {
        await using var store = Open();
        var alice = await PlantAsync(store, AliceId, AliceWords);
        await PlantAsync(store, BobId, BobWords);
        Assert.That(FindInFiles(Needles(AliceWords, AliceId)), Is.Not.Empty, "The scan must see the planted data before the erase.");

        var result = await store.EraseUserAsync(AliceId);

        Assert.That(result.Sessions, Is.EqualTo(alice.Count));
        Assert.That(FindInFiles(Needles(AliceWords, AliceId)), Is.Empty);
        Assert.That(FindInFiles(Needles(BobWords, BobId)), Is.Not.Empty, "The other user's data must stay.");
        Assert.That((await store.SearchAsync(BobId, new SearchQuery { Text = BobWords[0] })).Items, Is.Not.Empty);
    }

    [Test]
    public async Task EraseSession_LeavesNoPlantedBytesOfThatSession()
    {
        await using var store = Open();
        var kept = await PlantAsync(store, AliceId, BobWords);
        var erased = await PlantAsync(store, AliceId, AliceWords);

        await store.EraseSessionAsync(erased[0]);
        await store.EraseSessionAsync(erased[1]);

        Assert.That(FindInFiles(Needles(AliceWords)), Is.Empty);
        Assert.That(FindInFiles(Needles(BobWords)), Is.Not.Empty);
        Assert.That(await store.FindSessionAsync(kept[0]), Is.Not.Null);
    }

    [Test]
    public async Task DeleteSession_AlsoRemovesTheBytes()
    {
        await using var store = Open();
        var sessions = await PlantAsync(store, AliceId, AliceWords);

        foreach (var id in sessions)
        {
            Assert.That(await store.DeleteSessionAsync(id), Is.True);
        }

        Assert.That(FindInFiles(Needles(AliceWords)), Is.Empty);
    }

    [Test]
    public async Task EraseUser_BytesStayGoneAfterTheStoreIsClosed()
    {
        await using (var store = Open())
        {
            await PlantAsync(store, AliceId, AliceWords);
            await PlantAsync(store, BobId, BobWords);
            await store.EraseUserAsync(AliceId);
        }

        Assert.That(FindInFiles(Needles(AliceWords, AliceId)), Is.Empty);
        Assert.That(FindInFiles(Needles(BobWords, BobId)), Is.Not.Empty);
    }

    [Test]
    public async Task ThePrivacyMigration_TurnsOnFtsSecureDelete_AndAddsUserKeys_OnAnOlderDatabase()
    {
        await using (var store = Open())
        {
            await store.InitializeAsync();
        }

        // Back to the schema before this migration: what the previous release left behind.
        // The privacy migration is followed by the concurrency one, so both are undone and both run again.
        Execute($"DELETE FROM messages_fts_config WHERE k = 'secure-delete'; DROP TABLE user_keys; {SqliteConcurrencyTests.UndoConcurrencyMigration} PRAGMA user_version = 6;");

        await using (var store = Open())
        {
            await store.InitializeAsync();
        }

        Assert.That(Scalar("SELECT v FROM messages_fts_config WHERE k = 'secure-delete';"), Is.EqualTo(1L));
        Assert.That(Scalar("SELECT count(*) FROM sqlite_master WHERE name = 'user_keys';"), Is.EqualTo(1L));
        Assert.That(Scalar("PRAGMA user_version;"), Is.EqualTo((long)Sqlite.SqliteSchema.CurrentVersion));
    }

    private object? Scalar(string sql)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection(_db.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private void Execute(string sql) => Scalar(sql);

    private SqliteSessionStore Open() => new(new SqliteSessionStoreOptions { ConnectionString = _db.ConnectionString }, null, _time);

    private async Task<List<Guid>> PlantAsync(SqliteSessionStore store, string userId, string[] words)
    {
        string sentence = $"I told them about {string.Join(" and ", words)} yesterday.";
        var sessions = new List<Guid>();
        for (int i = 0; i < 2; i++)
        {
            var session = await store.CreateSessionAsync(userId, new SessionCreateOptions { Title = $"{words[0]} {i}", Metadata = new Dictionary<string, string> { ["note"] = words[^1] } });
            await store.AppendMessagesAsync(session.Id, [NewMessage.User(sentence), NewMessage.Assistant($"Noted: {words[1]}."), .. Enumerable.Range(0, 20).Select(n => NewMessage.User($"filler message {n} with ordinary words"))]);
            await store.SaveSummaryAsync(session.Id, new NewSummary(1, 2, 1, $"The user mentioned {words[^1]}.", "test"));
            sessions.Add(session.Id);
        }

        var now = _time.GetUtcNow();
        await store.SaveTokenAsync(new SessionTokenRecord { TokenId = Guid.CreateVersion7(), SecretHash = new byte[32], UserId = userId, SessionId = sessions[0], DeviceId = $"{userId}-phone", CreatedAt = now, ExpiresAt = now.AddDays(1) });
        await store.UpsertDeviceAsync(new DeviceRecord { UserId = userId, DeviceId = $"{userId}-phone", DisplayName = $"phone of {userId}", FirstSeenAt = now, LastSeenAt = now });
        return sessions;
    }

    // Tokens and devices carry the user id (they belong to the user, not to a session), so a user erase looks for it too.
    // Each word, and its tail from the third letter (FTS5 stores a term after the prefix it shares with the previous term).
    private static List<string> Needles(string[] words, string? userId = null)
    {
        var needles = new List<string>();
        foreach (var word in words)
        {
            needles.Add(word);
            needles.Add(word[2..]);
        }

        if (userId is not null)
        {
            needles.Add(userId);
        }

        return needles;
    }

    private List<string> FindInFiles(List<string> needles) => RawFiles.Find(_db.FilePath, needles);
}
