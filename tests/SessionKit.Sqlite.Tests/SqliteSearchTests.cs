using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using NUnit.Framework;
using SessionKit.Storage;

namespace SessionKit.Sqlite.Tests;

/// <summary>
/// The store ranks inside FTS5 and cuts snippets itself from the page's text; both must be what FTS5 gives for the same
/// query: bm25 scores bit for bit, the same order (ties newest first, then session id, then sequence), and the snippet
/// FTS5's <c>snippet()</c> cuts — on a seeded corpus with ties, every Porter suffix, punctuation and some non-ASCII text.
/// </summary>
[TestFixture]
internal sealed class SqliteSearchTests : SqliteFileFixture
{
    private static readonly string[] Users = ["alice", "bob", "carol"];

    private static readonly string[] Roots =
    [
        "carbon", "cycl", "ocean", "warm", "relat", "condit", "sensib", "hop", "fil", "gener", "forest", "glacier",
        "melt", "methan", "emission", "organ", "activ", "respons", "effect", "heat",
    ];

    private static readonly string[] Suffixes =
    [
        "", "", "", "s", "ed", "ing", "ly", "y", "ies", "ation", "ational", "ness", "ful", "ity", "bility", "able", "ize",
        "ization", "ate", "er", "ment", "ence", "ous", "ive", "iveness", "al", "ism", "ic", "ical", "logy", "e",
    ];

    private static readonly string[] Separators = [" ", " ", " ", " ", ", ", ". ", ": ", "; ", "\n", "  "];

    private static readonly string[] Queries =
    [
        "carbon cycle", "warming oceans", "relational conditions", "forest", "glaciers melting methane", "sensibility",
        "generalization", "hopeful", "organic activity effects", "Café", "heat emission", "responsive",
    ];

    [Test]
    public async Task Search_ScoresOrdersAndSnippetsLikeFts5()
    {
        var sessions = await SeedAsync();
        int compared = 0;
        await using var store = Open();
        foreach (string user in Users)
        {
            foreach (string text in Queries)
            {
                var expected = Fts5(user, text, sessionId: null);
                var whole = await store.SearchAsync(user, new SearchQuery { Text = text, Limit = SearchQuery.MaxLimit, HighlightStart = "[", HighlightEnd = "]" });
                AssertSame(whole.Items, [.. expected.Take(SearchQuery.MaxLimit)], $"{user}: {text}");

                // Pages of 7 cut through groups of equal scores, and must still add up to the same order.
                var paged = new List<SearchHit>();
                string? cursor = null;
                do
                {
                    var page = await store.SearchAsync(user, new SearchQuery { Text = text, Limit = 7, Cursor = cursor, HighlightStart = "[", HighlightEnd = "]" });
                    paged.AddRange(page.Items);
                    cursor = page.NextCursor;
                }
                while (cursor is not null);

                AssertSame(paged, expected, $"{user}: {text}, pages of 7");

                // A filtered search ranks the same way over the rows it keeps.
                var sessionId = sessions[user][1];
                var filtered = await store.SearchAsync(user, new SearchQuery { Text = text, SessionId = sessionId, Limit = SearchQuery.MaxLimit, HighlightStart = "[", HighlightEnd = "]" });
                AssertSame(filtered.Items, [.. Fts5(user, text, sessionId).Take(SearchQuery.MaxLimit)], $"{user}: {text}, one session");
                compared += expected.Count;
            }
        }

        Assert.That(compared, Is.GreaterThan(300), "the queries find enough hits to compare");
    }

    [Test]
    public async Task BoundedSearch_WithEveryMessageWithinTheBound_ScoresAndOrdersLikeFts5_AndCutsNoSnippets()
    {
        var sessions = await SeedAsync();
        int compared = 0;
        await using var store = Open();
        Assert.That(store.BoundedSearchRows, Is.GreaterThan(120), "each user's 120 messages are within the default bound");
        foreach (string user in Users)
        {
            foreach (string text in Queries)
            {
                var expected = Fts5(user, text, sessionId: null);
                var whole = await store.SearchAsync(user, new SearchQuery { Text = text, Limit = SearchQuery.MaxLimit, HighlightStart = "[", HighlightEnd = "]", Bounded = true });
                AssertSame(whole.Items, [.. expected.Take(SearchQuery.MaxLimit)], $"{user}: {text}, bounded", snippets: false);

                var first = await store.SearchAsync(user, new SearchQuery { Text = text, Limit = 7, HighlightStart = "[", HighlightEnd = "]", Bounded = true });
                AssertSame(first.Items, [.. expected.Take(7)], $"{user}: {text}, bounded, first page of 7", snippets: false);
                Assert.That(first.NextCursor is null, Is.EqualTo(expected.Count <= 7), $"{user}: {text}, bounded, a next page exactly when there are more hits");
                if (first.NextCursor is not null)
                {
                    var second = await store.SearchAsync(user, new SearchQuery { Text = text, Limit = 7, Cursor = first.NextCursor, HighlightStart = "[", HighlightEnd = "]", Bounded = true });
                    AssertSame(second.Items, [.. expected.Skip(7).Take(7)], $"{user}: {text}, bounded, second page of 7", snippets: false);
                }

                var sessionId = sessions[user][1];
                var filtered = await store.SearchAsync(user, new SearchQuery { Text = text, SessionId = sessionId, Limit = SearchQuery.MaxLimit, HighlightStart = "[", HighlightEnd = "]", Bounded = true });
                AssertSame(filtered.Items, [.. Fts5(user, text, sessionId).Take(SearchQuery.MaxLimit)], $"{user}: {text}, bounded, one session", snippets: false);
                compared += expected.Count;
            }
        }

        Assert.That(compared, Is.GreaterThan(300), "the queries find enough hits to compare");
        Assert.That(store.LexicalWindowCounts.Reused, Is.GreaterThan(50), "user-wide bounded searches after each user's first ranked the user's lexical window (stems counted once, non-ASCII text included)");
    }

