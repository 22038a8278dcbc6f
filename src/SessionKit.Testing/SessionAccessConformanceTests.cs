using NUnit.Framework;
using SessionKit.Storage;

namespace SessionKit.Testing;

/// <summary>
/// Access control over every backend: grants kept by <see cref="ISessionAccessStore"/>, and the caller-scoped views of
/// <see cref="SessionAccessor"/> that deny every operation a caller neither owns nor was granted. A backend's test project
/// subclasses this fixture with a store that implements <see cref="ISessionAccessStore"/> and <see cref="ISessionTokenStore"/>.
/// </summary>
public abstract partial class SessionAccessConformanceTests : BackendFixture
{
    /// <summary>The store's grants.</summary>
    protected ISessionAccessStore Access => (ISessionAccessStore)Store;

    /// <summary>An accessor over <see cref="BackendFixture.Store"/>.</summary>
    /// <returns>The accessor.</returns>
    protected SessionAccessor Accessor() => new(Store, Access, timeProvider: Time);

    /// <summary>A fresh scope (as for a new request).</summary>
    /// <param name="caller">The caller.</param>
    /// <returns>The scope.</returns>
    protected SessionScope Scope(SessionCaller caller) => Accessor().ForCaller(caller);

    /// <summary>Alice's session with a few messages, one of which mentions the carbon cycle.</summary>
    /// <returns>The session.</returns>
    protected async Task<Session> AliceSessionAsync()
    {
        var session = await Store.CreateSessionAsync("alice", new SessionCreateOptions { Title = "climate" });
        await Store.AppendMessagesAsync(session.Id, [
            NewMessage.User("Tell me about the carbon cycle."),
            NewMessage.Assistant("The carbon cycle moves carbon between the atmosphere, oceans, soil and living things."),
            NewMessage.User("And methane?"),
        ]);
        await ((ISessionStateStore)Store).SetStateAsync(StateScope.Session, session.Id.ToString(), "plan", "v1");
        await ((ISessionStateStore)Store).SetStateAsync(StateScope.User, "alice", "prefs", "light");
        return await Store.GetSessionAsync(session.Id);
    }

