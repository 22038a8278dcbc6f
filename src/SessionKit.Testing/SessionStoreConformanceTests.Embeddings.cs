using NUnit.Framework;
using SessionKit.Storage;

namespace SessionKit.Testing;

// Recall by meaning: vectors from a deterministic generator (ConceptEmbeddingGenerator) are stored by the background
// indexer, never on append; semantic search ranks by cosine over the user's own vectors; hybrid fuses BM25 and cosine
// ranks; corrections, erasure and model switches keep vectors in step; generator failures lose nothing.
public abstract partial class SessionStoreConformanceTests
{
    private const string WindAnswer = "Onshore turbines reach a capacity factor of about 35 percent.";
    private const string WindQuestion = "How much does a land windmill deliver?";

    private SessionStore EmbeddingStore(ConceptEmbeddingGenerator generator)
    {
        if (Store is not SessionStore { SupportsEmbeddings: true } store)
        {
            Assert.Ignore("This backend does not store embedding vectors (SessionStore.SupportsEmbeddings).");
            throw new InvalidOperationException();
        }

        store.UseEmbeddings(generator);
        return store;
    }

    private static SearchQuery Meaning(string text, SearchMode mode = SearchMode.Semantic) => new() { Text = text, Mode = mode, Limit = 10 };

    private async Task<(SessionStore Store, ConceptEmbeddingGenerator Generator, Session Session, List<SessionMessage> Messages)> EmbeddedConversationAsync(string userId = "alice")
    {
        var generator = new ConceptEmbeddingGenerator();
        var store = EmbeddingStore(generator);
        var (session, messages) = await CreateSearchableSessionAsync(
            userId,
            "My cat sleeps all day on the sofa.",
            WindAnswer,
            "Solar panels got cheap this decade.",
            "It rained all week in the forest.");
        await new EmbeddingIndexer(store).DrainAsync();
        return (store, generator, session, messages);
    }

    [Test]
    public async Task SemanticSearch_FindsAMessageThatSharesNoWordWithTheQuery()
    {
        var (store, _, _, _) = await EmbeddedConversationAsync();

        var lexical = await store.SearchAsync("alice", Meaning(WindQuestion, SearchMode.Lexical));
        var semantic = await store.SearchAsync("alice", Meaning(WindQuestion));

        Assert.That(lexical.Items.Select(h => h.Message.Content), Does.Not.Contain(WindAnswer), "the question shares no word with the answer");
        Assert.That(semantic.Items[0].Message.Content, Is.EqualTo(WindAnswer));
        Assert.That(semantic.Items[0].Score, Is.GreaterThan(semantic.Items[1].Score));
        Assert.That(semantic.Items[0].Score, Is.InRange(0.0, 1.0001), "the score is the cosine similarity");
    }

    [Test]
    public async Task HybridSearch_RanksTheParaphrasedAnswerFirst_AndExactWordsStillWin()
    {
        var (store, _, _, _) = await EmbeddedConversationAsync();

        var paraphrase = await store.SearchAsync("alice", Meaning(WindQuestion, SearchMode.Hybrid));
        var exact = await store.SearchAsync("alice", Meaning("solar panels", SearchMode.Hybrid));

        Assert.That(paraphrase.Items[0].Message.Content, Is.EqualTo(WindAnswer));
        Assert.That(exact.Items[0].Message.Content, Is.EqualTo("Solar panels got cheap this decade."));
        Assert.That(exact.Items[0].Score, Is.EqualTo(1.0).Within(1e-6), "best in both rankings, with every word of the query: full score");
    }

