using NUnit.Framework;
using SessionKit.Testing;

namespace SessionKit.Tests.Privacy;

[TestFixture]
public sealed class EncryptedCorrectionTests
{
    [Test]
    public async Task AnEncryptedStore_RefusesEditsAndForks_ChangingNothing_ButSealsState()
    {
        await using var store = new InMemorySessionStore(masterKeys: TestMasterKeys.Provider());
        var session = await store.CreateSessionAsync("ada");
        await store.AppendMessagesAsync(session.Id, [NewMessage.User("first"), NewMessage.Assistant("second")]);
        var before = await store.GetSessionAsync(session.Id);

        var edit = Assert.ThrowsAsync<NotSupportedException>(() => store.EditMessageAsync(session.Id, 1, "changed"));
        Assert.ThrowsAsync<NotSupportedException>(() => store.ForkSessionAsync(session.Id, 1));
        var user = await store.SetStateAsync(StateScope.User, "ada", "plan", "secret plan");
        await store.SetStateAsync(StateScope.App, null, "plan", "app plan");
        await store.SetStateAsync(StateScope.Session, session.Id.ToString(), "plan", "session plan");
        before = await store.GetSessionAsync(session.Id);
        var temp = await store.SetStateAsync(StateScope.Temp, session.Id.ToString(), "scratch", "kept in memory only");
        var rewound = await store.RewindAsync(session.Id, 1);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(edit!.Message, Does.Contain("encryption at rest"));
            Assert.That(temp.Value, Is.EqualTo("kept in memory only"));
            Assert.That((await store.GetMessagesAsync(session.Id, 1, 10)).Select(m => m.Content), Is.EqualTo(new[] { "first" }), "a rewind needs no envelope and works");
            Assert.That(rewound.Version, Is.EqualTo(before.Version + 1), "only the rewind changed the session");
            Assert.That((await store.ListSessionsAsync("ada")).Items, Has.Count.EqualTo(1), "no fork was made");
            Assert.That(user.Value, Is.EqualTo("secret plan"));
            Assert.That((await store.GetStateAsync(StateScope.User, "ada", "plan"))?.Value, Is.EqualTo("secret plan"));
            Assert.That((await store.ListStateAsync(StateScope.App, null)).Single().Value, Is.EqualTo("app plan"));
            Assert.That((await store.GetStateAsync(StateScope.Session, session.Id.ToString(), "plan"))?.Value, Is.EqualTo("session plan"));
        }
    }
}
