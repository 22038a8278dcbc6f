using NUnit.Framework;

namespace SessionKit.PostgreSql.Tests;

/// <summary>How search uses PostgreSQL: the user filter inside the GIN index, never a scan of other users' rows.</summary>
[TestFixture]
public sealed class PostgresSearchTests
{
    [Test]
    public async Task Search_FiltersByUserInsideTheGinIndex()
    {
        string schema = PostgresServer.NewSchema();
        await using var store = new PostgreSqlSessionStore(new PostgreSqlSessionStoreOptions { DataSource = PostgresServer.DataSource, Schema = schema });
        var session = await store.CreateSessionAsync("alice");
        await store.AppendMessagesAsync(session.Id, [NewMessage.User("the carbon cycle")]);

        await using var connection = await PostgresServer.DataSource.OpenConnectionAsync();
        await using (var off = new Npgsql.NpgsqlCommand("SET enable_seqscan = off;", connection))
        {
            await off.ExecuteNonQueryAsync();
        }

        await using var explain = new Npgsql.NpgsqlCommand(
            $"EXPLAIN SELECT session_id FROM \"{schema}\".messages WHERE user_key = 'u0123' AND search_vector @@ 'carbon'::tsquery;", connection);
        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(0));
            }
        }

        string text = string.Join("\n", plan);
        Assert.That(text, Does.Contain("ix_messages_search"));
        Assert.That(text, Does.Match(@"Index Cond: \(\(user_key = 'u0123'::text\) AND \(search_vector @@"), "both the user key and the words are index conditions");
    }

    [Test]
    public async Task Search_FindsWordsOfMessagesWithNulCharacters_AndReturnsThemIntact()
    {
        await using var store = new PostgreSqlSessionStore(new PostgreSqlSessionStoreOptions { DataSource = PostgresServer.DataSource, Schema = PostgresServer.NewSchema() });
        var session = await store.CreateSessionAsync("a\0b");
        await store.AppendMessagesAsync(session.Id, [NewMessage.User("carbon\0cycle \uFFFF end")]);

        var hit = (await store.SearchAsync("a\0b", new SearchQuery { Text = "cycle" })).Items.Single();
        Assert.That(hit.Message.Content, Is.EqualTo("carbon\0cycle \uFFFF end"));
        Assert.That((await store.ListSessionsAsync("a\0b")).Items.Single().UserId, Is.EqualTo("a\0b"));
        Assert.That((await store.SearchAsync("a", new SearchQuery { Text = "cycle" })).Items, Is.Empty);
    }
}
