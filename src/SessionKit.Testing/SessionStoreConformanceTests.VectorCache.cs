using NUnit.Framework;
using SessionKit.Storage;

namespace SessionKit.Testing;

// The per-user vector cache: a store keeps a user's vectors in memory between searches and checks the user's embedding
// version before each one, so whatever another instance on the same data writes (an edit that drops a vector, a re-embed
// of the same row, a delete, an erase) is seen by the next search, with no stale cosine served.
public abstract partial class SessionStoreConformanceTests
{
    /// <summary>Changes made through another store on the same data are seen by the next search of a store that cached them.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Test]
    [Category(RefusedWhenEncrypted)]
    public async Task VectorCache_ChangesMadeThroughAnotherStoreOnTheSameData_AreSeenByTheNextSearch()
    {
        var reader = EmbeddingStore(new ConceptEmbeddingGenerator());
        var second = CreateStoreOnSameData(Time, Limits);
        try
        {
            var writer = second is null ? reader : second as SessionStore ?? throw new InvalidOperationException("CreateStoreOnSameData must return a SessionStore.");
            writer.UseEmbeddings(new ConceptEmbeddingGenerator());
            var session = await writer.CreateSessionAsync("alice");
            var appended = await writer.AppendMessagesAsync(session.Id, [NewMessage.User("My cat sleeps all day on the sofa."), NewMessage.Assistant(WindAnswer)]);
            await new EmbeddingIndexer(writer).DrainAsync();
            var answer = appended.Messages[1];

            var warm = await reader.SearchAsync("alice", Meaning(WindQuestion));
            long cached = reader.VectorCacheSize;
            var byRole = await reader.SearchAsync("alice", Meaning(WindQuestion) with { Role = MessageRole.Assistant });

            // Edit (the stale vector is dropped), then re-embed: the same row gets a new vector of the same model.
            await writer.EditMessageAsync(session.Id, answer.Sequence, "My dog naps in the garden.");
            var afterEdit = await reader.SearchAsync("alice", Meaning(WindQuestion));
            await new EmbeddingIndexer(writer).DrainAsync();
            var afterReembedding = await reader.SearchAsync("alice", Meaning("puppy rest"));

            await writer.DeleteMessageAsync(session.Id, answer.Sequence);
            var afterDelete = await reader.SearchAsync("alice", Meaning("puppy rest"));
            await writer.EraseUserAsync("alice");
            var afterErase = await reader.SearchAsync("alice", Meaning("puppy rest"));

            Assert.That(warm.Items[0].Message.Id, Is.EqualTo(answer.Id));
            if (second is not null)
            {
                Assert.That(cached, Is.GreaterThan(0), "the first search cached alice's vectors");
            }

            Assert.That(byRole.Items.Select(h => h.Message.Id), Is.EqualTo(new[] { answer.Id }), "a role filter keeps only the assistant's message");
            Assert.That(afterEdit.Items.Select(h => h.Message.Id), Does.Not.Contain(answer.Id), "the edited message has no vector until re-embedded");
            Assert.That(afterReembedding.Items[0].Message.Content, Is.EqualTo("My dog naps in the garden."));
            Assert.That(afterReembedding.Items[0].Score, Is.GreaterThan(0.5), "ranked by the new vector, not the cached old one");
            Assert.That(afterDelete.Items.Select(h => h.Message.Id), Does.Not.Contain(answer.Id));
            Assert.That(afterErase.Items, Is.Empty);
        }
        finally
        {
            if (second is not null)
            {
                await DisposeAsync(second);
            }
        }
    }
}
