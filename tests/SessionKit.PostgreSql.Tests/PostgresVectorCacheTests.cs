using NUnit.Framework;
using SessionKit.Testing;

namespace SessionKit.PostgreSql.Tests;

/// <summary>
/// A store caches a user's vectors in memory and checks the user's embedding version (kept by triggers in the schema)
/// before each search. What another server on the same database changes is seen by the next search (the shared conformance
/// test <c>VectorCache_ChangesMadeThroughAnotherStoreOnTheSameData_AreSeenByTheNextSearch</c>); here, the version itself.
/// </summary>
[TestFixture]
public sealed class PostgresVectorCacheTests
{
    private const string Answer = "Onshore turbines reach a capacity factor of about 35 percent.";

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

}