    [Test]
    public async Task HybridSearch_IsDeterministic_AndPagesWithoutOverlap()
    {
        var (store, _, _, _) = await EmbeddedConversationAsync();

        var first = await store.SearchAsync("alice", Meaning("cheap cat rain", SearchMode.Hybrid));
        var again = await store.SearchAsync("alice", Meaning("cheap cat rain", SearchMode.Hybrid));
        var page1 = await store.SearchAsync("alice", Meaning("cheap cat rain", SearchMode.Hybrid) with { Limit = 2 });
        var page2 = await store.SearchAsync("alice", Meaning("cheap cat rain", SearchMode.Hybrid) with { Limit = 2, Cursor = page1.NextCursor });

        Assert.That(again.Items.Select(h => h.Message.Id), Is.EqualTo(first.Items.Select(h => h.Message.Id)));
        Assert.That(page1.Items.Concat(page2.Items).Select(h => h.Message.Id), Is.EqualTo(first.Items.Take(4).Select(h => h.Message.Id)));
    }

    [Test]
    public async Task HybridSearch_OverMoreMatchesThanItsWordHalfRanks_FindsAnOldRareWordAndTheNewestMatches()
    {
        var store = EmbeddingStore(new ConceptEmbeddingGenerator());
        var session = await Store.CreateSessionAsync("alice");
        var first = new List<NewMessage> { NewMessage.User("An aurora glows over the glacier tonight.") };
        first.AddRange(Enumerable.Range(1, 999).Select(i => NewMessage.Assistant($"The glacier melts a little more in week {i}.")));
        var oldest = (await Store.AppendMessagesAsync(session.Id, first)).Messages[0];
        var newest = (await Store.AppendMessagesAsync(session.Id, [.. Enumerable.Range(1000, 60).Select(i => NewMessage.Assistant($"The glacier melts a little more in week {i}."))])).Messages[^1];

        // Nothing is embedded, so the words decide. A store may bound the word half (the newest 1,000 messages in scope
        // and older ones holding a rare query word); the rare word's old match and the newest matches must still rank.
        var hybrid = await store.SearchAsync("alice", Meaning("aurora glacier", SearchMode.Hybrid));
        var inSession = await store.SearchAsync("alice", Meaning("aurora glacier", SearchMode.Hybrid) with { SessionId = session.Id });

        Assert.That(hybrid.Items.Select(h => h.Message.Id).Take(2), Is.EqualTo(new[] { oldest.Id, newest.Id }));
        Assert.That(inSession.Items.Select(h => h.Message.Id).Take(2), Is.EqualTo(new[] { oldest.Id, newest.Id }));
        Assert.That(hybrid.Items.Skip(1).Select(h => h.Message.Sequence), Is.Ordered.Descending, "equal word scores: newest first");
    }

    [Test]
    public async Task SemanticSearch_NeverReturnsAnotherUsersMessages()
    {
        var (store, _, _, _) = await EmbeddedConversationAsync("alice");
        await CreateSearchableSessionAsync("bob", "Offshore wind turbines deliver more power.");
        await new EmbeddingIndexer(store).DrainAsync();

        var alice = await store.SearchAsync("alice", Meaning(WindQuestion));
        var bob = await store.SearchAsync("bob", Meaning(WindQuestion));
        var carol = await store.SearchAsync("carol", Meaning(WindQuestion));

        Assert.That(alice.Items.Select(h => h.Message.Content), Does.Not.Contain("Offshore wind turbines deliver more power."));
        Assert.That(bob.Items.Select(h => h.Message.Content), Is.EqualTo(new[] { "Offshore wind turbines deliver more power." }));
        Assert.That(carol.Items, Is.Empty);
    }

    [Test]
    public async Task SemanticSearch_AppliesSessionAndRoleFilters()
    {
        var (store, _, session, _) = await EmbeddedConversationAsync();
        var other = await Store.CreateSessionAsync("alice");
        await Store.AppendMessagesAsync(other.Id, [NewMessage.Assistant("Wind turbines on land deliver a third of their rated power.")]);
        await new EmbeddingIndexer(store).DrainAsync();

        var inSession = await store.SearchAsync("alice", Meaning(WindQuestion) with { SessionId = session.Id });
        var assistantOnly = await store.SearchAsync("alice", Meaning(WindQuestion) with { Role = MessageRole.Assistant });

        Assert.That(inSession.Items.Select(h => h.SessionId), Is.All.EqualTo(session.Id));
        Assert.That(assistantOnly.Items.Select(h => h.Message.Content), Is.EqualTo(new[] { "Wind turbines on land deliver a third of their rated power." }));
    }

