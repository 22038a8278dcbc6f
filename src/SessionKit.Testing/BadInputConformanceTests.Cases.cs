using NUnit.Framework;

namespace SessionKit.Testing;

// The corpus: families of operations × families of bad values, each with the exception it must raise.
public abstract partial class BadInputConformanceTests
{
    private const int MaxId = 256;

    private static readonly string LongId = new('x', MaxId + 1);

    private static readonly string LoneSurrogate = "ab\uD800cd";

    /// <summary>Bad values for a required id: (label, value, exception type).</summary>
    private static readonly (string Label, string? Value, Type Throws)[] BadIds =
    [
        ("null", null, typeof(ArgumentNullException)),
        ("empty", "", typeof(ArgumentException)),
        ("whitespace", " \t\n", typeof(ArgumentException)),
        ("oversized", LongId, typeof(ArgumentException)),
        ("lone surrogate", LoneSurrogate, typeof(ArgumentException)),
    ];

    /// <summary>Bad values for an optional id, where null means none.</summary>
    private static readonly (string Label, string Value)[] BadOptionalIds =
    [
        ("empty", ""),
        ("whitespace", "   "),
        ("oversized", LongId),
        ("lone surrogate", LoneSurrogate),
    ];

    /// <summary>Hostile text that is valid input: it must be handled as data, never as syntax.</summary>
    private static readonly (string Label, string Value)[] HostileText =
    [
        ("SQL injection", "'; DROP TABLE sessions; --"),
        ("SQL quote", "alice' OR '1'='1"),
        ("FTS column filter", "user_id:bob"),
        ("FTS operators", "zebrafish OR NEAR(password zebrafish) AND NOT x*"),
        ("FTS quote", "\"zebrafish"),
        ("FTS column and star", "content:zebra* ^password"),
        ("control characters", "a\u0000b\u0001c\u001b[2J"),
        ("bidi override", "\u202Ezebrafish\u202C"),
        ("lots of punctuation", "(((((((((()))))))))))\"\"\"':*^-+"),
    ];

    private static IEnumerable<TestCaseData> Cases() => AllCases().Select(c => new TestCaseData(c).SetArgDisplayNames(c.Name));

    private static IEnumerable<BadCase> AllCases() =>
        UserIdCases()
            .Concat(SessionIdCases())
            .Concat(AppendCases())
            .Concat(SessionCases())
            .Concat(ReadCases())
            .Concat(SummaryCases())
            .Concat(SearchCases())
            .Concat(StateCases())
            .Concat(CorrectionCases())
            .Concat(LeaseCases())
            .Concat(IdentityCases())
            .Concat(AccessCases())
            .Concat(CrossUserCases());

    private static BadCase Case(string name, Func<World, Task> act, Type? throws, string? param = null, string? message = null) =>
        new(name, act, throws, param, message);

    // Every operation that takes a user id × every bad id.
    private static IEnumerable<BadCase> UserIdCases()
    {
        var operations = new (string Name, string Param, Func<World, string, Task> Run)[]
        {
            ("CreateSession", "userId", (w, u) => w.Store.CreateSessionAsync(u)),
            ("ListSessions", "userId", (w, u) => w.Store.ListSessionsAsync(u)),
            ("Search", "userId", (w, u) => w.Store.SearchAsync(u, new SearchQuery { Text = "carbon" })),
            ("EraseUser", "userId", (w, u) => w.Privacy.EraseUserAsync(u)),
            ("ListUserTokens", "userId", (w, u) => w.Privacy.ListUserTokensAsync(u)),
            ("ListGrants", "ownerUserId", (w, u) => w.Access.ListGrantsAsync(u)),
            ("TransferSessions from", "fromUserId", (w, u) => w.Access.TransferSessionsAsync(u, "mallory")),
            ("TransferSessions to", "toUserId", (w, u) => w.Access.TransferSessionsAsync("alice", u)),
            ("Tokens.Issue", "userId", (w, u) => w.Tokens.IssueAsync(u)),
            ("Tokens.RevokeAll", "userId", (w, u) => w.Tokens.RevokeAllAsync(u)),
            ("Devices.Register", "userId", (w, u) => w.Devices.RegisterAsync(u, new DeviceRegistration { DeviceId = "tablet" })),
            ("Devices.List", "userId", (w, u) => w.Devices.ListAsync(u)),
            ("Devices.Find", "userId", (w, u) => w.Devices.FindAsync(u, "phone")),
            ("Devices.Touch", "userId", (w, u) => w.Devices.TouchAsync(u, "phone")),
            ("Devices.Forget", "userId", (w, u) => w.Devices.ForgetAsync(u, "phone")),
            ("Devices.Recognize", "userId", (w, u) => w.Devices.RecognizeAsync(u, new Dictionary<string, string> { ["os"] = "ios" })),
            ("TokenStore.ListDevices", "userId", (w, u) => w.TokenStore.ListDevicesAsync(u)),
            ("TokenStore.RevokeUserTokens", "userId", (w, u) => w.TokenStore.RevokeUserTokensAsync(u, StartTime)),
            ("Export", "userId", (w, u) => w.Exporter.ExportUserAsync(u, Stream.Null)),
            ("ClaimAnonymous", "userId", (w, u) => w.Resolver.ClaimAnonymousAsync(w.VisitorToken, u)),
            ("State.Get user scope", "scopeId", (w, u) => w.State.GetStateAsync(StateScope.User, u, "prefs")),
            ("State.Set user scope", "scopeId", (w, u) => w.State.SetStateAsync(StateScope.User, u, "prefs", "dark")),
            ("State.Delete user scope", "scopeId", (w, u) => w.State.DeleteStateAsync(StateScope.User, u, "prefs")),
            ("State.List user scope", "scopeId", (w, u) => w.State.ListStateAsync(StateScope.User, u)),
        };
        foreach (var (name, param, run) in operations)
        {
            foreach (var (label, value, throws) in BadIds)
            {
                yield return Case($"{name} with a {label} user id", w => run(w, value!), throws, param);
            }
        }
    }

