using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using SessionKit.Storage;

namespace SessionKit.Sqlite.Tests;

/// <summary>Opening a database written by an earlier schema version upgrades it in place and keeps its data.</summary>
[TestFixture]
public sealed class SqliteMigrationTests
{
    // The schema of version 1, as SessionKit.Sqlite 0.1 created it; a frozen copy, so later edits to SqliteSchema cannot hide a broken upgrade.
    private const string Version1Schema = """
        CREATE TABLE sessions (
            id               BLOB    NOT NULL PRIMARY KEY,
            user_id          TEXT    NOT NULL,
            title            TEXT    NULL,
            metadata         TEXT    NULL,
            created_at       INTEGER NOT NULL,
            last_activity_at INTEGER NOT NULL,
            version          INTEGER NOT NULL,
            last_sequence    INTEGER NOT NULL,
            message_count    INTEGER NOT NULL
        );
        CREATE INDEX ix_sessions_user_activity ON sessions (user_id, last_activity_at DESC, id DESC);

        CREATE TABLE messages (
            row_id       INTEGER NOT NULL PRIMARY KEY,
            session_id   BLOB    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            sequence     INTEGER NOT NULL,
            id           BLOB    NOT NULL,
            role         INTEGER NOT NULL,
            content      TEXT    NOT NULL,
            author_id    TEXT    NULL,
            tool_call_id TEXT    NULL,
            tool_name    TEXT    NULL,
            created_at   INTEGER NOT NULL,
            metadata     TEXT    NULL
        );
        CREATE UNIQUE INDEX ux_messages_session_sequence ON messages (session_id, sequence);
        PRAGMA user_version = 1;
        """;

    private static readonly DateTimeOffset CreatedAt = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset FirstAt = CreatedAt.AddMinutes(1);
    private static readonly DateTimeOffset SecondAt = CreatedAt.AddMinutes(2);

    private static readonly Guid SessionId = Guid.Parse("0197a0b1-2c3d-7e4f-8a5b-6c7d8e9f0a1b");
    private static readonly Guid FirstMessageId = Guid.Parse("0197a0b1-3000-7000-8000-000000000001");
    private static readonly Guid SecondMessageId = Guid.Parse("0197a0b1-3000-7000-8000-000000000002");

    private TempDatabase _db = null!;
    private FakeTimeProvider _time = null!;

    [SetUp]
    public void SetUp()
    {
        _db = new TempDatabase();
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        CreateVersion1Database();
    }

    [TearDown]
    public void TearDown() => _db.Dispose();

    private SqliteSessionStore Open() => new(new SqliteSessionStoreOptions { ConnectionString = _db.ConnectionString }, null, _time);

    private SqliteConnection OpenRaw()
    {
        var connection = new SqliteConnection($"Data Source={_db.FilePath};Pooling=False");
        connection.Open();
        return connection;
    }

