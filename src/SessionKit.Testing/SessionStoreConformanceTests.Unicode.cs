using NUnit.Framework;

namespace SessionKit.Testing;

// Text that is not valid Unicode cannot round-trip through a UTF-8 backend, so every backend rejects it up front.
public abstract partial class SessionStoreConformanceTests
{
    private static readonly string[] MalformedTexts = ["lone high \uD83D here", "lone low \uDE00 here", "reversed \uDE00\uD83D pair", "ends high \uD83D"];

    [TestCaseSource(nameof(MalformedTexts))]
    public async Task Append_WithAnUnpairedSurrogateInContent_IsRejected_AndStoresNothing(string malformed)
    {
        var session = await Store.CreateSessionAsync("alice");

        var ex = Assert.ThrowsAsync<ArgumentException>(() => Store.AppendMessagesAsync(session.Id, [NewMessage.User("fine"), NewMessage.User(malformed)]));

        Assert.That(ex!.Message, Does.Contain("surrogate"));
        Assert.That(await Store.CountMessagesAsync(session.Id), Is.Zero);
        Assert.That((await Store.GetSessionAsync(session.Id)).Version, Is.EqualTo(1));
    }

    [TestCaseSource(nameof(MalformedTexts))]
    public void Create_WithAnUnpairedSurrogateInUserIdOrTitle_IsRejected(string malformed)
    {
        Assert.ThrowsAsync<ArgumentException>(() => Store.CreateSessionAsync(malformed));
        Assert.ThrowsAsync<ArgumentException>(() => Store.CreateSessionAsync("alice", new SessionCreateOptions { Title = malformed }));
        Assert.ThrowsAsync<ArgumentException>(() => Store.CreateSessionAsync("alice", new SessionCreateOptions { Metadata = new Dictionary<string, string> { ["k"] = malformed } }));
    }

    [Test]
    public async Task Append_WithWellFormedSurrogatePairs_RoundTrips()
    {
        var session = await Store.CreateSessionAsync("alice");
        const string Text = "🌍 carbon 𝔠𝔶𝔠𝔩𝔢 👩🏽‍🔬";

        await Store.AppendMessageAsync(session.Id, NewMessage.User(Text));

        Assert.That((await Store.GetLastMessagesAsync(session.Id, 1)).Single().Content, Is.EqualTo(Text));
    }

    [Test]
    public async Task Append_WithAClockReadingOlderThanTheLastActivity_NeverMovesTimeBackwards()
    {
        // A racing writer can carry a clock reading older than the last append; a clock that steps back reproduces that.
        var clock = new SteppableClock(StartTime.AddMinutes(10));
        var store = CreateStore(clock, Limits);
        try
        {
            var session = await store.CreateSessionAsync("alice");
            var first = await store.AppendMessageAsync(session.Id, NewMessage.User("at ten minutes"));

            clock.Now = StartTime.AddMinutes(5);
            var second = await store.AppendMessagesAsync(session.Id, [NewMessage.User("stamped late")]);

            Assert.That(second.Messages[0].CreatedAt, Is.EqualTo(first.CreatedAt));
            Assert.That(second.Session.LastActivityAt, Is.EqualTo(first.CreatedAt));
            var stored = await store.GetLastMessagesAsync(session.Id, 2);
            Assert.That(stored[1].CreatedAt, Is.GreaterThanOrEqualTo(stored[0].CreatedAt));
        }
        finally
        {
            await DisposeAsync(store);
        }
    }

    private sealed class SteppableClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
