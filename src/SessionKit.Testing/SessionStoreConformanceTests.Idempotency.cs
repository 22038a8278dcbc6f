using NUnit.Framework;

namespace SessionKit.Testing;

// Idempotent appends: a retried append with the same key stores nothing twice and returns the original messages.
public abstract partial class SessionStoreConformanceTests
{
    [Test]
    public async Task Append_RetriedWithTheSameKey_ReturnsTheOriginalMessagesAndStoresNothing()
    {
        var session = await CreateSessionAsync();
        var options = new AppendOptions { IdempotencyKey = "req-1" };
        var first = await Store.AppendMessagesAsync(session.Id, [NewMessage.User("hi"), NewMessage.Assistant("hello")], options);
        var retry = await Store.AppendMessagesAsync(session.Id, [NewMessage.User("hi"), NewMessage.Assistant("hello")], options);

        var found = await Store.GetSessionAsync(session.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.IsReplay, Is.False);
            Assert.That(retry.IsReplay, Is.True);
            Assert.That(retry.Messages.Select(m => m.Id), Is.EqualTo(first.Messages.Select(m => m.Id)));
            Assert.That(Sequences(retry.Messages), Is.EqualTo(new long[] { 1, 2 }));
            Assert.That(await Store.CountMessagesAsync(session.Id), Is.EqualTo(2));
            Assert.That(found.Version, Is.EqualTo(2), "a replay does not change the session");
            Assert.That(retry.Session.Version, Is.EqualTo(found.Version));
        }
    }

    [Test]
    public async Task Append_RetriedAfterOtherAppends_WithAStaleExpectedVersion_IsStillAReplay()
    {
        var session = await CreateSessionAsync();
        var first = await Store.AppendMessagesAsync(session.Id, [NewMessage.User("q")], new AppendOptions { IdempotencyKey = "k", ExpectedVersion = 1 });
        await AppendAsync(session.Id, "later");

        var retry = await Store.AppendMessagesAsync(session.Id, [NewMessage.User("q")], new AppendOptions { IdempotencyKey = "k", ExpectedVersion = 1 });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(retry.IsReplay, Is.True);
            Assert.That(retry.Messages.Single().Id, Is.EqualTo(first.Messages.Single().Id));
            Assert.That(await Store.CountMessagesAsync(session.Id), Is.EqualTo(2));
        }
    }

    [Test]
    public async Task Append_WithAKeyUsedForOtherMessages_ThrowsAndStoresNothing()
    {
        var session = await CreateSessionAsync();
        await Store.AppendMessagesAsync(session.Id, [NewMessage.User("one")], new AppendOptions { IdempotencyKey = "k" });

        var ex = Assert.ThrowsAsync<IdempotencyKeyReusedException>(() =>
            Store.AppendMessagesAsync(session.Id, [NewMessage.User("two")], new AppendOptions { IdempotencyKey = "k" }));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex!.Key, Is.EqualTo("k"));
            Assert.That(ex.SessionId, Is.EqualTo(session.Id));
            Assert.That(await Store.CountMessagesAsync(session.Id), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Append_WithTheSameKeyInAnotherSession_IsIndependent()
    {
        var a = await CreateSessionAsync();
        var b = await CreateSessionAsync();
        await Store.AppendMessagesAsync(a.Id, [NewMessage.User("x")], new AppendOptions { IdempotencyKey = "k" });
        var other = await Store.AppendMessagesAsync(b.Id, [NewMessage.User("y")], new AppendOptions { IdempotencyKey = "k" });

        Assert.That(other.IsReplay, Is.False);
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task ConcurrentAppends_WithTheSameKey_StoreTheMessagesOnce()
    {
        var session = await CreateSessionAsync();
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
            Store.AppendMessagesAsync(session.Id, [NewMessage.User("once")], new AppendOptions { IdempotencyKey = "same" }))));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(results.Count(r => !r.IsReplay), Is.EqualTo(1));
            Assert.That(results.Select(r => r.Messages.Single().Id).Distinct().Count(), Is.EqualTo(1));
            Assert.That(await Store.CountMessagesAsync(session.Id), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Rewind_PastAKeyedAppend_ForgetsTheKey()
    {
        var session = await CreateSessionAsync();
        await AppendAsync(session.Id, "keep");
        await Store.AppendMessagesAsync(session.Id, [NewMessage.User("undo")], new AppendOptions { IdempotencyKey = "k" });
        await Corrections.RewindAsync(session.Id, 1);

        var again = await Store.AppendMessagesAsync(session.Id, [NewMessage.User("undo")], new AppendOptions { IdempotencyKey = "k" });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(again.IsReplay, Is.False);
            Assert.That(again.Messages.Single().Sequence, Is.EqualTo(2));
        }
    }

    // An unpaired surrogate cannot travel through an attribute intact, hence the flag.
    [TestCase("", false)]
    [TestCase("   ", false)]
    [TestCase("bad", true)]
    public async Task Append_WithABlankOrMalformedKey_ThrowsAndStoresNothing(string key, bool unpairedSurrogate)
    {
        key = unpairedSurrogate ? key + (char)0xD800 : key;
        var session = await CreateSessionAsync();
        Assert.ThrowsAsync<ArgumentException>(() => Store.AppendMessagesAsync(session.Id, [NewMessage.User("x")], new AppendOptions { IdempotencyKey = key }));
        Assert.That(await Store.CountMessagesAsync(session.Id), Is.Zero);
    }

    [Test]
    public async Task Append_WithATooLongKey_ThrowsAndStoresNothing()
    {
        var session = await CreateSessionAsync();
        string key = new('k', AppendOptions.MaxIdempotencyKeyLength + 1);
        var ex = Assert.ThrowsAsync<ArgumentException>(() => Store.AppendMessagesAsync(session.Id, [NewMessage.User("x")], new AppendOptions { IdempotencyKey = key }));
        Assert.That(ex!.Message, Does.Contain("IdempotencyKey"));
        Assert.That(await Store.CountMessagesAsync(session.Id), Is.Zero);
    }
}