    // Operations on a session, with Guid.Empty (a programming error) and an unknown id (not found).
    private static IEnumerable<BadCase> SessionIdCases()
    {
        var operations = new (string Name, Func<World, Guid, Task> Run)[]
        {
            ("EditMessage", (w, s) => w.Corrections.EditMessageAsync(s, 1, "x")),
            ("DeleteMessage", (w, s) => w.Corrections.DeleteMessageAsync(s, 1)),
            ("Rewind", (w, s) => w.Corrections.RewindAsync(s, 1)),
            ("Fork", (w, s) => w.Corrections.ForkSessionAsync(s, 1)),
            ("GetMessageRevisions", (w, s) => w.Corrections.GetMessageRevisionsAsync(s, 1)),
            ("DeleteSession with version", (w, s) => w.Corrections.DeleteSessionAsync(s, 1)),
            ("TryAcquireLease", (w, s) => w.Leases.TryAcquireLeaseAsync(s, "agent", TimeSpan.FromMinutes(1))),
            ("BeginTurn", (w, s) => w.Leases.BeginTurnAsync(s)),
            ("SaveSummary", (w, s) => w.Store.SaveSummaryAsync(s, new NewSummary(1, 1, 1, "s", "t"))),
            ("GetSummaries", (w, s) => w.Store.GetSummariesAsync(s)),
            ("InvalidateSummaries", (w, s) => w.Store.InvalidateSummariesAsync(s, 1)),
            ("Context.Build", (w, s) => w.Context.BuildAsync(s, new ContextRequest { TokenBudget = 500 })),
            ("Context.Summarize", (w, s) => w.Context.SummarizeAsync(s)),
            ("UpdateSession", (w, s) => w.Store.UpdateSessionAsync(s, new SessionUpdate { Title = "t" })),
            ("AppendMessages", (w, s) => w.Store.AppendMessagesAsync(s, [NewMessage.User("x")])),
            ("GetLastMessages", (w, s) => w.Store.GetLastMessagesAsync(s, 3)),
            ("GetMessages", (w, s) => w.Store.GetMessagesAsync(s, 1, 3)),
            ("CountMessages", (w, s) => w.Store.CountMessagesAsync(s)),
            ("GetSession", (w, s) => w.Store.GetSessionAsync(s)),
        };
        yield return Case("DeleteSession with version on an unknown session returns false", async w => Assert.That(await w.Corrections.DeleteSessionAsync(UnknownSession, 1), Is.False), null);
        foreach (var (name, run) in operations)
        {
            yield return Case($"{name} with Guid.Empty", w => run(w, Guid.Empty), typeof(ArgumentException), "sessionId");
            if (name == "DeleteSession with version")
            {
                continue;
            }

            yield return Case($"{name} on an unknown session", w => run(w, UnknownSession), typeof(SessionNotFoundException), message: UnknownSession.ToString());
        }

        yield return Case("EraseSession with Guid.Empty", w => w.Privacy.EraseSessionAsync(Guid.Empty), typeof(ArgumentException), "sessionId");
        yield return Case("WatchChanges with Guid.Empty", w => DrainFirstAsync(w.State.WatchChangesAsync(Guid.Empty, 0)), typeof(ArgumentException), "sessionId");
        yield return Case("WatchChanges with a negative version", w => DrainFirstAsync(w.State.WatchChangesAsync(w.Alice, -1)), typeof(ArgumentOutOfRangeException), "afterVersion");
        yield return Case("Tokens.Issue with Guid.Empty session", w => w.Tokens.IssueAsync("alice", Guid.Empty), typeof(ArgumentException), "sessionId");
        yield return Case("CreateSession continuing Guid.Empty", w => w.Store.CreateSessionAsync("alice", new SessionCreateOptions { ContinuesFromSessionId = Guid.Empty }), typeof(ArgumentException), "options");
        yield return Case("CreateSession continuing another user's session", w => w.Store.CreateSessionAsync("alice", new SessionCreateOptions { ContinuesFromSessionId = w.Bob }), typeof(ArgumentException));
    }

    private static readonly Guid UnknownSession = new("0192f000-0000-7000-8000-000000000001");

    private static IEnumerable<BadCase> AppendCases()
    {
        Func<World, Task> Append(params NewMessage[] messages) => w => w.Store.AppendMessagesAsync(w.Alice, messages);
        Func<World, Task> AppendWith(AppendOptions options) => w => w.Store.AppendMessagesAsync(w.Alice, [NewMessage.User("x")], options);

        yield return Case("Append a null batch", w => w.Store.AppendMessagesAsync(w.Alice, null!), typeof(ArgumentNullException), "messages");
        yield return Case("Append an empty batch", Append(), typeof(ArgumentException), "messages", "at least one");
        yield return Case("Append a batch over the limit", w => w.Store.AppendMessagesAsync(w.Alice, Enumerable.Range(0, w.Store.Limits.MaxMessagesPerAppend + 1).Select(_ => NewMessage.User("x")).ToArray()), typeof(ArgumentException), "messages", "MaxMessagesPerAppend");
        yield return Case("Append a null message", Append(NewMessage.User("ok"), null!), typeof(ArgumentException), "messages", "Message 1");
        yield return Case("Append null content", Append(NewMessage.User("x") with { Content = null! }), typeof(ArgumentException), "messages", "null content");
        yield return Case("Append oversized content", w => w.Store.AppendMessagesAsync(w.Alice, [NewMessage.User(new string('x', w.Store.Limits.MaxContentLength + 1))]), typeof(MessageTooLargeException));
        yield return Case("Append content with a lone surrogate", Append(NewMessage.User(LoneSurrogate)), typeof(ArgumentException), "messages", "surrogate");
        yield return Case("Append a high surrogate at the end", Append(NewMessage.User("end\uD83D")), typeof(ArgumentException), "messages", "surrogate");
        yield return Case("Append a low surrogate first", Append(NewMessage.User("\uDE00start")), typeof(ArgumentException), "messages", "surrogate");
        yield return Case("Append an undefined role", Append(NewMessage.User("x") with { Role = (MessageRole)42 }), typeof(ArgumentException), "messages", "role");
        yield return Case("Append a tool result without a call id", Append(NewMessage.User("x") with { Role = MessageRole.Tool }), typeof(ArgumentException), "messages", "ToolCallId");
        foreach (var (label, value) in BadOptionalIds)
        {
            yield return Case($"Append with a {label} author id", Append(NewMessage.User("x") with { AuthorId = value }), typeof(ArgumentException), "messages", "AuthorId");
            yield return Case($"Append with a {label} tool call id", Append(NewMessage.User("x") with { ToolCallId = value }), typeof(ArgumentException), "messages", "ToolCallId");
            yield return Case($"Append with a {label} tool name", Append(NewMessage.User("x") with { ToolName = value }), typeof(ArgumentException), "messages", "ToolName");
            yield return Case($"Append with a {label} idempotency key", AppendWith(new AppendOptions { IdempotencyKey = value }), typeof(ArgumentException), "options", "IdempotencyKey");
        }

        foreach (var (label, metadata) in BadMetadata())
        {
            yield return Case($"Append with metadata {label}", Append(NewMessage.User("x") with { Metadata = metadata }), typeof(ArgumentException), "messages", "metadata");
        }

        yield return Case("Append expecting version 0", AppendWith(new AppendOptions { ExpectedVersion = 0 }), typeof(ArgumentOutOfRangeException), "options");
        yield return Case("Append expecting a negative version", AppendWith(new AppendOptions { ExpectedVersion = -5 }), typeof(ArgumentOutOfRangeException), "options");
        yield return Case("Append expecting a stale version", AppendWith(new AppendOptions { ExpectedVersion = 1 }), typeof(SessionConcurrencyException));
        yield return Case("Append expecting a future version", AppendWith(new AppendOptions { ExpectedVersion = 1000 }), typeof(SessionConcurrencyException));
        yield return Case("Append, second message bad, first not stored", Append(NewMessage.User("fine"), NewMessage.User(LoneSurrogate)), typeof(ArgumentException), "messages", "Message 1");
    }

