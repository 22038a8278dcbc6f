using NUnit.Framework;
using SessionKit.Storage;

namespace SessionKit.Testing;

// Summaries: stored idempotently per (level, first sequence), read with filters, invalidated from a sequence on, and
// derived data only: they never change the session's version and go with the session.
public abstract partial class SessionStoreConformanceTests
{
    private const string TestSummarizerId = "conformance-summarizer";

    /// <summary>A summary of [<paramref name="from"/>, <paramref name="to"/>] with a text that names its range.</summary>
    private static NewSummary Summary(long from, long to, int level = 1, string? text = null, string summarizerId = TestSummarizerId) =>
        new(from, to, level, text ?? $"Level {level} summary of messages {from} to {to}.", summarizerId);

    private static string Describe(SessionSummary summary) => $"L{summary.Level}:{summary.FromSequence}-{summary.ToSequence}";

    private static string[] Describe(IEnumerable<SessionSummary> summaries) => summaries.Select(Describe).ToArray();

    private async Task<Session> CreateSessionWithMessagesAsync(int count, string userId = "alice")
    {
        var session = await CreateSessionAsync(userId);
        await AppendNumberedAsync(session.Id, count);
        return session;
    }

    /// <summary>
    /// A session of 20 messages with seven summaries, saved out of order: level 1 over [1,4], [5,8], [9,12], [13,16];
    /// level 2 over [1,8], [9,16]; level 3 over [1,16].
    /// </summary>
    private async Task<Session> CreateSummaryPyramidAsync()
    {
        var session = await CreateSessionWithMessagesAsync(20);
        NewSummary[] summaries =
        [
            Summary(9, 16, level: 2),
            Summary(1, 4),
            Summary(13, 16),
            Summary(1, 16, level: 3),
            Summary(5, 8),
            Summary(1, 8, level: 2),
            Summary(9, 12),
        ];
        foreach (var summary in summaries)
        {
            Time.Advance(TimeSpan.FromSeconds(1));
            await Store.SaveSummaryAsync(session.Id, summary);
        }

        return session;
    }

    private async Task<string[]> AllSummariesOldestFirstAsync(Guid sessionId) =>
        Describe(await Store.GetSummariesAsync(sessionId, new SummaryQuery { NewestFirst = false, Limit = SummaryQuery.MaxLimit }));

    [Test]
    public async Task SaveSummary_ReturnsTheStoredSummary_WithIdTimeTokenCountAndSummarizer()
    {
        var session = await CreateSessionWithMessagesAsync(6);
        Time.Advance(TimeSpan.FromMinutes(5));
        const string text = "The user asked about the carbon cycle; the assistant explained the ocean's role as a sink.";

        var saved = await Store.SaveSummaryAsync(session.Id, new NewSummary(2, 5, 1, text, "extractive-v1"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(saved.Id, Is.Not.EqualTo(Guid.Empty));
            Assert.That(saved.Id.Version, Is.EqualTo(7));
            Assert.That(saved.SessionId, Is.EqualTo(session.Id));
            Assert.That(saved.FromSequence, Is.EqualTo(2));
            Assert.That(saved.ToSequence, Is.EqualTo(5));
            Assert.That(saved.Level, Is.EqualTo(1));
            Assert.That(saved.Content, Is.EqualTo(text));
            Assert.That(saved.SummarizerId, Is.EqualTo("extractive-v1"));
            Assert.That(saved.CreatedAt, Is.EqualTo(StartTime.AddMinutes(5)));
            Assert.That(saved.CreatedAt.Offset, Is.EqualTo(TimeSpan.Zero));
            Assert.That(saved.TokenEncoding, Is.EqualTo(DefaultEncoding));
            Assert.That(saved.TokenCount, Is.EqualTo(TokenCounting.CountSummary(DefaultCounter, text)));

            // Sent as a system message: 3 framing tokens and 1 for the role on top of the text.
            Assert.That(saved.TokenCount, Is.EqualTo(DefaultCounter.CountTokens(text) + 4));
        }
    }

    [Test]
    public async Task SaveSummary_CanBeReadBack_FieldForField()
    {
        var session = await CreateSessionWithMessagesAsync(6);
        Time.Advance(TimeSpan.FromSeconds(42));

        var saved = await Store.SaveSummaryAsync(session.Id, Summary(1, 6));
        var read = await Store.GetSummariesAsync(session.Id);

        Assert.That(read, Is.EqualTo(new[] { saved }));
    }

    [Test]
    public async Task SaveSummary_KeepsTheTextExactly()
    {
        var session = await CreateSessionWithMessagesAsync(3);
        const string text = "Résumé — 用户询问了天气 🌧️; \"quoted\" 'text', tabs\tand\r\nnewlines, e\u0301 (decomposed), \u200Bzero-width.";

        await Store.SaveSummaryAsync(session.Id, Summary(1, 3, text: text));
        var read = (await Store.GetSummariesAsync(session.Id)).Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(string.Equals(read.Content, text, StringComparison.Ordinal), Is.True, "ordinal equality");
            Assert.That(read.TokenCount, Is.EqualTo(TokenCounting.CountSummary(DefaultCounter, text)));
        }
    }

