using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace SessionKit.Tests.Storage;

// What the SessionStore base class does for every backend, seen through the in-memory one.
[TestFixture]
public sealed class SessionStoreTests
{
    [TestCase(nameof(SessionLimits.MaxContentLength))]
    [TestCase(nameof(SessionLimits.MaxMessagesPerAppend))]
    [TestCase(nameof(SessionLimits.MaxIdLength))]
    public void Constructor_WithInvalidLimits_ThrowsArgumentExceptionNamingTheSetting(string setting)
    {
        var limits = new SessionLimits();
        typeof(SessionLimits).GetProperty(setting)!.SetValue(limits, 0);

        var ex = Assert.Throws<ArgumentException>(() => new InMemorySessionStore(limits));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex?.ParamName, Is.EqualTo("limits"));
            Assert.That(ex?.Message, Does.Contain($"SessionLimits.{setting}"));
        }
    }

    [Test]
    public void Constructor_WithoutLimits_UsesTheDefaults()
    {
        using var store = new InMemorySessionStore();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(store.Limits.MaxContentLength, Is.EqualTo(1024 * 1024));
            Assert.That(store.Limits.MaxMessagesPerAppend, Is.EqualTo(1000));
            Assert.That(store.Limits.MaxMetadataEntries, Is.EqualTo(64));
            Assert.That(store.Limits.MaxIdLength, Is.EqualTo(256));
        }
    }

    [Test]
    public async Task Constructor_CopiesTheLimits_SoLaterChangesHaveNoEffect()
    {
        var limits = new SessionLimits { MaxContentLength = 10 };
        await using var store = new InMemorySessionStore(limits);

        limits.MaxContentLength = 1000;

        var session = await store.CreateSessionAsync("alice");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(store.Limits.MaxContentLength, Is.EqualTo(10));
            Assert.That(store.Limits, Is.Not.SameAs(limits));
            Assert.ThrowsAsync<MessageTooLargeException>(() => store.AppendMessageAsync(session.Id, NewMessage.User(new string('x', 11))));
        }
    }

    [Test]
    public async Task Constructor_WithoutTimeProvider_UsesTheSystemClock()
    {
        await using var store = new InMemorySessionStore();
        var before = TimeProvider.System.GetUtcNow();

        var session = await store.CreateSessionAsync("alice");

        var after = TimeProvider.System.GetUtcNow();
        Assert.That(session.CreatedAt, Is.InRange(before, after));
    }

    [Test]
    public async Task Times_AreStoredInUtc_EvenWhenTheClockReportsAnotherOffset()
    {
        await using var store = new InMemorySessionStore(null, new OffsetTimeProvider());

        var session = await store.CreateSessionAsync("alice");
        var message = await store.AppendMessageAsync(session.Id, NewMessage.User("hi"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(session.CreatedAt.Offset, Is.EqualTo(TimeSpan.Zero));
            Assert.That(message.CreatedAt.Offset, Is.EqualTo(TimeSpan.Zero));
            Assert.That(message.CreatedAt, Is.EqualTo(OffsetTimeProvider.Now));
        }
    }

    [Test]
    public async Task MaxMetadataEntriesOfZero_RejectsAnyMetadata_ButAcceptsAnEmptyDictionary()
    {
        await using var store = new InMemorySessionStore(new SessionLimits { MaxMetadataEntries = 0 });

        var session = await store.CreateSessionAsync("alice", new SessionCreateOptions { Metadata = new Dictionary<string, string>() });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(session.Metadata, Is.Empty);
            Assert.ThrowsAsync<ArgumentException>(
                () => store.CreateSessionAsync("alice", new SessionCreateOptions { Metadata = new Dictionary<string, string> { ["k"] = "v" } }));
        }
    }

    [Test]
    public async Task MetadataValues_OverMaxContentLength_AreRejected()
    {
        await using var store = new InMemorySessionStore(new SessionLimits { MaxContentLength = 5 });

        var ex = Assert.ThrowsAsync<ArgumentException>(
            () => store.CreateSessionAsync("alice", new SessionCreateOptions { Metadata = new Dictionary<string, string> { ["k"] = "123456" } }));

        Assert.That(ex?.Message, Does.Contain("SessionLimits.MaxContentLength"));
    }

    [Test]
    public void Dispose_Synchronously_MakesTheStoreUnusable()
    {
        var store = new InMemorySessionStore();

        store.Dispose();
        store.Dispose();

        Assert.ThrowsAsync<ObjectDisposedException>(() => store.CreateSessionAsync("alice"));
    }

    [Test]
    public void AppendMessageAsync_WithNullStore_ThrowsArgumentNullException()
    {
        var ex = Assert.ThrowsAsync<ArgumentNullException>(() => SessionStoreExtensions.AppendMessageAsync(null!, Guid.CreateVersion7(), NewMessage.User("x")));

        Assert.That(ex?.ParamName, Is.EqualTo("store"));
    }

    [Test]
    public async Task AppendMessageAsync_PassesTheExpectedVersionThrough()
    {
        await using var store = new InMemorySessionStore(null, new FakeTimeProvider());
        var session = await store.CreateSessionAsync("alice");

        var ex = Assert.ThrowsAsync<SessionConcurrencyException>(
            () => store.AppendMessageAsync(session.Id, NewMessage.User("x"), new AppendOptions { ExpectedVersion = 7 }));

        Assert.That(ex?.ExpectedVersion, Is.EqualTo(7));
    }

    private sealed class OffsetTimeProvider : TimeProvider
    {
        public static readonly DateTimeOffset Now = new(2026, 1, 1, 9, 0, 0, TimeSpan.FromHours(9));

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
