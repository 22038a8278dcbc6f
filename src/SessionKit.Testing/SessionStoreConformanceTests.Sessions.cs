using NUnit.Framework;
using SessionKit.Storage;

namespace SessionKit.Testing;

// Creating, reading, updating and deleting sessions.
public abstract partial class SessionStoreConformanceTests
{
    [Test]
    public async Task CreateSession_ReturnsVersionOneSessionStampedByTheClock()
    {
        Time.Advance(TimeSpan.FromHours(5));

        var session = await Store.CreateSessionAsync("alice");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(session.Id, Is.Not.EqualTo(Guid.Empty));
            Assert.That(session.Id.Version, Is.EqualTo(7));
            Assert.That(session.UserId, Is.EqualTo("alice"));
            Assert.That(session.Title, Is.Null);
            Assert.That(session.Version, Is.EqualTo(1));
            Assert.That(session.CreatedAt, Is.EqualTo(StartTime.AddHours(5)));
            Assert.That(session.LastActivityAt, Is.EqualTo(StartTime.AddHours(5)));
            Assert.That(session.CreatedAt.Offset, Is.EqualTo(TimeSpan.Zero));
            Assert.That(session.LastSequence, Is.Zero);
            Assert.That(session.MessageCount, Is.Zero);
            Assert.That(session.Metadata, Is.Not.Null.And.Empty);
        }
    }

    [Test]
    public async Task GetSession_ReturnsWhatWasCreated_IncludingTitleAndUnicodeMetadata()
    {
        var metadata = new Dictionary<string, string>
        {
            ["channel"] = "web",
            ["тема"] = "погода ☔",
            ["'; DROP TABLE sessions; --"] = "%_",
        };
        var created = await Store.CreateSessionAsync(
            "user 'o''brien' 😀",
            new SessionCreateOptions { Title = "Trip to 東京 — \"plans\"", Metadata = metadata });

        var found = await Store.GetSessionAsync(created.Id);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(found.Id, Is.EqualTo(created.Id));
            Assert.That(found.UserId, Is.EqualTo("user 'o''brien' 😀"));
            Assert.That(found.Title, Is.EqualTo("Trip to 東京 — \"plans\""));
            Assert.That(found.Metadata, Is.EquivalentTo(metadata));
            Assert.That(created.Metadata, Is.EquivalentTo(metadata));
            Assert.That(found.Version, Is.EqualTo(1));
            Assert.That(found.CreatedAt, Is.EqualTo(StartTime));
            Assert.That(found.LastActivityAt, Is.EqualTo(StartTime));
            Assert.That(found.LastSequence, Is.Zero);
            Assert.That(found.MessageCount, Is.Zero);
        }
    }

    [Test]
    public async Task CreateSession_WithEmptyTitle_HasNoTitle()
    {
        var session = await Store.CreateSessionAsync("alice", new SessionCreateOptions { Title = "" });

        var found = await Store.GetSessionAsync(session.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(session.Title, Is.Null);
            Assert.That(found.Title, Is.Null);
        }
    }

    [Test]
    public async Task CreateSession_CopiesMetadata_SoLaterChangesToTheCallersDictionaryHaveNoEffect()
    {
        var metadata = new Dictionary<string, string> { ["a"] = "1" };
        var session = await Store.CreateSessionAsync("alice", new SessionCreateOptions { Metadata = metadata });

        metadata["a"] = "changed";
        metadata["b"] = "2";

        var found = await Store.GetSessionAsync(session.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(session.Metadata, Is.EquivalentTo(new Dictionary<string, string> { ["a"] = "1" }));
            Assert.That(found.Metadata, Is.EquivalentTo(new Dictionary<string, string> { ["a"] = "1" }));
        }
    }

    [Test]
    public async Task FindSession_ReturnsTheSession_OrNullWhenUnknown()
    {
        var session = await CreateSessionAsync();

        var found = await Store.FindSessionAsync(session.Id);
        var missing = await Store.FindSessionAsync(Guid.CreateVersion7());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(found?.Id, Is.EqualTo(session.Id));
            Assert.That(missing, Is.Null);
        }
    }

    [Test]
    public void GetSession_WhenUnknown_ThrowsSessionNotFoundExceptionNamingTheId()
    {
        var id = Guid.CreateVersion7();

        var ex = Assert.ThrowsAsync<SessionNotFoundException>(() => Store.GetSessionAsync(id));

        Assert.That(ex?.SessionId, Is.EqualTo(id));
    }

    [Test]
    public async Task SessionIds_AreDistinctVersion7AndOrderedByCreationTime()
    {
        var sessions = new List<Session>();
        for (int i = 0; i < 20; i++)
        {
            Time.Advance(TimeSpan.FromMilliseconds(1));
            sessions.Add(await CreateSessionAsync(i % 2 == 0 ? "alice" : "bob"));
        }

        var ids = sessions.Select(s => s.Id).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ids, Is.Unique);
            Assert.That(ids.Select(id => id.Version), Is.All.EqualTo(7));
            Assert.That(ids, Is.Ordered.Using<Guid>(SessionListPosition.CompareIds));

            // A version 7 id carries its creation time (Unix milliseconds, big-endian, in the first 48 bits), taken from the store's clock.
            Assert.That(sessions.Select(s => UnixMillisecondsOf(s.Id)), Is.EqualTo(sessions.Select(s => s.CreatedAt.ToUnixTimeMilliseconds())));
        }
    }

    [Test]
    public async Task UpdateSession_ChangesTitle_KeepsMetadataAndActivity_AndIncrementsVersion()
    {
        var session = await Store.CreateSessionAsync("alice", new SessionCreateOptions { Title = "old", Metadata = new Dictionary<string, string> { ["k"] = "v" } });
        await AppendAsync(session.Id, "hello");
        Time.Advance(TimeSpan.FromMinutes(10));

        var updated = await Store.UpdateSessionAsync(session.Id, new SessionUpdate { Title = "new ✨" });

        var found = await Store.GetSessionAsync(session.Id);
        foreach (var s in new[] { updated, found })
        {
            using (Assert.EnterMultipleScope())
            {
                Assert.That(s.Title, Is.EqualTo("new ✨"));
                Assert.That(s.Metadata, Is.EquivalentTo(new Dictionary<string, string> { ["k"] = "v" }));
                Assert.That(s.Version, Is.EqualTo(3));
                Assert.That(s.CreatedAt, Is.EqualTo(StartTime));
                Assert.That(s.LastActivityAt, Is.EqualTo(StartTime), "only appends count as activity");
                Assert.That(s.LastSequence, Is.EqualTo(1));
                Assert.That(s.MessageCount, Is.EqualTo(1));
            }
        }
    }

    [Test]
    public async Task UpdateSession_WithEmptyTitle_RemovesTheTitle()
    {
        var session = await Store.CreateSessionAsync("alice", new SessionCreateOptions { Title = "temporary" });

        var updated = await Store.UpdateSessionAsync(session.Id, new SessionUpdate { Title = "" });

        var found = await Store.GetSessionAsync(session.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(updated.Title, Is.Null);
            Assert.That(found.Title, Is.Null);
            Assert.That(found.Version, Is.EqualTo(2));
        }
    }

    [Test]
    public async Task UpdateSession_WithMetadata_ReplacesAllEntries_AndKeepsTitle()
    {
        var session = await Store.CreateSessionAsync(
            "alice",
            new SessionCreateOptions { Title = "t", Metadata = new Dictionary<string, string> { ["old"] = "1", ["shared"] = "old" } });
        var replacement = new Dictionary<string, string> { ["shared"] = "new", ["ñ"] = "ü 😀" };

        await Store.UpdateSessionAsync(session.Id, new SessionUpdate { Metadata = replacement });

        var found = await Store.GetSessionAsync(session.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(found.Metadata, Is.EquivalentTo(replacement));
            Assert.That(found.Title, Is.EqualTo("t"));
        }
    }

    [Test]
    public async Task UpdateSession_WithEmptyMetadata_RemovesAllEntries()
    {
        var session = await Store.CreateSessionAsync("alice", new SessionCreateOptions { Metadata = new Dictionary<string, string> { ["k"] = "v" } });

        await Store.UpdateSessionAsync(session.Id, new SessionUpdate { Metadata = new Dictionary<string, string>() });

        var found = await Store.GetSessionAsync(session.Id);
        Assert.That(found.Metadata, Is.Empty);
    }

    [Test]
    public async Task UpdateSession_WithNothingSet_LeavesFieldsUnchanged_AndIncrementsVersion()
    {
        var session = await Store.CreateSessionAsync("alice", new SessionCreateOptions { Title = "keep", Metadata = new Dictionary<string, string> { ["k"] = "v" } });

        var updated = await Store.UpdateSessionAsync(session.Id, new SessionUpdate());

        var found = await Store.GetSessionAsync(session.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(updated.Version, Is.EqualTo(2));
            Assert.That(found.Version, Is.EqualTo(2));
            Assert.That(found.Title, Is.EqualTo("keep"));
            Assert.That(found.Metadata, Is.EquivalentTo(new Dictionary<string, string> { ["k"] = "v" }));
        }
    }

    [Test]
    public async Task UpdateSession_WithMatchingExpectedVersion_Succeeds()
    {
        var session = await CreateSessionAsync();
        await AppendAsync(session.Id, "one");

        var updated = await Store.UpdateSessionAsync(session.Id, new SessionUpdate { Title = "x", ExpectedVersion = 2 });

        Assert.That(updated.Version, Is.EqualTo(3));
    }

    [Test]
    public async Task UpdateSession_WithStaleExpectedVersion_ThrowsConcurrencyExceptionAndChangesNothing()
    {
        var session = await Store.CreateSessionAsync("alice", new SessionCreateOptions { Title = "original" });
        await AppendAsync(session.Id, "one");

        var ex = Assert.ThrowsAsync<SessionConcurrencyException>(
            () => Store.UpdateSessionAsync(session.Id, new SessionUpdate { Title = "lost", Metadata = new Dictionary<string, string> { ["k"] = "v" }, ExpectedVersion = 1 }));

        var found = await Store.GetSessionAsync(session.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex?.SessionId, Is.EqualTo(session.Id));
            Assert.That(ex?.ExpectedVersion, Is.EqualTo(1));
            Assert.That(ex?.ActualVersion, Is.EqualTo(2));
            Assert.That(found.Title, Is.EqualTo("original"));
            Assert.That(found.Metadata, Is.Empty);
            Assert.That(found.Version, Is.EqualTo(2));
        }
    }

    [Test]
    public void UpdateSession_WhenUnknown_ThrowsSessionNotFoundException()
    {
        var id = Guid.CreateVersion7();

        var ex = Assert.ThrowsAsync<SessionNotFoundException>(() => Store.UpdateSessionAsync(id, new SessionUpdate { Title = "x" }));

        Assert.That(ex?.SessionId, Is.EqualTo(id));
    }

    [Test]
    public async Task DeleteSession_ReturnsTrueThenFalse()
    {
        var session = await CreateSessionAsync();

        bool first = await Store.DeleteSessionAsync(session.Id);
        bool second = await Store.DeleteSessionAsync(session.Id);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first, Is.True);
            Assert.That(second, Is.False);
            Assert.That(await Store.FindSessionAsync(session.Id), Is.Null);
        }
    }

    [Test]
    public async Task DeleteSession_RemovesItsMessages_SoReadsThrowSessionNotFound()
    {
        var session = await CreateSessionAsync();
        await AppendNumberedAsync(session.Id, 5);

        await Store.DeleteSessionAsync(session.Id);

        using (Assert.EnterMultipleScope())
        {
            Assert.ThrowsAsync<SessionNotFoundException>(() => Store.GetSessionAsync(session.Id));
            Assert.ThrowsAsync<SessionNotFoundException>(() => Store.GetMessagesAsync(session.Id, 1, 5));
            Assert.ThrowsAsync<SessionNotFoundException>(() => Store.GetLastMessagesAsync(session.Id, 5));
            Assert.ThrowsAsync<SessionNotFoundException>(() => Store.CountMessagesAsync(session.Id));
            Assert.ThrowsAsync<SessionNotFoundException>(() => ReadAllAsync(session.Id));
            Assert.ThrowsAsync<SessionNotFoundException>(() => AppendAsync(session.Id, "too late"));
        }
    }

    [Test]
    public async Task DeleteSession_RemovesItFromListing_AndLeavesOtherSessionsUntouched()
    {
        var sessions = await CreateSessionsAsync("alice", 3);
        var bobs = await CreateSessionAsync("bob");
        foreach (var s in sessions.Append(bobs))
        {
            await AppendAsync(s.Id, $"first of {s.Id}", $"second of {s.Id}");
        }

        await Store.DeleteSessionAsync(sessions[1].Id);

        var listed = await ListIdsAsync("alice");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(listed, Is.EquivalentTo(new[] { sessions[0].Id, sessions[2].Id }));
            Assert.That(await ListIdsAsync("bob"), Is.EqualTo(new[] { bobs.Id }));
            foreach (var s in new[] { sessions[0], sessions[2], bobs })
            {
                var messages = await Store.GetMessagesAsync(s.Id, 1, 10);
                Assert.That(messages.Select(m => m.Content), Is.EqualTo(new[] { $"first of {s.Id}", $"second of {s.Id}" }));
                Assert.That((await Store.GetSessionAsync(s.Id)).MessageCount, Is.EqualTo(2));
            }
        }
    }

    private static long UnixMillisecondsOf(Guid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes, bigEndian: true, out _);
        long ms = 0;
        for (int i = 0; i < 6; i++)
        {
            ms = (ms << 8) | bytes[i];
        }

        return ms;
    }
}
