using NUnit.Framework;
using SessionKit.Testing;

namespace SessionKit.Sqlite.Tests;

/// <summary>
/// A store caches a user's vectors in memory and checks the user's embedding version (kept by triggers in the file) before
/// each search, so changes made through another store instance on the same file are seen by its next search.
/// </summary>
[TestFixture]
internal sealed class SqliteVectorCacheTests : SqliteFileFixture
{
    private const string Answer = "Onshore turbines reach a capacity factor of about 35 percent.";
    private const string Question = "How much does a land windmill deliver?";

    [Test]
    public async Task ChangesMadeThroughAnotherStoreOnTheFile_AreSeenByTheNextSearch()
    {
        await using var reader = Open();
        await using var writer = Open();
        reader.UseEmbeddings(new ConceptEmbeddingGenerator());
        writer.UseEmbeddings(new ConceptEmbeddingGenerator());
        var session = await writer.CreateSessionAsync("alice");
        var appended = await writer.AppendMessagesAsync(session.Id, [NewMessage.User("My cat sleeps all day on the sofa."), NewMessage.Assistant(Answer)]);
        await new EmbeddingIndexer(writer).DrainAsync();
        var answer = appended.Messages[1];

        var warm = await reader.SearchAsync("alice", Semantic(Question));
        long cached = reader.VectorCacheSize;

        // Edit (the stale trigger deletes the vector), then re-embed: the same row gets a new vector of the same model.
        await writer.EditMessageAsync(session.Id, answer.Sequence, "My dog naps in the garden.");
        var afterEdit = await reader.SearchAsync("alice", Semantic(Question));
        await new EmbeddingIndexer(writer).DrainAsync();
        var afterReembedding = await reader.SearchAsync("alice", Semantic("puppy rest"));

        await writer.DeleteMessageAsync(session.Id, answer.Sequence);
        var afterDelete = await reader.SearchAsync("alice", Semantic("puppy rest"));
        await writer.EraseUserAsync("alice");
        var afterErase = await reader.SearchAsync("alice", Semantic("puppy rest"));

        Assert.That(warm.Items[0].Message.Id, Is.EqualTo(answer.Id));
        Assert.That(cached, Is.GreaterThan(0), "the first search cached alice's vectors");
        Assert.That(afterEdit.Items.Select(h => h.Message.Id), Does.Not.Contain(answer.Id), "the edited message has no vector until re-embedded");
        Assert.That(afterReembedding.Items[0].Message.Content, Is.EqualTo("My dog naps in the garden."));
        Assert.That(afterReembedding.Items[0].Score, Is.GreaterThan(0.5), "ranked by the new vector, not the cached old one");
        Assert.That(afterDelete.Items.Select(h => h.Message.Id), Does.Not.Contain(answer.Id));
        Assert.That(afterErase.Items, Is.Empty);
    }

    [Test]
    public async Task EmbeddingVersion_ChangesOnEveryVectorChange_AndLeavesNoRowAfterErase()
    {
        await using var store = Open();
        store.UseEmbeddings(new ConceptEmbeddingGenerator());
        var session = await store.CreateSessionAsync("alice");
        var first = (await store.AppendMessagesAsync(session.Id, [NewMessage.User("My cat sleeps all day."), NewMessage.Assistant(Answer)])).Messages[0];
        var versions = new List<long>();
        long Version() => (long)Scalar("SELECT version FROM message_embedding_versions;")!;

        await new EmbeddingIndexer(store).DrainAsync();
        versions.Add(Version());
        await store.EditMessageAsync(session.Id, first.Sequence, "My dog naps.");
        versions.Add(Version());
        await new EmbeddingIndexer(store).DrainAsync();
        versions.Add(Version());
        await store.RewindAsync(session.Id, first.Sequence);
        versions.Add(Version());
        await store.EraseUserAsync("alice");

        Assert.That(versions, Is.Unique);
        Assert.That(versions, Is.Ordered);
        Assert.That(Scalar("SELECT count(*) FROM message_embedding_versions;"), Is.Zero, "an erased user leaves no row");
        Assert.That((long)Scalar("SELECT value FROM embedding_clock;")!, Is.GreaterThan(versions[^1]), "the clock does not go back");
    }

    private static SearchQuery Semantic(string text) => new() { Text = text, Mode = SearchMode.Semantic, Limit = 10 };
}
