using NUnit.Framework;

namespace SessionKit.Testing;

/// <summary>Backlogs after an import: a build does at most the configured work, and draining leaves nothing omitted.</summary>
public abstract partial class ContextBuilderConformanceTests
{
    [TestCase(120, 1500, true)]
    [TestCase(400, 1500, true)]
    [TestCase(400, 4000, false)]
    [TestCase(400, 4000, true)]
    public async Task AnImportedBacklog_BuildsDoTheConfiguredWork_AndCatchUpLeavesNoOmittedRange(int messages, int budget, bool recall)
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
        var summarizer = new CountingSummarizer(new ExtractiveSummarizer(Counter));
        var builder = Builder(summarizer, new ContextOptions { MaxSummarizationsPerBuild = 4 });

        var first = await builder.BuildAsync(session.Id, new ContextRequest { TokenBudget = budget, RecallNewestUserMessage = recall });
        Assert.That(summarizer.Calls, Is.LessThanOrEqualTo(4), "the request waits for no more than the configured work");
        Assert.That(first.SummarizationBacklog, Is.True, "the build reports that summarizing is left to do");
        Assert.That(first.OmittedRanges, Is.Not.Empty);

        int created = await builder.CatchUpAsync(session.Id, budget);
        var drained = await builder.BuildAsync(session.Id, new ContextRequest { TokenBudget = budget, RecallNewestUserMessage = recall });

        Assert.That(created, Is.GreaterThan(0));
        Assert.That(drained.SummarizationBacklog, Is.False);
        Assert.That(drained.SummariesCreated, Is.Zero, "caught up: the next build has nothing to summarize");
        Assert.That(drained.OmittedRanges, Is.Empty, "no range stays omitted once the backlog is drained");
        AssertNoContentTwice(drained);
        AssertWithinBudgetByRecount(drained);
        AssertChronological(drained);
    }

    /// <summary>
    /// After the drain nothing is left out, across sizes and budgets, with and without recall: every message is verbatim or
    /// under a summary in the window (a recalled message comes beside the summary covering it, never in its place, so the
    /// rest of that summary's range stays covered).
    /// </summary>
    [TestCase(40, 1000, true)]
    [TestCase(40, 1000, false)]
    [TestCase(120, 600, true)]
    [TestCase(120, 2500, false)]
    [TestCase(200, 1000, true)]
    [TestCase(200, 2500, true)]
    [TestCase(120, 4000, true)]
    public async Task AfterTheDrain_NothingIsOmitted_WithOrWithoutRecall(int messages, int budget, bool recall)
    {
        var session = await _store.CreateSessionAsync("ada");
        var random = new Random((messages * 7) + budget);
        var import = new List<NewMessage>();
        for (int i = 0; i < messages / 2; i++)
        {
            import.Add(NewMessage.User(Conversation.Sentence(random, 14) + "?"));
            import.Add(NewMessage.Assistant(Conversation.Paragraph(random, 3)));
        }

        await _store.AppendMessagesAsync(session.Id, import);
        var builder = Builder(options: new ContextOptions { MaxSummarizationsPerBuild = 4 });
        await builder.CatchUpAsync(session.Id, budget);
        var drained = await builder.BuildAsync(session.Id, new ContextRequest { TokenBudget = budget, RecallNewestUserMessage = recall });

        Assert.That(drained.SummariesCreated, Is.Zero, "caught up: the next build has nothing to summarize");
        Assert.That(drained.SummarizationBacklog, Is.False);
        Assert.That(drained.OmittedRanges, Is.Empty, "nothing is omitted after the drain");
        AssertNoContentTwice(drained);
        AssertWithinBudgetByRecount(drained);
        AssertChronological(drained);
        await AssertFilledToWithinOneMessageOrBlockAsync(drained, "after the drain");
    }

    [Test]
    public async Task CatchUp_OnACaughtUpSession_MakesNothing_AndRejectsBadArguments()
    {
        var session = await _store.CreateSessionAsync("ada");
        await AppendConversationAsync(session.Id, turns: 3, seed: 47);
        var builder = Builder();

        Assert.That(await builder.CatchUpAsync(session.Id, 2000), Is.Zero);
        Assert.ThrowsAsync<ArgumentException>(() => builder.CatchUpAsync(Guid.Empty, 2000));
        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => builder.CatchUpAsync(session.Id, 0));
        Assert.ThrowsAsync<SessionNotFoundException>(() => builder.CatchUpAsync(Guid.CreateVersion7(), 2000));
    }
}