    private object? Scalar(string sql)
    {
        using var connection = OpenRaw();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private List<string> Columns(string table)
    {
        using var connection = OpenRaw();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT name FROM pragma_table_info('{table}') ORDER BY cid;";
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    /// <summary>A version-1 file holding one session (version 2) with a user message and a tool call.</summary>
    private void CreateVersion1Database()
    {
        using var connection = OpenRaw();
        using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            wal.ExecuteNonQuery();
        }

        using var transaction = connection.BeginTransaction();
        using (var schema = connection.CreateCommand())
        {
            schema.Transaction = transaction;
            schema.CommandText = Version1Schema;
            schema.ExecuteNonQuery();
        }

        using (var session = connection.CreateCommand())
        {
            session.Transaction = transaction;
            session.CommandText = """
                INSERT INTO sessions (id, user_id, title, metadata, created_at, last_activity_at, version, last_sequence, message_count)
                VALUES ($id, 'ada', 'Before the upgrade', '{"source":"v1"}', $created_at, $last_activity_at, 2, 2, 2);
                """;
            session.Parameters.AddWithValue("$id", SessionId.ToByteArray(bigEndian: true));
            session.Parameters.AddWithValue("$created_at", CreatedAt.UtcTicks);
            session.Parameters.AddWithValue("$last_activity_at", SecondAt.UtcTicks);
            session.ExecuteNonQuery();
        }

        using var message = connection.CreateCommand();
        message.Transaction = transaction;
        message.CommandText = """
            INSERT INTO messages (session_id, sequence, id, role, content, author_id, tool_call_id, tool_name, created_at, metadata)
            VALUES ($session_id, $sequence, $id, $role, $content, $author_id, $tool_call_id, $tool_name, $created_at, $metadata);
            """;
        var sessionParameter = message.Parameters.Add("$session_id", SqliteType.Blob);
        var sequence = message.Parameters.Add("$sequence", SqliteType.Integer);
        var id = message.Parameters.Add("$id", SqliteType.Blob);
        var role = message.Parameters.Add("$role", SqliteType.Integer);
        var content = message.Parameters.Add("$content", SqliteType.Text);
        var author = message.Parameters.Add("$author_id", SqliteType.Text);
        var toolCall = message.Parameters.Add("$tool_call_id", SqliteType.Text);
        var toolName = message.Parameters.Add("$tool_name", SqliteType.Text);
        var created = message.Parameters.Add("$created_at", SqliteType.Integer);
        var metadata = message.Parameters.Add("$metadata", SqliteType.Text);
        sessionParameter.Value = SessionId.ToByteArray(bigEndian: true);

        sequence.Value = 1L;
        id.Value = FirstMessageId.ToByteArray(bigEndian: true);
        role.Value = (int)MessageRole.User;
        content.Value = "What's the weather in Zürich?";
        author.Value = "ada-phone";
        toolCall.Value = DBNull.Value;
        toolName.Value = DBNull.Value;
        created.Value = FirstAt.UtcTicks;
        metadata.Value = """{"client":"ios"}""";
        message.ExecuteNonQuery();

        sequence.Value = 2L;
        id.Value = SecondMessageId.ToByteArray(bigEndian: true);
        role.Value = (int)MessageRole.Assistant;
        content.Value = """{"city":"Zürich"}""";
        author.Value = DBNull.Value;
        toolCall.Value = "call_1";
        toolName.Value = "get_weather";
        created.Value = SecondAt.UtcTicks;
        metadata.Value = DBNull.Value;
        message.ExecuteNonQuery();

        transaction.Commit();
    }

