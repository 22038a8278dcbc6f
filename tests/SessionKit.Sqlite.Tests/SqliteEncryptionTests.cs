using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using SessionKit.Testing;
using SessionKit.Storage;

namespace SessionKit.Sqlite.Tests;

/// <summary>Encryption at rest on a real database file: no plaintext in the files, tampering detected, keys rotated and shredded.</summary>
[TestFixture]
public sealed class SqliteEncryptionTests
{
    // Words whose Porter stems are the words themselves, so their absence also means the absence of index terms.
    private static readonly string[] Words = ["kwyjibo", "jabberwock", "quetzalcoatl", "zanzibar"];
    private static readonly string Sentence = $"Remember that {string.Join(" met ", Words)} at dawn.";

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
        SqliteConnection.ClearAllPools();
        _db.Dispose();
    }

    [Test]
    public async Task Encrypted_FilesHoldNoPlaintext_AndSearchStillWorks()
    {
        await using (var store = Open())
        {
            var session = await PlantAsync(store);

            var results = await store.SearchAsync("alice", new SearchQuery { Text = "Quetzalcoatl", HighlightStart = "[", HighlightEnd = "]" });

            Assert.That(results.Items.Select(h => h.Message.Sequence), Is.EqualTo(new long[] { 1 }));
            Assert.That(results.Items[0].Snippet, Does.Contain("[quetzalcoatl]"));
            Assert.That(results.Items[0].Message.Content, Is.EqualTo(Sentence));
            Assert.That((await store.GetSessionAsync(session)).Title, Is.EqualTo($"About {Words[2]}"));
            Assert.That((await store.GetStateAsync(StateScope.Session, session.ToString(), "plan"))?.Value, Is.EqualTo($"Visit {Words[2]} next."));
            Assert.That((await store.GetStateAsync(StateScope.App, null, "motto"))?.Value, Is.EqualTo($"{Words[0]} forever"));
            Assert.That(RawFiles.Find(_db.FilePath, Needles()), Is.Empty, "Plaintext in the open store's files.");
        }

        Assert.That(RawFiles.Find(_db.FilePath, Needles()), Is.Empty, "Plaintext in the closed store's files.");
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task ToolNamesAndIdempotencyKeys_AreSealed_WhenEncrypted(bool encrypted)
    {
        const string ToolName = "lookup_jabberwock";
        const string Key = "request-quetzalcoatl-7";
        await using var store = encrypted ? Open() : OpenPlaintext();
        var session = await store.CreateSessionAsync("alice");
        NewMessage[] turn = [NewMessage.ToolCall("call-1", ToolName, "{}"), NewMessage.ToolResult("call-1", "done")];

        var first = await store.AppendMessagesAsync(session.Id, turn, new AppendOptions { IdempotencyKey = Key });
        var retry = await store.AppendMessagesAsync(session.Id, turn, new AppendOptions { IdempotencyKey = Key });
        var reused = Assert.ThrowsAsync<IdempotencyKeyReusedException>(() => store.AppendMessagesAsync(session.Id, [NewMessage.User("other")], new AppendOptions { IdempotencyKey = Key }));

        var found = RawFiles.Find(_db.FilePath, ["jabberwock", "quetzalcoatl"]);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.Messages[0].ToolName, Is.EqualTo(ToolName));
            Assert.That(retry.IsReplay, Is.True);
            Assert.That(retry.Messages.Select(m => m.Id), Is.EqualTo(first.Messages.Select(m => m.Id)));
            Assert.That(reused!.Key, Is.EqualTo(Key), "the caller's key, not its stored hash");
            Assert.That((await store.GetLastMessagesAsync(session.Id, 10)).Select(m => m.ToolName), Is.EqualTo(new[] { ToolName, null }));
            Assert.That((await store.GetSessionAsync(session.Id)).MessageCount, Is.EqualTo(2));
            if (encrypted)
            {
                Assert.That(found, Is.Empty, "tool name or idempotency key in plaintext");
            }
            else
            {
                Assert.That(found, Has.Count.GreaterThanOrEqualTo(2), "the control: a plaintext store keeps both, so the scan can see them");
            }
        }
    }

    [Test]
    public async Task Plaintext_FilesDoHoldTheWords_SoTheScanIsMeaningful()
    {
        await using (var store = new SqliteSessionStore(new SqliteSessionStoreOptions { ConnectionString = _db.ConnectionString }, null, _time))
        {
            await PlantAsync(store);
        }

        Assert.That(RawFiles.Find(_db.FilePath, Needles()), Is.Not.Empty);
    }

    [Test]
    public async Task TamperedCiphertext_IsReportedNeverReturned()
    {
        Guid session;
        await using (var store = Open())
        {
            session = await PlantAsync(store);
        }

        Execute("UPDATE messages SET metadata = $m WHERE sequence = 1;", ("$m", FlipOneByte(Scalar<string>("SELECT metadata FROM messages WHERE sequence = 1;"))));

        await using var reopened = Open();
        var ex = Assert.ThrowsAsync<SessionDecryptionException>(() => reopened.GetMessagesAsync(session, 1, 1));
        Assert.That(ex!.Message, Does.Contain("failed authentication"));
        Assert.That((await reopened.GetMessagesAsync(session, 2, 2)).Single().Content, Is.EqualTo("Noted."));
    }

    [Test]
    public async Task CiphertextMovedToAnotherRow_IsDetected()
    {
        Guid session;
        await using (var store = Open())
        {
            session = await PlantAsync(store);
        }

        string first = Scalar<string>("SELECT metadata FROM messages WHERE sequence = 1;");
        Execute("UPDATE messages SET metadata = $m WHERE sequence = 2;", ("$m", first));

        await using var reopened = Open();
        Assert.ThrowsAsync<SessionDecryptionException>(() => reopened.GetMessagesAsync(session, 2, 2));
    }

    [Test]
    public async Task CorruptedEnvelope_IsReported()
    {
        Guid session;
        await using (var store = Open())
        {
            session = await PlantAsync(store);
        }

        Execute("UPDATE summaries SET text = 'sealed:not base64!';");

        await using var reopened = Open();
        var ex = Assert.ThrowsAsync<SessionDecryptionException>(() => reopened.GetSummariesAsync(session));
        Assert.That(ex!.Message, Does.Contain("corrupted"));
    }

    [Test]
    public async Task WrongMasterKey_FailsClearly_AndLosesNothing()
    {
        Guid session;
        await using (var store = Open())
        {
            session = await PlantAsync(store);
        }

        var wrong = new EncryptionOptions { Enabled = true, CurrentMasterKeyId = "k1" };
        wrong.MasterKeys["k1"] = TestMasterKeys.Key("not the right one");
        await using (var impostor = new SqliteSessionStore(new SqliteSessionStoreOptions { ConnectionString = _db.ConnectionString }, null, _time, masterKeys: new OptionsMasterKeyProvider(wrong)))
        {
            var ex = Assert.ThrowsAsync<SessionDecryptionException>(() => impostor.GetLastMessagesAsync(session, 10));
            Assert.That(ex!.Message, Does.Contain("master key is wrong"));
            Assert.ThrowsAsync<SessionDecryptionException>(() => impostor.AppendMessagesAsync(session, [NewMessage.User("lost?")]));
        }

        await using var rightful = Open();
        Assert.That((await rightful.GetLastMessagesAsync(session, 10)).Select(m => m.Content), Is.EqualTo(new[] { Sentence, "Noted." }));
    }

    [Test]
    public async Task MissingMasterKeyId_NamesTheKey()
    {
        Guid session;
        await using (var store = Open())
        {
            session = await PlantAsync(store);
        }

        await using var other = Open(TestMasterKeys.Provider("k2"));
        var ex = Assert.ThrowsAsync<SessionDecryptionException>(() => other.GetSessionAsync(session));
        Assert.That(ex!.Message, Does.Contain("'k1' is not configured"));
    }

    [Test]
    public async Task RotateMasterKey_RewrapsUserKeys_SoTheOldKeyCanGo()
    {
        Guid session;
        await using (var store = Open())
        {
            session = await PlantAsync(store);
            await store.CreateSessionAsync("bob");
        }

        string contentBefore = Scalar<string>("SELECT metadata FROM messages WHERE sequence = 1;");
        long rotated;
        await using (var both = Open(TestMasterKeys.Provider("k2", "k1", "k2")))
        {
            rotated = await both.RotateMasterKeyAsync();
            Assert.That(await both.RotateMasterKeyAsync(), Is.Zero, "A second rotation has nothing left to do.");
        }

        await using var onlyNew = Open(TestMasterKeys.Provider("k2"));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(rotated, Is.EqualTo(3), "alice's, bob's and the app-state key");
            Assert.That(Scalar<string>("SELECT metadata FROM messages WHERE sequence = 1;"), Is.EqualTo(contentBefore), "Data is not re-encrypted.");
            Assert.That((await onlyNew.GetLastMessagesAsync(session, 1)).Single().Content, Is.EqualTo("Noted."));
            Assert.That(Scalar<long>("SELECT COUNT(*) FROM user_keys WHERE master_key_id = 'k2';"), Is.EqualTo(3));
            Assert.That((await onlyNew.GetStateAsync(StateScope.User, "alice", "favourite"))?.Value, Is.EqualTo(Words[3]), "state opens under the new master key");
        }
    }

    [Test]
    public async Task RotateMasterKey_OnAPlaintextStore_Throws()
    {
        await using var store = new SqliteSessionStore(new SqliteSessionStoreOptions { ConnectionString = _db.ConnectionString }, null, _time);

        Assert.ThrowsAsync<InvalidOperationException>(() => store.RotateMasterKeyAsync());
    }

    [Test]
    public async Task EraseUser_DestroysTheDataKey()
    {
        await using var store = Open();
        await PlantAsync(store);
        await store.CreateSessionAsync("bob");

        await store.EraseUserAsync("alice");

        Assert.That(Scalar<long>("SELECT COUNT(*) FROM user_keys WHERE user_id = 'alice';"), Is.Zero);
        Assert.That(Scalar<long>("SELECT COUNT(*) FROM user_keys WHERE user_id = 'bob';"), Is.EqualTo(1));
        var fresh = await store.CreateSessionAsync("alice");
        Assert.That((await store.GetSessionAsync(fresh.Id)).UserId, Is.EqualTo("alice"));
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task EncryptedFile_OpenedWithoutEncryption_IsRefused_AndNothingIsWritten(bool fileFromBeforeTheSetting)
    {
        Guid session;
        await using (var store = Open())
        {
            session = await PlantAsync(store);
        }

        if (fileFromBeforeTheSetting)
        {
            Execute("DELETE FROM store_settings;");
        }

        var before = Counts();
        await using (var plain = OpenPlaintext())
        {
            var ex = Assert.ThrowsAsync<SessionKitException>(() => plain.GetLastMessagesAsync(session, 10));
            using (Assert.EnterMultipleScope())
            {
                Assert.That(ex!.Message, Does.Contain("encrypted at rest").And.Contain("EncryptionOptions.Enabled"));
                Assert.ThrowsAsync<SessionKitException>(() => plain.AppendMessagesAsync(session, [NewMessage.User("smuggled plaintext")]));
                Assert.ThrowsAsync<SessionKitException>(() => plain.CreateSessionAsync("bob"));
                Assert.ThrowsAsync<SessionKitException>(() => plain.ListSessionsAsync("alice"));
                Assert.ThrowsAsync<SessionKitException>(() => plain.SearchAsync("alice", new SearchQuery { Text = Words[0] }));
            }
        }

        await using var rightful = Open();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Counts(), Is.EqualTo(before), "nothing was written");
            Assert.That(RawFiles.Find(_db.FilePath, ["smuggled plaintext"]), Is.Empty);
            Assert.That((await rightful.GetLastMessagesAsync(session, 10)).Select(m => m.Content), Is.EqualTo(new[] { Sentence, "Noted." }));
        }
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task PlaintextFile_OpenedWithEncryption_IsRefused_AndNothingIsWritten(bool fileFromBeforeTheSetting)
    {
        Guid session;
        await using (var store = OpenPlaintext())
        {
            session = await PlantAsync(store);
        }

        if (fileFromBeforeTheSetting)
        {
            Execute("DELETE FROM store_settings;");
        }

        var before = Counts();
        await using (var encrypted = Open())
        {
            var ex = Assert.ThrowsAsync<SessionKitException>(() => encrypted.AppendMessagesAsync(session, [NewMessage.User("sealed into a plaintext file")]));
            using (Assert.EnterMultipleScope())
            {
                Assert.That(ex!.Message, Does.Contain("stores plaintext").And.Contain("EncryptionOptions.Enabled"));
                Assert.ThrowsAsync<SessionKitException>(() => encrypted.GetSessionAsync(session));
                Assert.ThrowsAsync<SessionKitException>(() => encrypted.CreateSessionAsync("bob"));
            }
        }

        await using var rightful = OpenPlaintext();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Counts(), Is.EqualTo(before), "nothing was written");
            Assert.That(Scalar<long>("SELECT COUNT(*) FROM user_keys;"), Is.Zero, "no data key was made");
            Assert.That((await rightful.GetLastMessagesAsync(session, 10)).Select(m => m.Content), Is.EqualTo(new[] { Sentence, "Noted." }));
        }
    }

    [Test]
    public async Task NewFile_TakesTheModeOfTheFirstStore_ThatOpensIt()
    {
        await using (var store = Open())
        {
            await store.InitializeAsync();
        }

        await using var plain = OpenPlaintext();
        Assert.ThrowsAsync<SessionKitException>(() => plain.InitializeAsync());
        Assert.That(Scalar<string>("SELECT value FROM store_settings WHERE name = 'encryption';"), Is.EqualTo("on"));
    }

    private (long Sessions, long Messages, long Summaries, long State, long Keys) Counts() => (
        Scalar<long>("SELECT COUNT(*) FROM sessions;"),
        Scalar<long>("SELECT COUNT(*) FROM messages;"),
        Scalar<long>("SELECT COUNT(*) FROM summaries;"),
        Scalar<long>("SELECT COUNT(*) FROM state_entries;"),
        Scalar<long>("SELECT COUNT(*) FROM user_keys;"));

    private SqliteSessionStore OpenPlaintext() => new(new SqliteSessionStoreOptions { ConnectionString = _db.ConnectionString }, null, _time);

    private SqliteSessionStore Open(IMasterKeyProvider? keys = null) =>
        new(new SqliteSessionStoreOptions { ConnectionString = _db.ConnectionString }, null, _time, masterKeys: keys ?? TestMasterKeys.Provider());

    private static async Task<Guid> PlantAsync(SqliteSessionStore store)
    {
        var session = await store.CreateSessionAsync("alice", new SessionCreateOptions { Title = $"About {Words[2]}", Metadata = new Dictionary<string, string> { ["topic"] = Words[3] } });
        await store.AppendMessagesAsync(session.Id, [NewMessage.User(Sentence) with { Metadata = new Dictionary<string, string> { ["mood"] = Words[0] } }, NewMessage.Assistant("Noted.")]);
        await store.SaveSummaryAsync(session.Id, new NewSummary(1, 2, 1, $"The user recalled {Words[1]}.", "test"));
        await store.SetStateAsync(StateScope.Session, session.Id.ToString(), "plan", $"Visit {Words[2]} next.");
        await store.SetStateAsync(StateScope.User, "alice", "favourite", Words[3]);
        await store.SetStateAsync(StateScope.App, null, "motto", $"{Words[0]} forever");
        return session.Id;
    }

    private static List<string> Needles() => [Sentence, .. Words, .. Words.Select(w => w[2..])];

    private T Scalar<T>(string sql)
    {
        using var connection = new SqliteConnection(_db.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)command.ExecuteScalar()!;
    }

    private void Execute(string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = new SqliteConnection(_db.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.ExecuteNonQuery();
    }

    private static string FlipOneByte(string metadataJson)
    {
        var metadata = JsonSerializer.Deserialize<Dictionary<string, string>>(metadataJson)!;
        var envelope = Convert.FromBase64String(metadata[SessionStore.SealedMetadataKey]);
        envelope[^1] ^= 0x01;
        metadata[SessionStore.SealedMetadataKey] = Convert.ToBase64String(envelope);
        return JsonSerializer.Serialize(metadata);
    }
}
