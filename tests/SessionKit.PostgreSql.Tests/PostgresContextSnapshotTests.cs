using NUnit.Framework;

namespace SessionKit.PostgreSql.Tests;

/// <summary>
/// The context snapshot as PostgreSQL reads it: one batch in one repeatable-read transaction, stopping where the budget and
/// the row limit say (the shared conformance suite checks that whatever it holds is what it claims), and composed from the
/// ordinary reads for a history deeper than the batch's eight levels.
/// </summary>
[TestFixture]
public sealed class PostgresContextSnapshotTests
{
    [Test]
    public async Task Snapshot_StopsAtTheFirstMessagePastTheBudget_AndAtTheRowLimit()
    {
        await using var store = new PostgreSqlSessionStore(PostgresServer.Options());
        var session = await store.CreateSessionAsync("alice");
        for (int i = 0; i < 6; i++)
        {
            await store.AppendMessagesAsync(session.Id, [.. Enumerable.Range(0, 100).Select(k => NewMessage.User($"Message {i * 100 + k} about the carbon cycle."))]);
        }

        var messages = await store.GetLastMessagesAsync(session.Id, 600);
        var tiny = await store.ReadContextSnapshotAsync(session.Id, 1);
        int threeRows = messages[^1].TokenCount + messages[^2].TokenCount;
        var three = await store.ReadContextSnapshotAsync(session.Id, threeRows);
        var whole = await store.ReadContextSnapshotAsync(session.Id, 1_000_000);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(tiny.NewestMessages.Select(m => m.Sequence), Is.EqualTo(new[] { 600L }), "at least the newest message, and no more once the budget is passed");
            Assert.That(tiny.MessagesFrom, Is.EqualTo(600));
            Assert.That(three.NewestMessages.Select(m => m.Sequence), Is.EqualTo(new[] { 600L, 599, 598 }), "rows until their counts pass the budget");
            Assert.That(three.MessagesFrom, Is.EqualTo(598));
            Assert.That(whole.NewestMessages, Has.Count.EqualTo(512), "at most 512 messages whatever the budget");
            Assert.That(whole.NewestMessages[^1].Sequence, Is.EqualTo(89));
            Assert.That(whole.MessagesFrom, Is.EqualTo(89));
        }
    }

    [Test]
    public async Task Snapshot_OfAHistoryDeeperThanTheBatchReads_IsComposed_AndHoldsEveryLevel()
    {
        await using var store = new PostgreSqlSessionStore(PostgresServer.Options());
        var session = await store.CreateSessionAsync("alice");
        await store.AppendMessagesAsync(session.Id, [.. Enumerable.Range(1, 12).Select(k => NewMessage.User($"Message {k}."))]);
        for (int level = 1; level <= 9; level++)
        {
            await store.SaveSummaryAsync(session.Id, new NewSummary(1, level, level, $"Level {level}.", "test"));
        }

        var snapshot = await store.ReadContextSnapshotAsync(session.Id, 4_000);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.SummaryLevels.Select(l => l.Level), Is.EqualTo(Enumerable.Range(1, 10)));
            Assert.That(snapshot.SummaryLevels.Take(9).Select(l => l.Summaries.Single().Content), Is.EqualTo(Enumerable.Range(1, 9).Select(level => $"Level {level}.")));
            Assert.That(snapshot.SummaryLevels[9].Summaries, Is.Empty);
            Assert.That(snapshot.NewestMessages, Has.Count.EqualTo(12));
            Assert.That(snapshot.MessagesFrom, Is.EqualTo(1));
        }
    }
}