    private static IEnumerable<(string Label, IReadOnlyDictionary<string, string> Metadata)> BadMetadata()
    {
        yield return ("with an empty key", new Dictionary<string, string> { [""] = "v" });
        yield return ("with a null value", new Dictionary<string, string> { ["k"] = null! });
        yield return ("with a lone surrogate in a key", new Dictionary<string, string> { [LoneSurrogate] = "v" });
        yield return ("with a lone surrogate in a value", new Dictionary<string, string> { ["k"] = LoneSurrogate });
        yield return ("over the entry limit", Enumerable.Range(0, 65).ToDictionary(i => $"k{i}", _ => "v"));
        yield return ("with an oversized value", new Dictionary<string, string> { ["k"] = new string('v', (1024 * 1024) + 1) });
    }

    private static IEnumerable<BadCase> SessionCases()
    {
        string longTitle = new('t', 1025);
        yield return Case("CreateSession with an oversized title", w => w.Store.CreateSessionAsync("alice", new SessionCreateOptions { Title = longTitle }), typeof(ArgumentException), "options", "MaxTitleLength");
        yield return Case("CreateSession with a 10 MB title", w => w.Store.CreateSessionAsync("alice", new SessionCreateOptions { Title = new string('t', 10 * 1024 * 1024) }), typeof(ArgumentException), "options", "MaxTitleLength");
        yield return Case("CreateSession with a lone surrogate in the title", w => w.Store.CreateSessionAsync("alice", new SessionCreateOptions { Title = LoneSurrogate }), typeof(ArgumentException), "options", "surrogate");
        yield return Case("UpdateSession with an oversized title", w => w.Store.UpdateSessionAsync(w.Alice, new SessionUpdate { Title = longTitle }), typeof(ArgumentException), "update", "MaxTitleLength");
        yield return Case("UpdateSession with a lone surrogate in the title", w => w.Store.UpdateSessionAsync(w.Alice, new SessionUpdate { Title = LoneSurrogate }), typeof(ArgumentException), "update", "surrogate");
        yield return Case("UpdateSession with null", w => w.Store.UpdateSessionAsync(w.Alice, null!), typeof(ArgumentNullException), "update");
        yield return Case("UpdateSession expecting version 0", w => w.Store.UpdateSessionAsync(w.Alice, new SessionUpdate { Title = "t", ExpectedVersion = 0 }), typeof(ArgumentOutOfRangeException), "update");
        yield return Case("UpdateSession expecting a stale version", w => w.Store.UpdateSessionAsync(w.Alice, new SessionUpdate { Title = "t", ExpectedVersion = 1 }), typeof(SessionConcurrencyException));
        yield return Case("ForkSession with an oversized title", w => w.Corrections.ForkSessionAsync(w.Alice, 1, new ForkOptions { Title = longTitle }), typeof(ArgumentException), "options", "MaxTitleLength");
        yield return Case("ForkSession with a lone surrogate in the title", w => w.Corrections.ForkSessionAsync(w.Alice, 1, new ForkOptions { Title = LoneSurrogate }), typeof(ArgumentException), "options", "surrogate");
        foreach (var (label, metadata) in BadMetadata())
        {
            yield return Case($"CreateSession with metadata {label}", w => w.Store.CreateSessionAsync("alice", new SessionCreateOptions { Metadata = metadata }), typeof(ArgumentException), "options", "metadata");
            yield return Case($"UpdateSession with metadata {label}", w => w.Store.UpdateSessionAsync(w.Alice, new SessionUpdate { Title = "changed", Metadata = metadata }), typeof(ArgumentException), "update", "metadata");
        }

        yield return Case("ListSessions with page size 0", w => w.Store.ListSessionsAsync("alice", new SessionListOptions { PageSize = 0 }), typeof(ArgumentOutOfRangeException), "options");
        yield return Case("ListSessions with a negative page size", w => w.Store.ListSessionsAsync("alice", new SessionListOptions { PageSize = -1 }), typeof(ArgumentOutOfRangeException), "options");
        yield return Case("ListSessions with a page size over the limit", w => w.Store.ListSessionsAsync("alice", new SessionListOptions { PageSize = SessionListOptions.MaxPageSize + 1 }), typeof(ArgumentOutOfRangeException), "options");
        foreach (string cursor in new[] { "garbage", "", "'; DROP TABLE sessions; --", "AAAA", new string('A', 5000), LoneSurrogate })
        {
            yield return Case($"ListSessions with the malformed cursor '{Shorten(cursor)}'", w => w.Store.ListSessionsAsync("alice", new SessionListOptions { Cursor = cursor }), typeof(ArgumentException), "options", "cursor");
        }

        foreach (var (label, value) in HostileText)
        {
            yield return Case($"ListSessions of a hostile user id ({label}) is empty", async w => Assert.That((await w.Store.ListSessionsAsync(value)).Items, Is.Empty), null);
        }
    }

    private static IEnumerable<BadCase> ReadCases()
    {
        yield return Case("GetLastMessages with a negative count", w => w.Store.GetLastMessagesAsync(w.Alice, -1), typeof(ArgumentOutOfRangeException), "count");
        yield return Case("GetLastMessages with int.MinValue", w => w.Store.GetLastMessagesAsync(w.Alice, int.MinValue), typeof(ArgumentOutOfRangeException), "count");
        yield return Case("GetMessages from 0", w => w.Store.GetMessagesAsync(w.Alice, 0, 3), typeof(ArgumentOutOfRangeException), "fromSequence");
        yield return Case("GetMessages from a negative sequence", w => w.Store.GetMessagesAsync(w.Alice, -10, 3), typeof(ArgumentOutOfRangeException), "fromSequence");
        yield return Case("GetMessages with to before from", w => w.Store.GetMessagesAsync(w.Alice, 3, 2), typeof(ArgumentOutOfRangeException), "toSequence");
        yield return Case("GetMessages to long.MaxValue returns what exists", async w => Assert.That(await w.Store.GetMessagesAsync(w.Alice, 1, long.MaxValue), Has.Count.EqualTo(3)), null);
        yield return Case("GetLastMessages of int.MaxValue returns what exists", async w => Assert.That(await w.Store.GetLastMessagesAsync(w.Alice, int.MaxValue), Has.Count.EqualTo(3)), null);
        yield return Case("ReadAllMessages with Guid.Empty", w => DrainFirstAsync(w.Store.ReadAllMessagesAsync(Guid.Empty)), typeof(ArgumentException), "sessionId");
        yield return Case("Context.Build with a null request", w => w.Context.BuildAsync(w.Alice, null!), typeof(ArgumentNullException), "request");
        yield return Case("Context.Build with a budget of 0", w => w.Context.BuildAsync(w.Alice, new ContextRequest { TokenBudget = 0 }), typeof(ArgumentOutOfRangeException), "request");
        yield return Case("Context.Build with a negative budget", w => w.Context.BuildAsync(w.Alice, new ContextRequest { TokenBudget = -100 }), typeof(ArgumentOutOfRangeException), "request");
        yield return Case("Context.Summarize with a budget of 0", w => w.Context.SummarizeAsync(w.Alice, 0), typeof(ArgumentOutOfRangeException), "tokenBudget");
        foreach (var (label, value) in HostileText)
        {
            yield return Case($"Context.Build read-only with a hostile query ({label})", w => w.Context.BuildAsync(w.Alice, new ContextRequest { TokenBudget = 2000, Query = value, SummarizeInline = false }), null);
        }
    }

