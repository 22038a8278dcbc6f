using NUnit.Framework;

namespace SessionKit.Testing;

/// <summary>What a window contains: the budget filled with verbatim text first, no content twice, and the cache-stable layout.</summary>
public abstract partial class ContextBuilderConformanceTests
{
    [Test]
    public async Task Fill_VerbatimMessagesReenterASummarizedRange_WhenTheBudgetHasRoom()
    {
        var session = await _store.CreateSessionAsync("ada");
        await AppendConversationAsync(session.Id, turns: 40, seed: 41);
        // Summaries made for a small budget cover most of the history.
        await Builder(options: new ContextOptions { MaxSummarizationsPerBuild = 100 }).SummarizeAsync(session.Id, 800);
        long summarizedThrough = (await _store.GetSummariesAsync(session.Id, new SummaryQuery { Level = 1, Limit = 1 }))[0].ToSequence;

        var window = await Builder().BuildAsync(session.Id, new ContextRequest { TokenBudget = 4500, SummarizeInline = false });

        var verbatim = window.Items.Where(i => i.Kind == ContextItemKind.Message).ToList();
        Assert.That(verbatim[0].Sequences.From, Is.LessThanOrEqualTo(summarizedThrough), "verbatim text replaces summaries the budget has room for");
        await AssertFilledToWithinOneMessageOrBlockAsync(window);
        AssertNoContentTwice(window);
        AssertWithinBudgetByRecount(window);
        AssertChronological(window);
    }

    [Test]
    public async Task Fill_TheWholeHistoryVerbatim_WhenItFits_EvenIfSummariesExist()
    {
        var session = await _store.CreateSessionAsync("ada");
        await AppendConversationAsync(session.Id, turns: 20, seed: 42);
        await Builder(options: new ContextOptions { MaxSummarizationsPerBuild = 100 }).SummarizeAsync(session.Id, 600);
        Assert.That(await _store.GetSummariesAsync(session.Id), Is.Not.Empty);

        var window = await Builder().BuildAsync(session.Id, new ContextRequest { TokenBudget = 20_000 });

        Assert.That(window.Items.Select(i => i.Kind), Is.All.EqualTo(ContextItemKind.Message));
        Assert.That(window.Items, Has.Count.EqualTo(40));
        Assert.That(window.OmittedRanges, Is.Empty);
    }

    [Test]
    public async Task Fill_RandomHistoriesAndBudgets_FillTheBudgetToWithinOneMessageOrBlock()
    {
        for (int seed = 0; seed < 12; seed++)
        {
            var random = new Random(100 + seed);
            var session = await _store.CreateSessionAsync($"fill-{seed}");
            await AppendConversationAsync(session.Id, turns: random.Next(20, 60), seed: 200 + seed);
            var options = new ContextOptions { MaxSummarizationsPerBuild = 100, SummaryBlockSize = random.Next(4, 12) };
            await Builder(options: options).SummarizeAsync(session.Id, random.Next(600, 1200));

            var window = await Builder(options: options).BuildAsync(session.Id, new ContextRequest { TokenBudget = random.Next(800, 4000), SummarizeInline = random.Next(2) == 0 });

            await AssertFilledToWithinOneMessageOrBlockAsync(window, $"seed {seed}");
            AssertNoContentTwice(window);
            AssertWithinBudgetByRecount(window);
            AssertChronological(window);
        }
    }

    [Test]
    public async Task Recall_NeverSendsAMessageAndASummaryCoveringIt_NorTheSameContentTwice()
    {
        var session = await _store.CreateSessionAsync("ada");
        var random = new Random(43);
        string[] topics = ["methane", "permafrost", "monsoon", "glacier", "aerosol", "plankton"];
        for (int t = 0; t < 60; t++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            string topic = topics[t % topics.Length];
            await _store.AppendMessagesAsync(session.Id,
            [
                NewMessage.User($"What about {topic}? {Conversation.Sentence(random, 8)}?"),
                NewMessage.Assistant($"On {topic}: {Conversation.Paragraph(random, 2)}"),
            ]);
        }

        // Repeated content: the same sentence said twice must not be sent twice.
        await _store.AppendMessagesAsync(session.Id, [NewMessage.User("What about methane again?"), NewMessage.Assistant("Methane is a potent greenhouse gas.")]);
        await AppendConversationAsync(session.Id, turns: 3, seed: 44);
        await _store.AppendMessagesAsync(session.Id, [NewMessage.Assistant("Methane is a potent greenhouse gas."), NewMessage.User("Remind me about methane.")]);
        var builder = Builder(options: new ContextOptions { MaxSummarizationsPerBuild = 100, RecallShare = 0.3 });

        int windows = 0;
        foreach (var layout in new[] { ContextLayout.Fill, ContextLayout.CacheStable })
        {
            foreach (int budget in new[] { 900, 1500, 2500 })
            {
                foreach (string topic in topics)
                {
                    var window = await builder.BuildAsync(session.Id, new ContextRequest { TokenBudget = budget, Query = $"what did you say about {topic}", Layout = layout });
                    AssertNoContentTwice(window);
                    AssertWithinBudgetByRecount(window);
                    windows++;
                }
            }
        }

        Assert.That(windows, Is.EqualTo(36));
    }

