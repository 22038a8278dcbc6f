using System.Text;
using Npgsql;
using NUnit.Framework;
using SessionKit.Testing;

namespace SessionKit.PostgreSql.Tests;

/// <summary>
/// Erase on a server: PostgreSQL keeps dead row versions until vacuum and WAL segments until they are recycled, so the
/// guarantee is encryption at rest with per-user keys. These tests read the cluster's raw files (the database's folder
/// under base/, global/ and pg_wal/) for planted strings.
/// </summary>
[TestFixture]
public sealed class PostgresErasureTests
{
    [Test]
    public async Task WithEncryption_PlantedContentIsNeverInTheRawFiles_BeforeOrAfterErase_AndTheDataKeyIsGone()
    {
        string dataDirectory = DataDirectoryOrFail();
        string marker = "zq" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        string[] planted = [$"{marker}-content", $"{marker}-title", $"{marker}-meta", $"{marker}-summary", $"{marker}-state", $"{marker}-second"];
        string userId = $"{marker}-user"; // ids are stored as written: the scan must find this one, so it can see what it looks for
        string schema = PostgresServer.NewSchema();

        await using var store = new PostgreSqlSessionStore(new PostgreSqlSessionStoreOptions { DataSource = PostgresServer.DataSource, Schema = schema }, masterKeys: TestMasterKeys.Provider());
        var session = await store.CreateSessionAsync(userId, new SessionCreateOptions { Title = planted[1], Metadata = new Dictionary<string, string> { ["topic"] = planted[2] } });
        await store.AppendMessagesAsync(session.Id, [NewMessage.User($"please remember {planted[0]} for me"), NewMessage.Assistant("noted")]);
        await store.SaveSummaryAsync(session.Id, new NewSummary(1, 2, 1, $"the user said {planted[3]}", "test"));
        await store.SetStateAsync(StateScope.Session, session.Id.ToString(), "note", planted[4]);
        await store.AppendMessagesAsync(session.Id, [NewMessage.User($"and also {planted[5]}")]);

        var before = await ScanAsync(dataDirectory, [.. planted, userId]);
        Assert.That(before[userId], Is.True, "the scan finds a plaintext id, so it would find plaintext content");
        Assert.That(planted.Where(p => before[p]), Is.Empty, "encrypted: no planted string is in any raw file");

        var erased = await store.EraseUserAsync(userId);
        var after = await ScanAsync(dataDirectory, planted);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(erased.Sessions, Is.EqualTo(1));
            Assert.That(planted.Where(p => after[p]), Is.Empty);
            Assert.That(await PostgresMigrationTests.ScalarAsync($"SELECT count(*) FROM \"{schema}\".user_keys WHERE user_id = '{userId}';"), Is.Zero, "the data key is gone");
            Assert.That(await PostgresMigrationTests.ScalarAsync($"SELECT count(*) FROM \"{schema}\".messages;"), Is.Zero);
            Assert.That(await PostgresMigrationTests.ScalarAsync($"SELECT count(*) FROM \"{schema}\".search_terms;"), Is.Zero, "no hashed word of the user is left in the statistics");
        }
    }

    [Test]
    public async Task WithoutEncryption_ErasedRows_AreGoneFromEveryTable_InOneTransaction()
    {
        string schema = PostgresServer.NewSchema();
        await using var store = new PostgreSqlSessionStore(new PostgreSqlSessionStoreOptions { DataSource = PostgresServer.DataSource, Schema = schema });
        var session = await store.CreateSessionAsync("alice");
        await store.AppendMessagesAsync(session.Id, [NewMessage.User("the carbon cycle"), NewMessage.Assistant("moves carbon")]);
        await store.SaveSummaryAsync(session.Id, new NewSummary(1, 2, 1, "carbon", "test"));
        await store.EditMessageAsync(session.Id, 1, "the nitrogen cycle");
        var kept = await store.CreateSessionAsync("bob");
        await store.AppendMessagesAsync(kept.Id, [NewMessage.User("bob's carbon")]);

        await store.EraseUserAsync("alice");

        using (Assert.EnterMultipleScope())
        {
            foreach (string table in (string[])["sessions", "messages", "summaries", "message_revisions", "session_changes", "state_entries"])
            {
                Assert.That(await PostgresMigrationTests.ScalarAsync($"SELECT count(*) FROM \"{schema}\".{table} WHERE {(table == "sessions" ? "id" : "session_id")} = '{session.Id}';"), Is.Zero, table);
            }

            Assert.That(await PostgresMigrationTests.ScalarAsync($"SELECT count(*) FROM \"{schema}\".search_terms WHERE stem IN ('nitrogen', 'cycl', 'move');"), Is.Zero, "words only alice used leave the statistics");
            Assert.That(await PostgresMigrationTests.ScalarAsync($"SELECT sum(doc_count) FROM \"{schema}\".search_stats;"), Is.EqualTo(1L));
            Assert.That((await store.SearchAsync("bob", new SearchQuery { Text = "carbon" })).Items, Has.Count.EqualTo(1));
        }
    }

    private static string DataDirectoryOrFail()
    {
        string? data = PostgresServer.DataDirectory;
        if (data is null || !Directory.Exists(Path.Combine(data, "cluster")))
        {
            Assert.Fail("SESSIONKIT_POSTGRES_DATA must name the throwaway cluster's folder (made by .ci/postgres) for the raw-file test.");
        }

        return Path.Combine(data!, "cluster");
    }

    /// <summary>Forces every dirty page to disk (CHECKPOINT), then reads the database's files, global/ and pg_wal/.</summary>
    private static async Task<Dictionary<string, bool>> ScanAsync(string cluster, string[] needles)
    {
        long oid;
        await using (var connection = await PostgresServer.DataSource.OpenConnectionAsync())
        {
            await using var checkpoint = new NpgsqlCommand("CHECKPOINT;", connection);
            await checkpoint.ExecuteNonQueryAsync();
            await using var find = new NpgsqlCommand("SELECT oid::bigint FROM pg_database WHERE datname = current_database();", connection);
            oid = (long)(await find.ExecuteScalarAsync())!;
        }

        var found = needles.ToDictionary(n => n, _ => false);
        var patterns = needles.Select(n => (Needle: n, Bytes: Encoding.UTF8.GetBytes(n))).ToArray();
        var folders = new[] { Path.Combine(cluster, "base", oid.ToString(System.Globalization.CultureInfo.InvariantCulture)), Path.Combine(cluster, "global"), Path.Combine(cluster, "pg_wal") };
        foreach (string file in folders.Where(Directory.Exists).SelectMany(f => Directory.EnumerateFiles(f, "*", SearchOption.AllDirectories)))
        {
            byte[] bytes;
            try
            {
                bytes = await File.ReadAllBytesAsync(file);
            }
            catch (IOException)
            {
                continue; // a WAL segment recycled while listing
            }

            foreach (var (needle, pattern) in patterns)
            {
                if (!found[needle] && bytes.AsSpan().IndexOf(pattern) >= 0)
                {
                    found[needle] = true;
                }
            }
        }

        return found;
    }
}