    private static IEnumerable<BadCase> SummaryCases()
    {
        Func<World, Task> Save(NewSummary summary) => w => w.Store.SaveSummaryAsync(w.Alice, summary);
        yield return Case("SaveSummary null", w => w.Store.SaveSummaryAsync(w.Alice, null!), typeof(ArgumentNullException), "summary");
        yield return Case("SaveSummary from 0", Save(new NewSummary(0, 1, 1, "s", "t")), typeof(ArgumentOutOfRangeException), "summary");
        yield return Case("SaveSummary with to before from", Save(new NewSummary(2, 1, 1, "s", "t")), typeof(ArgumentOutOfRangeException), "summary");
        yield return Case("SaveSummary past the last message", Save(new NewSummary(1, 99, 1, "s", "t")), typeof(ArgumentOutOfRangeException), "summary");
        yield return Case("SaveSummary at level 0", Save(new NewSummary(1, 1, 0, "s", "t")), typeof(ArgumentOutOfRangeException), "summary");
        yield return Case("SaveSummary with null text", Save(new NewSummary(1, 1, 1, null!, "t")), typeof(ArgumentException), "summary");
        yield return Case("SaveSummary with empty text", Save(new NewSummary(1, 1, 1, "", "t")), typeof(ArgumentException), "summary");
        yield return Case("SaveSummary with blank text", Save(new NewSummary(1, 1, 1, "  \n ", "t")), typeof(ArgumentException), "summary");
        yield return Case("SaveSummary with oversized text", Save(new NewSummary(1, 1, 1, new string('s', (1024 * 1024) + 1), "t")), typeof(ArgumentException), "summary", "MaxContentLength");
        yield return Case("SaveSummary with a lone surrogate", Save(new NewSummary(1, 1, 1, LoneSurrogate, "t")), typeof(ArgumentException), "summary", "surrogate");
        foreach (var (label, value, throws) in BadIds)
        {
            yield return Case($"SaveSummary with a {label} summarizer id", Save(new NewSummary(1, 1, 1, "s", value!)), throws, "summary");
        }

        yield return Case("GetSummaries with limit 0", w => w.Store.GetSummariesAsync(w.Alice, new SummaryQuery { Limit = 0 }), typeof(ArgumentOutOfRangeException), "query");
        yield return Case("GetSummaries with limit over the maximum", w => w.Store.GetSummariesAsync(w.Alice, new SummaryQuery { Limit = SummaryQuery.MaxLimit + 1 }), typeof(ArgumentOutOfRangeException), "query");
        yield return Case("GetSummaries at level 0", w => w.Store.GetSummariesAsync(w.Alice, new SummaryQuery { Level = 0 }), typeof(ArgumentOutOfRangeException), "query");
        yield return Case("InvalidateSummaries from 0", w => w.Store.InvalidateSummariesAsync(w.Alice, 0), typeof(ArgumentOutOfRangeException), "fromSequence");
        yield return Case("InvalidateSummaries from a negative sequence", w => w.Store.InvalidateSummariesAsync(w.Alice, -1), typeof(ArgumentOutOfRangeException), "fromSequence");
    }

    private static IEnumerable<BadCase> SearchCases()
    {
        Func<World, Task> Search(SearchQuery query) => w => w.Store.SearchAsync("alice", query);
        yield return Case("Search with a null query", w => w.Store.SearchAsync("alice", null!), typeof(ArgumentNullException), "query");
        yield return Case("Search with null text", Search(new SearchQuery { Text = null! }), typeof(ArgumentNullException), "query");
        yield return Case("Search with limit 0", Search(new SearchQuery { Text = "carbon", Limit = 0 }), typeof(ArgumentOutOfRangeException), "query");
        yield return Case("Search with limit over the maximum", Search(new SearchQuery { Text = "carbon", Limit = SearchQuery.MaxLimit + 1 }), typeof(ArgumentOutOfRangeException), "query");
        yield return Case("Search with a cursor of a negative offset", Search(new SearchQuery { Text = "carbon", Cursor = "Af____8" }), typeof(ArgumentOutOfRangeException), "query");
        yield return Case("Search with a cursor past the deepest page", Search(new SearchQuery { Text = "carbon", Cursor = "AQAAJxE" }), typeof(ArgumentOutOfRangeException), "query");
        yield return Case("Search with a malformed cursor", Search(new SearchQuery { Text = "carbon", Cursor = "not a cursor" }), typeof(ArgumentException), "query", "Cursor");
        yield return Case("Search with an empty cursor", Search(new SearchQuery { Text = "carbon", Cursor = "" }), typeof(ArgumentException), "query", "Cursor");
        yield return Case("Search with an undefined role", Search(new SearchQuery { Text = "carbon", Role = (MessageRole)99 }), typeof(ArgumentOutOfRangeException), "query");
        yield return Case("Search with since after until", Search(new SearchQuery { Text = "carbon", Since = StartTime.AddDays(1), Until = StartTime }), typeof(ArgumentException), "query", "Since");
        yield return Case("Search with since equal to until", Search(new SearchQuery { Text = "carbon", Since = StartTime, Until = StartTime }), typeof(ArgumentException), "query", "Since");
        yield return Case("Search with Guid.Empty session", Search(new SearchQuery { Text = "carbon", SessionId = Guid.Empty }), typeof(ArgumentException), "query", "SessionId");
        yield return Case("Search with a null highlight start", Search(new SearchQuery { Text = "carbon", HighlightStart = null! }), typeof(ArgumentNullException), "query");
        yield return Case("Search with a null highlight end", Search(new SearchQuery { Text = "carbon", HighlightEnd = null! }), typeof(ArgumentNullException), "query");
        yield return Case("Search with empty text finds nothing", async w => Assert.That((await w.Store.SearchAsync("alice", new SearchQuery { Text = "" })).Items, Is.Empty), null);
        yield return Case("Search with a lone surrogate finds nothing", async w => Assert.That((await w.Store.SearchAsync("alice", new SearchQuery { Text = LoneSurrogate })).Items, Is.Empty), null);
        yield return Case("Search with 10,000 terms", async w => Assert.That((await w.Store.SearchAsync("alice", new SearchQuery { Text = string.Join(' ', Enumerable.Range(0, 10_000).Select(i => $"w{i}")) + " carbon" })).Items, Is.Not.Null), null);
        foreach (var (label, value) in HostileText)
        {
            yield return Case($"Search as alice with hostile text ({label}) never finds bob's words", async w =>
            {
                var results = await w.Store.SearchAsync("alice", new SearchQuery { Text = value });
                Assert.That(results.Items.Select(h => h.Message.SessionId), Has.None.EqualTo(w.Bob));
            }, null);
            yield return Case($"Search in bob's session as alice with hostile text ({label}) finds nothing", async w =>
            {
                var results = await w.Store.SearchAsync("alice", new SearchQuery { Text = value + " zebrafish", SessionId = w.Bob });
                Assert.That(results.Items, Is.Empty);
            }, null);
        }
    }

