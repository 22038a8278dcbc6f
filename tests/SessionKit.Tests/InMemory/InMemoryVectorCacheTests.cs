using NUnit.Framework;
using SessionKit.Testing;

namespace SessionKit.Tests.InMemory;

// The in-memory store keeps a per-user embedding version, so semantic and hybrid search use the vector cache; every change
// to a user's vectors gives that user a new version (and leaves other users' alone), so no search ranks stale vectors.
[TestFixture]
public sealed class InMemoryVectorCacheTests
{
    private const string Answer = "Onshore turbines reach a capacity factor of about 35 percent.";
    private const string Question = "How much does a land windmill deliver?";

    private InMemorySessionStore _store = null!;

    [SetUp]
    public void SetUp()
    {
        _store = new InMemorySessionStore();
        _store.UseEmbeddings(new ConceptEmbeddingGenerator());
    }

    [TearDown]
    public async Task TearDownAsync() => await _store.DisposeAsync();

    private static SearchQuery Semantic(string text) => new() { Text = text, Mode = SearchMode.Semantic, Limit = 10 };

    private Task<long> DrainAsync() => new EmbeddingIndexer(_store).DrainAsync();

    // What the shared VectorCache_... conformance test sees by results, seen here by the cache itself.
    [Test]
    public async Task Searches_AreServedFromTheCache_FilteredOnesToo_AndEraseDropsIt()
    {
        var session = await _store.CreateSessionAsync("alice");
        var answer = (await _store.AppendMessagesAsync(session.Id, [NewMessage.User("My cat sleeps all day on the sofa."), NewMessage.Assistant(Answer)])).Messages[1];
        await DrainAsync();

        var warm = await _store.SearchAsync("alice", Semantic(Question));
        long cached = _store.VectorCacheSize;
        var hybrid = await _store.SearchAsync("alice", Semantic(Question) with { Mode = SearchMode.Hybrid });
        var filtered = await _store.SearchAsync("alice", Semantic(Question) with { Role = MessageRole.Assistant });
        long afterFiltered = _store.VectorCacheSize;
        await _store.EraseUserAsync("alice");

        Assert.That(warm.Items[0].Message.Id, Is.EqualTo(answer.Id));
        Assert.That(cached, Is.GreaterThan(0), "the first search cached alice's vectors");
        Assert.That(hybrid.Items[0].Message.Id, Is.EqualTo(answer.Id));
        Assert.That(filtered.Items.Select(h => h.Message.Id), Is.EqualTo(new[] { answer.Id }));
        Assert.That(afterFiltered, Is.EqualTo(cached), "hybrid and a role filter are served from the same entry (the scan offers role and time)");
        Assert.That(_store.VectorCacheSize, Is.Zero, "erasing the user dropped the cached vectors");
    }

    [Test]
    public async Task EmbeddingVersion_ChangesOnEveryVectorChange_OnlyForItsUser_AndIsGoneAfterErase()
    {
        var session = await _store.CreateSessionAsync("alice");
        var bobs = await _store.CreateSessionAsync("bob");
        var first = (await _store.AppendMessagesAsync(session.Id, [NewMessage.User("My cat sleeps all day."), NewMessage.Assistant(Answer), NewMessage.User("Solar got cheap.")])).Messages[0];
        await _store.AppendMessagesAsync(bobs.Id, [NewMessage.User("Bob likes rain.")]);
        Assert.That(_store.EmbeddingVersionOf("alice"), Is.Null, "no vectors yet");

        var alice = new List<long?>();
        await DrainAsync();
        alice.Add(_store.EmbeddingVersionOf("alice"));
        long? bob = _store.EmbeddingVersionOf("bob");

        await _store.AppendMessagesAsync(session.Id, [NewMessage.User("An append changes no vector.")]);
        Assert.That(_store.EmbeddingVersionOf("alice"), Is.EqualTo(alice[^1]), "appends leave the version (and the cache) alone");

        await _store.EditMessageAsync(session.Id, first.Sequence, "My dog naps.");
        alice.Add(_store.EmbeddingVersionOf("alice"));
        await DrainAsync();
        alice.Add(_store.EmbeddingVersionOf("alice"));
        await _store.DeleteMessageAsync(session.Id, first.Sequence);
        alice.Add(_store.EmbeddingVersionOf("alice"));
        await _store.RewindAsync(session.Id, 2);
        alice.Add(_store.EmbeddingVersionOf("alice"));
        var fork = await _store.ForkSessionAsync(session.Id, 2);
        await DrainAsync();
        alice.Add(_store.EmbeddingVersionOf("alice"));
        await _store.DeleteSessionAsync(fork.Id);
        alice.Add(_store.EmbeddingVersionOf("alice"));
        Assert.That(_store.EmbeddingVersionOf("bob"), Is.EqualTo(bob), "alice's changes leave bob's version alone");

        await _store.TransferSessionsAsync("alice", "carol");
        alice.Add(_store.EmbeddingVersionOf("alice"));
        Assert.That(_store.EmbeddingVersionOf("carol"), Is.Not.Null, "the new owner's vectors changed too");
        await _store.EraseUserAsync("carol");

        Assert.That(alice, Is.Unique.And.Ordered.And.All.Not.Null);
        Assert.That(_store.EmbeddingVersionOf("carol"), Is.Null, "an erased user leaves no version behind");
        Assert.That(_store.EmbeddingVersionOf("bob"), Is.EqualTo(bob));
    }
}