    [Test]
    public async Task CacheStable_EachPromptStartsWithThePreviousOne_ExceptWhereTheTurnChangedIt()
    {
        var session = await _store.CreateSessionAsync("ada");
        var builder = Builder(options: new ContextOptions { Layout = ContextLayout.CacheStable });
        var random = new Random(45);
        ContextWindow? previous = null;
        double reuseSum = 0;
        int turns = 0;
        int summarizingTurns = 0;
        for (int turn = 0; turn < 120; turn++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            if (previous is not null)
            {
                await _store.AppendMessageAsync(session.Id, NewMessage.Assistant(Conversation.Paragraph(random, 2)));
            }

            string question = Conversation.Sentence(random, 10) + "?";
            await _store.AppendMessageAsync(session.Id, NewMessage.User(question));
            var window = await builder.BuildAsync(session.Id, new ContextRequest { TokenBudget = 4000, SystemPrompt = "You are a research assistant.", Query = question });
            AssertNoContentTwice(window);
            AssertWithinBudgetByRecount(window);
            AssertCacheStableOrder(window);
            if (previous is not null)
            {
                int shared = SharedPrefixTokens(previous, window);
                reuseSum += (double)shared / window.TotalTokens;
                turns++;
                if (window.SummariesCreated == 0)
                {
                    // Nothing was summarized: everything before the previous window's recalled items (its newest turn included) is unchanged.
                    var stable = previous.Items.TakeWhile(i => i.Kind != ContextItemKind.Recalled).ToList();
                    Assert.That(window.Items.Take(stable.Count).Select(Key), Is.EqualTo(stable.Select(Key)), $"turn {turn}: the prompt's start is unchanged");
                }
                else
                {
                    summarizingTurns++;
                }
            }

            previous = window;
        }

        Assert.That(summarizingTurns, Is.GreaterThan(0), "the boundary moved at least once");
        Assert.That(summarizingTurns, Is.LessThan(turns / 4), "the boundary moves rarely");
        Assert.That(reuseSum / turns, Is.GreaterThanOrEqualTo(0.8), "on average at least 80% of each prompt is the previous prompt's start");
    }

    [Test]
    public async Task CacheStable_SixtyTurns_ChangeOnlyAfterTheStablePrefix_WithRecallLastAndWithinItsCap()
    {
        // Small blocks and rollups of two, so recall has rolled-up ranges to bring messages back from within 60 turns.
        var options = new ContextOptions { Layout = ContextLayout.CacheStable, SummaryBlockSize = 4, RollupSize = 2, SummaryTargetTokens = 40, MaxSummarizationsPerBuild = 100, CacheStableRecallTokens = 120 };
        var builder = Builder(options: options);
        var session = await _store.CreateSessionAsync("ada");
        string[] topics = ["methane", "glaciers", "aerosols", "permafrost", "monsoons", "wildfires"];
        var random = new Random(47);
        ContextWindow? previous = null;
        int recalledItems = 0;
        int summarizingTurns = 0;
        for (int turn = 0; turn < 60; turn++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            if (previous is not null)
            {
                await _store.AppendMessageAsync(session.Id, NewMessage.Assistant($"On {topics[(turn - 1) % topics.Length]}: {Conversation.Paragraph(random, 1)}"));
            }

            string question = $"What about {topics[turn % topics.Length]}? {Conversation.Sentence(random, 6)}?";
            await _store.AppendMessageAsync(session.Id, NewMessage.User(question));
            var window = await builder.BuildAsync(session.Id, new ContextRequest { TokenBudget = 1200, SystemPrompt = "You are a research assistant." });

            AssertNoContentTwice(window);
            AssertWithinBudgetByRecount(window);
            AssertCacheStableOrder(window);
            var newest = window.Items.Last(i => i.Kind != ContextItemKind.Recalled);
            Assert.That((newest.Kind, newest.Content), Is.EqualTo((ContextItemKind.Message, question)), $"turn {turn}: the newest user message is the last item before the recall");
            int recalledTokens = window.Items.Where(i => i.Kind == ContextItemKind.Recalled).Sum(i => i.TokenCount);
            Assert.That(recalledTokens, Is.LessThanOrEqualTo(Math.Min(options.CacheStableRecallTokens, (int)(1200 * options.RecallShare))), $"turn {turn}: recall within its cap");
            recalledItems += window.Items.Count(i => i.Kind == ContextItemKind.Recalled);
            if (previous is not null)
            {
                Assert.That(window.Items[0], Is.EqualTo(previous.Items[0]), $"turn {turn}: the system prompt leads every prompt");
                if (window.SummariesCreated == 0)
                {
                    var stable = previous.Items.TakeWhile(i => i.Kind != ContextItemKind.Recalled).Select(Key).ToList();
                    Assert.That(window.Items.Take(stable.Count).Select(Key), Is.EqualTo(stable), $"turn {turn}: without a new summary the prompt changes only after the previous newest turn");
                }
                else
                {
                    summarizingTurns++;
                }
            }

            previous = window;
        }

        Assert.That(recalledItems, Is.GreaterThan(0), "recall brought older messages back");
        Assert.That(summarizingTurns, Is.InRange(1, 20), "the boundary moved, but not on most turns");
    }

