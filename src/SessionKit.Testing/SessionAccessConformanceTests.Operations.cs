using System.Reflection;
using NUnit.Framework;

namespace SessionKit.Testing;

public abstract partial class SessionAccessConformanceTests
{
    /// <summary>What an operation is scoped to.</summary>
    public enum Target
    {
        /// <summary>One session: a grant over that session (or all of its owner's sessions) can allow it.</summary>
        Session,

        /// <summary>All of a user's sessions: only a grant over all of them can allow it.</summary>
        User,

        /// <summary>The caller's own devices, tokens and grants: users only, never agents.</summary>
        Self,
    }

    /// <summary>One request-facing operation, run as some caller against alice's session.</summary>
    /// <param name="Name">The API member, then a qualifier.</param>
    /// <param name="Target">What it is scoped to.</param>
    /// <param name="Required">What it needs (<see cref="SessionAccess.None"/>: the owner only).</param>
    /// <param name="Run">Runs it in a scope against alice's session.</param>
    public sealed record Operation(string Name, Target Target, SessionAccess Required, Func<SessionScope, Guid, Task> Run)
    {
        /// <inheritdoc />
        public override string ToString() => Name;
    }

    /// <summary>Every request-facing operation (<see cref="EveryPublicOperation_IsInTheTable"/> keeps this list complete).</summary>
    public static readonly Operation[] Operations =
    [
        new("CreateSessionAsync", Target.User, SessionAccess.ReadWrite, (s, _) => s.CreateSessionAsync("alice")),
        new("GetSessionAsync", Target.Session, SessionAccess.Read, (s, id) => s.GetSessionAsync(id)),
        new("FindSessionAsync", Target.Session, SessionAccess.Read, (s, id) => s.FindSessionAsync(id)),
        new("ListSessionsAsync", Target.User, SessionAccess.Read, (s, _) => s.ListSessionsAsync("alice")),
        new("UpdateSessionAsync", Target.Session, SessionAccess.ReadWrite, (s, id) => s.UpdateSessionAsync(id, new SessionUpdate { Title = "changed" })),
        new("DeleteSessionAsync", Target.Session, SessionAccess.None, (s, id) => s.DeleteSessionAsync(id)),
        new("EraseSessionAsync", Target.Session, SessionAccess.None, (s, id) => s.EraseSessionAsync(id)),
        new("EraseUserAsync", Target.User, SessionAccess.None, (s, _) => s.EraseUserAsync("alice")),
        new("AppendMessagesAsync", Target.Session, SessionAccess.ReadWrite, (s, id) => s.AppendMessagesAsync(id, [NewMessage.User("injected")])),
        new("GetLastMessagesAsync", Target.Session, SessionAccess.Read, (s, id) => s.GetLastMessagesAsync(id, 10)),
        new("GetMessagesAsync", Target.Session, SessionAccess.Read, (s, id) => s.GetMessagesAsync(id, 1, 10)),
        new("GetMessagesByTimeAsync", Target.Session, SessionAccess.Read, (s, id) => s.GetMessagesByTimeAsync(id, new MessageTimeQuery { Since = StartTime })),
        new("ReadAllMessagesAsync", Target.Session, SessionAccess.Read, async (s, id) =>
        {
            await foreach (var _ in s.ReadAllMessagesAsync(id))
            {
            }
        }),
        new("CountMessagesAsync", Target.Session, SessionAccess.Read, (s, id) => s.CountMessagesAsync(id)),
        new("SaveSummaryAsync", Target.Session, SessionAccess.ReadWrite, (s, id) => s.SaveSummaryAsync(id, new NewSummary(1, 2, 1, "carbon cycle summary", "test"))),
        new("GetSummariesAsync", Target.Session, SessionAccess.Read, (s, id) => s.GetSummariesAsync(id)),
        new("InvalidateSummariesAsync", Target.Session, SessionAccess.ReadWrite, (s, id) => s.InvalidateSummariesAsync(id, 1)),
        new("SearchAsync (all sessions of the user)", Target.User, SessionAccess.Read, (s, _) => s.SearchAsync("alice", new SearchQuery { Text = "carbon" })),
        new("SearchAsync (one session)", Target.Session, SessionAccess.Read, (s, id) => s.SearchAsync("alice", new SearchQuery { Text = "carbon", SessionId = id })),
        new("BuildAsync", Target.Session, SessionAccess.Read, (s, id) => s.Context.BuildAsync(id, new ContextRequest { TokenBudget = 500, Query = "carbon cycle" })),
        new("SummarizeAsync (budget)", Target.Session, SessionAccess.ReadWrite, (s, id) => s.Context.SummarizeAsync(id, 500)),
        new("SummarizeAsync (default budget)", Target.Session, SessionAccess.ReadWrite, (s, id) => s.Context.SummarizeAsync(id)),
        new("GrantAsync (one session)", Target.Session, SessionAccess.None, (s, id) => s.GrantAsync(id, SessionCaller.Agent("intruder"), SessionAccess.ReadWrite)),
        new("GrantAsync (all sessions)", Target.Self, SessionAccess.None, (s, _) => s.GrantAsync(null, SessionCaller.Agent("intruder"), SessionAccess.Read)),
        new("RevokeGrantAsync", Target.Session, SessionAccess.None, (s, id) => s.RevokeGrantAsync(id, SessionCaller.Agent("helper"))),
        new("ListGrantsAsync", Target.Self, SessionAccess.None, (s, _) => s.ListGrantsAsync()),
        new("ListDevicesAsync", Target.Self, SessionAccess.None, (s, _) => s.ListDevicesAsync()),
        new("ForgetDeviceAsync", Target.Self, SessionAccess.None, (s, _) => s.ForgetDeviceAsync("phone")),
        new("RevokeAllTokensAsync", Target.Self, SessionAccess.None, (s, _) => s.RevokeAllTokensAsync()),
        new("EditMessageAsync", Target.Session, SessionAccess.ReadWrite, (s, id) => s.EditMessageAsync(id, 1, "rewritten")),
        new("DeleteMessageAsync", Target.Session, SessionAccess.ReadWrite, (s, id) => s.DeleteMessageAsync(id, 1)),
        new("RewindAsync", Target.Session, SessionAccess.ReadWrite, (s, id) => s.RewindAsync(id, 1)),
        new("ForkSessionAsync", Target.Session, SessionAccess.ReadWrite, (s, id) => s.ForkSessionAsync(id, 2)),
        new("GetMessageRevisionsAsync", Target.Session, SessionAccess.Read, (s, id) => s.GetMessageRevisionsAsync(id, 1)),
        new("DeleteSessionAsync (expected version)", Target.Session, SessionAccess.None, async (s, id) => await s.DeleteSessionAsync(id, (await s.GetSessionAsync(id)).Version)),
        new("GetStateAsync (session)", Target.Session, SessionAccess.Read, (s, id) => s.GetStateAsync(StateScope.Session, id.ToString(), "plan")),
        new("SetStateAsync (session)", Target.Session, SessionAccess.ReadWrite, (s, id) => s.SetStateAsync(StateScope.Session, id.ToString(), "plan", "v2")),
        new("SetStateAsync (temp)", Target.Session, SessionAccess.ReadWrite, (s, id) => s.SetStateAsync(StateScope.Temp, id.ToString(), "scratch", "v2")),
        new("DeleteStateAsync (session)", Target.Session, SessionAccess.ReadWrite, (s, id) => s.DeleteStateAsync(StateScope.Session, id.ToString(), "plan")),
        new("ListStateAsync (session)", Target.Session, SessionAccess.Read, (s, id) => s.ListStateAsync(StateScope.Session, id.ToString())),
        new("GetStateAsync (user)", Target.User, SessionAccess.Read, (s, _) => s.GetStateAsync(StateScope.User, "alice", "prefs")),
        new("SetStateAsync (user)", Target.User, SessionAccess.ReadWrite, (s, _) => s.SetStateAsync(StateScope.User, "alice", "prefs", "dark")),
        new("ListStateAsync (user)", Target.User, SessionAccess.Read, (s, _) => s.ListStateAsync(StateScope.User, "alice")),
        new("WatchChangesAsync", Target.Session, SessionAccess.Read, async (s, id) =>
        {
            await foreach (var _ in s.WatchChangesAsync(id, 0).Take(1))
            {
            }
        }),
        new("TryAcquireLeaseAsync", Target.Session, SessionAccess.ReadWrite, (s, id) => s.TryAcquireLeaseAsync(id, "holder", TimeSpan.FromMinutes(1))),
        new("ReleaseLeaseAsync", Target.Session, SessionAccess.ReadWrite, (s, id) => s.ReleaseLeaseAsync(new SessionLease(id, "holder", StartTime.AddMinutes(1)))),
        new("BeginTurnAsync", Target.Session, SessionAccess.ReadWrite, async (s, id) => await (await s.BeginTurnAsync(id)).DisposeAsync()),
    ];

