using NUnit.Framework;

namespace SessionKit.Testing;

// Reading messages: the last N, ranges, streaming and counting; isolation between sessions.
public abstract partial class SessionStoreConformanceTests
{
    [Test]
    public async Task GetLastMessages_WithZero_ReturnsEmpty()
    {
        var session = await CreateSessionAsync();
        await AppendNumberedAsync(session.Id, 5);

        var messages = await Store.GetLastMessagesAsync(session.Id, 0);

        Assert.That(messages, Is.Empty);
    }

    [Test]
    public async Task GetLastMessages_WithMoreThanTheCount_ReturnsAllInOrder()
    {
        var session = await CreateSessionAsync();
        await AppendNumberedAsync(session.Id, 5);

        var messages = await Store.GetLastMessagesAsync(session.Id, 50);

        Assert.That(messages.Select(m => m.Content), Is.EqualTo(new[] { "m1", "m2", "m3", "m4", "m5" }));
    }

    [Test]
    public async Task GetLastMessages_WithFewerThanTheCount_ReturnsTheNewestInChronologicalOrder()
    {
        var session = await CreateSessionAsync();
        await AppendNumberedAsync(session.Id, 10);

        var messages = await Store.GetLastMessagesAsync(session.Id, 3);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Sequences(messages), Is.EqualTo(Range(8, 10)));
            Assert.That(messages.Select(m => m.Content), Is.EqualTo(new[] { "m8", "m9", "m10" }));
        }
    }

    [Test]
    public async Task GetLastMessages_OfAnEmptySession_ReturnsEmpty()
    {
        var session = await CreateSessionAsync();

        var messages = await Store.GetLastMessagesAsync(session.Id, 10);

        Assert.That(messages, Is.Empty);
    }

    [Test]
    public async Task GetLastMessages_WithNegativeCount_ThrowsArgumentOutOfRangeException()
    {
        var session = await CreateSessionAsync();

        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.GetLastMessagesAsync(session.Id, -1));
    }

    [TestCase(3, 5, 3, 5)]
    [TestCase(4, 4, 4, 4)]
    [TestCase(1, 10, 1, 10)]
    [TestCase(8, 20, 8, 10)]
    [TestCase(1, long.MaxValue, 1, 10)]
    public async Task GetMessages_ReturnsTheInclusiveRange_ClippedToWhatExists(long from, long to, long expectedFirst, long expectedLast)
    {
        var session = await CreateSessionAsync();
        await AppendNumberedAsync(session.Id, 10);

        var messages = await Store.GetMessagesAsync(session.Id, from, to);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Sequences(messages), Is.EqualTo(Range(expectedFirst, expectedLast)));
            Assert.That(messages.Select(m => m.Content), Is.EqualTo(Range(expectedFirst, expectedLast).Select(i => $"m{i}")));
        }
    }

    [TestCase(11, 20)]
    [TestCase(1000, 1000)]
    public async Task GetMessages_WithRangeEntirelyPastTheEnd_ReturnsEmpty(long from, long to)
    {
        var session = await CreateSessionAsync();
        await AppendNumberedAsync(session.Id, 10);

        var messages = await Store.GetMessagesAsync(session.Id, from, to);

        Assert.That(messages, Is.Empty);
    }

    [TestCase(5, 4)]
    [TestCase(0, 5)]
    [TestCase(-1, 5)]
    [TestCase(0, 0)]
    public async Task GetMessages_WithInvalidRange_ThrowsArgumentOutOfRangeException(long from, long to)
    {
        var session = await CreateSessionAsync();
        await AppendNumberedAsync(session.Id, 10);

        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.GetMessagesAsync(session.Id, from, to));
    }

    [TestCase(255)]
    [TestCase(256)]
    [TestCase(257)]
    [TestCase(700)]
    public async Task ReadAllMessages_StreamsEveryMessageInOrder_AcrossPageBoundaries(int count)
    {
        var session = await CreateSessionAsync();
        await AppendNumberedAsync(session.Id, count);

        var messages = await ReadAllAsync(session.Id);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Sequences(messages), Is.EqualTo(Range(1, count)));
            Assert.That(messages.Select(m => m.Content), Is.EqualTo(Enumerable.Range(1, count).Select(i => $"m{i}")));
            Assert.That(messages.Select(m => m.SessionId), Is.All.EqualTo(session.Id));
            Assert.That(await Store.CountMessagesAsync(session.Id), Is.EqualTo(count));
        }
    }

    [Test]
    public async Task ReadAllMessages_OfAnEmptySession_YieldsNothing()
    {
        var session = await CreateSessionAsync();

        var messages = await ReadAllAsync(session.Id);

        Assert.That(messages, Is.Empty);
    }

    [Test]
    public void ReadAllMessages_OfAnUnknownSession_ThrowsSessionNotFoundException()
    {
        var id = Guid.CreateVersion7();

        var ex = Assert.ThrowsAsync<SessionNotFoundException>(() => ReadAllAsync(id));

        Assert.That(ex?.SessionId, Is.EqualTo(id));
    }

    [Test]
    public async Task ReadAllMessages_CanBeStoppedEarly_AndEnumeratedAgain()
    {
        var session = await CreateSessionAsync();
        await AppendNumberedAsync(session.Id, 300);

        var firstTen = new List<SessionMessage>();
        await foreach (var message in Store.ReadAllMessagesAsync(session.Id))
        {
            firstTen.Add(message);
            if (firstTen.Count == 10)
            {
                break;
            }
        }

        var all = await ReadAllAsync(session.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Sequences(firstTen), Is.EqualTo(Range(1, 10)));
            Assert.That(all, Has.Count.EqualTo(300));
        }
    }

    [Test]
    public async Task CountMessages_CountsWhatWasAppended()
    {
        var session = await CreateSessionAsync();
        long before = await Store.CountMessagesAsync(session.Id);
        await AppendNumberedAsync(session.Id, 7);
        await AppendAsync(session.Id, "x", "y");

        long after = await Store.CountMessagesAsync(session.Id);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(before, Is.Zero);
            Assert.That(after, Is.EqualTo(9));
        }
    }

    [Test]
    public async Task Messages_AppendedToOneSession_NeverAppearInAnother()
    {
        var a = await CreateSessionAsync("alice");
        var b = await CreateSessionAsync("alice");
        var c = await CreateSessionAsync("bob");
        for (int i = 1; i <= 5; i++)
        {
            await AppendAsync(a.Id, $"a{i}");
            await AppendAsync(b.Id, $"b{i}", $"b{i}'");
        }

        var inA = await ReadAllAsync(a.Id);
        var inB = await ReadAllAsync(b.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(inA.Select(m => m.Content), Is.EqualTo(Enumerable.Range(1, 5).Select(i => $"a{i}")));
            Assert.That(Sequences(inA), Is.EqualTo(Range(1, 5)));
            Assert.That(inA.Select(m => m.SessionId), Is.All.EqualTo(a.Id));
            Assert.That(inB.Select(m => m.Content), Is.EqualTo(Enumerable.Range(1, 5).SelectMany(i => new[] { $"b{i}", $"b{i}'" })));
            Assert.That(Sequences(inB), Is.EqualTo(Range(1, 10)));
            Assert.That(inB.Select(m => m.SessionId), Is.All.EqualTo(b.Id));
            Assert.That(await Store.GetLastMessagesAsync(a.Id, 100), Has.Count.EqualTo(5));
            Assert.That(await Store.GetMessagesAsync(b.Id, 1, 100), Has.Count.EqualTo(10));
            Assert.That(await Store.CountMessagesAsync(c.Id), Is.Zero);
            Assert.That(await ReadAllAsync(c.Id), Is.Empty);
            Assert.That((await Store.GetSessionAsync(a.Id)).MessageCount, Is.EqualTo(5));
            Assert.That((await Store.GetSessionAsync(b.Id)).MessageCount, Is.EqualTo(10));
        }
    }
}
