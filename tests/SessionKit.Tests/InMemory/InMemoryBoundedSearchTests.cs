using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace SessionKit.Tests.InMemory;

// The in-memory store's bounded search (hybrid's word half, the context builder's recall): the newest BoundedSearchRows
// messages in scope plus older matches of rare words, with the exact search's scores; lowered bounds keep the data tiny.
[TestFixture]
public sealed class InMemoryBoundedSearchTests
{
    private static readonly string[] Queries = ["glacier", "aurora glacier", "week melts", "glacier glaciers aurora", "sofa cat", "nothing matches this"];

    private FakeTimeProvider _clock = null!;
    private InMemorySessionStore _store = null!;

    [SetUp]
    public void SetUp()
    {
        _clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        _store = new InMemorySessionStore(timeProvider: _clock);
    }

    [TearDown]
    public async Task TearDownAsync() => await _store.DisposeAsync();

    private static SearchQuery Query(string text, Guid? sessionId = null, bool bounded = true) =>
        new() { Text = text, SessionId = sessionId, Limit = SearchQuery.MaxLimit, Bounded = bounded };

    private async Task<IReadOnlyList<SessionMessage>> AppendAsync(Guid sessionId, params string[] texts)
    {
        _clock.Advance(TimeSpan.FromSeconds(1));
        return (await _store.AppendMessagesAsync(sessionId, [.. texts.Select(t => NewMessage.User(t))])).Messages;
    }

    private static string[] Glacier(int from, int count) =>
        [.. Enumerable.Range(from, count).Select(i => $"The glacier melts a little more in week {i}, glacier after glacier.")];

    // The bounded result must be the exact ranking restricted to `kept`: the same order and bit-identical scores.
    private async Task AssertBoundedIsExactOverAsync(string user, string text, Guid? sessionId, HashSet<Guid>? kept, string because)
    {
        var exact = await _store.SearchAsync(user, Query(text, sessionId, bounded: false));
        var bounded = await _store.SearchAsync(user, Query(text, sessionId));
        var expected = exact.Items.Where(h => kept is null || kept.Contains(h.Message.Id)).ToList();
        Assert.That(bounded.Items.Select(h => h.Message.Id), Is.EqualTo(expected.Select(h => h.Message.Id)), because);
        Assert.That(bounded.Items.Select(h => h.Score), Is.EqualTo(expected.Select(h => h.Score)), because + ": scores");
        Assert.That(bounded.Items.Select(h => h.Snippet), Is.All.Empty, because + ": a bounded search cuts no snippets");
    }

    [Test]
    public async Task Bounded_WithEveryMessageWithinTheBound_RanksExactlyLikeTheExactSearch_PagesIncluded()
    {
        var first = await _store.CreateSessionAsync("alice");
        var second = await _store.CreateSessionAsync("alice");
        var bobs = await _store.CreateSessionAsync("bob");
        await AppendAsync(first.Id, ["An aurora glows over the glacier tonight.", "My cat sleeps on the sofa.", .. Glacier(1, 6)]);
        await AppendAsync(second.Id, ["Glaciers and an aurora, week after week.", "The cat melts into the sofa."]);
        await AppendAsync(bobs.Id, "Bob saw an aurora and a glacier.");
        await AppendAsync(first.Id, Glacier(7, 3));

        Assert.That(_store.BoundedSearchRows, Is.EqualTo(1_000), "the default bound, as on SQLite and PostgreSQL");
        foreach (string text in Queries)
        {
            await AssertBoundedIsExactOverAsync("alice", text, null, null, text);
            await AssertBoundedIsExactOverAsync("alice", text, first.Id, null, text + ", one session");
            await AssertBoundedIsExactOverAsync("bob", text, null, null, text + ", bob");
            await AssertBoundedIsExactOverAsync("alice", text, bobs.Id, null, text + ", another user's session finds nothing");
        }

        var exact = await _store.SearchAsync("alice", Query("glacier week", bounded: false));
        var page1 = await _store.SearchAsync("alice", Query("glacier week") with { Limit = 4 });
        var page2 = await _store.SearchAsync("alice", Query("glacier week") with { Limit = 4, Cursor = page1.NextCursor });
        Assert.That(page1.Items.Concat(page2.Items).Select(h => h.Message.Id), Is.EqualTo(exact.Items.Take(8).Select(h => h.Message.Id)));
    }

