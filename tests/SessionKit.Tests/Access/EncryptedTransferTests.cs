using NUnit.Framework;
using SessionKit.Testing;

namespace SessionKit.Tests.Access;

[TestFixture]
public sealed class EncryptedTransferTests
{
    [Test]
    public async Task ClaimingAnonymousHistory_WithEncryptionOn_IsRefusedBeforeAnythingChanges()
    {
        await using var store = new InMemorySessionStore(masterKeys: TestMasterKeys.Provider());
        var tokens = new SessionTokenService(store);
        var resolver = new SessionResolver(store, tokens, new DeviceRegistry(store));
        var visitor = await resolver.ResolveAsync(new SessionResolutionRequest());
        await store.AppendMessagesAsync(visitor.Session.Id, [NewMessage.User("sealed words")]);

        var ex = Assert.ThrowsAsync<NotSupportedException>(() => resolver.ClaimAnonymousAsync(visitor.IssuedToken!.Token, "carol"));
        Assert.ThrowsAsync<NotSupportedException>(() => store.TransferSessionsAsync(visitor.Session.UserId, "carol"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex!.Message, Does.Contain("encryption at rest"));
            Assert.That((await tokens.ValidateAsync(visitor.IssuedToken!.Token)).IsValid, Is.True, "the visitor keeps their token");
            Assert.That((await store.GetLastMessagesAsync(visitor.Session.Id, 1))[0].Content, Is.EqualTo("sealed words"));
            Assert.That((await store.ListSessionsAsync("carol")).Items, Is.Empty);
        }
    }
}