    private static IEnumerable<Operation> CrossUserOperations => Operations.Where(o => o.Target != Target.Self);

    [Test]
    public void EveryPublicOperation_IsInTheTable()
    {
        var members = typeof(ISessionStore).GetMethods()
            .Concat(typeof(IContextBuilder).GetMethods())
            .Concat(typeof(ISessionCorrectionStore).GetMethods())
            .Concat(typeof(ISessionStateStore).GetMethods())
            .Concat(typeof(ISessionLeaseStore).GetMethods())
            .Concat(typeof(SessionScope).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Where(m => !m.IsSpecialName))
            .Select(m => m.Name)
            .Distinct();
        var covered = Operations.Select(o => o.Name.Split(' ')[0]).ToHashSet();

        Assert.That(members.Where(m => !covered.Contains(m)), Is.Empty, "every request-facing operation needs a row in the access table");
    }

    [TestCaseSource(nameof(CrossUserOperations))]
    public async Task AnotherUser_WithoutAGrant_IsDenied_AndNothingChanges(Operation operation)
    {
        await AssertDeniedAsync(operation, SessionCaller.User("bob"));
    }

    [TestCaseSource(nameof(Operations))]
    public async Task AnAgent_WithoutAGrant_IsDenied_AndNothingChanges(Operation operation)
    {
        await AssertDeniedAsync(operation, SessionCaller.Agent("researcher"));
    }

