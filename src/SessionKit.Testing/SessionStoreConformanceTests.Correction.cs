using NUnit.Framework;
using SessionKit.Storage;

namespace SessionKit.Testing;

// Correction and rollback: edits keep revisions, deletions leave gaps, rewinds continue densely, forks copy a prefix.
public abstract partial class SessionStoreConformanceTests
{
    /// <summary>The store under test as an <see cref="ISessionCorrectionStore"/>.</summary>
    protected ISessionCorrectionStore Corrections =>
        Store as ISessionCorrectionStore ?? throw new InvalidOperationException("The store does not implement ISessionCorrectionStore.");

    [Category(RefusedWhenEncrypted)]
    [Test]
    public async Task EditMessage_KeepsThePreviousContentAsARevisionAndBumpsTheVersion()
    {
        var session = await CreateSessionAsync();
        await AppendAsync(session.Id, "the capital of Australia is Sydney", "next");
        Time.Advance(TimeSpan.FromMinutes(1));

        var result = await Corrections.EditMessageAsync(session.Id, 1, "the capital of Australia is Canberra", new CorrectionOptions { AuthorId = "fact-checker", ExpectedVersion = 2 });
        var stored = (await Store.GetMessagesAsync(session.Id, 1, 1)).Single();
        var revisions = await Corrections.GetMessageRevisionsAsync(session.Id, 1);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Session.Version, Is.EqualTo(3));
            Assert.That((await Store.GetSessionAsync(session.Id)).Version, Is.EqualTo(3));
            Assert.That(stored.Content, Is.EqualTo("the capital of Australia is Canberra"));
            Assert.That(stored.Revision, Is.EqualTo(2));
            Assert.That(stored, Is.EqualTo(result.Message).Using<SessionMessage>((a, b) => a.Id == b.Id && a.Content == b.Content && a.Revision == b.Revision && a.TokenCount == b.TokenCount));
            Assert.That(revisions, Has.Count.EqualTo(1));
            Assert.That(revisions[0].Content, Is.EqualTo("the capital of Australia is Sydney"));
            Assert.That(revisions[0].Revision, Is.EqualTo(1));
            Assert.That(revisions[0].ReplacedBy, Is.EqualTo("fact-checker"));
            Assert.That(revisions[0].ReplacedAt, Is.EqualTo(StartTime.AddMinutes(1)));
            Assert.That(await Corrections.GetMessageRevisionsAsync(session.Id, 2), Is.Empty);
        }
    }

    [Category(RefusedWhenEncrypted)]
    [Test]
    public async Task EditMessage_RecountsTokens()
    {
        var session = await CreateSessionAsync();
        await AppendAsync(session.Id, "short");
        string longer = string.Join(' ', Enumerable.Repeat("considerably longer content", 20));

        var result = await Corrections.EditMessageAsync(session.Id, 1, longer);

        Assert.That(result.Message.TokenCount, Is.EqualTo(TokenCounting.CountMessage(((SessionStore)Store).TokenCounter, result.Message)));
    }

    [Category(RefusedWhenEncrypted)]
    [Test]
    public async Task EditMessage_IsFoundBySearchUnderTheNewWordsOnly()
    {
        var session = await CreateSessionAsync();
        await AppendAsync(session.Id, "we like platypus", "other words");
        await Corrections.EditMessageAsync(session.Id, 1, "we like echidna");

        var oldHits = await Store.SearchAsync("alice", new SearchQuery { Text = "platypus" });
        var newHits = await Store.SearchAsync("alice", new SearchQuery { Text = "echidna" });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(oldHits.Items, Is.Empty);
            Assert.That(newHits.Items.Select(h => h.Message.Sequence), Is.EqualTo(new long[] { 1 }));
            Assert.That(newHits.Items[0].Message.Content, Is.EqualTo("we like echidna"));
        }
    }

    [Category(RefusedWhenEncrypted)]
    [Test]
    public async Task EditMessage_TwiceKeepsBothRevisionsInOrder()
    {
        var session = await CreateSessionAsync();
        await AppendAsync(session.Id, "v1");
        await Corrections.EditMessageAsync(session.Id, 1, "v2", new CorrectionOptions { AuthorId = "a" });
        var last = await Corrections.EditMessageAsync(session.Id, 1, "v3", new CorrectionOptions { AuthorId = "b" });

        var revisions = await Corrections.GetMessageRevisionsAsync(session.Id, 1);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(last.Message.Revision, Is.EqualTo(3));
            Assert.That(revisions.Select(r => (r.Revision, r.Content, r.ReplacedBy)), Is.EqualTo(new[] { (1, "v1", (string?)"a"), (2, "v2", (string?)"b") }));
        }
    }

    [Category(RefusedWhenEncrypted)]
    [Test]
    public async Task EditMessage_InvalidatesSummariesCoveringItOrLater()
    {
        var session = await CreateSessionAsync();
        await AppendNumberedAsync(session.Id, 9);
        await Store.SaveSummaryAsync(session.Id, new NewSummary(1, 3, 1, "first", "t"));
        await Store.SaveSummaryAsync(session.Id, new NewSummary(4, 6, 1, "second", "t"));
        await Store.SaveSummaryAsync(session.Id, new NewSummary(7, 9, 1, "third", "t"));

        await Corrections.EditMessageAsync(session.Id, 5, "changed");

        var left = await Store.GetSummariesAsync(session.Id);
        Assert.That(left.Select(s => s.Content), Is.EqualTo(new[] { "first" }));
    }

    [Category(RefusedWhenEncrypted)]
    [Test]
    public async Task EditMessage_WithAStaleVersion_ThrowsAndChangesNothing()
    {
        var session = await CreateSessionAsync();
        await AppendAsync(session.Id, "original");

        var ex = Assert.ThrowsAsync<SessionConcurrencyException>(() => Corrections.EditMessageAsync(session.Id, 1, "edited", new CorrectionOptions { ExpectedVersion = 1 }));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex!.ActualVersion, Is.EqualTo(2));
            Assert.That((await Store.GetMessagesAsync(session.Id, 1, 1)).Single().Content, Is.EqualTo("original"));
            Assert.That(await Corrections.GetMessageRevisionsAsync(session.Id, 1), Is.Empty);
            Assert.That((await Store.GetSessionAsync(session.Id)).Version, Is.EqualTo(2));
        }
    }

    [Category(RefusedWhenEncrypted)]
    [Test]
    [CancelAfter(60_000)]
    public async Task ConcurrentEdits_WithTheSameExpectedVersion_ExactlyOneSucceeds()
    {
        var session = await CreateSessionAsync();
        await AppendAsync(session.Id, "original");

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(c => Task.Run(async () =>
        {
            try
            {
                await Corrections.EditMessageAsync(session.Id, 1, $"edit {c}", new CorrectionOptions { ExpectedVersion = 2 });
                return true;
            }
            catch (SessionConcurrencyException)
            {
                return false;
            }
        })));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcomes.Count(won => won), Is.EqualTo(1));
            Assert.That(await Corrections.GetMessageRevisionsAsync(session.Id, 1), Has.Count.EqualTo(1));
            Assert.That((await Store.GetSessionAsync(session.Id)).Version, Is.EqualTo(3));
        }
    }

    [Category(RefusedWhenEncrypted)]
    [Test]
    public async Task EditMessage_OfAMissingSequence_ThrowsMessageNotFound()
    {
        var session = await CreateSessionAsync();
        await AppendAsync(session.Id, "one");

        var ex = Assert.ThrowsAsync<MessageNotFoundException>(() => Corrections.EditMessageAsync(session.Id, 2, "x"));
        Assert.That(ex!.Sequence, Is.EqualTo(2));
        Assert.That((await Store.GetSessionAsync(session.Id)).Version, Is.EqualTo(2));
    }

    [Category(RefusedWhenEncrypted)]
    [Test]
    public async Task EditMessage_WithBadArguments_ThrowsAndChangesNothing()
    {
        var session = await CreateSessionAsync();
        await AppendAsync(session.Id, "one");

        using (Assert.EnterMultipleScope())
        {
            Assert.ThrowsAsync<ArgumentException>(() => Corrections.EditMessageAsync(Guid.Empty, 1, "x"));
            Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Corrections.EditMessageAsync(session.Id, 0, "x"));
            Assert.ThrowsAsync<ArgumentNullException>(() => Corrections.EditMessageAsync(session.Id, 1, null!));
            Assert.ThrowsAsync<ArgumentException>(() => Corrections.EditMessageAsync(session.Id, 1, "bad \ud800"));
            Assert.ThrowsAsync<MessageTooLargeException>(() => Corrections.EditMessageAsync(session.Id, 1, new string('x', Limits.MaxContentLength + 1)));
            Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Corrections.EditMessageAsync(session.Id, 1, "x", new CorrectionOptions { ExpectedVersion = 0 }));
            Assert.ThrowsAsync<ArgumentException>(() => Corrections.EditMessageAsync(session.Id, 1, "x", new CorrectionOptions { AuthorId = " " }));
            Assert.ThrowsAsync<ArgumentException>(() => Corrections.EditMessageAsync(session.Id, 1, "x", new CorrectionOptions { AuthorId = new string('a', Limits.MaxIdLength + 1) }));
            Assert.ThrowsAsync<SessionNotFoundException>(() => Corrections.EditMessageAsync(Guid.CreateVersion7(), 1, "x"));
        }

        var stored = (await Store.GetMessagesAsync(session.Id, 1, 1)).Single();
        Assert.That((stored.Content, stored.Revision), Is.EqualTo(("one", 1)));
        Assert.That((await Store.GetSessionAsync(session.Id)).Version, Is.EqualTo(2));
    }

    [Category(RefusedWhenEncrypted)]
    [Test]
    public async Task DeleteMessage_LeavesAGapAndTheNextAppendContinuesAfterTheLastSequence()
    {
        var session = await CreateSessionAsync();
        await AppendAsync(session.Id, "a", "b", "c");

        var updated = await Corrections.DeleteMessageAsync(session.Id, 2, new CorrectionOptions { ExpectedVersion = 2 });
        var next = await AppendAsync(session.Id, "d");

        var all = await ReadAllAsync(session.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(updated.Version, Is.EqualTo(3));
            Assert.That(updated.MessageCount, Is.EqualTo(2));
            Assert.That(updated.LastSequence, Is.EqualTo(3));
            Assert.That(next.Messages.Single().Sequence, Is.EqualTo(4));
            Assert.That(Sequences(all), Is.EqualTo(new long[] { 1, 3, 4 }));
            Assert.That(await Store.CountMessagesAsync(session.Id), Is.EqualTo(3));
            Assert.That((await Store.GetLastMessagesAsync(session.Id, 3)).Select(m => m.Content), Is.EqualTo(new[] { "a", "c", "d" }));
            Assert.That((await Store.SearchAsync("alice", new SearchQuery { Text = "b" })).Items, Is.Empty);
            Assert.ThrowsAsync<MessageNotFoundException>(() => Corrections.GetMessageRevisionsAsync(session.Id, 2));
        }
    }

    [Test]
    public async Task DeleteMessage_TwiceThrowsMessageNotFoundTheSecondTime()
    {
        var session = await CreateSessionAsync();
        await AppendAsync(session.Id, "a", "b");
        await Corrections.DeleteMessageAsync(session.Id, 1);

        Assert.ThrowsAsync<MessageNotFoundException>(() => Corrections.DeleteMessageAsync(session.Id, 1));
        Assert.That((await Store.GetSessionAsync(session.Id)).Version, Is.EqualTo(3));
    }

    [Test]
    public async Task DeleteMessage_WithAStaleVersion_ThrowsAndChangesNothing()
    {
        var session = await CreateSessionAsync();
        await AppendAsync(session.Id, "a", "b");
        await Store.SaveSummaryAsync(session.Id, new NewSummary(1, 2, 1, "sum", "t"));

        Assert.ThrowsAsync<SessionConcurrencyException>(() => Corrections.DeleteMessageAsync(session.Id, 1, new CorrectionOptions { ExpectedVersion = 1 }));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Store.CountMessagesAsync(session.Id), Is.EqualTo(2));
            Assert.That(await Store.GetSummariesAsync(session.Id), Has.Count.EqualTo(1));
        }
    }

    [Category(RefusedWhenEncrypted)]
    [Test]
    public async Task Rewind_DropsEverythingAfterThePointAndTheNextAppendContinuesDensely()
    {
        var session = await CreateSessionAsync();
        await AppendAsync(session.Id, "q1", "a1", "q2", "a2 wrong answer");
        await Corrections.EditMessageAsync(session.Id, 4, "a2 still wrong");
        await Store.SaveSummaryAsync(session.Id, new NewSummary(1, 2, 1, "early", "t"));
        await Store.SaveSummaryAsync(session.Id, new NewSummary(3, 4, 1, "late", "t"));

        var rewound = await Corrections.RewindAsync(session.Id, 3, new CorrectionOptions { ExpectedVersion = 3 });
        var regenerated = await Store.AppendMessagesAsync(session.Id, [NewMessage.Assistant("a2 right answer")]);

        var all = await ReadAllAsync(session.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(rewound.LastSequence, Is.EqualTo(3));
            Assert.That(rewound.MessageCount, Is.EqualTo(3));
            Assert.That(rewound.Version, Is.EqualTo(4));
            Assert.That(regenerated.Messages.Single().Sequence, Is.EqualTo(4));
            Assert.That(regenerated.Messages.Single().Revision, Is.EqualTo(1));
            Assert.That(all.Select(m => m.Content), Is.EqualTo(new[] { "q1", "a1", "q2", "a2 right answer" }));
            Assert.That(Sequences(all), Is.EqualTo(Range(1, 4)));
            Assert.That(await Corrections.GetMessageRevisionsAsync(session.Id, 4), Is.Empty, "the rewound message's revisions went with it");
            Assert.That((await Store.GetSummariesAsync(session.Id)).Select(s => s.Content), Is.EqualTo(new[] { "early" }));
            Assert.That((await Store.SearchAsync("alice", new SearchQuery { Text = "wrong" })).Items, Is.Empty);
        }
    }

    [Test]
    public async Task Rewind_ToZero_EmptiesTheSession()
    {
        var session = await CreateSessionAsync();
        await AppendAsync(session.Id, "a", "b");

        var rewound = await Corrections.RewindAsync(session.Id, 0);
        var next = await AppendAsync(session.Id, "fresh");

        using (Assert.EnterMultipleScope())
        {
            Assert.That((rewound.LastSequence, rewound.MessageCount), Is.EqualTo((0L, 0L)));
            Assert.That(next.Messages.Single().Sequence, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Rewind_ForwardOrWithAStaleVersion_ThrowsAndChangesNothing()
    {
        var session = await CreateSessionAsync();
        await AppendAsync(session.Id, "a", "b");

        using (Assert.EnterMultipleScope())
        {
            Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Corrections.RewindAsync(session.Id, 3));
            Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Corrections.RewindAsync(session.Id, -1));
            Assert.ThrowsAsync<SessionConcurrencyException>(() => Corrections.RewindAsync(session.Id, 1, new CorrectionOptions { ExpectedVersion = 1 }));
            Assert.ThrowsAsync<SessionNotFoundException>(() => Corrections.RewindAsync(Guid.CreateVersion7(), 0));
        }

        Assert.That(Sequences(await ReadAllAsync(session.Id)), Is.EqualTo(Range(1, 2)));
        Assert.That((await Store.GetSessionAsync(session.Id)).Version, Is.EqualTo(2));
    }

    [Category(RefusedWhenEncrypted)]
    [Test]
    public async Task ForkSession_CopiesThePrefixAndItsSummariesIntoANewSessionOfTheSameUser()
    {
        var session = await CreateSessionAsync(options: new SessionCreateOptions { Title = "trip" });
        await AppendAsync(session.Id, "q1 kangaroo", "a1", "q2", "a2");
        await Corrections.EditMessageAsync(session.Id, 2, "a1 edited");
        await Store.SaveSummaryAsync(session.Id, new NewSummary(1, 2, 1, "inside", "t"));
        await Store.SaveSummaryAsync(session.Id, new NewSummary(3, 4, 1, "outside", "t"));
        Time.Advance(TimeSpan.FromMinutes(5));

        var fork = await Corrections.ForkSessionAsync(session.Id, 2, new ForkOptions { Title = "trip, take two" });
        var copied = await ReadAllAsync(fork.Id);
        var source = await ReadAllAsync(session.Id);
        var hits = await Store.SearchAsync("alice", new SearchQuery { Text = "kangaroo" });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(fork.Id, Is.Not.EqualTo(session.Id));
            Assert.That(fork.UserId, Is.EqualTo("alice"));
            Assert.That(fork.Title, Is.EqualTo("trip, take two"));
            Assert.That(fork.Version, Is.EqualTo(1));
            Assert.That((fork.LastSequence, fork.MessageCount), Is.EqualTo((2L, 2L)));
            Assert.That(fork.ForkedFromSessionId, Is.EqualTo(session.Id));
            Assert.That(fork.ForkedAtSequence, Is.EqualTo(2));
            Assert.That(fork.CreatedAt, Is.EqualTo(StartTime.AddMinutes(5)));
            Assert.That(await Store.GetSessionAsync(fork.Id), Is.EqualTo(fork).Using<Session>((a, b) => a.Id == b.Id && a.Version == b.Version && a.ForkedFromSessionId == b.ForkedFromSessionId && a.ForkedAtSequence == b.ForkedAtSequence && a.LastSequence == b.LastSequence));
            Assert.That(copied.Select(m => m.Content), Is.EqualTo(new[] { "q1 kangaroo", "a1 edited" }));
            Assert.That(copied.Select(m => m.Id), Is.Not.EquivalentTo(source.Take(2).Select(m => m.Id)));
            Assert.That(copied.Select(m => m.SessionId), Has.All.EqualTo(fork.Id));
            Assert.That(copied.Select(m => m.Revision), Has.All.EqualTo(1));
            Assert.That((await Store.GetSummariesAsync(fork.Id)).Select(s => s.Content), Is.EqualTo(new[] { "inside" }));
            Assert.That(source, Has.Count.EqualTo(4), "the source is unchanged");
            Assert.That(hits.Items.Select(h => h.Message.SessionId), Is.EquivalentTo(new[] { session.Id, fork.Id }));
            Assert.That((await Store.AppendMessageAsync(fork.Id, NewMessage.User("branch"))).Sequence, Is.EqualTo(3));
        }
    }

    [Category(RefusedWhenEncrypted)]
    [Test]
    public async Task ForkSession_WithBadArguments_ThrowsAndCreatesNothing()
    {
        var session = await CreateSessionAsync();
        await AppendAsync(session.Id, "a");

        using (Assert.EnterMultipleScope())
        {
            Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Corrections.ForkSessionAsync(session.Id, 2));
            Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Corrections.ForkSessionAsync(session.Id, -1));
            Assert.ThrowsAsync<SessionConcurrencyException>(() => Corrections.ForkSessionAsync(session.Id, 1, new ForkOptions { ExpectedVersion = 1 }));
            Assert.ThrowsAsync<ArgumentException>(() => Corrections.ForkSessionAsync(session.Id, 1, new ForkOptions { Title = "\ud800" }));
            Assert.ThrowsAsync<SessionNotFoundException>(() => Corrections.ForkSessionAsync(Guid.CreateVersion7(), 0));
        }

        Assert.That(await ListIdsAsync("alice"), Is.EqualTo(new[] { session.Id }));
    }

    [Test]
    public async Task DeleteSession_WithTheExpectedVersion_DeletesAndWithAStaleOneThrows()
    {
        var session = await CreateSessionAsync();
        await AppendAsync(session.Id, "a");

        var ex = Assert.ThrowsAsync<SessionConcurrencyException>(() => Corrections.DeleteSessionAsync(session.Id, 1));
        Assert.That(ex!.ActualVersion, Is.EqualTo(2));
        Assert.That(await Store.FindSessionAsync(session.Id), Is.Not.Null);

        Assert.That(await Corrections.DeleteSessionAsync(session.Id, 2), Is.True);
        Assert.That(await Store.FindSessionAsync(session.Id), Is.Null);
        Assert.That(await Corrections.DeleteSessionAsync(session.Id, 2), Is.False);
        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Corrections.DeleteSessionAsync(session.Id, 0));
    }
}