    [Test]
    public async Task Append_NeverCallsTheGenerator_AndUnembeddedMessagesAreFoundByWordsInHybrid()
    {
        var generator = new ConceptEmbeddingGenerator();
        var store = EmbeddingStore(generator);
        await CreateSearchableSessionAsync("alice", WindAnswer, "Solar panels got cheap this decade.");

        Assert.That(generator.Calls, Is.Zero, "appends do not embed");
        var semantic = await store.SearchAsync("alice", Meaning(WindQuestion));
        var hybrid = await store.SearchAsync("alice", Meaning("solar panels", SearchMode.Hybrid));

        Assert.That(semantic.Items, Is.Empty, "nothing is embedded yet");
        Assert.That(hybrid.Items.Select(h => h.Message.Content), Is.EqualTo(new[] { "Solar panels got cheap this decade." }), "lexical fallback for what is not embedded");
    }

    [Test]
    public async Task Indexer_EmbedsMessagesAndSummaries_OncePerTarget_WithModelAndDimensions()
    {
        var generator = new ConceptEmbeddingGenerator("concepts-v1");
        var store = EmbeddingStore(generator);
        var (session, _) = await CreateSearchableSessionAsync("alice", WindAnswer, "Solar panels got cheap this decade.", "");
        await Store.SaveSummaryAsync(session.Id, new NewSummary(1, 2, 1, "Wind and solar power costs.", "test"));
        var indexer = new EmbeddingIndexer(store, batchSize: 2);

        long embedded = await indexer.DrainAsync();
        long again = await indexer.DrainAsync();

        Assert.That(embedded, Is.EqualTo(3), "two non-empty messages and one summary; empty content is not embedded");
        Assert.That(again, Is.Zero);
        Assert.That(generator.TextsEmbedded, Is.EqualTo(3));
        Assert.That(await store.CountEmbeddingsAsync("alice"), Is.EqualTo(new[] { new EmbeddingModelCount("concepts-v1", ConceptEmbeddingGenerator.Dimensions, 3) }));
        Assert.That(await store.CountEmbeddingsAsync("bob"), Is.Empty);
    }

    [Test]
    public async Task GeneratorFailure_LosesNothing_AndALaterDrainEmbedsEverything()
    {
        var generator = new ConceptEmbeddingGenerator();
        var store = EmbeddingStore(generator);
        await CreateSearchableSessionAsync("alice", WindAnswer, "Solar panels got cheap this decade.");
        var indexer = new EmbeddingIndexer(store);
        generator.FailNext(1);

        Assert.ThrowsAsync<HttpRequestException>(() => indexer.DrainAsync());
        Assert.That(await store.CountEmbeddingsAsync("alice"), Is.Empty);
        Assert.That(await Store.CountMessagesAsync((await Store.ListSessionsAsync("alice")).Items[0].Id), Is.EqualTo(2));

        Assert.That(await indexer.DrainAsync(), Is.EqualTo(2));
        Assert.That((await store.SearchAsync("alice", Meaning(WindQuestion))).Items[0].Message.Content, Is.EqualTo(WindAnswer));
    }

