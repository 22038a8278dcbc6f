using NUnit.Framework;
using SessionKit.Storage;

namespace SessionKit.Testing;

// The context snapshot (what a build reads first, in one go where the backend can): whatever it reads, it must hold what
// it claims — the same rows the ordinary reads return — and never a row as it was before an edit, a rewind or an erase.
public abstract partial class SessionStoreConformanceTests
{
    /// <summary>Checks a snapshot against the ordinary reads: the messages from its start up to the last one, newest first; each level's summaries down to where it says it is complete.</summary>
    private async Task AssertSnapshotHoldsWhatItClaimsAsync(ContextSnapshot snapshot, Guid sessionId)
    {
        var session = await Store.GetSessionAsync(sessionId);
        var expected = snapshot.MessagesFrom > session.LastSequence
            ? []
            : (await Store.GetMessagesAsync(sessionId, snapshot.MessagesFrom, session.LastSequence)).Reverse().ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.Session.Id, Is.EqualTo(sessionId));
            Assert.That(snapshot.Session.LastSequence, Is.EqualTo(session.LastSequence));
            Assert.That(snapshot.MessagesFrom, Is.InRange(1, session.LastSequence + 1));
            Assert.That(snapshot.NewestMessages.Select(m => (m.Id, m.Sequence, m.Content, m.Revision, m.TokenCount)), Is.EqualTo(expected.Select(m => (m.Id, m.Sequence, m.Content, m.Revision, m.TokenCount))));
            Assert.That(snapshot.SummaryLevels.Select(l => l.Level), Is.EqualTo(Enumerable.Range(1, snapshot.SummaryLevels.Count)), "levels are consecutive from 1");
        }

        foreach (var level in snapshot.SummaryLevels)
        {
            var stored = await Store.GetSummariesAsync(sessionId, new SummaryQuery { Level = level.Level, Limit = SummaryQuery.MaxLimit });
            var mustHold = stored.Where(s => s.ToSequence >= level.CompleteFrom).Select(s => s.Id).ToList();
            using (Assert.EnterMultipleScope())
            {
                Assert.That(level.Summaries.Select(s => s.ToSequence), Is.Ordered.Descending, $"level {level.Level} is newest first");
                Assert.That(level.Summaries.Select(s => s.Id), Is.SubsetOf(stored.Select(s => s.Id)), $"level {level.Level} holds only stored summaries");
                Assert.That(level.Summaries.Select(s => s.Id), Is.SupersetOf(mustHold), $"level {level.Level} holds every summary ending at {level.CompleteFrom} or later");
                Assert.That(level.Summaries.Select(s => s.Content), Is.EqualTo(level.Summaries.Select(s => stored.Single(x => x.Id == s.Id).Content)));
                if (level.NewestTo is { } newest)
                {
                    Assert.That(newest, Is.EqualTo(stored.Count == 0 ? 0 : stored.Max(s => s.ToSequence)), $"level {level.Level} states where its newest summary ends");
                }
            }
        }
    }

    [Test]
    public async Task ReadContextSnapshot_AtAnyBudget_HoldsTheRowsTheOrdinaryReadsReturn()
    {
        if (Store is not SessionStore store)
        {
            Assert.Ignore("The context snapshot is a SessionStore method.");
            return;
        }

        var session = await CreateSummaryPyramidAsync();
        foreach (int budget in new[] { 1, 12, 100_000 })
        {
            var snapshot = await store.ReadContextSnapshotAsync(session.Id, budget);
            await AssertSnapshotHoldsWhatItClaimsAsync(snapshot, session.Id);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(snapshot.NewestMessages, Is.Not.Empty, $"budget {budget}: at least the newest message");
                Assert.That(snapshot.NewestMessages[0].Sequence, Is.EqualTo(20));
                Assert.That(snapshot.SummaryLevels, Has.Count.GreaterThanOrEqualTo(3), $"budget {budget}: each of the three levels");
                Assert.That(
                    snapshot.SummaryLevels.Take(3).Select(l => l.Summaries.Count > 0 || l.NewestTo is not null),
                    Has.All.True,
                    $"budget {budget}: the newest summary of each level, or where it ends");
            }
        }

        var whole = await store.ReadContextSnapshotAsync(session.Id, 100_000);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(whole.MessagesFrom, Is.EqualTo(1), "a budget above the history reads all of it");
            Assert.That(whole.NewestMessages, Has.Count.EqualTo(20));
            Assert.That(whole.SummaryLevels[^1].Summaries, Is.Empty, "the level after the coarsest is read and found empty");
            Assert.That(whole.SummaryLevels[^1].CompleteFrom, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task ReadContextSnapshot_OfAnEmptySession_HoldsTheSessionAlone()
    {
        if (Store is not SessionStore store)
        {
            Assert.Ignore("The context snapshot is a SessionStore method.");
            return;
        }

        var session = await CreateSessionAsync();

        var snapshot = await store.ReadContextSnapshotAsync(session.Id, 4000);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.Session.Id, Is.EqualTo(session.Id));
            Assert.That(snapshot.NewestMessages, Is.Empty);
            Assert.That(snapshot.MessagesFrom, Is.EqualTo(1));
            Assert.That(snapshot.SummaryLevels.Select(l => (l.Level, l.Summaries.Count, l.CompleteFrom)), Is.EqualTo(new[] { (1, 0, 1L) }));
        }
    }

    [Test]
    public async Task ReadContextSnapshot_WithBadInput_ThrowsAndReadsNothing()
    {
        if (Store is not SessionStore store)
        {
            Assert.Ignore("The context snapshot is a SessionStore method.");
            return;
        }

        var session = await CreateSessionWithMessagesAsync(3);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => store.ReadContextSnapshotAsync(Guid.CreateVersion7(Time.GetUtcNow()), 4000), Throws.TypeOf<SessionNotFoundException>());
            Assert.That(() => store.ReadContextSnapshotAsync(Guid.Empty, 4000), Throws.ArgumentException.With.Property(nameof(ArgumentException.ParamName)).EqualTo("sessionId"));
            Assert.That(() => store.ReadContextSnapshotAsync(session.Id, 0), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property(nameof(ArgumentException.ParamName)).EqualTo("tokenBudget"));
        }
    }

    [Test]
    public async Task ReadContextSnapshot_AcrossAppendsBudgetsRetentionAndRedoneSummaries_HoldsTheRowsAsTheyAreNow()
    {
        if (Store is not SessionStore store)
        {
            Assert.Ignore("The context snapshot is a SessionStore method.");
            return;
        }

        // Each step changes what the next snapshot must hold in a different way; a backend that reuses an earlier read
        // (unchanged session, appends only, another budget) must notice every one of them.
        var session = await CreateSessionAsync();
        await AppendAsync(session.Id, "q1", "a1", "q2", "a2", "q3", "a3");
        await Store.SaveSummaryAsync(session.Id, new NewSummary(1, 2, 1, "first take", "t"));
        var steps = new List<(string Step, ContextSnapshot Snapshot)>();
        async Task<ContextSnapshot> ReadAsync(string step, int budget)
        {
            var snapshot = await store.ReadContextSnapshotAsync(session.Id, budget);
            await AssertSnapshotHoldsWhatItClaimsAsync(snapshot, session.Id);
            steps.Add((step, snapshot));
            return snapshot;
        }

        await ReadAsync("first", 4000);
        var again = await ReadAsync("unchanged", 4000);
        var small = await ReadAsync("smaller budget", 1);
        await ReadAsync("larger budget again", 4000);
        await AppendAsync(session.Id, "q4");
        var appended = await ReadAsync("one append", 4000);
        await AppendAsync(session.Id, "q5", "a5");
        var appendedSmall = await ReadAsync("two appends, small budget", 1);
        await Store.UpdateSessionAsync(session.Id, new SessionUpdate { Title = "renamed" });
        await AppendAsync(session.Id, "q6");
        var renamed = await ReadAsync("rename and append", 4000);

        // A summary deleted and made again for the same range (a new summarizer, say) must be read as it is now.
        await Store.InvalidateSummariesAsync(session.Id, 1);
        await Store.SaveSummaryAsync(session.Id, new NewSummary(1, 2, 1, "second take", "t"));
        var redone = await ReadAsync("summary redone", 4000);

        // Retention deletes the oldest messages: the next snapshot must not hold them.
        Time.Advance(TimeSpan.FromHours(1));
        await AppendAsync(session.Id, "q7");
        await Retention.DeleteMessagesBeforeAsync(session.Id, Time.GetUtcNow(), MessageRetentionMode.DeleteMessages, 1000);
        var swept = await ReadAsync("after retention", 4000);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(again.NewestMessages.Select(m => m.Content), Is.EqualTo(new[] { "a3", "q3", "a2", "q2", "a1", "q1" }));
            Assert.That(small.NewestMessages[0].Content, Is.EqualTo("a3"), "a budget of 1 token: at least the newest message");
            Assert.That(appended.NewestMessages.Select(m => m.Content), Is.EqualTo(new[] { "q4", "a3", "q3", "a2", "q2", "a1", "q1" }));
            Assert.That(appendedSmall.NewestMessages[0].Content, Is.EqualTo("a5"));
            Assert.That(renamed.Session.Title, Is.EqualTo("renamed"));
            Assert.That(renamed.NewestMessages.Select(m => m.Content), Is.EqualTo(new[] { "q6", "a5", "q5", "q4", "a3", "q3", "a2", "q2", "a1", "q1" }));
            Assert.That(redone.SummaryLevels[0].Summaries.Select(s => s.Content), Is.EqualTo(new[] { "second take" }));
            Assert.That(swept.NewestMessages.Select(m => m.Content), Is.EqualTo(new[] { "q7" }), "messages swept by retention are gone from the snapshot");
            Assert.That(swept.SummaryLevels[0].Summaries, Is.Empty, "so are the summaries of what was swept");
        }
    }

    [Category(RefusedWhenEncrypted)]
    [Test]
    public async Task ReadContextSnapshot_AfterAnEditARewindAndANewAppend_HoldsTheRowsAsTheyAreNow()
    {
        if (Store is not SessionStore store)
        {
            Assert.Ignore("The context snapshot is a SessionStore method.");
            return;
        }

        var session = await CreateSessionAsync();
        await AppendAsync(session.Id, "q1", "a1", "q2", "a2 wrong answer");
        await Store.SaveSummaryAsync(session.Id, new NewSummary(1, 2, 1, "early", "t"));
        await Store.SaveSummaryAsync(session.Id, new NewSummary(3, 4, 1, "late", "t"));
        await store.ReadContextSnapshotAsync(session.Id, 4000);

        await Corrections.EditMessageAsync(session.Id, 2, "a1 corrected");
        var edited = await store.ReadContextSnapshotAsync(session.Id, 4000);
        await Corrections.RewindAsync(session.Id, 3);
        await Store.AppendMessagesAsync(session.Id, [NewMessage.Assistant("a2 right answer")]);
        await Store.SaveSummaryAsync(session.Id, new NewSummary(3, 4, 1, "late, redone", "t"));
        var rewound = await store.ReadContextSnapshotAsync(session.Id, 4000);

        await AssertSnapshotHoldsWhatItClaimsAsync(rewound, session.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(edited.NewestMessages.Select(m => m.Content), Is.EqualTo(new[] { "a2 wrong answer", "q2", "a1 corrected", "q1" }));
            Assert.That(rewound.NewestMessages.Select(m => m.Content), Is.EqualTo(new[] { "a2 right answer", "q2", "a1 corrected", "q1" }));
            Assert.That(rewound.SummaryLevels[0].Summaries.Select(s => s.Content), Is.EqualTo(new[] { "late, redone" }), "the edit of message 2 invalidated both earlier summaries");
        }
    }
}
