using System.Text.Json;
using NUnit.Framework;
using SessionKit.Storage;

namespace SessionKit.Testing;

public abstract partial class SessionAccessConformanceTests
{
    [Test]
    public async Task EraseUser_DeletesTheGrantsTheUserGaveAndReceived_AndNoOneElses()
    {
        var session = await AliceSessionAsync();
        var carolSession = await Store.CreateSessionAsync("carol");
        await Access.SaveGrantAsync(new SessionGrant { OwnerUserId = "alice", SessionId = session.Id, Grantee = SessionCaller.Agent("a"), Access = SessionAccess.Read, GrantedAt = StartTime });
        await Access.SaveGrantAsync(new SessionGrant { OwnerUserId = "alice", Grantee = SessionCaller.User("bob"), Access = SessionAccess.Read, GrantedAt = StartTime });
        await Access.SaveGrantAsync(new SessionGrant { OwnerUserId = "carol", SessionId = carolSession.Id, Grantee = SessionCaller.User("alice"), Access = SessionAccess.ReadWrite, GrantedAt = StartTime });
        await Access.SaveGrantAsync(new SessionGrant { OwnerUserId = "carol", Grantee = SessionCaller.Agent("a"), Access = SessionAccess.Read, GrantedAt = StartTime });

        var erased = await Store.EraseUserAsync("alice");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(erased.Grants, Is.EqualTo(3));
            Assert.That(await Access.ListGrantsAsync("alice"), Is.Empty);
            Assert.That((await Access.ListGrantsAsync("carol")).Select(g => g.Grantee), Is.EqualTo(new[] { SessionCaller.Agent("a") }), "carol's other grant stays");
        }
    }

    [Test]
    public async Task EraseSession_DeletesItsGrants()
    {
        var session = await AliceSessionAsync();
        await Access.SaveGrantAsync(new SessionGrant { OwnerUserId = "alice", SessionId = session.Id, Grantee = SessionCaller.Agent("a"), Access = SessionAccess.Read, GrantedAt = StartTime });
        await Access.SaveGrantAsync(new SessionGrant { OwnerUserId = "alice", Grantee = SessionCaller.Agent("b"), Access = SessionAccess.Read, GrantedAt = StartTime });

        var erased = await Store.EraseSessionAsync(session.Id);

        Assert.That(erased.Grants, Is.EqualTo(1));
        Assert.That((await Access.ListGrantsAsync("alice")).Single().Grantee, Is.EqualTo(SessionCaller.Agent("b")));
    }

    [Test]
    public async Task Export_ListsTheGrantsTheUserGave()
    {
        var session = await AliceSessionAsync();
        await Scope(SessionCaller.User("alice")).GrantAsync(session.Id, SessionCaller.Agent("researcher"), SessionAccess.ReadWrite, TimeSpan.FromHours(2));
        var exporter = new UserDataExporter(Store, Store, (ISessionTokenStore)Store, Time);
        using var stream = new MemoryStream();

        var result = await exporter.ExportUserAsync("alice", stream);

        using var json = JsonDocument.Parse(stream.ToArray());
        var grant = json.RootElement.GetProperty("grants")[0];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Grants, Is.EqualTo(1));
            Assert.That(grant.GetProperty("sessionId").GetGuid(), Is.EqualTo(session.Id));
            Assert.That(grant.GetProperty("grantee").GetString(), Is.EqualTo("agent:researcher"));
            Assert.That(grant.GetProperty("access").GetString(), Is.EqualTo("readWrite"));
            Assert.That(json.RootElement.GetProperty("counts").GetProperty("grants").GetInt64(), Is.EqualTo(1));
        }
    }
}