    [Test]
    public async Task BoundedSearch_BeyondTheBound_RanksTheNewestMatchesAndOlderRareWordMatchesWithFts5Scores()
    {
        await using var store = Open();
        store.BoundedSearchRows = 4;
        var session = await store.CreateSessionAsync("alice");
        var other = await store.CreateSessionAsync("alice");
        var stranger = await store.CreateSessionAsync("bob");
        var messages = new List<NewMessage> { NewMessage.User("An aurora glows over the glacier tonight.") };
        for (int i = 1; i < 10; i++)
        {
            messages.Add(NewMessage.Assistant($"The glacier melts a little more in week {i}, glacier after glacier."));
        }

        var stored = (await store.AppendMessagesAsync(session.Id, messages)).Messages;
        await store.AppendMessagesAsync(other.Id, [NewMessage.User("Another glacier note.")]);
        await store.AppendMessagesAsync(stranger.Id, [NewMessage.User("Bob saw an aurora and a glacier.")]);

        // Exact: every match, FTS5's scores. Bounded (4 rows): alice's newest 4 rows (the other session's note and the
        // last 3 of the first session) plus the old row with "aurora", rare (2 messages in the store, within the bound).
        var exact = await store.SearchAsync("alice", new SearchQuery { Text = "aurora glacier", Limit = SearchQuery.MaxLimit });
        var bounded = await store.SearchAsync("alice", new SearchQuery { Text = "aurora glacier", Limit = SearchQuery.MaxLimit, Bounded = true });
        Assert.That(exact.Items, Has.Count.EqualTo(11));
        var kept = new HashSet<Guid>(stored.Skip(7).Select(m => m.Id).Append(stored[0].Id));
        kept.Add(exact.Items.Single(h => h.Message.SessionId == other.Id).Message.Id);
        Assert.That(bounded.Items.Select(h => h.Message.Id), Is.EqualTo(exact.Items.Where(h => kept.Contains(h.Message.Id)).Select(h => h.Message.Id)));
        Assert.That(bounded.Items.Select(h => h.Score), Is.EqualTo(exact.Items.Where(h => kept.Contains(h.Message.Id)).Select(h => h.Score)));
        Assert.That(bounded.Items[0].Message.Id, Is.EqualTo(stored[0].Id), "the rare word's old match ranks first, as in the exact ranking");

        // One session: its own newest 4 rows plus the rare-word row.
        var inSession = await store.SearchAsync("alice", new SearchQuery { Text = "aurora glacier", SessionId = session.Id, Limit = SearchQuery.MaxLimit, Bounded = true });
        var sessionKept = new HashSet<Guid>(stored.Skip(6).Select(m => m.Id).Append(stored[0].Id));
        Assert.That(inSession.Items.Select(h => h.Message.Id), Is.EqualTo(exact.Items.Where(h => sessionKept.Contains(h.Message.Id)).Select(h => h.Message.Id)));

        // A word in more messages than the bound is not rare: only the newest rows are ranked for it.
        var common = await store.SearchAsync("alice", new SearchQuery { Text = "glacier", Limit = SearchQuery.MaxLimit, Bounded = true });
        Assert.That(common.Items, Has.Count.EqualTo(4));
        Assert.That(common.Items.Select(h => h.Message.Id), Does.Not.Contain(stored[0].Id));

        // A filter the bound does not cover (role, time) searches exactly.
        var byRole = await store.SearchAsync("alice", new SearchQuery { Text = "glacier", Role = MessageRole.Assistant, Limit = SearchQuery.MaxLimit, Bounded = true });
        Assert.That(byRole.Items, Has.Count.EqualTo(9));
        var unbounded = await store.SearchAsync("alice", new SearchQuery { Text = "glacier", Limit = SearchQuery.MaxLimit });
        Assert.That(unbounded.Items, Has.Count.EqualTo(11), "a plain search ranks every match");
    }

