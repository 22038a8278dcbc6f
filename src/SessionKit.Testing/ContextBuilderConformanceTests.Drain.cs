using NUnit.Framework;

namespace SessionKit.Testing;

/// <summary>After an import and <see cref="IContextBuilder.CatchUpAsync"/>, in both layouts, nothing is omitted.</summary>
public abstract partial class ContextBuilderConformanceTests
{
    private static IEnumerable<TestCaseData> DrainCases()
    {
        foreach (var layout in new[] { ContextLayout.Fill, ContextLayout.CacheStable })
        {
            foreach (int messages in new[] { 120, 400 })
            {
                foreach (bool recall in new[] { false, true })
                {
                    yield return new TestCaseData(layout, messages, recall);
                }
            }
        }
    }

    /// <summary>
    /// An import of 120 or 400 messages drained at 600 to 4,000 tokens, with the builder in either layout: the next build
    /// makes nothing, leaves no range omitted (every message verbatim or under a summary in the window), sends nothing twice
    /// and stays within budget. The fill layout also fills the budget to within one message or block; the cache-stable layout
    /// deliberately does not (its verbatim part restarts at half its room when the boundary moves, so the start stays put for
    /// the turns that follow), but its verbatim part begins right where the summaries end.
    /// </summary>
    [TestCaseSource(nameof(DrainCases))]
    public async Task AfterAnImportAndTheDrain_EitherLayout_NothingIsOmitted_NothingTwice_WithinBudget(ContextLayout layout, int messages, bool recall)
    {
        foreach (int budget in new[] { 600, 1000, 1500, 4000 })
        {
            var session = await _store.CreateSessionAsync("ada");
            var random = new Random(messages + budget);
            var import = new List<NewMessage>();
            for (int i = 0; i < messages / 2; i++)
            {
                import.Add(NewMessage.User(Conversation.Sentence(random, 14) + "?"));
                import.Add(NewMessage.Assistant(Conversation.Paragraph(random, 3)));
            }

            await _store.AppendMessagesAsync(session.Id, import);
            var builder = Builder(options: new ContextOptions { MaxSummarizationsPerBuild = 4, Layout = layout });
            Assert.That(await builder.CatchUpAsync(session.Id, budget), Is.GreaterThan(0), $"budget {budget}: the import needed summaries");
            var drained = await builder.BuildAsync(session.Id, new ContextRequest { TokenBudget = budget, RecallNewestUserMessage = recall });
            string because = $"{layout}, {messages} messages, budget {budget}, recall {recall}: {Describe(drained)}";

            Assert.That(drained.SummariesCreated, Is.Zero, $"{because}: caught up, the next build has nothing to summarize");
            Assert.That(drained.SummarizationBacklog, Is.False, because);
            Assert.That(drained.OmittedRanges, Is.Empty, $"{because}: no range stays omitted once the backlog is drained");
            AssertNoContentTwice(drained);
            AssertWithinBudgetByRecount(drained);
            if (layout == ContextLayout.Fill)
            {
                AssertChronological(drained);
                await AssertFilledToWithinOneMessageOrBlockAsync(drained, because);
            }
            else
            {
                AssertCacheStableOrder(drained);
                var summaries = drained.Items.Where(i => i.Kind == ContextItemKind.Summary).ToList();
                var first = drained.Items.First(i => i.Kind == ContextItemKind.Message);
                Assert.That(first.Sequences.From, Is.EqualTo(summaries.Count == 0 ? 1 : summaries[^1].Sequences.To + 1), $"{because}: the verbatim part begins where the summaries end");
            }
        }
    }

    private static string Describe(ContextWindow window) =>
        $"{window.TotalTokens} tokens, omitted [{string.Join(", ", window.OmittedRanges.Select(r => $"#{r.From}-{r.To}"))}], items "
        + string.Join(" ", window.Items.Select(i => $"{i.Kind}{(i.Kind == ContextItemKind.Summary ? i.SummaryLevel : null)}:{i.Sequences.From}-{i.Sequences.To}"));
}
