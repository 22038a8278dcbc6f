using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using NUnit.Framework;
using SessionKit.Testing;

namespace SessionKit.Sqlite.Tests;

/// <summary>
/// What the SQLite context snapshot reads of the summary levels: only the part of each level a build uses (the summaries
/// after the next level's newest), with where each level's newest ends, so a long history (where most levels' newest
/// summaries are covered by the next level) costs no more rows than a short one.
/// </summary>
[TestFixture]
internal sealed class SqliteContextSnapshotTests : SqliteFileFixture
{
    private const string Words = "the carbon cycle moves between the atmosphere the oceans the land and living things over years and ages";

    [Test]
    public async Task ContextSnapshot_ReadsNoSummaryTheNextLevelCovers_AndStatesWhereEachLevelEnds()
    {
        await using var store = Open();
        var session = await CreatePyramidAsync(store);

        var snapshot = await store.ReadContextSnapshotAsync(session.Id, 4000);

        Assert.That(
            snapshot.SummaryLevels.Select(l => (l.Level, Ranges: string.Join(",", l.Summaries.Select(s => $"{s.FromSequence}-{s.ToSequence}")), l.CompleteFrom, l.NewestTo)),
            Is.EqualTo(new[]
            {
                (1, "17-18", 17L, (long?)18),
                (2, "", 17L, (long?)16),
                (3, "1-16", 1L, (long?)16),
                (4, "", 1L, (long?)0),
            }),
            "level 1 from after level 2's newest; level 2 wholly covered by level 3, so no row; level 3 whole; level 4 empty");
    }

    [Test]
    public async Task Build_FromTheSnapshot_ReadsNothingElse_AndReturnsWhatOrdinaryReadsReturn()
    {
        await using var store = Open();
        var session = await CreatePyramidAsync(store);
        var counter = SharpTokenCounter.Default;
        var request = new ContextRequest { TokenBudget = 300, SummarizeInline = false, RecallNewestUserMessage = false };
        var plainReads = new ReadCountingStore(store);
        var expected = await new ContextBuilder(plainReads, counter, new ExtractiveSummarizer(counter)).BuildAsync(session.Id, request);

        var operations = new ConcurrentQueue<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "SessionKit",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.Kind == ActivityKind.Client && Equals(activity.GetTagItem("sessionkit.session.id"), session.Id.ToString()))
                {
                    operations.Enqueue(activity.DisplayName);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var window = await new ContextBuilder(store, counter, new ExtractiveSummarizer(counter)).BuildAsync(session.Id, request);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(operations, Is.EqualTo(new[] { "read_context sessions" }), "the level reads answered from where each level's newest ends");
            Assert.That(plainReads.SummariesRead, Is.GreaterThan(0), "the comparison build read its summaries the ordinary way");
            Assert.That(window.Items.Select(i => i.SummaryLevel), Does.Contain(3), "the level-3 summary, found past level 2, which the snapshot holds no row of");
            Assert.That(Describe(window), Is.EqualTo(Describe(expected)));
        }
    }

    [Test]
    public async Task FrontierStatement_SeeksEachLevelInTheLevelIndex()
    {
        await using (var store = Open())
        {
            await store.InitializeAsync();
        }

        using var connection = new SqliteConnection($"{Db.ConnectionString};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + SqliteSessionStore.SnapshotFrontierSql[2];
        var searches = new List<string>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                searches.Add(reader.GetString(3));
            }
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(searches.Count(s => s.Contains("ix_summaries_session_level_to (session_id=? AND level=? AND to_sequence>?)", StringComparison.Ordinal)), Is.EqualTo(3));
            Assert.That(searches, Has.None.Contains("TEMP B-TREE").And.None.Contains("SCAN summaries"));
        }
    }

    // Messages 1-24; level 1: 1-4, 5-8, 9-12, 13-16, 17-18; level 2: 1-8, 9-16; level 3: 1-16.
    private static async Task<Session> CreatePyramidAsync(SqliteSessionStore store)
    {
        var session = await store.CreateSessionAsync("ada");
        await store.AppendMessagesAsync(
            session.Id,
            [.. Enumerable.Range(1, 24).Select(i => i % 2 == 1 ? NewMessage.User($"question {i}: {Words}") : NewMessage.Assistant($"answer {i}: {Words}"))]);
        (long From, long To, int Level)[] summaries = [(1, 4, 1), (5, 8, 1), (9, 12, 1), (13, 16, 1), (1, 8, 2), (9, 16, 2), (1, 16, 3), (17, 18, 1)];
        foreach (var (from, to, level) in summaries)
        {
            await store.SaveSummaryAsync(session.Id, new NewSummary(from, to, level, $"summary of {from}-{to}", "test"));
        }

        return session;
    }

    private static string[] Describe(ContextWindow window) =>
        [.. window.Items.Select(i => $"{i.Kind} {i.Role} {i.Sequences.From}-{i.Sequences.To} L{i.SummaryLevel} {i.TokenCount}: {i.Content}"),
            $"total {window.TotalTokens}, omitted {string.Join(",", window.OmittedRanges.Select(r => $"{r.From}-{r.To}"))}"];
}