    [Test]
    public async Task Grant_IsStored_Listed_Found_AndReplacedBySavingAgain()
    {
        var session = await AliceSessionAsync();
        var agent = SessionCaller.Agent("researcher");
        await Access.SaveGrantAsync(new SessionGrant { OwnerUserId = "alice", SessionId = session.Id, Grantee = agent, Access = SessionAccess.Read, GrantedAt = StartTime });
        await Access.SaveGrantAsync(new SessionGrant { OwnerUserId = "alice", SessionId = session.Id, Grantee = agent, Access = SessionAccess.ReadWrite, GrantedAt = StartTime.AddMinutes(1) });
        await Access.SaveGrantAsync(new SessionGrant { OwnerUserId = "alice", Grantee = SessionCaller.User("bob"), Access = SessionAccess.Read, GrantedAt = StartTime.AddMinutes(2), ExpiresAt = StartTime.AddHours(1) });

        var listed = await Access.ListGrantsAsync("alice");
        var found = await Access.FindGrantsAsync("alice", agent, session.Id);
        var bobs = await Access.FindGrantsAsync("alice", SessionCaller.User("bob"), session.Id);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(listed, Has.Count.EqualTo(2));
            Assert.That(listed[0].Grantee, Is.EqualTo(agent));
            Assert.That(listed[0].Access, Is.EqualTo(SessionAccess.ReadWrite));
            Assert.That(listed[0].SessionId, Is.EqualTo(session.Id));
            Assert.That(listed[1].SessionId, Is.Null);
            Assert.That(listed[1].ExpiresAt, Is.EqualTo(StartTime.AddHours(1)));
            Assert.That(found.Single().Access, Is.EqualTo(SessionAccess.ReadWrite));
            Assert.That(bobs.Single().SessionId, Is.Null, "the grant over all of alice's sessions applies to this one");
            Assert.That(await Access.ListGrantsAsync("bob"), Is.Empty);
        }
    }

    [Test]
    public async Task DeleteGrant_RemovesOnlyThatGrant()
    {
        var session = await AliceSessionAsync();
        var agent = SessionCaller.Agent("researcher");
        await Access.SaveGrantAsync(new SessionGrant { OwnerUserId = "alice", SessionId = session.Id, Grantee = agent, Access = SessionAccess.Read, GrantedAt = StartTime });
        await Access.SaveGrantAsync(new SessionGrant { OwnerUserId = "alice", Grantee = agent, Access = SessionAccess.Read, GrantedAt = StartTime });

        bool deleted = await Access.DeleteGrantAsync("alice", session.Id, agent);
        bool again = await Access.DeleteGrantAsync("alice", session.Id, agent);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(deleted, Is.True);
            Assert.That(again, Is.False);
            Assert.That((await Access.ListGrantsAsync("alice")).Single().SessionId, Is.Null);
        }
    }

    [Test]
    public async Task DeletingASession_DeletesItsGrants()
    {
        var session = await AliceSessionAsync();
        await Access.SaveGrantAsync(new SessionGrant { OwnerUserId = "alice", SessionId = session.Id, Grantee = SessionCaller.Agent("a"), Access = SessionAccess.Read, GrantedAt = StartTime });

        await Store.DeleteSessionAsync(session.Id);

        Assert.That(await Access.ListGrantsAsync("alice"), Is.Empty);
    }

    [Test]
    public async Task SaveGrant_ForASessionOfAnotherOwner_ThrowsNotFound_AndStoresNothing()
    {
        var session = await AliceSessionAsync();

        Assert.ThrowsAsync<SessionNotFoundException>(() => Access.SaveGrantAsync(
            new SessionGrant { OwnerUserId = "mallory", SessionId = session.Id, Grantee = SessionCaller.User("mallory2"), Access = SessionAccess.Read, GrantedAt = StartTime }));
        Assert.ThrowsAsync<SessionNotFoundException>(() => Access.SaveGrantAsync(
            new SessionGrant { OwnerUserId = "alice", SessionId = Guid.CreateVersion7(), Grantee = SessionCaller.User("bob"), Access = SessionAccess.Read, GrantedAt = StartTime }));
        Assert.That(await Access.ListGrantsAsync("mallory"), Is.Empty);
        Assert.That(await Access.ListGrantsAsync("alice"), Is.Empty);
    }

    private static IEnumerable<TestCaseData> BadGrants()
    {
        var ok = new SessionGrant { OwnerUserId = "alice", Grantee = SessionCaller.Agent("a"), Access = SessionAccess.Read, GrantedAt = StartTime };
        yield return new TestCaseData(ok with { OwnerUserId = "" }).SetName("SaveGrant_WithEmptyOwner_Throws");
        yield return new TestCaseData(ok with { OwnerUserId = new string('x', 10_000) }).SetName("SaveGrant_WithOverlongOwner_Throws");
        yield return new TestCaseData(ok with { SessionId = Guid.Empty }).SetName("SaveGrant_WithEmptySessionId_Throws");
        yield return new TestCaseData(ok with { Access = SessionAccess.None }).SetName("SaveGrant_WithAccessNone_Throws");
        yield return new TestCaseData(ok with { Access = (SessionAccess)7 }).SetName("SaveGrant_WithUndefinedAccess_Throws");
        yield return new TestCaseData(ok with { Grantee = SessionCaller.User("alice") }).SetName("SaveGrant_ToTheOwnerItself_Throws");
        yield return new TestCaseData(ok with { ExpiresAt = StartTime }).SetName("SaveGrant_ExpiringWhenGranted_Throws");
        yield return new TestCaseData(ok with { Grantee = null! }).SetName("SaveGrant_WithoutGrantee_Throws");
    }

    [TestCaseSource(nameof(BadGrants))]
    public async Task SaveGrant_WithBadInput_ThrowsArgumentException_AndStoresNothing(SessionGrant grant)
    {
        Assert.ThrowsAsync(Is.InstanceOf<ArgumentException>(), () => Access.SaveGrantAsync(grant));
        Assert.That(await Access.ListGrantsAsync("alice"), Is.Empty);
    }

    [Test]
    public async Task TransferSessions_MovesSessions_Messages_AndSearch_ToTheNewOwner()
    {
        var first = await Store.CreateSessionAsync("anon:1");
        await Store.AppendMessagesAsync(first.Id, [NewMessage.User("photosynthesis absorbs carbon dioxide")]);
        var second = await Store.CreateSessionAsync("anon:1");
        await Store.AppendMessagesAsync(second.Id, [NewMessage.User("permafrost thaw releases methane")]);
        var existing = await Store.CreateSessionAsync("carol");
        await Access.SaveGrantAsync(new SessionGrant { OwnerUserId = "anon:1", Grantee = SessionCaller.Agent("a"), Access = SessionAccess.Read, GrantedAt = StartTime });

        int moved = await Access.TransferSessionsAsync("anon:1", "carol");

        var listed = (await Store.ListSessionsAsync("carol")).Items.Select(s => s.Id).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(moved, Is.EqualTo(2));
            Assert.That(listed, Is.EquivalentTo(new[] { first.Id, second.Id, existing.Id }));
            Assert.That((await Store.ListSessionsAsync("anon:1")).Items, Is.Empty);
            Assert.That((await Store.GetSessionAsync(first.Id)).UserId, Is.EqualTo("carol"));
            Assert.That((await Store.SearchAsync("carol", new SearchQuery { Text = "methane" })).Items.Single().SessionId, Is.EqualTo(second.Id));
            Assert.That((await Store.SearchAsync("anon:1", new SearchQuery { Text = "methane" })).Items, Is.Empty);
            Assert.That(await Access.ListGrantsAsync("anon:1"), Is.Empty, "the old owner's grants do not follow the sessions");
            Assert.That(await Store.GetMessagesAsync(first.Id, 1, 10), Has.Count.EqualTo(1));
        }
    }

    [Test]
    public async Task TransferSessions_OfAUserWithNone_MovesNothing()
    {
        Assert.That(await Access.TransferSessionsAsync("nobody", "carol"), Is.Zero);
    }

    [Test]
    public void TransferSessions_ToTheSameUser_Throws()
    {
        Assert.ThrowsAsync<ArgumentException>(() => Access.TransferSessionsAsync("carol", "carol"));
        Assert.ThrowsAsync<ArgumentNullException>(() => Access.TransferSessionsAsync(null!, "carol"));
        Assert.ThrowsAsync<ArgumentException>(() => Access.TransferSessionsAsync("carol", " "));
    }
}