    [Test]
    public async Task CacheStable_WithoutSummarization_SlidesAndStaysWithinBudget()
    {
        var session = await _store.CreateSessionAsync("ada");
        await AppendConversationAsync(session.Id, turns: 30, seed: 46);

        var window = await Builder().BuildAsync(session.Id, new ContextRequest { TokenBudget = 800, SummarizeInline = false, Layout = ContextLayout.CacheStable });

        Assert.That(window.Items.All(i => i.Kind is ContextItemKind.Message or ContextItemKind.Recalled), "no summary is made or shown");
        Assert.That(window.Items.Last(i => i.Kind == ContextItemKind.Message).Sequences.From, Is.EqualTo(60), "the newest message is in");
        AssertCacheStableOrder(window);
        AssertWithinBudgetByRecount(window);
    }

    [Test]
    public void AnUndefinedLayout_IsRejected()
    {
        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Builder().BuildAsync(Guid.CreateVersion7(), new ContextRequest { TokenBudget = 100, Layout = (ContextLayout)7 }));
        var invalid = Assert.Throws<ArgumentException>(() => _ = new ContextBuilder(_store, Counter, new ExtractiveSummarizer(Counter), new ContextOptions { Layout = (ContextLayout)7 }));
        Assert.That(invalid!.Message, Does.Contain("ContextOptions.Layout"));
    }

    /// <summary>The tokens at the start of <paramref name="current"/> identical to the start of <paramref name="previous"/> (whole items).</summary>
    internal static int SharedPrefixTokens(ContextWindow previous, ContextWindow current)
    {
        int tokens = current.RequestOverheadTokens;
        for (int i = 0; i < Math.Min(previous.Items.Count, current.Items.Count) && Key(previous.Items[i]) == Key(current.Items[i]); i++)
        {
            tokens += current.Items[i].TokenCount;
        }

        return tokens;
    }

    private static (ContextItemKind Kind, SequenceRange Sequences, string Content) Key(ContextItem item) => (item.Kind, item.Sequences, item.Content);

    /// <summary>The cache-stable contract: system prompt, summaries (oldest first), recent messages oldest first, then only recalled messages.</summary>
    private static void AssertCacheStableOrder(ContextWindow window)
    {
        var kinds = window.Items.Select(i => i.Kind).ToList();
        Assert.That(kinds.LastIndexOf(ContextItemKind.SystemPrompt), Is.LessThanOrEqualTo(0), "the system prompt, if any, is first");
        int lastSummary = kinds.LastIndexOf(ContextItemKind.Summary);
        int firstMessage = kinds.IndexOf(ContextItemKind.Message);
        Assert.That(lastSummary < firstMessage || firstMessage < 0, "summaries come before every message");
        var summaries = window.Items.Where(i => i.Kind == ContextItemKind.Summary).Select(i => i.Sequences.From).ToList();
        Assert.That(summaries, Is.Ordered, "summaries oldest first");
        var messages = window.Items.Where(i => i.Kind == ContextItemKind.Message).Select(i => i.Sequences.From).ToList();
        Assert.That(messages, Is.Ordered.And.Unique);
        int firstRecalled = kinds.IndexOf(ContextItemKind.Recalled);
        if (firstRecalled >= 0)
        {
            Assert.That(kinds.Skip(firstRecalled), Is.All.EqualTo(ContextItemKind.Recalled), "the recalled messages come last, after the newest user turn");
            Assert.That(window.Items.Where(i => i.Kind == ContextItemKind.Recalled).All(i => i.Role != MessageRole.System), "a recalled message keeps its own role, never the system's");
        }
    }

    /// <summary>No recalled message is quoted (whole, or any sentence of it) by a summary covering it or lies in the verbatim window; no message's text appears twice.</summary>
    private static void AssertNoContentTwice(ContextWindow window)
    {
        var own = window.Items.Where(i => i.SourceSessionId is null).ToList();
        var summaries = own.Where(i => i.Kind == ContextItemKind.Summary).ToList();
        var recalled = own.Where(i => i.Kind == ContextItemKind.Recalled).ToList();
        var messages = own.Where(i => i.Kind == ContextItemKind.Message).Select(i => i.Sequences.From).ToHashSet();
        foreach (var item in recalled)
        {
            var covering = summaries.Where(s => item.Sequences.From >= s.Sequences.From && item.Sequences.From <= s.Sequences.To).ToList();
            Assert.That(covering.Any(s => s.Content.Contains(item.Content, StringComparison.Ordinal)), Is.False, $"recalled #{item.Sequences.From} is not quoted by a summary covering it");
            var sentences = item.Content.Split(['.', '?', '!', '\n']).Select(t => t.Trim()).Where(t => t.Length >= 12).ToList();
            Assert.That(covering.Any(s => sentences.Any(t => s.Content.Contains(t, StringComparison.Ordinal))), Is.False, $"no sentence of recalled #{item.Sequences.From} is also in a summary covering it");
            Assert.That(messages.Contains(item.Sequences.From), Is.False, $"recalled #{item.Sequences.From} is not also a recent message");
        }

        var texts = window.Items.Where(i => i.Kind == ContextItemKind.Recalled).Select(i => i.Content).ToList();
        Assert.That(texts, Is.Unique, "no two recalled items carry the same text");
        var verbatimTexts = window.Items.Where(i => i.Kind == ContextItemKind.Message).Select(i => i.Content).ToHashSet(StringComparer.Ordinal);
        Assert.That(texts.Any(verbatimTexts.Contains), Is.False, "a recalled text is not also sent as a recent message");
    }

    /// <summary>
    /// The budget left unused is smaller than what the next older content would cost verbatim: the message (with its tool
    /// call group) just before the verbatim window, or the extra cost of the block in place of its adjacent summary.
    /// </summary>
    private async Task AssertFilledToWithinOneMessageOrBlockAsync(ContextWindow window, string because = "")
    {
        var first = window.Items.FirstOrDefault(i => i.Kind == ContextItemKind.Message);
        long start = first?.Sequences.From ?? long.MaxValue;
        if (first is null || start <= 1)
        {
            return;
        }

        int unused = window.TokenBudget - window.TotalTokens;
        var adjacent = window.Items.FirstOrDefault(i => i.Kind == ContextItemKind.Summary && i.SourceSessionId is null && i.Sequences.To == start - 1);
        int extra;
        if (adjacent is not null)
        {
            var block = await _store.GetMessagesAsync(window.SessionId, adjacent.Sequences.From, adjacent.Sequences.To);
            extra = block.Sum(MessageTokens) - adjacent.TokenCount;
        }
        else if ((await _store.GetSummariesAsync(window.SessionId, new SummaryQuery { Level = 1, ToSequenceAtMost = start - 1, Limit = 1 }))
            is [var replaced] && replaced.ToSequence == start - 1
            && window.Items.FirstOrDefault(i => i.Kind == ContextItemKind.Recalled && i.SourceSessionId is null
                && i.Sequences.From >= replaced.FromSequence && i.Sequences.From <= replaced.ToSequence) is { } standIn)
        {
            // A recalled message stands for the block before the window: the block comes in whole or not at all.
            var block = await _store.GetMessagesAsync(window.SessionId, replaced.FromSequence, replaced.ToSequence);
            extra = block.Sum(MessageTokens) - standIn.TokenCount;
        }
        else
        {
            // The messages back to where a cut is allowed (a tool result or a later part cannot begin the window).
            var before = await _store.GetMessagesAsync(window.SessionId, Math.Max(1, start - 20), start - 1);
            extra = 0;
            for (int i = before.Count - 1; i >= 0; i--)
            {
                extra += MessageTokens(before[i]);
                if (before[i].Role != MessageRole.Tool)
                {
                    break;
                }
            }
        }

        Assert.That(unused, Is.LessThan(extra), $"{because}: {unused} tokens unused, the next older content costs {extra}");
    }

    private static int MessageTokens(SessionMessage message) =>
        Counter.CountMessageTokens(message.Role, message.Content, message.AuthorId)
        + (message.ToolCallId is null ? 0 : Counter.CountTokens(message.ToolCallId))
        + (message.ToolName is null ? 0 : Counter.CountTokens(message.ToolName));
}
