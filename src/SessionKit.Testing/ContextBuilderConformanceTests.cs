using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace SessionKit.Testing;

/// <summary>
/// The context builder's rules, run against every backend: the window never exceeds its budget (recounted independently),
/// keeps the newest user turn and tool pairs whole, summarizes each block once, rolls summaries up, falls back when the
/// summarizer fails, and reads only what the budget needs.
/// </summary>
public abstract partial class ContextBuilderConformanceTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private FakeTimeProvider _time = null!;
    private ISessionStore _store = null!;

    /// <summary>The counter every store and builder in this fixture uses.</summary>
    protected static SharpTokenCounter Counter => SharpTokenCounter.Default;

    /// <summary>Creates the backend under test.</summary>
    /// <param name="timeProvider">The clock.</param>
    /// <returns>A new, empty store.</returns>
    protected abstract ISessionStore CreateStore(TimeProvider timeProvider);

    [SetUp]
    public void SetUpStore()
    {
        _time = new FakeTimeProvider(Start);
        _store = CreateStore(_time);
    }

    [TearDown]
    public async Task TearDownStoreAsync()
    {
        if (_store is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }

    private ContextBuilder Builder(ISummarizer? summarizer = null, ContextOptions? options = null, ISessionStore? store = null, ITokenCounter? counter = null) =>
        new(store ?? _store, counter ?? Counter, summarizer ?? new ExtractiveSummarizer(Counter), options, _time);

    [Test]
    public async Task ShortConversation_FitsVerbatim_InOrder_WithinBudget()
    {
        var session = await _store.CreateSessionAsync("ada");
        await _store.AppendMessagesAsync(session.Id, [NewMessage.User("What is the carbon cycle?"), NewMessage.Assistant("Carbon moves between air, oceans, soils and living things."), NewMessage.User("And methane?")]);

        var window = await Builder().BuildAsync(session.Id, new ContextRequest { TokenBudget = 1000, SystemPrompt = "You are a research assistant." });

        Assert.That(window.Items.Select(i => i.Kind), Is.EqualTo(new[] { ContextItemKind.SystemPrompt, ContextItemKind.Message, ContextItemKind.Message, ContextItemKind.Message }));
        Assert.That(window.Items.Skip(1).Select(i => i.Sequences.From), Is.EqualTo(new long[] { 1, 2, 3 }));
        Assert.That(window.Items[^1].Content, Is.EqualTo("And methane?"));
        Assert.That(window.OmittedRanges, Is.Empty);
        Assert.That(window.SummariesCreated, Is.Zero);
        AssertWithinBudgetByRecount(window);
    }

    [Test]
    public async Task NewestUserTurnNotRequired_WhenItDoesNotFit_BuildsWindowFromWhatFits()
    {
        var session = await _store.CreateSessionAsync("ada");
        string longAnswer = string.Join(" ", Enumerable.Repeat("The oceans absorb about a quarter of the carbon dioxide that burning fossil fuels releases.", 40));
        await _store.AppendMessagesAsync(session.Id, [NewMessage.User("Tell me about ocean carbon."), NewMessage.Assistant(longAnswer)]);
        var request = new ContextRequest { TokenBudget = 300, SystemPrompt = "You are a research assistant." };

        Assert.ThrowsAsync<ContextBudgetExceededException>(() => Builder().BuildAsync(session.Id, request));
        var window = await Builder().BuildAsync(session.Id, request with { RequireNewestUserTurn = false });

        Assert.That(window.Items.Select(i => i.Kind), Is.EqualTo(new[] { ContextItemKind.SystemPrompt }), "the long turn does not fit, and nothing is mandatory");
        Assert.That(window.TotalTokens, Is.LessThanOrEqualTo(300));
        AssertWithinBudgetByRecount(window);
    }

    [Test]
    public async Task LongConversation_SummarizesOldBlocks_KeepsRecentVerbatim_AndStaysWithinBudget()
    {
        var session = await _store.CreateSessionAsync("ada");
        await AppendConversationAsync(session.Id, turns: 40, seed: 1);

        var window = await Builder(options: new ContextOptions { MaxSummarizationsPerBuild = 100 }).BuildAsync(session.Id, new ContextRequest { TokenBudget = 1500 });

        var summaries = window.Items.Where(i => i.Kind == ContextItemKind.Summary).ToList();
        var messages = window.Items.Where(i => i.Kind == ContextItemKind.Message).ToList();
        Assert.That(summaries, Is.Not.Empty);
        Assert.That(window.SummariesCreated, Is.GreaterThan(0));
        Assert.That(messages[^1].Sequences.To, Is.EqualTo(80), "the newest message is in");
        Assert.That(summaries[^1].Sequences.To, Is.EqualTo(messages[0].Sequences.From - 1), "summaries end right where the verbatim messages begin");
        Assert.That(window.OmittedRanges.All(r => r.To < summaries[0].Sequences.From), "only the oldest range may be left out");
        AssertWithinBudgetByRecount(window);
        AssertChronological(window);
    }

    [Test]
    public async Task ABacklog_IsSummarizedAFewBlocksPerBuild_AndCaughtUpOverSuccessiveBuilds()
    {
        var session = await _store.CreateSessionAsync("ada");
        await AppendConversationAsync(session.Id, turns: 60, seed: 12);
        var summarizer = new CountingSummarizer(new ExtractiveSummarizer(Counter));
        var builder = Builder(summarizer, new ContextOptions { MaxSummarizationsPerBuild = 2 });

        var first = await builder.BuildAsync(session.Id, new ContextRequest { TokenBudget = 1500 });
        Assert.That(summarizer.Calls, Is.EqualTo(2), "a build makes at most MaxSummarizationsPerBuild summarizer calls");
        Assert.That(first.OmittedRanges, Is.Not.Empty, "the part of the backlog not yet summarized is reported");
        AssertWithinBudgetByRecount(first);

        ContextWindow last = first;
        for (int i = 0; i < 10 && last.SummariesCreated > 0; i++)
        {
            last = await builder.BuildAsync(session.Id, new ContextRequest { TokenBudget = 1500 });
            AssertWithinBudgetByRecount(last);
        }

        var verbatim = last.Items.Where(i => i.Kind == ContextItemKind.Message).ToList();
        var summaries = last.Items.Where(i => i.Kind == ContextItemKind.Summary).ToList();
        Assert.That(last.SummariesCreated, Is.Zero, "caught up");
        Assert.That(summaries[^1].Sequences.To, Is.EqualTo(verbatim[0].Sequences.From - 1), "no gap between summaries and recent messages once caught up");
    }

    [Test]
    public async Task EachBlockIsSummarizedOnce_AcrossManyTurns()
    {
        var session = await _store.CreateSessionAsync("ada");
        var summarizer = new CountingSummarizer(new ExtractiveSummarizer(Counter));
        var builder = Builder(summarizer);
        var random = new Random(7);

        for (int turn = 0; turn < 60; turn++)
        {
            await _store.AppendMessagesAsync(session.Id, [NewMessage.User(Conversation.Sentence(random, 12)), NewMessage.Assistant(Conversation.Paragraph(random, 3))]);
            var window = await builder.BuildAsync(session.Id, new ContextRequest { TokenBudget = 1200 });
            AssertWithinBudgetByRecount(window);
        }

        var stored = await _store.GetSummariesAsync(session.Id, new SummaryQuery { Limit = 1000 });
        Assert.That(stored, Is.Not.Empty);
        Assert.That(summarizer.Calls, Is.EqualTo(stored.Count), "every summarizer call produced exactly one stored summary: no block was summarized twice");
        Assert.That(stored.Select(s => (s.Level, s.FromSequence)).Distinct().Count(), Is.EqualTo(stored.Count));
        Assert.That(stored.Where(s => s.Level == 1).Select(s => s.ToSequence - s.FromSequence + 1), Is.All.EqualTo(10), "level-1 blocks are the configured size");
    }

    [Test]
    public async Task NewestUserMessage_IsAlwaysPresent_EvenWhenLongerThanTheRecentShare()
    {
        var session = await _store.CreateSessionAsync("ada");
        await AppendConversationAsync(session.Id, turns: 10, seed: 2);
        string question = string.Join(' ', Enumerable.Repeat("Please explain the ocean carbon sink in detail.", 40));
        await _store.AppendMessageAsync(session.Id, NewMessage.User(question));

        var window = await Builder().BuildAsync(session.Id, new ContextRequest { TokenBudget = 700 });

        Assert.That(window.Items[^1].Content, Is.EqualTo(question));
        AssertWithinBudgetByRecount(window);
    }

    [Test]
    public async Task NewestUserTurn_LargerThanTheBudget_ThrowsAClearException()
    {
        var session = await _store.CreateSessionAsync("ada");
        await _store.AppendMessageAsync(session.Id, NewMessage.User(string.Join(' ', Enumerable.Repeat("carbon", 500))));

        var ex = Assert.ThrowsAsync<ContextBudgetExceededException>(() => Builder().BuildAsync(session.Id, new ContextRequest { TokenBudget = 100 }));

        Assert.That(ex!.RequiredTokens, Is.GreaterThan(100));
        Assert.That(ex.TokenBudget, Is.EqualTo(100));
        Assert.That(ex.Message, Does.Contain("newest user turn"));
    }

    [Test]
    public async Task SystemPrompt_IsFirst_AndCounted_AndAnOversizedOneIsRejected()
    {
        var session = await _store.CreateSessionAsync("ada");
        await _store.AppendMessageAsync(session.Id, NewMessage.User("Hello"));

        var window = await Builder().BuildAsync(session.Id, new ContextRequest { TokenBudget = 500, SystemPrompt = "Be concise." });
        Assert.That(window.Items[0].Kind, Is.EqualTo(ContextItemKind.SystemPrompt));
        Assert.That(window.Items[0].TokenCount, Is.EqualTo(Counter.CountMessageTokens(MessageRole.System, "Be concise.")));

        string huge = string.Join(' ', Enumerable.Repeat("rule", 400));
        Assert.ThrowsAsync<ContextBudgetExceededException>(() => Builder().BuildAsync(session.Id, new ContextRequest { TokenBudget = 500, SystemPrompt = huge }));
    }

    [Test]
    public async Task SystemPrompt_IsCountedOncePerText_AndEveryOtherTextIsCountedAfresh()
    {
        var session = await _store.CreateSessionAsync("ada");
        await _store.AppendMessageAsync(session.Id, NewMessage.User("Hello"));
        var counter = new SystemPromptCountingCounter(Counter);
        var builder = Builder(counter: counter);
        const string Short = "Be concise.";
        string longer = "You are a careful research assistant. Cite your sources and say when you are unsure.";

        // The same text again (also as another string instance) is not counted again; a different one is, every time it changes.
        var builds = new[] { Short, Short, longer, string.Concat("Be ", "concise."), longer, longer };
        int[] expectedCounts = [1, 1, 2, 3, 4, 4];
        for (int i = 0; i < builds.Length; i++)
        {
            var window = await builder.BuildAsync(session.Id, new ContextRequest { TokenBudget = 500, SystemPrompt = builds[i] });
            Assert.That(window.Items[0].Content, Is.EqualTo(builds[i]));
            Assert.That(window.Items[0].TokenCount, Is.EqualTo(Counter.CountMessageTokens(MessageRole.System, builds[i])), $"build {i}");
            Assert.That(window.TotalTokens, Is.EqualTo(Counter.RequestOverhead + window.Items.Sum(item => item.TokenCount)), $"build {i}");
            Assert.That(counter.SystemCounts, Is.EqualTo(expectedCounts[i]), $"system prompt counts after build {i}");
        }

        // An oversized prompt is still rejected after a good one was counted, and the good one still counts right after it.
        string huge = string.Join(' ', Enumerable.Repeat("rule", 400));
        Assert.ThrowsAsync<ContextBudgetExceededException>(() => builder.BuildAsync(session.Id, new ContextRequest { TokenBudget = 500, SystemPrompt = huge }));
        var again = await builder.BuildAsync(session.Id, new ContextRequest { TokenBudget = 500, SystemPrompt = Short });
        Assert.That(again.Items[0].TokenCount, Is.EqualTo(Counter.CountMessageTokens(MessageRole.System, Short)));
    }

    /// <summary>Counts as <paramref name="inner"/> does, and how many system-role messages it was asked to count.</summary>
    private sealed class SystemPromptCountingCounter(ITokenCounter inner) : ITokenCounter
    {
        public int SystemCounts { get; private set; }

        public string EncodingName => inner.EncodingName;

        public int RequestOverhead => inner.RequestOverhead;

        public int CountTokens(string text) => inner.CountTokens(text);

        public int CountMessageTokens(MessageRole role, string content, string? name = null)
        {
            if (role == MessageRole.System)
            {
                SystemCounts++;
            }

            return inner.CountMessageTokens(role, content, name);
        }
    }

    [Test]
    public async Task ToolCallAndResult_AreNeverSplit_AtTheWindowStart()
    {
        var session = await _store.CreateSessionAsync("ada");
        await AppendConversationAsync(session.Id, turns: 6, seed: 3);
        for (int i = 0; i < 8; i++)
        {
            await _store.AppendMessagesAsync(session.Id,
            [
                NewMessage.User($"Look up dataset {i}."),
                NewMessage.ToolCall($"call-{i}", "lookup", $"{{\"dataset\":{i}}}"),
                NewMessage.ToolResult($"call-{i}", Conversation.Paragraph(new Random(i), 2), "lookup"),
                NewMessage.Assistant($"Dataset {i} shows a rising trend."),
            ]);
        }

        for (int budget = 150; budget <= 900; budget += 25)
        {
            var window = await Builder(options: new ContextOptions { MaxSummarizationsPerBuild = 0 }).BuildAsync(session.Id, new ContextRequest { TokenBudget = budget });
            AssertToolPairsWhole(window);
            AssertWithinBudgetByRecount(window);
        }
    }

    [Test]
    public async Task RandomConversations_NeverExceedTheBudget_NorSplitToolPairs_NorLoseTheNewestUserTurn()
    {
        for (int seed = 0; seed < 25; seed++)
        {
            var random = new Random(seed);
            var session = await _store.CreateSessionAsync($"user-{seed}");
            int turns = random.Next(1, 45);
            for (int t = 0; t < turns; t++)
            {
                var batch = new List<NewMessage> { NewMessage.User(Conversation.Sentence(random, random.Next(3, 30))) };
                if (random.Next(4) == 0)
                {
                    string id = $"c{t}";
                    batch.Add(NewMessage.ToolCall(id, "search", "{\"q\":\"co2\"}"));
                    batch.Add(NewMessage.ToolResult(id, Conversation.Paragraph(random, random.Next(1, 4))));
                }

                batch.Add(NewMessage.Assistant(Conversation.Paragraph(random, random.Next(1, 6))));
                await _store.AppendMessagesAsync(session.Id, batch);
            }

            int budget = random.Next(300, 3000);
            var options = new ContextOptions { SummaryShare = random.NextDouble() * 0.5, SummaryBlockSize = random.Next(2, 12), RollupSize = random.Next(2, 6) };
            ContextWindow window;
            try
            {
                window = await Builder(options: options).BuildAsync(session.Id, new ContextRequest { TokenBudget = budget, SystemPrompt = random.Next(2) == 0 ? null : "You are helpful." });
            }
            catch (ContextBudgetExceededException)
            {
                continue;
            }

            var newestUser = (await _store.GetLastMessagesAsync(session.Id, 50)).Last(m => m.Role == MessageRole.User);
            Assert.That(window.Items.Any(i => i.Kind == ContextItemKind.Message && i.Sequences.From == newestUser.Sequence), $"seed {seed}: newest user message present");
            AssertWithinBudgetByRecount(window);
            AssertToolPairsWhole(window);
            AssertChronological(window);
        }
    }

    [Test]
    public async Task SummariesThatNoLongerFitTheirShare_AreRolledUpIntoHigherLevels()
    {
        var session = await _store.CreateSessionAsync("ada");
        await AppendConversationAsync(session.Id, turns: 150, seed: 4);
        var options = new ContextOptions { SummaryShare = 0.2, RollupSize = 4, MaxSummarizationsPerBuild = 100, SummaryTargetTokens = 60 };

        var window = await Builder(options: options).BuildAsync(session.Id, new ContextRequest { TokenBudget = 1500 });

        var stored = await _store.GetSummariesAsync(session.Id, new SummaryQuery { Limit = 1000 });
        Assert.That(stored.Max(s => s.Level), Is.GreaterThanOrEqualTo(2), "a level-2 summary was made");
        var summaryItems = window.Items.Where(i => i.Kind == ContextItemKind.Summary).ToList();
        Assert.That(summaryItems.Any(i => i.SummaryLevel >= 2), "the window uses a rolled-up summary for the oldest range");
        AssertWithinBudgetByRecount(window);
        AssertChronological(window);
    }

    [Test]
    public async Task FailingSummarizer_FallsBackToVerbatim_StoresNothing_AndTheNextBuildRetries()
    {
        var session = await _store.CreateSessionAsync("ada");
        await AppendConversationAsync(session.Id, turns: 30, seed: 5);

        var failed = await Builder(new FailingSummarizer()).BuildAsync(session.Id, new ContextRequest { TokenBudget = 1200 });

        Assert.That(failed.UsedFallback, Is.True);
        Assert.That(failed.FallbackReason, Does.Contain("failing"));
        Assert.That(failed.Items.Where(i => i.Kind == ContextItemKind.Message), Is.Not.Empty);
        Assert.That(failed.OmittedRanges, Is.Not.Empty, "what neither fits nor is summarized is reported");
        AssertWithinBudgetByRecount(failed);
        Assert.That(await _store.GetSummariesAsync(session.Id), Is.Empty, "nothing half-done was stored");

        var retried = await Builder().BuildAsync(session.Id, new ContextRequest { TokenBudget = 1200 });
        Assert.That(retried.UsedFallback, Is.False);
        Assert.That(retried.SummariesCreated, Is.GreaterThan(0));
    }

    [Test]
    public async Task SlowSummarizer_TimesOut_AndTheBuildFallsBack()
    {
        var session = await _store.CreateSessionAsync("ada");
        await AppendConversationAsync(session.Id, turns: 30, seed: 6);
        var hanging = new HangingSummarizer(_time);
        var builder = Builder(hanging, new ContextOptions { SummarizerTimeout = TimeSpan.FromSeconds(5) });

        var build = builder.BuildAsync(session.Id, new ContextRequest { TokenBudget = 1200 });
        await hanging.Entered.Task;
        _time.Advance(TimeSpan.FromSeconds(6));
        var window = await build;

        Assert.That(window.UsedFallback, Is.True);
        Assert.That(window.FallbackReason, Does.Contain("timed out"));
        AssertWithinBudgetByRecount(window);
        Assert.That(await _store.GetSummariesAsync(session.Id), Is.Empty);
    }

    [Test]
    public async Task CallerCancellation_Propagates()
    {
        var session = await _store.CreateSessionAsync("ada");
        await AppendConversationAsync(session.Id, turns: 30, seed: 6);
        var hanging = new HangingSummarizer(_time);
        using var cts = new CancellationTokenSource();

        var build = Builder(hanging).BuildAsync(session.Id, new ContextRequest { TokenBudget = 1200 }, cts.Token);
        await hanging.Entered.Task;
        await cts.CancelAsync();

        Assert.That(async () => await build, Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task SummarizeAheadOfTime_MakesTheSummariesTheNextBuildNeeds()
    {
        var session = await _store.CreateSessionAsync("ada");
        await AppendConversationAsync(session.Id, turns: 40, seed: 8);
        var summarizer = new CountingSummarizer(new ExtractiveSummarizer(Counter));
        var builder = Builder(summarizer, new ContextOptions { MaxSummarizationsPerBuild = 100 });

        int created = await builder.SummarizeAsync(session.Id, 1500);
        var window = await builder.BuildAsync(session.Id, new ContextRequest { TokenBudget = 1500 });

        Assert.That(created, Is.GreaterThan(0));
        Assert.That(summarizer.Calls, Is.EqualTo(created), "the build found everything ready and made no summarizer call");
        Assert.That(window.SummariesCreated, Is.Zero);
        Assert.That(window.Items.Any(i => i.Kind == ContextItemKind.Summary));
        AssertWithinBudgetByRecount(window);
    }

    [Test]
    public async Task SummarizeWithoutABudget_PreparesForTheDefaultBudget()
    {
        var session = await _store.CreateSessionAsync("ada");
        await AppendConversationAsync(session.Id, turns: 40, seed: 15);
        var options = new ContextOptions { DefaultTokenBudget = 1500, MaxSummarizationsPerBuild = 100 };
        var summarizer = new CountingSummarizer(new ExtractiveSummarizer(Counter));

        int created = await Builder(summarizer, options).SummarizeAsync(session.Id);
        var window = await Builder(summarizer, options).BuildAsync(session.Id, new ContextRequest { TokenBudget = 1500 });

        Assert.That(created, Is.GreaterThan(0));
        Assert.That(window.SummariesCreated, Is.Zero, "the default-budget preparation is what a build at that budget needs");
        Assert.That(summarizer.Calls, Is.EqualTo(created));
    }

    [Test]
    public async Task WithoutInlineSummarization_OlderMessagesAreReportedAsOmitted()
    {
        var session = await _store.CreateSessionAsync("ada");
        await AppendConversationAsync(session.Id, turns: 30, seed: 9);

        var window = await Builder().BuildAsync(session.Id, new ContextRequest { TokenBudget = 800, SummarizeInline = false, RecallNewestUserMessage = false });

        Assert.That(window.Items.All(i => i.Kind == ContextItemKind.Message));
        Assert.That(window.OmittedRanges, Has.Count.EqualTo(1));
        Assert.That(window.OmittedRanges[0].From, Is.EqualTo(1));
        Assert.That(window.OmittedRanges[0].To, Is.EqualTo(window.Items[0].Sequences.From - 1));
        Assert.That(window.OmittedMessageCount + window.Items.Count, Is.EqualTo(60));
        AssertWithinBudgetByRecount(window);
    }

    [Test]
    public async Task BuildCost_GrowsWithTheBudget_NotWithTheHistory()
    {
        var small = await _store.CreateSessionAsync("ada");
        var large = await _store.CreateSessionAsync("ada");
        await AppendConversationAsync(small.Id, turns: 100, seed: 10);
        await AppendConversationAsync(large.Id, turns: 1000, seed: 10);
        await Builder(options: new ContextOptions { MaxSummarizationsPerBuild = 1000 }).SummarizeAsync(small.Id, 2000);
        await Builder(options: new ContextOptions { MaxSummarizationsPerBuild = 1000 }).SummarizeAsync(large.Id, 2000);

        var countingSmall = new ReadCountingStore(_store);
        var countingLarge = new ReadCountingStore(_store);
        await Builder(store: countingSmall).BuildAsync(small.Id, new ContextRequest { TokenBudget = 2000 });
        await Builder(store: countingLarge).BuildAsync(large.Id, new ContextRequest { TokenBudget = 2000 });

        Assert.That(countingLarge.MessagesRead, Is.LessThanOrEqualTo(countingSmall.MessagesRead + 64), "a 10x longer history reads about as many messages");
        Assert.That(countingLarge.MessagesRead, Is.LessThan(200));
        Assert.That(countingLarge.SummariesRead, Is.LessThan(100));
    }

    [Test]
    public async Task ABuilderWithAnotherEncoding_RecountsCachedCounts()
    {
        var session = await _store.CreateSessionAsync("ada");
        await AppendConversationAsync(session.Id, turns: 5, seed: 11);
        var cl100k = SharpTokenCounter.ForEncoding(SharpTokenCounter.Cl100kBase);

        var window = await Builder(counter: cl100k).BuildAsync(session.Id, new ContextRequest { TokenBudget = 2000 });

        Assert.That(window.TokenEncoding, Is.EqualTo(SharpTokenCounter.Cl100kBase));
        AssertWithinBudgetByRecount(window, cl100k);
    }

    [Test]
    public async Task Query_RecallsTheOriginalOlderSentenceVerbatim_WithItsTimeAndSequence()
    {
        var session = await _store.CreateSessionAsync("ada");
        const string Answer = "The carbon cycle is the process by which carbon moves between the atmosphere, the oceans, the land and living things.";
        await _store.AppendMessagesAsync(session.Id, [NewMessage.User("What is the carbon cycle?"), NewMessage.Assistant(Answer)]);
        var original = (await _store.GetLastMessagesAsync(session.Id, 1))[0];
        await AppendConversationAsync(session.Id, turns: 40, seed: 13);
        await _store.AppendMessageAsync(session.Id, NewMessage.User("What did you say about the carbon cycle?"));

        var window = await Builder(options: new ContextOptions { MaxSummarizationsPerBuild = 100 })
            .BuildAsync(session.Id, new ContextRequest { TokenBudget = 1200, Query = "What did you say about the carbon cycle?" });

        var recalled = window.Items.Where(i => i.Kind == ContextItemKind.Recalled).ToList();
        Assert.That(recalled.Select(i => i.Content), Does.Contain(Answer));
        var item = recalled.First(i => i.Content == Answer);
        Assert.That(item.Sequences.From, Is.EqualTo(2));
        Assert.That(item.CreatedAt, Is.EqualTo(original.CreatedAt));
        Assert.That(item.Role, Is.EqualTo(MessageRole.Assistant));
        Assert.That(recalled.Sum(i => i.TokenCount), Is.LessThanOrEqualTo((int)(1200 * new ContextOptions().RecallShare)));
        AssertWithinBudgetByRecount(window);
        AssertChronological(window);
    }

    [Test]
    public async Task Recall_NeverDuplicatesRecentMessages_NorSplitsToolCalls()
    {
        var session = await _store.CreateSessionAsync("ada");
        await _store.AppendMessagesAsync(session.Id,
        [
            NewMessage.User("Find methane data."),
            NewMessage.ToolCall("m1", "search", "{\"q\":\"methane\"}"),
            NewMessage.ToolResult("m1", "Methane concentration rose to 1900 ppb."),
            NewMessage.Assistant("Methane is about 1900 ppb now."),
        ]);
        await AppendConversationAsync(session.Id, turns: 30, seed: 14);
        await _store.AppendMessagesAsync(session.Id, [NewMessage.Assistant("Methane traps more heat than CO2 per molecule."), NewMessage.User("Tell me about methane again.")]);

        var window = await Builder(options: new ContextOptions { MaxSummarizationsPerBuild = 100 })
            .BuildAsync(session.Id, new ContextRequest { TokenBudget = 1200, Query = "methane" });

        var recalled = window.Items.Where(i => i.Kind == ContextItemKind.Recalled).ToList();
        Assert.That(recalled.Select(i => i.Content), Does.Contain("Methane is about 1900 ppb now."));
        Assert.That(recalled.Any(i => i.Role == MessageRole.Tool || i.ToolCallId is not null), Is.False, "half of a tool call is never recalled");
        var recent = window.Items.Where(i => i.Kind == ContextItemKind.Message).Select(i => i.Sequences.From).ToHashSet();
        Assert.That(recalled.Any(i => recent.Contains(i.Sequences.From)), Is.False, "a recent message is not recalled again");
        AssertWithinBudgetByRecount(window);
        AssertChronological(window);
    }

    [Test]
    public async Task ANewSessionAfterAGap_RecallsFromTheSessionItContinues()
    {
        var earlier = await _store.CreateSessionAsync("ada");
        const string Answer = "The carbon cycle is the process by which carbon moves between the atmosphere, the oceans, the land and living things.";
        await _store.AppendMessagesAsync(earlier.Id, [NewMessage.User("What is the carbon cycle?"), NewMessage.Assistant(Answer)]);
        await AppendConversationAsync(earlier.Id, turns: 20, seed: 31);
        var unrelated = await _store.CreateSessionAsync("ada");
        await _store.AppendMessagesAsync(unrelated.Id, [NewMessage.Assistant("The carbon cycle also appears in this unlinked session about carbon.")]);
        _time.Advance(TimeSpan.FromDays(10));
        var later = await _store.CreateSessionAsync("ada", new SessionCreateOptions { ContinuesFromSessionId = earlier.Id });
        await _store.AppendMessageAsync(later.Id, NewMessage.User("What did you say about the carbon cycle?"));
        var request = new ContextRequest { TokenBudget = 1200, Query = "What did you say about the carbon cycle?" };

        var window = await Builder().BuildAsync(later.Id, request);
        var unlinked = await Builder(options: new ContextOptions { MaxLinkedSessions = 0 }).BuildAsync(later.Id, request);

        var recalled = window.Items.Where(i => i.Kind == ContextItemKind.Recalled).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(recalled.Select(i => i.Content), Does.Contain(Answer));
            Assert.That(recalled.First(i => i.Content == Answer).SourceSessionId, Is.EqualTo(earlier.Id));
            Assert.That(recalled.Any(i => i.SourceSessionId == unrelated.Id), Is.False, "only the linked chain is searched with RecallScope.Session");
            Assert.That(unlinked.Items.Any(i => i.Kind == ContextItemKind.Recalled), Is.False, "MaxLinkedSessions = 0 turns following the link off");
        }

        AssertWithinBudgetByRecount(window);
    }

    [Test]
    public async Task ANewSessionAfterAGap_CarriesOverTheSummariesOfTheSessionItContinues()
    {
        var first = await _store.CreateSessionAsync("ada");
        await AppendConversationAsync(first.Id, turns: 20, seed: 32);
        var options = new ContextOptions { MaxSummarizationsPerBuild = 100 };
        await Builder(options: options).SummarizeAsync(first.Id, 800);
        var firstSummaries = await _store.GetSummariesAsync(first.Id);
        var second = await _store.CreateSessionAsync("ada", new SessionCreateOptions { ContinuesFromSessionId = first.Id });
        await AppendConversationAsync(second.Id, turns: 20, seed: 33);
        await Builder(options: options).SummarizeAsync(second.Id, 800);
        var third = await _store.CreateSessionAsync("ada", new SessionCreateOptions { ContinuesFromSessionId = second.Id });
        await _store.AppendMessageAsync(third.Id, NewMessage.User("Where were we?"));

        var window = await Builder(options: options).BuildAsync(third.Id, new ContextRequest { TokenBudget = 3000 });

        var carried = window.Items.Where(i => i.Kind == ContextItemKind.Summary && i.SourceSessionId is not null).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(firstSummaries, Is.Not.Empty);
            Assert.That(carried.Select(i => i.SourceSessionId).Distinct(), Is.EqualTo(new[] { first.Id, second.Id }), "the chain is followed, older session first");
            Assert.That(carried.Where(i => i.SourceSessionId == first.Id).Select(i => i.Content), Is.SubsetOf(firstSummaries.Select(s => s.Content)));
            Assert.That(window.Items[^1].Content, Is.EqualTo("Where were we?"));
            Assert.That(window.OmittedRanges, Is.Empty, "carried summaries are not this session's ranges");
        }

        var firstRanges = carried.Where(i => i.SourceSessionId == first.Id).Select(i => i.Sequences.From).ToList();
        Assert.That(firstRanges, Is.Ordered);
        AssertWithinBudgetByRecount(window);
    }

    [Test]
    public async Task ALinkToADeletedSession_IsIgnored()
    {
        var first = await _store.CreateSessionAsync("ada");
        await _store.AppendMessageAsync(first.Id, NewMessage.Assistant("The carbon cycle moves carbon."));
        var second = await _store.CreateSessionAsync("ada", new SessionCreateOptions { ContinuesFromSessionId = first.Id });
        await _store.AppendMessageAsync(second.Id, NewMessage.User("carbon cycle?"));
        await _store.DeleteSessionAsync(first.Id);

        var window = await Builder().BuildAsync(second.Id, new ContextRequest { TokenBudget = 800, Query = "carbon cycle" });

        Assert.That(window.Items.Where(i => i.Kind != ContextItemKind.Message), Is.Empty);
    }

    [Test]
    public async Task RecallAcrossTheUsersSessions_FindsOtherSessions_ButNeverOtherUsers()
    {
        var earlier = await _store.CreateSessionAsync("ada");
        await _store.AppendMessagesAsync(earlier.Id, [NewMessage.User("Permafrost?"), NewMessage.Assistant("Thawing permafrost releases stored carbon as methane.")]);
        var stranger = await _store.CreateSessionAsync("eve");
        await _store.AppendMessagesAsync(stranger.Id, [NewMessage.Assistant("Eve's secret note about permafrost thawing.")]);
        var current = await _store.CreateSessionAsync("ada");
        await _store.AppendMessageAsync(current.Id, NewMessage.User("Remind me about permafrost thawing."));

        var window = await Builder(options: new ContextOptions { RecallScope = RecallScope.User })
            .BuildAsync(current.Id, new ContextRequest { TokenBudget = 1000, Query = "permafrost thawing" });

        var recalled = window.Items.Where(i => i.Kind == ContextItemKind.Recalled).ToList();
        Assert.That(recalled.Select(i => i.Content), Does.Contain("Thawing permafrost releases stored carbon as methane."));
        Assert.That(recalled.Select(i => i.SourceSessionId), Is.All.EqualTo(earlier.Id), "recalled from ada's earlier session only");
        Assert.That(window.Items.Any(i => i.Content.Contains("Eve", StringComparison.Ordinal)), Is.False);
        Assert.That(window.OmittedRanges, Is.Empty, "another session's messages do not count against this session's coverage");
        AssertWithinBudgetByRecount(window);
    }

    [Test]
    public void BadRequests_AreRejected()
    {
        var builder = Builder();
        Assert.ThrowsAsync<ArgumentNullException>(() => builder.BuildAsync(Guid.CreateVersion7(), null!));
        Assert.ThrowsAsync<ArgumentException>(() => builder.BuildAsync(Guid.Empty, new ContextRequest { TokenBudget = 100 }));
        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => builder.BuildAsync(Guid.CreateVersion7(), new ContextRequest { TokenBudget = 0 }));
        Assert.ThrowsAsync<SessionNotFoundException>(() => builder.BuildAsync(Guid.CreateVersion7(), new ContextRequest { TokenBudget = 100 }));
        var invalid = Assert.Throws<ArgumentException>(() => _ = new ContextBuilder(_store, Counter, new ExtractiveSummarizer(Counter), new ContextOptions { SummaryShare = 0.8, RecallShare = 0.3 }));
        Assert.That(invalid!.Message, Does.Contain("ContextOptions.SummaryShare"));
        var negative = Assert.Throws<ArgumentException>(() => _ = new ContextBuilder(_store, Counter, new ExtractiveSummarizer(Counter), new ContextOptions { CacheStableRecallTokens = -1 }));
        Assert.That(negative!.Message, Does.Contain("ContextOptions.CacheStableRecallTokens must not be negative"));
    }

    private async Task AppendConversationAsync(Guid sessionId, int turns, int seed)
    {
        var random = new Random(seed);
        for (int t = 0; t < turns; t++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            await _store.AppendMessagesAsync(sessionId, [NewMessage.User(Conversation.Sentence(random, 14) + "?"), NewMessage.Assistant(Conversation.Paragraph(random, 3))]);
        }
    }

    /// <summary>Recounts every item with the tokenizer, independently of the builder, and checks the total and the budget.</summary>
    private static void AssertWithinBudgetByRecount(ContextWindow window, SharpTokenCounter? counter = null)
    {
        counter ??= Counter;
        int total = counter.RequestOverhead;
        foreach (var item in window.Items)
        {
            int tokens = item.Kind is ContextItemKind.SystemPrompt or ContextItemKind.Summary
                ? counter.CountMessageTokens(MessageRole.System, item.Content)
                : counter.CountMessageTokens(item.Role, item.Content, item.AuthorId)
                    + (item.ToolCallId is null ? 0 : counter.CountTokens(item.ToolCallId))
                    + (item.ToolName is null ? 0 : counter.CountTokens(item.ToolName));
            Assert.That(item.TokenCount, Is.EqualTo(tokens), $"item {item.Kind} {item.Sequences} is counted honestly");
            total += tokens;
        }

        Assert.That(window.TotalTokens, Is.EqualTo(total));
        Assert.That(window.TotalTokens, Is.LessThanOrEqualTo(window.TokenBudget));
    }

    private static void AssertToolPairsWhole(ContextWindow window)
    {
        var messages = window.Items.Where(i => i.Kind == ContextItemKind.Message).ToList();
        foreach (var result in messages.Where(i => i.Role == MessageRole.Tool))
        {
            Assert.That(messages.Any(i => i.Role == MessageRole.Assistant && i.ToolCallId == result.ToolCallId && i.Sequences.From < result.Sequences.From),
                $"the call of tool result {result.Sequences} is in the window");
        }
    }

    /// <summary>Summaries and recent messages are in order and do not overlap; recalled messages are in order, before the recent messages and not among them.</summary>
    private static void AssertChronological(ContextWindow window)
    {
        var ranges = window.Items.Where(i => i.Kind is ContextItemKind.Summary or ContextItemKind.Message).Select(i => i.Sequences).ToList();
        for (int i = 1; i < ranges.Count; i++)
        {
            Assert.That(ranges[i].From, Is.GreaterThan(ranges[i - 1].To), "items are in order and do not overlap");
        }

        var recalled = window.Items.Where(i => i.Kind == ContextItemKind.Recalled && i.SourceSessionId is null).Select(i => i.Sequences.From).ToList();
        Assert.That(recalled, Is.Ordered);
        var firstRecent = window.Items.FirstOrDefault(i => i.Kind == ContextItemKind.Message)?.Sequences.From ?? long.MaxValue;
        Assert.That(recalled, Is.All.LessThan(firstRecent), "recalled messages are older than the recent window");
        Assert.That(recalled.Distinct().Count(), Is.EqualTo(recalled.Count), "no message is recalled twice");
    }

    private sealed class CountingSummarizer(ISummarizer inner) : ISummarizer
    {
        private int _calls;

        public int Calls => _calls;

        public string Id => inner.Id;

        public Task<SummarizationResult> SummarizeAsync(SummarizationRequest request, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            return inner.SummarizeAsync(request, cancellationToken);
        }
    }

    private sealed class FailingSummarizer : ISummarizer
    {
        public string Id => "failing/1";

        public Task<SummarizationResult> SummarizeAsync(SummarizationRequest request, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("The model is unavailable.");
    }

    private sealed class HangingSummarizer(TimeProvider time) : ISummarizer
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Id => "hanging/1";

        public async Task<SummarizationResult> SummarizeAsync(SummarizationRequest request, CancellationToken cancellationToken = default)
        {
            Entered.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, time, cancellationToken);
            return new SummarizationResult("never");
        }
    }
}