    [Test]
    public void TheHandMadeDatabase_IsAtVersion1()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Scalar("PRAGMA user_version;"), Is.EqualTo(1L));
            Assert.That(Scalar("PRAGMA journal_mode;"), Is.EqualTo("wal"));
            Assert.That(Scalar("SELECT count(*) FROM messages;"), Is.EqualTo(2L));
            Assert.That(Columns("messages"), Does.Not.Contain("token_count"));
            Assert.That(Scalar("SELECT count(*) FROM sqlite_master WHERE name = 'summaries';"), Is.EqualTo(0L));
        }
    }

    [Test]
    public async Task Open_UpgradesAVersion1Database_ToTheCurrentSchema()
    {
        await using (var store = Open())
        {
            await store.InitializeAsync();
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(SqliteSchema.CurrentVersion, Is.GreaterThanOrEqualTo(2));
            Assert.That(Scalar("PRAGMA user_version;"), Is.EqualTo((long)SqliteSchema.CurrentVersion));
            Assert.That(Scalar("PRAGMA journal_mode;"), Is.EqualTo("wal"));
            Assert.That(Columns("messages"), Is.SupersetOf(new[] { "token_count", "token_encoding" }));
            Assert.That(
                Columns("summaries"),
                Is.SupersetOf(new[] { "session_id", "id", "level", "from_sequence", "to_sequence", "text", "token_count", "token_encoding", "summarizer_id", "created_at" }));
            Assert.That(Scalar("SELECT count(*) FROM messages;"), Is.EqualTo(2L), "no row lost");
            Assert.That(Scalar("PRAGMA integrity_check;"), Is.EqualTo("ok"));
            Assert.That(Scalar("SELECT count(*) FROM pragma_foreign_key_check;"), Is.EqualTo(0L));
        }
    }

    [Test]
    public async Task OldSessionAndMessages_ReadBackUnchanged_WithoutATokenCount()
    {
        await using var store = Open();

        var session = await store.GetSessionAsync(SessionId);
        var messages = await store.GetMessagesAsync(SessionId, 1, 10);
        var streamed = new List<SessionMessage>();
        await foreach (var message in store.ReadAllMessagesAsync(SessionId))
        {
            streamed.Add(message);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(session.UserId, Is.EqualTo("ada"));
            Assert.That(session.Title, Is.EqualTo("Before the upgrade"));
            Assert.That(session.Metadata, Is.EquivalentTo(new Dictionary<string, string> { ["source"] = "v1" }));
            Assert.That(session.CreatedAt, Is.EqualTo(CreatedAt));
            Assert.That(session.LastActivityAt, Is.EqualTo(SecondAt));
            Assert.That(session.Version, Is.EqualTo(2));
            Assert.That(session.LastSequence, Is.EqualTo(2));
            Assert.That(session.MessageCount, Is.EqualTo(2));

            Assert.That(messages, Has.Count.EqualTo(2));
            Assert.That(messages.Select(m => m.Id), Is.EqualTo(new[] { FirstMessageId, SecondMessageId }));
            Assert.That(messages.Select(m => m.Sequence), Is.EqualTo(new[] { 1L, 2L }));
            Assert.That(messages.Select(m => m.Role), Is.EqualTo(new[] { MessageRole.User, MessageRole.Assistant }));
            Assert.That(messages.Select(m => m.Content), Is.EqualTo(new[] { "What's the weather in Zürich?", """{"city":"Zürich"}""" }));
            Assert.That(messages.Select(m => m.CreatedAt), Is.EqualTo(new[] { FirstAt, SecondAt }));
            Assert.That(messages[0].AuthorId, Is.EqualTo("ada-phone"));
            Assert.That(messages[0].Metadata, Is.EquivalentTo(new Dictionary<string, string> { ["client"] = "ios" }));
            Assert.That(messages[1].ToolCallId, Is.EqualTo("call_1"));
            Assert.That(messages[1].ToolName, Is.EqualTo("get_weather"));
            Assert.That(messages.Select(m => m.TokenEncoding), Is.All.Null, "never counted");
            Assert.That(messages.Select(m => m.TokenCount), Is.All.Zero);
            Assert.That(streamed.Select(m => (m.Id, m.TokenCount, m.TokenEncoding)), Is.EqualTo(messages.Select(m => (m.Id, m.TokenCount, m.TokenEncoding))));

            // Without an encoding the cached count is not trusted: budgeting counts the message afresh.
            Assert.That(
                messages.Select(m => TokenCounting.CountMessageCached(SharpTokenCounter.Default, m)),
                Is.EqualTo(messages.Select(m => TokenCounting.CountMessage(SharpTokenCounter.Default, m))));
            Assert.That(messages.Select(m => TokenCounting.CountMessageCached(SharpTokenCounter.Default, m)), Is.All.GreaterThan(0));
        }
    }

    [Test]
    public async Task AppendsAfterTheUpgrade_ContinueTheSequence_WithTokenCounts()
    {
        await using var store = Open();

        var result = await store.AppendMessagesAsync(
            SessionId,
            [NewMessage.ToolResult("call_1", """{"forecast":"rain"}""", "get_weather"), NewMessage.Assistant("Rain in Zürich.")],
            new AppendOptions { ExpectedVersion = 2 });
        var all = await store.GetMessagesAsync(SessionId, 1, 10);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Messages.Select(m => m.Sequence), Is.EqualTo(new[] { 3L, 4L }));
            Assert.That(result.Session.Version, Is.EqualTo(3));
            Assert.That(result.Session.LastSequence, Is.EqualTo(4));
            Assert.That(result.Session.MessageCount, Is.EqualTo(4));
            Assert.That(all.Select(m => m.Sequence), Is.EqualTo(new[] { 1L, 2L, 3L, 4L }));
            Assert.That(all.Select(m => m.TokenEncoding), Is.EqualTo(new[] { null, null, "o200k_base", "o200k_base" }));
            Assert.That(all[2].TokenCount, Is.EqualTo(TokenCounting.CountMessage(SharpTokenCounter.Default, all[2])).And.GreaterThan(0));
            Assert.That(all[3].TokenCount, Is.EqualTo(TokenCounting.CountMessage(SharpTokenCounter.Default, all[3])).And.GreaterThan(0));
            Assert.That(all.Take(2).Select(m => m.TokenCount), Is.All.Zero, "old rows are not rewritten");
        }
    }

    [Test]
    public async Task SummariesCanBeSaved_OverOldMessages_AfterTheUpgrade()
    {
        await using var store = Open();

        var saved = await store.SaveSummaryAsync(SessionId, new NewSummary(1, 2, 1, "Ada asked about Zürich's weather; a tool was called.", "test"));
        var read = await store.GetSummariesAsync(SessionId);
        var session = await store.GetSessionAsync(SessionId);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(read, Is.EqualTo(new[] { saved }));
            Assert.That(saved.TokenEncoding, Is.EqualTo("o200k_base"));
            Assert.That(saved.TokenCount, Is.EqualTo(TokenCounting.CountSummary(SharpTokenCounter.Default, saved.Content)));
            Assert.That(saved.CreatedAt, Is.EqualTo(_time.GetUtcNow()));
            Assert.That(session.Version, Is.EqualTo(2));
            Assert.That(Scalar("SELECT count(*) FROM summaries;"), Is.EqualTo(1L));
        }
    }

    [Test]
    public async Task ReopeningAnUpgradedDatabase_DoesNotMigrateAgain_AndKeepsEverything()
    {
        SessionSummary saved;
        await using (var store = Open())
        {
            await store.AppendMessageAsync(SessionId, NewMessage.User("and tomorrow?"));
            saved = await store.SaveSummaryAsync(SessionId, new NewSummary(1, 3, 1, "Weather questions about Zürich.", "test"));
        }

        await using (var reopened = Open())
        {
            await reopened.InitializeAsync();
            var messages = await reopened.GetMessagesAsync(SessionId, 1, 10);

            using (Assert.EnterMultipleScope())
            {
                Assert.That(Scalar("PRAGMA user_version;"), Is.EqualTo((long)SqliteSchema.CurrentVersion));
                Assert.That(messages.Select(m => m.TokenEncoding), Is.EqualTo(new[] { null, null, "o200k_base" }));
                Assert.That(messages[2].TokenCount, Is.EqualTo(TokenCounting.CountMessage(SharpTokenCounter.Default, messages[2])));
                Assert.That(await reopened.GetSummariesAsync(SessionId), Is.EqualTo(new[] { saved }));
            }
        }
    }

    [Test]
    public async Task DeletingAnUpgradedSession_DeletesItsSummaryRows()
    {
        await using var store = Open();
        await store.SaveSummaryAsync(SessionId, new NewSummary(1, 2, 1, "Weather in Zürich.", "test"));
        await store.SaveSummaryAsync(SessionId, new NewSummary(1, 2, 2, "Weather.", "test"));

        bool deleted = await store.DeleteSessionAsync(SessionId);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(deleted, Is.True);
            Assert.That(Scalar("SELECT count(*) FROM summaries;"), Is.EqualTo(0L));
            Assert.That(Scalar("SELECT count(*) FROM messages;"), Is.EqualTo(0L));
            Assert.ThrowsAsync<SessionNotFoundException>(() => store.GetSummariesAsync(SessionId));
        }
    }
}
