using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using SessionKit.Testing;
using SessionKit.Storage;

namespace SessionKit.Tests.Access;

[TestFixture]
public sealed class SessionAccessorDependencyInjectionTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task AddSessionKit_RegistersTheAccessor_OverTheStore_WithTheConfiguredContextAndClock()
    {
        var time = new FakeTimeProvider(Start);
        var services = new ServiceCollection().AddSingleton<TimeProvider>(time);
        services.AddSessionKit(o => o.Context.SummaryShare = 0.3).UseInMemory();
        await using var provider = services.BuildServiceProvider(validateScopes: true);
        var store = provider.GetRequiredService<ISessionStore>();
        var accessor = provider.GetRequiredService<ISessionAccessor>();
        var session = await store.CreateSessionAsync("ada");
        await store.AppendMessagesAsync(session.Id, [NewMessage.User("hello")]);
        var ada = accessor.ForCaller(SessionCaller.User("ada"));
        var grant = await ada.GrantAsync(null, SessionCaller.Agent("helper"), SessionAccess.Read, TimeSpan.FromMinutes(5));

        var window = await accessor.ForCaller(SessionCaller.Agent("helper")).Context.BuildAsync(session.Id, new ContextRequest { TokenBudget = 100 });
        time.Advance(TimeSpan.FromMinutes(5));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(provider.GetRequiredService<ISessionAccessStore>(), Is.SameAs(store));
            Assert.That(grant.ExpiresAt, Is.EqualTo(Start.AddMinutes(5)), "grants are stamped by the container's clock");
            Assert.That(window.Items.Single().Content, Is.EqualTo("hello"));
            Assert.ThrowsAsync<SessionAccessDeniedException>(() => accessor.ForCaller(SessionCaller.Agent("helper")).GetSessionAsync(session.Id));
            Assert.ThrowsAsync<SessionAccessDeniedException>(() => accessor.ForCaller(SessionCaller.User("bob")).GetSessionAsync(session.Id));
        }
    }

    [Test]
    public void AStoreWithoutGrants_MakesTheAccessorFail_NamingWhatIsMissing()
    {
        var services = new ServiceCollection();
        services.AddSessionKit().UseStore(context => new ReadCountingStore(new InMemorySessionStore(context.Limits, context.TimeProvider, context.TokenCounter)));
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<ISessionAccessor>());

        Assert.That(ex!.Message, Does.Contain(nameof(ISessionAccessStore)));
    }
}
