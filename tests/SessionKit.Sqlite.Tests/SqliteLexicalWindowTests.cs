using NUnit.Framework;

namespace SessionKit.Sqlite.Tests;

/// <summary>
/// A bounded user-wide search ranks the user's newest rows from a lexical window kept in memory. After every kind of
/// change — by this store or by another one on the same file — its hits and scores must be those of a store that reads
/// and counts the candidates afresh, and appends must be followed by reading only the new rows.
/// </summary>
[TestFixture]
internal sealed class SqliteLexicalWindowTests : SqliteFileFixture
{
    private const int Bound = 6;

    private static readonly string[] Queries = ["glacier aurora", "melting ice", "aurora", "tundra permafrost", "nothing matches this"];

    [Test]
    public async Task BoundedSearch_WithALexicalWindow_FollowsEveryChange_AndReadsOnlyNewRowsAfterAppends()
    {
        await using var store = Open();
        await using var other = Open();
        await using var fresh = Open();
        store.BoundedSearchRows = other.BoundedSearchRows = fresh.BoundedSearchRows = Bound;
        fresh.CacheLexicalWindows = false;

        var first = await store.CreateSessionAsync("alice");
        var second = await store.CreateSessionAsync("alice");
        var bob = await store.CreateSessionAsync("bob");
        var guest = await store.CreateSessionAsync("guest");
        await store.AppendMessagesAsync(first.Id, [.. Enumerable.Range(0, 8).Select(i => NewMessage.User($"The glacier melts in week {i}, melting ice and glacier ice."))]);
        await store.AppendMessagesAsync(second.Id, [NewMessage.User("An aurora over the tundra."), NewMessage.Assistant("Permafrost thaws under the tundra."), NewMessage.User("Aurora, glacier, aurora.")]);
        await store.AppendMessagesAsync(bob.Id, [NewMessage.User("Bob saw an aurora over a glacier.")]);
        await store.AppendMessagesAsync(guest.Id, [NewMessage.User("A guest asked about glacier aurora photos.")]);

        await AssertSameAsFreshAsync("alice's first search (no window yet)");
        await AssertSameAsFreshAsync("alice's second search (window read whole)");
        Assert.That(store.LexicalWindowCounts.Built, Is.EqualTo(1), "the window is read on the user's second search");
        await AssertSameAsFreshAsync("unchanged");
        Assert.That(store.LexicalWindowCounts.Reused, Is.GreaterThan(0), "an unchanged window is used as it is");

        // Appends (this store, another store, several at once), a title change and another user's writes: only new rows are read.
        await store.AppendMessagesAsync(first.Id, [NewMessage.Assistant("Glacier melting ice again, glacier.")]);
        await AssertSameAsFreshAsync("after an append");
        await other.AppendMessagesAsync(second.Id, [NewMessage.User("Aurora tonight."), NewMessage.User("Permafrost, permafrost.")]);
        await AssertSameAsFreshAsync("after another store's append");
        await other.UpdateSessionAsync(second.Id, new SessionUpdate { Title = "Northern lights" });
        await other.AppendMessagesAsync(second.Id, [NewMessage.User("A melting glacier under the aurora.")]);
        await AssertSameAsFreshAsync("after a title change and an append");
        await other.AppendMessagesAsync(bob.Id, [NewMessage.User("Bob's glacier melts.")]);
        await AssertSameAsFreshAsync("after another user's append");
        var counts = store.LexicalWindowCounts;
        Assert.That(counts.Built, Is.EqualTo(1), "appends and others' writes never make the window be read whole");
        Assert.That(counts.Refreshed, Is.EqualTo(3), "the first search after each change of alice's sessions read what changed (bob's append changed none of them)");

        // Corrections by another store (this store's window is not dropped then) and by this one.
        await other.EditMessageAsync(second.Id, 3, "Edited: no aurora here, only melting glacier ice.");
        await AssertSameAsFreshAsync("after another store's edit");
        await other.DeleteMessageAsync(first.Id, 9);
        await AssertSameAsFreshAsync("after another store's delete");
        await other.RewindAsync(second.Id, 4);
        await AssertSameAsFreshAsync("after another store's rewind");
        var fork = await other.ForkSessionAsync(first.Id, 8);
        await AssertSameAsFreshAsync("after another store's fork");
        Time.Advance(TimeSpan.FromDays(1));
        await other.AppendMessagesAsync(fork.Id, [NewMessage.User("A new aurora in the fork.")]);
        await other.DeleteMessagesBeforeAsync(first.Id, Time.GetUtcNow(), MessageRetentionMode.DeleteMessages, 3);
        await AssertSameAsFreshAsync("after another store's retention");
        await other.TransferSessionsAsync("guest", "alice");
        await AssertSameAsFreshAsync("after a transfer to alice");
        await other.DeleteSessionAsync(fork.Id);
        await AssertSameAsFreshAsync("after another store deleted a session");
        await store.EditMessageAsync(first.Id, 8, "Tundra and permafrost, edited here.");
        await AssertSameAsFreshAsync("after this store's edit");
        await store.RewindAsync(first.Id, 6);
        await AssertSameAsFreshAsync("after this store's rewind");
        await store.AppendMessagesAsync(first.Id, [NewMessage.User("Melting ice, the last word.")]);
        await AssertSameAsFreshAsync("after an append following the rewind");
        await other.EraseUserAsync("alice");
        await AssertSameAsFreshAsync("after another store erased alice");
        var erased = await store.SearchAsync("alice", new SearchQuery { Text = "glacier", Limit = SearchQuery.MaxLimit, Bounded = true });
        Assert.That(erased.Items, Is.Empty, "nothing of an erased user is found");

        async Task AssertSameAsFreshAsync(string because)
        {
            foreach (string text in Queries)
            {
                var query = new SearchQuery { Text = text, Limit = SearchQuery.MaxLimit, Bounded = true };
                var cached = await store.SearchAsync("alice", query);
                var expected = await fresh.SearchAsync("alice", query);
                Assert.That(cached.Items.Select(h => h.Message.Id), Is.EqualTo(expected.Items.Select(h => h.Message.Id)), $"{because}: {text}");
                Assert.That(cached.Items.Select(h => h.Score), Is.EqualTo(expected.Items.Select(h => h.Score)), $"{because}: {text}, scores");
                Assert.That(cached.Items.Select(h => h.Message.Content), Is.EqualTo(expected.Items.Select(h => h.Message.Content)), $"{because}: {text}, contents");
            }
        }
    }

    [Test]
    public async Task BoundedSearch_AfterThisStoreDeletesText_DropsEveryWindow()
    {
        await using var store = Open();
        var session = await store.CreateSessionAsync("alice");
        await store.AppendMessagesAsync(session.Id, [NewMessage.User("A secret glacier."), NewMessage.User("Another glacier.")]);
        var query = new SearchQuery { Text = "glacier", Limit = SearchQuery.MaxLimit, Bounded = true };
        await store.SearchAsync("alice", query);
        await store.SearchAsync("alice", query);
        Assert.That(store.LexicalWindowCounts.Built, Is.EqualTo(1));

        await store.DeleteMessageAsync(session.Id, 1);
        var after = await store.SearchAsync("alice", query);

        Assert.That(after.Items.Select(h => h.Message.Sequence), Is.EqualTo(new long[] { 2 }));
        Assert.That(store.LexicalWindowCounts.Refreshed, Is.Zero, "the deleted message's words were dropped with the window, not followed");
    }
}