    [Test]
    public async Task GetSummaries_OfASessionWithoutSummaries_IsEmpty()
    {
        var session = await CreateSessionWithMessagesAsync(3);
        var empty = await CreateSessionAsync("bob");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Store.GetSummariesAsync(session.Id), Is.Empty);
            Assert.That(await Store.GetSummariesAsync(empty.Id), Is.Empty);
        }
    }

    private static IEnumerable<TestCaseData> SummaryQueryCases()
    {
        static TestCaseData Case(string name, SummaryQuery query, params string[] expected) =>
            new TestCaseData(query, expected).SetArgDisplayNames(name);

        yield return Case("Default_NewestFirstTiesByHigherLevel", new SummaryQuery(), "L3:1-16", "L2:9-16", "L1:13-16", "L1:9-12", "L2:1-8", "L1:5-8", "L1:1-4");
        yield return Case("OldestFirst_TiesByLowerLevel", new SummaryQuery { NewestFirst = false }, "L1:1-4", "L1:5-8", "L2:1-8", "L1:9-12", "L1:13-16", "L2:9-16", "L3:1-16");
        yield return Case("Level1", new SummaryQuery { Level = 1 }, "L1:13-16", "L1:9-12", "L1:5-8", "L1:1-4");
        yield return Case("Level2_OldestFirst", new SummaryQuery { Level = 2, NewestFirst = false }, "L2:1-8", "L2:9-16");
        yield return Case("LevelWithoutSummaries", new SummaryQuery { Level = 4 });
        yield return Case("ToSequenceAtMost_IsInclusive", new SummaryQuery { ToSequenceAtMost = 12 }, "L1:9-12", "L2:1-8", "L1:5-8", "L1:1-4");
        yield return Case("ToSequenceAtMost_JustBelowAnEnd", new SummaryQuery { ToSequenceAtMost = 11 }, "L2:1-8", "L1:5-8", "L1:1-4");
        yield return Case("ToSequenceAtMost_BelowEveryEnd", new SummaryQuery { ToSequenceAtMost = 3 });
        yield return Case("FromSequenceAfter_IsExclusive", new SummaryQuery { FromSequenceAfter = 9 }, "L1:13-16");
        yield return Case("FromSequenceAfter_JustBelowAStart", new SummaryQuery { FromSequenceAfter = 8 }, "L2:9-16", "L1:13-16", "L1:9-12");
        yield return Case("FromSequenceAfter_InsideARange_ExcludesIt", new SummaryQuery { FromSequenceAfter = 6 }, "L2:9-16", "L1:13-16", "L1:9-12");
        yield return Case("FromSequenceAfter_Zero", new SummaryQuery { FromSequenceAfter = 0, NewestFirst = false }, "L1:1-4", "L1:5-8", "L2:1-8", "L1:9-12", "L1:13-16", "L2:9-16", "L3:1-16");
        yield return Case("AllFilters", new SummaryQuery { Level = 1, ToSequenceAtMost = 12, FromSequenceAfter = 4 }, "L1:9-12", "L1:5-8");
        yield return Case("AllFilters_OldestFirst", new SummaryQuery { Level = 1, ToSequenceAtMost = 12, FromSequenceAfter = 4, NewestFirst = false }, "L1:5-8", "L1:9-12");
        yield return Case("DisjointBounds", new SummaryQuery { ToSequenceAtMost = 8, FromSequenceAfter = 8 });
        yield return Case("Limit_TakesTheNewest", new SummaryQuery { Limit = 2 }, "L3:1-16", "L2:9-16");
        yield return Case("Limit_OldestFirst_TakesTheOldest", new SummaryQuery { Limit = 2, NewestFirst = false }, "L1:1-4", "L1:5-8");
        yield return Case("Limit_WithLevel", new SummaryQuery { Level = 1, Limit = 3, NewestFirst = false }, "L1:1-4", "L1:5-8", "L1:9-12");
        yield return Case("Limit_AppliesAfterFilters", new SummaryQuery { FromSequenceAfter = 4, Limit = 3 }, "L2:9-16", "L1:13-16", "L1:9-12");
        yield return Case("Limit1_BelowABound", new SummaryQuery { ToSequenceAtMost = 15, Limit = 1 }, "L1:9-12");
        yield return Case("Limit_Maximum", new SummaryQuery { Limit = SummaryQuery.MaxLimit, Level = 2 }, "L2:9-16", "L2:1-8");
    }

    [TestCaseSource(nameof(SummaryQueryCases))]
    public async Task GetSummaries_FiltersOrdersAndLimits(SummaryQuery query, string[] expected)
    {
        var session = await CreateSummaryPyramidAsync();

        var summaries = await Store.GetSummariesAsync(session.Id, query);

        Assert.That(Describe(summaries), Is.EqualTo(expected));
    }

    [Test]
    public async Task GetSummaries_FromSequenceAfter_SkipsOverlappingRangesWithoutSpendingTheLimit()
    {
        var session = await CreateSessionWithMessagesAsync(12);
        await Store.SaveSummaryAsync(session.Id, Summary(1, 12));
        await Store.SaveSummaryAsync(session.Id, Summary(5, 6));
        await Store.SaveSummaryAsync(session.Id, Summary(3, 10));
        await Store.SaveSummaryAsync(session.Id, Summary(7, 8));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Describe(await Store.GetSummariesAsync(session.Id, new SummaryQuery { FromSequenceAfter = 4 })), Is.EqualTo(new[] { "L1:7-8", "L1:5-6" }));
            Assert.That(Describe(await Store.GetSummariesAsync(session.Id, new SummaryQuery { FromSequenceAfter = 4, Limit = 1 })), Is.EqualTo(new[] { "L1:7-8" }));
            Assert.That(
                Describe(await Store.GetSummariesAsync(session.Id, new SummaryQuery { FromSequenceAfter = 4, Limit = 1, NewestFirst = false })),
                Is.EqualTo(new[] { "L1:5-6" }));
            Assert.That(Describe(await Store.GetSummariesAsync(session.Id, new SummaryQuery { ToSequenceAtMost = 10, FromSequenceAfter = 2 })), Is.EqualTo(new[] { "L1:3-10", "L1:7-8", "L1:5-6" }));
        }
    }

    [Test]
    public async Task GetSummaries_WithoutQuery_ReturnsTheNewest100()
    {
        const int count = 105;
        var session = await CreateSessionWithMessagesAsync(count);
        for (int i = 1; i <= count; i++)
        {
            await Store.SaveSummaryAsync(session.Id, Summary(i, i));
        }

        var summaries = await Store.GetSummariesAsync(session.Id);

        Assert.That(summaries.Select(s => s.ToSequence), Is.EqualTo(Enumerable.Range(6, 100).Reverse().Select(i => (long)i)));
    }

    [Test]
    public async Task SaveSummary_ForAnExistingLevelAndStart_ReturnsTheExistingOne_AndStoresNothing()
    {
        var session = await CreateSessionWithMessagesAsync(10);
        Time.Advance(TimeSpan.FromMinutes(1));
        var first = await Store.SaveSummaryAsync(session.Id, Summary(1, 4, text: "the first text", summarizerId: "first"));
        Time.Advance(TimeSpan.FromMinutes(1));

        var sameRange = await Store.SaveSummaryAsync(session.Id, Summary(1, 4, text: "a different text", summarizerId: "second"));
        var longerRange = await Store.SaveSummaryAsync(session.Id, Summary(1, 9, text: "a longer range"));
        var stored = await Store.GetSummariesAsync(session.Id);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(sameRange, Is.EqualTo(first));
            Assert.That(longerRange, Is.EqualTo(first));
            Assert.That(first.Content, Is.EqualTo("the first text"));
            Assert.That(first.CreatedAt, Is.EqualTo(StartTime.AddMinutes(1)));
            Assert.That(stored, Is.EqualTo(new[] { first }));
        }
    }

    [Test]
    public async Task SaveSummary_AtDifferentLevels_MayShareAFirstSequence()
    {
        var session = await CreateSessionWithMessagesAsync(16);

        var one = await Store.SaveSummaryAsync(session.Id, Summary(1, 4, level: 1));
        var two = await Store.SaveSummaryAsync(session.Id, Summary(1, 8, level: 2));
        var three = await Store.SaveSummaryAsync(session.Id, Summary(1, 16, level: 3));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(new[] { one.Id, two.Id, three.Id }, Is.Unique);
            Assert.That(new[] { one.Level, two.Level, three.Level }, Is.EqualTo(new[] { 1, 2, 3 }));
            Assert.That(Describe(await Store.GetSummariesAsync(session.Id)), Is.EqualTo(new[] { "L3:1-16", "L2:1-8", "L1:1-4" }));
        }
    }

    [Test]
    public async Task SaveSummary_AtTheSameLevel_WithDifferentStarts_StoresBoth()
    {
        var session = await CreateSessionWithMessagesAsync(8);

        var first = await Store.SaveSummaryAsync(session.Id, Summary(1, 8));
        var second = await Store.SaveSummaryAsync(session.Id, Summary(2, 8));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(second.Id, Is.Not.EqualTo(first.Id));
            Assert.That(await AllSummariesOldestFirstAsync(session.Id), Is.EquivalentTo(new[] { "L1:1-8", "L1:2-8" }));
        }
    }

    private static IEnumerable<TestCaseData> InvalidSummaryCases()
    {
        static TestCaseData Case(string name, NewSummary summary) => new TestCaseData(summary).SetArgDisplayNames(name);

        yield return Case("FromZero", Summary(0, 4));
        yield return Case("FromNegative", Summary(-1, 4));
        yield return Case("ToBeforeFrom", Summary(5, 4));
        yield return Case("LevelZero", Summary(1, 4, level: 0));
        yield return Case("LevelNegative", Summary(1, 4, level: -1));
        yield return Case("TextNull", new NewSummary(1, 4, 1, null!, TestSummarizerId));
        yield return Case("TextEmpty", Summary(1, 4, text: string.Empty));
        yield return Case("TextWhitespace", Summary(1, 4, text: " \t\r\n "));
        yield return Case("TextUnpairedSurrogate", Summary(1, 4, text: "broken \uD800 text"));
        yield return Case("SummarizerIdNull", Summary(1, 4, summarizerId: null!));
        yield return Case("SummarizerIdEmpty", Summary(1, 4, summarizerId: string.Empty));
        yield return Case("SummarizerIdWhitespace", Summary(1, 4, summarizerId: "   "));
    }

    [TestCaseSource(nameof(InvalidSummaryCases))]
    public async Task SaveSummary_WithInvalidSummary_ThrowsArgumentException_AndStoresNothing(NewSummary summary)
    {
        var session = await CreateSessionWithMessagesAsync(10);

        var ex = Assert.CatchAsync<ArgumentException>(() => Store.SaveSummaryAsync(session.Id, summary));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex?.ParamName, Is.EqualTo("summary"));
            Assert.That(await Store.GetSummariesAsync(session.Id), Is.Empty);
        }
    }

    [Test]
    public async Task SaveSummary_WithNullSummary_ThrowsArgumentNullException()
    {
        var session = await CreateSessionWithMessagesAsync(1);

        var ex = Assert.ThrowsAsync<ArgumentNullException>(() => Store.SaveSummaryAsync(session.Id, null!));

        Assert.That(ex?.ParamName, Is.EqualTo("summary"));
    }

    [Test]
    public async Task SaveSummary_WithTextOverTheContentLimit_ThrowsArgumentException_AndStoresNothing()
    {
        var session = await CreateSessionWithMessagesAsync(4);

        var ex = Assert.CatchAsync<ArgumentException>(() => Store.SaveSummaryAsync(session.Id, Summary(1, 4, text: new string('s', Limits.MaxContentLength + 1))));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex?.ParamName, Is.EqualTo("summary"));
            Assert.That(await Store.GetSummariesAsync(session.Id), Is.Empty);
        }
    }

    [Test]
    public async Task SaveSummary_WithTextAtTheContentLimit_IsStoredAndCounted()
    {
        var session = await CreateSessionWithMessagesAsync(4);
        string text = string.Concat(Enumerable.Repeat("summary ", (Limits.MaxContentLength / 8) + 1))[..Limits.MaxContentLength];

        var saved = await Store.SaveSummaryAsync(session.Id, Summary(1, 4, text: text));
        var read = (await Store.GetSummariesAsync(session.Id)).Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(read.Content, Is.EqualTo(text));
            Assert.That(read.Content, Has.Length.EqualTo(Limits.MaxContentLength));
            Assert.That(saved.TokenCount, Is.EqualTo(TokenCounting.CountSummary(DefaultCounter, text)));
            Assert.That(read.TokenCount, Is.EqualTo(saved.TokenCount));
        }
    }

    [Test]
    public async Task SaveSummary_WithSummarizerIdOverTheIdLimit_ThrowsArgumentException_AndStoresNothing()
    {
        var session = await CreateSessionWithMessagesAsync(4);

        var ex = Assert.CatchAsync<ArgumentException>(() => Store.SaveSummaryAsync(session.Id, Summary(1, 4, summarizerId: new string('z', Limits.MaxIdLength + 1))));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex?.ParamName, Is.EqualTo("summary"));
            Assert.That(await Store.GetSummariesAsync(session.Id), Is.Empty);
        }
    }

    [TestCase(1, 5)]
    [TestCase(4, 5)]
    [TestCase(5, 5)]
    [TestCase(5, 9)]
    [TestCase(1, long.MaxValue)]
    public async Task SaveSummary_EndingAfterTheLastMessage_ThrowsArgumentOutOfRange_AndStoresNothing(long from, long to)
    {
        var session = await CreateSessionWithMessagesAsync(4);

        var ex = Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.SaveSummaryAsync(session.Id, Summary(from, to)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex?.ParamName, Is.EqualTo("summary"));
            Assert.That(await Store.GetSummariesAsync(session.Id), Is.Empty);
        }
    }

    [Test]
    public async Task SaveSummary_OfASessionWithoutMessages_ThrowsArgumentOutOfRange()
    {
        var session = await CreateSessionAsync();

        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.SaveSummaryAsync(session.Id, Summary(1, 1)));
        Assert.That(await Store.GetSummariesAsync(session.Id), Is.Empty);
    }

    [Test]
    public async Task SaveSummary_EndingAtTheLastMessage_IsAccepted_AndLaterAppendsExtendTheRange()
    {
        var session = await CreateSessionWithMessagesAsync(4);

        var upToFour = await Store.SaveSummaryAsync(session.Id, Summary(1, 4));
        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.SaveSummaryAsync(session.Id, Summary(5, 6)));
        await AppendAsync(session.Id, "m5", "m6");
        var upToSix = await Store.SaveSummaryAsync(session.Id, Summary(5, 6));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Describe(upToFour), Is.EqualTo("L1:1-4"));
            Assert.That(Describe(upToSix), Is.EqualTo("L1:5-6"));
            Assert.That(await AllSummariesOldestFirstAsync(session.Id), Is.EqualTo(new[] { "L1:1-4", "L1:5-6" }), "appending keeps earlier summaries");
        }
    }

    [Test]
    public async Task SaveSummary_ForAnExistingStart_ButEndingAfterTheLastMessage_StillThrows()
    {
        var session = await CreateSessionWithMessagesAsync(4);
        var existing = await Store.SaveSummaryAsync(session.Id, Summary(1, 4));

        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.SaveSummaryAsync(session.Id, Summary(1, 5)));
        Assert.That(await Store.GetSummariesAsync(session.Id), Is.EqualTo(new[] { existing }));
    }

    private static IEnumerable<TestCaseData> InvalidSummaryQueryCases()
    {
        static TestCaseData Case(string name, SummaryQuery query) => new TestCaseData(query).SetArgDisplayNames(name);

        yield return Case("LimitZero", new SummaryQuery { Limit = 0 });
        yield return Case("LimitNegative", new SummaryQuery { Limit = -1 });
        yield return Case("LimitOverMax", new SummaryQuery { Limit = SummaryQuery.MaxLimit + 1 });
        yield return Case("LevelZero", new SummaryQuery { Level = 0 });
        yield return Case("LevelNegative", new SummaryQuery { Level = -3 });
    }

    [TestCaseSource(nameof(InvalidSummaryQueryCases))]
    public async Task GetSummaries_WithInvalidQuery_ThrowsArgumentException(SummaryQuery query)
    {
        var session = await CreateSummaryPyramidAsync();

        var ex = Assert.CatchAsync<ArgumentException>(() => Store.GetSummariesAsync(session.Id, query));

        Assert.That(ex?.ParamName, Is.EqualTo("query"));
    }

    [TestCase(0L)]
    [TestCase(-1L)]
    [TestCase(long.MinValue)]
    public async Task InvalidateSummaries_FromBeforeTheFirstSequence_ThrowsArgumentOutOfRange_AndDeletesNothing(long fromSequence)
    {
        var session = await CreateSummaryPyramidAsync();

        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.InvalidateSummariesAsync(session.Id, fromSequence));

        Assert.That(await Store.GetSummariesAsync(session.Id), Has.Count.EqualTo(7));
    }

    private static IEnumerable<TestCaseData> SummaryOperationCases()
    {
        static TestCaseData Case(string name, Func<ISessionStore, Guid, Task> run) => new TestCaseData(run).SetArgDisplayNames(name);

        yield return Case("SaveSummary", (s, id) => s.SaveSummaryAsync(id, Summary(1, 1)));
        yield return Case("GetSummaries", (s, id) => s.GetSummariesAsync(id));
        yield return Case("GetSummariesWithQuery", (s, id) => s.GetSummariesAsync(id, new SummaryQuery { Level = 1, NewestFirst = false }));
        yield return Case("InvalidateSummaries", (s, id) => s.InvalidateSummariesAsync(id, 1));
    }

    [TestCaseSource(nameof(SummaryOperationCases))]
    public void SummaryOperation_WithEmptySessionId_ThrowsArgumentException(Func<ISessionStore, Guid, Task> operation)
    {
        var ex = Assert.CatchAsync<ArgumentException>(() => operation(Store, Guid.Empty));

        Assert.That(ex?.ParamName, Is.EqualTo("sessionId"));
    }

    [TestCaseSource(nameof(SummaryOperationCases))]
    public async Task SummaryOperation_OnUnknownSession_ThrowsSessionNotFoundExceptionNamingIt(Func<ISessionStore, Guid, Task> operation)
    {
        await CreateSummaryPyramidAsync();
        var unknown = Guid.CreateVersion7();

        var ex = Assert.ThrowsAsync<SessionNotFoundException>(() => operation(Store, unknown));

        Assert.That(ex?.SessionId, Is.EqualTo(unknown));
    }

    [TestCaseSource(nameof(SummaryOperationCases))]
    public async Task SummaryOperation_AfterDispose_ThrowsObjectDisposedException(Func<ISessionStore, Guid, Task> operation)
    {
        var session = await CreateSessionWithMessagesAsync(2);

        await DisposeStoreAsync();

        Assert.ThrowsAsync<ObjectDisposedException>(() => operation(Store, session.Id));
    }

    [Test]
    public async Task SummaryOperations_WithCancelledToken_ThrowAndChangeNothing()
    {
        var session = await CreateSummaryPyramidAsync();
        var cancelled = CancelledToken();

        using (Assert.EnterMultipleScope())
        {
            Assert.CatchAsync<OperationCanceledException>(() => Store.SaveSummaryAsync(session.Id, Summary(17, 20), cancelled));
            Assert.CatchAsync<OperationCanceledException>(() => Store.GetSummariesAsync(session.Id, null, cancelled));
            Assert.CatchAsync<OperationCanceledException>(() => Store.InvalidateSummariesAsync(session.Id, 1, cancelled));
        }

        Assert.That(await Store.GetSummariesAsync(session.Id), Has.Count.EqualTo(7));
    }

    [TestCase(1L, 7, new string[0])]
    [TestCase(4L, 7, new string[0])]
    [TestCase(5L, 6, new[] { "L1:1-4" })]
    [TestCase(8L, 6, new[] { "L1:1-4" })]
    [TestCase(9L, 4, new[] { "L1:1-4", "L1:5-8", "L2:1-8" })]
    [TestCase(13L, 3, new[] { "L1:1-4", "L1:5-8", "L2:1-8", "L1:9-12" })]
    [TestCase(16L, 3, new[] { "L1:1-4", "L1:5-8", "L2:1-8", "L1:9-12" })]
    [TestCase(17L, 0, new[] { "L1:1-4", "L1:5-8", "L2:1-8", "L1:9-12", "L1:13-16", "L2:9-16", "L3:1-16" })]
    [TestCase(long.MaxValue, 0, new[] { "L1:1-4", "L1:5-8", "L2:1-8", "L1:9-12", "L1:13-16", "L2:9-16", "L3:1-16" })]
    public async Task InvalidateSummaries_DeletesExactlyThoseEndingAtOrAfterTheSequence_AtEveryLevel(long fromSequence, int expectedDeleted, string[] expectedRemaining)
    {
        var session = await CreateSummaryPyramidAsync();

        int deleted = await Store.InvalidateSummariesAsync(session.Id, fromSequence);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(deleted, Is.EqualTo(expectedDeleted));
            Assert.That(await AllSummariesOldestFirstAsync(session.Id), Is.EqualTo(expectedRemaining));
        }
    }

    [Test]
    public async Task InvalidateSummaries_WithNothingToDelete_ReturnsZero()
    {
        var withMessages = await CreateSessionWithMessagesAsync(5);
        var empty = await CreateSessionAsync("bob");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Store.InvalidateSummariesAsync(withMessages.Id, 1), Is.Zero);
            Assert.That(await Store.InvalidateSummariesAsync(empty.Id, 1), Is.Zero);
        }
    }

    [Test]
    public async Task InvalidateSummaries_IsRepeatable_AndFreesTheStartForANewSummary()
    {
        var session = await CreateSummaryPyramidAsync();
        var before = (await Store.GetSummariesAsync(session.Id, new SummaryQuery { Level = 1, ToSequenceAtMost = 12, Limit = 1 })).Single();

        int first = await Store.InvalidateSummariesAsync(session.Id, 9);
        int again = await Store.InvalidateSummariesAsync(session.Id, 9);
        Time.Advance(TimeSpan.FromMinutes(3));
        var rebuilt = await Store.SaveSummaryAsync(session.Id, Summary(9, 14, text: "rebuilt after an edit"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first, Is.EqualTo(4));
            Assert.That(again, Is.Zero);
            Assert.That(Describe(before), Is.EqualTo("L1:9-12"));
            Assert.That(rebuilt.Id, Is.Not.EqualTo(before.Id));
            Assert.That(Describe(rebuilt), Is.EqualTo("L1:9-14"));
            Assert.That(rebuilt.Content, Is.EqualTo("rebuilt after an edit"));
            Assert.That(rebuilt.CreatedAt, Is.EqualTo(Time.GetUtcNow()));
            Assert.That(await AllSummariesOldestFirstAsync(session.Id), Is.EqualTo(new[] { "L1:1-4", "L1:5-8", "L2:1-8", "L1:9-14" }));
        }
    }

    [Test]
    public async Task Summaries_DoNotChangeTheSession()
    {
        var session = await CreateSessionAsync();
        var appended = await AppendAsync(session.Id, "one", "two", "three", "four");
        Time.Advance(TimeSpan.FromMinutes(10));

        await Store.SaveSummaryAsync(session.Id, Summary(1, 4));
        await Store.SaveSummaryAsync(session.Id, Summary(1, 4, text: "duplicate"));
        await Store.SaveSummaryAsync(session.Id, Summary(1, 4, level: 2));
        await Store.GetSummariesAsync(session.Id);
        await Store.InvalidateSummariesAsync(session.Id, 4);
        await Store.SaveSummaryAsync(session.Id, Summary(3, 4));

        var found = await Store.GetSessionAsync(session.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(found.Version, Is.EqualTo(appended.Session.Version));
            Assert.That(found.Version, Is.EqualTo(2));
            Assert.That(found.LastActivityAt, Is.EqualTo(appended.Session.LastActivityAt));
            Assert.That(found.LastSequence, Is.EqualTo(4));
            Assert.That(found.MessageCount, Is.EqualTo(4));
            Assert.That(await Store.CountMessagesAsync(session.Id), Is.EqualTo(4));
            Assert.That((await ReadAllAsync(session.Id)).Select(m => m.Content), Is.EqualTo(new[] { "one", "two", "three", "four" }));
        }

        // An append that expects the version from before the summaries still succeeds.
        var next = await Store.AppendMessagesAsync(session.Id, [NewMessage.User("five")], new AppendOptions { ExpectedVersion = 2 });
        Assert.That(next.Session.Version, Is.EqualTo(3));
    }

    [Test]
    public async Task DeleteSession_DeletesItsSummaries()
    {
        var doomed = await CreateSummaryPyramidAsync();
        var kept = await CreateSessionWithMessagesAsync(4, "bob");
        var keptSummary = await Store.SaveSummaryAsync(kept.Id, Summary(1, 4));

        bool deleted = await Store.DeleteSessionAsync(doomed.Id);
        var fresh = await CreateSessionWithMessagesAsync(20);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(deleted, Is.True);
            Assert.ThrowsAsync<SessionNotFoundException>(() => Store.GetSummariesAsync(doomed.Id));
            Assert.ThrowsAsync<SessionNotFoundException>(() => Store.InvalidateSummariesAsync(doomed.Id, 1));
            Assert.ThrowsAsync<SessionNotFoundException>(() => Store.SaveSummaryAsync(doomed.Id, Summary(1, 4)));
            Assert.That(await Store.GetSummariesAsync(fresh.Id), Is.Empty);
            Assert.That(await Store.GetSummariesAsync(kept.Id), Is.EqualTo(new[] { keptSummary }));
        }
    }

    [Test]
    public async Task Summaries_AreIsolatedBetweenSessions()
    {
        var first = await CreateSessionWithMessagesAsync(8);
        var second = await CreateSessionWithMessagesAsync(8, "bob");

        var a = await Store.SaveSummaryAsync(first.Id, Summary(1, 4, text: "first session"));
        var b = await Store.SaveSummaryAsync(second.Id, Summary(1, 4, text: "second session"));
        var b2 = await Store.SaveSummaryAsync(second.Id, Summary(5, 8, text: "second session, later"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(b.Id, Is.Not.EqualTo(a.Id), "the same level and start in another session is another summary");
            Assert.That(b.Content, Is.EqualTo("second session"));
            Assert.That(b.SessionId, Is.EqualTo(second.Id));
            Assert.That(await Store.GetSummariesAsync(first.Id), Is.EqualTo(new[] { a }));
            Assert.That(await Store.GetSummariesAsync(second.Id), Is.EqualTo(new[] { b2, b }));
        }

        int invalidated = await Store.InvalidateSummariesAsync(first.Id, 1);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(invalidated, Is.EqualTo(1));
            Assert.That(await Store.GetSummariesAsync(first.Id), Is.Empty);
            Assert.That(await Store.GetSummariesAsync(second.Id), Is.EqualTo(new[] { b2, b }));
        }
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task ConcurrentSaves_OfTheSameLevelAndStart_StoreExactlyOne_AndEveryCallerGetsIt()
    {
        const int savers = 8;
        const int rounds = 5;
        var session = await CreateSessionWithMessagesAsync(20);

        for (int r = 1; r <= rounds; r++)
        {
            int round = r;
            long from = round;
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var saves = Enumerable.Range(0, savers).Select(i => Task.Run(async () =>
            {
                await go.Task;
                return await Store.SaveSummaryAsync(session.Id, Summary(from, from + 2 + (i % 4), text: $"round {round}, saver {i}", summarizerId: $"saver-{i}"));
            })).ToArray();
            go.SetResult();
            var results = await Task.WhenAll(saves);

            var stored = await Store.GetSummariesAsync(session.Id, new SummaryQuery { Limit = SummaryQuery.MaxLimit });
            var ofThisStart = stored.Where(s => s.FromSequence == from).ToList();
            using (Assert.EnterMultipleScope())
            {
                Assert.That(results.Select(r => r.Id).Distinct().Count(), Is.EqualTo(1), $"round {round}: every caller gets the same summary");
                Assert.That(ofThisStart, Has.Count.EqualTo(1), $"round {round}: exactly one stored");
                Assert.That(results, Is.All.EqualTo(ofThisStart.FirstOrDefault()), $"round {round}: the callers got the stored one");
            }
        }

        Assert.That(await Store.GetSummariesAsync(session.Id), Has.Count.EqualTo(rounds));
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task ConcurrentSaves_OfDifferentLevels_StoreEveryOne()
    {
        const int savers = 8;
        var session = await CreateSessionWithMessagesAsync(10);
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var saves = Enumerable.Range(1, savers).Select(level => Task.Run(async () =>
        {
            await go.Task;
            return await Store.SaveSummaryAsync(session.Id, Summary(1, 10, level: level));
        })).ToArray();
        go.SetResult();
        var results = await Task.WhenAll(saves);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(results.Select(r => r.Id), Is.Unique);
            Assert.That((await Store.GetSummariesAsync(session.Id)).Select(s => s.Level), Is.EqualTo(Enumerable.Range(1, savers).Reverse()));
        }
    }
}
