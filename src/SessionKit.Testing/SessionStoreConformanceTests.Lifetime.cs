using NUnit.Framework;

namespace SessionKit.Testing;

// Disposal and cancellation.
public abstract partial class SessionStoreConformanceTests
{
    [TestCaseSource(nameof(AllOperationCases))]
    public async Task AnyOperation_AfterDispose_ThrowsObjectDisposedException(Func<ISessionStore, Guid, CancellationToken, Task> operation)
    {
        var session = await CreateSessionAsync();
        await AppendAsync(session.Id, "hello");

        await DisposeStoreAsync();

        Assert.ThrowsAsync<ObjectDisposedException>(() => operation(Store, session.Id, CancellationToken.None));
    }

    [Test]
    public async Task Dispose_CanBeCalledTwice()
    {
        await DisposeStoreAsync();

        Assert.DoesNotThrowAsync(DisposeStoreAsync);
    }

    [TestCaseSource(nameof(AllOperationCases))]
    public async Task AnyOperation_WithCancelledToken_ThrowsOperationCanceledException(Func<ISessionStore, Guid, CancellationToken, Task> operation)
    {
        var session = await CreateSessionAsync();
        await AppendAsync(session.Id, "hello");

        Assert.CatchAsync<OperationCanceledException>(() => operation(Store, session.Id, CancelledToken()));
    }

    [Test]
    public async Task CancelledOperations_ChangeNothing()
    {
        var session = await Store.CreateSessionAsync("alice", new SessionCreateOptions { Title = "t" });
        await AppendAsync(session.Id, "hello");
        Time.Advance(TimeSpan.FromMinutes(1));
        var cancelled = CancelledToken();

        using (Assert.EnterMultipleScope())
        {
            Assert.CatchAsync<OperationCanceledException>(() => Store.CreateSessionAsync("bob", null, cancelled));
            Assert.CatchAsync<OperationCanceledException>(() => Store.AppendMessagesAsync(session.Id, [NewMessage.User("lost")], null, cancelled));
            Assert.CatchAsync<OperationCanceledException>(() => Store.UpdateSessionAsync(session.Id, new SessionUpdate { Title = "lost" }, cancelled));
            Assert.CatchAsync<OperationCanceledException>(() => Store.DeleteSessionAsync(session.Id, cancelled));
        }

        var found = await Store.GetSessionAsync(session.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That((await Store.ListSessionsAsync("bob")).Items, Is.Empty);
            Assert.That(found.Title, Is.EqualTo("t"));
            Assert.That(found.Version, Is.EqualTo(2));
            Assert.That(found.MessageCount, Is.EqualTo(1));
            Assert.That(found.LastActivityAt, Is.EqualTo(StartTime));
            Assert.That((await ReadAllAsync(session.Id)).Select(m => m.Content), Is.EqualTo(new[] { "hello" }));
        }
    }

    [Test]
    public async Task ReadAllMessages_CancelledWhileStreaming_StopsWithOperationCanceledException()
    {
        var session = await CreateSessionAsync();
        await AppendNumberedAsync(session.Id, 600);
        using var cts = new CancellationTokenSource();
        int read = 0;

        Assert.CatchAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in Store.ReadAllMessagesAsync(session.Id, cts.Token))
            {
                if (++read == 10)
                {
                    await cts.CancelAsync();
                }
            }
        });

        Assert.That(read, Is.LessThan(600));
    }
}
