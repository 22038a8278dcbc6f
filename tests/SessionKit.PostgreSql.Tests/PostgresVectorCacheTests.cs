using NUnit.Framework;
using SessionKit.Testing;

namespace SessionKit.PostgreSql.Tests;

/// <summary>
/// A store caches a user's vectors in memory and checks the user's embedding version (kept by triggers in the schema)
/// before each search, so changes made through another server on the same database are seen by its next search.
/// </summary>
[TestFixture]
public sealed class PostgresVectorCacheTests
{
    private const string Answer = "Onshore turbines reach a capacity factor of about 35 percent.";
    private const string Question = "How much does a land windmill deliver?";

    [Test]
    public async Task ChangesMadeThroughAnotherServer_AreSeenByTheNextSearch()
    {
        string schema = PostgresServer.UniqueSchema();
        await using var reader = Server(schema);
        await using var writer = Server(schema);
        reader.UseEmbeddings(new ConceptEmbeddingGenerator());
        writer.UseEmbeddings(new ConceptEmbeddingGenerator());
        var session = await writer.CreateSessionAsync("alice");
        var appended = await writer.AppendMessagesAsync(session.Id, [NewMessage.User("My cat sleeps all day on the sofa."), NewMessage.Assistant(Answer)]);
        await new EmbeddingIndexer(writer).DrainAsync();
        var answer = appended.Messages[1];

        var warm = await reader.SearchAsync("alice", Semantic(Question));
        long cached = reader.VectorCacheSize;
        var cachedAgain = await reader.SearchAsync("alice", Semantic(Question) with { Role = MessageRole.Assistant });

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
        Assert.That(cachedAgain.Items.Select(h => h.Message.Id), Is.EqualTo(new[] { answer.Id }), "a role filter served from the cache keeps only the assistant's message");
        Assert.That(afterEdit.Items.Select(h => h.Message.Id), Does.Not.Contain(answer.Id), "the edited message has no vector until re-embedded");
        Assert.That(afterReembedding.Items[0].Message.Content, Is.EqualTo("My dog naps in the garden."));
        Assert.That(afterReembedding.Items[0].Score, Is.GreaterThan(0.5), "ranked by the new vector, not the cached old one");
        Assert.That(afterDelete.Items.Select(h => h.Message.Id), Does.Not.Contain(answer.Id));
        Assert.That(afterErase.Items, Is.Empty);
    }

    [Test]
    public async Task EmbeddingVersion_ChangesOnEveryVectorChange_AndLeavesNoRowAfterErase()
    {
        string schema = PostgresServer.UniqueSchema();
        await using var store = Server(schema);
        store.UseEmbeddings(new ConceptEmbeddingGenerator());
        var session = await store.CreateSessionAsync("alice");
        var other = await store.CreateSessionAsync("bob");
        var first = (await store.AppendMessagesAsync(session.Id, [NewMessage.User("My cat sleeps all day."), NewMessage.Assistant(Answer)])).Messages[0];
        await store.AppendMessagesAsync(other.Id, [NewMessage.User("Bob's own note about turbines.")]);
        var versions = new List<long>();
        async Task<long> Version(string user) => (long)(await PostgresMigrationTests.ScalarAsync(
            $"SELECT v.version FROM \"{schema}\".message_embedding_versions v JOIN \"{schema}\".message_embeddings e ON e.user_key = v.user_key " +
            $"JOIN \"{schema}\".sessions s ON s.id = e.session_id WHERE s.user_id = '{user}' LIMIT 1;"))!;

        await new EmbeddingIndexer(store).DrainAsync();
        versions.Add(await Version("alice"));
        long bob = await Version("bob");
        await store.EditMessageAsync(session.Id, first.Sequence, "My dog naps.");
        versions.Add(await Version("alice"));
        await new EmbeddingIndexer(store).DrainAsync();
        versions.Add(await Version("alice"));
        await store.RewindAsync(session.Id, first.Sequence);
        versions.Add(await Version("alice"));
        long bobAfter = await Version("bob");
        await store.EraseUserAsync("alice");

        Assert.That(versions, Is.Unique, "every change to alice's vectors gives her a new version");
        Assert.That(bobAfter, Is.EqualTo(bob), "changes to alice's vectors leave bob's version alone");
        Assert.That(await PostgresMigrationTests.ScalarAsync($"SELECT count(*) FROM \"{schema}\".message_embedding_versions;"), Is.EqualTo(1L), "the erased user leaves no row; bob's stays");
    }

    private static PostgreSqlSessionStore Server(string schema) =>
        new(new PostgreSqlSessionStoreOptions { ConnectionString = PostgresServer.ConnectionString, Schema = schema });

    private static SearchQuery Semantic(string text) => new() { Text = text, Mode = SearchMode.Semantic, Limit = 10 };
}