    [Test]
    public async Task ModelSwitch_ReembedsProgressively_NeverMixingModelsInOneRanking()
    {
        var (store, _, _, _) = await EmbeddedConversationAsync();
        var next = new ConceptEmbeddingGenerator("concepts-v2");
        store.UseEmbeddings(next);

        var before = await store.SearchAsync("alice", Meaning(WindQuestion));
        var batch = await new EmbeddingIndexer(store, batchSize: 2).IndexBatchAsync();
        var partial = await store.SearchAsync("alice", Meaning(WindQuestion));
        var counts = await store.CountEmbeddingsAsync("alice");
        await new EmbeddingIndexer(store).DrainAsync();
        var after = await store.SearchAsync("alice", Meaning(WindQuestion));

        Assert.That(before.Items, Is.Empty, "no vector of the new model yet; the old model's are not ranked against the new query");
        Assert.That(batch.Embedded, Is.EqualTo(2));
        Assert.That(partial.Items, Has.Count.EqualTo(2));
        Assert.That(counts, Is.EqualTo(new[] { new EmbeddingModelCount("concepts-v1", 64, 2), new EmbeddingModelCount("concepts-v2", 64, 2) }));
        Assert.That(after.Items, Has.Count.EqualTo(4));
        Assert.That(await store.CountEmbeddingsAsync("alice"), Is.EqualTo(new[] { new EmbeddingModelCount("concepts-v2", 64, 4) }));
    }

    [Test]
    [Category(RefusedWhenEncrypted)]
    public async Task EditMessage_DropsItsVector_UntilTheIndexerEmbedsTheNewContent()
    {
        var (store, _, session, messages) = await EmbeddedConversationAsync();
        var corrections = (ISessionCorrectionStore)Store;
        var warm = await store.SearchAsync("alice", Meaning(WindQuestion)); // fills the store's vector cache

        await corrections.EditMessageAsync(session.Id, messages[1].Sequence, "My dog naps in the garden.");
        var stale = await store.SearchAsync("alice", Meaning(WindQuestion));
        long reembedded = await new EmbeddingIndexer(store).DrainAsync();
        var fresh = await store.SearchAsync("alice", Meaning("puppy rest"));

        Assert.That(warm.Items[0].Message.Content, Is.EqualTo(WindAnswer));
        Assert.That(stale.Items.Select(h => h.Message.Content), Does.Not.Contain(WindAnswer));
        Assert.That(stale.Items, Has.Count.EqualTo(3), "the edited message has no vector until re-embedded");
        Assert.That(reembedded, Is.EqualTo(1));
        Assert.That(fresh.Items[0].Message.Content, Is.EqualTo("My dog naps in the garden."));
    }

    [Test]
    public async Task DeleteAndRewind_RemoveTheVectorsOfWhatTheyRemove()
    {
        var (store, _, session, messages) = await EmbeddedConversationAsync();
        var corrections = (ISessionCorrectionStore)Store;
        var warm = await store.SearchAsync("alice", Meaning(WindQuestion)); // fills the store's vector cache

        await corrections.DeleteMessageAsync(session.Id, messages[1].Sequence);
        var afterDelete = await store.SearchAsync("alice", Meaning(WindQuestion));
        await corrections.RewindAsync(session.Id, messages[2].Sequence);

        var hits = await store.SearchAsync("alice", Meaning(WindQuestion));
        Assert.That(warm.Items, Has.Count.EqualTo(4));
        Assert.That(afterDelete.Items.Select(h => h.Message.Content), Is.EquivalentTo(new[] { "My cat sleeps all day on the sofa.", "Solar panels got cheap this decade.", "It rained all week in the forest." }));
        Assert.That(hits.Items.Select(h => h.Message.Content), Is.EquivalentTo(new[] { "My cat sleeps all day on the sofa.", "Solar panels got cheap this decade." }));
        Assert.That(await store.CountEmbeddingsAsync("alice"), Is.EqualTo(new[] { new EmbeddingModelCount("concepts-v1", 64, 2) }));
        Assert.That(await new EmbeddingIndexer(store).DrainAsync(), Is.Zero);
    }