    private static IEnumerable<BadCase> StateCases()
    {
        var operations = new (string Name, Func<World, StateScope, string?, string, Task> Run)[]
        {
            ("Get", (w, s, id, k) => w.State.GetStateAsync(s, id, k)),
            ("Set", (w, s, id, k) => w.State.SetStateAsync(s, id, k, "v")),
            ("Delete", (w, s, id, k) => w.State.DeleteStateAsync(s, id, k)),
        };
        foreach (var (name, run) in operations)
        {
            foreach (var scope in new[] { StateScope.App, StateScope.User, StateScope.Session, StateScope.Temp })
            {
                foreach (var (label, value, throws) in BadIds)
                {
                    yield return Case($"State.{name} in {scope} scope with a {label} key", w => run(w, scope, ScopeId(w, scope), value!), throws, "key");
                }
            }

            yield return Case($"State.{name} in an undefined scope", w => run(w, (StateScope)99, "x", "k"), typeof(ArgumentOutOfRangeException), "scope");
            yield return Case($"State.{name} in the app scope with a scope id", w => run(w, StateScope.App, "alice", "k"), typeof(ArgumentException), "scopeId");
            yield return Case($"State.{name} in the session scope with a non-GUID id", w => run(w, StateScope.Session, "'; DROP TABLE state; --", "k"), typeof(ArgumentException), "scopeId");
            yield return Case($"State.{name} in the session scope with Guid.Empty", w => run(w, StateScope.Session, Guid.Empty.ToString(), "k"), typeof(ArgumentException), "scopeId");
            yield return Case($"State.{name} in the temp scope with a null id", w => run(w, StateScope.Temp, null, "k"), typeof(ArgumentException), "scopeId");
            yield return Case($"State.{name} in the session scope of an unknown session", w => run(w, StateScope.Session, UnknownSession.ToString(), "k"), typeof(SessionNotFoundException));
        }

        yield return Case("State.Set with a null value", w => w.State.SetStateAsync(StateScope.User, "alice", "prefs", null!), typeof(ArgumentNullException), "value");
        yield return Case("State.Set with an oversized value", w => w.State.SetStateAsync(StateScope.User, "alice", "prefs", new string('v', (1024 * 1024) + 1)), typeof(ArgumentException), "value", "MaxContentLength");
        yield return Case("State.Set with a lone surrogate value", w => w.State.SetStateAsync(StateScope.User, "alice", "prefs", LoneSurrogate), typeof(ArgumentException), "value", "surrogate");
        yield return Case("State.Set expecting a negative version", w => w.State.SetStateAsync(StateScope.User, "alice", "prefs", "v", new StateWriteOptions { ExpectedVersion = -1 }), typeof(ArgumentOutOfRangeException), "options");
        yield return Case("State.Set expecting a stale version", w => w.State.SetStateAsync(StateScope.User, "alice", "prefs", "v", new StateWriteOptions { ExpectedVersion = 7 }), typeof(StateConcurrencyException));
        yield return Case("State.Set expecting absence of an existing key", w => w.State.SetStateAsync(StateScope.Session, w.Alice.ToString(), "plan", "v", new StateWriteOptions { ExpectedVersion = 0 }), typeof(StateConcurrencyException));
        yield return Case("State.Delete expecting a stale version", w => w.State.DeleteStateAsync(StateScope.App, null, "motd", new StateWriteOptions { ExpectedVersion = 9 }), typeof(StateConcurrencyException));
        foreach (var (label, value) in BadOptionalIds)
        {
            yield return Case($"State.Set with a {label} UpdatedBy", w => w.State.SetStateAsync(StateScope.User, "alice", "prefs", "v", new StateWriteOptions { UpdatedBy = value }), typeof(ArgumentException), "options", "UpdatedBy");
        }

        foreach (var (label, value) in HostileText)
        {
            yield return Case($"State.Get with a hostile key ({label}) finds nothing", async w => Assert.That(await w.State.GetStateAsync(StateScope.User, "alice", value), Is.Null), null);
            yield return Case($"State.List of a hostile user id ({label}) is empty", async w => Assert.That(await w.State.ListStateAsync(StateScope.User, value), Is.Empty), null);
        }
    }

    private static string? ScopeId(World w, StateScope scope) => scope switch
    {
        StateScope.App => null,
        StateScope.User => "alice",
        _ => w.Alice.ToString(),
    };

