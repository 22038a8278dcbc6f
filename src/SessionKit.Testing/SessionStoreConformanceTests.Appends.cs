using NUnit.Framework;

namespace SessionKit.Testing;

// Appending: sequences, versions, activity, atomic batches and expected versions.
public abstract partial class SessionStoreConformanceTests
{
    [Test]
    public async Task Append_AssignsSequencesFromOne_DenseAcrossBatches()
    {
        var session = await CreateSessionAsync();

        var first = await AppendAsync(session.Id, "a", "b", "c");
        var second = await AppendAsync(session.Id, "d");
        var third = await AppendAsync(session.Id, "e", "f");

        var stored = await ReadAllAsync(session.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Sequences(first.Messages), Is.EqualTo(Range(1, 3)));
            Assert.That(Sequences(second.Messages), Is.EqualTo(Range(4, 4)));
            Assert.That(Sequences(third.Messages), Is.EqualTo(Range(5, 6)));
            Assert.That(Sequences(stored), Is.EqualTo(Range(1, 6)));
            Assert.That(stored.Select(m => m.Content), Is.EqualTo(new[] { "a", "b", "c", "d", "e", "f" }));
        }
    }

    [Test]
    public async Task Append_ReturnsTheStoredMessagesInOrder_WithIdsSessionAndTime()
    {
        var session = await CreateSessionAsync();
        Time.Advance(TimeSpan.FromSeconds(30));

        var result = await Store.AppendMessagesAsync(
            session.Id,
            [NewMessage.System("be brief"), NewMessage.User("hi"), NewMessage.Assistant("hello") with { AuthorId = "agent-1" }]);

        var stored = await Store.GetMessagesAsync(session.Id, 1, 3);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Messages.Select(m => m.Content), Is.EqualTo(new[] { "be brief", "hi", "hello" }));
            Assert.That(result.Messages.Select(m => m.Role), Is.EqualTo(new[] { MessageRole.System, MessageRole.User, MessageRole.Assistant }));
            Assert.That(result.Messages.Select(m => m.Id), Is.Unique.And.Not.Contains(Guid.Empty));
            Assert.That(result.Messages.Select(m => m.Id.Version), Is.All.EqualTo(7));
            Assert.That(result.Messages.Select(m => m.SessionId), Is.All.EqualTo(session.Id));
            Assert.That(result.Messages.Select(m => m.CreatedAt), Is.All.EqualTo(StartTime.AddSeconds(30)));
            Assert.That(result.Messages[2].AuthorId, Is.EqualTo("agent-1"));
            Assert.That(stored.Select(m => m.Id), Is.EqualTo(result.Messages.Select(m => m.Id)), "the ids returned are the ids stored");
        }
    }

    [Test]
    public async Task Append_IncrementsVersionOncePerBatch_WhateverItsSize()
    {
        var session = await CreateSessionAsync();

        var afterBatchOfFive = await AppendAsync(session.Id, "1", "2", "3", "4", "5");
        var afterBatchOfOne = await AppendAsync(session.Id, "6");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(session.Version, Is.EqualTo(1));
            Assert.That(afterBatchOfFive.Session.Version, Is.EqualTo(2));
            Assert.That(afterBatchOfOne.Session.Version, Is.EqualTo(3));
            Assert.That((await Store.GetSessionAsync(session.Id)).Version, Is.EqualTo(3));
        }
    }

    [Test]
    public async Task Append_SetsLastActivityToTheClock_AndStampsMessagesWithIt()
    {
        var session = await CreateSessionAsync();
        Time.Advance(TimeSpan.FromMinutes(5));
        var firstAppend = await AppendAsync(session.Id, "first");
        Time.Advance(TimeSpan.FromHours(2));
        var secondAppend = await AppendAsync(session.Id, "second");

        var found = await Store.GetSessionAsync(session.Id);
        var messages = await Store.GetMessagesAsync(session.Id, 1, 2);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(firstAppend.Session.LastActivityAt, Is.EqualTo(StartTime.AddMinutes(5)));
            Assert.That(secondAppend.Session.LastActivityAt, Is.EqualTo(StartTime.AddMinutes(5).AddHours(2)));
            Assert.That(found.LastActivityAt, Is.EqualTo(StartTime.AddMinutes(5).AddHours(2)));
            Assert.That(found.CreatedAt, Is.EqualTo(StartTime));
            Assert.That(messages.Select(m => m.CreatedAt), Is.EqualTo(new[] { StartTime.AddMinutes(5), StartTime.AddMinutes(5).AddHours(2) }));
        }
    }

    [Test]
    public async Task Append_UpdatesLastSequenceAndMessageCount()
    {
        var session = await CreateSessionAsync();

        var result = await AppendAsync(session.Id, "a", "b");
        await AppendAsync(session.Id, "c");

        var found = await Store.GetSessionAsync(session.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Session.LastSequence, Is.EqualTo(2));
            Assert.That(result.Session.MessageCount, Is.EqualTo(2));
            Assert.That(found.LastSequence, Is.EqualTo(3));
            Assert.That(found.MessageCount, Is.EqualTo(3));
            Assert.That(await Store.CountMessagesAsync(session.Id), Is.EqualTo(3));
        }
    }

    [Test]
    public async Task Append_LeavesSessionFieldsOtherThanActivityAndVersionUnchanged()
    {
        var metadata = new Dictionary<string, string> { ["k"] = "v" };
        var session = await Store.CreateSessionAsync("alice", new SessionCreateOptions { Title = "title", Metadata = metadata });

        var result = await AppendAsync(session.Id, "hello");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Session.Id, Is.EqualTo(session.Id));
            Assert.That(result.Session.UserId, Is.EqualTo("alice"));
            Assert.That(result.Session.Title, Is.EqualTo("title"));
            Assert.That(result.Session.Metadata, Is.EquivalentTo(metadata));
            Assert.That(result.Session.CreatedAt, Is.EqualTo(session.CreatedAt));
        }
    }

    [Test]
    public async Task AppendMessageAsync_StoresOneMessage_AndReturnsItWithItsSequence()
    {
        var session = await CreateSessionAsync();
        await AppendAsync(session.Id, "one", "two");

        var message = await Store.AppendMessageAsync(session.Id, NewMessage.Assistant("three") with { AuthorId = "bot" });

        var found = await Store.GetSessionAsync(session.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(message.Sequence, Is.EqualTo(3));
            Assert.That(message.Content, Is.EqualTo("three"));
            Assert.That(message.AuthorId, Is.EqualTo("bot"));
            Assert.That(message.SessionId, Is.EqualTo(session.Id));
            Assert.That(found.Version, Is.EqualTo(3));
            Assert.That((await Store.GetLastMessagesAsync(session.Id, 1)).Single().Id, Is.EqualTo(message.Id));
        }
    }

    private static IEnumerable<TestCaseData> InvalidMessageCases()
    {
        yield return Invalid("null message", _ => null, typeof(ArgumentException));
        yield return Invalid("null content", _ => new NewMessage(MessageRole.User, null!), typeof(ArgumentException));
        yield return Invalid("tool result without tool call id", _ => new NewMessage(MessageRole.Tool, "42"), typeof(ArgumentException));
        yield return Invalid("content over the limit", limits => NewMessage.User(new string('x', limits.MaxContentLength + 1)), typeof(MessageTooLargeException));
        yield return Invalid("blank author id", _ => NewMessage.User("hi") with { AuthorId = "  " }, typeof(ArgumentException));
        yield return Invalid("empty tool call id", _ => NewMessage.ToolResult("", "42"), typeof(ArgumentException));
        yield return Invalid("author id over the limit", limits => NewMessage.User("hi") with { AuthorId = new string('a', limits.MaxIdLength + 1) }, typeof(ArgumentException));
        yield return Invalid("undefined role", _ => new NewMessage((MessageRole)42, "hi"), typeof(ArgumentException));
        yield return Invalid("metadata with empty key", _ => NewMessage.User("hi") with { Metadata = new Dictionary<string, string> { [""] = "v" } }, typeof(ArgumentException));
        yield return Invalid("metadata with null value", _ => NewMessage.User("hi") with { Metadata = new Dictionary<string, string> { ["k"] = null! } }, typeof(ArgumentException));
        yield return Invalid(
            "too many metadata entries",
            limits => NewMessage.User("hi") with { Metadata = Enumerable.Range(0, limits.MaxMetadataEntries + 1).ToDictionary(i => $"k{i}", i => "v") },
            typeof(ArgumentException));

        static TestCaseData Invalid(string name, Func<SessionLimits, NewMessage?> create, Type expected) =>
            new TestCaseData(create, expected).SetArgDisplayNames(name);
    }

    [TestCaseSource(nameof(InvalidMessageCases))]
    public async Task Append_BatchWithOneInvalidMessage_StoresNothingAndLeavesVersionUnchanged(Func<SessionLimits, NewMessage?> createInvalid, Type expectedException)
    {
        var session = await CreateSessionAsync();
        await AppendAsync(session.Id, "before");
        Time.Advance(TimeSpan.FromMinutes(1));
        var batch = new List<NewMessage> { NewMessage.User("valid 1"), createInvalid(Limits)!, NewMessage.User("valid 2") };

        Assert.ThrowsAsync(Is.TypeOf(expectedException), () => Store.AppendMessagesAsync(session.Id, batch));

        var found = await Store.GetSessionAsync(session.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(found.Version, Is.EqualTo(2));
            Assert.That(found.LastSequence, Is.EqualTo(1));
            Assert.That(found.MessageCount, Is.EqualTo(1));
            Assert.That(found.LastActivityAt, Is.EqualTo(StartTime));
            Assert.That(await Store.CountMessagesAsync(session.Id), Is.EqualTo(1));
            Assert.That((await ReadAllAsync(session.Id)).Select(m => m.Content), Is.EqualTo(new[] { "before" }));
        }

        // The failed batch leaves no gap: the next append continues the sequence.
        var next = await AppendAsync(session.Id, "after");
        Assert.That(next.Messages.Single().Sequence, Is.EqualTo(2));
    }

    [Test]
    public async Task Append_WithOversizedMessage_ReportsItsIndexLengthAndLimit()
    {
        var session = await CreateSessionAsync();
        var batch = new[] { NewMessage.User("ok"), NewMessage.User("ok"), NewMessage.User(new string('x', Limits.MaxContentLength + 5)) };

        var ex = Assert.ThrowsAsync<MessageTooLargeException>(() => Store.AppendMessagesAsync(session.Id, batch));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex?.Index, Is.EqualTo(2));
            Assert.That(ex?.Length, Is.EqualTo(Limits.MaxContentLength + 5));
            Assert.That(ex?.Limit, Is.EqualTo(Limits.MaxContentLength));
            Assert.That(await Store.CountMessagesAsync(session.Id), Is.Zero);
        }
    }

    [Test]
    public async Task Append_WithMatchingExpectedVersion_Succeeds()
    {
        var session = await CreateSessionAsync();
        var first = await Store.AppendMessagesAsync(session.Id, [NewMessage.User("one")], new AppendOptions { ExpectedVersion = 1 });

        var second = await Store.AppendMessagesAsync(session.Id, [NewMessage.User("two")], new AppendOptions { ExpectedVersion = first.Session.Version });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.Session.Version, Is.EqualTo(2));
            Assert.That(second.Session.Version, Is.EqualTo(3));
            Assert.That(Sequences(second.Messages), Is.EqualTo(Range(2, 2)));
        }
    }

    [Test]
    public async Task Append_WithStaleExpectedVersion_ThrowsConcurrencyExceptionAndStoresNothing()
    {
        var session = await CreateSessionAsync();
        await AppendAsync(session.Id, "someone else's message");
        Time.Advance(TimeSpan.FromMinutes(1));

        var ex = Assert.ThrowsAsync<SessionConcurrencyException>(
            () => Store.AppendMessagesAsync(session.Id, [NewMessage.User("mine"), NewMessage.User("mine too")], new AppendOptions { ExpectedVersion = 1 }));

        var found = await Store.GetSessionAsync(session.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex?.SessionId, Is.EqualTo(session.Id));
            Assert.That(ex?.ExpectedVersion, Is.EqualTo(1));
            Assert.That(ex?.ActualVersion, Is.EqualTo(2));
            Assert.That(found.Version, Is.EqualTo(2));
            Assert.That(found.MessageCount, Is.EqualTo(1));
            Assert.That(found.LastActivityAt, Is.EqualTo(StartTime));
            Assert.That((await ReadAllAsync(session.Id)).Select(m => m.Content), Is.EqualTo(new[] { "someone else's message" }));
        }
    }

    [Test]
    public async Task Append_WithExpectedVersionFromBeforeAnUpdate_ThrowsConcurrencyException()
    {
        var session = await CreateSessionAsync();
        await Store.UpdateSessionAsync(session.Id, new SessionUpdate { Title = "renamed" });

        var ex = Assert.ThrowsAsync<SessionConcurrencyException>(
            () => Store.AppendMessagesAsync(session.Id, [NewMessage.User("x")], new AppendOptions { ExpectedVersion = session.Version }));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex?.ActualVersion, Is.EqualTo(2));
            Assert.That(await Store.CountMessagesAsync(session.Id), Is.Zero);
        }
    }

    [Test]
    public async Task Append_WithExpectedVersionAheadOfTheSession_ThrowsConcurrencyException()
    {
        var session = await CreateSessionAsync();

        var ex = Assert.ThrowsAsync<SessionConcurrencyException>(
            () => Store.AppendMessagesAsync(session.Id, [NewMessage.User("x")], new AppendOptions { ExpectedVersion = 5 }));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex?.ExpectedVersion, Is.EqualTo(5));
            Assert.That(ex?.ActualVersion, Is.EqualTo(1));
            Assert.That(await Store.CountMessagesAsync(session.Id), Is.Zero);
        }
    }

    [Test]
    public async Task Append_BatchOfExactlyMaxMessagesPerAppend_IsAccepted()
    {
        var session = await CreateSessionAsync();
        var batch = Enumerable.Range(1, Limits.MaxMessagesPerAppend).Select(i => NewMessage.User($"m{i}")).ToList();

        var result = await Store.AppendMessagesAsync(session.Id, batch);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Messages, Has.Count.EqualTo(Limits.MaxMessagesPerAppend));
            Assert.That(result.Session.LastSequence, Is.EqualTo(Limits.MaxMessagesPerAppend));
            Assert.That(result.Session.Version, Is.EqualTo(2));
        }
    }

    [Test]
    public async Task Append_BatchLargerThanMaxMessagesPerAppend_ThrowsArgumentExceptionAndStoresNothing()
    {
        var session = await CreateSessionAsync();
        var batch = Enumerable.Range(1, Limits.MaxMessagesPerAppend + 1).Select(i => NewMessage.User($"m{i}")).ToList();

        Assert.ThrowsAsync<ArgumentException>(() => Store.AppendMessagesAsync(session.Id, batch));

        Assert.That((await Store.GetSessionAsync(session.Id)).Version, Is.EqualTo(1));
        Assert.That(await Store.CountMessagesAsync(session.Id), Is.Zero);
    }

    [Test]
    public async Task Append_CopiesMessageMetadata_SoLaterChangesToTheCallersDictionaryHaveNoEffect()
    {
        var session = await CreateSessionAsync();
        var metadata = new Dictionary<string, string> { ["k"] = "v" };

        await Store.AppendMessageAsync(session.Id, NewMessage.User("hi") with { Metadata = metadata });
        metadata["k"] = "changed";

        var stored = (await Store.GetLastMessagesAsync(session.Id, 1)).Single();
        Assert.That(stored.Metadata, Is.EquivalentTo(new Dictionary<string, string> { ["k"] = "v" }));
    }
}