    [Test]
    [Category(RefusedWhenEncrypted)]
    public async Task Fork_GivesTheForkItsOwnVectors_AfterIndexing()
    {
        var (store, _, session, messages) = await EmbeddedConversationAsync();
        var corrections = (ISessionCorrectionStore)Store;

        var fork = await corrections.ForkSessionAsync(session.Id, messages[1].Sequence);
        long embedded = await new EmbeddingIndexer(store).DrainAsync();
        var inFork = await store.SearchAsync("alice", Meaning(WindQuestion) with { SessionId = fork.Id });

        Assert.That(embedded, Is.EqualTo(2));
        Assert.That(inFork.Items[0].Message.Content, Is.EqualTo(WindAnswer));
        Assert.That(inFork.Items[0].SessionId, Is.EqualTo(fork.Id));
    }

    [Test]
    public async Task EraseUser_RemovesTheUsersVectors()
    {
        var (store, _, _, _) = await EmbeddedConversationAsync("alice");
        await CreateSearchableSessionAsync("bob", "Offshore wind turbines deliver more power.");
        await new EmbeddingIndexer(store).DrainAsync();
        var warm = await store.SearchAsync("alice", Meaning(WindQuestion)); // fills the store's vector cache

        await ((ISessionPrivacyStore)Store).EraseUserAsync("alice");

        Assert.That(warm.Items, Has.Count.EqualTo(4));
        Assert.That(await store.CountEmbeddingsAsync("alice"), Is.Empty);
        Assert.That((await store.SearchAsync("alice", Meaning(WindQuestion))).Items, Is.Empty);
        Assert.That(await store.CountEmbeddingsAsync("bob"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Export_NamesTheModelThatMadeTheVectors()
    {
        await EmbeddedConversationAsync();

        using var stream = new MemoryStream();
        await Exporter().ExportUserAsync("alice", stream);
        using var json = System.Text.Json.JsonDocument.Parse(stream.ToArray());

        var model = json.RootElement.GetProperty("embeddings")[0];
        Assert.That(model.GetProperty("model").GetString(), Is.EqualTo("concepts-v1"));
        Assert.That(model.GetProperty("dimensions").GetInt32(), Is.EqualTo(ConceptEmbeddingGenerator.Dimensions));
        Assert.That(model.GetProperty("count").GetInt64(), Is.EqualTo(4));
    }

    [Test]
    public async Task DeleteSession_RemovesItsVectors()
    {
        var (store, _, session, _) = await EmbeddedConversationAsync();
        var warm = await store.SearchAsync("alice", Meaning(WindQuestion)); // fills the store's vector cache

        await Store.DeleteSessionAsync(session.Id);

        Assert.That(warm.Items, Has.Count.EqualTo(4));
        Assert.That(await store.CountEmbeddingsAsync("alice"), Is.Empty);
        Assert.That((await store.SearchAsync("alice", Meaning(WindQuestion))).Items, Is.Empty);
        Assert.That((await store.SearchAsync("alice", Meaning(WindQuestion, SearchMode.Hybrid))).Items, Is.Empty);
    }

    [Test]
    public async Task SemanticSearch_AfterTheCacheWasFilled_FindsVectorsEmbeddedLater()
    {
        var (store, _, _, _) = await EmbeddedConversationAsync();
        var warm = await store.SearchAsync("alice", Meaning("cheap solar power"));

        var (later, _) = await CreateSearchableSessionAsync("alice", "Onshore turbines got cheap too.");
        var beforeIndexing = await store.SearchAsync("alice", Meaning("cheap solar power"));
        await new EmbeddingIndexer(store).DrainAsync();
        var after = await store.SearchAsync("alice", Meaning("cheap solar power"));

        Assert.That(warm.Items, Has.Count.EqualTo(4));
        Assert.That(beforeIndexing.Items, Has.Count.EqualTo(4), "the new message has no vector yet");
        Assert.That(after.Items, Has.Count.EqualTo(5));
        Assert.That(after.Items.Select(h => h.SessionId), Does.Contain(later.Id));
    }

    [Test]
    public async Task SemanticAndHybridSearch_RankAlike_WithTheVectorCacheOnAndOff()
    {
        var (store, _, session, _) = await EmbeddedConversationAsync();
        await CreateSearchableSessionAsync("alice", "Wind power is cheap on land.", "The cat watched the rain.");
        await CreateSearchableSessionAsync("bob", "Onshore turbines in the rain.");
        await new EmbeddingIndexer(store).DrainAsync();
        SearchQuery[] queries =
        [
            Meaning(WindQuestion), Meaning(WindQuestion, SearchMode.Hybrid), Meaning("cat rain", SearchMode.Hybrid),
            Meaning("cheap power") with { SessionId = session.Id }, Meaning("cheap power") with { Role = MessageRole.Assistant },
            Meaning("cheap power", SearchMode.Hybrid) with { Since = DateTimeOffset.UnixEpoch, Until = DateTimeOffset.MaxValue },
            Meaning("cheap power") with { Limit = 2 },
        ];

        var cached = new List<SearchPage>();
        foreach (var query in queries)
        {
            cached.Add(await store.SearchAsync("alice", query));
            cached.Add(await store.SearchAsync("alice", query)); // served from the cache
        }

        long capacity = store.VectorCacheCapacity;
        store.VectorCacheCapacity = 0;
        try
        {
            for (int i = 0; i < queries.Length; i++)
            {
                var scanned = await store.SearchAsync("alice", queries[i]);
                string Describe(SearchPage page) => string.Join(" | ", page.Items.Select(h => $"{h.Message.Id} {h.Score:R} {h.Snippet}")) + " next " + page.NextCursor;
                Assert.That(Describe(cached[2 * i]), Is.EqualTo(Describe(scanned)), $"query {i}, first search");
                Assert.That(Describe(cached[(2 * i) + 1]), Is.EqualTo(Describe(scanned)), $"query {i}, second search");
            }

            Assert.That(store.VectorCacheSize, Is.Zero, "capacity 0 keeps nothing");
        }
        finally
        {
            store.VectorCacheCapacity = capacity;
        }
    }

    [Test]
    public void VectorCacheCapacity_Negative_Throws_AndKeepsTheSetting()
    {
        var store = EmbeddingStore(new ConceptEmbeddingGenerator());
        long before = store.VectorCacheCapacity;

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => store.VectorCacheCapacity = -1);

        Assert.That(error!.ParamName, Is.EqualTo("value"));
        Assert.That(store.VectorCacheCapacity, Is.EqualTo(before));
    }

    [Test]
    public void SemanticOrHybridSearch_WithoutAGenerator_Throws_WhileAutoIsLexical()
    {
        Assert.ThrowsAsync<InvalidOperationException>(() => Store.SearchAsync("alice", Meaning("wind")));
        Assert.ThrowsAsync<InvalidOperationException>(() => Store.SearchAsync("alice", Meaning("wind", SearchMode.Hybrid)));
        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.SearchAsync("alice", Meaning("wind", (SearchMode)42)));
    }

    [Test]
    public async Task AutoSearch_WithoutAGenerator_IsExactlyLexical()
    {
        await CreateSearchableSessionAsync("alice", WindAnswer, "Solar panels got cheap this decade.");

        var auto = await Store.SearchAsync("alice", Meaning("solar turbines", SearchMode.Auto));
        var lexical = await Store.SearchAsync("alice", Meaning("solar turbines", SearchMode.Lexical));

        Assert.That(auto, Is.EqualTo(lexical).Using<SearchPage>((a, b) => a.Items.Select(h => (h.Message.Id, h.Score, h.Snippet)).SequenceEqual(b.Items.Select(h => (h.Message.Id, h.Score, h.Snippet))) && a.NextCursor == b.NextCursor));
    }
}
