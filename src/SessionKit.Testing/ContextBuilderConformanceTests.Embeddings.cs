using NUnit.Framework;
using SessionKit.Storage;

namespace SessionKit.Testing;

// Recall on by default (the newest user message is the query) and by meaning when the store has an embedding generator.
public abstract partial class ContextBuilderConformanceTests
{
    private async Task<Guid> PlantedFactConversationAsync(string fact, string question)
    {
        var session = await _store.CreateSessionAsync("ada");
        await _store.AppendMessagesAsync(session.Id, [NewMessage.User("Let us talk about energy."), NewMessage.Assistant(fact)]);
        for (int i = 0; i < 30; i++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            await _store.AppendMessagesAsync(session.Id, [NewMessage.User($"Tell me more about bread baking, part {i}."), NewMessage.Assistant($"Village bakers knead sourdough loaves slowly at dawn, chapter {i}.")]);
        }

        await _store.AppendMessagesAsync(session.Id, [NewMessage.User(question)]);
        return session.Id;
    }

    private static IEnumerable<string> Recalled(ContextWindow window) =>
        window.Items.Where(i => i.Kind == ContextItemKind.Recalled).Select(i => i.Content);

    [Test]
    public async Task BuildWithoutQuery_RecallsWithTheNewestUserMessage_UnlessOptedOut()
    {
        const string fact = "The vault combination is 4417, kept by the night porter.";
        var sessionId = await PlantedFactConversationAsync(fact, "What was the vault combination?");

        var byDefault = await Builder().BuildAsync(sessionId, new ContextRequest { TokenBudget = 400 });
        var optedOut = await Builder().BuildAsync(sessionId, new ContextRequest { TokenBudget = 400, RecallNewestUserMessage = false });

        Assert.That(Recalled(byDefault), Does.Contain(fact));
        Assert.That(Recalled(optedOut), Is.Empty);
        AssertWithinBudgetByRecount(byDefault);
    }

    [Test]
    public async Task Recall_WithEmbeddings_FindsAFactAskedInOtherWords()
    {
        if (_store is not SessionStore { SupportsEmbeddings: true } store)
        {
            Assert.Ignore("This backend does not store embedding vectors (SessionStore.SupportsEmbeddings).");
            return;
        }

        const string fact = "Onshore turbines reach a capacity factor of about 35 percent.";
        var sessionId = await PlantedFactConversationAsync(fact, "How much does a land windmill deliver?");
        var request = new ContextRequest { TokenBudget = 400 };

        var lexical = await Builder().BuildAsync(sessionId, request);
        store.UseEmbeddings(new ConceptEmbeddingGenerator());
        await new EmbeddingIndexer(store).DrainAsync();
        var hybrid = await Builder().BuildAsync(sessionId, request);

        Assert.That(Recalled(lexical), Does.Not.Contain(fact), "no word in common");
        Assert.That(Recalled(hybrid), Does.Contain(fact));
        AssertWithinBudgetByRecount(hybrid);
    }
}
