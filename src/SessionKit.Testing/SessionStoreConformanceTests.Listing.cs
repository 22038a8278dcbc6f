using NUnit.Framework;
using SessionKit.Storage;

namespace SessionKit.Testing;

// Listing a user's sessions: order, keyset paging and isolation between users.
public abstract partial class SessionStoreConformanceTests
{
    [Test]
    public async Task ListSessions_ReturnsNewestActivityFirst()
    {
        var sessions = await CreateSessionsAsync("alice", 3);

        var page = await Store.ListSessionsAsync("alice");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(page.Items.Select(s => s.Id), Is.EqualTo(new[] { sessions[2].Id, sessions[1].Id, sessions[0].Id }));
            Assert.That(page.Items.Select(s => s.Title), Is.EqualTo(new[] { "session 2", "session 1", "session 0" }));
            Assert.That(page.NextCursor, Is.Null);
        }
    }

    [Test]
    public async Task ListSessions_ByCreation_VisitsEverySessionExactlyOnce_WhileActivityReordersThem()
    {
        var sessions = await CreateSessionsAsync("alice", 10);
        await CreateSessionsAsync("bob", 2);
        var seen = new List<Guid>();
        string? cursor = null;
        int pages = 0;
        do
        {
            var page = await Store.ListSessionsAsync("alice", new SessionListOptions { PageSize = 3, Cursor = cursor, Order = SessionListOrder.Created });
            seen.AddRange(page.Items.Select(s => s.Id));
            cursor = page.NextCursor;
            pages++;

            // Activity on sessions already listed and not yet listed: in the activity order this moves them past the cursor.
            Time.Advance(TimeSpan.FromSeconds(1));
            foreach (var session in sessions.Where((_, i) => i % 3 == pages % 3))
            {
                await AppendAsync(session.Id, "moved");
            }
        }
        while (cursor is not null);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(seen, Is.EqualTo(sessions.Select(s => s.Id).Reverse()), "newest created first, each once");
            Assert.That(pages, Is.EqualTo(4));
        }
    }

    [Test]
    public async Task ListSessions_WithTheOtherOrdersCursor_ThrowsArgumentException()
    {
        await CreateSessionsAsync("alice", 3);
        var byActivity = await Store.ListSessionsAsync("alice", new SessionListOptions { PageSize = 1 });
        var byCreation = await Store.ListSessionsAsync("alice", new SessionListOptions { PageSize = 1, Order = SessionListOrder.Created });

        using (Assert.EnterMultipleScope())
        {
            Assert.ThrowsAsync<ArgumentException>(() => Store.ListSessionsAsync("alice", new SessionListOptions { Cursor = byActivity.NextCursor, Order = SessionListOrder.Created }));
            Assert.ThrowsAsync<ArgumentException>(() => Store.ListSessionsAsync("alice", new SessionListOptions { Cursor = byCreation.NextCursor }));
            Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.ListSessionsAsync("alice", new SessionListOptions { Order = (SessionListOrder)7 }));
        }
    }

    [Test]
    public async Task ListSessions_AfterAppendingToAnOlderSession_ListsItFirst()
    {
        var sessions = await CreateSessionsAsync("alice", 3);
        Time.Advance(TimeSpan.FromMinutes(1));

        await AppendAsync(sessions[0].Id, "back again");

        var page = await Store.ListSessionsAsync("alice");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(page.Items.Select(s => s.Id), Is.EqualTo(new[] { sessions[0].Id, sessions[2].Id, sessions[1].Id }));
            Assert.That(page.Items[0].LastActivityAt, Is.EqualTo(Time.GetUtcNow()));
            Assert.That(page.Items[0].MessageCount, Is.EqualTo(1));
            Assert.That(page.Items[0].Version, Is.EqualTo(2));
        }
    }

    [Test]
    public async Task ListSessions_WithPageSizeThreeOverTenSessions_ReturnsEachOnceInOrder_AndTheLastPageHasNoCursor()
    {
        var sessions = await CreateSessionsAsync("alice", 10);
        var expected = sessions.Select(s => s.Id).Reverse().ToList();

        var pages = await ListAllPagesAsync("alice", 3);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(pages.Select(p => p.Items.Count), Is.EqualTo(new[] { 3, 3, 3, 1 }));
            Assert.That(pages.SelectMany(p => p.Items).Select(s => s.Id), Is.EqualTo(expected));
            Assert.That(pages.Take(3).Select(p => p.NextCursor), Is.All.Not.Null);
            Assert.That(pages[^1].NextCursor, Is.Null);
        }
    }

    [Test]
    public async Task ListSessions_WhenTheLastPageIsFull_ReturnsNoCursor()
    {
        var sessions = await CreateSessionsAsync("alice", 9);

        var pages = await ListAllPagesAsync("alice", 3);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(pages.Select(p => p.Items.Count), Is.EqualTo(new[] { 3, 3, 3 }));
            Assert.That(pages.SelectMany(p => p.Items).Select(s => s.Id), Is.EqualTo(sessions.Select(s => s.Id).Reverse()));
        }
    }

    [Test]
    public async Task ListSessions_WithEqualActivityTimes_PagesThroughEveryoneOnce_OrderedByIdDescending()
    {
        // All created at the same instant: the id breaks the tie, so paging must neither skip nor repeat.
        var sessions = new List<Session>();
        for (int i = 0; i < 7; i++)
        {
            sessions.Add(await CreateSessionAsync("alice"));
        }

        var expected = sessions.OrderBy(SessionListPosition.Of).Select(s => s.Id).ToList();

        var pages = await ListAllPagesAsync("alice", 2);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(pages.SelectMany(p => p.Items).Select(s => s.Id), Is.EqualTo(expected));
            Assert.That(pages.Select(p => p.Items.Count), Is.EqualTo(new[] { 2, 2, 2, 1 }));
        }
    }

    [Test]
    public async Task ListSessions_CreatingASessionWhilePaging_NeitherSkipsNorRepeatsTheRemainingOnes()
    {
        var sessions = await CreateSessionsAsync("alice", 10);
        var expected = sessions.Select(s => s.Id).Reverse().ToList();
        var first = await Store.ListSessionsAsync("alice", new SessionListOptions { PageSize = 3 });

        Time.Advance(TimeSpan.FromSeconds(1));
        var newcomer = await CreateSessionAsync("alice");
        var seen = first.Items.Select(s => s.Id).ToList();
        string? cursor = first.NextCursor;
        while (cursor is not null)
        {
            var page = await Store.ListSessionsAsync("alice", new SessionListOptions { PageSize = 3, Cursor = cursor });
            seen.AddRange(page.Items.Select(s => s.Id));
            cursor = page.NextCursor;
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(seen, Is.EqualTo(expected));
            Assert.That((await Store.ListSessionsAsync("alice", new SessionListOptions { PageSize = 1 })).Items.Single().Id, Is.EqualTo(newcomer.Id));
        }
    }

    [Test]
    public async Task ListSessions_DeletingASessionWhilePaging_NeitherSkipsNorRepeatsTheRemainingOnes()
    {
        var sessions = await CreateSessionsAsync("alice", 10);
        var first = await Store.ListSessionsAsync("alice", new SessionListOptions { PageSize = 3 });

        // The last item on the page (the cursor's own session) and one further down both go away.
        await Store.DeleteSessionAsync(first.Items[^1].Id);
        await Store.DeleteSessionAsync(sessions[2].Id);
        var rest = new List<Guid>();
        string? cursor = first.NextCursor;
        while (cursor is not null)
        {
            var page = await Store.ListSessionsAsync("alice", new SessionListOptions { PageSize = 3, Cursor = cursor });
            rest.AddRange(page.Items.Select(s => s.Id));
            cursor = page.NextCursor;
        }

        var expectedRest = sessions.Select(s => s.Id).Reverse().Skip(3).Where(id => id != sessions[2].Id);
        Assert.That(rest, Is.EqualTo(expectedRest));
    }

    [TestCase("not a cursor")]
    [TestCase("")]
    [TestCase("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [TestCase("!!!!")]
    public async Task ListSessions_WithInvalidCursor_ThrowsArgumentException(string cursor)
    {
        await CreateSessionsAsync("alice", 2);

        Assert.ThrowsAsync<ArgumentException>(() => Store.ListSessionsAsync("alice", new SessionListOptions { Cursor = cursor }));
    }

    [Test]
    public async Task ListSessions_WithTruncatedCursor_ThrowsArgumentException()
    {
        await CreateSessionsAsync("alice", 3);
        var first = await Store.ListSessionsAsync("alice", new SessionListOptions { PageSize = 1 });
        string cursor = first.NextCursor!;

        Assert.ThrowsAsync<ArgumentException>(() => Store.ListSessionsAsync("alice", new SessionListOptions { Cursor = cursor[..^2] }));
    }

    [TestCase(0)]
    [TestCase(-1)]
    [TestCase(SessionListOptions.MaxPageSize + 1)]
    public void ListSessions_WithPageSizeOutOfRange_ThrowsArgumentOutOfRangeException(int pageSize)
    {
        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.ListSessionsAsync("alice", new SessionListOptions { PageSize = pageSize }));
    }

    [Test]
    public async Task ListSessions_WithMaxPageSize_IsAccepted()
    {
        await CreateSessionsAsync("alice", 2);

        var page = await Store.ListSessionsAsync("alice", new SessionListOptions { PageSize = SessionListOptions.MaxPageSize });

        Assert.That(page.Items, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task ListSessions_ForAnUnknownUser_ReturnsAnEmptyPageWithoutCursor()
    {
        await CreateSessionsAsync("alice", 2);

        var page = await Store.ListSessionsAsync("nobody");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(page.Items, Is.Empty);
            Assert.That(page.NextCursor, Is.Null);
        }
    }

    [Test]
    public async Task ListSessions_NeverReturnsAnotherUsersSessions()
    {
        // Ids that differ only by case, by whitespace, or that are SQL LIKE patterns matching each other, are different users.
        string[] users = ["alice", "Alice", "alice ", "bob", "user%", "user_", "user1", "'; DROP TABLE sessions; --", "用户"];
        var owned = new Dictionary<string, List<Guid>>();
        foreach (string user in users)
        {
            owned[user] = [];
        }

        for (int round = 0; round < 2; round++)
        {
            foreach (string user in users)
            {
                Time.Advance(TimeSpan.FromSeconds(1));
                owned[user].Add((await Store.CreateSessionAsync(user)).Id);
            }
        }

        using (Assert.EnterMultipleScope())
        {
            foreach (string user in users)
            {
                var page = await Store.ListSessionsAsync(user);
                Assert.That(page.Items.Select(s => s.Id), Is.EqualTo(Enumerable.Reverse(owned[user])), $"sessions of '{user}'");
                Assert.That(page.Items.Select(s => s.UserId), Is.All.EqualTo(user), $"owners listed for '{user}'");
            }
        }
    }

    [Test]
    public async Task ListSessions_ReturnsCurrentSessionState()
    {
        var session = await Store.CreateSessionAsync("alice", new SessionCreateOptions { Title = "t", Metadata = new Dictionary<string, string> { ["k"] = "v" } });
        await AppendAsync(session.Id, "a", "b");
        await Store.UpdateSessionAsync(session.Id, new SessionUpdate { Title = "renamed" });

        var listed = (await Store.ListSessionsAsync("alice")).Items.Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(listed.Title, Is.EqualTo("renamed"));
            Assert.That(listed.Version, Is.EqualTo(3));
            Assert.That(listed.MessageCount, Is.EqualTo(2));
            Assert.That(listed.LastSequence, Is.EqualTo(2));
            Assert.That(listed.Metadata, Is.EquivalentTo(new Dictionary<string, string> { ["k"] = "v" }));
            Assert.That(listed.CreatedAt, Is.EqualTo(StartTime));
        }
    }
}
