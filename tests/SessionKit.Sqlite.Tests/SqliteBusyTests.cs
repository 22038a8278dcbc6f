using System.Diagnostics;
using Microsoft.Data.Sqlite;
using NUnit.Framework;

namespace SessionKit.Sqlite.Tests;

/// <summary>Another process holding the database's write lock: waits follow BusyTimeout and end in a SessionKit exception.</summary>
[TestFixture]
internal sealed class SqliteBusyTests : SqliteFileFixture
{
    [Test]
    public async Task Append_WhileAnotherConnectionHoldsTheWriteLock_FailsAfterTheBusyTimeout_WithSessionStoreBusyException()
    {
        await using var store = OpenWithBusyTimeout(TimeSpan.FromMilliseconds(300));
        var session = await store.CreateSessionAsync("alice");
        await store.AppendMessagesAsync(session.Id, [NewMessage.User("before")]);

        using (var holder = HoldWriteLock())
        {
            var watch = Stopwatch.StartNew();
            var ex = Assert.ThrowsAsync<SessionStoreBusyException>(() => store.AppendMessagesAsync(session.Id, [NewMessage.User("blocked")]));
            watch.Stop();

            using (Assert.EnterMultipleScope())
            {
                // Generous bound: the driver used to retry for ~31 s whatever BusyTimeout said.
                Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
                Assert.That(ex!.Message, Does.Contain("locked").And.Contain("SqliteSessionStoreOptions.BusyTimeout").And.Contain("300 ms").And.Contain(Db.FilePath));
                Assert.That(ex.InnerException, Is.InstanceOf<SqliteException>());
                Assert.ThrowsAsync<SessionStoreBusyException>(() => store.UpdateSessionAsync(session.Id, new SessionUpdate { Title = "blocked" }));
            }
        }

        var after = await store.GetSessionAsync(session.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(after.MessageCount, Is.EqualTo(1), "the refused append wrote nothing");
            Assert.That(after.Title, Is.Null);
            Assert.That((await store.AppendMessagesAsync(session.Id, [NewMessage.User("after")])).Messages.Single().Sequence, Is.EqualTo(2));
        }
    }

    [Test]
    public async Task Initialize_WhileAnotherConnectionHoldsTheWriteLock_FailsWithSessionStoreBusyException()
    {
        await using (var first = OpenWithBusyTimeout(TimeSpan.FromMilliseconds(200)))
        {
            await first.InitializeAsync();
        }

        Scalar("DELETE FROM store_settings;");
        await using var store = OpenWithBusyTimeout(TimeSpan.FromMilliseconds(200));
        using (HoldWriteLock())
        {
            Assert.ThrowsAsync<SessionStoreBusyException>(() => store.InitializeAsync());
        }

        await store.InitializeAsync();
    }

    [Test]
    public async Task Append_WaitsForALockReleasedWithinTheBusyTimeout()
    {
        await using var store = OpenWithBusyTimeout(TimeSpan.FromSeconds(30));
        var session = await store.CreateSessionAsync("alice");
        var holder = HoldWriteLock();
        // On a thread of its own: the driver waits for the lock synchronously.
        var append = Task.Run(() => store.AppendMessagesAsync(session.Id, [NewMessage.User("waited")]));
        await Task.Delay(TimeSpan.FromMilliseconds(200));
        holder.Dispose();

        var result = await append;
        Assert.That(result.Messages.Single().Sequence, Is.EqualTo(1));
    }

    private SqliteSessionStore OpenWithBusyTimeout(TimeSpan busyTimeout) =>
        new(new SqliteSessionStoreOptions { ConnectionString = Db.ConnectionString, BusyTimeout = busyTimeout }, null, Time);

    /// <summary>A second connection (as another process would have) inside <c>BEGIN IMMEDIATE</c>; disposing rolls it back.</summary>
    private SqliteConnection HoldWriteLock()
    {
        var connection = new SqliteConnection($"{Db.ConnectionString};Pooling=False");
        connection.Open();
        using var begin = connection.CreateCommand();
        begin.CommandText = "BEGIN IMMEDIATE;";
        begin.ExecuteNonQuery();
        return connection;
    }
}