    private static IEnumerable<BadCase> CorrectionCases()
    {
        yield return Case("EditMessage with null content", w => w.Corrections.EditMessageAsync(w.Alice, 1, null!), typeof(ArgumentNullException), "content");
        yield return Case("EditMessage with oversized content", w => w.Corrections.EditMessageAsync(w.Alice, 1, new string('x', (1024 * 1024) + 1)), typeof(MessageTooLargeException));
        yield return Case("EditMessage with a lone surrogate", w => w.Corrections.EditMessageAsync(w.Alice, 1, LoneSurrogate), typeof(ArgumentException), "content", "surrogate");
        yield return Case("EditMessage at sequence 0", w => w.Corrections.EditMessageAsync(w.Alice, 0, "x"), typeof(ArgumentOutOfRangeException), "sequence");
        yield return Case("EditMessage at a negative sequence", w => w.Corrections.EditMessageAsync(w.Alice, -1, "x"), typeof(ArgumentOutOfRangeException), "sequence");
        yield return Case("EditMessage past the end", w => w.Corrections.EditMessageAsync(w.Alice, 99, "x"), typeof(MessageNotFoundException));
        yield return Case("EditMessage expecting version 0", w => w.Corrections.EditMessageAsync(w.Alice, 1, "x", new CorrectionOptions { ExpectedVersion = 0 }), typeof(ArgumentOutOfRangeException), "options");
        yield return Case("EditMessage expecting a stale version", w => w.Corrections.EditMessageAsync(w.Alice, 1, "x", new CorrectionOptions { ExpectedVersion = 1 }), typeof(SessionConcurrencyException));
        yield return Case("DeleteMessage at sequence 0", w => w.Corrections.DeleteMessageAsync(w.Alice, 0), typeof(ArgumentOutOfRangeException), "sequence");
        yield return Case("DeleteMessage past the end", w => w.Corrections.DeleteMessageAsync(w.Alice, 99), typeof(MessageNotFoundException));
        yield return Case("DeleteMessage expecting a stale version", w => w.Corrections.DeleteMessageAsync(w.Alice, 1, new CorrectionOptions { ExpectedVersion = 1 }), typeof(SessionConcurrencyException));
        yield return Case("Rewind to a negative sequence", w => w.Corrections.RewindAsync(w.Alice, -1), typeof(ArgumentOutOfRangeException), "toSequence");
        yield return Case("Rewind expecting a stale version", w => w.Corrections.RewindAsync(w.Alice, 1, new CorrectionOptions { ExpectedVersion = 1 }), typeof(SessionConcurrencyException));
        yield return Case("Fork at a negative sequence", w => w.Corrections.ForkSessionAsync(w.Alice, -1), typeof(ArgumentOutOfRangeException), "atSequence");
        yield return Case("Fork past the end", w => w.Corrections.ForkSessionAsync(w.Alice, 99), typeof(ArgumentOutOfRangeException), "atSequence");
        yield return Case("Fork expecting a stale version", w => w.Corrections.ForkSessionAsync(w.Alice, 1, new ForkOptions { ExpectedVersion = 1 }), typeof(SessionConcurrencyException));
        yield return Case("DeleteSession expecting version 0", w => w.Corrections.DeleteSessionAsync(w.Alice, 0), typeof(ArgumentOutOfRangeException), "expectedVersion");
        yield return Case("DeleteSession expecting a stale version", w => w.Corrections.DeleteSessionAsync(w.Alice, 1), typeof(SessionConcurrencyException));
        yield return Case("GetMessageRevisions at sequence 0", w => w.Corrections.GetMessageRevisionsAsync(w.Alice, 0), typeof(ArgumentOutOfRangeException), "sequence");
        foreach (var (label, value) in BadOptionalIds)
        {
            yield return Case($"EditMessage with a {label} author", w => w.Corrections.EditMessageAsync(w.Alice, 1, "x", new CorrectionOptions { AuthorId = value }), typeof(ArgumentException), "options", "AuthorId");
            yield return Case($"DeleteMessage with a {label} author", w => w.Corrections.DeleteMessageAsync(w.Alice, 1, new CorrectionOptions { AuthorId = value }), typeof(ArgumentException), "options", "AuthorId");
        }
    }

    private static IEnumerable<BadCase> LeaseCases()
    {
        foreach (var (label, value, throws) in BadIds)
        {
            yield return Case($"TryAcquireLease with a {label} holder", w => w.Leases.TryAcquireLeaseAsync(w.Alice, value!, TimeSpan.FromMinutes(1)), throws, "holder");
        }

        yield return Case("TryAcquireLease for zero time", w => w.Leases.TryAcquireLeaseAsync(w.Alice, "agent", TimeSpan.Zero), typeof(ArgumentOutOfRangeException), "ttl");
        yield return Case("TryAcquireLease for a negative time", w => w.Leases.TryAcquireLeaseAsync(w.Alice, "agent", TimeSpan.FromSeconds(-1)), typeof(ArgumentOutOfRangeException), "ttl");
        yield return Case("TryAcquireLease for over a day", w => w.Leases.TryAcquireLeaseAsync(w.Alice, "agent", TimeSpan.FromDays(2)), typeof(ArgumentOutOfRangeException), "ttl");
        yield return Case("TryAcquireLease for TimeSpan.MaxValue", w => w.Leases.TryAcquireLeaseAsync(w.Alice, "agent", TimeSpan.MaxValue), typeof(ArgumentOutOfRangeException), "ttl");
        yield return Case("ReleaseLease null", w => w.Leases.ReleaseLeaseAsync(null!), typeof(ArgumentNullException), "lease");
        yield return Case("BeginTurn with a negative timeout", w => w.Leases.BeginTurnAsync(w.Alice, new TurnOptions { Timeout = TimeSpan.FromSeconds(-1) }), typeof(ArgumentOutOfRangeException), "options");
        yield return Case("BeginTurn with a zero lease", w => w.Leases.BeginTurnAsync(w.Alice, new TurnOptions { LeaseDuration = TimeSpan.Zero }), typeof(ArgumentOutOfRangeException), "options");
        yield return Case("ReleaseLease with Guid.Empty", w => w.Leases.ReleaseLeaseAsync(new SessionLease(Guid.Empty, "x", StartTime)), typeof(ArgumentException), "sessionId");
        yield return Case("ReleaseLease with a blank holder", w => w.Leases.ReleaseLeaseAsync(new SessionLease(w.Alice, " ", StartTime)), typeof(ArgumentException), "lease");
        yield return Case("BeginTurn with a negative lease", w => w.Leases.BeginTurnAsync(w.Alice, new TurnOptions { LeaseDuration = TimeSpan.FromSeconds(-1) }), typeof(ArgumentOutOfRangeException), "options");
    }

