using NUnit.Framework;

namespace SessionKit.Testing;

public abstract partial class SessionAccessConformanceTests
{
    [Test]
    public async Task AnAgentsMessages_NameTheAgent_UnlessTheyNameAnAuthor()
    {
        var session = await AliceSessionAsync();
        var agent = SessionCaller.Agent("writer");
        await Scope(SessionCaller.User("alice")).GrantAsync(session.Id, agent, SessionAccess.ReadWrite);

        var result = await Scope(agent).AppendMessagesAsync(session.Id, [
            NewMessage.Assistant("Draft ready."),
            NewMessage.Assistant("Quoting the researcher.") with { AuthorId = "researcher" },
        ]);
        var byUser = await Scope(SessionCaller.User("alice")).AppendMessagesAsync(session.Id, [NewMessage.User("Thanks.")]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Messages.Select(m => m.AuthorId), Is.EqualTo(new[] { "writer", "researcher" }));
            Assert.That(byUser.Messages[0].AuthorId, Is.Null);
        }
    }

    [Test]
    public async Task AReadOnlyCallersContextBuild_WritesNoSummaries()
    {
        var session = await Store.CreateSessionAsync("alice");
        var random = new Random(5);
        for (int i = 0; i < 30; i++)
        {
            await Store.AppendMessagesAsync(session.Id, [NewMessage.User(Conversation.Sentence(random, 12) + "?"), NewMessage.Assistant(Conversation.Paragraph(random, 3))]);
        }

        var reader = SessionCaller.Agent("auditor");
        await Scope(SessionCaller.User("alice")).GrantAsync(session.Id, reader, SessionAccess.Read);

        var window = await Scope(reader).Context.BuildAsync(session.Id, new ContextRequest { TokenBudget = 800 });
        var ownerWindow = await Scope(SessionCaller.User("alice")).Context.BuildAsync(session.Id, new ContextRequest { TokenBudget = 800 });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(window.TotalTokens, Is.LessThanOrEqualTo(800));
            Assert.That(window.SummariesCreated, Is.Zero);
            Assert.That(ownerWindow.SummariesCreated, Is.GreaterThan(0), "the owner's build may summarize");
        }
    }

    [Test]
    public async Task AGrantOverOneSession_DoesNotReachTheOwnersOtherSessions()
    {
        var session = await AliceSessionAsync();
        var other = await Store.CreateSessionAsync("alice");
        await Store.AppendMessagesAsync(other.Id, [NewMessage.User("my private carbon notes")]);
        var bob = SessionCaller.User("bob");
        await Scope(SessionCaller.User("alice")).GrantAsync(session.Id, bob, SessionAccess.Read);
        var scope = Scope(bob);

        var hits = await scope.SearchAsync("alice", new SearchQuery { Text = "carbon", SessionId = session.Id });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(hits.Items.Select(h => h.SessionId).Distinct(), Is.EqualTo(new[] { session.Id }));
            Assert.ThrowsAsync<SessionAccessDeniedException>(() => scope.GetSessionAsync(other.Id));
            Assert.ThrowsAsync<SessionAccessDeniedException>(() => scope.SearchAsync("alice", new SearchQuery { Text = "carbon", SessionId = other.Id }));
            Assert.ThrowsAsync<SessionAccessDeniedException>(() => scope.SearchAsync("alice", new SearchQuery { Text = "carbon" }));
        }
    }

    [Test]
    public async Task UserWideRecall_ForACallerWithAGrantOverOneSession_FallsBackToThatSession()
    {
        var session = await AliceSessionAsync();
        var other = await Store.CreateSessionAsync("alice");
        await Store.AppendMessagesAsync(other.Id, [NewMessage.Assistant("Secret: the carbon cycle password is swordfish.")]);
        var agent = SessionCaller.Agent("helper");
        await Scope(SessionCaller.User("alice")).GrantAsync(session.Id, agent, SessionAccess.Read);
        var tokenCounter = SharpTokenCounter.Default;
        var builder = new ContextBuilder(Store, tokenCounter, new ExtractiveSummarizer(tokenCounter), new ContextOptions { RecallScope = RecallScope.User }, Time);
        var scope = new SessionAccessor(Store, Access, builder, timeProvider: Time).ForCaller(agent);

        var window = await scope.Context.BuildAsync(session.Id, new ContextRequest { TokenBudget = 1000, Query = "carbon cycle" });

        Assert.That(window.Items.Any(i => i.Content.Contains("swordfish", StringComparison.Ordinal)), Is.False);
    }

    [Test]
    public async Task GrantArguments_AreChecked()
    {
        var session = await AliceSessionAsync();
        var alice = Scope(SessionCaller.User("alice"));

        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => alice.GrantAsync(session.Id, SessionCaller.Agent("a"), SessionAccess.None));
        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => alice.GrantAsync(session.Id, SessionCaller.Agent("a"), SessionAccess.Read, TimeSpan.Zero));
        Assert.ThrowsAsync<ArgumentException>(() => alice.GrantAsync(session.Id, SessionCaller.User("alice"), SessionAccess.Read));
        Assert.ThrowsAsync<ArgumentException>(() => alice.GrantAsync(Guid.Empty, SessionCaller.Agent("a"), SessionAccess.Read));
        Assert.ThrowsAsync<ArgumentNullException>(() => alice.GrantAsync(session.Id, null!, SessionAccess.Read));
        Assert.That(await Access.ListGrantsAsync("alice"), Is.Empty);
    }

    [Test]
    public void Callers_AreValidated_AndParsedBack()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.Throws<ArgumentException>(() => SessionCaller.User(" "));
            Assert.Throws<ArgumentNullException>(() => SessionCaller.Agent(null!));
            Assert.Throws<FormatException>(() => SessionCaller.Parse("robot:x"));
            Assert.Throws<FormatException>(() => SessionCaller.Parse("user:"));
            Assert.That(SessionCaller.Parse("agent:writer"), Is.EqualTo(SessionCaller.Agent("writer")));
            Assert.That(SessionCaller.Parse("user:a:b").Id, Is.EqualTo("a:b"));
            Assert.That(SessionCaller.User("x"), Is.Not.EqualTo(SessionCaller.Agent("x")));
        }
    }
}