    [Test]
    public async Task BoundedSearch_AfterAnotherStoreWritesTheFile_CountsTheWordsAgain()
    {
        await using var store = Open();
        await using var writer = Open();
        var session = await writer.CreateSessionAsync("alice");
        await writer.AppendMessagesAsync(session.Id, [NewMessage.User("An aurora over the glacier."), NewMessage.Assistant("The glacier is calving.")]);
        var query = new SearchQuery { Text = "aurora glacier", Limit = SearchQuery.MaxLimit, Bounded = true };
        var before = await store.SearchAsync("alice", query);

        await writer.AppendMessagesAsync(session.Id, [NewMessage.User("Another aurora tonight."), NewMessage.User("A third aurora, brighter.")]);
        var after = await store.SearchAsync("alice", query);
        var exact = await store.SearchAsync("alice", query with { Bounded = false });

        Assert.That(after.Items.Select(h => h.Message.Id), Is.EqualTo(exact.Items.Select(h => h.Message.Id)));
        Assert.That(after.Items.Select(h => h.Score), Is.EqualTo(exact.Items.Select(h => h.Score)), "scores from the new word counts, bit for bit");
        Assert.That(after.Items.First(h => h.Message.Id == before.Items[0].Message.Id).Score, Is.Not.EqualTo(before.Items[0].Score), "aurora is less rare now");
    }

    // A bounded search (hybrid's word half, recall) cuts no snippets: its callers cut them for the hits they return.
    private static void AssertSame(IReadOnlyList<SearchHit> hits, List<(Guid Id, double Score, string Snippet)> expected, string because, bool snippets = true)
    {
        Assert.That(hits.Select(h => h.Message.Id), Is.EqualTo(expected.Select(e => e.Id)), because);
        Assert.That(hits.Select(h => h.Score), Is.EqualTo(expected.Select(e => e.Score)), because);
        Assert.That(hits.Select(h => h.Snippet), Is.EqualTo(snippets ? expected.Select(e => e.Snippet) : expected.Select(_ => string.Empty)), because);
    }

    // FTS5 ranking and snippets over every match, ordered as the store documents its order.
    private List<(Guid Id, double Score, string Snippet)> Fts5(string user, string text, Guid? sessionId)
    {
        using var connection = new SqliteConnection($"{Db.ConnectionString};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT m.id, -bm25(messages_fts, 1.0, 0.0) AS score, snippet(messages_fts, 0, '[', ']', '…', 12) " +
            "FROM messages_fts JOIN messages m ON m.row_id = messages_fts.rowid WHERE messages_fts MATCH $match " +
            (sessionId is null ? string.Empty : "AND m.session_id = $session_id ") +
            "ORDER BY score DESC, m.created_at DESC, m.session_id DESC, m.sequence DESC;";
        command.Parameters.AddWithValue("$match", SqliteSearchSyntax.Match(UserKey.For(user), SearchText.QueryTerms(text)));
        if (sessionId is { } id)
        {
            command.Parameters.AddWithValue("$session_id", id.ToByteArray(bigEndian: true));
        }

        var rows = new List<(Guid, double, string)>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            rows.Add((new Guid(reader.GetFieldValue<byte[]>(0), bigEndian: true), reader.GetDouble(1), reader.GetString(2)));
        }

        return rows;
    }

    // Three users, two sessions each, 60 messages per session; the clock moves only now and then, so many messages share
    // a timestamp and some share their text (ties for every tie-breaker).
    private async Task<Dictionary<string, Guid[]>> SeedAsync()
    {
        var random = new Random(11);
        var sessions = new Dictionary<string, Guid[]>(StringComparer.Ordinal);
        await using var store = Open();
        foreach (string user in Users)
        {
            sessions[user] = [(await store.CreateSessionAsync(user)).Id, (await store.CreateSessionAsync(user)).Id];
        }

        string? previous = null;
        for (int i = 0; i < 60; i++)
        {
            foreach (string user in Users)
            {
                foreach (var sessionId in sessions[user])
                {
                    string text = previous is not null && random.Next(8) == 0 ? previous : SeededText(random);
                    previous = text;
                    await store.AppendMessagesAsync(sessionId, [i % 2 == 0 ? NewMessage.User(text) : NewMessage.Assistant(text)]);
                }
            }

            if (random.Next(3) == 0)
            {
                Time.Advance(TimeSpan.FromSeconds(1));
            }
        }

        return sessions;
    }

    // A non-cryptographic generator on purpose: the data must be reproducible.
#pragma warning disable CA5394
    private static string SeededText(Random random)
    {
        var text = new StringBuilder();
        int words = random.Next(3, 40);
        for (int w = 0; w < words; w++)
        {
            if (w > 0)
            {
                text.Append(Separators[random.Next(Separators.Length)]);
            }

            string word = random.Next(60) switch
            {
                0 => "café",
                1 => random.Next(2030).ToString(CultureInfo.InvariantCulture),
                < 6 => "the",
                _ => Roots[random.Next(Roots.Length)] + Suffixes[random.Next(Suffixes.Length)],
            };
            text.Append(random.Next(6) == 0 ? char.ToUpperInvariant(word[0]) + word[1..] : word);
        }

        return text.Append('.').ToString();
    }
#pragma warning restore CA5394
}
