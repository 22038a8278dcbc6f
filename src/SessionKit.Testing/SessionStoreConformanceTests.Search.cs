using NUnit.Framework;
using SessionKit.Storage;

namespace SessionKit.Testing;

// Full-text search: scoped to one user (and optionally one session), any text is a query and never syntax, words match
// after case folding, diacritic removal and Porter stemming, hits are ranked by BM25 (ties: newest first, then greater
// session id, then greater sequence), filtered, paged and shown with a highlighted snippet. The ranking test pins exact
// orders computed with SQLite FTS5, so every backend ranks like the SQLite one.
public abstract partial class SessionStoreConformanceTests
{
    private static SearchQuery Query(string text) => new() { Text = text, Limit = SearchQuery.MaxLimit };

    /// <summary>The cursor of the page that starts after <paramref name="offset"/> ranked hits, as SessionKit encodes it (a
    /// format byte 1 and the offset as a big-endian 32-bit integer, base64url): it lets a test start deep in the results.</summary>
    protected static string SearchCursorAt(int offset)
    {
        var bytes = new byte[5];
        bytes[0] = 1;
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(1), offset);
        return System.Buffers.Text.Base64Url.EncodeToString(bytes);
    }

    private Task<SearchPage> SearchForAsync(string userId, string text) => Store.SearchAsync(userId, Query(text));

    private static string[] Contents(SearchPage results) => results.Items.Select(h => h.Message.Content).ToArray();

    /// <summary>Creates a session and appends each text as its own user message, advancing the clock a minute before each.</summary>
    private async Task<(Session Session, List<SessionMessage> Messages)> CreateSearchableSessionAsync(string userId, params string[] contents)
    {
        var session = await Store.CreateSessionAsync(userId);
        var messages = new List<SessionMessage>(contents.Length);
        foreach (string content in contents)
        {
            Time.Advance(TimeSpan.FromMinutes(1));
            messages.Add((await Store.AppendMessagesAsync(session.Id, [NewMessage.User(content)])).Messages[0]);
        }

        return (session, messages);
    }

    // ---- Ranking ----

    [Test]
    public async Task Search_RanksAMessageWithBothWordsAboveMessagesWithOne()
    {
        await CreateSearchableSessionAsync(
            "alice",
            "The carbon budget is nearly spent.",
            "A cycle of droughts hit the region.",
            "The carbon cycle links air and sea.",
            "Nothing relevant here at all.");

        var results = await SearchForAsync("alice", "carbon cycle");

        Assert.That(results.Items, Has.Count.EqualTo(3));
        Assert.That(results.Items[0].Message.Content, Is.EqualTo("The carbon cycle links air and sea."));
    }

    [Test]
    public async Task Search_RanksTheRarerWordHigher()
    {
        await CreateSearchableSessionAsync(
            "alice",
            "The ocean was calm today.",
            "The ocean was rough today.",
            "The ocean was cold today.",
            "The methane was rising today.",
            "The ocean was warm today.");

        var results = await SearchForAsync("alice", "ocean methane");

        Assert.That(results.Items, Has.Count.EqualTo(5));
        Assert.That(results.Items[0].Message.Content, Is.EqualTo("The methane was rising today."));
    }

    [Test]
    public async Task Search_ScoresArePositive_AndHitsComeMostRelevantFirst()
    {
        await CreateSearchableSessionAsync(
            "alice",
            "carbon",
            "carbon carbon cycle",
            "a long message that mentions carbon only once among many other words about weather and oceans",
            "cycle");

        var hits = (await SearchForAsync("alice", "carbon cycle")).Items;

        Assert.That(hits, Has.Count.EqualTo(4));
        Assert.That(hits.Select(h => h.Score), Is.All.GreaterThan(0.0));
        Assert.That(hits.Select(h => h.Score), Is.Ordered.Descending);
    }

    [Test]
    public async Task Search_IdenticalMessagesAtDifferentTimes_ComeNewestFirst()
    {
        var (_, first) = await CreateSearchableSessionAsync("alice", "the carbon cycle", "the carbon cycle");
        var (_, second) = await CreateSearchableSessionAsync("alice", "the carbon cycle");

        var hits = (await SearchForAsync("alice", "carbon")).Items;

        Assert.That(hits.Select(h => h.Message.Id), Is.EqualTo(new[] { second[0].Id, first[1].Id, first[0].Id }));
        Assert.That(hits.Select(h => h.Score).Distinct().Count(), Is.EqualTo(1), "identical texts score identically");
    }

    [Test]
    public async Task Search_IdenticalMessagesOfOneBatch_ComeHighestSequenceFirst()
    {
        var session = await CreateSessionAsync();
        await AppendAsync(session.Id, "the carbon cycle", "the carbon cycle", "the carbon cycle");

        var hits = (await SearchForAsync("alice", "carbon")).Items;

        Assert.That(hits.Select(h => h.Sequence), Is.EqualTo(new long[] { 3, 2, 1 }));
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(4)]
    public async Task Search_PagesThroughEqualScores_InTheTieOrder(int limit)
    {
        // Nine hits of one score: every page edge falls inside the tie, which a store must still break the same way.
        var session = await CreateSessionAsync();
        await AppendAsync(session.Id, Enumerable.Repeat("the carbon cycle", 9).Append("carbon").ToArray());

        var sequences = new List<long>();
        string? cursor = null;
        do
        {
            var page = await Store.SearchAsync("alice", new SearchQuery { Text = "cycle", Limit = limit, Cursor = cursor });
            sequences.AddRange(page.Items.Select(h => h.Sequence));
            cursor = page.NextCursor;
        }
        while (cursor is not null && sequences.Count < 20);

        Assert.That(sequences, Is.EqualTo(new long[] { 9, 8, 7, 6, 5, 4, 3, 2, 1 }));
    }

    [Test]
    public async Task Search_IdenticalMessagesAtTheSameTimeInTwoSessions_ComeGreaterSessionIdFirst()
    {
        // The clock does not move, so both messages carry the same timestamp; the session id (compared as big-endian
        // bytes, the order of a SQLite BLOB) breaks the tie.
        var one = await CreateSessionAsync();
        var two = await CreateSessionAsync();
        await AppendAsync(one.Id, "the carbon cycle");
        await AppendAsync(two.Id, "the carbon cycle");
        var expected = new[] { one.Id, two.Id }.OrderByDescending(id => Convert.ToHexString(id.ToByteArray(bigEndian: true)), StringComparer.Ordinal);

        var hits = (await SearchForAsync("alice", "carbon")).Items;

        Assert.That(hits.Select(h => h.SessionId), Is.EqualTo(expected));
    }

    // ---- Words: stemming, case, diacritics, stop words ----

    [TestCase("cycles")]
    [TestCase("cycle")]
    [TestCase("CYCLING")]
    public async Task Search_FindsOtherFormsOfAWord(string query)
    {
        await CreateSearchableSessionAsync("alice", "The carbon cycle.", "Two cycles a year.", "I was cycling home.", "A bicycle shop.");

        var results = await SearchForAsync("alice", query);

        Assert.That(Contents(results), Is.EquivalentTo(new[] { "The carbon cycle.", "Two cycles a year.", "I was cycling home." }));
    }

    [TestCase("cafe")]
    [TestCase("CAFÉ")]
    [TestCase("Café")]
    [TestCase("cafe\u0301")]
    public async Task Search_IgnoresCaseAndDiacritics(string query)
    {
        await CreateSearchableSessionAsync("alice", "Un café, s'il vous plaît.", "CAFE SOCIETY", "A cafeteria.");

        var results = await SearchForAsync("alice", query);

        Assert.That(Contents(results), Is.EquivalentTo(new[] { "Un café, s'il vous plaît.", "CAFE SOCIETY" }));
    }

    [TestCase("naïve", "A naïve question.")]
    [TestCase("Москва", "Москва — столица России.")]
    [TestCase("東京", "東京 は 大きい")]
    [TestCase("ελληνικά", "Μιλάω ελληνικά καλά.")]
    [TestCase("мой", "Это мой дом.")]
    [TestCase("ガス", "ガス の 価格")]
    [TestCase("أكبر", "الله أكبر")]
    [TestCase("שָׁלוֹם", "שָׁלוֹם לכולם")]
    public async Task Search_ForAWordExactlyAsWritten_FindsIt(string word, string content)
    {
        await CreateSearchableSessionAsync("alice", content, "unrelated text");

        var results = await SearchForAsync("alice", word);

        Assert.That(Contents(results), Is.EqualTo(new[] { content }));
    }

    [Test]
    public async Task Search_IgnoresCommonWords_AmongOthers()
    {
        await CreateSearchableSessionAsync("alice", "the the the", "what is this", "carbon");

        var results = await SearchForAsync("alice", "what is the carbon");

        Assert.That(Contents(results), Is.EqualTo(new[] { "carbon" }));
    }

    [Test]
    public async Task Search_ForOnlyCommonWords_SearchesThoseWords()
    {
        await CreateSearchableSessionAsync("alice", "To be or not to be.", "That is the question.");

        Assert.That(Contents(await SearchForAsync("alice", "to be")), Is.EqualTo(new[] { "To be or not to be." }));
        Assert.That(Contents(await SearchForAsync("alice", "THE")), Is.EqualTo(new[] { "That is the question." }));
    }

    [TestCase("")]
    [TestCase("   ")]
    [TestCase("\t\r\n")]
    [TestCase("?!.,;:-()[]{}\"'")]
    [TestCase("🌍🔥👩🏽‍🔬")]
    [TestCase("\u0301\u0308")]
    public async Task Search_ForTextWithoutWords_FindsNothing(string text)
    {
        await CreateSearchableSessionAsync("alice", "carbon cycle", "? ! . , ; :", "🌍🔥👩🏽‍🔬", "   ");

        var results = await SearchForAsync("alice", text);

        Assert.That(results.Items, Is.Empty);
        Assert.That(results.NextCursor, Is.Null);
    }

    // ---- Scoping and filters ----

    [Test]
    public async Task Search_NeverReturnsAnotherUsersMessages_EvenWithIdenticalText()
    {
        var (aliceSession, _) = await CreateSearchableSessionAsync("alice", "The carbon cycle, explained.");
        var (bobSession, _) = await CreateSearchableSessionAsync("bob", "The carbon cycle, explained.", "carbon carbon carbon");

        var alice = await SearchForAsync("alice", "carbon cycle explained");
        var bob = await SearchForAsync("bob", "carbon cycle explained");

        Assert.That(alice.Items.Select(h => h.SessionId), Is.EqualTo(new[] { aliceSession.Id }));
        Assert.That(bob.Items.Select(h => h.SessionId), Is.EqualTo(new[] { bobSession.Id, bobSession.Id }));
    }

    [Test]
    public async Task Search_KeepsUsersApart_WhoseIdsDifferOnlyInCaseOrPunctuation()
    {
        string[] users = ["team-1", "team 1", "team_1", "TEAM-1", "team1", "team-1 ", "user_key", "\"", "*"];
        var sessions = new Dictionary<string, Guid>();
        foreach (string user in users)
        {
            sessions[user] = (await CreateSearchableSessionAsync(user, $"carbon note of {user}")).Session.Id;
        }

        foreach (string user in users)
        {
            var results = await SearchForAsync(user, "carbon");

            Assert.That(results.Items.Select(h => h.SessionId), Is.EqualTo(new[] { sessions[user] }), $"user '{user}'");
        }
    }

    [Test]
    public async Task Search_ForAUserWithoutMessages_FindsNothing()
    {
        await CreateSearchableSessionAsync("alice", "carbon cycle");
        await CreateSessionAsync("bob");

        Assert.That((await SearchForAsync("bob", "carbon")).Items, Is.Empty);
        Assert.That((await SearchForAsync("nobody", "carbon")).Items, Is.Empty);
    }

    [Test]
    public async Task Search_WithASessionId_SearchesOnlyThatSession()
    {
        var (first, _) = await CreateSearchableSessionAsync("alice", "carbon in the first session");
        var (second, _) = await CreateSearchableSessionAsync("alice", "carbon in the second session", "more carbon here");

        var results = await Store.SearchAsync("alice", Query("carbon") with { SessionId = second.Id });

        Assert.That(results.Items.Select(h => h.SessionId), Is.EqualTo(new[] { second.Id, second.Id }));
        Assert.That(first.Id, Is.Not.EqualTo(second.Id));
    }

    [Test]
    public async Task Search_WithAnotherUsersSessionId_FindsNothing()
    {
        await CreateSearchableSessionAsync("alice", "carbon cycle");
        var (bobs, _) = await CreateSearchableSessionAsync("bob", "carbon cycle");

        var results = await Store.SearchAsync("alice", Query("carbon") with { SessionId = bobs.Id });

        Assert.That(results.Items, Is.Empty);
        Assert.That(results.NextCursor, Is.Null);
    }

    [Test]
    public async Task Search_WithAnUnknownSessionId_FindsNothing()
    {
        await CreateSearchableSessionAsync("alice", "carbon cycle");

        var results = await Store.SearchAsync("alice", Query("carbon") with { SessionId = Guid.CreateVersion7() });

        Assert.That(results.Items, Is.Empty);
    }

    [Test]
    public async Task Search_WithARole_ReturnsOnlyThatRole()
    {
        var session = await CreateSessionAsync();
        await Store.AppendMessagesAsync(
            session.Id,
            [
                NewMessage.System("Answer questions about carbon."),
                NewMessage.User("What is a carbon sink?"),
                NewMessage.ToolCall("call-1", "lookup", "{\"q\":\"carbon sink\"}"),
                NewMessage.ToolResult("call-1", "A carbon sink absorbs more carbon than it releases.", "lookup"),
                NewMessage.Assistant("Forests and oceans are carbon sinks."),
            ]);

        async Task<long[]> SequencesOf(MessageRole role) =>
            (await Store.SearchAsync("alice", Query("carbon") with { Role = role })).Items.Select(h => h.Sequence).Order().ToArray();

        Assert.That(await SequencesOf(MessageRole.System), Is.EqualTo(new long[] { 1 }));
        Assert.That(await SequencesOf(MessageRole.User), Is.EqualTo(new long[] { 2 }));
        Assert.That(await SequencesOf(MessageRole.Assistant), Is.EqualTo(new long[] { 3, 5 }));
        Assert.That(await SequencesOf(MessageRole.Tool), Is.EqualTo(new long[] { 4 }));
    }

    [Test]
    public async Task Search_WithSinceAndUntil_IncludesSinceAndExcludesUntil()
    {
        var (_, messages) = await CreateSearchableSessionAsync("alice", "carbon zero", "carbon one", "carbon two", "carbon three");
        var times = messages.Select(m => m.CreatedAt).ToArray();

        async Task<string[]> Between(DateTimeOffset? since, DateTimeOffset? until) =>
            Contents(await Store.SearchAsync("alice", Query("carbon") with { Since = since, Until = until })).Order(StringComparer.Ordinal).ToArray();

        Assert.That(await Between(times[1], times[3]), Is.EqualTo(new[] { "carbon one", "carbon two" }));
        Assert.That(await Between(times[2], null), Is.EqualTo(new[] { "carbon three", "carbon two" }));
        Assert.That(await Between(null, times[1]), Is.EqualTo(new[] { "carbon zero" }));
        Assert.That(await Between(times[3].AddTicks(1), null), Is.Empty);
        Assert.That(await Between(times[1].ToOffset(TimeSpan.FromHours(5)), times[2].ToOffset(TimeSpan.FromHours(-3))), Is.EqualTo(new[] { "carbon one" }), "offsets do not matter, instants do");
    }

    // ---- Paging ----

    [Test]
    public async Task Search_PagesCoverEveryHitExactlyOnce_InRankOrder()
    {
        var contents = Enumerable.Range(1, 25).Select(i => "carbon " + string.Join(' ', Enumerable.Repeat("filler", i % 7)) + $" note{i}").ToArray();
        await CreateSearchableSessionAsync("alice", contents);
        var all = await SearchForAsync("alice", "carbon");

        var paged = new List<SearchHit>();
        var cursors = new List<string?>();
        string? cursor = null;
        do
        {
            var page = await Store.SearchAsync("alice", new SearchQuery { Text = "carbon", Limit = 7, Cursor = cursor });
            paged.AddRange(page.Items);
            cursors.Add(page.NextCursor);
            cursor = page.NextCursor;
            Assert.That(cursors, Has.Count.LessThan(10), "paging terminates");
        }
        while (cursor is not null);

        Assert.That(all.Items, Has.Count.EqualTo(25));
        Assert.That(all.NextCursor, Is.Null);
        Assert.That(cursors, Is.EqualTo(new[] { SearchCursorAt(7), SearchCursorAt(14), SearchCursorAt(21), null }));
        Assert.That(paged.Select(h => h.Message.Id), Is.EqualTo(all.Items.Select(h => h.Message.Id)));
        Assert.That(paged.Select(h => h.Message.Id).Distinct().Count(), Is.EqualTo(25));
    }

    [TestCase(24, 1, 1, null)]
    [TestCase(23, 1, 1, 24)]
    [TestCase(20, 5, 5, null)]
    [TestCase(25, 10, 0, null)]
    [TestCase(SearchQuery.MaxOffset, SearchQuery.MaxLimit, 0, null)]
    public async Task Search_AtTheEndOfTheHits_ReportsNoNextCursor(int offset, int limit, int expectedHits, int? expectedNext)
    {
        await CreateSearchableSessionAsync("alice", Enumerable.Range(1, 25).Select(i => $"carbon {i}").ToArray());

        var page = await Store.SearchAsync("alice", new SearchQuery { Text = "carbon", Cursor = SearchCursorAt(offset), Limit = limit });

        Assert.That(page.Items, Has.Count.EqualTo(expectedHits));
        Assert.That(page.NextCursor, Is.EqualTo(expectedNext is { } next ? SearchCursorAt(next) : null));
    }

    // ---- Snippets ----

    [Test]
    public async Task Search_Snippet_HighlightsTheMatchedWordsAsWritten()
    {
        await CreateSearchableSessionAsync("alice", "We discussed the Carbon Cycles yesterday, and the café.");

        var hit = (await Store.SearchAsync("alice", new SearchQuery { Text = "carbon cycle cafe", HighlightStart = "<mark>", HighlightEnd = "</mark>" })).Items.Single();

        Assert.That(hit.Snippet, Is.EqualTo("We discussed the <mark>Carbon</mark> <mark>Cycles</mark> yesterday, and the <mark>café</mark>."));
    }

    [Test]
    public async Task Search_SnippetOfALongMessage_ShowsAWindowAroundTheMatch_WithEllipses()
    {
        var words = Enumerable.Range(1, 40).Select(i => $"word{i}").ToArray();
        words[20] = "carbon";
        await CreateSearchableSessionAsync("alice", string.Join(' ', words));

        string snippet = (await SearchForAsync("alice", "carbon")).Items.Single().Snippet;

        Assert.That(snippet, Does.StartWith("…").And.EndWith("…").And.Contain("**carbon**"));
        Assert.That(snippet.Trim('…').Split(' '), Has.Length.LessThanOrEqualTo(12));
        Assert.That(snippet, Is.EqualTo("…word16 word17 word18 word19 word20 **carbon** word22 word23 word24 word25 word26 word27…"));
    }

    // ---- The index follows the history ----

    [Test]
    public async Task Search_FindsAMessageAppendedAfterAnEarlierSearch()
    {
        var (session, _) = await CreateSearchableSessionAsync("alice", "nothing yet");
        Assert.That((await SearchForAsync("alice", "glacier")).Items, Is.Empty);

        await AppendAsync(session.Id, "The glacier retreated a kilometre.");

        Assert.That(Contents(await SearchForAsync("alice", "glaciers")), Is.EqualTo(new[] { "The glacier retreated a kilometre." }));
    }

    [Test]
    public async Task Search_AfterASessionIsDeleted_NoLongerFindsItsMessages()
    {
        var (kept, _) = await CreateSearchableSessionAsync("alice", "carbon kept");
        var (deleted, _) = await CreateSearchableSessionAsync("alice", "carbon deleted", "carbon gone");

        await Store.DeleteSessionAsync(deleted.Id);

        Assert.That((await SearchForAsync("alice", "carbon")).Items.Select(h => h.SessionId), Is.EqualTo(new[] { kept.Id }));
        Assert.That((await Store.SearchAsync("alice", Query("carbon") with { SessionId = deleted.Id })).Items, Is.Empty);
    }

    [Test]
    public async Task Search_AfterASessionIsDeleted_ScoresAsIfItHadNeverExisted()
    {
        string[] alices = ["The carbon cycle basics.", "Ocean currents move heat.", "carbon carbon"];
        await CreateSearchableSessionAsync("alice", alices);
        var (bobs, _) = await CreateSearchableSessionAsync("bob", "carbon carbon carbon", "", "a carbon tax on everything we buy", "?!", "currents");
        await Store.DeleteSessionAsync(bobs.Id);

        var after = await SearchForAsync("alice", "carbon currents");

        var fresh = CreateStore(Time, Limits);
        try
        {
            var session = await fresh.CreateSessionAsync("alice");
            foreach (string content in alices)
            {
                await fresh.AppendMessagesAsync(session.Id, [NewMessage.User(content)]);
            }

            var expected = await fresh.SearchAsync("alice", Query("carbon currents"));

            Assert.That(Contents(after), Is.EqualTo(Contents(expected)));
            Assert.That(after.Items.Select(h => h.Score), Is.EqualTo(expected.Items.Select(h => h.Score)).Within(1e-12));
        }
        finally
        {
            await DisposeAsync(fresh);
        }
    }

    [Test]
    public async Task Search_AfterDeletingSessionsOfWordlessMessages_KeepsWorking()
    {
        var (wordless, _) = await CreateSearchableSessionAsync("alice", "", "?!", "🌍");
        var (wordy, _) = await CreateSearchableSessionAsync("alice", "carbon cycle");

        await Store.DeleteSessionAsync(wordy.Id);
        Assert.That((await SearchForAsync("alice", "carbon")).Items, Is.Empty);
        await Store.DeleteSessionAsync(wordless.Id);
        Assert.That((await SearchForAsync("alice", "carbon")).Items, Is.Empty);

        var (again, _) = await CreateSearchableSessionAsync("alice", "carbon again");
        Assert.That((await SearchForAsync("alice", "carbon")).Items.Select(h => h.SessionId), Is.EqualTo(new[] { again.Id }));
    }

    [Test]
    public async Task Search_DuringConcurrentAppends_SeesEachBatchWholeOrNotAtAll()
    {
        var sessions = new List<Session>();
        for (int i = 0; i < 4; i++)
        {
            sessions.Add(await CreateSessionAsync());
        }

        var appends = Task.WhenAll(sessions.Select(session => Task.Run(async () =>
        {
            for (int batch = 0; batch < 10; batch++)
            {
                await Store.AppendMessagesAsync(session.Id, [NewMessage.User("zebra crossing"), NewMessage.Assistant("zebra stripes")]);
            }
        })));

        var counts = new List<int>();
        while (!appends.IsCompleted)
        {
            counts.Add((await SearchForAsync("alice", "zebra")).Items.Count);
        }

        await appends;
        counts.Add((await SearchForAsync("alice", "zebra")).Items.Count);

        Assert.That(counts, Is.All.Matches<int>(c => c % 2 == 0), "a search never sees half a batch");
        Assert.That(counts[^1], Is.EqualTo(80));
    }

    // ---- Validation ----

    [Test]
    public void Search_WithInvalidArguments_Throws()
    {
        var valid = Query("carbon");

        Assert.ThrowsAsync<ArgumentNullException>(() => Store.SearchAsync("alice", null!));
        Assert.ThrowsAsync<ArgumentNullException>(() => Store.SearchAsync("alice", valid with { Text = null! }));
        Assert.CatchAsync<ArgumentException>(() => Store.SearchAsync(null!, valid));
        Assert.CatchAsync<ArgumentException>(() => Store.SearchAsync("", valid));
        Assert.CatchAsync<ArgumentException>(() => Store.SearchAsync("  ", valid));
        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.SearchAsync("alice", valid with { Limit = 0 }));
        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.SearchAsync("alice", valid with { Limit = SearchQuery.MaxLimit + 1 }));
        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.SearchAsync("alice", valid with { Limit = -1 }));
        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.SearchAsync("alice", valid with { Cursor = SearchCursorAt(-1) }));
        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.SearchAsync("alice", valid with { Cursor = SearchCursorAt(SearchQuery.MaxOffset + 1) }));
        Assert.ThrowsAsync<ArgumentException>(() => Store.SearchAsync("alice", valid with { Cursor = "not a cursor" }));
        Assert.ThrowsAsync<ArgumentException>(() => Store.SearchAsync("alice", valid with { Cursor = "" }));
        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.SearchAsync("alice", valid with { Role = (MessageRole)42 }));
        Assert.ThrowsAsync<ArgumentException>(() => Store.SearchAsync("alice", valid with { Since = StartTime, Until = StartTime }));
        Assert.ThrowsAsync<ArgumentException>(() => Store.SearchAsync("alice", valid with { Since = StartTime.AddTicks(1), Until = StartTime }));
        Assert.ThrowsAsync<ArgumentException>(() => Store.SearchAsync("alice", valid with { SessionId = Guid.Empty }));
        Assert.ThrowsAsync<ArgumentNullException>(() => Store.SearchAsync("alice", valid with { HighlightStart = null! }));
        Assert.ThrowsAsync<ArgumentNullException>(() => Store.SearchAsync("alice", valid with { HighlightEnd = null! }));
    }

    [Test]
    public async Task Search_AtTheLimitsOfItsArguments_Works()
    {
        await CreateSearchableSessionAsync("alice", "carbon");
        var valid = Query("carbon");

        Assert.That((await Store.SearchAsync("alice", valid with { Limit = 1 })).Items, Has.Count.EqualTo(1));
        Assert.That((await Store.SearchAsync("alice", valid with { Limit = SearchQuery.MaxLimit, Cursor = SearchCursorAt(SearchQuery.MaxOffset) })).Items, Is.Empty);
        Assert.That((await Store.SearchAsync("alice", valid with { Since = StartTime, Until = StartTime.AddTicks(1) })).Items, Is.Empty);
        Assert.That((await Store.SearchAsync("alice", valid with { Since = DateTimeOffset.MinValue, Until = DateTimeOffset.MaxValue })).Items, Has.Count.EqualTo(1));
        Assert.That((await Store.SearchAsync("alice", valid with { HighlightStart = "", HighlightEnd = "" })).Items.Single().Snippet, Is.EqualTo("carbon"));
    }

    [Test]
    public void Search_WithACancelledToken_Throws() =>
        Assert.CatchAsync<OperationCanceledException>(() => Store.SearchAsync("alice", Query("carbon"), CancelledToken()));

    [Test]
    public async Task Search_AfterDisposal_Throws()
    {
        await DisposeStoreAsync();

        Assert.ThrowsAsync<ObjectDisposedException>(() => Store.SearchAsync("alice", Query("carbon")));
    }

    // ---- Hostile queries: never syntax, never another user's data ----

    private const string CarbonMessage = "The carbon cycle moves carbon between air, sea and soil.";
    private const string PolyglotMessage = "carbon cycle: 炭素循環, углерод цикл, دورة الكربون";

    private static IEnumerable<TestCaseData> HostileQueries()
    {
        static TestCaseData Hostile(string name, string query, string? expected) => new TestCaseData(query, expected).SetArgDisplayNames(name);

        yield return Hostile("double quote", "\"", null);
        yield return Hostile("single quote", "'", null);
        yield return Hostile("unbalanced quote", "\"carbon", CarbonMessage);
        yield return Hostile("trailing quote", "carbon\"", CarbonMessage);
        yield return Hostile("quoted words", "\"carbon\" \"cycle\"", CarbonMessage);
        yield return Hostile("AND", "AND", null);
        yield return Hostile("OR", "OR", null);
        yield return Hostile("NOT", "NOT", null);
        yield return Hostile("AND OR NOT", "AND OR NOT", null);
        yield return Hostile("carbon AND cycle", "carbon AND cycle", CarbonMessage);
        yield return Hostile("NOT carbon", "NOT carbon", CarbonMessage);
        yield return Hostile("trailing OR", "carbon OR", CarbonMessage);
        yield return Hostile("NEAR group", "NEAR(carbon cycle)", CarbonMessage);
        yield return Hostile("NEAR/2", "carbon NEAR/2 cycle", CarbonMessage);
        yield return Hostile("star", "*", null);
        yield return Hostile("prefix star", "carb*", null);
        yield return Hostile("minus", "-carbon", CarbonMessage);
        yield return Hostile("caret", "^carbon", CarbonMessage);
        yield return Hostile("plus", "+carbon", CarbonMessage);
        yield return Hostile("column filter", "content:carbon", CarbonMessage);
        yield return Hostile("user key filter", "user_key:anything", null);
        yield return Hostile("user id filter", "user_id:alice", null);
        yield return Hostile("column set", "{content}: x", null);
        yield return Hostile("column set with words", "{content user_key}: carbon", CarbonMessage);
        yield return Hostile("open parentheses", "((", null);
        yield return Hostile("close parenthesis", ")", null);
        yield return Hostile("parenthesized", "(carbon) OR (cycle", CarbonMessage);
        yield return Hostile("SQL injection", "'; DROP TABLE messages; --", null);
        yield return Hostile("SQL tautology", "carbon' OR '1'='1", CarbonMessage);
        yield return Hostile("percent", "%", null);
        yield return Hostile("underscore", "_", null);
        yield return Hostile("backslash", "\\", null);
        yield return Hostile("LIKE pattern", "carb%n_", null);
        yield return Hostile("parameters", "$match :user_key @p ?1", null);
        yield return Hostile("control characters", "\u0001\u0002carbon\u001f\u007f", CarbonMessage);
        yield return Hostile("noncharacters", "\uFFFE\uFFFFcarbon\uFDD0", CarbonMessage);
        yield return Hostile("bidi and zero-width", "\u200Fcarbon\u200E\u200B", CarbonMessage);
        yield return Hostile("emoji", "🌍🔥 carbon 👩🏽‍🔬", CarbonMessage);
        yield return Hostile("CJK", "炭素循環", PolyglotMessage);
        yield return Hostile("Arabic", "الكربون", PolyglotMessage);
        yield return Hostile("Cyrillic", "УГЛЕРОД", PolyglotMessage);
        yield return Hostile("empty phrase", "\"\"", null);
        yield return Hostile("empty", "", null);
        yield return Hostile("whitespace", " \t \u00A0 \u3000 ", null);
        yield return Hostile("newlines and tabs", "carbon\n\tcycle\r\n", CarbonMessage);
        yield return Hostile("100,000 characters", "carbon " + new string('x', 99_993), CarbonMessage);
        yield return Hostile("100,000 characters of words", string.Concat(Enumerable.Repeat("carbon cycle ", 7_692)) + "ends", CarbonMessage);
        yield return Hostile("one long word", new string('a', 100_000), null);
        yield return Hostile("1,000 distinct words", "carbon " + string.Join(' ', Enumerable.Range(1, 999).Select(i => $"w{i}")), CarbonMessage);
    }

    [TestCaseSource(nameof(HostileQueries))]
    public async Task Search_WithHostileText_TreatsItAsWords_AndNeverLeaksAnotherUsersMessages(string query, string? expected)
    {
        var (aliceSession, alices) = await CreateSearchableSessionAsync("alice", CarbonMessage, PolyglotMessage, "Nothing to see here.");
        string planted = string.Join(' ', HostileQueries().Select(c => (string)c.Arguments[0]!).Where(q => q.Length < 1000)) + " carbon cycle";
        var (mallorySession, mallorys) = await CreateSearchableSessionAsync("mallory", planted, CarbonMessage);

        var results = await Store.SearchAsync("alice", new SearchQuery { Text = query, Limit = SearchQuery.MaxLimit });

        Assert.That(results.Items.Select(h => h.SessionId), Is.All.EqualTo(aliceSession.Id));
        Assert.That(results.Items.Select(h => h.Message.Id), Is.SubsetOf(alices.Select(m => m.Id)));
        Assert.That(results.Items.Select(h => h.Message.Content), Has.None.EqualTo(planted));
        if (expected is not null)
        {
            Assert.That(results.Items.Select(h => h.Message.Content), Does.Contain(expected));
        }

        // The store is intact, and the planted text is still only its owner's.
        Assert.That(await CountMessagesAsync(aliceSession.Id), Is.EqualTo(3));
        Assert.That(Contents(await SearchForAsync("alice", "carbon")), Is.EquivalentTo(new[] { CarbonMessage, PolyglotMessage }));
        var malloryHits = await Store.SearchAsync("mallory", new SearchQuery { Text = query, Limit = SearchQuery.MaxLimit });
        Assert.That(malloryHits.Items.Select(h => h.SessionId), Is.All.EqualTo(mallorySession.Id));
        Assert.That(mallorys, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task Search_TreatsAStarAsAWordBoundary_NotAsAPrefixOperator()
    {
        await CreateSearchableSessionAsync("alice", CarbonMessage, "A carb count.");

        var results = await SearchForAsync("alice", "carb*");

        Assert.That(Contents(results), Is.EqualTo(new[] { "A carb count." }));
    }

    private Task<long> CountMessagesAsync(Guid sessionId) => Store.CountMessagesAsync(sessionId);

    // ---- Ranking shared with SQLite FTS5 ----

    // Thirty messages of one user in three sessions (labels A1..C10), plus other users' messages that share words with
    // them: BM25's idf counts every user's messages, as FTS5 does over its whole table.
    private static readonly string[][] ClimateSessions =
    [
        [
            "The carbon cycle moves carbon between the atmosphere, oceans, soil and living things.",
            "Photosynthesis pulls carbon dioxide out of the air and stores it in plants.",
            "Oceans absorb about a quarter of the carbon dioxide we emit, which makes seawater more acidic.",
            "Ocean acidification harms corals and shellfish that build calcium carbonate shells.",
            "Methane traps far more heat than carbon dioxide over twenty years, but it breaks down faster.",
            "Permafrost thaw releases methane and carbon that were frozen for thousands of years.",
            "Cycles of glaciation followed changes in Earth's orbit: the Milankovitch cycles.",
            "Ice cores record past temperatures and greenhouse gas levels going back 800,000 years.",
            "Albedo: fresh snow reflects most sunlight, while open ocean absorbs it.",
            "Melting sea ice lowers albedo, which warms the ocean further. A feedback loop.",
        ],
        [
            "A carbon tax puts a price on emissions and lets markets find the cheapest cuts.",
            "Cap and trade sets a limit on emissions and issues tradable permits.",
            "The Paris Agreement aims to keep warming well below two degrees.",
            "Renewable energy from wind and solar is now cheaper than new coal plants.",
            "Carbon capture and storage buries carbon dioxide underground in old oil fields.",
            "Reforestation restores forests that absorb carbon for decades.",
            "Deforestation in the Amazon releases stored carbon and reduces rainfall.",
            "Electric vehicles cut emissions most where the grid is clean.",
            "Heat pumps warm homes with a third of the energy of gas boilers.",
            "Carbon offsets are controversial when the forests they protect were never at risk.",
        ],
        [
            "Warmer air holds more moisture, so heavy rainfall becomes more intense.",
            "Heatwaves are becoming longer and more frequent in Europe.",
            "Sea level rise comes from melting glaciers and the thermal expansion of seawater.",
            "Coral bleaching happens when warm water makes corals expel their algae.",
            "Droughts and heatwaves together raise the risk of wildfires.",
            "Hurricanes draw energy from warm ocean water.",
            "The jet stream may become wavier as the Arctic warms faster than the rest of the planet.",
            "Café conversations about the weather rarely mention the carbon cycle.",
            "Glaciers in the Alps have lost half their volume since 1900.",
            "What did we say about the carbon cycle and ocean warming? Carbon, carbon, carbon.",
        ],
    ];

    private static readonly string[] ClimateNoiseOfBob =
    [
        "Carbon fiber frames make racing bikes light.",
        "Ocean rowing across the Atlantic takes weeks.",
        "Methane is the main component of natural gas.",
        "The cycle path along the river is closed.",
        "Our team's emissions report is due on Friday.",
        "Glaciers and fjords make Norway beautiful.",
    ];

    private static readonly string[] ClimateNoiseOfCarol =
    [
        "Carbon copies are rare since email.",
        "The tax office sent a letter about my cycle to work scheme.",
        "Forests are lovely in autumn.",
        "I love warm croissants at the café.",
    ];

    // Expected orders, hit counts and top snippets are SQLite FTS5's (bm25(messages_fts, 1.0, 0.0) over the SQLite
    // store's schema, snippet(..., '[', ']', '…', 12)), computed on this corpus; the in-memory index reproduces them.
    private static IEnumerable<TestCaseData> ClimateQueries()
    {
        static TestCaseData Ranked(string query, string[] top, int count, string snippet) =>
            new TestCaseData(query, top, count, snippet).SetArgDisplayNames(query);

        yield return Ranked("carbon cycle", ["C10", "A7", "C8"], 14, "What did we say about the [carbon] [cycle] and ocean warming? [Carbon]…");
        yield return Ranked("What did we say about the carbon cycle?", ["C10", "A7", "C8"], 14, "What did we say about the [carbon] [cycle] and ocean warming? [Carbon]…");
        yield return Ranked("ocean acidification", ["A4", "C6", "A9"], 7, "[Ocean] [acidification] harms corals and shellfish that build calcium carbonate shells.");
        yield return Ranked("methane permafrost", ["A6", "A5"], 2, "[Permafrost] thaw releases [methane] and carbon that were frozen for thousands of…");
        yield return Ranked("heatwaves droughts wildfires", ["C5", "C2"], 2, "[Droughts] and [heatwaves] together raise the risk of [wildfires].");
        yield return Ranked("warming", ["C6", "C4", "B3"], 7, "Hurricanes draw energy from [warm] ocean water.");
        yield return Ranked("emissions tax", ["B1", "B8", "B2"], 3, "A carbon [tax] puts a price on [emissions] and lets markets find…");
        yield return Ranked("glaciers melting", ["C3", "A10", "C9"], 3, "Sea level rise comes from [melting] [glaciers] and the thermal expansion of…");
        yield return Ranked("forests absorbing carbon", ["B6", "B10", "A3"], 14, "Reforestation restores [forests] that [absorb] [carbon] for decades.");
        yield return Ranked("CAFÉ", ["C8"], 1, "[Café] conversations about the weather rarely mention the carbon cycle.");
    }

    [TestCaseSource(nameof(ClimateQueries))]
    public async Task Search_RanksLikeSqliteFts5(string query, string[] expectedTop, int expectedCount, string expectedSnippet)
    {
        await CreateSearchableSessionAsync("bob", ClimateNoiseOfBob);
        await CreateSearchableSessionAsync("carol", ClimateNoiseOfCarol);
        var labels = new Dictionary<Guid, string>();
        for (int s = 0; s < ClimateSessions.Length; s++)
        {
            var (_, messages) = await CreateSearchableSessionAsync("alice", ClimateSessions[s]);
            foreach (var message in messages)
            {
                labels[message.Id] = $"{(char)('A' + s)}{message.Sequence}";
            }
        }

        var results = await Store.SearchAsync("alice", new SearchQuery { Text = query, Limit = SearchQuery.MaxLimit, HighlightStart = "[", HighlightEnd = "]" });

        Assert.That(results.Items, Has.Count.EqualTo(expectedCount));
        Assert.That(results.Items.Select(h => h.Score), Is.Ordered.Descending);
        if (Store is SessionStore { IsEncrypted: true })
        {
            // Encrypted terms are hashed per user, so other users' copies of a word no longer count in its IDF.
            return;
        }

        Assert.That(results.Items.Take(expectedTop.Length).Select(h => labels[h.Message.Id]), Is.EqualTo(expectedTop));
        Assert.That(results.Items[0].Snippet, Is.EqualTo(expectedSnippet));
    }
}