    private static IEnumerable<BadCase> IdentityCases()
    {
        foreach (var (label, value) in BadOptionalIds)
        {
            yield return Case($"Tokens.Issue with a {label} device id", w => w.Tokens.IssueAsync("alice", w.Alice, value), typeof(ArgumentException), "deviceId");
            yield return Case($"Devices.Register with a {label} device id", w => w.Devices.RegisterAsync("alice", new DeviceRegistration { DeviceId = value }), typeof(ArgumentException), "registration");
            yield return Case($"Devices.Register with a {label} display name", w => w.Devices.RegisterAsync("alice", new DeviceRegistration { DeviceId = "tablet", DisplayName = value }), typeof(ArgumentException), "registration");
            yield return Case($"Resolve with a {label} user id", w => w.Resolver.ResolveAsync(new SessionResolutionRequest { UserId = value, DeviceId = "tablet" }), typeof(ArgumentException), "request");
            yield return Case($"Resolve with a {label} device id", w => w.Resolver.ResolveAsync(new SessionResolutionRequest { UserId = "alice", DeviceId = value }), typeof(ArgumentException), "request");
        }

        foreach (var (label, value, throws) in BadIds)
        {
            yield return Case($"Devices.Find with a {label} device id", w => w.Devices.FindAsync("alice", value!), throws, "deviceId");
            yield return Case($"Devices.Touch with a {label} device id", w => w.Devices.TouchAsync("alice", value!), throws, "deviceId");
            yield return Case($"Devices.Forget with a {label} device id", w => w.Devices.ForgetAsync("alice", value!), throws, "deviceId");
        }

        yield return Case("Tokens.Issue for no time", w => w.Tokens.IssueAsync("alice", w.Alice, lifetime: TimeSpan.Zero), typeof(ArgumentOutOfRangeException), "lifetime");
        yield return Case("Tokens.Issue for a negative time", w => w.Tokens.IssueAsync("alice", w.Alice, lifetime: TimeSpan.FromDays(-1)), typeof(ArgumentOutOfRangeException), "lifetime");
        yield return Case("Tokens.Issue for TimeSpan.MaxValue", w => w.Tokens.IssueAsync("alice", w.Alice, lifetime: TimeSpan.MaxValue), typeof(ArgumentOutOfRangeException), "lifetime");
        yield return Case("Tokens.Validate null", w => w.Tokens.ValidateAsync(null!), typeof(ArgumentNullException), "token");
        yield return Case("Tokens.ValidateOrThrow null", w => w.Tokens.ValidateOrThrowAsync(null!), typeof(ArgumentNullException), "token");
        yield return Case("Tokens.Rotate null", w => w.Tokens.RotateAsync(null!), typeof(ArgumentNullException), "token");
        yield return Case("Tokens.Revoke null", w => w.Tokens.RevokeAsync(null!), typeof(ArgumentNullException), "token");
        foreach (var (label, value) in HostileText.Concat([("empty", ""), ("lone surrogate", LoneSurrogate), ("prefix only", "sk_"), ("oversized", "sk_" + new string('A', 100_000))]))
        {
            yield return Case($"Tokens.Validate of a hostile token ({label}) is invalid", async w => Assert.That((await w.Tokens.ValidateAsync(value)).IsValid, Is.False), null);
            yield return Case($"Tokens.Rotate of a hostile token ({label})", w => w.Tokens.RotateAsync(value), typeof(InvalidSessionTokenException));
            yield return Case($"ClaimAnonymous with a hostile token ({label})", w => w.Resolver.ClaimAnonymousAsync(value, "carol"), typeof(InvalidSessionTokenException));
        }

        yield return Case("ClaimAnonymous with a null token", w => w.Resolver.ClaimAnonymousAsync(null!, "carol"), typeof(ArgumentNullException), "anonymousToken");
        yield return Case("ClaimAnonymous by an anonymous user", w => w.Resolver.ClaimAnonymousAsync(w.VisitorToken, "anon:someone"), typeof(ArgumentException), "userId", "anonymous");
        yield return Case("ClaimAnonymous with a signed-in user's token", w => w.Resolver.ClaimAnonymousAsync(w.AliceToken, "mallory"), typeof(SessionAccessDeniedException));
        yield return Case("Resolve null", w => w.Resolver.ResolveAsync(null!), typeof(ArgumentNullException), "request");
        yield return Case("Resolve with an oversized title", w => w.Resolver.ResolveAsync(new SessionResolutionRequest { UserId = "mallory", DeviceId = "pc", Title = new string('t', 1025) }), typeof(ArgumentException), "request", "MaxTitleLength");
        yield return Case("Resolve with a fingerprint with a null value", w => w.Resolver.ResolveAsync(new SessionResolutionRequest { UserId = "mallory", Fingerprint = new Dictionary<string, string> { ["os"] = null! } }), typeof(ArgumentException), "registration", "null value");
        yield return Case("Devices.Register null", w => w.Devices.RegisterAsync("alice", null!), typeof(ArgumentNullException), "registration");
        yield return Case("Devices.Recognize null", w => w.Devices.RecognizeAsync("alice", null!), typeof(ArgumentNullException), "fingerprint");
        foreach (var (label, fingerprint) in BadFingerprints())
        {
            yield return Case($"Devices.Register with a fingerprint {label}", w => w.Devices.RegisterAsync("alice", new DeviceRegistration { DeviceId = "tablet", Fingerprint = fingerprint }), typeof(ArgumentException), "registration");
            yield return Case($"Devices.Recognize with a fingerprint {label}", w => w.Devices.RecognizeAsync("alice", fingerprint), typeof(ArgumentException), "fingerprint");
        }

        yield return Case("Export with an oversized user id writes nothing to the stream", async w =>
        {
            using var stream = new MemoryStream();
            try
            {
                await w.Exporter.ExportUserAsync(LongId, stream);
            }
            finally
            {
                Assert.That(stream.Length, Is.Zero, "nothing was written before the id was refused");
            }
        }, typeof(ArgumentException), "userId");
        yield return Case("Export to a null stream", w => w.Exporter.ExportUserAsync("alice", null!), typeof(ArgumentNullException), "utf8Json");
        yield return Case("Export to a read-only stream", w => w.Exporter.ExportUserAsync("alice", new MemoryStream([], writable: false)), typeof(ArgumentException), "utf8Json");
    }

    private static IEnumerable<(string Label, IReadOnlyDictionary<string, string> Fingerprint)> BadFingerprints()
    {
        yield return ("with a null value", new Dictionary<string, string> { ["os"] = "ios", ["model"] = null! });
        yield return ("with a blank name", new Dictionary<string, string> { [" "] = "ios" });
        yield return ("with a lone surrogate", new Dictionary<string, string> { ["os"] = LoneSurrogate });
        yield return ("with an oversized value", new Dictionary<string, string> { ["os"] = new string('v', 4097) });
        yield return ("with an oversized name", new Dictionary<string, string> { [new string('n', 257)] = "v" });
        yield return ("with too many attributes", Enumerable.Range(0, 65).ToDictionary(i => $"a{i}", i => "v"));
        yield return ("with names equal but for case", new Dictionary<string, string> { ["OS"] = "ios", ["os"] = "android" });
    }

