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
        await using var transaction = await connection.BeginTransactionAsync();
        // The (owner key, time) B-tree serves the newest-rows part of a search; out of the way (rolled back), the plan shows
        // what the rare-words part reads: the GIN index, with both the user key and the words as its conditions.
        await using (var off = new Npgsql.NpgsqlCommand($"SET LOCAL enable_seqscan = off; DROP INDEX \"{schema}\".ix_messages_user_created;", connection, transaction))
        {
            await off.ExecuteNonQueryAsync();
        }

        await using var explain = new Npgsql.NpgsqlCommand(
            $"EXPLAIN SELECT session_id FROM \"{schema}\".messages WHERE user_key = 'u0123' AND search_vector @@ 'carbon'::tsquery;", connection, transaction);
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

    [Test]
    public async Task Search_BeyondTheNewestRows_StillRanksEveryRowWithARareWord_AndNotOlderRowsWithOnlyCommonWords()
    {
        await using var store = new PostgreSqlSessionStore(new PostgreSqlSessionStoreOptions { DataSource = PostgresServer.DataSource, Schema = PostgresServer.NewSchema() });
        var session = await store.CreateSessionAsync("alice");
        // Two old messages, then more rows than a search ranks newest first, all holding the common word "budget".
        var old = await store.AppendMessagesAsync(session.Id, [NewMessage.User("The permafrost budget."), NewMessage.User("Budget.")]);
        var filler = Enumerable.Range(0, PostgreSqlSessionStore.CandidateWindow + 10)
            .Select(i => NewMessage.Assistant($"The remaining carbon budget shrinks by a few gigatonnes every year, note {i}."))
            .ToList();
        for (int i = 0; i < filler.Count; i += 500)
        {
            await store.AppendMessagesAsync(session.Id, filler.GetRange(i, Math.Min(500, filler.Count - i)));
        }

        var rare = await store.SearchAsync("alice", new SearchQuery { Text = "permafrost budget", SessionId = session.Id });
        var common = await store.SearchAsync("alice", new SearchQuery { Text = "budget", SessionId = session.Id, Limit = SearchQuery.MaxLimit });

        Assert.That(rare.Items[0].Message.Id, Is.EqualTo(old.Messages[0].Id), "a row with a rare query word is ranked wherever it is");
        Assert.That(common.Items.Select(h => h.Message.Id), Does.Not.Contain(old.Messages[1].Id),
            "the one-word message would score best, but it is older than the rows a search with only common words ranks");
        Assert.That(common.Items, Has.Count.EqualTo(SearchQuery.MaxLimit));
    }

    [TestCase("'carbon':1A,2A", new[] { "carbon" }, new[] { 2 })]
    [TestCase("'carbon':1A 'it''s':1A,7A,9A 'a\\\\b':3A", new[] { "it's", "carbon", "a\\b", "missing", "carbon" }, new[] { 3, 1, 1, 0, 1 })]
    [TestCase("", new[] { "carbon" }, new[] { 0 })]
    public void TermFrequencies_ReadsTheTextOfAFilteredSearchVector(string vector, string[] stems, int[] expected)
    {
        var frequencies = new int[stems.Length];
        PostgreSqlSessionStore.TermFrequencies(vector, stems, frequencies);
        Assert.That(frequencies, Is.EqualTo(expected));
    }
}
