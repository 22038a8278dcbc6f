using NUnit.Framework;
using SessionKit.Testing;

namespace SessionKit.Sqlite.Tests;

/// <summary>
/// A store caches a user's vectors in memory and checks the user's embedding version (kept by triggers in the file) before
/// each search. What another store instance on the same file changes is seen by the next search (the shared conformance
/// test <c>VectorCache_ChangesMadeThroughAnotherStoreOnTheSameData_AreSeenByTheNextSearch</c>); here, the version itself.
/// </summary>
[TestFixture]
internal sealed class SqliteVectorCacheTests : SqliteFileFixture
{
    private const string Answer = "Onshore turbines reach a capacity factor of about 35 percent.";

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

}