    [TestCaseSource(nameof(Operations))]
    public async Task TheOwner_MayDoEverything(Operation operation)
    {
        var session = await AliceSessionAsync();
        await Scope(SessionCaller.User("alice")).GrantAsync(session.Id, SessionCaller.Agent("helper"), SessionAccess.Read);

        Assert.DoesNotThrowAsync(() => operation.Run(Scope(SessionCaller.User("alice")), session.Id));
    }

    [TestCaseSource(nameof(CrossUserOperations))]
    public async Task AReadGrantOverTheSession_AllowsExactlyTheReads(Operation operation)
    {
        var session = await AliceSessionAsync();
        var agent = SessionCaller.Agent("researcher");
        await Scope(SessionCaller.User("alice")).GrantAsync(session.Id, agent, SessionAccess.Read);

        await AssertAllowedOnlyIfAsync(operation, agent, session, operation.Target == Target.Session && operation.Required == SessionAccess.Read);
    }

    [TestCaseSource(nameof(CrossUserOperations))]
    public async Task AReadWriteGrantOverTheSession_AllowsReadsAndWrites_ButNotOwnerOperations(Operation operation)
    {
        var session = await AliceSessionAsync();
        var bob = SessionCaller.User("bob");
        await Scope(SessionCaller.User("alice")).GrantAsync(session.Id, bob, SessionAccess.ReadWrite);

        await AssertAllowedOnlyIfAsync(operation, bob, session, operation.Target == Target.Session && operation.Required != SessionAccess.None);
    }