    private static IEnumerable<BadCase> AccessCases()
    {
        yield return Case("ForCaller null", w => Task.FromResult(w.Accessor.ForCaller(null!)), typeof(ArgumentNullException), "caller");
        yield return Case("Grant to a null grantee", w => w.Scope("alice").GrantAsync(w.Alice, null!, SessionAccess.Read), typeof(ArgumentNullException), "grantee");
        yield return Case("Grant an undefined access", w => w.Scope("alice").GrantAsync(w.Alice, SessionCaller.Agent("x"), (SessionAccess)77), typeof(ArgumentOutOfRangeException), "access");
        yield return Case("Grant no access", w => w.Scope("alice").GrantAsync(w.Alice, SessionCaller.Agent("x"), SessionAccess.None), typeof(ArgumentOutOfRangeException), "access");
        yield return Case("Grant for a negative lifetime", w => w.Scope("alice").GrantAsync(w.Alice, SessionCaller.Agent("x"), SessionAccess.Read, TimeSpan.FromHours(-1)), typeof(ArgumentOutOfRangeException), "lifetime");
        yield return Case("Grant with Guid.Empty session", w => w.Scope("alice").GrantAsync(Guid.Empty, SessionCaller.Agent("x"), SessionAccess.Read), typeof(ArgumentException), "sessionId");
        yield return Case("Grant to oneself", w => w.Scope("alice").GrantAsync(w.Alice, SessionCaller.User("alice"), SessionAccess.Read), typeof(ArgumentException), "grantee");
        yield return Case("Grant by an agent", w => w.Accessor.ForCaller(SessionCaller.Agent("reader")).GrantAsync(w.Alice, SessionCaller.Agent("x"), SessionAccess.Read), typeof(SessionAccessDeniedException));
        yield return Case("RevokeGrant of a null grantee", w => w.Scope("alice").RevokeGrantAsync(w.Alice, null!), typeof(ArgumentNullException), "grantee");
        yield return Case("ForgetDevice null", w => w.Scope("alice").ForgetDeviceAsync(null!), typeof(ArgumentNullException), "deviceId");
        yield return Case("SaveGrant null", w => w.Access.SaveGrantAsync(null!), typeof(ArgumentNullException), "grant");
        // Callers are plain values (the store's id limits apply where they are used): blank ids are refused, and Parse is a
        // parser, so text that is not a principal is a FormatException.
        foreach (var (label, value, throws) in BadIds.Take(3))
        {
            yield return Case($"SessionCaller.User with a {label} id", _ => Task.FromResult(SessionCaller.User(value!)), throws, "userId");
            yield return Case($"SessionCaller.Agent with a {label} id", _ => Task.FromResult(SessionCaller.Agent(value!)), throws, "agentId");
        }

        yield return Case("SessionCaller.Parse of null", _ => Task.FromResult(SessionCaller.Parse(null!)), typeof(ArgumentNullException), "principal");
        foreach (var (label, value) in HostileText.Concat([("empty", ""), ("blank user", "user:  "), ("blank agent", "agent:"), ("other kind", "admin:root")]))
        {
            yield return Case($"SessionCaller.Parse of text that is no principal ({label})", _ => Task.FromResult(SessionCaller.Parse(value)), typeof(FormatException), message: "principal");
        }
    }

    // Bob (a user), and an agent granted only read access, try every operation on alice's session: each is denied.
    private static IEnumerable<BadCase> CrossUserCases()
    {
        var operations = new (string Name, bool ReadOnly, Func<SessionScope, World, Task> Run)[]
        {
            ("GetSession", true, (s, w) => s.GetSessionAsync(w.Alice)),
            ("GetLastMessages", true, (s, w) => s.GetLastMessagesAsync(w.Alice, 5)),
            ("GetMessages", true, (s, w) => s.GetMessagesAsync(w.Alice, 1, 5)),
            ("ReadAllMessages", true, (s, w) => DrainFirstAsync(s.ReadAllMessagesAsync(w.Alice))),
            ("CountMessages", true, (s, w) => s.CountMessagesAsync(w.Alice)),
            ("GetSummaries", true, (s, w) => s.GetSummariesAsync(w.Alice)),
            ("Search in the session", true, (s, w) => s.SearchAsync("alice", new SearchQuery { Text = "carbon", SessionId = w.Alice })),
            ("ListSessions of alice", true, (s, _) => s.ListSessionsAsync("alice")),
            ("GetState", true, (s, w) => s.GetStateAsync(StateScope.Session, w.Alice.ToString(), "plan")),
            ("ListState", true, (s, w) => s.ListStateAsync(StateScope.Session, w.Alice.ToString())),
            ("GetUserState", true, (s, _) => s.GetStateAsync(StateScope.User, "alice", "prefs")),
            ("GetRevisions", true, (s, w) => s.GetMessageRevisionsAsync(w.Alice, 1)),
            ("Context.Build", true, (s, w) => s.Context.BuildAsync(w.Alice, new ContextRequest { TokenBudget = 500 })),
            ("WatchChanges", true, (s, w) => DrainFirstAsync(s.WatchChangesAsync(w.Alice, 0))),
            ("UpdateSession", false, (s, w) => s.UpdateSessionAsync(w.Alice, new SessionUpdate { Title = "pwned" })),
            ("DeleteSession", false, (s, w) => s.DeleteSessionAsync(w.Alice)),
            ("AppendMessages", false, (s, w) => s.AppendMessagesAsync(w.Alice, [NewMessage.User("injected")])),
            ("SaveSummary", false, (s, w) => s.SaveSummaryAsync(w.Alice, new NewSummary(1, 1, 1, "fake", "t"))),
            ("InvalidateSummaries", false, (s, w) => s.InvalidateSummariesAsync(w.Alice, 1)),
            ("EditMessage", false, (s, w) => s.EditMessageAsync(w.Alice, 1, "rewritten")),
            ("DeleteMessage", false, (s, w) => s.DeleteMessageAsync(w.Alice, 1)),
            ("Rewind", false, (s, w) => s.RewindAsync(w.Alice, 1)),
            ("Fork", false, (s, w) => s.ForkSessionAsync(w.Alice, 2)),
            ("SetState", false, (s, w) => s.SetStateAsync(StateScope.Session, w.Alice.ToString(), "plan", "evil")),
            ("DeleteState", false, (s, w) => s.DeleteStateAsync(StateScope.Session, w.Alice.ToString(), "plan")),
            ("SetUserState", false, (s, _) => s.SetStateAsync(StateScope.User, "alice", "prefs", "evil")),
            ("TryAcquireLease", false, (s, w) => s.TryAcquireLeaseAsync(w.Alice, "x", TimeSpan.FromMinutes(1))),
            ("Context.Summarize", false, (s, w) => s.Context.SummarizeAsync(w.Alice)),
            ("Grant", false, (s, w) => s.GrantAsync(w.Alice, SessionCaller.User("mallory"), SessionAccess.ReadWrite)),
        };
        foreach (var (name, readOnly, run) in operations)
        {
            yield return Case($"Bob's {name} on alice's session is denied", w => run(w.Scope("bob"), w), typeof(SessionAccessDeniedException));
            if (!readOnly)
            {
                yield return Case($"A read-only agent's {name} on alice's session is denied", w => run(w.Accessor.ForCaller(SessionCaller.Agent("reader")), w), typeof(SessionAccessDeniedException));
            }
        }

        yield return Case("Bob's search for alice's words finds none of them", async w =>
        {
            var results = await w.Scope("bob").SearchAsync("bob", new SearchQuery { Text = "carbon methane" });
            Assert.That(results.Items.Select(h => h.Message.SessionId), Has.None.EqualTo(w.Alice));
        }, null);
    }

    // A change feed never ends by itself: the first item (or the exception) is enough.
    private static async Task DrainFirstAsync<T>(IAsyncEnumerable<T> source)
    {
        await using var enumerator = source.GetAsyncEnumerator();
        await enumerator.MoveNextAsync();
    }

    private static string Shorten(string text) => text.Length > 20 ? text[..20] + "…" : text.Replace("\uD800", "\\uD800", StringComparison.Ordinal);
}
