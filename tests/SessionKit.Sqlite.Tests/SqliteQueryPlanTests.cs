using Microsoft.Data.Sqlite;
using NUnit.Framework;

namespace SessionKit.Sqlite.Tests;

/// <summary>Reads by time and listings by creation are served by their indexes, not by scanning a session or the table.</summary>
[TestFixture]
internal sealed class SqliteQueryPlanTests : SqliteFileFixture
{
    [TestCase("created_at >= 1", "ORDER BY created_at, sequence")]
    [TestCase("created_at < 1", "ORDER BY created_at DESC, sequence DESC")]
    [TestCase("created_at >= 1 AND created_at < 2", "ORDER BY created_at, sequence")]
    public async Task ReadingByTime_UsesTheSessionTimeIndex(string range, string order)
    {
        await using (var store = Open())
        {
            await store.InitializeAsync();
        }

        string plan = Plan($"SELECT * FROM messages WHERE session_id = X'00' AND {range} {order} LIMIT 10;");

        Assert.That(plan, Does.Contain("ix_messages_session_created").And.Not.Contain("TEMP B-TREE"));
    }

    [Test]
    public async Task ListingByCreation_UsesTheUserIdIndex()
    {
        await using (var store = Open())
        {
            await store.InitializeAsync();
        }

        string plan = Plan("SELECT * FROM sessions WHERE user_id = 'alice' AND id < X'00' ORDER BY id DESC LIMIT 10;");

        Assert.That(plan, Does.Contain("ix_sessions_user_id").And.Not.Contain("TEMP B-TREE"));
    }

    private string Plan(string sql)
    {
        using var connection = new SqliteConnection($"{Db.ConnectionString};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        using var reader = command.ExecuteReader();
        var lines = new List<string>();
        while (reader.Read())
        {
            lines.Add(reader.GetString(3));
        }

        return string.Join("\n", lines);
    }
}
