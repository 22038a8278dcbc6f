using NUnit.Framework;

namespace SessionKit.Sqlite.Tests;

/// <summary>Deleting text (a message, a rewind, retention) leaves no copy in the database file or its WAL, as erase does.</summary>
[TestFixture]
internal sealed class SqliteDeletionTests : SqliteFileFixture
{
    private const string Planted = "kwyjibo jabberwock quetzalcoatl";

    [Test]
    public async Task DeleteMessage_LeavesNoCopyOfItsTextInTheFileOrTheWal_WhileTheStoreIsOpen()
    {
        await using var store = Open();
        var session = await store.CreateSessionAsync("alice");
        await store.AppendMessagesAsync(session.Id, [NewMessage.User("keep this"), NewMessage.User(Planted), NewMessage.User("and this")]);
        Assert.That(RawFiles.Find(Db.FilePath, [Planted]), Is.Not.Empty, "the scan finds the text before the delete");

        await store.DeleteMessageAsync(session.Id, 2);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(RawFiles.Find(Db.FilePath, [Planted, "kwyjibo", "quetzalcoatl"]), Is.Empty);
            Assert.That((await store.GetLastMessagesAsync(session.Id, 10)).Select(m => m.Content), Is.EqualTo(new[] { "keep this", "and this" }));
        }
    }

    [Test]
    public async Task Rewind_LeavesNoCopyOfTheRemovedText()
    {
        await using var store = Open();
        var session = await store.CreateSessionAsync("alice");
        await store.AppendMessagesAsync(session.Id, [NewMessage.User("keep this"), NewMessage.User(Planted)]);

        await store.RewindAsync(session.Id, 1);

        Assert.That(RawFiles.Find(Db.FilePath, [Planted, "kwyjibo"]), Is.Empty);
    }

    [Test]
    public async Task RetentionDelete_LeavesNoCopyOfTheRemovedText()
    {
        await using var store = Open();
        var session = await store.CreateSessionAsync("alice");
        await store.AppendMessagesAsync(session.Id, [NewMessage.User(Planted)]);
        Time.Advance(TimeSpan.FromDays(1));
        await store.AppendMessagesAsync(session.Id, [NewMessage.User("recent")]);

        var result = await store.DeleteMessagesBeforeAsync(session.Id, Time.GetUtcNow(), MessageRetentionMode.DeleteMessages, 100);

        Assert.That(result.Messages, Is.EqualTo(1));
        Assert.That(RawFiles.Find(Db.FilePath, [Planted, "kwyjibo"]), Is.Empty);
    }
}