    [Test]
    public async Task Bounded_BeyondTheBound_RanksTheNewestMatchesAndOlderRareWordMatches_WithExactScores()
    {
        _store.BoundedSearchRows = 4;
        var session = await _store.CreateSessionAsync("alice");
        var other = await _store.CreateSessionAsync("alice");
        var stranger = await _store.CreateSessionAsync("bob");
        var stored = await AppendAsync(session.Id, ["An aurora glows over the glacier tonight.", .. Glacier(1, 9)]);
        var note = (await AppendAsync(other.Id, "Another glacier note."))[0];
        await AppendAsync(stranger.Id, "Bob saw an aurora and a glacier.");

        // Alice's newest 4 (the other session's note and the last 3 of the first session) plus the old row with "aurora",
        // rare (2 messages in the store, within the bound).
        var kept = new HashSet<Guid>(stored.Skip(7).Select(m => m.Id)) { stored[0].Id, note.Id };
        await AssertBoundedIsExactOverAsync("alice", "aurora glacier", null, kept, "user scope");
        var bounded = await _store.SearchAsync("alice", Query("aurora glacier"));
        Assert.That(bounded.Items[0].Message.Id, Is.EqualTo(stored[0].Id), "the rare word's old match ranks first, as in the exact ranking");

        // One session: its own newest 4 plus the rare-word row.
        var sessionKept = new HashSet<Guid>(stored.Skip(6).Select(m => m.Id)) { stored[0].Id };
        await AssertBoundedIsExactOverAsync("alice", "aurora glacier", session.Id, sessionKept, "session scope");

        // A word in more messages than the bound is not rare: only the newest rows are ranked for it.
        var common = await _store.SearchAsync("alice", Query("glacier"));
        Assert.That(common.Items.Select(h => h.Message.Id), Is.EquivalentTo(stored.Skip(7).Select(m => m.Id).Append(note.Id)));

        // Filters the bound does not cover (role, time) and plain searches rank every match.
        var byRole = await _store.SearchAsync("alice", Query("glacier") with { Role = MessageRole.User });
        Assert.That(byRole.Items, Has.Count.EqualTo(11));
        var exact = await _store.SearchAsync("alice", Query("glacier", bounded: false));
        Assert.That(exact.Items, Has.Count.EqualTo(11));
    }

    [Test]
    public async Task Bounded_TheNewestAreByCreationTime_AcrossSessions()
    {
        _store.BoundedSearchRows = 3;
        var older = await _store.CreateSessionAsync("alice");
        var newer = await _store.CreateSessionAsync("alice");
        var a = await AppendAsync(older.Id, Glacier(1, 2));
        var b = await AppendAsync(newer.Id, Glacier(3, 2));
        var c = await AppendAsync(older.Id, Glacier(5, 1));

        // The newest three by time interleave the sessions: b (both) then c, not the older session's tail alone.
        var hits = await _store.SearchAsync("alice", Query("glacier"));
        Assert.That(hits.Items.Select(h => h.Message.Id), Is.EquivalentTo(b.Concat(c).Select(m => m.Id)));
        Assert.That(hits.Items.Select(h => h.Message.Id), Does.Not.Contain(a[0].Id).And.Not.Contain(a[1].Id));
    }

    [Test]
    public async Task Bounded_StaysConsistentThroughEditDeleteRewindForkTransferAndErase()
    {
        _store.BoundedSearchRows = 3;
        var session = await _store.CreateSessionAsync("alice");
        var stored = await AppendAsync(session.Id, ["An aurora glows over the glacier tonight.", .. Glacier(1, 5)]);

        // Edit the newest: its new words are found, its old ones are not, and the window still holds the newest three.
        _clock.Advance(TimeSpan.FromSeconds(1));
        await _store.EditMessageAsync(session.Id, stored[^1].Sequence, "A comet over the glacier.");
        Assert.That((await _store.SearchAsync("alice", Query("comet"))).Items.Select(h => h.Message.Sequence), Is.EqualTo(new[] { stored[^1].Sequence }));
        Assert.That((await _store.SearchAsync("alice", Query("glacier"))).Items.Select(h => h.Message.Sequence), Is.EquivalentTo(new long[] { 4, 5, 6 }));

        // Delete and rewind move the window back over older messages.
        await _store.DeleteMessageAsync(session.Id, 6);
        Assert.That((await _store.SearchAsync("alice", Query("glacier"))).Items.Select(h => h.Message.Sequence), Is.EquivalentTo(new long[] { 3, 4, 5 }));
        await _store.RewindAsync(session.Id, 3);
        Assert.That((await _store.SearchAsync("alice", Query("glacier"))).Items.Select(h => h.Message.Sequence), Is.EquivalentTo(new long[] { 1, 2, 3 }));
        Assert.That((await _store.SearchAsync("alice", Query("comet"))).Items, Is.Empty);

        // A fork's copies are the same age as the originals, in a newer session: they take the window.
        _clock.Advance(TimeSpan.FromSeconds(1));
        var fork = await _store.ForkSessionAsync(session.Id, 3);
        var forked = await _store.SearchAsync("alice", Query("glacier"));
        Assert.That(forked.Items.Select(h => h.SessionId), Is.All.EqualTo(fork.Id));
        await AssertBoundedIsExactOverAsync("alice", "aurora glacier", session.Id, null, "the source session, within the bound");

        // A transfer moves the messages to the new owner's index; an erase leaves nothing behind.
        await _store.TransferSessionsAsync("alice", "carol");
        Assert.That((await _store.SearchAsync("alice", Query("glacier"))).Items, Is.Empty);
        Assert.That((await _store.SearchAsync("carol", Query("glacier"))).Items, Has.Count.EqualTo(3));
        await _store.EraseUserAsync("carol");
        Assert.That((await _store.SearchAsync("carol", Query("glacier"))).Items, Is.Empty);
        Assert.That((await _store.SearchAsync("carol", Query("glacier", bounded: false))).Items, Is.Empty);
    }

    [Test]
    public void BoundedSearchRows_BelowOne_IsRefused_AndKeepsTheBound()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => _store.BoundedSearchRows = 0);
        Assert.That(error!.ParamName, Is.EqualTo("value"));
        Assert.That(_store.BoundedSearchRows, Is.EqualTo(1_000));
    }
}