    [TestCaseSource(nameof(CrossUserOperations))]
    public async Task AReadWriteGrantOverAllSessions_AllowsEverythingButOwnerOperations(Operation operation)
    {
        var session = await AliceSessionAsync();
        var agent = SessionCaller.Agent("assistant");
        await Scope(SessionCaller.User("alice")).GrantAsync(null, agent, SessionAccess.ReadWrite);

        await AssertAllowedOnlyIfAsync(operation, agent, session, operation.Required != SessionAccess.None);
    }

    [TestCaseSource(nameof(CrossUserOperations))]
    public async Task ARevokedGrant_AllowsNothing_FromTheNextScope(Operation operation)
    {
        var session = await AliceSessionAsync();
        var agent = SessionCaller.Agent("researcher");
        var alice = Scope(SessionCaller.User("alice"));
        await alice.GrantAsync(null, agent, SessionAccess.ReadWrite);
        Assert.That(await alice.RevokeGrantAsync(null, agent), Is.True);

        await AssertDeniedAsync(operation, agent, session);
    }

    [TestCaseSource(nameof(CrossUserOperations))]
    public async Task AnExpiredGrant_AllowsNothing(Operation operation)
    {
        var session = await AliceSessionAsync();
        var agent = SessionCaller.Agent("researcher");
        await Scope(SessionCaller.User("alice")).GrantAsync(null, agent, SessionAccess.ReadWrite, TimeSpan.FromHours(1));
        Time.Advance(TimeSpan.FromHours(1));

        await AssertDeniedAsync(operation, agent, session);
    }

    [TestCaseSource(nameof(Operations))]
    public async Task AnOperation_OnAnUnknownSession_ReportsItAsTheStoreDoes_NotAsDenied(Operation operation)
    {
        await AliceSessionAsync();
        var unknown = Guid.CreateVersion7();
        var bob = Scope(SessionCaller.User("bob"));

        try
        {
            await operation.Run(bob, unknown);
        }
        catch (SessionNotFoundException)
        {
        }
        catch (SessionAccessDeniedException) when (operation.Target == Target.User || operation.Name.StartsWith("SearchAsync", StringComparison.Ordinal))
        {
            // alice's history as a whole is still not bob's, whatever session id the search names.
        }
    }

    private async Task AssertDeniedAsync(Operation operation, SessionCaller caller, Session? session = null)
    {
        session ??= await AliceSessionAsync();
        var before = await SnapshotAsync(session.Id);

        var denied = Assert.ThrowsAsync<SessionAccessDeniedException>(() => operation.Run(Scope(caller), session.Id));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(denied!.Caller, Is.EqualTo(caller.Principal));
            Assert.That(denied.Message, Does.Contain(caller.Principal));
            Assert.That(await SnapshotAsync(session.Id), Is.EqualTo(before), "a denied request changes nothing");
        }
    }

    private async Task AssertAllowedOnlyIfAsync(Operation operation, SessionCaller caller, Session session, bool allowed)
    {
        if (allowed)
        {
            Assert.DoesNotThrowAsync(() => operation.Run(Scope(caller), session.Id));
        }
        else
        {
            await AssertDeniedAsync(operation, caller, session);
        }
    }

    private async Task<string> SnapshotAsync(Guid sessionId)
    {
        var session = await Store.FindSessionAsync(sessionId);
        if (session is null)
        {
            return "deleted";
        }

        var summaries = await Store.GetSummariesAsync(sessionId);
        var sessions = await Store.ListSessionsAsync("alice");
        var grants = await Access.ListGrantsAsync("alice");
        var state = (await Store.ListStateAsync(StateScope.Session, sessionId.ToString())).Concat(await Store.ListStateAsync(StateScope.User, "alice"))
            .Concat(await Store.ListStateAsync(StateScope.Temp, sessionId.ToString()));
        var contents = (await Store.GetMessagesAsync(sessionId, 1, 100)).Select(m => m.Content);
        return $"state[{string.Join(",", state.Select(e => $"{e.Key}={e.Value}@{e.Version}"))}] messages[{string.Join("|", contents)}] v{session.Version} n{session.MessageCount} t{session.Title} s{summaries.Count} sessions{sessions.Items.Count} grants{string.Join(",", grants.Select(g => $"{g.Grantee}:{g.Access}"))}";
    }
}
