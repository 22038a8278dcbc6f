using NUnit.Framework;

namespace SessionKit.Testing;

// Reading a session's messages by time: after a point, before a point, between two.
public abstract partial class SessionStoreConformanceTests
{
    [Test]
    public async Task GetMessagesByTime_Since_ReturnsTheMessagesFromThatTimeOn_OldestFirst()
    {
        var (session, t1, _) = await PlantTimelineAsync();

        var messages = await Store.GetMessagesByTimeAsync(session, new MessageTimeQuery { Since = t1 });

        Assert.That(messages.Select(m => m.Content), Is.EqualTo(new[] { "b1", "b2", "c1" }));
        Assert.That(messages.Select(m => m.Sequence), Is.EqualTo(new long[] { 3, 4, 5 }));
    }

    [Test]
    public async Task GetMessagesByTime_Until_ReturnsTheMessagesBeforeThatTime_AndNewestTakesTheLastOnes()
    {
        var (session, _, t2) = await PlantTimelineAsync();

        var oldest = await Store.GetMessagesByTimeAsync(session, new MessageTimeQuery { Until = t2, Limit = 2 });
        var newest = await Store.GetMessagesByTimeAsync(session, new MessageTimeQuery { Until = t2, Limit = 2, Newest = true });
        var all = await Store.GetMessagesByTimeAsync(session, new MessageTimeQuery { Until = t2 });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(oldest.Select(m => m.Content), Is.EqualTo(new[] { "a1", "a2" }));
            Assert.That(newest.Select(m => m.Content), Is.EqualTo(new[] { "b1", "b2" }), "the last two before t2, still oldest first");
            Assert.That(all.Select(m => m.Content), Is.EqualTo(new[] { "a1", "a2", "b1", "b2" }));
        }
    }

    [Test]
    public async Task GetMessagesByTime_Between_ReturnsOnlyThatRange_AndAnEmptyRangeIsEmpty()
    {
        var (session, t1, t2) = await PlantTimelineAsync();

        var between = await Store.GetMessagesByTimeAsync(session, new MessageTimeQuery { Since = t1, Until = t2 });
        var later = await Store.GetMessagesByTimeAsync(session, new MessageTimeQuery { Since = t2.AddDays(1) });
        var earlier = await Store.GetMessagesByTimeAsync(session, new MessageTimeQuery { Until = StartTime.AddDays(-1) });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(between.Select(m => m.Content), Is.EqualTo(new[] { "b1", "b2" }));
            Assert.That(later, Is.Empty);
            Assert.That(earlier, Is.Empty);
        }
    }

    [Test]
    public async Task GetMessagesByTime_TakesTimesInAnyOffset_AndSkipsDeletedMessages()
    {
        var (session, t1, _) = await PlantTimelineAsync();
        await Corrections.DeleteMessageAsync(session, 3);

        var messages = await Store.GetMessagesByTimeAsync(session, new MessageTimeQuery { Since = t1.ToOffset(TimeSpan.FromHours(-5)) });

        Assert.That(messages.Select(m => m.Content), Is.EqualTo(new[] { "b2", "c1" }));
    }

    [Test]
    public async Task GetMessagesByTime_OfAnUnknownSession_ThrowsSessionNotFound()
    {
        Assert.ThrowsAsync<SessionNotFoundException>(() => Store.GetMessagesByTimeAsync(Guid.CreateVersion7(), new MessageTimeQuery()));
        var empty = await CreateSessionAsync();
        Assert.That(await Store.GetMessagesByTimeAsync(empty.Id, new MessageTimeQuery()), Is.Empty);
    }

    [Test]
    public async Task GetMessagesByTime_WithBadArguments_Throws_AndReadsNothing()
    {
        var session = await CreateSessionAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.ThrowsAsync<ArgumentNullException>(() => Store.GetMessagesByTimeAsync(session.Id, null!));
            Assert.ThrowsAsync<ArgumentException>(() => Store.GetMessagesByTimeAsync(Guid.Empty, new MessageTimeQuery()));
            Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.GetMessagesByTimeAsync(session.Id, new MessageTimeQuery { Limit = 0 }));
            Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.GetMessagesByTimeAsync(session.Id, new MessageTimeQuery { Limit = MessageTimeQuery.MaxLimit + 1 }));
            var ex = Assert.ThrowsAsync<ArgumentException>(() => Store.GetMessagesByTimeAsync(session.Id, new MessageTimeQuery { Since = StartTime, Until = StartTime }));
            Assert.That(ex!.Message, Does.Contain("MessageTimeQuery.Since"));
        }
    }

    /// <summary>
    /// A session with two messages at the start time, two at t1 (one hour later) and one at t2 (two hours later).
    /// </summary>
    private async Task<(Guid Session, DateTimeOffset T1, DateTimeOffset T2)> PlantTimelineAsync()
    {
        var session = await CreateSessionAsync();
        await AppendAsync(session.Id, "a1", "a2");
        Time.Advance(TimeSpan.FromHours(1));
        var t1 = Time.GetUtcNow();
        await AppendAsync(session.Id, "b1", "b2");
        Time.Advance(TimeSpan.FromHours(1));
        var t2 = Time.GetUtcNow();
        await AppendAsync(session.Id, "c1");
        return (session.Id, t1, t2);
    }
}
